import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { CsvReader } from '../../src/common/csv-reader.ts';

function readAll(text: string, chunk: number): { fields: string[]; line: number }[] {
  const r = new CsvReader();
  const out = [];
  for (let i = 0; i < text.length; i += chunk) out.push(...r.push(text.slice(i, i + chunk)));
  out.push(...r.end());
  return out;
}

const sample = '\uFEFFaccount,memo\r\nG-1,"Smith, ""Jr"""\r\n\r\nG-2,"two\nlines"\nG-3,last';

describe('CsvReader', () => {
  it.each([1, 2, 4, 1000])('reads quoted fields, CRLF, a BOM and a last line without newline in %i-char chunks', (chunk) => {
    expect(readAll(sample, chunk)).toEqual([
      { fields: ['account', 'memo'], line: 1 },
      { fields: ['G-1', 'Smith, "Jr"'], line: 2 },
      { fields: ['G-2', 'two\nlines'], line: 4 },
      { fields: ['G-3', 'last'], line: 6 },
    ]);
  });

  it('round-trips any fields written with RFC 4180 quoting (seeded)', () => {
    const field = fc.string({ unit: fc.constantFrom('a', 'b', ',', '"', '\n', '\r', ' ', 'z') });
    fc.assert(
      fc.property(fc.array(fc.array(field, { minLength: 2, maxLength: 4 }), { minLength: 1, maxLength: 5 }), fc.integer({ min: 1, max: 7 }), (rows, chunk) => {
        const text = rows.map((r) => r.map((f) => `"${f.replace(/"/g, '""')}"`).join(',')).join('\r\n') + '\r\n';
        expect(readAll(text, chunk).map((r) => r.fields)).toEqual(rows);
      }),
      { seed: 7007, numRuns: 200 },
    );
  });
});
