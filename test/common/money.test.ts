// Money as bigint cents (src/common/money.ts): parsing and the three formats. parseCents takes at most 21
// characters of text: enough for the whole range the ledger holds (int64 cents), so parse(format(x)) === x
// from -2^63 to 2^63 - 1, and text longer than that is refused.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ClaimsError } from '../../src/common/errors.ts';
import { formatDecimal, formatUsd, formatX12Amount, parseCents, sumCents } from '../../src/common/money.ts';

const INT64_MAX = 2n ** 63n - 1n;
/** The ledger's whole range: int64 cents. */
const LOW = -(2n ** 63n);
const HIGH = INT64_MAX;

const codeOf = (f: () => unknown): string | undefined => {
  try {
    f();
  } catch (e) {
    return e instanceof ClaimsError ? e.code : 'not a ClaimsError';
  }
  return undefined;
};

/** Cents in the round-trip range, with the edges, zero and one cent drawn far more often than by chance. */
const cents = fc.oneof(
  fc.bigInt({ min: LOW, max: HIGH }),
  fc.bigInt({ min: -10_000n, max: 10_000n }),
  fc.constantFrom(0n, 1n, -1n, 99n, -99n, 100n, -100n, LOW, LOW + 1n, HIGH, HIGH - 1n, INT64_MAX, INT64_MAX - 1n, 10n ** 18n, -(10n ** 17n)),
);

describe('parseCents', () => {
  it('reads X12 R amounts and plain decimals', () => {
    const cases: [string, bigint][] = [
      ['100', 10_000n], ['100.5', 10_050n], ['-37.50', -3_750n], ['.5', 50n], ['5.', 500n], ['+1', 100n], ['0', 0n],
      ['-0', 0n], ['0.01', 1n], ['-0.01', -1n], ['007.10', 710n], ['1.230', 123n], ['1.000000', 100n],
      ['92233720368547758.07', INT64_MAX], ['-92233720368547758.08', LOW], ['99999999999999999.99', 9_999_999_999_999_999_999n],
    ];
    expect(cases.map(([text]) => parseCents(text))).toEqual(cases.map(([, value]) => value));
  });

  it('refuses what is not an amount, and a third decimal that is not zero', () => {
    const invalid = ['', '.', '-', '+', '-.', '1,000', '1e3', ' 1', '1 ', '--1', '+-1', '1.2.3', '$1', '١', '0x10', '1234567890123456789012'];
    expect(invalid.map((t) => codeOf(() => parseCents(t)))).toEqual(invalid.map(() => 'MONEY_INVALID'));
    expect(['1.234', '0.001', '-5.105'].map((t) => codeOf(() => parseCents(t)))).toEqual(['MONEY_PRECISION', 'MONEY_PRECISION', 'MONEY_PRECISION']);
  });

  it('stops at 21 characters of text, whatever the value: the most negative int64 just fits', () => {
    expect(parseCents('-10000000000000000000')).toBe(-(10n ** 21n));
    expect(codeOf(() => parseCents('-100000000000000000000'))).toBe('MONEY_INVALID');
    expect(formatDecimal(-(2n ** 63n))).toBe('-92233720368547758.08');
    expect(parseCents(formatDecimal(-(2n ** 63n)))).toBe(-(2n ** 63n));
  });

  it('is sign * (whole * 100 + cents) for any amount written with up to two decimals', () => {
    const amount = fc.record({
      sign: fc.constantFrom('', '+', '-'),
      whole: fc.bigInt({ min: 0n, max: 10n ** 13n - 1n }), // with sign, zeros and '.990': 20 characters
      zeros: fc.integer({ min: 0, max: 2 }),
      decimals: fc.constantFrom('', '.', '.0', '.5', '.05', '.50', '.99', '.10', '.990'),
    });
    fc.assert(
      fc.property(amount, ({ sign, whole, zeros, decimals }) => {
        const text = `${sign}${'0'.repeat(zeros)}${whole}${decimals}`;
        const fraction = BigInt((decimals.slice(1) + '00').slice(0, 2));
        const magnitude = whole * 100n + fraction;
        expect(parseCents(text)).toBe(sign === '-' ? -magnitude : magnitude);
      }),
    );
  });
});

describe('parseCents quotes a bad value as a bounded excerpt', () => {
  it('a 5 MB amount field gives a message of a few hundred characters that still says how long it was', () => {
    const huge = '9'.repeat(5 * 1024 * 1024);
    let message = '';
    try {
      parseCents(huge);
    } catch (err) {
      message = (err as ClaimsError).message;
    }
    expect(message.length).toBeLessThan(300);
    expect(message).toContain(`(${huge.length} characters)`);
    expect(message.startsWith('not a monetary amount: "999')).toBe(true);
  });
});

describe('formats', () => {
  it('formatDecimal always has two decimals', () => {
    expect([0n, 1n, -1n, 10n, 1_250n, -307n, 100_000n, INT64_MAX].map(formatDecimal))
      .toEqual(['0.00', '0.01', '-0.01', '0.10', '12.50', '-3.07', '1000.00', '92233720368547758.07']);
  });

  it('formatX12Amount drops trailing zeros and the point', () => {
    expect([0n, 1n, -1n, 10n, 1_250n, -307n, 10_000n, -10_000n, INT64_MAX].map(formatX12Amount))
      .toEqual(['0', '0.01', '-0.01', '0.1', '12.5', '-3.07', '100', '-100', '92233720368547758.07']);
  });

  it('formatUsd groups thousands and puts the sign before the dollar', () => {
    expect([0n, 99n, -307n, 123_450n, 100_000_000n, -100_000_000n, INT64_MAX].map(formatUsd))
      .toEqual(['$0.00', '$0.99', '-$3.07', '$1,234.50', '$1,000,000.00', '-$1,000,000.00', '$92,233,720,368,547,758.07']);
  });
});

describe('round trips', () => {
  it('parseCents(formatDecimal(x)) === x', () => {
    fc.assert(fc.property(cents, (x) => parseCents(formatDecimal(x)) === x), { numRuns: 3000 });
  });

  it('parseCents(formatX12Amount(x)) === x, and the X12 text has no trailing zero, no -0, no bare point', () => {
    fc.assert(
      fc.property(cents, (x) => {
        const text = formatX12Amount(x);
        expect(text).toMatch(/^-?(0|[1-9]\d*)(\.\d?[1-9])?$/);
        expect(text.startsWith('-')).toBe(x < 0n);
        expect(parseCents(text)).toBe(x);
      }),
      { numRuns: 3000 },
    );
  });

  it('formatUsd is formatDecimal with a dollar sign and thousands commas', () => {
    fc.assert(
      fc.property(cents, (x) => {
        const usd = formatUsd(x);
        expect(usd).toMatch(/^-?\$(0|[1-9]\d{0,2})(,\d{3})*\.\d{2}$/);
        expect(usd.replace('$', '').replaceAll(',', '')).toBe(formatDecimal(x));
        expect(parseCents(usd.replace('$', '').replaceAll(',', ''))).toBe(x);
      }),
      { numRuns: 3000 },
    );
  });

  it('beyond the range, parseCents refuses exactly the texts longer than 21 characters', () => {
    const wide = fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n });
    fc.assert(
      fc.property(wide, (x) => {
        for (const text of [formatDecimal(x), formatX12Amount(x)]) {
          if (text.length <= 21) expect(parseCents(text)).toBe(x);
          else expect(codeOf(() => parseCents(text))).toBe('MONEY_INVALID');
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('sumCents', () => {
  it('adds exactly, past the range of a float', () => {
    expect(sumCents([])).toBe(0n);
    expect(sumCents([INT64_MAX, 1n, -1n])).toBe(INT64_MAX);
    expect(sumCents([2n ** 53n, 1n])).toBe(2n ** 53n + 1n);
  });
});
