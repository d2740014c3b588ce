// Ledger read side: the trial balance, one account's balance, balances per claim. Sums come back from
// Postgres as text and become bigint cents here: never a float on the way.
import type pg from 'pg';
import { ClaimsError } from '../common/errors.ts';
import { isIsoDate } from '../common/dates.ts';
import type { PoolSource } from './post.ts';
import { ACCOUNT_BALANCE, CLAIM_BALANCES, TRIAL_BALANCE } from './sql.ts';
import type { AccountKind, AccountRef } from './types.ts';

export interface AccountBalance {
  /** The practice whose books hold the account. */
  practiceId: string;
  kind: AccountKind;
  payerId: string | null;
  patientId: string | null;
  balanceCents: bigint;
}

export interface TrialBalance {
  /** The as-of date asked for (lines effective on or before it), or null for everything posted. */
  asOf: string | null;
  /** The practice asked for, or null for every practice (the office's view). */
  practiceId: string | null;
  /** One row per account with at least one line in range, in ACCOUNT_KINDS order then payer, patient. */
  accounts: AccountBalance[];
  /** Sum over all accounts: 0 in a double-entry ledger, reported so that any drift is visible. */
  totalCents: bigint;
  /** Per practice with accounts in range, the sum of its accounts: 0 for each, every entry stays in one practice. */
  practiceTotals: Map<string, bigint>;
}

export interface AsOf {
  /** YYYY-MM-DD: only lines of entries effective on or before this date. */
  asOf?: string;
}

export interface BalanceScope extends AsOf {
  /** One practice's books; absent: every practice. */
  practiceId?: string;
}

/** A pool, a Database, or a client inside a transaction. */
export type Queryable = PoolSource | pg.ClientBase;

function queryable(db: Queryable): Pick<pg.ClientBase, 'query'> {
  return 'pool' in db ? db.pool : db;
}

function asOfParam(opts: AsOf): string | null {
  if (opts.asOf === undefined) return null;
  if (!isIsoDate(opts.asOf)) {
    throw new ClaimsError({ code: 'LEDGER_DATE_INVALID', message: `as-of date ${JSON.stringify(opts.asOf)} is not a calendar date`, expected: 'YYYY-MM-DD', found: opts.asOf });
  }
  return opts.asOf;
}

interface BalanceRow {
  practice_id: string;
  kind: AccountKind;
  payer_id: string | null;
  patient_id: string | null;
  balance_cents: string;
}

function toBalance(row: BalanceRow): AccountBalance {
  return { practiceId: row.practice_id, kind: row.kind, payerId: row.payer_id, patientId: row.patient_id, balanceCents: BigInt(row.balance_cents) };
}

/** The trial balance: every account's balance and their total (always 0n). */
export async function balances(db: Queryable, opts: BalanceScope = {}): Promise<TrialBalance> {
  const asOf = asOfParam(opts);
  const practiceId = opts.practiceId ?? null;
  const result = await queryable(db).query<BalanceRow>(TRIAL_BALANCE, [asOf, practiceId]);
  const accounts = result.rows.map(toBalance);
  let totalCents = 0n;
  const practiceTotals = new Map<string, bigint>();
  for (const a of accounts) {
    totalCents += a.balanceCents;
    practiceTotals.set(a.practiceId, (practiceTotals.get(a.practiceId) ?? 0n) + a.balanceCents);
  }
  return { asOf, practiceId, accounts, totalCents, practiceTotals };
}

/** The balance of one account (0n when it does not exist or has no lines in range). */
export async function accountBalance(db: Queryable, ref: AccountRef, opts: AsOf = {}): Promise<bigint> {
  const result = await queryable(db).query<{ balance_cents: string }>(ACCOUNT_BALANCE, [
    ref.kind, ref.payerId ?? null, ref.patientId ?? null, asOfParam(opts), ref.practiceId ?? null,
  ]);
  return BigInt(result.rows[0]?.balance_cents ?? '0');
}

/**
 * For each claim id, the balance per account of the lines tagged with that claim (accounts without lines
 * for the claim are left out; a claim with no lines maps to an empty list).
 */
export async function claimBalances(db: Queryable, claimIds: readonly string[], opts: AsOf = {}): Promise<Map<string, AccountBalance[]>> {
  const out = new Map<string, AccountBalance[]>(claimIds.map((id) => [id, []]));
  if (claimIds.length === 0) return out;
  const result = await queryable(db).query<BalanceRow & { claim_id: string }>(CLAIM_BALANCES, [[...claimIds], asOfParam(opts)]);
  for (const row of result.rows) out.get(row.claim_id)?.push(toBalance(row));
  return out;
}
