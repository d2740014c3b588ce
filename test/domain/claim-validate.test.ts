import { describe, expect, it } from 'vitest';
import { validateClaim, type Rejection } from '../../src/domain/claim-validate.ts';
import { syntheticClaim, npi } from '../claims/support/synthetic.ts';
import type { ClaimRecordInput } from '../../src/domain/claim.ts';

const TODAY = '2024-09-01';
const problems = (input: unknown): Pick<Rejection, 'field' | 'code' | 'found'>[] => {
  const r = validateClaim(input, 7, TODAY);
  return r.ok ? [] : r.rejections.map(({ field, code, found }) => ({ field, code, found }));
};
const claim = (i: number, change: (c: ClaimRecordInput) => void = () => undefined): ClaimRecordInput => {
  const c = syntheticClaim(i);
  change(c);
  return c;
};

describe('claim validation', () => {
  it('accepts a good claim, with amounts in cents and diagnosis dots removed', () => {
    const input = claim(8, (c) => (c.diagnoses = ['E11.9', 'i10']));
    const r = validateClaim(input, 1, TODAY);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    // claim 8: lines 52.96 + 64.07 + 75.18 (5000 + (8*37 + j*1111) % 20000 cents)
    expect(r.claim.lines.map((l) => l.chargeCents)).toEqual([5296n, 6407n, 7518n]);
    expect(r.claim.totalChargeCents).toBe(19221n);
    expect(r.claim.diagnoses).toEqual(['E119', 'I10']);
    expect(r.claim.firstServiceDate).toBe('2024-02-08');
  });

  it('names the field, the reason and what was found for each problem, all at once', () => {
    const input = claim(8, (c) => {
      c.billingProvider.npi = '1234567890';
      c.totalCharge = '100.00';
      c.lines[1]!.procedureCode = '9921';
      c.lines[1]!.diagnosisPointers = [3];
      c.diagnoses = ['E119', '123'];
    });
    expect(problems(input)).toEqual([
      { field: 'billingProvider.npi', code: 'NPI_CHECK_DIGIT', found: '1234567890' },
      { field: 'diagnoses[1]', code: 'ICD10_INVALID', found: '123' },
      { field: 'lines[1].procedureCode', code: 'PROCEDURE_CODE_INVALID', found: '9921' },
      { field: 'lines[1].diagnosisPointers[0]', code: 'DIAGNOSIS_POINTER_OUT_OF_RANGE', found: '3' },
      { field: 'totalCharge', code: 'CLAIM_TOTAL_MISMATCH', found: '100.00' },
    ]);
  });

  it('rejects shape problems with the zod path as the field', () => {
    expect(problems(claim(0, (c) => (c.diagnoses = [])))).toEqual([{ field: 'diagnoses', code: 'CLAIM_FIELD_INVALID', found: '[]' }]);
    expect(problems(claim(0, (c) => (c.lines[0]!.charge = '10.005')))).toEqual([{ field: 'lines[0].charge', code: 'CLAIM_FIELD_INVALID', found: '10.005' }]);
    expect(problems(claim(0, (c) => (c.lines[0]!.serviceDate = '2024-02-30')))).toEqual([{ field: 'lines[0].serviceDate', code: 'CLAIM_FIELD_INVALID', found: '2024-02-30' }]);
    const noPatient = claim(0) as Partial<ClaimRecordInput>;
    delete noPatient.patient;
    expect(problems(noPatient)).toEqual([{ field: 'patient', code: 'CLAIM_FIELD_INVALID', found: '(missing)' }]);
  });

  it('needs the payer claim number for a replacement or void', () => {
    expect(problems(claim(0, (c) => (c.frequency = '7')))).toEqual([{ field: 'payerClaimNumber', code: 'PAYER_CLAIM_NUMBER_MISSING', found: '(missing)' }]);
    expect(problems(claim(0, (c) => ((c.frequency = '8'), (c.payerClaimNumber = 'X123'))))).toEqual([]);
  });

  it('checks dates against today and the birth date', () => {
    expect(problems(claim(0, (c) => (c.lines[0]!.serviceDate = '2024-09-02')))).toEqual([{ field: 'lines[0].serviceDate', code: 'SERVICE_DATE_FUTURE', found: '2024-09-02' }]);
    expect(problems(claim(0, (c) => (c.patient.birthDate = '2024-06-01')))).toEqual([{ field: 'lines[0].serviceDate', code: 'SERVICE_DATE_BEFORE_BIRTH', found: '2024-01-31' }]);
  });

  it('checks institutional claims: ZIP+4, revenue codes, statement period', () => {
    const inst = claim(4);
    expect(problems(inst)).toEqual([]);
    expect(problems(claim(4, (c) => (c.billingProvider.address.postalCode = '97477')))).toEqual([{ field: 'billingProvider.address.postalCode', code: 'ZIP_NOT_9_DIGITS', found: '97477' }]);
    expect(problems(claim(4, (c) => delete c.lines[0]!.revenueCode))).toEqual([{ field: 'lines[0].revenueCode', code: 'REVENUE_CODE_MISSING', found: '(missing)' }]);
    expect(problems(claim(4, (c) => (c.lines[0]!.serviceDate = '2024-01-01')))).toEqual([{ field: 'lines[0].serviceDate', code: 'SERVICE_DATE_OUTSIDE_STATEMENT', found: '2024-01-01' }]);
  });

  it('wants the billing ZIP+4 on professional claims too (5010 2010AA N403 in both guides)', () => {
    expect(problems(claim(0))).toEqual([]);
    expect(problems(claim(0, (c) => (c.billingProvider.address.postalCode = '97477')))).toEqual([{ field: 'billingProvider.address.postalCode', code: 'ZIP_NOT_9_DIGITS', found: '97477' }]);
  });

  it('wants the admission date on inpatient bill types (11, 12, 18, 21, 22, 41), not on outpatient ones', () => {
    // claim 4 is facility type 13 (hospital outpatient) without an admission date.
    for (const facility of ['11', '12', '18', '21', '22', '41']) {
      expect(problems(claim(4, (c) => (c.placeOfService = facility)))).toEqual([{ field: 'institutional.admissionDate', code: 'ADMISSION_DATE_MISSING', found: '(missing)' }]);
    }
    expect(problems(claim(4, (c) => { c.placeOfService = '11'; c.institutional!.admissionDate = '2024-02-04'; }))).toEqual([]);
    expect(problems(claim(4, (c) => (c.placeOfService = '83')))).toEqual([]);
  });

  it('wants one present-on-admission indicator per diagnosis, on institutional claims only', () => {
    const inst = (poa: string[]) => claim(4, (c) => {
      c.diagnoses = ['E11.9', 'I10'];
      (c.institutional as Record<string, unknown>).presentOnAdmission = poa;
    });
    expect(problems(inst(['Y', 'N']))).toEqual([]);
    expect(problems(inst(['Y']))).toEqual([{ field: 'institutional.presentOnAdmission', code: 'POA_COUNT', found: '1' }]);
    const span = claim(4, (c) => ((c.institutional as Record<string, unknown>).occurrenceSpans = [{ code: '74', from: '2024-03-02', to: '2024-03-01' }]));
    expect(problems(span)).toEqual([{ field: 'institutional.occurrenceSpans[0].to', code: 'OCCURRENCE_SPAN_REVERSED', found: '2024-03-01' }]);
  });

  it('wants a service facility to be a street address with ZIP+4 and a valid NPI', () => {
    const at = (address: Record<string, string>, facilityNpi?: string) => claim(2, (c) => {
      (c as Record<string, unknown>).serviceFacility = { name: 'CLINIC ANNEX', address, ...(facilityNpi && { npi: facilityNpi }) };
    });
    expect(problems(at({ line1: '5 MAIN ST', city: 'SALEM', state: 'OR', postalCode: '973010001' }, npi('123456789')))).toEqual([]);
    expect(problems(at({ line1: 'PO BOX 9', city: 'SALEM', state: 'OR', postalCode: '97301' }, '1234567890')).map((p) => p.code).sort())
      .toEqual(['NPI_CHECK_DIGIT', 'SERVICE_FACILITY_PO_BOX', 'ZIP_NOT_9_DIGITS']);
  });

  it('checks coverages: subscriber for a dependent, no duplicate payer', () => {
    expect(problems(claim(3, (c) => delete c.coverages[0]!.subscriber))).toEqual([{ field: 'coverages[0].subscriber', code: 'SUBSCRIBER_MISSING', found: '(missing)' }]);
    expect(problems(claim(0, (c) => c.coverages.push({ ...c.coverages[0]! })))).toEqual([{ field: 'coverages[1].payerId', code: 'COVERAGE_DUPLICATE_PAYER', found: 'ACME' }]);
    // An employer size is a fact of a group plan from current employment (the MSP thresholds, decision 0100).
    expect(problems(claim(0, (c) => Object.assign(c.coverages[0]!, { planType: 'group_current_employment', employerSize: 20 })))).toEqual([]);
    expect(problems(claim(0, (c) => Object.assign(c.coverages[0]!, { planType: 'group_retiree', employerSize: 20 })))).toEqual([{ field: 'coverages[0].employerSize', code: 'COVERAGE_EMPLOYER_SIZE_INVALID', found: 'group_retiree' }]);
    expect(problems(claim(0, (c) => Object.assign(c.coverages[0]!, { employerSize: 20 })))).toEqual([{ field: 'coverages[0].employerSize', code: 'COVERAGE_EMPLOYER_SIZE_INVALID', found: 'no planType' }]);
  });

  it('refuses a PO box as the billing address and a bad rendering NPI', () => {
    expect(problems(claim(0, (c) => (c.billingProvider.address.line1 = 'PO BOX 12')))).toEqual([{ field: 'billingProvider.address.line1', code: 'BILLING_PROVIDER_PO_BOX', found: 'PO BOX 12' }]);
    expect(problems(claim(0, (c) => (c.renderingProvider = { npi: npi('111222333').slice(0, 9) + '0', lastName: 'X' })))).toEqual([
      { field: 'renderingProvider.npi', code: 'NPI_CHECK_DIGIT', found: '1112223330' },
    ]);
  });
});
