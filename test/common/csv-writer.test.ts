// The one CSV writer: RFC 4180 quoting only where needed, the spreadsheet formula guard (plain amounts
// spared), per-file delimiter and line ending, and a round trip through the product's own CSV reader.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { csvHeader, csvLine, csvText, guardFormula } from '../../src/common/csv-writer.ts';
import { CsvReader } from '../../src/common/csv-reader.ts';

function readBack(text: string): string[][] {
  const reader = new CsvReader();
  return [...reader.push(text), ...reader.end()].map((r) => r.fields);
}

describe('formula guard', () => {
  it.each(['=SUM(A1)', '+1', '-cmd', '@x', '\tx', '\rx', '-abc', '-1.234', '+12.50'])('prefixes %j with an apostrophe', (cell) => {
    expect(guardFormula(cell)).toBe(`'${cell}`);
  });

  it.each(['-70.56', '0', '12', '3.5', '-12', '1.234', 'abc', 'x=1', '', "'=already"])('leaves %j as it is', (cell) => {
    expect(guardFormula(cell)).toBe(cell);
  });

  it('guards text cells in a line, not number cells', () => {
    expect(csvLine(['=SUM(A1)', '-70.56', -3, -4n, '-abc'])).toBe("'=SUM(A1),-70.56,-3,-4,'-abc\r\n");
  });

  it('quotes a guarded cell that still needs quoting', () => {
    expect(csvLine(['\rx', '=a,b'])).toBe('"\'\rx","\'=a,b"\r\n');
  });
});

describe('quoting', () => {
  it('quotes only cells holding the delimiter, a quote, CR or LF; doubles quotes', () => {
    expect(csvLine(['plain', 'a,b', 'say "hi"', 'two\nlines', 'cr\ronly', ' padded ', '', null, undefined])).toBe(
      'plain,"a,b","say ""hi""","two\nlines","cr\ronly", padded ,,,\r\n',
    );
  });

  it('a per-file delimiter, line ending and padded-cell quoting', () => {
    const options = { delimiter: '|', lineEnding: 'lf', quotePadded: true } as const;
    expect(csvLine(['a,b', 'c|d', ' e', 'f '], options)).toBe('a,b|"c|d"|" e"|"f "\n');
    expect(csvHeader(['AMT', 'ACCT'], options)).toBe('AMT|ACCT\n');
  });

  it('a header line follows the same rules', () => {
    expect(csvHeader(['account_number', 'amount, due', '=x'])).toBe('account_number,"amount, due",\'=x\r\n');
  });

  it('a whole text: a line per row, nothing for no rows', () => {
    expect(csvText([['a', 'b'], ['1', '-2.50']])).toBe('a,b\r\n1,-2.50\r\n');
    expect(csvText([])).toBe('');
  });
});

describe('round trip through CsvReader', () => {
  it('reads back the rows, with an apostrophe where the guard added one', () => {
    const rows = [['name', 'amount', 'note'], ['Quill, "Mo"', '-70.56', '=HYPERLINK("x")'], ['a\r\nb', '0', '@home'], ['', '12', '\tx']];
    expect(readBack(csvText(rows))).toEqual([
      ['name', 'amount', 'note'], ['Quill, "Mo"', '-70.56', '\'=HYPERLINK("x")'], ['a\r\nb', '0', "'@home"], ['', '12', "'\tx"],
    ]);
  });

  it('holds for any cells (seeded)', () => {
    const cell = fc.string({ unit: fc.constantFrom('a', '1', '.', ',', '"', '\n', '\r', ' ', '\t', '=', '+', '-', '@', "'") });
    const guarded = (c: string): string => (/^[=+\-@\t\r]/.test(c) && !/^-?\d+(\.\d{1,2})?$/.test(c) ? `'${c}` : c);
    fc.assert(
      fc.property(fc.array(fc.array(cell, { minLength: 2, maxLength: 4 }), { minLength: 1, maxLength: 5 }), fc.boolean(), (rows, lf) => {
        const text = rows.map((r) => csvLine(r, { lineEnding: lf ? 'lf' : 'crlf' })).join('');
        expect(readBack(text)).toEqual(rows.map((r) => r.map(guarded)));
      }),
      { seed: 4180, numRuns: 300 },
    );
  });
});
