// The one date rule (src/common/dates.ts): isIsoDate, its CCYYMMDD form and its zod schema. Oracles are
// independent of the module: hand-written calendar facts, and JavaScript's own Date for the properties
// (setUTCFullYear, which takes years below 100 as given).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ClaimsError } from '../../src/common/errors.ts';
import { addDays, addMonths, dayNumber, daysBetween, IsoDate, isIsoDate, isoDateSchema, isoFromD8 } from '../../src/common/dates.ts';

const pad = (n: number, width: number): string => String(n).padStart(width, '0');
const iso = (y: number, m: number, d: number): string => `${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}`;

/** Whether Date, told the year as is, lands on the same year, month and day (no roll-over). */
function dateAgrees(y: number, m: number, d: number): boolean {
  const t = new Date(0);
  t.setUTCFullYear(y, m - 1, d);
  return t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d;
}

const accepts = (texts: string[]) => texts.filter((t) => !isIsoDate(t));
const refuses = (texts: string[]) => texts.filter((t) => isIsoDate(t));

describe('isIsoDate', () => {
  it('knows leap years, the century rule included', () => {
    expect(accepts(['2024-02-29', '2000-02-29', '2400-02-29', '1600-02-29', '0400-02-29', '2023-02-28'])).toEqual([]);
    expect(refuses(['2023-02-29', '1900-02-29', '2100-02-29', '1700-02-29', '0100-02-29', '2024-02-30'])).toEqual([]);
  });

  it('refuses day 31 of the 30-day months, and keeps it for the others', () => {
    expect(refuses(['2025-04-31', '2025-06-31', '2025-09-31', '2025-11-31'])).toEqual([]);
    expect(accepts(['2025-01-31', '2025-03-31', '2025-05-31', '2025-07-31', '2025-08-31', '2025-10-31', '2025-12-31'])).toEqual([]);
    expect(accepts(['2025-04-30', '2025-06-30', '2025-09-30', '2025-11-30'])).toEqual([]);
  });

  it('refuses month 00 and 13 and day 00', () => {
    expect(refuses(['2025-00-10', '2025-13-01', '2025-01-00', '2025-99-99'])).toEqual([]);
  });

  it('refuses year 0000, which PostgreSQL cannot store', () => {
    expect(refuses(['0000-01-01', '0000-02-29', '0000-12-31'])).toEqual([]);
  });

  it('takes years below 100 as themselves, not as 19xx', () => {
    expect(accepts(['0001-01-01', '0050-06-15', '0099-12-31', '0004-02-29', '9999-12-31'])).toEqual([]);
    expect(refuses(['0003-02-29', '0001-02-29'])).toEqual([]);
    // Read as 19xx, the year 50 would be 1950 and these would be 0 days apart. 460 leap days: 475 years
    // divisible by 4 from 52 to 1948, less the 15 centuries not divisible by 400.
    expect(daysBetween('0050-06-15', '1950-06-15')).toBe(1900 * 365 + 460);
    expect(addDays('0099-12-31', 1)).toBe('0100-01-01');
    expect(addDays('0001-01-01', 365)).toBe('0002-01-01');
    expect(addMonths('0004-01-31', 1)).toBe('0004-02-29');
    expect(addMonths('0003-01-31', 1)).toBe('0003-02-28');
  });

  it('takes only ASCII digits, dashes in place, and nothing around them', () => {
    expect(refuses([
      '', '2024-1-01', '2024-01-1', '24-01-01', '02024-01-01', '2024/01/01', '20240101', '2024-01-01 ', ' 2024-01-01',
      '2024-01-01T00:00:00Z', '2024-0a-01', 'abcd-01-01', '+024-01-01', '-024-01-01', '2024-+1-01', '2024- 1-01',
      '２０２４-01-01', '٢٠٢٤-01-01', '2024‐01‐01', '2024-01-0\u0000',
    ])).toEqual([]);
  });

  it('agrees with Date (years as given) on every year, month 1-12 and day 1-31', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 31 }), (y, m, d) => {
        expect(isIsoDate(iso(y, m, d))).toBe(y >= 1 && dateAgrees(y, m, d));
      }),
      { numRuns: 5000 },
    );
  });

  it('accepts every day Date can name from 0001-01-01 to 9999-12-31', () => {
    const date = fc.date({ min: new Date('0001-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59.999Z'), noInvalidDate: true });
    fc.assert(fc.property(date, (t) => isIsoDate(t.toISOString().slice(0, 10))), { numRuns: 2000 });
  });
});

describe('dayNumber', () => {
  it('counts from 1970-01-01 and refuses what isIsoDate refuses, with DATE_INVALID', () => {
    expect(dayNumber('1970-01-01')).toBe(0);
    expect(dayNumber('1969-12-31')).toBe(-1);
    expect(dayNumber('2000-03-01') - dayNumber('2000-02-28')).toBe(2);
    for (const bad of ['0000-01-01', '2023-02-29', '2024-1-01']) {
      const err = (() => {
        try {
          dayNumber(bad);
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      expect(err).toBeInstanceOf(ClaimsError);
      expect(err).toMatchObject({ code: 'DATE_INVALID', message: `not a calendar date: ${JSON.stringify(bad)}` });
    }
  });
});

describe('isoFromD8 (X12 CCYYMMDD)', () => {
  it('dashes a real date and refuses the rest', () => {
    expect(isoFromD8('20240229')).toBe('2024-02-29');
    expect(isoFromD8('00500615')).toBe('0050-06-15');
    expect(['20230229', '19000229', '20250431', '00000101', '2024022', '202402290', '2024-02-', '2024 229', '', '２０２４0101'].map(isoFromD8))
      .toEqual(Array(10).fill(null));
  });

  it('says of any eight characters what isIsoDate says of them with dashes', () => {
    const d8ish = fc.oneof(
      fc.string({ minLength: 8, maxLength: 8 }),
      fc.array(fc.constantFrom('0', '1', '2', '3', '9', '-', 'a'), { minLength: 8, maxLength: 8 }).map((cs) => cs.join('')),
      fc.tuple(fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 0, max: 13 }), fc.integer({ min: 0, max: 32 }))
        .map(([y, m, d]) => `${pad(y, 4)}${pad(m, 2)}${pad(d, 2)}`),
    );
    fc.assert(
      fc.property(d8ish, (s) => {
        const dashed = `${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6)}`;
        expect(isoFromD8(s)).toBe(isIsoDate(dashed) ? dashed : null);
      }),
      { numRuns: 3000 },
    );
  });
});

describe('the zod schema', () => {
  /** Strings that look like dates often enough to reach the calendar check, plus anything at all. */
  const dateish = fc.oneof(
    fc.string(),
    fc.string({ unit: fc.constantFrom('0', '1', '2', '3', '9', '-'), minLength: 8, maxLength: 12 }),
    fc.tuple(fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 0, max: 13 }), fc.integer({ min: 0, max: 32 })).map(([y, m, d]) => iso(y, m, d)),
  );

  it('accepts exactly what isIsoDate accepts', () => {
    const pipeline = isoDateSchema('expected a date as YYYY-MM-DD');
    fc.assert(
      fc.property(dateish, (s) => {
        expect(IsoDate.safeParse(s).success).toBe(isIsoDate(s));
        expect(pipeline.safeParse(s).success).toBe(isIsoDate(s));
      }),
      { numRuns: 3000 },
    );
  });

  it('accepts random real dates', () => {
    const date = fc.date({ min: new Date('0001-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59.999Z'), noInvalidDate: true });
    fc.assert(fc.property(date, (t) => IsoDate.safeParse(t.toISOString().slice(0, 10)).success), { numRuns: 1000 });
  });

  it('keeps its messages: the format first, then the calendar', () => {
    const messages = (schema: typeof IsoDate, v: unknown) => schema.safeParse(v).error?.issues.map((i) => i.message);
    expect(messages(IsoDate, '2024-2-01')).toEqual(['expected a date YYYY-MM-DD', 'not a calendar date']);
    expect(messages(IsoDate, '2024-02-30')).toEqual(['not a calendar date']);
    expect(messages(IsoDate, '0000-01-01')).toEqual(['not a calendar date']);
    expect(messages(isoDateSchema('expected a date as YYYY-MM-DD'), 'x')).toEqual(['expected a date as YYYY-MM-DD', 'not a calendar date']);
  });
});
