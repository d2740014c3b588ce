// Payer credits owed back (docs/decisions/0100): one row per claim and payer whose payer_credit account holds
// money, with the day it was identified (the effective date of the entry that took the claim's credit from
// nothing to owing), the refund deadline from the payer's rules (Medicare: 60 days from identification, 42 CFR
// 401.305) and the days left. `claims report credit-balances`; `claims payer-refund` clears a row. The query
// reads the ledger; what it means is worked out in TS (pure below the query) so tests and CLI share it.
import type pg from 'pg';
import { addDays, daysBetween } from '../common/dates.ts';
import { formatDecimal } from '../common/money.ts';
import { csvText } from '../common/csv-writer.ts';
import { loadPayerRules } from '../claims/payer-rules.ts';
import { table } from './reports.ts';

type Queryable = Pick<pg.ClientBase, 'query'>;

/** payer_credit movements per claim and day, oldest first ($1 as-of date or NULL, $2 practice or NULL). */
export const CREDIT_MOVEMENTS = `
  SELECT a.practice_id, a.payer_id, coalesce(l.claim_id, '') AS claim_id, e.effective_date::text AS effective_date,
    sum(l.amount_cents)::text AS cents
  FROM accounts a
  JOIN entry_lines l ON l.account_id = a.id
  JOIN entries e ON e.batch_id = l.batch_id AND e.ordinal = l.entry_ordinal
  WHERE a.kind = 'payer_credit' AND ($1::date IS NULL OR e.effective_date <= $1::date) AND ($2::text IS NULL OR a.practice_id = $2::text)
  GROUP BY a.practice_id, a.payer_id, coalesce(l.claim_id, ''), e.effective_date
  ORDER BY a.practice_id COLLATE "C", a.payer_id COLLATE "C", coalesce(l.claim_id, '') COLLATE "C", e.effective_date`;

/** The patient control number of the submitted claims among $1 (claims.id). */
const CLAIM_PCNS = `SELECT id::text AS id, patient_control_number FROM claims WHERE id = ANY($1::bigint[])`;

export interface CreditMovement {
  practiceId: string;
  payerId: string;
  claimId: string;
  effectiveDate: string;
  /** Signed, debit positive: a credit (negative) is more owed to the payer. */
  amountCents: bigint;
}

export interface CreditBalanceRow {
  practice: string;
  payer: string;
  /** The ledger's claim id (claims.id, or `unmatched:...` for a claim this system never sent). */
  claim: string;
  patientControlNumber: string;
  /** Owed back to the payer. */
  amountCents: bigint;
  identifiedOn: string;
  /** identifiedOn + the payer's overpaymentRefundDays; null when the payer states none. */
  refundDueBy: string | null;
  /** From the as-of date to refundDueBy (negative: late); null without a deadline. */
  daysLeft: number | null;
}

/**
 * Pure: the movements (ordered per claim and payer by date) -> the claims owing, each identified on the last
 * day its credit went from nothing owed to owing.
 */
export function creditBalances(movements: readonly CreditMovement[], refundDays: (payerId: string) => number | null, asOf: string): Omit<CreditBalanceRow, 'patientControlNumber'>[] {
  const out: Omit<CreditBalanceRow, 'patientControlNumber'>[] = [];
  let i = 0;
  while (i < movements.length) {
    const first = movements[i]!;
    let owed = 0n;
    let identifiedOn = first.effectiveDate;
    for (; i < movements.length; i++) {
      const m = movements[i]!;
      if (m.practiceId !== first.practiceId || m.payerId !== first.payerId || m.claimId !== first.claimId) break;
      const next = owed - m.amountCents;
      if (owed <= 0n && next > 0n) identifiedOn = m.effectiveDate;
      owed = next;
    }
    if (owed <= 0n) continue;
    const days = refundDays(first.payerId);
    const refundDueBy = days === null ? null : addDays(identifiedOn, days);
    out.push({
      practice: first.practiceId, payer: first.payerId, claim: first.claimId, amountCents: owed, identifiedOn,
      refundDueBy, daysLeft: refundDueBy === null ? null : daysBetween(asOf, refundDueBy),
    });
  }
  return out;
}

/** The report as of `asOf` (today when the caller has no other date), of one practice or all. */
export async function creditBalanceReport(db: Queryable, opts: { asOf: string; practice?: string }): Promise<CreditBalanceRow[]> {
  const { rows } = await db.query<{ practice_id: string; payer_id: string; claim_id: string; effective_date: string; cents: string }>(
    CREDIT_MOVEMENTS, [opts.asOf, opts.practice ?? null]);
  const movements = rows.map((r) => ({ practiceId: r.practice_id, payerId: r.payer_id, claimId: r.claim_id, effectiveDate: r.effective_date, amountCents: BigInt(r.cents) }));
  const rules = await loadPayerRules(db, [...new Set(movements.map((m) => m.payerId))]);
  const owing = creditBalances(movements, (p) => rules.get(p)?.overpaymentRefundDays ?? null, opts.asOf);
  const submitted = owing.map((r) => r.claim).filter((c) => /^\d{1,18}$/.test(c));
  const pcns = new Map<string, string>();
  if (submitted.length > 0) {
    const found = await db.query<{ id: string; patient_control_number: string }>(CLAIM_PCNS, [submitted]);
    for (const r of found.rows) pcns.set(r.id, r.patient_control_number);
  }
  // A claim this system never sent: its ledger id ends with the CLP01 (remittances/plan.ts unmatchedClaimId).
  return owing.map((r) => ({ ...r, patientControlNumber: pcns.get(r.claim) ?? (r.claim.startsWith('unmatched:') ? r.claim.slice(r.claim.lastIndexOf(':') + 1) : '') }));
}

const HEADER = ['PRACTICE', 'PAYER', 'CLAIM', 'CLM01', 'AMOUNT', 'IDENTIFIED', 'REFUND DUE BY', 'DAYS LEFT'];

function cells(r: CreditBalanceRow): string[] {
  return [r.practice, r.payer, r.claim, r.patientControlNumber, formatDecimal(r.amountCents), r.identifiedOn, r.refundDueBy ?? '', r.daysLeft === null ? '' : String(r.daysLeft)];
}

export function creditBalanceTable(rows: readonly CreditBalanceRow[]): string {
  return table([HEADER, ...rows.map(cells)]);
}

/** CSV through the one writer: a cell that starts like a formula (a CLM01 or payer id from outside) is shown, not run. */
export function creditBalanceCsv(rows: readonly CreditBalanceRow[]): string {
  return csvText([HEADER.map((h) => h.toLowerCase().replaceAll(' ', '_')), ...rows.map(cells)]);
}
