// Payment plans: the installment schedule and whether the plan is in good standing, as pure functions of
// the plan and the account's patient payments. A plan in good standing stops the dunning cycle; missed
// installments (default two) default it and the cycle resumes (issue 7).
import { addDays, addMonths, daysBetween, type IsoDate } from '../common/dates.ts';

export const PLAN_FREQUENCIES = ['weekly', 'biweekly', 'monthly'] as const;
export type PlanFrequency = (typeof PLAN_FREQUENCIES)[number];

export interface PaymentPlan {
  planId: string;
  accountNumber: string;
  totalCents: bigint;
  installments: number;
  startOn: IsoDate;
  frequency: PlanFrequency;
  /** Payments from this date on count toward the plan. */
  createdOn: IsoDate;
  cancelledOn?: IsoDate | null;
}

export interface Installment {
  number: number;
  dueOn: IsoDate;
  amountCents: bigint;
}

export interface DatedPayment {
  date: IsoDate;
  amountCents: bigint;
}

export type PlanStatus = 'good' | 'defaulted' | 'completed' | 'cancelled';
export type InstallmentStatus = 'paid' | 'partly_paid' | 'missed' | 'due' | 'upcoming';

export interface PlanStanding {
  status: PlanStatus;
  /** The day the plan defaulted, completed or was cancelled. */
  statusOn?: IsoDate;
  paidCents: bigint;
  remainingCents: bigint;
  missedCount: number;
  schedule: (Installment & { status: InstallmentStatus })[];
  /** What the next statement asks for: the next installment plus any arrears. */
  nextDue?: { dueOn: IsoDate; amountCents: bigint };
}

export interface PlanRules {
  asOf: IsoDate;
  missedInstallmentsToDefault: number;
  graceDays: number;
}

/** Equal installments; the last absorbs the remainder so the schedule sums to the total exactly. */
export function planSchedule(plan: PaymentPlan): Installment[] {
  const n = BigInt(plan.installments);
  const base = plan.totalCents / n;
  const out: Installment[] = [];
  for (let i = 0; i < plan.installments; i++) {
    const dueOn =
      plan.frequency === 'monthly' ? addMonths(plan.startOn, i) : addDays(plan.startOn, i * (plan.frequency === 'weekly' ? 7 : 14));
    const amountCents = i === plan.installments - 1 ? plan.totalCents - base * (n - 1n) : base;
    out.push({ number: i + 1, dueOn, amountCents });
  }
  return out;
}

function paidThrough(payments: DatedPayment[], from: IsoDate, through: IsoDate): bigint {
  let sum = 0n;
  for (const p of payments) if (p.date >= from && p.date <= through) sum += p.amountCents;
  return sum;
}

/** The plan's standing on `rules.asOf`. */
export function planStanding(plan: PaymentPlan, payments: DatedPayment[], rules: PlanRules): PlanStanding {
  const schedule = planSchedule(plan);
  const cumulative: bigint[] = [];
  let running = 0n;
  for (const inst of schedule) cumulative.push((running += inst.amountCents));
  // An installment is missed the day after its grace period ends if the payments by then do not cover it.
  const missedOn = schedule.map((i) => addDays(i.dueOn, rules.graceDays + 1));

  let defaultedOn: IsoDate | undefined;
  for (const candidate of [...missedOn].sort()) {
    if (candidate > rules.asOf) break;
    const paid = paidThrough(payments, plan.createdOn, addDays(candidate, -1));
    if (paid >= plan.totalCents) break;
    const missed = schedule.filter((_, j) => (missedOn[j] as IsoDate) <= candidate && paid < (cumulative[j] as bigint)).length;
    if (missed >= rules.missedInstallmentsToDefault) {
      defaultedOn = candidate;
      break;
    }
  }

  const paidCents = paidThrough(payments, plan.createdOn, rules.asOf);
  const rows = schedule.map((inst, j) => {
    const cum = cumulative[j] as bigint;
    const before = cum - inst.amountCents;
    let status: InstallmentStatus;
    if (paidCents >= cum) status = 'paid';
    else if (daysBetween(inst.dueOn, rules.asOf) > rules.graceDays) status = 'missed';
    else if (paidCents > before) status = 'partly_paid';
    else status = inst.dueOn <= rules.asOf ? 'due' : 'upcoming';
    return { ...inst, status };
  });
  const missedCount = rows.filter((r) => r.status === 'missed').length;
  const remainingCents = plan.totalCents > paidCents ? plan.totalCents - paidCents : 0n;

  let status: PlanStatus = 'good';
  let statusOn: IsoDate | undefined;
  const cancelled = plan.cancelledOn && plan.cancelledOn <= rules.asOf ? plan.cancelledOn : undefined;
  if (remainingCents === 0n) {
    status = 'completed';
    statusOn = completionDate(payments, plan, rules.asOf);
  } else if (defaultedOn && (!cancelled || defaultedOn <= cancelled)) {
    status = 'defaulted';
    statusOn = defaultedOn;
  } else if (cancelled) {
    status = 'cancelled';
    statusOn = cancelled;
  }

  const standing: PlanStanding = { status, paidCents, remainingCents, missedCount, schedule: rows };
  if (statusOn) standing.statusOn = statusOn;
  if (status === 'good') {
    // Ask for everything due up to the next installment not yet covered, arrears included.
    const open = rows.filter((r) => r.status !== 'paid');
    const next = open.find((r) => r.status !== 'missed') ?? open.at(-1);
    if (next) {
      const cum = cumulative[next.number - 1] as bigint;
      standing.nextDue = { dueOn: next.dueOn, amountCents: cum - paidCents };
    }
  }
  return standing;
}

function completionDate(payments: DatedPayment[], plan: PaymentPlan, asOf: IsoDate): IsoDate {
  const sorted = payments.filter((p) => p.date >= plan.createdOn && p.date <= asOf).sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  let sum = 0n;
  for (const p of sorted) {
    sum += p.amountCents;
    if (sum >= plan.totalCents) return p.date;
  }
  return asOf;
}
