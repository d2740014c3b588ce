// The statement run for one date: page through guarantor accounts, post the ledger moves the date calls for
// (a silent later payer's share to the patient, credits applied, small balances written off), then record
// and render the statements due. Statements are recorded (one per account and date) before their files are
// written; a statement recorded without its file (a crash in between) is rendered by the next run of that
// date, so a rerun issues nothing new and loses nothing.
import type pg from 'pg';
import { recordAudit } from '../runtime/audit.ts';
import type { Logger } from '../runtime/logger.ts';
import { withTransaction } from '../runtime/database.ts';
import { postBatch } from '../ledger/post.ts';
import type { Entry } from '../ledger/types.ts';
import { creditAppliedEntry, nextPayerTimeoutEntry, PATIENT_REASONS, smallBalanceEntry } from '../patients/posting-rules.ts';
import { assessAccount, statementFor, type AccountAssessment, type AccountSnapshot } from './account.ts';
import { accountPage, accountsByNumber, loadSnapshots, type GuarantorRow } from './load.ts';
import type { Statement } from './model.ts';
import { StatementOutput } from './output.ts';
import { settingsForPractice, type StatementSettings } from './settings.ts';
import { HELD_ON, INSERT_STATEMENTS, MARK_WRITTEN, PROVISIONAL_BALANCES, RECORDED_ON, UNWRITTEN } from './sql.ts';
import { formatDecimal } from '../common/money.ts';
import { sha256Hex } from '../common/content-hash.ts';
import { csvText } from '../common/csv-writer.ts';

export interface StatementRunOptions {
  asOf: string;
  outDir: string;
  settings: StatementSettings;
  logger: Logger;
  runId?: string;
  /** Only these accounts (default: every guarantor account). */
  accounts?: string[];
  /** Only this practice's accounts (default: every practice's). */
  practiceId?: string;
  pageSize?: number;
  perStatementPdf?: boolean;
  /** false: the print-vendor CSV only, no PDFs (see StatementOutputOptions.batchPdf). */
  batchPdf?: boolean;
  signal?: AbortSignal;
}

export interface StatementRunResult {
  asOf: string;
  accounts: number;
  issued: { accountNumber: string; statementId: string; kind: string; amountDueCents: bigint; pdfFile: string }[];
  held: { accountNumber: string; reason: string; amountDueCents: bigint }[];
  /** Patient balances under provisional patients (unmatched remittances): never mailed. */
  provisional: { patientId: string; amountCents: bigint }[];
  refundsDue: { accountNumber: string; amountCents: bigint; creditSince: string; days: number }[];
  ledger: { timeouts: number; timeoutsUndone: number; creditsApplied: number; smallBalances: number };
  files: string[];
}

const STATEMENT_COLUMNS = 14;

/** JSON for the statements.model column: bigint as decimal text. */
export function statementJson(s: Statement): string {
  return JSON.stringify(s, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
}

/** The inverse of statementJson: every `...Cents` field back to bigint. */
export function statementFromJson(json: unknown): Statement {
  return JSON.parse(JSON.stringify(json), (k, v: unknown) => (k.endsWith('Cents') && typeof v === 'string' ? BigInt(v) : v)) as Statement;
}

function ledgerEntries(a: AccountSnapshot, x: AccountAssessment, asOf: string): Entry[] {
  const out: Entry[] = [];
  for (const m of x.timeoutMoves) {
    out.push(nextPayerTimeoutEntry({ claimId: m.claimId, accountNumber: a.accountNumber, payerId: m.payerId }, m.amountCents, asOf, m.undo));
  }
  for (const act of x.balanceActions) {
    if (act.kind === 'apply_credit') out.push(creditAppliedEntry(a.accountNumber, act.amountCents, asOf));
    if (act.kind === 'write_off_small_balance') out.push(smallBalanceEntry(a.accountNumber, act.amountCents, asOf));
  }
  return out;
}

export async function runStatements(pool: pg.Pool, opts: StatementRunOptions): Promise<StatementRunResult> {
  const { asOf, settings, logger } = opts;
  const result: StatementRunResult = {
    asOf, accounts: 0, issued: [], held: [], provisional: [], refundsDue: [],
    ledger: { timeouts: 0, timeoutsUndone: 0, creditsApplied: 0, smallBalances: 0 }, files: [],
  };
  const output = new StatementOutput({ outDir: opts.outDir, asOf, batchStatementsMax: settings.batchPdfStatementsMax, perStatementPdf: opts.perStatementPdf ?? true, batchPdf: opts.batchPdf ?? true });
  const pageSize = opts.pageSize ?? 1000;
  try {
    await renderUnwritten(pool, asOf, output, result);
    let after = '';
    const only = opts.accounts ? [...opts.accounts].sort() : null;
    for (let offset = 0; ; offset += pageSize) {
      if (opts.signal?.aborted) break;
      const page: GuarantorRow[] = only
        ? (await accountsByNumber(pool, only.slice(offset, offset + pageSize))).filter((g) => opts.practiceId === undefined || g.practice_id === opts.practiceId)
        : await accountPage(pool, after, pageSize, opts.practiceId);
      if (page.length === 0) break;
      after = (page.at(-1) as GuarantorRow).account_number;
      result.accounts += page.length;
      await runPage(pool, page, opts, output, result);
      if (only && offset + pageSize >= only.length) break;
    }
    const provisional = await pool.query<{ patient_id: string; amount_cents: string }>(PROVISIONAL_BALANCES, [asOf]);
    result.provisional = provisional.rows.map((r) => ({ patientId: r.patient_id, amountCents: BigInt(r.amount_cents) }));
  } finally {
    await output.close();
  }
  result.files = output.files;
  await recordAudit(pool, {
    command: opts.runId ? 'run:statements' : 'statements', action: 'write',
    accounts: result.issued.map((i) => i.accountNumber), files: result.files, ...(opts.runId && { runId: opts.runId }),
  });
  logger.info({ asOf, accounts: result.accounts, issued: result.issued.length, held: result.held.length, provisional: result.provisional.length, refundsDue: result.refundsDue.length, ...result.ledger }, 'statement run done');
  return result;
}

async function runPage(pool: pg.Pool, page: GuarantorRow[], opts: StatementRunOptions, output: StatementOutput, result: StatementRunResult): Promise<void> {
  const { asOf, settings } = opts;
  let snapshots = await loadSnapshots(pool, page, asOf, settings);
  let assessed = snapshots.map((a) => ({ a, x: assessAccount(a, settings, asOf) }));

  // Ledger moves first, the page's in one batch (one transaction, one COPY: a batch per entry cost a round
  // trip each); then reload the accounts they touched. Each entry keeps its own key, and the assessment
  // proposes only moves not yet posted (balances and timeout keys say so), so a rerun proposes none; the
  // batch key is a hash of the entry keys, so a retry of the same batch is a duplicate, not a second posting.
  const touched = new Set<string>();
  const moves: Entry[] = [];
  for (const { a, x } of assessed) {
    const entries = ledgerEntries(a, x, asOf);
    if (entries.length > 0) touched.add(a.accountNumber);
    moves.push(...entries);
  }
  if (moves.length > 0) {
    const key = `statement-moves:${asOf}:${sha256Hex(moves.map((e) => e.key).join('\n')).slice(0, 32)}`;
    if ((await postBatch(pool, { key, entries: moves })) === 'posted') {
      for (const entry of moves) {
        if (entry.reason === PATIENT_REASONS.nextPayerTimeout) result.ledger.timeouts += 1;
        else if (entry.reason === PATIENT_REASONS.nextPayerTimeoutUndone) result.ledger.timeoutsUndone += 1;
        else if (entry.reason === PATIENT_REASONS.creditApplied) result.ledger.creditsApplied += 1;
        else result.ledger.smallBalances += 1;
      }
    }
  }
  if (touched.size > 0) {
    const fresh = await loadSnapshots(pool, page.filter((g) => touched.has(g.account_number)), asOf, settings);
    const byNumber = new Map(fresh.map((a) => [a.accountNumber, a]));
    snapshots = snapshots.map((a) => byNumber.get(a.accountNumber) ?? a);
    assessed = snapshots.map((a) => ({ a, x: assessAccount(a, settings, asOf) }));
  }

  const due: Statement[] = [];
  const rules = new Map<string, string>();
  const receivables = new Map<string, bigint>();
  for (const { a, x } of assessed) {
    for (const act of x.balanceActions) {
      if (act.kind === 'refund_due') result.refundsDue.push({ accountNumber: a.accountNumber, amountCents: act.amountCents, creditSince: act.creditSince, days: act.days });
    }
    if (!x.decision.due) continue;
    due.push(statementFor(a, x, settingsForPractice(settings, a.practiceId), asOf));
    rules.set(a.accountNumber, x.decision.rule);
    receivables.set(a.accountNumber, x.receivableCents);
  }
  if (due.length === 0) return;

  const inserted = await withTransaction(pool, async (client) => {
    const cols: unknown[][] = Array.from({ length: STATEMENT_COLUMNS }, () => []);
    for (const s of due) {
      const row = [
        s.accountNumber, s.statementDate, s.kind, s.sequence, s.held ? 'held' : 'issued', s.held, rules.get(s.accountNumber),
        s.totals.balanceCents.toString(), s.totals.amountDueCents.toString(), (receivables.get(s.accountNumber) ?? 0n).toString(),
        s.dueDate, statementJson(s), null, opts.runId ?? null,
      ];
      row.forEach((v, i) => (cols[i] as unknown[]).push(v));
    }
    const r = await client.query<{ account_number: string }>(INSERT_STATEMENTS, cols);
    return new Set(r.rows.map((x) => x.account_number));
  });

  const written: { account: string; pdf: string }[] = [];
  for (const s of due) {
    if (!inserted.has(s.accountNumber)) continue;
    if (s.held) {
      result.held.push({ accountNumber: s.accountNumber, reason: s.held, amountDueCents: s.totals.amountDueCents });
      continue;
    }
    const pdf = await output.add(s);
    written.push({ account: s.accountNumber, pdf });
    result.issued.push({ accountNumber: s.accountNumber, statementId: s.statementId, kind: s.kind, amountDueCents: s.totals.amountDueCents, pdfFile: pdf });
  }
  await markWritten(pool, asOf, written);
}

async function markWritten(pool: pg.Pool, asOf: string, written: { account: string; pdf: string }[]): Promise<void> {
  if (written.length === 0) return;
  await pool.query(MARK_WRITTEN, [asOf, written.map((w) => w.account), written.map((w) => w.pdf)]);
}

/** Statements of this date recorded by an earlier run that stopped before writing their files. */
async function renderUnwritten(pool: pg.Pool, asOf: string, output: StatementOutput, result: StatementRunResult): Promise<void> {
  const rows = await pool.query<{ account_number: string; model: unknown }>(UNWRITTEN, [asOf]);
  const written: { account: string; pdf: string }[] = [];
  for (const row of rows.rows) {
    const s = statementFromJson(row.model);
    const pdf = await output.add(s);
    written.push({ account: row.account_number, pdf });
    result.issued.push({ accountNumber: s.accountNumber, statementId: s.statementId, kind: s.kind, amountDueCents: s.totals.amountDueCents, pdfFile: pdf });
  }
  await markWritten(pool, asOf, written);
}

/** A refund report as CSV text (for analysts: who is owed what, since when). */
export function refundReportCsv(rows: StatementRunResult['refundsDue']): string {
  return csvText([['account_number', 'credit', 'credit_since', 'days'], ...rows.map((r) => [r.accountNumber, formatDecimal(r.amountCents), r.creditSince, r.days])]);
}

/** How many statements (issued or held) are recorded for a date: a rerun of that date finds them. */
export async function statementsRecordedOn(pool: pg.Pool, asOf: string): Promise<number> {
  return (await pool.query<{ n: number }>(RECORDED_ON, [asOf])).rows[0]?.n ?? 0;
}

/** Statements of a date that were due but held (from every run of that date, not only the last). */
export async function heldStatementsOn(pool: pg.Pool, asOf: string): Promise<StatementRunResult['held']> {
  const rows = await pool.query<{ account_number: string; held_reason: string; amount_due_cents: string }>(HELD_ON, [asOf]);
  return rows.rows.map((r) => ({ accountNumber: r.account_number, reason: r.held_reason, amountDueCents: BigInt(r.amount_due_cents) }));
}

/** The held report as CSV: statements not mailed and why, then balances under provisional patients. */
export function heldReportCsv(held: StatementRunResult['held'], provisional: StatementRunResult['provisional']): string {
  return csvText([
    ['account_number', 'reason', 'amount'],
    ...held.map((h) => [h.accountNumber, h.reason, formatDecimal(h.amountDueCents)]),
    ...provisional.map((p) => [p.patientId, 'provisional_patient', formatDecimal(p.amountCents)]),
  ]);
}
