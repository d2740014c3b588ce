import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { mapLineCodes, multiplyDecimal } from '../../src/payers/crosswalk.ts';
import { parsePayerProfile } from '../../src/runtime/payer-profiles.ts';
import { Crosswalk } from '../../src/domain/payer-profile.ts';
import { ClaimsError } from '../../src/common/errors.ts';

const stmcd = (() => {
  const parsed = parsePayerProfile(JSON.parse(readFileSync(new URL('../../samples/payers/state-medicaid.json', import.meta.url), 'utf8')));
  if (!parsed.ok) throw new Error(parsed.problems.join('\n'));
  return parsed.profile.crosswalk;
})();

const line = (procedureCode: string, serviceDate: string, modifiers: string[] = [], units = '1') => ({ procedureCode, modifiers, units, serviceDate });

describe('payer crosswalk', () => {
  it('replaces the code and multiplies units (90837 -> H0004 x4) and appends U1 from 2024-01-01', () => {
    expect(mapLineCodes(stmcd, line('90837', '2024-02-10', [], '2'))).toEqual({ procedureCode: 'H0004', modifiers: ['U1'], units: '8', entryIndex: 4, ruleIndexes: [0] });
    // The U1 rule starts on 2024-01-01: the day before, no modifier.
    expect(mapLineCodes(stmcd, line('90837', '2023-12-31'))).toEqual({ procedureCode: 'H0004', modifiers: [], units: '4', entryIndex: 4, ruleIndexes: [] });
  });

  it('switches entries at the effective-date boundary (inclusive at both ends)', () => {
    expect(mapLineCodes(stmcd, line('90834', '2024-03-31')).modifiers).toEqual(['U1']);
    expect(mapLineCodes(stmcd, line('90834', '2024-03-31')).entryIndex).toBe(2);
    expect(mapLineCodes(stmcd, line('90834', '2024-04-01'))).toEqual({ procedureCode: 'H0004', modifiers: ['HO', 'U1'], units: '3', entryIndex: 3, ruleIndexes: [0] });
  });

  it('prefers the entry with more modifiersIn and swaps them for modifiersOut', () => {
    expect(mapLineCodes(stmcd, line('96372', '2024-05-01', ['59', '25']))).toEqual({ procedureCode: '96372', modifiers: ['25', 'XU'], units: '1', entryIndex: 5, ruleIndexes: [] });
    expect(mapLineCodes(stmcd, line('96372', '2024-05-01', ['25'])).entryIndex).toBe(6);
  });

  it('rejects a code without an entry in force for a strict payer, naming code and date', () => {
    let err: unknown;
    try {
      mapLineCodes(stmcd, line('97110', '2024-05-17'));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ClaimsError);
    expect((err as ClaimsError).code).toBe('CROSSWALK_NO_ENTRY');
    expect((err as ClaimsError).found).toBe('97110 on 2024-05-17');
    // 99213's entry starts 2020-01-01: a 2019 service has none.
    expect(() => mapLineCodes(stmcd, line('99213', '2019-12-31'))).toThrow(/no entry for 99213 on 2019-12-31/);
  });

  it('passes unknown codes through for a lenient payer', () => {
    const lenient = Crosswalk.parse({ version: 'v1', entries: [{ code: '99397', from: '2024-01-01', toCode: 'G0439' }] });
    expect(mapLineCodes(lenient, line('99213', '2024-05-01', ['25']))).toEqual({ procedureCode: '99213', modifiers: ['25'], units: '1', entryIndex: null, ruleIndexes: [] });
    expect(mapLineCodes(lenient, line('99397', '2024-05-01')).procedureCode).toBe('G0439');
    expect(mapLineCodes(lenient, line('99397', '2023-12-31')).procedureCode).toBe('99397');
  });

  it('refuses a fifth modifier', () => {
    const xw = Crosswalk.parse({ version: 'v1', rules: [{ codePattern: '^99', from: '2020-01-01', appendModifiers: ['U1'] }] });
    expect(() => mapLineCodes(xw, line('99213', '2024-01-01', ['25', '59', 'GT', '95']))).toThrow(/5 modifiers/);
  });

  it('multiplies decimals exactly', () => {
    expect(multiplyDecimal('1.5', '4')).toBe('6');
    expect(multiplyDecimal('0.25', '0.5')).toBe('0.125');
    expect(multiplyDecimal('3', '1')).toBe('3');
    expect(multiplyDecimal('2.1', '3.3')).toBe('6.93');
  });

  it('reports every problem of a bad profile', () => {
    const r = parsePayerProfile({ payerId: 'X', name: 'X', payerIdentifier: 'X1', receiver: {}, submitter: {}, claimTypes: [] });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.problems.some((p) => p.startsWith('receiver.name'))).toBe(true);
      expect(r.problems.some((p) => p.startsWith('submitter.phone'))).toBe(true);
      expect(r.problems.some((p) => p.startsWith('claimTypes'))).toBe(true);
    }
  });
});
