// Money is integer cents held in a bigint, parsed from text and formatted to text without ever passing
// through a float (DOMAIN.md, Money; X12 type R, RFI 1526).
import { ClaimsError, type Location } from './errors.ts';
import { inputExcerpt } from './input-text.ts';

export type Cents = bigint;

const DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?$/;
/** Long enough for every amount the ledger holds (int64 cents: `-92233720368547758.08` is 21 characters). */
const AMOUNT_TEXT_MAX = 21;

/**
 * Parse an X12 `R` amount or a decimal string into cents: `100`, `100.5`, `-37.50`, `.5`.
 * More than two decimal places is accepted only when the extra digits are zeros (`1.230`).
 * Throws MONEY_INVALID with the location given.
 */
export function parseCents(text: string, location: Location = {}): Cents {
  const m = DECIMAL.exec(text);
  const whole = m?.[2] ?? '';
  const frac = m?.[3] ?? '';
  if (!m || (whole === '' && frac === '') || text.length > AMOUNT_TEXT_MAX) {
    throw new ClaimsError({
      code: 'MONEY_INVALID',
      message: `not a monetary amount: ${text.length > 40 ? inputExcerpt(text) : JSON.stringify(text)}`,
      location,
      expected: 'a decimal number with at most 2 decimal places',
      found: text,
      ack: { ik403: '6' },
    });
  }
  if (frac.length > 2 && /[1-9]/.test(frac.slice(2))) {
    throw new ClaimsError({
      code: 'MONEY_PRECISION',
      message: `amount ${inputExcerpt(text)} has more than 2 decimal places`,
      location,
      expected: 'at most 2 decimal places',
      found: text,
      ack: { ik403: '6' },
    });
  }
  const cents = BigInt(whole || '0') * 100n + BigInt((frac + '00').slice(0, 2));
  return m[1] === '-' ? -cents : cents;
}

/** Format cents the X12 way: no plus sign, no trailing zeros, no thousands separator (`12.5`, `100`, `-3.07`). */
export function formatX12Amount(cents: Cents): string {
  const neg = cents < 0n;
  const abs = neg ? -cents : cents;
  const whole = abs / 100n;
  const frac = abs % 100n;
  let out = whole.toString();
  if (frac !== 0n) out += '.' + frac.toString().padStart(2, '0').replace(/0$/, '');
  return neg ? '-' + out : out;
}

/** Format cents for people and CSV: always two decimals (`12.50`, `-3.07`). */
export function formatDecimal(cents: Cents): string {
  const neg = cents < 0n;
  const abs = neg ? -cents : cents;
  return `${neg ? '-' : ''}${(abs / 100n).toString()}.${(abs % 100n).toString().padStart(2, '0')}`;
}

/** Format cents for a statement: `$1,234.50`. */
export function formatUsd(cents: Cents): string {
  const neg = cents < 0n;
  const abs = neg ? -cents : cents;
  const whole = (abs / 100n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${neg ? '-' : ''}$${whole}.${(abs % 100n).toString().padStart(2, '0')}`;
}

export function sumCents(values: Iterable<Cents>): Cents {
  let total = 0n;
  for (const v of values) total += v;
  return total;
}
