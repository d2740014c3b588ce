// Collections policy and agency configuration: one zod schema with every default in one place. The referral
// rules (days since the first statement, minimum balance), non-profit mode (IRS 501(r)), and the agencies with
// their assignment rules and file layouts, and the agencies each practice chose (`practices`). Every problem is
// reported at once as REFERRAL_SETTINGS_INVALID.
import { z } from 'zod';
import { ClaimsError } from '../common/errors.ts';
import { PRACTICE_ID_PATTERN } from '../domain/practice.ts';
import { StatementSettingsSchema } from '../statements/settings.ts';
import { FIELDS, type RecordKind } from './records.ts';

/** 501(r)(6): no extraordinary collection action before this many days after the first post-discharge statement. */
export const NONPROFIT_NOTIFICATION_DAYS = 120;
/** 501(r)(6): the written notice goes out at least this many days before the action. */
export const NONPROFIT_NOTICE_DAYS = 30;
/** 501(r)(6): assistance applications are accepted until this many days after the first statement. */
export const NONPROFIT_APPLICATION_DAYS = 240;

const Column = z.strictObject({
  field: z.string().min(1).describe('A field of the record (see src/collections/records.ts).'),
  name: z.string().min(1).optional().describe('Column name in the header (default: the field\'s standard name).'),
  width: z.number().int().min(1).max(500).optional().describe('Fixed-width files: the column\'s width in characters.'),
});

export const LayoutSchema = z.strictObject({
  format: z.enum(['csv', 'fixed']).default('csv'),
  delimiter: z.string().length(1).default(','),
  header: z.boolean().default(true),
  dateFormat: z.enum(['YYYY-MM-DD', 'MM/DD/YYYY', 'YYYYMMDD']).default('YYYY-MM-DD'),
  amountFormat: z.enum(['decimal', 'cents']).default('decimal').describe('decimal: 123.45; cents: 12345 (implied decimal).'),
  flagFormat: z.enum(['Y/N', '1/0', 'true/false']).default('Y/N'),
  lineEnding: z.enum(['crlf', 'lf']).default('crlf'),
  columns: z.array(Column).min(1).optional().describe('Columns in order (default: every field, in the standard order).'),
});
export type Layout = z.output<typeof LayoutSchema>;

const Assign = z.strictObject({
  minBalanceCents: z.number().int().min(0).optional(),
  maxBalanceCents: z.number().int().min(0).optional(),
  states: z.array(z.string().length(2)).optional().describe('Guarantor address states this agency takes.'),
  accountPrefixes: z.array(z.string().min(1)).optional(),
});
export type AssignRule = z.output<typeof Assign>;

export const AgencySchema = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9-]{1,30}$/, 'letters, digits and dashes'),
  name: z.string().min(1),
  assign: Assign.default({}).describe('Which accounts go to this agency; agencies are tried in order, the first match wins.'),
  extraordinaryAction: z.boolean().default(true).describe('The agency reports to credit bureaus or may sue: under 501(r) a referral to it is an extraordinary collection action.'),
  layouts: z.strictObject({
    placement: LayoutSchema.prefault({}),
    update: LayoutSchema.prefault({}),
    recall: LayoutSchema.prefault({}),
  }).prefault({}),
});
export type Agency = z.output<typeof AgencySchema>;

/** What a practice (a client of the office, the creditor) chooses for itself; the rest of the policy is the office's. */
const PracticeReferralSettings = z.strictObject({
  agencies: z.array(z.string().min(1)).min(1).describe('Ids of the agencies (from "agencies") this practice places with, in its order of preference; each agency\'s assign rules still apply.'),
});

export const ReferralSettingsSchema = z.strictObject({
  daysAfterFirstStatement: z.number().int().min(1).max(3650).default(120).describe('Refer no earlier than this many days after the cycle\'s first statement (never the date of service).'),
  daysAfterFinalNotice: z.number().int().min(0).max(3650).default(30).describe('Refer no earlier than this many days after the final notice was mailed, so its due date passes first (and a cycle that a dispute or a plan default pushed back still gets its notice period).'),
  minimumBalanceCents: z.number().int().min(1).max(100_000_000).default(2500).describe('Refer only balances at or over this many cents.'),
  nonProfit: z.boolean().default(false).describe('Enforce IRS 501(r): 120 days, a written notice 30 days before, assistance applications to day 240.'),
  ecaNoticeDays: z.number().int().min(NONPROFIT_NOTICE_DAYS).max(365).default(NONPROFIT_NOTICE_DAYS).describe('Non-profit: days between the written notice and the referral.'),
  assistanceApplicationDays: z.number().int().min(1).max(3650).nullable().default(null).describe('Assistance applications opened later than this many days after the first statement do not pause collections (null: every application pauses; non-profit: at least 240).'),
  creditReportMinimumCents: z.number().int().min(0).max(100_000_000).default(50_000).describe('Placements under this many cents are marked not credit-reportable (the bureaus do not report medical collections under $500).'),
  creditReportWaitDays: z.number().int().min(0).max(3650).default(365).describe('Placements carry the date before which they may not be reported: this many days after the final notice (the bureaus wait a year after delinquency).'),
  agencies: z.array(AgencySchema).min(1).prefault([{ id: 'DEFAULT', name: 'Collection agency' }]).describe('Agencies in order of preference.'),
  practices: z.record(z.string().regex(PRACTICE_ID_PATTERN), PracticeReferralSettings).default({}).describe(
    'Per practice id (`claims practices`): the agencies its accounts are placed with. A practice not listed may be placed with any of "agencies".',
  ),
  statements: StatementSettingsSchema.prefault({}).describe('Statement policy used to read the cycle and plan standing (as for the statements stage).'),
});
export type ReferralSettings = z.output<typeof ReferralSettingsSchema>;

/** What the rules actually apply (non-profit floors applied). */
export interface EffectivePolicy {
  daysAfterFirstStatement: number;
  daysAfterFinalNotice: number;
  minimumBalanceCents: bigint;
  nonProfit: boolean;
  ecaNoticeDays: number;
  assistanceApplicationDays: number | null;
  creditReportMinimumCents: bigint;
  creditReportWaitDays: number;
}

export function effectivePolicy(s: ReferralSettings): EffectivePolicy {
  return {
    daysAfterFirstStatement: s.nonProfit ? Math.max(s.daysAfterFirstStatement, NONPROFIT_NOTIFICATION_DAYS) : s.daysAfterFirstStatement,
    daysAfterFinalNotice: s.daysAfterFinalNotice,
    minimumBalanceCents: BigInt(s.minimumBalanceCents),
    nonProfit: s.nonProfit,
    ecaNoticeDays: s.ecaNoticeDays,
    assistanceApplicationDays: s.nonProfit ? Math.max(s.assistanceApplicationDays ?? NONPROFIT_APPLICATION_DAYS, NONPROFIT_APPLICATION_DAYS) : s.assistanceApplicationDays,
    creditReportMinimumCents: BigInt(s.creditReportMinimumCents),
    creditReportWaitDays: s.creditReportWaitDays,
  };
}

/** The agencies a practice's accounts may be placed with, in its order: "practices" names them, else every agency. */
export function agenciesForPractice(settings: Pick<ReferralSettings, 'agencies' | 'practices'>, practiceId: string | undefined): Agency[] {
  const own = practiceId === undefined ? undefined : settings.practices[practiceId];
  if (own === undefined) return settings.agencies;
  return own.agencies.flatMap((id) => settings.agencies.filter((a) => a.id === id));
}

/** A practice that names an agency the settings do not have. */
export function practiceProblems(s: Pick<ReferralSettings, 'agencies' | 'practices'>): string[] {
  const ids = new Set(s.agencies.map((a) => a.id));
  return Object.entries(s.practices).flatMap(([practiceId, p]) => p.agencies.flatMap((id, i) =>
    ids.has(id) ? [] : [`practices.${practiceId}.agencies.${i}: no agency ${id} in "agencies" (${[...ids].join(', ')})`]));
}

/** Problems a schema cannot see: unknown fields in a layout, fixed-width columns without a width, duplicate ids. */
function layoutProblems(s: ReferralSettings): string[] {
  const problems: string[] = [];
  const ids = new Set<string>();
  s.agencies.forEach((a, i) => {
    if (ids.has(a.id)) problems.push(`agencies.${i}.id: ${a.id} is named twice`);
    ids.add(a.id);
    for (const kind of ['placement', 'update', 'recall'] as const satisfies RecordKind[]) {
      const layout = a.layouts[kind];
      layout.columns?.forEach((c, j) => {
        const where = `agencies.${i}.layouts.${kind}.columns.${j}`;
        if (!(c.field in FIELDS[kind])) problems.push(`${where}.field: unknown ${kind} field ${c.field}`);
        if (layout.format === 'fixed' && c.width === undefined) problems.push(`${where}.width: fixed-width layouts need a width for every column`);
      });
      if (layout.format === 'fixed' && !layout.columns) problems.push(`agencies.${i}.layouts.${kind}.columns: fixed-width layouts list their columns with widths`);
    }
  });
  return problems;
}

export function parseReferralSettings(input: unknown = {}): ReferralSettings {
  const parsed = ReferralSettingsSchema.safeParse(input ?? {});
  const problems = parsed.success
    ? [...layoutProblems(parsed.data), ...practiceProblems(parsed.data)]
    : parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
  if (!parsed.success || problems.length > 0) {
    throw new ClaimsError({ code: 'REFERRAL_SETTINGS_INVALID', message: `invalid referral settings:\n  ${problems.join('\n  ')}` });
  }
  return parsed.data;
}

/**
 * Settings from a JSON file, with `agenciesFile` (a JSON file `{ "agencies": [...] }`, relative to the settings
 * file) merged in, so agency layouts can live in samples/agencies/ and be shared by the command and the stage.
 */
export function mergeAgenciesFile(settings: Record<string, unknown>, agenciesJson: unknown): Record<string, unknown> {
  const agencies = (agenciesJson as { agencies?: unknown } | null)?.agencies;
  if (!Array.isArray(agencies)) {
    throw new ClaimsError({ code: 'REFERRAL_SETTINGS_INVALID', message: 'the agencies file must hold { "agencies": [ ... ] }' });
  }
  const { agenciesFile: _file, ...rest } = settings;
  return { ...rest, agencies };
}
