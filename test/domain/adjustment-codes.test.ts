// The CARC table (issue 19): where each group and reason code's money belongs, and the safe default for a
// code the table does not know. Cases written by hand from DOMAIN.md's revenue-cycle section 3.
import { describe, expect, it } from 'vitest';
import { CARC, classifyAdjustment } from '../../src/domain/adjustment-codes.ts';

const cls = (group: string, carc: string, remarks: string[] = []) => {
  const c = classifyAdjustment(group, carc, remarks);
  return [c.class, c.action ?? '-', c.known, c.newClaim ?? false];
};

describe('adjustment classification', () => {
  it('contract discounts and sequestration are written off, each to its own kind', () => {
    expect(cls('CO', '45')).toEqual(['contractual', '-', true, false]);
    expect(cls('CO', '253')).toEqual(['sequestration', '-', true, false]);
    expect(cls('CO', '59')).toEqual(['contractual', '-', true, false]);
  });

  it('denials carry their next action; MA130 turns a correction into a new claim', () => {
    expect(cls('CO', '16')).toEqual(['denial', 'correct_and_resubmit', true, false]);
    expect(cls('CO', '16', ['MA130'])).toEqual(['denial', 'correct_and_resubmit', true, true]);
    expect(cls('CO', '50')).toEqual(['denial', 'appeal', true, false]);
    expect(cls('CO', '97')).toEqual(['denial', 'appeal', true, false]);
    expect(cls('CO', '29')).toEqual(['denial', 'write_off', true, false]);
    expect(cls('CO', '27')).toEqual(['denial', 'find_coverage', true, false]);
    // A remark does not make an appeal a new claim.
    expect(cls('CO', '50', ['MA130'])).toEqual(['denial', 'appeal', true, false]);
  });

  it('an exact duplicate closes the duplicate, under CO or OA', () => {
    expect(cls('CO', '18')).toEqual(['duplicate', '-', true, false]);
    expect(cls('OA', '18')).toEqual(['duplicate', '-', true, false]);
  });

  it('PR is the patient\'s whatever the code; OA restates a prior payer or is pending; PI is a reduction unless a denial code', () => {
    expect(cls('PR', '1')).toEqual(['patient_responsibility', '-', true, false]);
    expect(cls('PR', '96')).toEqual(['patient_responsibility', '-', true, false]);
    expect(cls('PR', '999')).toEqual(['patient_responsibility', '-', false, false]);
    expect(cls('OA', '23')).toEqual(['prior_payer', '-', true, false]);
    expect(cls('OA', '209')).toEqual(['prior_payer', '-', true, false]);
    expect(cls('OA', '133')).toEqual(['pending', '-', true, false]);
    expect(cls('OA', '94')).toEqual(['other', '-', true, false]);
    expect(cls('PI', '45')).toEqual(['payer_reduction', '-', true, false]);
    expect(cls('PI', '50')).toEqual(['denial', 'appeal', true, false]);
  });

  it('an unknown code under CO is an unclassified denial to review, never a write-off', () => {
    expect(cls('CO', '999')).toEqual(['denial', 'review', false, false]);
    expect(classifyAdjustment('CO', '999').text).toContain('not in table');
    // A patient-type code under CO is still the provider's.
    expect(cls('CO', '2')).toEqual(['denial', 'review', true, false]);
  });

  it('every entry has a text and every denial an action', () => {
    for (const [code, e] of Object.entries(CARC)) {
      expect([code, e.text.length > 0]).toEqual([code, true]);
      expect([code, e.class !== 'denial' || e.action !== undefined]).toEqual([code, true]);
    }
  });
});
