// The claim record: one claim of the practice's claims export, defined once here in zod. The JSON Schema
// in schemas/claim.schema.json is generated from it. This module owns the *shape* of a claim (formats of
// codes, dates, amounts); rules across fields (CLM02 = sum of lines, pointers within the diagnosis list,
// NPI check digit) live in src/domain/claim-validate.ts so that every problem is reported with its field.
import { z } from 'zod';
import { IsoDate } from '../common/dates.ts';
import { toX12Text } from '../x12/transliterate.ts';

/** Money as decimal text (never a JSON number, so it never passes through a float): `125`, `125.5`, `125.50`. */
export const Amount = z.string().regex(/^\d{1,8}(\.\d{1,2})?$/, 'expected a non-negative amount with at most 2 decimals, as a string');

/** Units of service: a positive decimal (SV104/SV205), text or number. */
export const Units = z
  .union([z.string(), z.number()])
  .transform((v) => String(v))
  .pipe(z.string().regex(/^(?!0+(\.0+)?$)\d{1,6}(\.\d{1,3})?$/, 'expected a positive quantity, up to 3 decimals'));

/** X12 text: printable ASCII without the characters used as delimiters (`*`, `:`, `^`, `~`, `|`, `>`). */
const x12Text = (min: number, max: number) =>
  z
    .string()
    .trim()
    .min(min)
    .max(max)
    .regex(/^(?:(?![*:^~|>])[\x20-\x7E])*$/, 'printable ASCII without * : ^ ~ | >');

/**
 * A name or an address as the practice writes it (a person, a provider, a facility, a street, a city): X12
 * text, and also letters of any script with their marks and typed apostrophes and dashes (Łukasz Nguyễn,
 * O’Brien, Calle Peña, San José). Kept as written; the 837 and 270 writers spell it
 * in X12 text (src/x12/transliterate.ts), which must leave min to max characters (a name written only in a
 * script with no Latin spelling leaves none).
 */
export const NAME_TEXT = /^(?:(?![*:^~|>])[\x20-\x7E\p{L}\p{M}\u2018\u2019\u2010-\u2015])*$/u;
export const fitsX12 = (name: string, min: number, max: number): boolean => {
  const spelled = toX12Text(name);
  return spelled.length >= min && spelled.length <= max;
};
export const nameText = (min: number, max: number) =>
  z
    .string()
    .trim()
    .min(min)
    .max(max)
    .regex(NAME_TEXT, 'letters, digits and printable ASCII without * : ^ ~ | >')
    // zod runs every check: this one speaks only when the others passed, so a problem is reported once.
    .refine((t) => t.length < min || t.length > max || !NAME_TEXT.test(t) || fitsX12(t, min, max), `${min} to ${max} characters once spelled in X12 text (letters without a Latin spelling are dropped)`);

export const Npi = z.string().regex(/^\d{10}$/, 'expected 10 digits');
export const TaxId = z.string().regex(/^\d{9}$/, 'expected 9 digits (EIN or SSN without dashes)');
export const Taxonomy = z.string().regex(/^[0-9A-Z]{9}X$|^[0-9A-Z]{10}$/, 'expected a 10-character taxonomy code');
export const StateCode = z.string().regex(/^[A-Z]{2}$/, 'expected a 2-letter state code');
export const PostalCode = z.string().regex(/^\d{5}(\d{4})?$/, 'expected a ZIP code of 5 or 9 digits, no dash');

export const Address = z.object({
  line1: nameText(1, 55),
  line2: nameText(1, 55).optional(),
  city: nameText(2, 30),
  state: StateCode,
  postalCode: PostalCode,
});
export type Address = z.infer<typeof Address>;

export const Sex = z.enum(['M', 'F', 'U']);

export const Person = z.object({
  lastName: nameText(1, 60),
  firstName: nameText(1, 35),
  middleName: nameText(1, 25).optional(),
  birthDate: IsoDate,
  sex: Sex,
  address: Address,
  phone: z.string().regex(/^\d{10}$/, 'expected 10 digits').optional(),
  email: z.string().email().max(80).optional(),
});
export type Person = z.infer<typeof Person>;

export const BillingProvider = z.object({
  npi: Npi,
  taxId: TaxId,
  taxonomy: Taxonomy.optional(),
  /** An organisation's name; for a person, lastName and firstName instead. */
  organizationName: nameText(1, 60).optional(),
  lastName: nameText(1, 60).optional(),
  firstName: nameText(1, 35).optional(),
  /** A street address: the guide forbids a PO box here (checked in validation). */
  address: Address,
  contactName: nameText(1, 60).optional(),
  phone: z.string().regex(/^\d{10}$/).optional(),
  /** Where payments go when that is not the billing address (837 loop 2010AB; a PO box is allowed here). */
  payToAddress: Address.optional(),
});
export type BillingProvider = z.infer<typeof BillingProvider>;

/** Rendering provider (837P 2310B) or attending physician (837I 2310A). */
export const RenderingProvider = z.object({
  npi: Npi,
  lastName: nameText(1, 60),
  firstName: nameText(1, 35).optional(),
  taxonomy: Taxonomy.optional(),
});
export type RenderingProvider = z.infer<typeof RenderingProvider>;

/** The patient's relationship to the subscriber of a coverage. */
export const Relationship = z.enum(['self', 'spouse', 'child', 'other']);
export type Relationship = z.infer<typeof Relationship>;

/**
 * A coverage's plan type as far as it decides the order against Medicare (DOMAIN.md, revenue cycle 2): a group
 * health plan from the patient's or spouse's current employment, a retiree plan (Medicare pays first), an
 * individual plan, workers' compensation (a work injury), liability or no-fault insurance (an accident).
 */
export const PLAN_TYPES = ['group_current_employment', 'group_retiree', 'individual', 'workers_compensation', 'liability', 'no_fault'] as const;
export const PlanType = z.enum(PLAN_TYPES);
export type PlanType = z.infer<typeof PlanType>;

/**
 * Medicare Secondary Payer type, 837 2000B/2320 SBR05 when Medicare is not the primary payer: 12 working aged
 * (group plan, employer 20+), 13 ESRD, 14 no-fault, 15 workers' compensation, 16 federal (PHS or other
 * agency), 41 black lung, 42 veterans, 43 disabled (large group plan, employer 100+), 47 other liability.
 */
export const MSP_TYPES = ['12', '13', '14', '15', '16', '41', '42', '43', '47'] as const;
export const MedicareSecondaryPayerType = z.enum(MSP_TYPES);
export type MedicareSecondaryPayerType = z.infer<typeof MedicareSecondaryPayerType>;

/** qmb: Qualified Medicare Beneficiary (no Medicare cost sharing to the patient); dual: Medicare and full Medicaid. */
export const PROTECTIONS = ['qmb', 'dual'] as const;
export const Protection = z.enum(PROTECTIONS);
export type Protection = z.infer<typeof Protection>;

export const Coverage = z.object({
  /** The payer's id as the practice knows it: the key of a payer profile (samples/payers/ID.json). */
  payerId: z.string().regex(/^[A-Za-z0-9_-]{1,40}$/, 'expected a payer profile id'),
  /** The subscriber's member id on this coverage. */
  memberId: x12Text(2, 80),
  groupNumber: x12Text(1, 50).optional(),
  relationship: Relationship,
  /** Required when the patient is not the subscriber. */
  subscriber: Person.optional(),
  /** A dependent's own member id: such a dependent is reported as the subscriber (no 2000C loop). */
  patientMemberId: x12Text(2, 80).optional(),
  /** SBR09 claim filing indicator (CI commercial, MB Medicare B, MC Medicaid, BL Blue Cross, ...); else the payer's default. */
  claimFilingIndicator: z.string().regex(/^[0-9A-Z]{2}$/).optional(),
  /** What kind of plan this is, where the practice knows: it decides whether Medicare pays first (decision 0100). */
  planType: PlanType.optional(),
  /** A group plan from current employment: how many employees the employer has (20 and 100 are the MSP thresholds). */
  employerSize: z.number().int().min(1).max(10_000_000).optional(),
  /** A Medicare coverage billed after another payer: the Medicare Secondary Payer type (837 SBR05). */
  medicareSecondaryPayerType: MedicareSecondaryPayerType.optional(),
  /** A Medicare or Medicare Advantage patient protected from cost sharing: QMB, or dual eligible (full Medicaid). */
  protection: Protection.optional(),
});
export type Coverage = z.infer<typeof Coverage>;

export const Guarantor = z.object({
  /** The practice's account number: one guarantor account can cover several patients. */
  accountNumber: z.string().regex(/^[A-Za-z0-9-]{1,30}$/, 'expected an account number (letters, digits, dashes)'),
  lastName: nameText(1, 60),
  firstName: nameText(1, 35),
  address: Address,
  phone: z.string().regex(/^\d{10}$/, 'expected 10 digits').optional(),
  email: z.string().email().max(80).optional(),
});
export type Guarantor = z.infer<typeof Guarantor>;

export const ServiceLine = z.object({
  /** REF*6R: unique within the claim and stable across resubmissions; the 835 echoes it. */
  lineControlNumber: z.string().regex(/^[A-Za-z0-9-]{1,30}$/, 'expected 1 to 30 letters, digits or dashes'),
  procedureCode: z.string().trim().toUpperCase(),
  modifiers: z.array(z.string().trim().toUpperCase()).max(4).default([]),
  units: Units,
  charge: Amount,
  serviceDate: IsoDate,
  /** 1-based positions in the claim's diagnosis list; up to 4 (837P). */
  diagnosisPointers: z.array(z.number().int()).max(4).default([]),
  /** Institutional only: the 4-digit revenue code (SV201). */
  revenueCode: z.string().regex(/^\d{4}$/, 'expected a 4-digit revenue code').optional(),
});
export type ServiceLine = z.infer<typeof ServiceLine>;

export const Institutional = z.object({
  /** Statement covers period (DTP*434), from and through. */
  statementFrom: IsoDate,
  statementTo: IsoDate,
  /** CL101 admission type (1 emergency .. 9). */
  admissionType: z.string().regex(/^\d$/, 'expected 1 digit'),
  /** CL102 point of origin. */
  admissionSource: z.string().regex(/^[0-9A-Z]$/, 'expected 1 character').optional(),
  /** CL103 patient status (01 discharged home, ...). */
  patientStatus: z.string().regex(/^\d{2}$/, 'expected 2 digits'),
  /** DTP*435 admission date; required for inpatient bill types. */
  admissionDate: IsoDate.optional(),
  /** HI ABJ admitting diagnosis. */
  admittingDiagnosis: z.string().trim().toUpperCase().optional(),
  /**
   * Present-on-admission indicator of each diagnosis, in the order of `diagnoses` (HI ABK/ABF component 9):
   * Y yes, N no, U not documented, W clinically undetermined, 1 exempt. Inpatient claims to Medicare need it.
   */
  presentOnAdmission: z.array(z.enum(['Y', 'N', 'U', 'W', '1'])).optional(),
  /** UB-04 condition codes (HI BG), at most 24. */
  conditionCodes: z.array(z.string().regex(/^[0-9A-Z]{2}$/, 'expected a 2-character condition code')).max(24).optional(),
  /** UB-04 occurrence codes with their date (HI BH), at most 24. */
  occurrences: z.array(z.object({ code: z.string().regex(/^[0-9A-Z]{2}$/, 'expected a 2-character occurrence code'), date: IsoDate })).max(24).optional(),
  /** UB-04 occurrence span codes with their period (HI BI), at most 24. */
  occurrenceSpans: z.array(z.object({ code: z.string().regex(/^[0-9A-Z]{2}$/, 'expected a 2-character occurrence span code'), from: IsoDate, to: IsoDate })).max(24).optional(),
  /** UB-04 value codes with their amount (HI BE), at most 24. */
  values: z.array(z.object({ code: z.string().regex(/^[0-9A-Z]{2}$/, 'expected a 2-character value code'), amount: Amount })).max(24).optional(),
});
export type Institutional = z.infer<typeof Institutional>;

/** Where the service was given, when not at the billing provider's address (837P 2310C, 837I 2310E). */
export const ServiceFacility = z.object({
  name: nameText(1, 60),
  /** The facility's own NPI, when it has one. */
  npi: Npi.optional(),
  /** A physical location with its ZIP+4 (checked in validation). */
  address: Address,
});
export type ServiceFacility = z.infer<typeof ServiceFacility>;

export const ClaimRecord = z.object({
  /** The practice system's claim id (free text, for people). */
  claimId: z.string().min(1).max(50),
  claimType: z.enum(['professional', 'institutional']),
  /** CLM01: at most 20 characters (17 or fewer advised: some payers truncate). */
  patientControlNumber: z.string().regex(/^[A-Za-z0-9-]{1,20}$/, 'expected 1 to 20 letters, digits or dashes'),
  /** 1 original, 7 replacement, 8 void. */
  frequency: z.enum(['1', '7', '8']).default('1'),
  /** The payer's claim number (835 CLP07): required for 7 and 8 (REF*F8). */
  payerClaimNumber: x12Text(1, 50).optional(),
  /** Professional: CMS place of service (11 office, ...). Institutional: the facility type (first 2 digits of the bill type). */
  placeOfService: z.string().regex(/^\d{2}$/, 'expected 2 digits'),
  /** CLM02 as the practice computed it: checked against the sum of the lines. */
  totalCharge: Amount,
  billingProvider: BillingProvider,
  renderingProvider: RenderingProvider.optional(),
  serviceFacility: ServiceFacility.optional(),
  patient: Person.extend({ patientId: z.string().regex(/^[A-Za-z0-9-]{1,30}$/, 'expected the practice patient id') }),
  guarantor: Guarantor,
  /** In order: primary, secondary, tertiary. */
  coverages: z.array(Coverage).min(1).max(3),
  /** ICD-10-CM, with or without the dot; the first is the principal diagnosis. */
  diagnoses: z.array(z.string().trim().toUpperCase()).min(1, 'a claim needs at least its principal diagnosis'),
  lines: z.array(ServiceLine).min(1),
  institutional: Institutional.optional(),
});
export type ClaimRecord = z.infer<typeof ClaimRecord>;
/** The claim as it appears in the export, before defaults and transforms. */
export type ClaimRecordInput = z.input<typeof ClaimRecord>;
