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

export const PayerProfile = z.object({
  /** The key claims use in coverages[].payerId. */
  payerId: z.string().regex(/^[A-Za-z0-9_-]{1,40}$/),
  /** NM103 of 2010BB. */
  name: z.string().min(1).max(60),
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
