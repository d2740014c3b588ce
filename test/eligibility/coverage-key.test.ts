// The key that joins a claim's patient to a 271 answer about a dependent: payer, subscriber id, name and
// birth date. The 270 carried the name in its X12 spelling (Nguyễn as Nguyen), so the payer's 271 answers
// with that spelling, in whatever case; both sides of the key must agree or the coverage is never found.
import { describe, expect, it } from 'vitest';
import { coverageKey } from '../../src/domain/eligibility.ts';
import { coverageKeyFor } from '../../src/eligibility/check.ts';

const answer = (lastName: string, firstName: string) => coverageKey({
  payer: { lastName: 'ACME', id: 'ACME1' }, subscriber: { lastName: 'SUB', id: 'M100' }, subject: 'dependent',
  person: { lastName, firstName }, birthDate: '2015-06-01',
} as Parameters<typeof coverageKey>[0]);

const ours = (lastName: string, firstName: string) => coverageKeyFor({
  payerId: 'ACME1', memberId: 'M100', relationship: 'child', patientMemberId: null,
  patient: { lastName, firstName, birthDate: '2015-06-01' },
});

describe('coverage keys for a dependent', () => {
  it('a patient named beyond ASCII matches the 271 that answers with the X12 spelling', () => {
    expect(ours('Nguyễn', 'Łukasz')).toBe(answer('NGUYEN', 'LUKASZ'));
    expect(ours('Nguyễn', 'Łukasz')).toBe(answer('Nguyen', 'Lukasz'));
  });

  it('an ASCII name keys as before, in capitals; another name or birth date does not match', () => {
    expect(ours('Smith', 'Ann')).toBe('ACME1|M100|D|SMITH|ANN|2015-06-01');
    expect(ours('Smith', 'Ann')).not.toBe(answer('SMYTH', 'ANN'));
  });
});
