// One guarantor account as the statement run sees it (plain data loaded by load.ts), and the pure
// assessment of it on a date: each claim's state, the ledger moves due (a later payer's timeout, a credit
// applied, a small balance written off), and whether a statement is due and why. `claims account` shows
// the same assessment, so what it explains is exactly what the run will do.
import { claimState, type ClaimCoverage, type ClaimState, type RemittanceEvent } from './claim-state.ts';
import { whyNextStatement, type CycleDecision, type Dispute, type HoldReason, type SentStatement } from './cycle.ts';
import { buildStatement, type ClaimFigures, type PaymentReceived, type ServiceLineFigures, type Statement } from './model.ts';
import type { MailingAddress, StatementSettings } from './settings.ts';
import type { IsoDate } from '../common/dates.ts';
import { balanceActions, type BalanceAction } from '../patients/credits.ts';
import { planStanding, type DatedPayment, type PaymentPlan, type PlanStanding } from '../patients/plans.ts';
import type { AccountKind } from '../ledger/types.ts';

/** Claim-tagged ledger sums of a claim chain, per account kind and payer. */
export interface ClaimLedgerSum {
  kind: AccountKind;
  payerId: string | null;
  amountCents: bigint;
}

export interface ClaimSnapshot {
  /** The chain's latest claim (claims.id as text): what the statement lists. */
  claimId: string;
  /** Every claim id of the chain (original, replacements): the ledger lines of all of them count. */
  chainIds: string[];
  patientControlNumber: string;
  voided: boolean;
  /** When the chain's latest claim is a replacement or void: the day it was sent (see ClaimStateOptions). */
  resubmittedOn?: IsoDate | null;
  patientName: string;
  provider: string;
  coverages: ClaimCoverage[];
  chargeCents: bigint;
  serviceDate: IsoDate;
  lines: ServiceLineFigures[];
  ledger: ClaimLedgerSum[];
  events: RemittanceEvent[];
  /** Next-payer timeout moves already posted for this claim: the amount moved, and whether it was undone. */
  postedTimeouts: { payerId: string; amountCents: bigint; undone: boolean }[];
}

export interface AccountSnapshot {
  accountNumber: string;
  /** The practice whose patient this is: its letterhead, contact and payment options head the statement. */
  practiceId: string;
  guarantor: { name: string; address: MailingAddress | null };
  claims: ClaimSnapshot[];
  /** Net patient receivable and credit movements per effective date, oldest first (credit as a positive amount). */
  daily: { date: IsoDate; receivableCents: bigint; creditCents: bigint }[];
  payments: (PaymentReceived & { reference?: string })[];
  plan: PaymentPlan | null;
  statements: SentStatement[];
  disputes: Dispute[];
  mailHold: boolean;
}

export interface TimeoutMove {
  claimId: string;
  payerId: string;
  amountCents: bigint;
  /** true: the payer answered after all, so the earlier move is undone. */
  undo: boolean;
}

export interface AccountAssessment {
  accountNumber: string;
  claimStates: { claimId: string; patientControlNumber: string; state: ClaimState }[];
  timeoutMoves: TimeoutMove[];
  receivableCents: bigint;
  /** Of the receivable: PR on claims still with a payer, not billed to the patient yet. */
  waitingOnPayersCents: bigint;
  creditCents: bigint;
  balanceActions: BalanceAction[];
  plan: PlanStanding | null;
  decision: CycleDecision;
}

const sumWhere = (ledger: ClaimLedgerSum[], pred: (l: ClaimLedgerSum) => boolean): bigint =>
  ledger.filter(pred).reduce((s, l) => s + l.amountCents, 0n);

export const timeoutKey = (claimId: string, payerId: string, undo: boolean): string =>
  `${undo ? 'claim-next-payer-answered' : 'claim-next-payer-timeout'}:${claimId}:${payerId}`;

const ADJUSTMENT_KINDS: ReadonlySet<AccountKind> = new Set(['contractual_adjustment', 'other_adjustment', 'protected_adjustment']);
const NOT_PAID_KINDS: ReadonlySet<AccountKind> = new Set(['revenue', 'insurance_receivable', 'patient_receivable', ...ADJUSTMENT_KINDS]);

/** The figures a statement shows for one claim, from its chain's ledger sums. */
export function claimFigures(c: ClaimSnapshot, state: ClaimState): ClaimFigures {
  const pending = sumWhere(c.ledger, (l) => l.kind === 'insurance_receivable');
  const pr = sumWhere(c.ledger, (l) => l.kind === 'patient_receivable');
  // A protected patient's write-off (protected_adjustment) is an adjustment: never the patient's, never "paid".
  const adjustments = sumWhere(c.ledger, (l) => ADJUSTMENT_KINDS.has(l.kind));
  // What insurance paid: every claim-tagged line that is not the charge, a receivable or an adjustment
  // (payer clearing, cash, provider-level recoveries tied to the claim).
  const paid = sumWhere(c.ledger, (l) => !NOT_PAID_KINDS.has(l.kind));
  return {
    claimId: c.claimId,
    patientId: c.patientControlNumber,
    patientName: c.patientName,
    provider: c.provider,
    serviceDate: c.serviceDate,
    lines: c.lines,
    chargeCents: c.voided ? 0n : c.chargeCents,
    insurancePaidCents: paid,
    adjustmentsCents: adjustments,
    pendingInsuranceCents: pending,
    patientResponsibilityCents: pr,
    state: state.kind,
    ...(c.voided && { voided: true }),
  };
}

function runningBalances(daily: AccountSnapshot['daily'], asOf: IsoDate) {
  let receivable = 0n;
  let credit = 0n;
  let clearedOn: IsoDate | null = null;
  let creditSince: IsoDate | null = null;
  for (const d of daily) {
    if (d.date > asOf) break;
    receivable += d.receivableCents;
    const before = credit;
    credit += d.creditCents;
    if (receivable <= 0n) clearedOn = d.date;
    if (credit > 0n && before <= 0n) creditSince = d.date;
    if (credit <= 0n) creditSince = null;
  }
  return { receivable, credit, clearedOn, creditSince };
}

export function assessAccount(a: AccountSnapshot, settings: StatementSettings, asOf: IsoDate): AccountAssessment {
  const timeoutMoves: TimeoutMove[] = [];
  const claimStates = a.claims.map((c) => {
    const state = claimState(c.coverages, c.events, { asOf, nextPayerTimeoutDays: settings.nextPayerTimeoutDays, resubmittedOn: c.resubmittedOn ?? null });
    return { claimId: c.claimId, patientControlNumber: c.patientControlNumber, state, claim: c };
  });
  for (const { state, claim } of claimStates) {
    // Move what a silent later payer was to pay onto the patient, once; undo it if that payer answers later.
    for (const cov of claim.coverages) {
      const posted = claim.postedTimeouts.find((t) => t.payerId === cov.payerId);
      const timedOutNow = state.kind === 'patient' && state.reason === 'next_payer_timeout' && state.payerId === cov.payerId;
      const heldByPayer = sumWhere(claim.ledger, (l) => l.kind === 'insurance_receivable' && l.payerId === cov.payerId);
      if (timedOutNow && !posted && heldByPayer > 0n) timeoutMoves.push({ claimId: claim.claimId, payerId: cov.payerId, amountCents: heldByPayer, undo: false });
      const answered = state.adjudicated.some((x) => x.payerId === cov.payerId);
      // A move made before the payer's rules said never (issue 18) is undone too: the claim goes to follow-up.
      const neverForSilence = state.kind === 'waiting_next_payer' && state.payerId === cov.payerId && state.timeoutOn === undefined;
      if (posted && !posted.undone && (answered || neverForSilence)) timeoutMoves.push({ claimId: claim.claimId, payerId: cov.payerId, amountCents: posted.amountCents, undo: true });
    }
  }
  const run = runningBalances(a.daily, asOf);
  const movedToPatient = timeoutMoves.reduce((s, m) => s + (m.undo ? -m.amountCents : m.amountCents), 0n);
  const receivableCents = run.receivable + movedToPatient;
  // What the patient owes excludes PR on claims that are not theirs yet (never ask for what insurance owes):
  // a credit is not applied to it, and it is not written off as a small balance.
  const heldBack = claimStates
    .filter((s) => s.state.kind !== 'patient')
    .reduce((sum, s) => sum + sumWhere(s.claim.ledger, (l) => l.kind === 'patient_receivable'), 0n);
  const actions = balanceActions(
    { accountNumber: a.accountNumber, receivableCents: receivableCents - heldBack, creditCents: run.credit, creditSince: run.creditSince },
    { asOf, smallBalanceCents: settings.smallBalanceCents, creditRefundAfterDays: settings.creditRefundAfterDays },
  );
  let due = receivableCents;
  for (const act of actions) if (act.kind !== 'refund_due') due -= act.amountCents;

  const payments: DatedPayment[] = a.payments.map((p) => ({ date: p.date, amountCents: p.amountCents }));
  const plan = a.plan
    ? planStanding(a.plan, payments, { asOf, missedInstallmentsToDefault: settings.planMissedInstallments, graceDays: settings.planGraceDays })
    : null;
  const hold = holdFor(a);
  const decision = whyNextStatement(
    {
      asOf, balanceDueCents: due - heldBack, statements: a.statements, balanceClearedOn: run.clearedOn, plan, disputes: a.disputes, hold,
      receivableIncreasedOn: a.daily.filter((d) => d.receivableCents > 0n).map((d) => d.date),
      waitingOnPayersCents: heldBack,
    },
    settings,
  );
  return {
    accountNumber: a.accountNumber,
    claimStates: claimStates.map(({ claimId, patientControlNumber, state }) => ({ claimId, patientControlNumber, state })),
    timeoutMoves,
    receivableCents,
    waitingOnPayersCents: heldBack,
    creditCents: run.credit,
    balanceActions: actions,
    plan,
    decision,
  };
}

function holdFor(a: AccountSnapshot): HoldReason | null {
  if (a.mailHold) return 'returned_mail';
  const ad = a.guarantor.address;
  if (!ad || !ad.line1.trim() || !ad.city.trim() || !/^[A-Z]{2}$/.test(ad.state) || !/^\d{5}(-?\d{4})?$/.test(ad.postalCode)) return 'address_incomplete';
  return null;
}

/** The statement for an assessed account, with its figures after this run's ledger moves. */
export function statementFor(a: AccountSnapshot, assessment: AccountAssessment, settings: StatementSettings, asOf: IsoDate): Statement {
  const byId = new Map(assessment.claimStates.map((s) => [s.claimId, s.state]));
  const claims = a.claims.map((c) => claimFigures(c, byId.get(c.claimId) as ClaimState));
  const lastSent = [...a.statements].filter((s) => s.date < asOf).sort((x, y) => (x.date < y.date ? 1 : -1))[0];
  const paymentsSince = a.payments
    .filter((p) => p.date <= asOf && (!lastSent || p.date > lastSent.date))
    .map((p) => ({ date: p.date, method: p.method, amountCents: p.amountCents }));
  let receivable = assessment.receivableCents;
  for (const act of assessment.balanceActions) if (act.kind !== 'refund_due') receivable -= act.amountCents;
  return buildStatement(
    { accountNumber: a.accountNumber, guarantor: a.guarantor, statementDate: asOf, decision: assessment.decision, claims, patientReceivableCents: receivable, paymentsSinceLastStatement: paymentsSince, plan: assessment.plan },
    settings,
  );
}
