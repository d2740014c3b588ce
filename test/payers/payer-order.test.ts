// Payer order, Medicare Secondary Payer basics, the subscriber rule and protections (src/payers/payer-order.ts,
// decision 0100), on hand-written claims: each case says which coverage is wrong and why. Pure.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ClaimRecord, type ClaimRecordInput, type Coverage } from '../../src/domain/claim.ts';
import { PayerProfile, type PayerKind, type PayerRulesInput } from '../../src/domain/payer-profile.ts';
import { ageOn, payerOrderProblems } from '../../src/payers/payer-order.ts';
import { syntheticClaim } from '../claims/support/synthetic.ts';

const acme = JSON.parse(readFileSync(new URL('../../samples/payers/acme.json', import.meta.url), 'utf8')) as Record<string, unknown>;
const profile = (payerId: string, kind: PayerKind, rules: PayerRulesInput = {}): PayerProfile => PayerProfile.parse({ ...acme, payerId, kind, rules });
const P = {
  COMM: profile('COMM', 'commercial'),
  COMM2: profile('COMM2', 'commercial'),
  MCARE: profile('MCARE', 'medicare'),
  MA: profile('MA', 'medicare_advantage'),
  MCAID: profile('MCAID', 'medicaid'),
  MCO: profile('MCO', 'medicaid_managed_care'),
  TRI: profile('TRI', 'tricare'),
  WC: profile('WC', 'workers_compensation'),
  STRICT: profile('STRICT', 'commercial', { patientMustBeSubscriber: true }),
};
type Id = keyof typeof P;

const subscriber = { lastName: 'ROE', firstName: 'ROBIN', birthDate: '1950-01-01', sex: 'F' as const, address: { line1: '1 ELM STREET', city: 'SPRINGFIELD', state: 'OR', postalCode: '97477' } };
const self = (payerId: Id, extra: Partial<Coverage> = {}): ClaimRecordInput['coverages'][number] => ({ payerId, memberId: `M-${payerId}`, relationship: 'self', ...extra });

/** A one-line professional claim with these coverages; the patient born `birthDate`, seen on 2024-02-10. */
function problems(coverages: ClaimRecordInput['coverages'], birthDate = '1950-06-01'): [string, string][] {
  const input = syntheticClaim(0);
  input.patient.birthDate = birthDate;
  input.coverages = coverages;
  input.lines.forEach((l) => (l.serviceDate = '2024-02-10'));
  const rec = ClaimRecord.parse(input);
  return payerOrderProblems(rec, rec.coverages.map((c) => P[c.payerId as Id])).map((p) => [p.field, p.code]);
}

describe('payer order', () => {
  it('rejects Medicaid before any other payer, and takes it last', () => {
    expect(problems([self('MCAID'), self('COMM')])).toEqual([['coverages[0].payerId', 'PAYER_ORDER_MEDICAID_NOT_LAST']]);
    expect(problems([self('MCO'), self('MCARE', { medicareSecondaryPayerType: '12' })])).toEqual([['coverages[0].payerId', 'PAYER_ORDER_MEDICAID_NOT_LAST']]);
    expect(problems([self('COMM'), self('MCAID')])).toEqual([]);
    expect(problems([self('MCARE'), self('MCAID')])).toEqual([]);
    // Two Medicaid kinds: neither is followed by a non-Medicaid payer.
    expect(problems([self('MCAID'), self('MCO')])).toEqual([]);
  });

  it('takes TRICARE after other insurance (Medicare included) and before Medicaid', () => {
    expect(problems([self('TRI'), self('COMM')])).toEqual([['coverages[0].payerId', 'PAYER_ORDER_TRICARE']]);
    expect(problems([self('COMM'), self('TRI'), self('MCAID')])).toEqual([]);
    // TRICARE For Life: after Medicare.
    expect(problems([self('MCARE'), self('TRI')])).toEqual([]);
    expect(problems([self('TRI'), self('MCAID')])).toEqual([]);
  });
});

describe('Medicare Secondary Payer basics', () => {
  it('ages on the first date of service, in whole years', () => {
    expect(ageOn('1959-02-11', '2024-02-10')).toBe(64);
    expect(ageOn('1959-02-10', '2024-02-10')).toBe(65);
    expect(ageOn('1960-02-29', '2024-02-28')).toBe(63);
  });

  it('needs the MSP type when Medicare is billed after another payer (SBR05), and only then', () => {
    expect(problems([self('COMM'), self('MCARE')])).toEqual([['coverages[1].medicareSecondaryPayerType', 'MEDICARE_SECONDARY_TYPE_MISSING']]);
    expect(problems([self('COMM'), self('MCARE', { medicareSecondaryPayerType: '12' })])).toEqual([]);
    // Medicare Advantage carries no SBR05: its place is not checked for a type.
    expect(problems([self('COMM'), self('MA')])).toEqual([]);
    // On a payer that is not Medicare, the type is wrong.
    expect(problems([self('COMM', { medicareSecondaryPayerType: '12' })])).toEqual([['coverages[0].medicareSecondaryPayerType', 'MEDICARE_SECONDARY_TYPE_INVALID']]);
    // On Medicare listed first, the export contradicts itself: Medicare is secondary, yet billed first.
    expect(problems([self('MCARE', { medicareSecondaryPayerType: '12' })])).toEqual([['coverages[0].medicareSecondaryPayerType', 'MEDICARE_SECONDARY_PAYER']]);
  });

  it('checks the MSP type against the facts given: age and the plan before Medicare', () => {
    const ghp = (employerSize?: number) => self('COMM', { planType: 'group_current_employment', ...(employerSize !== undefined && { employerSize }) });
    // 73 on 2024-02-10: working aged (12) fits a group plan of 20+ employees, not 43 (disabled, under 65).
    expect(problems([ghp(50), self('MCARE', { medicareSecondaryPayerType: '12' })])).toEqual([]);
    expect(problems([ghp(50), self('MCARE', { medicareSecondaryPayerType: '43' })])).toEqual([['coverages[1].medicareSecondaryPayerType', 'MEDICARE_SECONDARY_TYPE_INVALID']]);
    // 12 with an employer of 15: the group plan of a small employer does not pay first for the aged.
    expect(problems([ghp(15), self('MCARE', { medicareSecondaryPayerType: '12' })])).toEqual([['coverages[1].medicareSecondaryPayerType', 'MEDICARE_SECONDARY_TYPE_INVALID']]);
    // 54 on 2024-02-10: disabled (43) with 100+ employees fits; 12 (aged) does not.
    expect(problems([ghp(150), self('MCARE', { medicareSecondaryPayerType: '43' })], '1969-04-04')).toEqual([]);
    expect(problems([ghp(150), self('MCARE', { medicareSecondaryPayerType: '12' })], '1969-04-04')).toEqual([['coverages[1].medicareSecondaryPayerType', 'MEDICARE_SECONDARY_TYPE_INVALID']]);
    // 15 (workers' compensation) after a group plan: no coverage before Medicare is workers' compensation.
    expect(problems([ghp(50), self('MCARE', { medicareSecondaryPayerType: '15' })])).toEqual([['coverages[1].medicareSecondaryPayerType', 'MEDICARE_SECONDARY_TYPE_INVALID']]);
    expect(problems([self('WC', { planType: 'workers_compensation' }), self('MCARE', { medicareSecondaryPayerType: '15' })])).toEqual([]);
    // No plan type given: nothing to compare with (42, veterans, has no plan type here at all).
    expect(problems([self('COMM'), self('MCARE', { medicareSecondaryPayerType: '15' })])).toEqual([]);
    expect(problems([ghp(50), self('MCARE', { medicareSecondaryPayerType: '42' })])).toEqual([]);
  });

  it('rejects Medicare billed first where the facts say another plan pays first', () => {
    const first = [['coverages[0].payerId', 'MEDICARE_SECONDARY_PAYER']];
    expect(problems([self('MCARE'), self('WC', { planType: 'workers_compensation' })])).toEqual(first);
    expect(problems([self('MCARE'), self('COMM', { planType: 'liability' })])).toEqual(first);
    expect(problems([self('MA'), self('COMM', { planType: 'no_fault' })])).toEqual(first);
    // Aged 73: a group plan of 20+ pays first; of 19, Medicare does.
    expect(problems([self('MCARE'), self('COMM', { planType: 'group_current_employment', employerSize: 20 })])).toEqual(first);
    expect(problems([self('MCARE'), self('COMM', { planType: 'group_current_employment', employerSize: 19 })])).toEqual([]);
    // Aged 54 (disabled): 100+ employees for the group plan to pay first.
    expect(problems([self('MCARE'), self('COMM', { planType: 'group_current_employment', employerSize: 99 })], '1969-04-04')).toEqual([]);
    expect(problems([self('MCARE'), self('COMM', { planType: 'group_current_employment', employerSize: 100 })], '1969-04-04')).toEqual(first);
    // A retiree plan, or a group plan of unknown size: Medicare first stands.
    expect(problems([self('MCARE'), self('COMM', { planType: 'group_retiree' })])).toEqual([]);
    expect(problems([self('MCARE'), self('COMM', { planType: 'group_current_employment' })])).toEqual([]);
  });
});

describe('who must be the subscriber, and who may be protected', () => {
  const dependent = (payerId: Id, extra: Partial<Coverage> = {}): ClaimRecordInput['coverages'][number] =>
    ({ payerId, memberId: `M-${payerId}`, relationship: 'child', subscriber, ...extra });

  it('rejects a dependent loop where the payer\'s rules want the patient as the subscriber', () => {
    expect(problems([dependent('MCARE')])).toEqual([['coverages[0].relationship', 'PATIENT_NOT_SUBSCRIBER']]);
    expect(problems([self('COMM'), dependent('MCAID')])).toEqual([['coverages[1].relationship', 'PATIENT_NOT_SUBSCRIBER']]);
    // A dependent with an own member id is reported as the subscriber; commercial and Medicare Advantage plans have dependents.
    expect(problems([dependent('MCAID', { patientMemberId: 'D-1' })])).toEqual([]);
    expect(problems([dependent('COMM')])).toEqual([]);
    expect(problems([dependent('MA')])).toEqual([]);
    // The profile's rule decides, not the kind alone.
    expect(problems([dependent('STRICT')])).toEqual([['coverages[0].relationship', 'PATIENT_NOT_SUBSCRIBER']]);
  });

  it('says the payer kind requires the patient\'s own member id', () => {
    const input = syntheticClaim(0);
    input.coverages = [dependent('MCARE')];
    const rec = ClaimRecord.parse(input);
    const [p] = payerOrderProblems(rec, [P.MCARE]);
    expect(p?.message).toBe("payer MCARE (medicare) requires the patient's own member id: the patient must be the subscriber (relationship self) or have their own member id (patientMemberId), never a dependent under someone else's");
    expect([p?.expected, p?.found]).toEqual(['relationship self, or patientMemberId', 'relationship child without patientMemberId']);
  });

  it('takes a QMB or dual-eligible flag on a Medicare or Medicare Advantage coverage only', () => {
    expect(problems([self('MCARE', { protection: 'qmb' }), self('MCAID')])).toEqual([]);
    expect(problems([self('MA', { protection: 'dual' })])).toEqual([]);
    expect(problems([self('COMM'), self('MCAID', { protection: 'dual' })])).toEqual([['coverages[1].protection', 'COVERAGE_PROTECTION_NOT_MEDICARE']]);
  });
});
