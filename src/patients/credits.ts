// What to do with a guarantor account's balances on a run date, decided purely: apply a credit to a new
// balance, write off a small balance, or list an old credit for refund. The run posts the entries.
import { daysBetween, type IsoDate } from '../common/dates.ts';

export interface AccountBalances {
  accountNumber: string;
  /** Patient receivable on claims that are the patient's (ledger sign: owed to us is positive). */
  receivableCents: bigint;
  /** Credit held for the patient, as a positive amount. */
  creditCents: bigint;
  /** First day of the current unbroken run of credit above zero. */
  creditSince?: IsoDate | null;
}

export interface BalanceRules {
  asOf: IsoDate;
  smallBalanceCents: bigint;
  creditRefundAfterDays: number;
}

export type BalanceAction =
  | { kind: 'apply_credit'; amountCents: bigint }
  | { kind: 'write_off_small_balance'; amountCents: bigint }
  | { kind: 'refund_due'; amountCents: bigint; creditSince: IsoDate; days: number };

/** The actions for one account, in the order they must be posted. */
export function balanceActions(b: AccountBalances, rules: BalanceRules): BalanceAction[] {
  const out: BalanceAction[] = [];
  let receivable = b.receivableCents;
  let credit = b.creditCents;
  if (receivable > 0n && credit > 0n) {
    const applied = receivable < credit ? receivable : credit;
    out.push({ kind: 'apply_credit', amountCents: applied });
    receivable -= applied;
    credit -= applied;
  }
  if (receivable > 0n && receivable < rules.smallBalanceCents) {
    out.push({ kind: 'write_off_small_balance', amountCents: receivable });
  }
  if (credit > 0n && b.creditSince) {
    const days = daysBetween(b.creditSince, rules.asOf);
    if (days >= rules.creditRefundAfterDays) out.push({ kind: 'refund_due', amountCents: credit, creditSince: b.creditSince, days });
  }
  return out;
}
