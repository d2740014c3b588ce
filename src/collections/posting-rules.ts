// Journal entries of collections, as pure functions. A referral moves the balance from patient_receivable to
// collections_receivable; later payments to the practice (held as patient credit, since the receivable is
// empty) and adjustments (a negative receivable) are applied to it; a recall moves what is left back; the
// agency's collections come in as cash; an uncollectable account is written off to bad_debt. Keys derive from
// the referral, so each posts exactly once.
import type { Entry } from '../ledger/types.ts';
import { guarantorAccount } from '../patients/posting-rules.ts';
import type { IsoDate } from '../common/dates.ts';

export const COLLECTIONS_REASONS = {
  referral: 'collections.referral',
  paymentApplied: 'collections.payment_applied',
  adjustmentApplied: 'collections.adjustment_applied',
  recall: 'collections.recall',
  agencyPayment: 'collections.agency_payment',
  badDebt: 'collections.bad_debt',
} as const;

/** The referral's key: one per account and dunning cycle, so the same balance can never be posted twice. */
export const referralKey = (accountNumber: string, cycleStartedOn: IsoDate): string => `collections-referral:${accountNumber}:${cycleStartedOn}`;

const move = (key: string, reason: string, date: IsoDate, memo: string, lines: Entry['lines']): Entry => ({ key, reason, effectiveDate: date, memo, lines });

export function referralEntry(accountNumber: string, cycleStartedOn: IsoDate, amountCents: bigint, date: IsoDate, agencyId: string): Entry {
  return move(referralKey(accountNumber, cycleStartedOn), COLLECTIONS_REASONS.referral, date, `placed with ${agencyId}`, [
    { account: guarantorAccount('collections_receivable', accountNumber), amountCents },
    { account: guarantorAccount('patient_receivable', accountNumber), amountCents: -amountCents },
  ]);
}

/** A payment the patient made to the practice after placement, sitting as credit, applied to the placed balance. */
export function paymentAppliedEntry(key: string, accountNumber: string, amountCents: bigint, date: IsoDate): Entry {
  return move(key, COLLECTIONS_REASONS.paymentApplied, date, 'payment after placement', [
    { account: guarantorAccount('patient_credit', accountNumber), amountCents },
    { account: guarantorAccount('collections_receivable', accountNumber), amountCents: -amountCents },
  ]);
}

/** An adjustment after placement (a late payer payment, a reversal of PR) that left the receivable negative. */
export function adjustmentAppliedEntry(key: string, accountNumber: string, amountCents: bigint, date: IsoDate): Entry {
  return move(key, COLLECTIONS_REASONS.adjustmentApplied, date, 'adjustment after placement', [
    { account: guarantorAccount('patient_receivable', accountNumber), amountCents },
    { account: guarantorAccount('collections_receivable', accountNumber), amountCents: -amountCents },
  ]);
}

export function recallEntry(key: string, accountNumber: string, amountCents: bigint, date: IsoDate, reason: string): Entry {
  return move(key, COLLECTIONS_REASONS.recall, date, `recalled: ${reason}`, [
    { account: guarantorAccount('patient_receivable', accountNumber), amountCents },
    { account: guarantorAccount('collections_receivable', accountNumber), amountCents: -amountCents },
  ]);
}

/** What the agency collected (gross; its commission is settled with the agency, outside the patient's account). */
export function agencyPaymentEntry(key: string, accountNumber: string, amountCents: bigint, date: IsoDate, agencyId: string): Entry {
  return move(key, COLLECTIONS_REASONS.agencyPayment, date, `collected by ${agencyId}`, [
    { account: { kind: 'cash' }, amountCents, reason: agencyId },
    { account: guarantorAccount('collections_receivable', accountNumber), amountCents: -amountCents },
  ]);
}

export function badDebtEntry(key: string, accountNumber: string, amountCents: bigint, date: IsoDate, agencyId: string): Entry {
  return move(key, COLLECTIONS_REASONS.badDebt, date, `returned uncollectable by ${agencyId}`, [
    { account: guarantorAccount('bad_debt', accountNumber), amountCents },
    { account: guarantorAccount('collections_receivable', accountNumber), amountCents: -amountCents },
  ]);
}
