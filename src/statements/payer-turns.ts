// Each payer's turn on a claim, for `claims account` (issue 18): billed on, adjudicated on, paid, what it
// still holds, and since when it has been waiting; then the patient's share and what was written off for a
// protected patient. Read from the same claim snapshot and state the statements use, so the account view
// and the statements never tell two stories. Pure.
import { daysBetween, type IsoDate } from '../common/dates.ts';
import type { ClaimSnapshot } from './account.ts';
import type { ClaimState } from './claim-state.ts';

export interface PayerTurn {
  sequence: number;
  payerId: string;
  /** When the claim went to this payer: the claim's sending for the first, the prior payer's adjudication after. */
  billedOn: IsoDate | null;
  /** Its latest adjudication still in force (none after a reversal or a resubmission). */
  adjudicatedOn: IsoDate | null;
  paidCents: bigint;
  /** Its insurance receivable on the claim: what it has not answered for (PR waiting on it included). */
  leftCents: bigint;
  /** Billed and not answered, with money left on it: since when, and for how many days. */
  waitingSince: IsoDate | null;
  waitingDays: number | null;
  /** What it owes back (payer credit) on the claim. */
  creditCents: bigint;
}

export interface ClaimTurns {
  claimId: string;
  payers: PayerTurn[];
  /** The patient's share of the claim (patient receivable lines tagged with it). */
  patientCents: bigint;
  /** Written off because the patient is protected (Medicaid beyond the copay, a QMB patient's cost sharing). */
  protectedCents: bigint;
}

function sum(c: ClaimSnapshot, kind: string, payerId?: string): bigint {
  let total = 0n;
  for (const l of c.ledger) if (l.kind === kind && (payerId === undefined || l.payerId === payerId)) total += l.amountCents;
  return total;
}

/** `billedOn`: the day the chain was first sent (its original's charge entry), null if not known. */
export function claimTurns(c: ClaimSnapshot, state: ClaimState, billedOn: IsoDate | null, asOf: IsoDate): ClaimTurns {
  const payers: PayerTurn[] = [];
  let previousAdjudication: IsoDate | null = null;
  for (const cov of [...c.coverages].sort((a, b) => a.sequence - b.sequence)) {
    const adjudicated = state.adjudicated.filter((a) => a.payerId === cov.payerId).map((a) => a.date).sort();
    const adjudicatedOn = adjudicated.at(-1) ?? null;
    const billed = cov.sequence === 1 ? (c.resubmittedOn ?? billedOn) : previousAdjudication;
    const leftCents = sum(c, 'insurance_receivable', cov.payerId);
    const waiting = billed !== null && adjudicatedOn === null && leftCents !== 0n;
    payers.push({
      sequence: cov.sequence,
      payerId: cov.payerId,
      billedOn: billed,
      adjudicatedOn,
      // Payments go to the payer's clearing account with the claim on the line (src/remittances/posting-rules.ts).
      paidCents: sum(c, 'payer_clearing', cov.payerId),
      leftCents,
      waitingSince: waiting ? billed : null,
      waitingDays: waiting ? Math.max(0, daysBetween(billed, asOf)) : null,
      creditCents: -sum(c, 'payer_credit', cov.payerId),
    });
    previousAdjudication = adjudicatedOn;
  }
  return { claimId: c.claimId, payers, patientCents: sum(c, 'patient_receivable'), protectedCents: sum(c, 'protected_adjustment') };
}
