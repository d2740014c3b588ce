// The statement model: every figure and line a patient statement shows, built as plain data from an
// account's claims, ledger balance and plan. The PDF and the print-vendor CSV render this one model, so the
// two can never disagree. Money is bigint cents; the amount due equals the patient receivable to the cent.
import { addDays, type IsoDate } from '../common/dates.ts';
import type { ClaimStateKind } from './claim-state.ts';
import type { CycleDecision, HoldReason, StatementKind } from './cycle.ts';
import type { MailingAddress, Practice, StatementSettings } from './settings.ts';
import type { InstallmentStatus, PlanStanding } from '../patients/plans.ts';

export interface ServiceLineFigures {
  serviceDate: IsoDate;
  procedureCode: string;
  /** Plain-language description ("Office visit, established patient"), never a bare code. */
  description: string;
  chargeCents: bigint;
}

/** One claim of the account, with its figures from the ledger. charge = paid + adjustments + pending + PR. */
export interface ClaimFigures {
  claimId: string;
  patientId: string;
  patientName: string;
  provider: string;
  serviceDate: IsoDate;
  lines: ServiceLineFigures[];
  chargeCents: bigint;
  insurancePaidCents: bigint;
  /** CO, PI and OA: never the patient's. */
  adjustmentsCents: bigint;
  pendingInsuranceCents: bigint;
  /** PR that reached the patient receivable for this claim. */
  patientResponsibilityCents: bigint;
  state: ClaimStateKind;
  /** The claim was voided (frequency 8): never listed as a service; its PR is not asked for. */
  voided?: boolean;
}

export interface PaymentReceived {
  date: IsoDate;
  method: string;
  amountCents: bigint;
}

export interface StatementInput {
  accountNumber: string;
  guarantor: { name: string; address: MailingAddress | null };
  statementDate: IsoDate;
  decision: CycleDecision;
  claims: ClaimFigures[];
  /** Ledger balance of the account's patient receivable on the statement date. */
  patientReceivableCents: bigint;
  /** Patient payments received since the previous statement (for the "payments received" list). */
  paymentsSinceLastStatement: PaymentReceived[];
  plan?: PlanStanding | null;
}

export interface StatementService {
  claimId: string;
  patientName: string;
  serviceDate: IsoDate;
  provider: string;
  description: string;
  chargeCents: bigint;
  insurancePaidCents: bigint;
  adjustmentsCents: bigint;
  pendingInsuranceCents: bigint;
  patientPaidCents: bigint;
  balanceCents: bigint;
}

export interface StatementTotals {
  chargesCents: bigint;
  insurancePaidCents: bigint;
  adjustmentsCents: bigint;
  pendingInsuranceCents: bigint;
  /** Patient payments, credits and write-offs applied to the services shown. */
  patientPaymentsCents: bigint;
  /** What the account owes now. */
  balanceCents: bigint;
  /** What this statement asks for by the due date (the next installment on a plan, else the balance). */
  amountDueCents: bigint;
}

export interface Statement {
  statementId: string;
  statementDate: IsoDate;
  dueDate: IsoDate;
  kind: StatementKind;
  sequence: number;
  accountNumber: string;
  guarantor: { name: string; address: MailingAddress | null };
  patients: string[];
  services: StatementService[];
  totals: StatementTotals;
  paymentsReceived: PaymentReceived[];
  plan: { schedule: { dueOn: IsoDate; amountCents: bigint; status: InstallmentStatus }[]; remainingCents: bigint } | null;
  practice: Practice;
  messages: string[];
  held: HoldReason | null;
}

/**
 * Spread the account's reductions (payments, applied credits, write-offs: patient PR minus the receivable)
 * over the billable claims oldest service first, so each shown service carries what was paid on it.
 */
export function allocateReductions(claims: ClaimFigures[], reductionCents: bigint): Map<string, bigint> {
  const out = new Map<string, bigint>();
  let left = reductionCents > 0n ? reductionCents : 0n;
  const oldestFirst = [...claims].sort((a, b) => (a.serviceDate < b.serviceDate ? -1 : a.serviceDate > b.serviceDate ? 1 : a.claimId < b.claimId ? -1 : 1));
  for (const c of oldestFirst) {
    const take = left < c.patientResponsibilityCents ? left : c.patientResponsibilityCents;
    out.set(c.claimId, take > 0n ? take : 0n);
    left -= take > 0n ? take : 0n;
  }
  return out;
}

/** Claims whose figures do not add up: charge must equal paid + adjustments + pending + PR. */
export function unreconciledClaims(claims: ClaimFigures[]): string[] {
  return claims
    .filter((c) => c.chargeCents !== c.insurancePaidCents + c.adjustmentsCents + c.pendingInsuranceCents + c.patientResponsibilityCents)
    .map((c) => c.claimId);
}

function finalNoticeMessage(practice: Practice, dueDate: IsoDate): string {
  return (
    `FINAL NOTICE: this balance is past due. Please pay by ${dueDate} or call ${practice.phone} to set up a payment plan ` +
    'or to apply for financial assistance.'
  );
}

export function buildStatement(input: StatementInput, settings: StatementSettings): Statement {
  const billable = input.claims.filter((c) => c.state === 'patient');
  const waiting = input.claims.filter((c) => c.state !== 'patient');
  // PR sitting on a claim that is not yet the patient's is never asked for (DOMAIN.md: bill only after every payer).
  const heldBackCents = waiting.reduce((s, c) => s + c.patientResponsibilityCents, 0n);
  const billablePrCents = billable.reduce((s, c) => s + c.patientResponsibilityCents, 0n);
  const receivable = input.patientReceivableCents - heldBackCents;
  const balanceCents = receivable > 0n ? receivable : 0n;
  const allocated = allocateReductions(billable, billablePrCents - receivable);

  const services: StatementService[] = [];
  for (const c of [...billable, ...waiting]) {
    if (c.voided) continue;
    const paid = allocated.get(c.claimId) ?? 0n;
    const pr = c.state === 'patient' ? c.patientResponsibilityCents : 0n;
    const serviceBalance = pr - paid;
    // Held-back PR is shown with the pending insurance: it is not asked for yet.
    const pendingCents = c.pendingInsuranceCents + (c.state === 'patient' ? 0n : c.patientResponsibilityCents);
    if (serviceBalance <= 0n && pendingCents === 0n) continue;
    services.push({
      claimId: c.claimId,
      patientName: c.patientName,
      serviceDate: c.serviceDate,
      provider: c.provider,
      description: c.lines.map((l) => l.description).join('; '),
      chargeCents: c.chargeCents,
      insurancePaidCents: c.insurancePaidCents,
      adjustmentsCents: c.adjustmentsCents,
      pendingInsuranceCents: pendingCents,
      patientPaidCents: paid,
      balanceCents: serviceBalance,
    });
  }
  services.sort((a, b) => (a.serviceDate < b.serviceDate ? -1 : a.serviceDate > b.serviceDate ? 1 : a.claimId < b.claimId ? -1 : 1));

  const sum = (f: (s: StatementService) => bigint): bigint => services.reduce((t, s) => t + f(s), 0n);
  const plan = input.plan && input.plan.status === 'good' ? input.plan : null;
  let amountDueCents = balanceCents;
  if (plan?.nextDue && plan.nextDue.amountCents < balanceCents) amountDueCents = plan.nextDue.amountCents;

  const kind = input.decision.kind ?? 'statement';
  const dueDate = addDays(input.statementDate, settings.dueDays);
  const messages: string[] = [];
  if (kind === 'final_notice') messages.push(finalNoticeMessage(settings.practice, dueDate));
  if (plan?.nextDue) messages.push(`Payment plan: your next installment is due on ${plan.nextDue.dueOn}.`);
  if (services.some((v) => v.pendingInsuranceCents > 0n)) {
    messages.push('Some services are still with your insurance. You will be billed for them only after insurance has paid its part.');
  }

  // A statement whose lines do not foot to the balance is never mailed: it is held and listed.
  const foots = sum((s) => s.balanceCents) === balanceCents && unreconciledClaims(input.claims).length === 0;
  const held: HoldReason | null = input.decision.held ?? (foots ? null : 'figures_do_not_reconcile');
  const patients = [...new Set(services.map((s) => s.patientName))].sort();
  return {
    statementId: `${input.accountNumber}-${input.statementDate}`,
    statementDate: input.statementDate,
    dueDate,
    kind,
    sequence: input.decision.sequence ?? 0,
    accountNumber: input.accountNumber,
    guarantor: input.guarantor,
    patients,
    services,
    totals: {
      chargesCents: sum((s) => s.chargeCents),
      insurancePaidCents: sum((s) => s.insurancePaidCents),
      adjustmentsCents: sum((s) => s.adjustmentsCents),
      pendingInsuranceCents: sum((s) => s.pendingInsuranceCents),
      patientPaymentsCents: sum((s) => s.patientPaidCents),
      balanceCents,
      amountDueCents,
    },
    paymentsReceived: input.paymentsSinceLastStatement,
    plan: plan ? { schedule: plan.schedule.map((r) => ({ dueOn: r.dueOn, amountCents: r.amountCents, status: r.status })), remainingCents: plan.remainingCents } : null,
    practice: settings.practice,
    messages,
    held,
  };
}
