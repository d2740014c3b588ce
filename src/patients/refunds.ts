// Records a refund paid out of a guarantor account's credit (the check or card refund the office issued
// after the refund report listed it): the refund entry (entries.ts refundEntry) posted exactly once per
// reference. The same reference with the same amount, date and account again is a duplicate; with
// anything different it is a conflict. A refund larger than the credit is refused: never a negative credit.
import type pg from 'pg';
import { ClaimsError, toClaimsError } from '../common/errors.ts';
import { withTransaction } from '../runtime/database.ts';
import { postBatchInTransaction } from '../ledger/post.ts';
import { accountBalance } from '../ledger/queries.ts';
import type { PostingOutcome } from '../ledger/types.ts';
import type { IsoDate } from '../common/dates.ts';
import { guarantorAccount, refundEntry } from './posting-rules.ts';
import { ACCOUNT_EXISTS, ENTRY_EXISTS, LOCK_ACCOUNT } from './sql.ts';

export interface RefundRequest {
  accountNumber: string;
  amountCents: bigint;
  /** The day the refund was paid: the entry's effective date. */
  date: IsoDate;
  /** Check number or card-refund id: the idempotency key. */
  reference: string;
}

export interface RefundResult {
  outcome: PostingOutcome;
  entryKey: string;
  /** The account's credit after the refund (as a positive amount). */
  creditLeftCents: bigint;
}

export async function recordRefund(pool: pg.Pool, r: RefundRequest): Promise<RefundResult> {
  if (r.amountCents <= 0n) {
    throw new ClaimsError({ code: 'REFUND_AMOUNT_INVALID', message: 'a refund must be more than zero', location: { field: 'amount' }, expected: 'an amount above 0', found: r.amountCents.toString() });
  }
  if (r.reference.trim() === '') throw new ClaimsError({ code: 'REFUND_REFERENCE_MISSING', message: 'a refund needs its check or refund reference', location: { field: 'reference' } });
  const entry = refundEntry(r.accountNumber, r.amountCents, r.date, r.reference.trim());
  const creditAccount = guarantorAccount('patient_credit', r.accountNumber);
  return withTransaction(pool, async (client) => {
    if ((await client.query(ACCOUNT_EXISTS, [r.accountNumber])).rowCount === 0) {
      throw new ClaimsError({ code: 'REFUND_ACCOUNT_UNKNOWN', message: `no guarantor account ${r.accountNumber}`, found: r.accountNumber });
    }
    // Payments and refunds of one account take turns, so the credit read here is the one the refund uses.
    await client.query(LOCK_ACCOUNT, [r.accountNumber]);
    const seen = (await client.query(ENTRY_EXISTS, [entry.key])).rowCount !== 0;
    if (!seen) {
      // Credit is a liability: its ledger balance is negative. It must cover the refund on its date and now.
      const creditNow = -(await accountBalance(client, creditAccount));
      const creditThen = -(await accountBalance(client, creditAccount, { asOf: r.date }));
      const available = creditNow < creditThen ? creditNow : creditThen;
      if (r.amountCents > available) {
        throw new ClaimsError({
          code: 'REFUND_EXCEEDS_CREDIT',
          message: `account ${r.accountNumber} has ${available} cents of credit on ${r.date}; a refund of ${r.amountCents} cents would overdraw it`,
          location: { field: 'amount' }, expected: `at most ${available} cents`, found: `${r.amountCents} cents`,
        });
      }
    }
    let outcome: PostingOutcome;
    try {
      outcome = await postBatchInTransaction(client, { key: entry.key, entries: [entry] });
    } catch (err) {
      const e = toClaimsError(err);
      if (e.code !== 'LEDGER_KEY_CONFLICT') throw err;
      throw new ClaimsError({ code: 'REFUND_REFERENCE_CONFLICT', message: `refund ${r.reference} was already recorded with a different account, amount or date`, location: { field: 'reference' }, found: r.reference, cause: err });
    }
    const creditLeftCents = -(await accountBalance(client, creditAccount));
    return { outcome, entryKey: entry.key, creditLeftCents };
  });
}
