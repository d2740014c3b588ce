// JSON text for everything the product writes: CLI --json output, run records, reports, quarantine
// reports. Money is counted in bigint cents, which JSON.stringify refuses; the convention (README,
// "Output") is integer cents as a JSON number in a field named ...Cents. A bigint past 2^53 would reach
// readers rounded, so it is refused instead: a failed write is visible, a lost cent is not. Pure.
import { ClaimsError } from './errors.ts';

const MAX = BigInt(Number.MAX_SAFE_INTEGER);
const MIN = BigInt(Number.MIN_SAFE_INTEGER);

/** Cents as a JSON number, exact; throws AMOUNT_TOO_LARGE beyond Number.MAX_SAFE_INTEGER either way. */
export function centsNumber(cents: bigint, field?: string): number {
  if (cents > MAX || cents < MIN) {
    throw new ClaimsError({
      code: 'AMOUNT_TOO_LARGE',
      message: `${field ? `${field}: ` : ''}${cents} cents does not fit a JSON number exactly`,
      ...(field !== undefined && { location: { field } }),
      expected: `at most ${Number.MAX_SAFE_INTEGER} cents either side of zero`,
    });
  }
  return Number(cents);
}

export function jsonText(value: unknown, indent?: number): string {
  return JSON.stringify(value, (key, v: unknown) => (typeof v === 'bigint' ? centsNumber(v, key || undefined) : v), indent);
}
