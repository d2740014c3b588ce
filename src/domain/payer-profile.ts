// Payer profiles: who a payer is on the wire (payer id, receiver and submitter identities), which claim types
// it takes, and its procedure-code crosswalk with effective dates. One JSON file per payer, validated here;
// schemas/payer-profile.schema.json is generated from this zod source. Differences from the guides that a
// payer's companion guide asks for belong here, not in code (DOMAIN.md).
import { z } from 'zod';
import { IsoDate } from '../common/dates.ts';

const Modifier = z.string().regex(/^[A-Z0-9]{2}$/, 'expected a 2-character modifier');
/** ISA06/ISA08 are 15 characters padded; GS02/GS03 up to 15. */
const InterchangeId = z.string().regex(/^[A-Za-z0-9 ]{2,15}$/, 'expected 2 to 15 letters or digits');
const IdQualifier = z.enum(['01', '14', '20', '27', '28', '29', '30', '33', 'ZZ']);

export const Party = z.object({
  name: z.string().min(1).max(60),
  /** NM109 of 1000A / 1000B (qualifier 46, ETIN). */
  id: z.string().regex(/^[A-Za-z0-9]{2,80}$/),
  /** ISA05/ISA06 or ISA07/ISA08. */
  interchangeQualifier: IdQualifier.default('ZZ'),
  interchangeId: InterchangeId,
  /** GS02 / GS03 application code. */
  applicationId: InterchangeId,
});

export const CrosswalkEntry = z.object({
  /** The practice's code on the line. */
  code: z.string().regex(/^[A-Z0-9]{4,5}$/),
  /** The entry applies when the line carries all of these modifiers (none: any line with the code). */
  modifiersIn: z.array(Modifier).max(4).default([]),
  /** First and last day of service the entry applies to, inclusive; no `to` means still in force. */
  from: IsoDate,
  to: IsoDate.optional(),
  /** What the payer wants instead: a replacement code, the modifiersIn replaced by these, a units factor. */
  toCode: z.string().regex(/^[A-Z0-9]{4,5}$/).optional(),
  modifiersOut: z.array(Modifier).max(4).optional(),
  /** Multiplies the line's units, e.g. "4" for an hour billed in 15-minute units; decimal text. */
  unitsFactor: z.string().regex(/^\d{1,4}(\.\d{1,3})?$/).default('1'),
});
export type CrosswalkEntry = z.infer<typeof CrosswalkEntry>;

/** A blanket rule: append modifiers to every line whose (mapped) code matches, within the dates. */
export const CrosswalkRule = z.object({
  /** Regular expression on the procedure code after entries were applied, e.g. `^\\d{5}$` for CPT I. */
  codePattern: z.string().min(1),
  from: IsoDate,
  to: IsoDate.optional(),
  appendModifiers: z.array(Modifier).min(1).max(4),
});
export type CrosswalkRule = z.infer<typeof CrosswalkRule>;

export const Crosswalk = z.object({
  /** Human version label; the recorded version is this label plus a hash of the whole crosswalk. */
  version: z.string().min(1).max(40),
  /** `reject`: a code with no entry in force on the date of service is an error (Medicaid-style fee lists). */
  unmappedCodes: z.enum(['pass', 'reject']).default('pass'),
  entries: z.array(CrosswalkEntry).default([]),
  rules: z.array(CrosswalkRule).default([]),
});
export type Crosswalk = z.infer<typeof Crosswalk>;

/** What the submit stage does with a claim whose dates of service fall outside coverage a 271 reported. */
export const EligibilityPolicy = z.strictObject({
  /** `hold` (default): keep the claim back with the reason until a newer 271 shows coverage; `send`: send anyway. */
  whenInactive: z.enum(['hold', 'send']).default('hold'),
});
export type EligibilityPolicy = z.infer<typeof EligibilityPolicy>;

/** What kind of payer this is: it decides the defaults of its rules (payerRules) and where it falls in the payer order. */
export const PAYER_KINDS = [
  'commercial', 'medicare', 'medicare_advantage', 'medicaid', 'medicaid_managed_care', 'tricare',
  'workers_compensation', 'auto', 'self_pay', 'other',
] as const;
export const PayerKind = z.enum(PAYER_KINDS);
export type PayerKind = z.infer<typeof PayerKind>;

const Money = z.string().regex(/^\d{1,7}(\.\d{2})?$/, 'expected an amount such as 3.00');

/** A payer's rules as its profile states them; absent ones take its kind's defaults (payerRules). */
export const PayerRulesInput = z.strictObject({
  /** The patient must be the subscriber (own member id, no dependent loop): on by default for Medicare and Medicaid kinds. */
  patientMustBeSubscriber: z.boolean().optional(),
  /**
   * Days after which a claim this payer has not answered (as a secondary or later payer) may be billed to the
   * patient. Absent: never (the claim goes to the follow-up list). Medicare, Medicaid and TRICARE kinds refuse it.
   */
  unansweredToPatientAfterDays: z.number().int().min(1).max(365).optional(),
  /** Days from the date of service (or from the prior payer's remittance) within which a claim must be filed. */
  timelyFilingDays: z.number().int().min(1).max(1095).optional(),
  timelyFilingFrom: z.enum(['service', 'prior_payer_remittance']).optional(),
  /** Medicaid kinds: the most a patient may be billed per claim (the state plan's nominal copay, PR-3 only). Default 0.00. */
  medicaidCopayMax: Money.optional(),
  /** Days to refund an overpayment once identified (Medicare: 60, 42 CFR 401.305). Absent: the contract's (not tracked). */
  overpaymentRefundDays: z.number().int().min(1).max(365).optional(),
});
export type PayerRulesInput = z.infer<typeof PayerRulesInput>;

export const PayerProfile = z.object({
  /** The key claims use in coverages[].payerId. */
  payerId: z.string().regex(/^[A-Za-z0-9_-]{1,40}$/),
  /** NM103 of 2010BB. */
  name: z.string().min(1).max(60),
  /** What kind of payer this is (its rules' defaults, the payer order). */
  kind: PayerKind.default('commercial'),
  /** Its rules (payerRules fills the defaults of its kind). */
  rules: PayerRulesInput.default({}),
  /** NM109 of 2010BB (qualifier PI). */
  payerIdentifier: z.string().regex(/^[A-Za-z0-9]{2,80}$/),
  /** Who we send the interchange to (1000B, ISA08, GS03); several payers may share one clearinghouse. */
  receiver: Party,
  /** Who we are to this receiver (1000A, ISA06, GS02), with the PER contact. */
  submitter: Party.extend({
    contactName: z.string().min(1).max(60),
    phone: z.string().regex(/^\d{10}$/),
  }),
  /** ISA15: P production, T test. */
  usage: z.enum(['P', 'T']).default('P'),
  claimTypes: z.array(z.enum(['professional', 'institutional'])).min(1),
  /** SBR09 when a coverage does not say (CI commercial, MB Medicare B, MC Medicaid, ...). */
  claimFilingIndicator: z.string().regex(/^[0-9A-Z]{2}$/).default('CI'),
  /** Longest CLM01 this payer keeps intact (the guide allows 20; some payers truncate at 17 or fewer). */
  patientControlNumberMax: z.number().int().min(1).max(20).default(20),
  crosswalk: Crosswalk.default({ version: 'none', unmappedCodes: 'pass', entries: [], rules: [] }),
  /** The submit stage's eligibility check (issue 6). A patient with no 271 on file is always sent. */
  eligibility: EligibilityPolicy.default({ whenInactive: 'hold' }),
  /**
   * What differs for one practice's claims to this payer (its own contract: crosswalk, filing indicator, CLM01
   * limit, eligibility policy), by practice id (`claims practices`). The interchange (receiver, submitter,
   * usage) stays the office's: one sender, one control number sequence per payer.
   */
  practices: z.record(z.string().regex(/^[a-z0-9][a-z0-9_-]{0,39}$/), z.strictObject({
    claimFilingIndicator: z.string().regex(/^[0-9A-Z]{2}$/).optional(),
    patientControlNumberMax: z.number().int().min(1).max(20).optional(),
    crosswalk: Crosswalk.optional(),
    eligibility: EligibilityPolicy.optional(),
  })).default({}),
});
export type PayerProfile = z.infer<typeof PayerProfile>;
export type PayerProfileInput = z.input<typeof PayerProfile>;

const forPractice = new WeakMap<PayerProfile, Map<string, PayerProfile>>();

/**
 * The profile a practice's claims are mapped and sent with: the payer's, with that practice's overrides when
 * `practices` lists it. The same object for the same practice every time (crosswalk versions are cached by it).
 */
export function profileForPractice(profile: PayerProfile, practiceId: string | undefined): PayerProfile {
  const own = practiceId === undefined ? undefined : profile.practices[practiceId];
  if (own === undefined) return profile;
  let byPractice = forPractice.get(profile);
  if (byPractice === undefined) forPractice.set(profile, (byPractice = new Map()));
  let merged = byPractice.get(practiceId!);
  if (merged === undefined) {
    merged = {
      ...profile,
      ...(own.claimFilingIndicator !== undefined && { claimFilingIndicator: own.claimFilingIndicator }),
      ...(own.patientControlNumberMax !== undefined && { patientControlNumberMax: own.patientControlNumberMax }),
      ...(own.crosswalk !== undefined && { crosswalk: own.crosswalk }),
      ...(own.eligibility !== undefined && { eligibility: own.eligibility }),
    };
    byPractice.set(practiceId!, merged);
  }
  return merged;
}

/** A payer's rules with every default filled in from its kind. Amounts in cents. */
export interface PayerRules {
  kind: PayerKind;
  patientMustBeSubscriber: boolean;
  /** null: an unanswered claim is never billed to the patient (it goes to follow-up). */
  unansweredToPatientAfterDays: number | null;
  timelyFilingDays: number | null;
  timelyFilingFrom: 'service' | 'prior_payer_remittance';
  /** Medicaid kinds only (null otherwise): the most PR-3 billed to the patient per claim. */
  medicaidCopayMaxCents: bigint | null;
  overpaymentRefundDays: number | null;
}

const MEDICARE_KINDS: ReadonlySet<PayerKind> = new Set(['medicare', 'medicare_advantage']);
const MEDICAID_KINDS: ReadonlySet<PayerKind> = new Set(['medicaid', 'medicaid_managed_care']);
/** Payers whose patients may never be billed because the payer did not answer (issue 18). */
export const NEVER_BILL_PATIENT_FOR_SILENCE: ReadonlySet<PayerKind> = new Set([...MEDICARE_KINDS, ...MEDICAID_KINDS, 'tricare']);

export const isMedicareKind = (k: PayerKind): boolean => MEDICARE_KINDS.has(k);
export const isMedicaidKind = (k: PayerKind): boolean => MEDICAID_KINDS.has(k);

function centsOfMoney(text: string): bigint {
  const [whole, frac = '00'] = text.split('.') as [string, string?];
  return BigInt(whole) * 100n + BigInt(frac);
}

/** The rules a payer's profile states, with its kind's defaults (DOMAIN.md, revenue-cycle section 2). Pure. */
export function payerRules(kind: PayerKind, rules: PayerRulesInput): PayerRules {
  const medicare = MEDICARE_KINDS.has(kind);
  const medicaid = MEDICAID_KINDS.has(kind);
  return {
    kind,
    patientMustBeSubscriber: rules.patientMustBeSubscriber ?? (kind === 'medicare' || medicaid),
    unansweredToPatientAfterDays: NEVER_BILL_PATIENT_FOR_SILENCE.has(kind) ? null : rules.unansweredToPatientAfterDays ?? null,
    timelyFilingDays: rules.timelyFilingDays ?? (kind === 'medicare' ? 365 : null),
    timelyFilingFrom: rules.timelyFilingFrom ?? 'service',
    medicaidCopayMaxCents: medicaid ? centsOfMoney(rules.medicaidCopayMax ?? '0.00') : null,
    overpaymentRefundDays: rules.overpaymentRefundDays ?? (medicare ? 60 : null),
  };
}
