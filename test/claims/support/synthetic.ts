// Synthetic claims for tests, samples and the benchmark: invented people, valid NPIs, deterministic from the
// claim number (no randomness, so a run can be repeated). Not patient data.
import type { ClaimRecordInput } from '../../../src/domain/claim.ts';
import { npiCheckDigit } from '../../../src/domain/npi.ts';

export const npi = (base9: string): string => base9 + npiCheckDigit(base9);

export const BILLING = {
  npi: npi('123456789'),
  taxId: '841234567',
  taxonomy: '207Q00000X',
  organizationName: 'NORTHWIND FAMILY MEDICINE',
  address: { line1: '100 HARBOR WAY', city: 'SPRINGFIELD', state: 'OR', postalCode: '974771234' },
  contactName: 'BILLING OFFICE',
  phone: '5555550111',
};

export const HOSPITAL = {
  npi: npi('198765432'),
  taxId: '931234567',
  taxonomy: '282N00000X',
  organizationName: 'NORTHWIND COMMUNITY HOSPITAL',
  address: { line1: '2 HOSPITAL DRIVE', city: 'SPRINGFIELD', state: 'OR', postalCode: '974779876' },
};

const LAST = ['TESTER', 'SAMPLE', 'EXAMPLE', 'MOCKSON', 'FICTIVE', 'DUMMY', 'PLACEHOLD', 'INVENTA'];
const FIRST = ['ALEX', 'BLAIR', 'CASEY', 'DREW', 'EMERY', 'FINLEY', 'GRAY', 'HARPER', 'INDY', 'JORDAN'];
const CODES = ['99213', '99214', '96372', '90834', '99397', 'J1885', '97110', '1036F'];
const DIAGS = ['E119', 'I10', 'J0190', 'M5450', 'Z0000', 'F411', 'R51.9', 'K219'];
const PAYERS = ['ACME', 'BLUE', 'MEDB', 'STMCD'];

const pad = (n: number, w: number): string => String(n).padStart(w, '0');
const date = (dayOffset: number): string => {
  const d = new Date(Date.UTC(2024, 0, 1) + dayOffset * 86_400_000);
  return d.toISOString().slice(0, 10);
};

export interface SyntheticOptions {
  /** Payer ids to cycle through; default four sample payers. */
  payers?: string[];
  /** Every n-th claim is institutional (0: never). */
  institutionalEvery?: number;
  /** Every n-th claim has a secondary coverage (0: never). */
  secondaryEvery?: number;
}

/** Claim number `i` (0-based): a valid professional or institutional claim. */
export function syntheticClaim(i: number, opts: SyntheticOptions = {}): ClaimRecordInput {
  const payers = opts.payers ?? PAYERS;
  const institutional = (opts.institutionalEvery ?? 5) > 0 && i % (opts.institutionalEvery ?? 5) === 4;
  let payerId = payers[i % payers.length]!;
  // Only payers that take institutional claims get them in the default set.
  if (institutional && (payerId === 'MEDB' || payerId === 'STMCD')) payerId = 'ACME';
  const patientNo = Math.floor(i / 2);
  const last = LAST[patientNo % LAST.length]!;
  const first = FIRST[patientNo % FIRST.length]!;
  // A Medicare beneficiary is the subscriber (own id, no dependent loop); a Medicaid dependent has an own member id.
  const dependent = i % 7 === 3 && payerId !== 'MEDB';
  const serviceDate = date(30 + (i % 200));
  const lineCount = 1 + (i % 3);
  let totalCents = 0;
  const lines = Array.from({ length: lineCount }, (_, j) => {
    const code = payerId === 'STMCD' ? ['99213', '99214', '90837'][j % 3]! : CODES[(i + j) % CODES.length]!;
    const chargeCents = 5000 + ((i * 37 + j * 1111) % 20000);
    totalCents += chargeCents;
    return {
      lineControlNumber: `L${pad(i, 8)}-${j + 1}`,
      procedureCode: code,
      modifiers: j === 2 ? ['25'] : [],
      units: '1',
      charge: `${Math.floor(chargeCents / 100)}.${pad(chargeCents % 100, 2)}`,
      serviceDate,
      diagnosisPointers: institutional ? [] : [1 + (j % 2)],
      ...(institutional && { revenueCode: ['0450', '0300', '0250'][j % 3]! }),
    };
  });
  const address = { line1: `${100 + (patientNo % 900)} ELM STREET`, city: 'SPRINGFIELD', state: 'OR', postalCode: '97477' };
  const patient = {
    patientId: `P${pad(patientNo, 8)}`,
    lastName: last,
    firstName: first,
    birthDate: dependent ? '2012-06-15' : date(-20000 + (patientNo % 9000)),
    sex: (patientNo % 2 === 0 ? 'F' : 'M') as 'F' | 'M',
    address,
  };
  const coverages: ClaimRecordInput['coverages'] = [
    dependent
      ? {
          payerId,
          memberId: `M${pad(patientNo, 9)}`,
          relationship: 'child',
          subscriber: { lastName: last, firstName: 'ROBIN', birthDate: '1980-03-03', sex: 'F', address },
          ...(payerId === 'STMCD' && { patientMemberId: `D${pad(patientNo, 9)}` }),
        }
      : { payerId, memberId: `M${pad(patientNo, 9)}`, relationship: 'self', groupNumber: `G${pad(i % 50, 4)}` },
  ];
  const secondaryEvery = opts.secondaryEvery ?? 6;
  // Medicaid pays last: a claim to the sample Medicaid payer has no secondary coverage.
  if (secondaryEvery > 0 && i % secondaryEvery === 5 && payerId !== 'STMCD') {
    const secondary = payers.find((p) => p !== payerId && p !== 'MEDB') ?? payers.find((p) => p !== payerId);
    if (secondary) coverages.push({ payerId: secondary, memberId: `S${pad(patientNo, 9)}`, relationship: 'self' });
  }
  return {
    claimId: `C${pad(i, 8)}`,
    claimType: institutional ? 'institutional' : 'professional',
    patientControlNumber: `PCN${pad(i, 9)}`,
    frequency: '1',
    placeOfService: institutional ? '13' : '11',
    totalCharge: `${Math.floor(totalCents / 100)}.${pad(totalCents % 100, 2)}`,
    billingProvider: structuredClone(institutional ? HOSPITAL : BILLING),
    renderingProvider: { npi: npi('111222333'), lastName: 'WELBY', firstName: 'MARCUS', taxonomy: '207Q00000X' },
    patient,
    guarantor: { accountNumber: `A${pad(patientNo, 8)}`, lastName: last, firstName: dependent ? 'ROBIN' : first, address },
    coverages,
    diagnoses: [DIAGS[i % DIAGS.length]!, DIAGS[(i + 3) % DIAGS.length]!],
    lines,
    ...(institutional && {
      institutional: { statementFrom: serviceDate, statementTo: serviceDate, admissionType: '3', admissionSource: '1', patientStatus: '01' },
    }),
  };
}
