// Statement and patient-balance policy: the dunning cycle, timeouts, thresholds, and what the practice
// prints on every statement. One zod schema with every default in one place; a pipeline's `statements`
// stage settings and `claims statements --settings FILE` are parsed through it, every problem reported at once.
import { z } from 'zod';
import { ClaimsError } from '../common/errors.ts';

const Address = z.object({
  line1: z.string().min(1),
  line2: z.string().optional(),
  city: z.string().min(1),
  state: z.string().length(2),
  postalCode: z.string().regex(/^\d{5}(-?\d{4})?$/),
});
export type MailingAddress = z.infer<typeof Address>;

const Practice = z.object({
  name: z.string().min(1),
  address: Address,
  /** Where mailed payments go (the coupon's remit-to); the practice address when absent. */
  remitTo: Address.optional(),
  phone: z.string().min(7),
  hours: z.string().min(1),
  portalUrl: z.string().min(1),
  cardsAccepted: z.array(z.string().min(1)).min(1),
  financialAssistance: z.string().min(1),
});
export type Practice = z.infer<typeof Practice>;

export const StatementSettingsSchema = z.object({
  intervalDays: z.number().int().min(1).max(365).default(30).describe('Days between statements in a cycle.'),
  statementsBeforeFinal: z.number().int().min(1).max(12).default(3).describe('Statements in a cycle before the final notice.'),
  dueDays: z.number().int().min(1).max(90).default(25).describe('Due date = statement date + this many days.'),
  nextPayerTimeoutDays: z.number().int().min(1).max(365).default(45).describe(
    'The practice\'s least wait for a silent secondary (or later) payer. Its share goes to the patient only when that payer\'s rules allow it (payer profile rules.unansweredToPatientAfterDays; never for Medicare, Medicaid, TRICARE), after the longer of its days and these; otherwise the claim stays on the follow-up list (claims report follow-up).',
  ),
  smallBalanceCents: z.number().int().min(0).max(1_000_000).default(500).transform((n) => BigInt(n)).describe('Balances above zero and below this many cents are written off, not mailed (whole cents: JSON Schema has no bigint).'),
  creditRefundAfterDays: z.number().int().min(0).max(365).default(60).describe('Credits not used by a new balance within this many days are listed for refund.'),
  planMissedInstallments: z.number().int().min(1).max(12).default(2).describe('Installments past due (after the grace days) that default a payment plan.'),
  planGraceDays: z.number().int().min(0).max(60).default(10).describe('Days after an installment is due before it counts as missed.'),
  batchPdfStatementsMax: z.number().int().min(1).max(100_000).default(5000).describe('Statements per batch PDF file (a print vendor\'s file size limit).'),
  providers: z.record(z.string().regex(/^\d{10}$/), z.string().min(1)).default({}).describe('Provider names by billing NPI for the statement\'s provider column (the practice name otherwise).'),
  practices: z.record(z.string().regex(/^[a-z0-9][a-z0-9_-]{0,39}$/), Practice).default({}).describe(
    'Letterhead, contact and payment options per practice id (`claims practices`); a practice not listed uses "practice".',
  ),
  practice: Practice.default({
    name: 'Example Family Medicine (sample)',
    address: { line1: '100 Sample Way', city: 'Springfield', state: 'IL', postalCode: '62701' },
    remitTo: { line1: 'PO Box 1000', city: 'Springfield', state: 'IL', postalCode: '62705' },
    phone: '(555) 010-2000',
    hours: 'Mon-Fri 8:00 am - 5:00 pm',
    portalUrl: 'https://pay.example.com',
    cardsAccepted: ['Visa', 'Mastercard', 'Discover', 'American Express'],
    financialAssistance:
      'Financial assistance is available. If you cannot pay this bill in full, call us to set up a payment plan ' +
      'or to apply for financial assistance. Applying is free and will not affect your care.',
  }),
});

export type StatementSettings = z.output<typeof StatementSettingsSchema>;

/** The settings a practice's statements are made with: its own letterhead when "practices" lists it. */
export function settingsForPractice(settings: StatementSettings, practiceId: string | undefined): StatementSettings {
  const own = practiceId === undefined ? undefined : settings.practices[practiceId];
  return own === undefined ? settings : { ...settings, practice: own };
}

/** Parse settings, reporting every problem at once as STATEMENT_SETTINGS_INVALID. */
export function parseStatementSettings(input: unknown = {}): StatementSettings {
  const parsed = StatementSettingsSchema.safeParse(input ?? {});
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new ClaimsError({
      code: 'STATEMENT_SETTINGS_INVALID',
      message: `invalid statement settings:\n  ${problems.join('\n  ')}`,
    });
  }
  return parsed.data;
}
