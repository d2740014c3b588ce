// The referrals run for one date. First the accounts already with an agency: payments and adjustments posted
// since placement are applied to the placed balance and recorded as balance updates; accounts disputed, in
// assistance review, recalled by command or paid to zero are recalled. Then the candidates (a final notice
// mailed): the rules decide (rules.ts); a referral is recorded and its ledger move posted in one transaction,
// under the account's lock and a unique index, so neither a rerun nor a concurrent run can refer it twice.
// Last, the rows go out as files (files.ts), one per agency, kind and practice. With `practiceId`, all of it
// for that practice's accounts only. Rerunning a date finds nothing new to do.
import type pg from 'pg';
import { recordAudit } from '../runtime/audit.ts';
import { withTransaction } from '../runtime/database.ts';
import type { Logger } from '../runtime/logger.ts';
import { postBatchInTransaction } from '../ledger/post.ts';
import type { Entry } from '../ledger/types.ts';
import { accountsByNumber } from '../statements/load.ts';
import { addDays } from '../common/dates.ts';
import { adjustmentAppliedEntry, paymentAppliedEntry, recallEntry, referralEntry, referralKey } from './posting-rules.ts';
import { loadAccountFacts, type AccountFacts } from './facts.ts';
import { recordFiles, writeRecordedFiles, type WrittenFile } from './files.ts';
import { accountHolds } from '../patients/holds.ts';
import { creditReporting, loadPlacementInputs, placementRecord } from './placement.ts';
import { recordToJson, type EcaNoticeRecord, type RecallRecord, type UpdateRecord } from './records.ts';
import { decideRecall, decideReferral, type ReferralDecision, type ReferralRule } from './rules.ts';
import { agenciesForPractice, effectivePolicy, type EffectivePolicy, type ReferralSettings } from './settings.ts';
import * as SQL from './sql.ts';

export interface ReferralRunOptions {
  asOf: string;
  outDir: string;
  settings: ReferralSettings;
  logger: Logger;
  runId?: string;
  /** Only these guarantor accounts (default: every account with a final notice or a referral). */
  accounts?: string[];
  /** Only this practice's accounts, placed and new alike, and only its files (default: every practice's). */
  practiceId?: string;
  pageSize?: number;
  signal?: AbortSignal;
}

export interface ReferralRunResult {
  asOf: string;
  candidates: number;
  placed: { accountNumber: string; practiceId: string; agencyId: string; referralId: string; amountCents: bigint }[];
  updates: { accountNumber: string; practiceId: string; referralId: string; kind: 'payment' | 'adjustment'; amountCents: bigint; balanceCents: bigint }[];
  recalls: { accountNumber: string; practiceId: string; referralId: string; reason: string; amountCents: bigint }[];
  notices: { accountNumber: string; practiceId: string; ecaNotBefore: string }[];
  /** How many candidates each rule kept from referral. */
  notReferred: Partial<Record<ReferralRule, number>>;
  files: string[];
}

type Client = pg.PoolClient;

async function patientBalances(client: Client, accountNumber: string, asOf: string) {
  const rows = (await client.query<{ kind: string; balance_cents: string }>(SQL.PATIENT_BALANCES, [accountNumber, asOf])).rows;
  const of = (kind: string) => BigInt(rows.find((r) => r.kind === kind)?.balance_cents ?? '0');
  // Credit is a liability: a negative ledger balance is credit held for the patient.
  return { receivable: of('patient_receivable'), credit: -of('patient_credit'), collections: of('collections_receivable') };
}

async function post(client: Client, entry: Entry): Promise<void> {
  await postBatchInTransaction(client, { key: entry.key, entries: [entry] });
}

async function lastPaymentDate(client: Client, accountNumber: string, asOf: string): Promise<string> {
  return (await client.query<{ paid_on: string }>(SQL.LAST_PAYMENT, [accountNumber, asOf])).rows[0]?.paid_on ?? '';
}

interface ActiveRow { id: string; account_number: string; practice_id: string; agency_id: string; cycle_started_on: string; placed_on: string; recall_requested_on: string | null; recall_reason: string | null }

/** Balance updates and recalls for one placed account, in one transaction under the account's lock. */
async function reviewPlaced(client: Client, r: ActiveRow, asOf: string, policy: EffectivePolicy, result: ReferralRunResult): Promise<void> {
  await client.query(SQL.LOCK_ACCOUNT, [r.account_number]);
  const still = await client.query(SQL.REFERRAL_STILL_PLACED, [r.id]);
  if (still.rowCount === 0) return;
  const events = Number((await client.query<{ n: number }>(SQL.EVENT_COUNT, [r.id])).rows[0]?.n ?? 0);
  let n = events;
  const b = await patientBalances(client, r.account_number, asOf);
  let collections = b.collections;
  const paidOn = await lastPaymentDate(client, r.account_number, asOf);
  const update = async (kind: 'payment' | 'adjustment', amount: bigint) => {
    const key = `collections-${kind}:${r.id}:${++n}`;
    await post(client, kind === 'payment' ? paymentAppliedEntry(key, r.account_number, amount, asOf) : adjustmentAppliedEntry(key, r.account_number, amount, asOf));
    collections -= amount;
    const record: UpdateRecord = { accountNumber: r.account_number, referralId: r.id, transactionDate: asOf, transactionType: kind === 'payment' ? 'PAYMENT' : 'ADJUSTMENT', amountCents: amount, balanceCents: collections, lastPaymentDate: paidOn };
    await client.query(SQL.INSERT_EVENT, [r.id, kind, asOf, amount.toString(), collections.toString(), null, key, recordToJson(record)]);
    result.updates.push({ accountNumber: r.account_number, practiceId: r.practice_id, referralId: r.id, kind, amountCents: amount, balanceCents: collections });
  };
  // A negative receivable is an adjustment that reduced what was placed; a credit is a payment made to us.
  if (b.receivable < 0n && collections > 0n) await update('adjustment', -b.receivable < collections ? -b.receivable : collections);
  if (b.credit > 0n && collections > 0n) await update('payment', b.credit < collections ? b.credit : collections);

  const holds = (await accountHolds(client, [r.account_number], asOf)).get(r.account_number) ?? [];
  const reason = decideRecall({ asOf, cycleStartedOn: r.cycle_started_on, collectionsBalanceCents: collections, holds, recallRequestedOn: r.recall_requested_on }, policy);
  if (!reason) return;
  const key = `collections-recall:${r.id}`;
  if (collections > 0n) await post(client, recallEntry(key, r.account_number, collections, asOf, reason));
  const record: RecallRecord = { accountNumber: r.account_number, referralId: r.id, recallDate: asOf, recallReason: reason, balanceCents: collections };
  const why = reason === 'REQUESTED' && r.recall_reason ? `REQUESTED: ${r.recall_reason}` : reason;
  await client.query(SQL.INSERT_EVENT, [r.id, 'recall', asOf, collections.toString(), '0', why, collections > 0n ? key : null, recordToJson(record)]);
  await client.query(SQL.CLOSE_REFERRAL, [r.id, reason === 'ZERO_BALANCE' ? 'paid' : 'recalled', asOf, why]);
  result.recalls.push({ accountNumber: r.account_number, practiceId: r.practice_id, referralId: r.id, reason, amountCents: collections });
}

async function reviewAllPlaced(pool: pg.Pool, opts: ReferralRunOptions, policy: EffectivePolicy, result: ReferralRunResult): Promise<void> {
  let after = '0';
  for (;;) {
    if (opts.signal?.aborted) return;
    const page = (await pool.query<ActiveRow>(SQL.ACTIVE_REFERRALS, [opts.asOf, after, opts.pageSize ?? 500, opts.accounts ?? null, opts.practiceId ?? null])).rows;
    if (page.length === 0) return;
    for (const r of page) await withTransaction(pool, (client) => reviewPlaced(client, r, opts.asOf, policy, result));
    after = (page.at(-1) as ActiveRow).id;
  }
}

async function sendNotice(pool: pg.Pool, a: AccountFacts, practiceId: string, d: ReferralDecision, asOf: string, policy: EffectivePolicy, result: ReferralRunResult): Promise<void> {
  const ecaNotBefore = d.sendEcaNotice?.ecaNotBefore;
  const first = a.facts.cycleStartedOn;
  if (!ecaNotBefore || !first) return;
  const g = (await pool.query(SQL.GUARANTOR_DETAILS, [a.facts.accountNumber])).rows[0];
  const record: EcaNoticeRecord = {
    accountNumber: a.facts.accountNumber, noticeDate: asOf,
    guarantorLastName: g.last_name, guarantorFirstName: g.first_name, guarantorAddressLine1: g.address_line1, guarantorAddressLine2: g.address_line2,
    guarantorCity: g.city, guarantorState: g.state, guarantorPostalCode: g.postal_code,
    balanceCents: d.balanceCents, ecaNotBefore,
    actions: 'referral to a collection agency that may report to credit bureaus',
    assistanceDeadline: addDays(first, policy.assistanceApplicationDays ?? 240),
  };
  const inserted = await pool.query(SQL.INSERT_ECA_NOTICE, [a.facts.accountNumber, first, asOf, ecaNotBefore, d.balanceCents.toString(), recordToJson(record)]);
  if (inserted.rowCount) result.notices.push({ accountNumber: a.facts.accountNumber, practiceId, ecaNotBefore });
}

/** Place one account: record the referral and move its balance, all or nothing. False when it was not placed after all. */
async function place(pool: pg.Pool, a: AccountFacts, practiceId: string, d: ReferralDecision, opts: ReferralRunOptions, policy: EffectivePolicy, result: ReferralRunResult): Promise<boolean> {
  const { asOf } = opts;
  const account = a.facts.accountNumber;
  const first = a.facts.cycleStartedOn as string;
  const agencyId = d.agencyId as string;
  return withTransaction(pool, async (client) => {
    await client.query(SQL.LOCK_ACCOUNT, [account]);
    // Under the lock, with payments posted since the facts were read: never place more than is owed now.
    const b = await patientBalances(client, account, asOf);
    const owed = b.receivable - (b.credit > 0n ? b.credit : 0n);
    const amount = owed < d.balanceCents ? owed : d.balanceCents;
    if (amount < policy.minimumBalanceCents) return false;
    const decision = JSON.parse(JSON.stringify({ ...d, balanceCents: amount }, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)));
    const inserted = await client.query<{ id: string }>(SQL.INSERT_REFERRAL, [account, agencyId, first, asOf, amount.toString(), referralKey(account, first), decision, opts.runId ?? null]);
    const referralId = inserted.rows[0]?.id;
    if (referralId === undefined) return false; // placed by a concurrent run, or this cycle's balance was placed before
    await post(client, referralEntry(account, first, amount, asOf, agencyId));
    const itemizationDate = a.facts.finalNoticeOn as string;
    const paymentsSince = a.snapshot.payments.filter((p) => p.date > itemizationDate && p.date <= asOf).reduce((s, p) => s + p.amountCents, 0n);
    const record = placementRecord(
      {
        accountNumber: account, referralId, placedOn: asOf, currentBalanceCents: amount,
        originalBalanceCents: a.receivableOn(first), itemizationDate, itemizationBalanceCents: a.receivableOn(itemizationDate),
        paymentsSinceCents: paymentsSince, dispute: false,
        ...creditReporting(amount, itemizationDate, policy),
      },
      await loadPlacementInputs(client, account, asOf),
    );
    await client.query(SQL.SET_REFERRAL_RECORD, [referralId, recordToJson(record)]);
    result.placed.push({ accountNumber: account, practiceId, agencyId, referralId, amountCents: amount });
    return true;
  });
}

/** The candidates (a final notice mailed), page by page: a 501(r) notice or a placement, with the practice's agencies. */
async function referCandidates(pool: pg.Pool, opts: ReferralRunOptions, policy: EffectivePolicy, result: ReferralRunResult): Promise<void> {
  const { asOf, settings } = opts;
  let after = '';
  for (;;) {
    if (opts.signal?.aborted) return;
    const numbers = (await pool.query<{ account_number: string }>(SQL.CANDIDATE_ACCOUNTS, [asOf, after, opts.pageSize ?? 500, opts.accounts ?? null, opts.practiceId ?? null])).rows.map((r) => r.account_number);
    if (numbers.length === 0) return;
    after = numbers.at(-1) as string;
    result.candidates += numbers.length;
    const guarantors = await accountsByNumber(pool, numbers);
    const practiceOf = new Map(guarantors.map((g) => [g.account_number, g.practice_id]));
    for (const a of await loadAccountFacts(pool, guarantors, asOf, settings)) {
      const practiceId = practiceOf.get(a.facts.accountNumber) as string;
      const d = decideReferral(a.facts, policy, agenciesForPractice(settings, practiceId));
      if (d.sendEcaNotice) await sendNotice(pool, a, practiceId, d, asOf, policy, result);
      const placed = d.refer && (await place(pool, a, practiceId, d, opts, policy, result));
      if (!placed) {
        const rule = d.refer ? 'ALREADY_REFERRED' : d.rule;
        result.notReferred[rule] = (result.notReferred[rule] ?? 0) + 1;
      }
    }
  }
}

/** One audit row per practice: the accounts written about and the files written, each practice's own. */
async function auditRun(pool: pg.Pool, opts: ReferralRunOptions, result: ReferralRunResult, files: WrittenFile[]): Promise<void> {
  const byPractice = new Map<string, { accounts: string[]; files: string[] }>();
  const of = (practiceId: string) => {
    const e = byPractice.get(practiceId) ?? { accounts: [], files: [] };
    byPractice.set(practiceId, e);
    return e;
  };
  for (const x of [...result.placed, ...result.updates, ...result.recalls, ...result.notices]) of(x.practiceId).accounts.push(x.accountNumber);
  for (const f of files) of(f.practiceId).files.push(f.path);
  for (const [practice, e] of [...byPractice].sort(([a], [b]) => (a < b ? -1 : 1))) {
    await recordAudit(pool, { command: opts.runId ? 'run:referrals' : 'referrals', action: 'write', practice, ...e, ...(opts.runId && { runId: opts.runId }) });
  }
}

export async function runReferrals(pool: pg.Pool, opts: ReferralRunOptions): Promise<ReferralRunResult> {
  const { asOf, settings, practiceId } = opts;
  const policy = effectivePolicy(settings);
  const result: ReferralRunResult = { asOf, candidates: 0, placed: [], updates: [], recalls: [], notices: [], notReferred: {}, files: [] };
  // Files a stopped run recorded but did not write go out first, unchanged.
  const files = await writeRecordedFiles(pool, settings, opts.outDir, practiceId);
  await reviewAllPlaced(pool, opts, policy, result);
  await referCandidates(pool, opts, policy, result);
  await recordFiles(pool, settings, asOf, opts.runId, practiceId);
  files.push(...(await writeRecordedFiles(pool, settings, opts.outDir, practiceId)));
  result.files = files.map((f) => f.path);
  await auditRun(pool, opts, result, files);
  opts.logger.info({ asOf, ...(practiceId !== undefined && { practiceId }), candidates: result.candidates, placed: result.placed.length, updates: result.updates.length, recalls: result.recalls.length, notices: result.notices.length, notReferred: result.notReferred }, 'referrals run done');
  return result;
}

/** Ask for an account's recall (by command); the next run writes it to the agency's recall file. */
export async function requestRecall(pool: pg.Pool, accountNumber: string, date: string, reason: string): Promise<{ referralId: string; agencyId: string } | null> {
  const rows = await pool.query<{ id: string; agency_id: string }>(SQL.REQUEST_RECALL, [accountNumber, date, reason]);
  const r = rows.rows[0];
  return r ? { referralId: r.id, agencyId: r.agency_id } : null;
}
