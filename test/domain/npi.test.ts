import { describe, expect, it } from 'vitest';
import { isValidNpi, npiCheckDigit } from '../../src/domain/npi.ts';

describe('NPI check digit (Luhn over 80840 + first nine digits)', () => {
  it('accepts the CMS example 1234567893 and computes its check digit', () => {
    expect(isValidNpi('1234567893')).toBe(true);
    expect(npiCheckDigit('123456789')).toBe('3');
  });

  it('computes a check digit worked out by hand', () => {
    // 80840198765432: doubling every second digit from the right gives 4+3+8+5+3+7+7+9+2+0+8+8+0+8 = 72 -> 8
    expect(npiCheckDigit('198765432')).toBe('8');
    expect(isValidNpi('1987654328')).toBe(true);
    expect(isValidNpi('1987654329')).toBe(false);
  });

  it('rejects a wrong check digit, wrong length and non-digits', () => {
    expect(isValidNpi('1234567890')).toBe(false);
    expect(isValidNpi('123456789')).toBe(false);
    expect(isValidNpi('12345678933')).toBe(false);
    expect(isValidNpi('123456789A')).toBe(false);
  });

  it('has exactly one valid check digit per base', () => {
    for (const base of ['000000000', '999999999', '555123456']) {
      const valid = [...'0123456789'].filter((d) => isValidNpi(base + d));
      expect(valid).toEqual([npiCheckDigit(base)]);
    }
  });
});
