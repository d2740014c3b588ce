// Payer credits (issue 18, docs/decisions/0100): no insurance receivable below zero. Pure: the state of a claim
// at each payer before some entries, the entries, and out come the entries that put every receivable they
// moved back in canonical form, per claim and payer:
//   receivable below zero (a void or replacement after payment, an overpayment, a reversal of the primary
//   after the secondary paid): the excess moves to payer_credit(payer) (money owed back), as far as the payer's
//   money on the claim reaches (paid, less recouped, refunded and already owed); what is left of the excess
//   is adjudication without a charge behind it (a write-off of a voided charge), moved to other_adjustment(payer)
//   with the line reason `beyond-charge`;
//   receivable above zero while a credit or such an adjustment stands (the payer reversed its payment): they
//   come back, the credit first, so that a reversal, which negates exactly what it reverses, leaves the claim
//   as it was before the payment.
// And the payer's recoupment (PLB WO or 72 naming the claim, positive) clears the claim's credit first.
import type { AccountRef, Entry, EntryLine, SourceRef } from '../ledger/types.ts';
import type { Cents } from '../common/money.ts';

/** What the ledger holds for one claim at one payer (lines tagged with the claim). */
export interface CreditState {
  /** insurance_receivable(payer): what the payer still owes on the claim (never below zero once settled). */
  receivableCents: Cents;
  /** Owed back to the payer: minus the payer_credit(payer) balance. */
  owedCents: Cents;
  /** payer_clearing(payer): the payer's payments on the claim less its recoupments naming it. */
  clearingCents: Cents;
  /** Refunds sent to the payer for the claim (payer_credit lines with the reason `payer-refund`). */
  refundedCents: Cents;
  /** Adjudication without a charge: minus the other_adjustment(payer) lines with the reason `beyond-charge`. */
  beyondChargeCents: Cents;
}

export const NO_CREDIT_STATE: Readonly<CreditState> = { receivableCents: 0n, owedCents: 0n, clearingCents: 0n, refundedCents: 0n, beyondChargeCents: 0n };

/** Line reasons this module writes and reads. */
export const CREDIT_REASON = 'payer-credit';
export const BEYOND_CHARGE_REASON = 'beyond-charge';
export const REFUND_REASON = 'payer-refund';
/** Entry reasons. */
export const CREDIT_IDENTIFIED = 'payer_credit.identified';
export const CREDIT_RESTORED = 'payer_credit.restored';
export const PAYER_REFUND = 'payer_credit.refund';

/** Map key of a claim at a payer. */
export const pairKey = (claimId: string, payerId: string): string => `${claimId}\u0000${payerId}`;

const min = (a: Cents, b: Cents): Cents => (a < b ? a : b);
const atLeastZero = (a: Cents): Cents => (a < 0n ? 0n : a);

/**
 * The moves that settle one claim at one payer: `toCreditCents` from the receivable to the payer credit
 * (negative: back from the credit), `toBeyondCents` likewise to the adjustment without a charge.
 * `newMoneyCents`: what the entries being settled paid on the claim (payer clearing), 0 for a charge.
 */
export function settle(s: CreditState, newMoneyCents: Cents = 0n): { toCreditCents: Cents; toBeyondCents: Cents } {
  if (s.receivableCents < 0n) {
    const excess = -s.receivableCents;
    // The payer's money not yet owed back; when the entries just paid some, only that (a duplicate payment
    // repeats its contractual adjustment too, and only the money comes back).
    const held = atLeastZero(s.clearingCents - s.refundedCents - s.owedCents);
    const money = newMoneyCents > 0n ? min(held, newMoneyCents) : held;
    const toCredit = min(excess, money);
    return { toCreditCents: toCredit, toBeyondCents: excess - toCredit };
  }
  if (s.receivableCents > 0n) {
    const back = min(s.receivableCents, atLeastZero(s.owedCents));
    const beyond = min(s.receivableCents - back, atLeastZero(s.beyondChargeCents));
    return { toCreditCents: -back, toBeyondCents: -beyond };
  }
  return { toCreditCents: 0n, toBeyondCents: 0n };
}

/** Add one line's effect to the states (lines without a claim or a payer change nothing here). */
export function applyLine(states: Map<string, CreditState>, line: EntryLine): string | null {
  const payerId = line.account.payerId;
  if (line.claimId == null || payerId == null) return null;
  const kind = line.account.kind;
  if (kind !== 'insurance_receivable' && kind !== 'payer_credit' && kind !== 'payer_clearing' && !(kind === 'other_adjustment' && line.reason === BEYOND_CHARGE_REASON)) return null;
  const key = pairKey(line.claimId, payerId);
  const s = states.get(key) ?? { ...NO_CREDIT_STATE };
  const amount = line.amountCents;
  if (kind === 'insurance_receivable') s.receivableCents += amount;
  else if (kind === 'payer_clearing') s.clearingCents += amount;
  else if (kind === 'other_adjustment') s.beyondChargeCents -= amount;
  else {
    s.owedCents -= amount;
    if (line.reason === REFUND_REASON) s.refundedCents += amount;
  }
  states.set(key, s);
  return kind === 'insurance_receivable' ? key : null;
}

export interface CreditStepOptions {
  /** The entry key of the step for one claim at one payer (unique, so that a rerun is a no-op). */
  keyOf(claimId: string, payerId: string): string;
  effectiveDate: string;
  /** The practice to name on the accounts (claims posting names it per line); absent: the batch's. */
  practiceId?: string;
  source?: SourceRef;
}

export interface CreditStep {
  entries: Entry[];
  /** Every claim at every payer after the entries and the step (a copy: the caller's map is not changed). */
  after: Map<string, CreditState>;
}

/**
 * The step after `entries`: for each claim and payer whose receivable they moved (in order of first move),
 * the entry that settles it, if it needs one. `before` holds what the ledger had (absent pairs: nothing).
 */
export function creditStep(before: ReadonlyMap<string, CreditState>, entries: readonly Entry[], opts: CreditStepOptions): CreditStep {
  const after = new Map([...before].map(([k, s]) => [k, { ...s }]));
  const moved: string[] = [];
  const seen = new Set<string>();
  const paid = new Map<string, Cents>();
  for (const e of entries) {
    for (const l of e.lines) {
      const key = applyLine(after, l);
      if (key !== null && !seen.has(key)) {
        seen.add(key);
        moved.push(key);
      }
      if (l.account.kind === 'payer_clearing' && l.claimId != null && l.account.payerId != null) {
        const k = pairKey(l.claimId, l.account.payerId);
        paid.set(k, (paid.get(k) ?? 0n) + l.amountCents);
      }
    }
  }
  const out: Entry[] = [];
  for (const key of moved) {
    const [claimId, payerId] = key.split('\u0000') as [string, string];
    const { toCreditCents, toBeyondCents } = settle(after.get(key)!, paid.get(key) ?? 0n);
    if (toCreditCents === 0n && toBeyondCents === 0n) continue;
    const account = (kind: AccountRef['kind']): AccountRef => ({ kind, payerId, ...(opts.practiceId !== undefined && { practiceId: opts.practiceId }) });
    const lines: EntryLine[] = [];
    const pair = (to: AccountRef, cents: Cents, reason: string): void => {
      if (cents === 0n) return;
      lines.push({ account: account('insurance_receivable'), amountCents: cents, reason, claimId, serviceLineId: null });
      lines.push({ account: to, amountCents: -cents, reason, claimId, serviceLineId: null });
    };
    pair(account('payer_credit'), toCreditCents, CREDIT_REASON);
    pair(account('other_adjustment'), toBeyondCents, BEYOND_CHARGE_REASON);
    for (const l of lines) applyLine(after, l);
    const identified = toCreditCents > 0n || toBeyondCents > 0n;
    out.push({
      key: opts.keyOf(claimId, payerId),
      reason: identified ? CREDIT_IDENTIFIED : CREDIT_RESTORED,
      effectiveDate: opts.effectiveDate,
      memo: identified
        ? `insurance receivable of ${payerId} below zero: the excess owed back to the payer (or without a charge)`
        : `insurance receivable of ${payerId} reopened: its payer credit restored`,
      ...(opts.source !== undefined && { source: opts.source }),
      lines,
    });
  }
  return { entries: out, after };
}

/**
 * The lines of a PLB WO or 72 (positive: the payer takes money back) naming a claim: its credit at the payer
 * first (payer_credit debited), the rest a provider adjustment as before. Null when no credit is owed on the
 * claim (the caller posts the PLB as it always did). Updates `states` with what it clears.
 */
export function recoupmentLines(states: Map<string, CreditState>, payerId: string, claimId: string | null, amountCents: Cents, reason: string): EntryLine[] | null {
  if (claimId === null || amountCents <= 0n) return null;
  const s = states.get(pairKey(claimId, payerId));
  if (s === undefined || s.owedCents <= 0n) return null;
  const fromCredit = min(amountCents, s.owedCents);
  const clearing: AccountRef = { kind: 'payer_clearing', payerId };
  const lines: EntryLine[] = [
    { account: { kind: 'payer_credit', payerId }, amountCents: fromCredit, reason, claimId, serviceLineId: null },
    { account: clearing, amountCents: -fromCredit, reason, claimId, serviceLineId: null },
  ];
  const rest = amountCents - fromCredit;
  if (rest > 0n) {
    lines.push(
      { account: { kind: 'provider_adjustment', payerId }, amountCents: rest, reason, claimId, serviceLineId: null },
      { account: clearing, amountCents: -rest, reason, claimId, serviceLineId: null },
    );
  }
  for (const l of lines) applyLine(states, l);
  return lines;
}
