// NPI check digit: the 10th digit is a Luhn check digit over the card-issuer prefix 80840 followed by the
// first nine digits (CMS, "NPI check digit", ISO 7812).

/** NPIs already checked: a batch has few providers and every claim asks about them. Bounded. */
const checked = new Map<string, boolean>();
const CHECKED_MAX = 10_000;

/** True when `npi` is 10 digits whose last digit is the Luhn check digit of 80840 + the first nine. */
export function isValidNpi(npi: string): boolean {
  let valid = checked.get(npi);
  if (valid === undefined) {
    valid = /^\d{10}$/.test(npi) && luhnValid('80840' + npi);
    if (checked.size >= CHECKED_MAX) checked.clear();
    checked.set(npi, valid);
  }
  return valid;
}

/** The check digit a 9-digit NPI base needs (for generating synthetic NPIs). */
export function npiCheckDigit(base9: string): string {
  if (!/^\d{9}$/.test(base9)) throw new Error(`NPI base must be 9 digits: ${base9}`);
  for (let d = 0; d <= 9; d++) if (luhnValid(`80840${base9}${d}`)) return String(d);
  throw new Error('unreachable: one Luhn digit always fits');
}

function luhnValid(digits: string): boolean {
  let sum = 0;
  // From the right: the check digit as is, every second digit before it doubled (minus 9 past 9).
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}
