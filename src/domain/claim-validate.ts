// Claim validation: turns one raw export record into a ValidClaim (amounts in cents, codes normalised) or the
// complete list of what is wrong with it, each problem with its field, what was found and what was expected.
// Pure; the clock's "today" is passed in so that reruns validate the same way.
import { ClaimRecord, type ClaimRecordInput } from './claim.ts';
import { parseCents, type Cents } from '../common/money.ts';
import { normalizeIcd10, procedureCodeKind, isModifier } from './claim-codes.ts';
import { isValidNpi } from './npi.ts';
import { parseClaimRecordFast } from './claim-fast-record.ts';
import type { ErrorCode } from '../common/error-codes.ts';
import { describeUnstorable, inputExcerpt, unstorableAt } from '../common/input-text.ts';

/** One reason a claim is not sent. Written to the rejection report as one row. */
export interface Rejection {
  /** 'rejected' (the default: fix and export again) or 'held' (kept back on coverage; a later run re-checks it). */
  outcome?: 'rejected' | 'held';
  /** The export file (set by the submit service; the report writes its name). */
  file?: string;
  /** The export's claimId, when it could be read. */
  claimId: string;
  patientControlNumber: string;
  /** 1-based record number in the export (line number for NDJSON). */
  record: number;
  /** Dotted path in the record, e.g. `lines[1].procedureCode`; empty for the record as a whole. */
  field: string;
  code: ErrorCode;
  message: string;
  expected: string;
  found: string;
}

export interface ValidLine {
  lineControlNumber: string;
  procedureCode: string;
  modifiers: string[];
  units: string;
  chargeCents: Cents;
  serviceDate: string;
  diagnosisPointers: number[];
  revenueCode: string | undefined;
}

/** A claim that passed validation: the record with amounts in cents and diagnosis codes without dots. */
export interface ValidClaim {
  record: ClaimRecord;
  /** True when every object of `record` has its keys in sorted order: JSON.stringify is then its canonical JSON. */
  sortedKeys?: boolean;
  totalChargeCents: Cents;
  diagnoses: string[];
  lines: ValidLine[];
  /** Earliest and latest date of service over the lines. */
  firstServiceDate: string;
  lastServiceDate: string;
}

export type ValidationResult = { ok: true; claim: ValidClaim } | { ok: false; rejections: Rejection[] };

export const LIMITS = {
  /** HI: principal plus 11 others (837P); 837I allows principal plus 24 others in two HI segments. */
  diagnosesMaxProfessional: 12,
  diagnosesMaxInstitutional: 25,
  linesMaxProfessional: 50,
  linesMaxInstitutional: 999,
  pointersMax: 4,
} as const;

/**
 * Facility types (first two digits of the bill type) of inpatient claims, where the 837I requires the
 * admission date: hospital inpatient (11, 12), swing bed (18), skilled nursing inpatient (21, 22) and
 * religious non-medical inpatient (41).
 */
const INPATIENT_FACILITY_TYPES: ReadonlySet<string> = new Set(['11', '12', '18', '21', '22', '41']);

const PO_BOX = /\b(P\.?\s*O\.?\s*BOX|POST\s+OFFICE\s+BOX|POBOX)\b/i;

const pathText = (path: readonly PropertyKey[]): string =>
  path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`)).join('');

function pick(path: readonly PropertyKey[], input: unknown): unknown {
  let v: unknown = input;
  for (const p of path) v = v !== null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[p] : undefined;
  return v;
}

const show = (v: unknown): string => (v === undefined ? '(missing)' : typeof v === 'string' ? v : JSON.stringify(v) ?? String(v));

/** Adds one rejection row for the claim being validated. */
type Reject = (field: string, code: ErrorCode, message: string, expected: string, found: string) => void;

type ClaimLineRecord = ClaimRecord['lines'][number];

/** Validate one record. `today` (YYYY-MM-DD) bounds dates of service. */
export function validateClaim(input: unknown, record: number, today: string): ValidationResult {
  const raw = (input ?? {}) as Partial<ClaimRecordInput>;
  // Every row repeats the claim's ids: quoted once here, so a huge value is not copied into each row.
  const claimId = typeof raw.claimId === 'string' ? inputExcerpt(raw.claimId) : '';
  const pcn = typeof raw.patientControlNumber === 'string' ? inputExcerpt(raw.patientControlNumber) : '';
  const rejections: Rejection[] = [];
  const reject: Reject = (field, code, message, expected, found) => {
    rejections.push({ claimId, patientControlNumber: pcn, record, field, code, message, expected, found: inputExcerpt(found) });
  };

  // The common valid record takes the hand-written path; anything else goes to zod for its precise errors.
  let claim = parseClaimRecordFast(input);
  const sortedKeys = claim !== null;
  if (claim === null) {
    const parsed = ClaimRecord.safeParse(input);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const found = pick(issue.path, input);
        reject(pathText(issue.path), 'CLAIM_FIELD_INVALID', issue.message, expectedOf(issue), show(found));
      }
      return { ok: false, rejections };
    }
    claim = parsed.data;
  }
  const professional = claim.claimType === 'professional';
  // claimId is the one free text the schema lets through, and the claim is stored (jsonb) with it.
  const badAt = unstorableAt(claim.claimId);
  if (badAt !== -1) {
    reject('claimId', 'CLAIM_FIELD_CONTROL_CHARACTER', `claimId holds ${describeUnstorable(claim.claimId, badAt)} at character ${badAt + 1}: it cannot be stored`, 'text without NUL or broken characters', claim.claimId);
  }

  // The checks run in the order the report lists a claim's problems.
  checkProviders(claim, reject);
  checkServiceFacility(claim, reject);
  if (claim.frequency !== '1' && !claim.payerClaimNumber) {
    reject('payerClaimNumber', 'PAYER_CLAIM_NUMBER_MISSING', `frequency ${claim.frequency} needs the payer's claim number (REF*F8)`, "the payer's claim number from the 835 (CLP07)", '(missing)');
  }
  checkCoverages(claim, reject);
  const diagnoses = checkDiagnoses(claim, professional, reject);
  checkInstitutional(claim, professional, reject);
  const lines = checkLines(claim, professional, today, reject);

  const totalChargeCents = parseCents(claim.totalCharge);
  let linesCents = 0n;
  let firstServiceDate = lines[0]?.serviceDate ?? '';
  let lastServiceDate = firstServiceDate;
  for (const l of lines) {
    linesCents += l.chargeCents;
    if (l.serviceDate < firstServiceDate) firstServiceDate = l.serviceDate;
    if (l.serviceDate > lastServiceDate) lastServiceDate = l.serviceDate;
  }
  if (totalChargeCents !== linesCents) {
    reject('totalCharge', 'CLAIM_TOTAL_MISMATCH', 'claim total is not the sum of the line charges', `${formatPlain(linesCents)} (the sum of the lines)`, claim.totalCharge);
  }
  if (totalChargeCents === 0n && claim.frequency !== '8') reject('totalCharge', 'CLAIM_TOTAL_ZERO', 'a claim with no charge', 'a positive total charge', claim.totalCharge);

  if (rejections.length > 0) return { ok: false, rejections };
  return { ok: true, claim: { record: claim, sortedKeys, totalChargeCents, diagnoses, lines, firstServiceDate, lastServiceDate } };
}

function checkProviders(claim: ClaimRecord, reject: Reject): void {
  const bp = claim.billingProvider;
  if (!isValidNpi(bp.npi)) reject('billingProvider.npi', 'NPI_CHECK_DIGIT', 'billing provider NPI fails its check digit', 'an NPI whose 10th digit is the Luhn check digit over 80840 + the first nine', bp.npi);
  if (claim.renderingProvider && !isValidNpi(claim.renderingProvider.npi)) {
    reject('renderingProvider.npi', 'NPI_CHECK_DIGIT', 'rendering provider NPI fails its check digit', 'an NPI whose 10th digit is the Luhn check digit over 80840 + the first nine', claim.renderingProvider.npi);
  }
  if (!bp.organizationName && !bp.lastName) reject('billingProvider.organizationName', 'BILLING_PROVIDER_NAME_MISSING', 'billing provider has no name', 'organizationName, or lastName and firstName', '(missing)');
  for (const key of ['line1', 'line2'] as const) {
    const text = bp.address[key];
    if (text && PO_BOX.test(text)) reject(`billingProvider.address.${key}`, 'BILLING_PROVIDER_PO_BOX', 'the billing provider address must be a street address', 'a street address (no PO box)', text);
  }
  // Both 5010 guides (837P and 837I, loop 2010AA N403) require the full nine-digit ZIP for the billing provider.
  if (bp.address.postalCode.length !== 9) {
    reject('billingProvider.address.postalCode', 'ZIP_NOT_9_DIGITS', 'the billing provider address needs its ZIP+4', 'a 9-digit ZIP code', bp.address.postalCode);
  }
}

/** 2310C/2310E: a physical place, ZIP+4, a valid NPI when given. */
function checkServiceFacility(claim: ClaimRecord, reject: Reject): void {
  const sf = claim.serviceFacility;
  if (!sf) return;
  if (sf.npi !== undefined && !isValidNpi(sf.npi)) reject('serviceFacility.npi', 'NPI_CHECK_DIGIT', 'service facility NPI fails its check digit', 'an NPI whose 10th digit is the Luhn check digit over 80840 + the first nine', sf.npi);
  for (const key of ['line1', 'line2'] as const) {
    const text = sf.address[key];
    if (text && PO_BOX.test(text)) reject(`serviceFacility.address.${key}`, 'SERVICE_FACILITY_PO_BOX', 'the service facility is where the service was given: a street address', 'a street address (no PO box)', text);
  }
  if (sf.address.postalCode.length !== 9) reject('serviceFacility.address.postalCode', 'ZIP_NOT_9_DIGITS', 'the service facility address needs its ZIP+4', 'a 9-digit ZIP code', sf.address.postalCode);
}

function checkCoverages(claim: ClaimRecord, reject: Reject): void {
  const seenPayers = new Set<string>();
  claim.coverages.forEach((c, i) => {
    if (seenPayers.has(c.payerId)) reject(`coverages[${i}].payerId`, 'COVERAGE_DUPLICATE_PAYER', 'the same payer appears twice in the coverages', 'each payer once', c.payerId);
    seenPayers.add(c.payerId);
    if (c.relationship !== 'self' && !c.subscriber) reject(`coverages[${i}].subscriber`, 'SUBSCRIBER_MISSING', 'the patient is not the subscriber but no subscriber is given', 'the subscriber (name, birth date, sex, address)', '(missing)');
    if (c.relationship === 'self' && c.patientMemberId) reject(`coverages[${i}].patientMemberId`, 'PATIENT_MEMBER_ID_FOR_SELF', 'patientMemberId is for dependents only', 'no patientMemberId when the patient is the subscriber', c.patientMemberId);
    if (c.employerSize !== undefined && c.planType !== 'group_current_employment') {
      reject(`coverages[${i}].employerSize`, 'COVERAGE_EMPLOYER_SIZE_INVALID', 'an employer size belongs to a group plan from current employment', 'planType group_current_employment', c.planType ?? 'no planType');
    }
  });
}

/** The diagnosis codes without dots (the valid ones), after checking them and their POA indicators. */
function checkDiagnoses(claim: ClaimRecord, professional: boolean, reject: Reject): string[] {
  const diagnoses: string[] = [];
  const diagnosesMax = professional ? LIMITS.diagnosesMaxProfessional : LIMITS.diagnosesMaxInstitutional;
  if (claim.diagnoses.length > diagnosesMax) reject('diagnoses', 'DIAGNOSES_TOO_MANY', `${claim.diagnoses.length} diagnosis codes`, `at most ${diagnosesMax}`, String(claim.diagnoses.length));
  claim.diagnoses.forEach((d, i) => {
    const code = normalizeIcd10(d);
    if (code === null) reject(`diagnoses[${i}]`, 'ICD10_INVALID', 'not an ICD-10-CM code', 'ICD-10-CM: a letter, a digit, then 1 to 5 letters or digits (dot after the 3rd allowed)', d);
    else diagnoses.push(code);
  });
  const poa = claim.institutional?.presentOnAdmission;
  if (poa !== undefined && poa.length !== claim.diagnoses.length) {
    reject('institutional.presentOnAdmission', 'POA_COUNT', 'one present-on-admission indicator is needed per diagnosis, in the same order', `${claim.diagnoses.length} indicators`, `${poa.length}`);
  }
  if (poa !== undefined && professional) reject('institutional.presentOnAdmission', 'POA_PROFESSIONAL', 'present-on-admission indicators are for institutional claims', 'no indicators on a professional claim', poa.join(','));
  if (claim.institutional?.admittingDiagnosis !== undefined && normalizeIcd10(claim.institutional.admittingDiagnosis) === null) {
    reject('institutional.admittingDiagnosis', 'ICD10_INVALID', 'not an ICD-10-CM code', 'ICD-10-CM code', claim.institutional.admittingDiagnosis);
  }
  return diagnoses;
}

function checkInstitutional(claim: ClaimRecord, professional: boolean, reject: Reject): void {
  const inst = claim.institutional;
  if (!professional) {
    if (!inst) reject('institutional', 'INSTITUTIONAL_MISSING', 'an institutional claim needs statement dates and CL1 codes', 'institutional {statementFrom, statementTo, admissionType, patientStatus}', '(missing)');
    else {
      if (inst.statementFrom > inst.statementTo) reject('institutional.statementTo', 'STATEMENT_PERIOD_REVERSED', 'statement period ends before it starts', `a date on or after ${inst.statementFrom}`, inst.statementTo);
      inst.occurrenceSpans?.forEach((s, k) => {
        if (s.from > s.to) reject(`institutional.occurrenceSpans[${k}].to`, 'OCCURRENCE_SPAN_REVERSED', 'occurrence span ends before it starts', `a date on or after ${s.from}`, s.to);
      });
      if (INPATIENT_FACILITY_TYPES.has(claim.placeOfService) && inst.admissionDate === undefined) {
        reject('institutional.admissionDate', 'ADMISSION_DATE_MISSING', `an inpatient bill type (${claim.placeOfService}x) needs the admission date (DTP*435)`, 'the admission date, YYYY-MM-DD', '(missing)');
      }
    }
  } else if (inst) {
    reject('institutional', 'INSTITUTIONAL_ON_PROFESSIONAL', 'a professional claim has an institutional block', 'no institutional block on a professional claim', 'present');
  }
}

/** Every line checked and in cents, rejected or not: the totals are checked against all of them. */
function checkLines(claim: ClaimRecord, professional: boolean, today: string, reject: Reject): ValidLine[] {
  const linesMax = professional ? LIMITS.linesMaxProfessional : LIMITS.linesMaxInstitutional;
  if (claim.lines.length > linesMax) reject('lines', 'LINES_TOO_MANY', `${claim.lines.length} service lines`, `at most ${linesMax}`, String(claim.lines.length));
  const lines: ValidLine[] = [];
  const seenLineIds = new Set<string>();
  claim.lines.forEach((l, i) => {
    const at = `lines[${i}]`;
    if (seenLineIds.has(l.lineControlNumber)) reject(`${at}.lineControlNumber`, 'LINE_CONTROL_NUMBER_DUPLICATE', 'line control number repeats within the claim', 'a line control number unique within the claim', l.lineControlNumber);
    seenLineIds.add(l.lineControlNumber);
    lines.push(checkLine(claim, l, at, professional, today, reject));
  });
  return lines;
}

/** One service line (`at`: its path, `lines[i]`). */
function checkLine(claim: ClaimRecord, l: ClaimLineRecord, at: string, professional: boolean, today: string, reject: Reject): ValidLine {
  const inst = claim.institutional;
  if (procedureCodeKind(l.procedureCode) === null) reject(`${at}.procedureCode`, 'PROCEDURE_CODE_INVALID', 'not a CPT or HCPCS code', 'CPT 99213, 1234F, 0042T or HCPCS J1234', l.procedureCode);
  l.modifiers.forEach((m, j) => {
    if (!isModifier(m)) reject(`${at}.modifiers[${j}]`, 'MODIFIER_INVALID', 'not a procedure modifier', '2 letters or digits', m);
  });
  if (l.serviceDate > today) reject(`${at}.serviceDate`, 'SERVICE_DATE_FUTURE', 'date of service is in the future', `on or before ${today}`, l.serviceDate);
  if (l.serviceDate < claim.patient.birthDate) reject(`${at}.serviceDate`, 'SERVICE_DATE_BEFORE_BIRTH', 'date of service is before the patient was born', `on or after ${claim.patient.birthDate}`, l.serviceDate);
  if (professional) {
    if (l.diagnosisPointers.length === 0) reject(`${at}.diagnosisPointers`, 'DIAGNOSIS_POINTER_MISSING', 'a professional line needs at least one diagnosis pointer', '1 to 4 pointers into diagnoses', '[]');
    if (l.revenueCode !== undefined) reject(`${at}.revenueCode`, 'REVENUE_CODE_ON_PROFESSIONAL', 'revenue codes belong on institutional claims', 'no revenueCode', l.revenueCode);
  } else {
    if (l.revenueCode === undefined) reject(`${at}.revenueCode`, 'REVENUE_CODE_MISSING', 'an institutional line needs a revenue code', 'a 4-digit revenue code', '(missing)');
    if (inst && (l.serviceDate < inst.statementFrom || l.serviceDate > inst.statementTo)) {
      reject(`${at}.serviceDate`, 'SERVICE_DATE_OUTSIDE_STATEMENT', 'date of service is outside the statement period', `${inst.statementFrom} to ${inst.statementTo}`, l.serviceDate);
    }
  }
  const seenPointers = new Set<number>();
  l.diagnosisPointers.forEach((p, j) => {
    if (p < 1 || p > Math.min(claim.diagnoses.length, 12)) reject(`${at}.diagnosisPointers[${j}]`, 'DIAGNOSIS_POINTER_OUT_OF_RANGE', 'diagnosis pointer does not point into the diagnosis list', `1 to ${Math.min(claim.diagnoses.length, 12)}`, String(p));
    if (seenPointers.has(p)) reject(`${at}.diagnosisPointers[${j}]`, 'DIAGNOSIS_POINTER_DUPLICATE', 'diagnosis pointer repeats on the line', 'each pointer once', String(p));
    seenPointers.add(p);
  });
  return {
    lineControlNumber: l.lineControlNumber,
    procedureCode: l.procedureCode,
    modifiers: l.modifiers,
    units: l.units,
    chargeCents: parseCents(l.charge),
    serviceDate: l.serviceDate,
    diagnosisPointers: l.diagnosisPointers,
    revenueCode: l.revenueCode,
  };
}

function formatPlain(cents: Cents): string {
  return `${cents / 100n}.${(cents % 100n).toString().padStart(2, '0')}`;
}

function expectedOf(issue: { code: string; message: string; expected?: unknown; values?: unknown }): string {
  if (issue.code === 'invalid_type' && issue.expected !== undefined) return String(issue.expected);
  if (issue.code === 'invalid_value' && Array.isArray(issue.values)) return `one of ${issue.values.map(String).join(', ')}`;
  return issue.message;
}
