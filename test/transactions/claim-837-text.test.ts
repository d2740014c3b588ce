// SegmentText (the claims' body serialiser) must write exactly what the X12 core's serializeSegment writes:
// trailing empty elements and components dropped, delimiters in a value refused. Checked by hand on the
// edge cases and by a seeded property over random segments.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { SegmentText } from '../../src/transactions/claim-837-text.ts';
import { DEFAULT_DELIMITERS, serializeSegment } from '../../src/x12/writer.ts';
import type { SegmentValues } from '../../src/transactions/claim-837-common.ts';

describe('claim body segment text', () => {
  it('drops trailing empty elements and components, keeps inner ones, and counts segments', () => {
    const t = new SegmentText(DEFAULT_DELIMITERS);
    expect(t.segment(['NM1', '85', '2', 'NORTHWIND', '', '', '', '', 'XX', '1234567893'])).toBe('NM1*85*2*NORTHWIND*****XX*1234567893~');
    expect(t.segment(['SBR', 'P', '', 'G1', '', '', '', '', '', ''])).toBe('SBR*P**G1~');
    expect(t.segment(['SV1', ['HC', '99213', '', ''], '50', 'UN', '1', '', '', ['1', '2']])).toBe('SV1*HC:99213*50*UN*1***1:2~');
    expect(t.segment(['CLM', 'X', ['', 'B', '1']])).toBe('CLM*X*:B:1~');
    expect(t.segment(['HI', ['', '']])).toBe('HI~');
    expect(t.count).toBe(5);
    expect(new SegmentText(DEFAULT_DELIMITERS, '\n').segments([['LX', '1'], ['LX', '2']])).toBe('LX*1~\nLX*2~\n');
  });

  it('refuses a value holding any delimiter, the repetition separator included', () => {
    const t = new SegmentText(DEFAULT_DELIMITERS);
    for (const bad of ['A*B', 'A:B', 'A~B', 'A^B']) {
      expect(() => t.segment(['NM1', '85', bad])).toThrow(expect.objectContaining({ code: 'WRITER_DELIMITER_IN_VALUE' }));
      expect(() => t.segment(['SV1', ['HC', bad]])).toThrow(expect.objectContaining({ code: 'WRITER_DELIMITER_IN_VALUE' }));
    }
    const other = new SegmentText({ element: '|', component: '>', repetition: '^', segment: '\n' });
    expect(other.segment(['NM1', 'A*B:C~'])).toBe('NM1|A*B:C~\n');
    expect(() => other.segment(['NM1', 'A]B', 'C>D'])).toThrow(expect.objectContaining({ code: 'WRITER_DELIMITER_IN_VALUE' }));
  });

  it('writes what the core serializer writes, for random segments (seeded)', () => {
    const value = fc.stringMatching(/^[A-Z0-9 ]{0,4}$/);
    const element = fc.oneof(value, fc.array(value, { minLength: 1, maxLength: 5 }));
    const segment = fc.tuple(fc.constantFrom('NM1', 'SV1', 'HI', 'CLM', 'N4'), fc.array(element, { maxLength: 10 }));
    fc.assert(
      fc.property(segment, ([tag, elements]) => {
        const values = [tag, ...elements] as SegmentValues;
        expect(new SegmentText(DEFAULT_DELIMITERS).segment(values)).toBe(serializeSegment(values, DEFAULT_DELIMITERS));
      }),
      { seed: 837, numRuns: 500 },
    );
  });
});
