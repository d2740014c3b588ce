// The money rule of everything the product writes as JSON: bigint cents become integer JSON numbers,
// exactly, or the write fails; never a float of dollars, never a string.
import { describe, expect, it } from 'vitest';
import { centsNumber, jsonText } from '../../src/common/json-text.ts';
import { ClaimsError } from '../../src/common/errors.ts';

describe('jsonText', () => {
  it('writes bigint cents as integer JSON numbers, at any depth', () => {
    const text = jsonText({ balanceCents: 1500n, lines: [{ amountCents: -1250n }], count: 3, note: 'x' });
    expect(text).toBe('{"balanceCents":1500,"lines":[{"amountCents":-1250}],"count":3,"note":"x"}');
    expect(JSON.parse(text)).toEqual({ balanceCents: 1500, lines: [{ amountCents: -1250 }], count: 3, note: 'x' });
  });

  it('keeps the largest exact amounts either side of zero', () => {
    const max = BigInt(Number.MAX_SAFE_INTEGER);
    expect(jsonText({ aCents: max, bCents: -max })).toBe('{"aCents":9007199254740991,"bCents":-9007199254740991}');
  });

  it('refuses an amount a JSON reader would round, naming the field', () => {
    const over = BigInt(Number.MAX_SAFE_INTEGER) + 1n;
    let thrown: unknown;
    try {
      jsonText({ totals: { depositCents: over } });
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(ClaimsError);
    expect(thrown).toMatchObject({ code: 'AMOUNT_TOO_LARGE', location: { field: 'depositCents' } });
    expect(() => jsonText([-over])).toThrow(/does not fit a JSON number exactly/);
  });

  it('indents when asked, as the CLI prints it', () => {
    expect(jsonText({ totalCents: 0n }, 2)).toBe('{\n  "totalCents": 0\n}');
  });

  it('centsNumber is the same rule for a single amount', () => {
    expect(centsNumber(-37n)).toBe(-37);
    expect(() => centsNumber(2n ** 60n, 'balanceCents')).toThrow(/balanceCents: /);
  });
});
