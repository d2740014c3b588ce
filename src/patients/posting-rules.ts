// Journal entries for the patient side of the ledger, as pure functions: a patient payment (split between
// the receivable and a credit so an overpayment never shows as a negative balance), a credit applied to a
// new balance, a credit refunded, a small balance written off, and PR moved to the patient when a later
// payer did not answer in time. Each entry balances to zero and carries a stable key and reason.
import type { AccountKind, AccountRef, Entry, SourceRef } from '../ledger/types.ts';
import type { IsoDate } from '../common/dates.ts';
import type { PatientPayment } from './payments-file.ts';

export const PATIENT_REASONS = {
  payment: 'patient.payment',
  creditApplied: 'patient.credit_applied',
  refund: 'patient.refund',
  smallBalance: 'patient.small_balance_writeoff',
  nextPayerTimeout: 'claim.next_payer_timeout',
  nextPayerTimeoutUndone: 'claim.next_payer_answered',
} as const;

/** The guarantor account's ledger account of a kind (the ledger names guarantor accounts by patientId). */
export function guarantorAccount(kind: AccountKind, accountNumber: string): AccountRef {
  return { kind, patientId: accountNumber };
}

const CASH: AccountRef = { kind: 'cash' };

/**
 * A patient payment: cash in; the receivable down by what is owed; the rest a credit.
 * `receivableCents` is the account's patient receivable just before the payment.
 */
export function patientPaymentEntry(payment: PatientPayment, receivableCents: bigint, source?: SourceRef): Entry {
  const owed = receivableCents > 0n ? receivableCents : 0n;
  const toReceivable = payment.amountCents < owed ? payment.amountCents : owed;
  const toCredit = payment.amountCents - toReceivable;
  const lines: Entry['lines'] = [{ account: CASH, amountCents: payment.amountCents, reason: payment.method }];
  if (toReceivable > 0n) lines.push({ account: guarantorAccount('patient_receivable', payment.accountNumber), amountCents: -toReceivable });
  if (toCredit > 0n) lines.push({ account: guarantorAccount('patient_credit', payment.accountNumber), amountCents: -toCredit, reason: 'overpayment' });
  return {
    key: `patient-payment:${payment.reference}`,
    reason: PATIENT_REASONS.payment,
    effectiveDate: payment.date,
    memo: `${payment.method} payment ${payment.reference}`,
    ...(source && { source }),
    lines,
  };
}

/** Use `amountCents` of the account's credit against its receivable. */
export function creditAppliedEntry(accountNumber: string, amountCents: bigint, date: IsoDate): Entry {
  return {
    key: `patient-credit-applied:${accountNumber}:${date}:${amountCents}`,
    reason: PATIENT_REASONS.creditApplied,
    effectiveDate: date,
    lines: [
      { account: guarantorAccount('patient_credit', accountNumber), amountCents },
      { account: guarantorAccount('patient_receivable', accountNumber), amountCents: -amountCents },
    ],
  };
}

/** A refund paid out of the account's credit; `reference` is the check or card-refund number. */
export function refundEntry(accountNumber: string, amountCents: bigint, date: IsoDate, reference: string): Entry {
  return {
    key: `patient-refund:${reference}`,
    reason: PATIENT_REASONS.refund,
    effectiveDate: date,
    memo: `refund ${reference}`,
    lines: [
      { account: guarantorAccount('patient_credit', accountNumber), amountCents },
      { account: CASH, amountCents: -amountCents },
    ],
  };
}

/** Write off a balance below the small-balance limit instead of mailing it. */
export function smallBalanceEntry(accountNumber: string, amountCents: bigint, date: IsoDate): Entry {
  return {
    key: `patient-small-balance:${accountNumber}:${date}:${amountCents}`,
    reason: PATIENT_REASONS.smallBalance,
    effectiveDate: date,
    memo: 'balance under the small-balance limit',
    lines: [
      { account: guarantorAccount('small_balance_writeoff', accountNumber), amountCents },
      { account: guarantorAccount('patient_receivable', accountNumber), amountCents: -amountCents },
    ],
  };
}

/**
 * A later payer did not answer within the timeout: what it was to pay on the claim becomes the patient's.
 * `undo` posts the exact negation when that payer answers after all, so its remittance finds its receivable.
 */
export function nextPayerTimeoutEntry(
  claim: { claimId: string; accountNumber: string; payerId: string },
  amountCents: bigint,
  date: IsoDate,
  undo = false,
): Entry {
  const sign = undo ? -1n : 1n;
  return {
    key: `${undo ? 'claim-next-payer-answered' : 'claim-next-payer-timeout'}:${claim.claimId}:${claim.payerId}`,
    reason: undo ? PATIENT_REASONS.nextPayerTimeoutUndone : PATIENT_REASONS.nextPayerTimeout,
    effectiveDate: date,
    lines: [
      { account: guarantorAccount('patient_receivable', claim.accountNumber), amountCents: sign * amountCents, claimId: claim.claimId, reason: 'PR' },
      { account: { kind: 'insurance_receivable', payerId: claim.payerId }, amountCents: -sign * amountCents, claimId: claim.claimId },
    ],
  };
}
