// A hand-written fast path for the claim record's zod schema (src/domain/claim.ts), for the common case: a
// record that is valid. It applies exactly the schema's checks, trims, upper-casing and defaults, and builds
// the output with every object's keys in sorted order, so that JSON.stringify of it *is* the canonical JSON
// the content hash is taken over (one native call instead of a sort per object). On anything it does not
// accept, for whatever reason, it returns null and the caller asks zod, which stays the one definition of
// the record (and of its JSON Schema) and gives the precise errors. It may refuse what zod accepts (zod
// then decides); it must never accept what zod refuses, nor produce a different value: a fast-check property
// (test/domain/claim-fast-record.test.ts) holds it to that over generated valid and invalid records.
// Inputs are what JSON.parse makes: strings, numbers, booleans, null, arrays and plain objects.
import { isIsoDate } from '../common/dates.ts';
import { Person, NAME_TEXT, fitsX12, MSP_TYPES, PLAN_TYPES, PROTECTIONS, type ClaimRecord } from './claim.ts';

type Obj = Record<string, unknown>;
/** Thrown inside the fast path to give up; never escapes this module. */
const GIVE_UP = Symbol('give up');

const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

function obj(v: unknown): Obj {
  if (!isObj(v)) throw GIVE_UP;
  return v;
}
function arr(v: unknown, min: number, max: number): unknown[] {
  if (!Array.isArray(v) || v.length < min || v.length > max) throw GIVE_UP;
  return v;
}
function str(v: unknown, re: RegExp): string {
  if (typeof v !== 'string' || !re.test(v)) throw GIVE_UP;
  return v;
}
function oneOf<T extends string>(v: unknown, values: readonly T[]): T {
  if (typeof v !== 'string' || !values.includes(v as T)) throw GIVE_UP;
  return v as T;
}

// The schema's patterns, as written there.
const X12_TEXT = /^(?:(?![*:^~|>])[\x20-\x7E])*$/;
const NPI = /^\d{10}$/;
const TAX_ID = /^\d{9}$/;
const TAXONOMY = /^[0-9A-Z]{9}X$|^[0-9A-Z]{10}$/;
const STATE = /^[A-Z]{2}$/;
const POSTAL = /^\d{5}(\d{4})?$/;
const PHONE = /^\d{10}$/;
const AMOUNT = /^\d{1,8}(\.\d{1,2})?$/;
const UNITS = /^(?!0+(\.0+)?$)\d{1,6}(\.\d{1,3})?$/;
const PCN = /^[A-Za-z0-9-]{1,20}$/;
const PATIENT_ID = /^[A-Za-z0-9-]{1,30}$/;
const ACCOUNT = /^[A-Za-z0-9-]{1,30}$/;
const PAYER_ID = /^[A-Za-z0-9_-]{1,40}$/;
const FILING = /^[0-9A-Z]{2}$/;
const POS = /^\d{2}$/;
const LINE_CONTROL = /^[A-Za-z0-9-]{1,30}$/;
const REVENUE = /^\d{4}$/;
const ONE_DIGIT = /^\d$/;
const ONE_CHAR = /^[0-9A-Z]$/;
const TWO_DIGITS = /^\d{2}$/;
const EMAIL = Person.shape.email.unwrap();

/** x12Text(min, max): trimmed, then length and character checks. */
function text(v: unknown, min: number, max: number): string {
  if (typeof v !== 'string') throw GIVE_UP;
  const t = v.trim();
  if (t.length < min || t.length > max || !X12_TEXT.test(t)) throw GIVE_UP;
  return t;
}
/** nameText(min, max): x12Text's checks with the name alphabet, then the transliterated length. */
function name(v: unknown, min: number, max: number): string {
  if (typeof v !== 'string') throw GIVE_UP;
  const t = v.trim();
  if (t.length < min || t.length > max || !NAME_TEXT.test(t) || !fitsX12(t, min, max)) throw GIVE_UP;
  return t;
}
/** z.string().trim().toUpperCase() */
function upper(v: unknown): string {
  if (typeof v !== 'string') throw GIVE_UP;
  return v.trim().toUpperCase();
}

/** IsoDate: the schema's refinement is this same check, so the two cannot drift apart. */
function isoDate(v: unknown): string {
  if (typeof v !== 'string' || !isIsoDate(v)) throw GIVE_UP;
  return v;
}
function units(v: unknown): string {
  if (typeof v === 'number') return str(String(v), UNITS);
  return str(v, UNITS);
}
function email(v: unknown): string {
  const r = EMAIL.safeParse(v);
  if (!r.success) throw GIVE_UP;
  return r.data;
}

function address(v: unknown): ClaimRecord['patient']['address'] {
  const a = obj(v);
  // Keys in sorted order: city, line1, line2, postalCode, state.
  const out: Obj = { city: name(a.city, 2, 30), line1: name(a.line1, 1, 55) };
  if (a.line2 !== undefined) out.line2 = name(a.line2, 1, 55);
  out.postalCode = str(a.postalCode, POSTAL);
  out.state = str(a.state, STATE);
  return out as ClaimRecord['patient']['address'];
}

/** Person (subscriber) or Person + patientId (patient): keys sorted. */
function person(v: unknown, withPatientId: boolean): Obj {
  const p = obj(v);
  const out: Obj = { address: address(p.address), birthDate: isoDate(p.birthDate) };
  if (p.email !== undefined) out.email = email(p.email);
  out.firstName = name(p.firstName, 1, 35);
  out.lastName = name(p.lastName, 1, 60);
  if (p.middleName !== undefined) out.middleName = name(p.middleName, 1, 25);
  if (withPatientId) out.patientId = str(p.patientId, PATIENT_ID);
  if (p.phone !== undefined) out.phone = str(p.phone, PHONE);
  out.sex = oneOf(p.sex, ['M', 'F', 'U'] as const);
  return out;
}

function billingProvider(v: unknown): Obj {
  const b = obj(v);
  const out: Obj = { address: address(b.address) };
  if (b.contactName !== undefined) out.contactName = name(b.contactName, 1, 60);
  if (b.firstName !== undefined) out.firstName = name(b.firstName, 1, 35);
  if (b.lastName !== undefined) out.lastName = name(b.lastName, 1, 60);
  out.npi = str(b.npi, NPI);
  if (b.organizationName !== undefined) out.organizationName = name(b.organizationName, 1, 60);
  if (b.payToAddress !== undefined) out.payToAddress = address(b.payToAddress);
  if (b.phone !== undefined) out.phone = str(b.phone, PHONE);
  out.taxId = str(b.taxId, TAX_ID);
  if (b.taxonomy !== undefined) out.taxonomy = str(b.taxonomy, TAXONOMY);
  return out;
}

function renderingProvider(v: unknown): Obj {
  const r = obj(v);
  const out: Obj = {};
  if (r.firstName !== undefined) out.firstName = name(r.firstName, 1, 35);
  out.lastName = name(r.lastName, 1, 60);
  out.npi = str(r.npi, NPI);
  if (r.taxonomy !== undefined) out.taxonomy = str(r.taxonomy, TAXONOMY);
  return out;
}

function guarantor(v: unknown): Obj {
  const g = obj(v);
  const out: Obj = { accountNumber: str(g.accountNumber, ACCOUNT), address: address(g.address) };
  if (g.email !== undefined) out.email = email(g.email);
  out.firstName = name(g.firstName, 1, 35);
  out.lastName = name(g.lastName, 1, 60);
  if (g.phone !== undefined) out.phone = str(g.phone, PHONE);
  return out;
}

/** z.number().int().min(min).max(max) */
function integer(v: unknown, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max) throw GIVE_UP;
  return v;
}

function coverage(v: unknown): Obj {
  const c = obj(v);
  const out: Obj = {};
  if (c.claimFilingIndicator !== undefined) out.claimFilingIndicator = str(c.claimFilingIndicator, FILING);
  if (c.employerSize !== undefined) out.employerSize = integer(c.employerSize, 1, 10_000_000);
  if (c.groupNumber !== undefined) out.groupNumber = text(c.groupNumber, 1, 50);
  if (c.medicareSecondaryPayerType !== undefined) out.medicareSecondaryPayerType = oneOf(c.medicareSecondaryPayerType, MSP_TYPES);
  out.memberId = text(c.memberId, 2, 80);
  if (c.patientMemberId !== undefined) out.patientMemberId = text(c.patientMemberId, 2, 80);
  out.payerId = str(c.payerId, PAYER_ID);
  if (c.planType !== undefined) out.planType = oneOf(c.planType, PLAN_TYPES);
  if (c.protection !== undefined) out.protection = oneOf(c.protection, PROTECTIONS);
  out.relationship = oneOf(c.relationship, ['self', 'spouse', 'child', 'other'] as const);
  if (c.subscriber !== undefined) out.subscriber = person(c.subscriber, false);
  return out;
}

function line(v: unknown): Obj {
  const l = obj(v);
  const out: Obj = { charge: str(l.charge, AMOUNT) };
  if (l.diagnosisPointers === undefined) out.diagnosisPointers = [];
  else {
    const ps = arr(l.diagnosisPointers, 0, 4);
    for (const p of ps) if (typeof p !== 'number' || !Number.isSafeInteger(p)) throw GIVE_UP;
    out.diagnosisPointers = ps.slice();
  }
  out.lineControlNumber = str(l.lineControlNumber, LINE_CONTROL);
  out.modifiers = l.modifiers === undefined ? [] : arr(l.modifiers, 0, 4).map(upper);
  out.procedureCode = upper(l.procedureCode);
  if (l.revenueCode !== undefined) out.revenueCode = str(l.revenueCode, REVENUE);
  out.serviceDate = isoDate(l.serviceDate);
  out.units = units(l.units);
  return out;
}

const POA = ['Y', 'N', 'U', 'W', '1'] as const;
const UB_CODE = /^[0-9A-Z]{2}$/;

function institutional(v: unknown): Obj {
  const i = obj(v);
  const out: Obj = {};
  if (i.admissionDate !== undefined) out.admissionDate = isoDate(i.admissionDate);
  if (i.admissionSource !== undefined) out.admissionSource = str(i.admissionSource, ONE_CHAR);
  out.admissionType = str(i.admissionType, ONE_DIGIT);
  if (i.admittingDiagnosis !== undefined) out.admittingDiagnosis = upper(i.admittingDiagnosis);
  if (i.conditionCodes !== undefined) out.conditionCodes = arr(i.conditionCodes, 0, 24).map((c) => str(c, UB_CODE));
  if (i.occurrenceSpans !== undefined) {
    out.occurrenceSpans = arr(i.occurrenceSpans, 0, 24).map((v) => {
      const o = obj(v);
      return { code: str(o.code, UB_CODE), from: isoDate(o.from), to: isoDate(o.to) };
    });
  }
  if (i.occurrences !== undefined) {
    out.occurrences = arr(i.occurrences, 0, 24).map((v) => {
      const o = obj(v);
      return { code: str(o.code, UB_CODE), date: isoDate(o.date) };
    });
  }
  out.patientStatus = str(i.patientStatus, TWO_DIGITS);
  if (i.presentOnAdmission !== undefined) out.presentOnAdmission = arr(i.presentOnAdmission, 0, Infinity).map((p) => oneOf(p, POA));
  out.statementFrom = isoDate(i.statementFrom);
  out.statementTo = isoDate(i.statementTo);
  if (i.values !== undefined) {
    out.values = arr(i.values, 0, 24).map((v) => {
      const o = obj(v);
      return { amount: str(o.amount, AMOUNT), code: str(o.code, UB_CODE) };
    });
  }
  return out;
}

/**
 * The record as ClaimRecord.parse would return it, with sorted keys, or null: then ask zod. The canonical
 * JSON of the result is JSON.stringify(result).
 */
export function parseClaimRecordFast(input: unknown): ClaimRecord | null {
  try {
    const r = obj(input);
    const out: Obj = { billingProvider: billingProvider(r.billingProvider) };
    if (typeof r.claimId !== 'string' || r.claimId.length < 1 || r.claimId.length > 50) throw GIVE_UP;
    out.claimId = r.claimId;
    out.claimType = oneOf(r.claimType, ['professional', 'institutional'] as const);
    out.coverages = arr(r.coverages, 1, 3).map(coverage);
    out.diagnoses = arr(r.diagnoses, 1, Number.MAX_SAFE_INTEGER).map(upper);
    out.frequency = r.frequency === undefined ? '1' : oneOf(r.frequency, ['1', '7', '8'] as const);
    out.guarantor = guarantor(r.guarantor);
    if (r.institutional !== undefined) out.institutional = institutional(r.institutional);
    out.lines = arr(r.lines, 1, Number.MAX_SAFE_INTEGER).map(line);
    out.patient = person(r.patient, true);
    out.patientControlNumber = str(r.patientControlNumber, PCN);
    if (r.payerClaimNumber !== undefined) out.payerClaimNumber = text(r.payerClaimNumber, 1, 50);
    out.placeOfService = str(r.placeOfService, POS);
    if (r.renderingProvider !== undefined) out.renderingProvider = renderingProvider(r.renderingProvider);
    if (r.serviceFacility !== undefined) {
      const f = obj(r.serviceFacility);
      const facility: Obj = { address: address(f.address), name: name(f.name, 1, 60) };
      if (f.npi !== undefined) facility.npi = str(f.npi, NPI);
      out.serviceFacility = facility;
    }
    out.totalCharge = str(r.totalCharge, AMOUNT);
    return out as unknown as ClaimRecord;
  } catch (err) {
    if (err === GIVE_UP) return null;
    throw err;
  }
}
