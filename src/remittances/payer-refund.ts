// Records a refund sent to a payer out of one claim's payer credit (docs/decisions/0100): payer_credit(payer)
// debited, cash credited, both lines on the claim, posted exactly once per (practice, payer, reference). The
// same reference with the same claim, amount and date again is a duplicate; with anything different it is a
// conflict. A refund larger than what the claim owes the payer is refused: a payer credit never turns into
// an asset.
import type pg from 'pg';
import { ClaimsError, toClaimsError } from '../common/errors.ts';
import { formatDecimal } from '../common/money.ts';
import type { IsoDate } from '../common/dates.ts';
import { withTransaction } from '../runtime/database.ts';
import { postBatchInTransaction } from '../ledger/post.ts';
import type { Entry, PostingOutcome } from '../ledger/types.ts';
import { PAYER_REFUND, REFUND_REASON } from '../claims/payer-credit.ts';
import { creditBalanceReport } from './credit-balances.ts';

export interface PayerRefundRequest {
  practiceId: string;
  payerId: string;
  /** The ledger's claim id, as `claims report credit-balances` lists it. */
  claimId: string;
  amountCents: bigint;
  /** The day the refund was sent: the entry's effective date. */
  date: IsoDate;
  /** Check number or refund id: with practice and payer, the idempotency key. */
  reference: string;
}

export interface PayerRefundResult {
  outcome: PostingOutcome;
  entryKey: string;
  /** What the claim still owes the payer after the refund. */
  creditLeftCents: bigint;
}

const ENTRY_EXISTS = `SELECT 1 FROM entries WHERE key = $1`;
/** Refunds of one payer's credits in a practice take turns: the credit read is the one the refund uses. */
const LOCK_PAYER_CREDIT = `SELECT pg_advisory_xact_lock(hashtext('payer-credit:' || $1 || ':' || $2))`;

/** The refund entry (pure). */
export function payerRefundEntry(r: PayerRefundRequest): Entry {
  const reference = r.reference.trim();
  return {
    key: `payer.refund:${r.practiceId}:${r.payerId}:${reference}`,
    reason: PAYER_REFUND,
    effectiveDate: r.date,
    memo: `refund ${reference} to ${r.payerId} of its credit on claim ${r.claimId}`,
    lines: [
      { account: { kind: 'payer_credit', payerId: r.payerId, practiceId: r.practiceId }, amountCents: r.amountCents, reason: REFUND_REASON, claimId: r.claimId },
      { account: { kind: 'cash', practiceId: r.practiceId }, amountCents: -r.amountCents, reason: REFUND_REASON, claimId: r.claimId },
    ],
  };
}

async function owedOn(client: pg.ClientBase, r: PayerRefundRequest, asOf: string): Promise<bigint> {
  const rows = await creditBalanceReport(client, { asOf, practice: r.practiceId });
  return rows.find((x) => x.payer === r.payerId && x.claim === r.claimId)?.amountCents ?? 0n;
}

export async function recordPayerRefund(pool: pg.Pool, r: PayerRefundRequest): Promise<PayerRefundResult> {
  if (r.amountCents <= 0n) {
    throw new ClaimsError({ code: 'REFUND_AMOUNT_INVALID', message: 'a refund must be more than zero', location: { field: 'amount' }, expected: 'an amount above 0', found: r.amountCents.toString() });
  }
  if (r.reference.trim() === '') throw new ClaimsError({ code: 'REFUND_REFERENCE_MISSING', message: 'a refund needs its check or refund reference', location: { field: 'reference' } });
  const entry = payerRefundEntry(r);
  return withTransaction(pool, async (client) => {
    await client.query(LOCK_PAYER_CREDIT, [r.practiceId, r.payerId]);
    if ((await client.query(ENTRY_EXISTS, [entry.key])).rowCount === 0) {
      // What the claim owes the payer must cover the refund on its date and now.
      const now = await owedOn(client, r, '9999-12-31');
      const then = await owedOn(client, r, r.date);
      const available = now < then ? now : then;
      if (available === 0n) {
        throw new ClaimsError({ code: 'REFUND_ACCOUNT_UNKNOWN', message: `claim ${r.claimId} owes ${r.payerId} nothing in practice ${r.practiceId} on ${r.date} (claims report credit-balances lists what is owed)`, location: { field: 'claim' }, found: r.claimId });
      }
      if (r.amountCents > available) {
        throw new ClaimsError({
          code: 'REFUND_EXCEEDS_CREDIT',
          message: `claim ${r.claimId} owes ${r.payerId} ${formatDecimal(available)} on ${r.date}; a refund of ${formatDecimal(r.amountCents)} would overdraw it`,
          location: { field: 'amount' }, expected: `at most ${formatDecimal(available)}`, found: formatDecimal(r.amountCents),
        });
      }
    }
    let outcome: PostingOutcome;
    try {
      outcome = await postBatchInTransaction(client, { key: entry.key, entries: [entry], practiceId: r.practiceId });
    } catch (err) {
      if (toClaimsError(err).code !== 'LEDGER_KEY_CONFLICT') throw err;
      throw new ClaimsError({ code: 'REFUND_REFERENCE_CONFLICT', message: `refund ${r.reference} to ${r.payerId} was already recorded with a different claim, amount or date`, location: { field: 'reference' }, found: r.reference, cause: err });
    }
    return { outcome, entryKey: entry.key, creditLeftCents: await owedOn(client, r, '9999-12-31') };
  });
}

const CREDIT_PRACTICES = `
  SELECT DISTINCT a.practice_id FROM entry_lines l JOIN accounts a ON a.id = l.account_id
  WHERE l.claim_id = $1 AND a.kind = 'payer_credit' AND a.payer_id = $2 ORDER BY 1`;

/** The practices whose books hold a payer credit of this claim at this payer (one, unless claim ids repeat across practices). */
export async function creditPractices(db: Pick<pg.ClientBase, 'query'>, claimId: string, payerId: string): Promise<string[]> {
  const { rows } = await db.query<{ practice_id: string }>(CREDIT_PRACTICES, [claimId, payerId]);
  return rows.map((r) => r.practice_id);
}
