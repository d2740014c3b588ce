// Payment plans in the database: created from a plans file (CSV or NDJSON with account, amount,
// installments, start, frequency) or from `claims plans add`. Creating is idempotent on a plan key (the
// file's sha256 and line, or the command's fields), so a file dropped twice makes each plan once.
import type pg from 'pg';
import { sha256Hex } from '../common/content-hash.ts';
import { ClaimsError, toClaimsError, type Location } from '../common/errors.ts';
import { parseCents } from '../common/money.ts';
import { isIsoDate } from '../common/dates.ts';
import { CsvReader } from '../common/csv-reader.ts';
import { controlCharacterAt, controlCharacterMessage } from '../common/input-text.ts';
import { PLAN_FREQUENCIES, type PlanFrequency } from './plans.ts';
import { ACCOUNT_PRACTICE, CANCEL_PLAN, INSERT_PLAN, LATEST_PLAN, LIST_PLANS, PLAN_BY_KEY } from './sql.ts';

export interface PlanRequest {
  accountNumber: string;
  totalCents: bigint;
  installments: number;
  startOn: string;
  frequency: PlanFrequency;
  /** The day the plan is agreed: payments from then on count toward it. */
  createdOn: string;
  planKey: string;
  source?: { fileSha256: string; fileName: string; line: number };
  /** The practice the command acts for (`--practice`): an account of another practice is refused. */
  practiceId?: string;
}

type Queryable = Pick<pg.ClientBase, 'query'>;

/**
 * Refuse an account of another practice than the one the command acts for (PLAN_ACCOUNT_OF_OTHER_PRACTICE,
 * naming the account and both practices). An account that does not exist passes: the caller says so its way.
 */
export async function checkAccountPractice(db: Queryable, accountNumber: string, practiceId: string | undefined, location: Location = {}): Promise<void> {
  if (practiceId === undefined) return;
  const owner = (await db.query<{ practice_id: string }>(ACCOUNT_PRACTICE, [accountNumber])).rows[0]?.practice_id;
  if (owner !== undefined && owner !== practiceId) {
    throw new ClaimsError({
      code: 'PLAN_ACCOUNT_OF_OTHER_PRACTICE',
      message: `guarantor account ${accountNumber} is practice ${owner}'s, not practice ${practiceId}'s (--practice ${practiceId}): nothing done for it`,
      location: { ...location, field: 'account' }, expected: `an account of practice ${practiceId}`, found: `${accountNumber} of practice ${owner}`,
    });
  }
}

/**
 * 'created' or 'duplicate'; throws PLAN_ACCOUNT_UNKNOWN for an account that does not exist and, with a
 * practice, PLAN_ACCOUNT_OF_OTHER_PRACTICE for another practice's account.
 */
export async function createPlan(db: Queryable, p: PlanRequest): Promise<{ outcome: 'created' | 'duplicate'; planId: string }> {
  await checkAccountPractice(db, p.accountNumber, p.practiceId, p.source === undefined ? {} : { file: p.source.fileName, line: p.source.line });
  const r = await db.query<{ id: string }>(INSERT_PLAN, [
    p.planKey, p.accountNumber, p.totalCents.toString(), p.installments, p.startOn, p.frequency, p.createdOn,
    p.source?.fileSha256 ?? null, p.source?.fileName ?? null, p.source?.line ?? null,
  ]);
  if (r.rows[0]) return { outcome: 'created', planId: r.rows[0].id };
  const existing = (await db.query<{ id: string }>(PLAN_BY_KEY, [p.planKey])).rows[0];
  if (existing) return { outcome: 'duplicate', planId: existing.id };
  throw new ClaimsError({ code: 'PLAN_ACCOUNT_UNKNOWN', message: `no guarantor account ${p.accountNumber}`, found: p.accountNumber });
}

/**
 * Cancel the account's current plan from a date (the patient asked, or the office ended it): from then the
 * dunning cycle resumes as after a default. Cancelling again changes nothing. With a practice, an account of
 * another practice is refused (PLAN_ACCOUNT_OF_OTHER_PRACTICE).
 */
export async function cancelPlan(db: Queryable, accountNumber: string, date: string, practiceId?: string): Promise<{ outcome: 'cancelled' | 'already_cancelled' | 'no_plan'; planId?: string; cancelledOn?: string }> {
  await checkAccountPractice(db, accountNumber, practiceId);
  const r = await db.query<{ id: string }>(CANCEL_PLAN, [accountNumber, date]);
  if (r.rows[0]) return { outcome: 'cancelled', planId: r.rows[0].id, cancelledOn: date };
  const latest = (await db.query<{ id: string; cancelled_on: string | null }>(LATEST_PLAN, [accountNumber, date])).rows[0];
  if (!latest) return { outcome: 'no_plan' };
  return { outcome: 'already_cancelled', planId: latest.id, cancelledOn: latest.cancelled_on ?? date };
}

/** Validate a plan's fields from text (file or command line); every problem becomes PLAN_FIELD_INVALID. */
export function planFields(raw: Record<string, string | undefined>, location: Location = {}): Omit<PlanRequest, 'createdOn' | 'planKey' | 'source'> {
  const bad = (field: string, expected: string, found: string | undefined): never => {
    throw new ClaimsError({ code: 'PLAN_FIELD_INVALID', message: `${field}: expected ${expected}`, location: { ...location, field }, expected, found: found ?? '' });
  };
  const account = raw.account?.trim() || bad('account', 'an account number', raw.account);
  // The account is stored with the plan: a NUL would fail the insert (and the whole file), a control
  // character match no account. Either is this row's fault, reported with its field.
  const controlAt = controlCharacterAt(account);
  if (controlAt !== -1) {
    throw new ClaimsError({ code: 'PLAN_FIELD_CONTROL_CHARACTER', message: controlCharacterMessage('account', account, controlAt), location: { ...location, field: 'account' }, expected: 'text without control characters', found: account });
  }
  const totalCents = parseCents((raw.amount ?? '').trim(), { ...location, field: 'amount' });
  if (totalCents <= 0n) bad('amount', 'an amount above 0', raw.amount);
  const installments = Number(raw.installments);
  if (!Number.isInteger(installments) || installments < 1 || installments > 120) bad('installments', 'a whole number from 1 to 120', raw.installments);
  const startOn = raw.start?.trim() ?? '';
  if (!isIsoDate(startOn)) bad('start', 'YYYY-MM-DD', raw.start);
  const frequency = (raw.frequency ?? 'monthly').trim().toLowerCase();
  if (!(PLAN_FREQUENCIES as readonly string[]).includes(frequency)) bad('frequency', PLAN_FREQUENCIES.join(' | '), raw.frequency);
  if (totalCents < BigInt(installments)) bad('amount', 'at least one cent per installment', raw.amount);
  return { accountNumber: account, totalCents, installments, startOn, frequency: frequency as PlanFrequency };
}

/** Rows of a plans file (CSV with a header row, or NDJSON), each as text fields with its line. */
export function plansFileRows(text: string): { fields: Record<string, string>; line: number; invalid?: true }[] {
  const body = text.replace(/^\uFEFF/, '');
  if (body.trimStart().startsWith('{')) {
    return body.split('\n').flatMap((l, i) => {
      if (l.trim() === '') return [];
      let obj: unknown;
      try {
        obj = JSON.parse(l);
      } catch {
        obj = null;
      }
      // A line that is not a JSON object is rejected on its own (importPlansText), like a bad CSV row.
      if (!obj || typeof obj !== 'object' || Array.isArray(obj)) return [{ fields: {}, line: i + 1, invalid: true as const }];
      return [{ fields: Object.fromEntries(Object.entries(obj).map(([k, v]) => [k.toLowerCase(), String(v)])), line: i + 1 }];
    });
  }
  const reader = new CsvReader();
  const records = [...reader.push(body), ...reader.end()];
  const [header, ...rows] = records;
  if (!header) return [];
  const names = header.fields.map((f) => f.trim().toLowerCase());
  return rows.map((r) => ({ fields: Object.fromEntries(names.map((n, i) => [n, r.fields[i] ?? ''])), line: r.line }));
}

export interface PlansImportResult {
  fileSha256: string;
  created: number;
  duplicate: number;
  rejected: ClaimsError[];
  /** The accounts a plan was created for (the audit trail names them). */
  accounts: string[];
}

/**
 * Create the plans of a plans file's text, each row on its own: a bad row or an unknown account is
 * rejected with its line, the others are created (or found again: the plan key is the file's sha256 and line).
 * `today` is the created_on of rows that do not name one.
 */
export async function importPlansText(db: Queryable, text: string, fileName: string, today: string, practiceId?: string): Promise<PlansImportResult> {
  const fileSha256 = sha256Hex(text);
  const result: PlansImportResult = { fileSha256, created: 0, duplicate: 0, rejected: [], accounts: [] };
  for (const row of plansFileRows(text)) {
    const where = { file: fileName, line: row.line };
    try {
      if (row.invalid) throw new ClaimsError({ code: 'PLAN_ROW_INVALID', message: 'not a JSON object', location: where, expected: 'one JSON object per line' });
      const fields = planFields(row.fields, where);
      const createdOn = row.fields.created_on?.trim() || today;
      if (!isIsoDate(createdOn)) throw new ClaimsError({ code: 'PLAN_FIELD_INVALID', message: 'created_on: expected YYYY-MM-DD', location: { ...where, field: 'created_on' }, found: createdOn });
      const r = await createPlan(db, {
        ...fields, createdOn, planKey: `file:${fileSha256}:${row.line}`, source: { fileSha256, fileName, line: row.line },
        ...(practiceId !== undefined && { practiceId }),
      });
      result[r.outcome] += 1;
      if (r.outcome === 'created') result.accounts.push(fields.accountNumber);
    } catch (err) {
      const e = toClaimsError(err, where);
      if (e.code === 'INTERNAL' || e.code.startsWith('DATABASE')) throw err;
      result.rejected.push(e);
    }
  }
  return result;
}

export interface StoredPlan {
  planId: string;
  practiceId: string;
  accountNumber: string;
  totalCents: bigint;
  installments: number;
  startOn: string;
  frequency: PlanFrequency;
  createdOn: string;
  cancelledOn: string | null;
}

/** Every payment plan, or one practice's, by practice, account and the day agreed. */
export async function listPlans(db: Queryable, practiceId?: string): Promise<StoredPlan[]> {
  const { rows } = await db.query<{
    id: string; practice_id: string; account_number: string; total_cents: string; installments: number; start_on: string;
    frequency: PlanFrequency; created_on: string; cancelled_on: string | null;
  }>(LIST_PLANS, [practiceId ?? null]);
  return rows.map((r) => ({
    planId: r.id, practiceId: r.practice_id, accountNumber: r.account_number, totalCents: BigInt(r.total_cents), installments: r.installments,
    startOn: r.start_on, frequency: r.frequency, createdOn: r.created_on, cancelledOn: r.cancelled_on,
  }));
}
