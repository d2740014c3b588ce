// The dunning cycle: whether an account is due a statement on a date, which one, and why (or why not).
// Pure over the account's mailed statements, balance, plan standing and disputes. Policy from
// DOMAIN.md (Patient statements): every N days, K statements then a final notice; the clock starts at the
// first statement, never the date of service; a plan in good standing stops the cycle; a dispute freezes it.
import { addDays, daysBetween, maxDate, type IsoDate } from '../common/dates.ts';
import type { PlanStanding } from '../patients/plans.ts';
import { formatUsd as centsText } from '../common/money.ts';

export type StatementKind = 'statement' | 'final_notice' | 'plan';

/** A statement that was mailed (held statements are not part of the cycle). */
export interface SentStatement {
  date: IsoDate;
  kind: StatementKind;
  /** Dunning sequence: 1..K for statements, K+1 for the final notice, 0 for plan statements. */
  sequence: number;
}

export interface Dispute {
  openedOn: IsoDate;
  resolvedOn?: IsoDate | null;
}

export type HoldReason = 'address_incomplete' | 'returned_mail' | 'provisional_patient' | 'figures_do_not_reconcile';

export interface CycleInput {
  asOf: IsoDate;
  /** What the patient owes now (patient receivable on claims in the patient's state), cents. */
  balanceDueCents: bigint;
  statements: SentStatement[];
  /** Last day the account's patient balance was zero or less; a later balance starts a new cycle. */
  balanceClearedOn?: IsoDate | null;
  plan?: PlanStanding | null;
  disputes?: Dispute[];
  hold?: HoldReason | null;
  /** Days the patient receivable went up (new PR, a payer's silence moved to the patient, a returned payment). */
  receivableIncreasedOn?: IsoDate[];
  /** Patient responsibility on claims still with a payer (not billed yet), cents: named when nothing is due. */
  waitingOnPayersCents?: bigint;
}

export interface CycleRules {
  intervalDays: number;
  statementsBeforeFinal: number;
  smallBalanceCents: bigint;
}

export type CycleRule =
  | 'NO_BALANCE'
  | 'SMALL_BALANCE'
  | 'DISPUTE_FROZEN'
  | 'PLAN_IN_GOOD_STANDING'
  | 'FIRST_STATEMENT'
  | 'INTERVAL_NOT_ELAPSED'
  | 'NEXT_STATEMENT'
  | 'FINAL_NOTICE'
  | 'FINAL_NOTICE_SENT'
  | 'NEW_BALANCE_AFTER_FINAL_NOTICE';

export interface CycleDecision {
  due: boolean;
  rule: CycleRule;
  kind?: StatementKind;
  sequence?: number;
  cycleStartedOn?: IsoDate;
  lastStatementOn?: IsoDate;
  /** When the next statement falls due, where that is known. */
  nextOn?: IsoDate;
  /** Due, but not to be mailed: listed instead. */
  held?: HoldReason;
  explanation: string;
}

/** Days of disputes (open or resolved) that overlap [from, to): the cycle's clock stops for them. */
function frozenDays(disputes: Dispute[], from: IsoDate, to: IsoDate): number {
  let days = 0;
  for (const d of disputes) {
    const start = maxDate(d.openedOn, from);
    const end = d.resolvedOn && d.resolvedOn < to ? d.resolvedOn : to;
    if (end > start) days += daysBetween(start, end);
  }
  return days;
}

function byDate(a: SentStatement, b: SentStatement): number {
  return a.date < b.date ? -1 : a.date > b.date ? 1 : a.sequence - b.sequence;
}

/** Why the next statement is or is not due on `input.asOf`. */
export function whyNextStatement(input: CycleInput, rules: CycleRules): CycleDecision {
  const { asOf } = input;
  const disputes = input.disputes ?? [];
  const cleared = input.balanceClearedOn ?? null;
  const cycle = input.statements.filter((s) => s.date <= asOf && (cleared === null || s.date > cleared)).sort(byDate);
  const dunning = cycle.filter((s) => s.kind !== 'plan');
  const first = dunning[0];
  const last = dunning.at(-1);
  const lastAny = cycle.at(-1);
  const base: Pick<CycleDecision, 'cycleStartedOn' | 'lastStatementOn'> = {
    ...(first && { cycleStartedOn: first.date }),
    ...(lastAny && { lastStatementOn: lastAny.date }),
  };
  const withHold = (d: CycleDecision): CycleDecision => (d.due && input.hold ? { ...d, held: input.hold } : d);

  if (input.balanceDueCents <= 0n) {
    const waiting = input.waitingOnPayersCents ?? 0n;
    const explanation = input.balanceDueCents < 0n ? 'the account has a credit, not a balance'
      : waiting > 0n ? `nothing is due from the patient yet: ${centsText(waiting)} of patient responsibility is on claims still with a payer`
        : 'nothing is due from the patient';
    return { due: false, rule: 'NO_BALANCE', ...base, explanation };
  }
  if (input.balanceDueCents < rules.smallBalanceCents) {
    return { due: false, rule: 'SMALL_BALANCE', ...base, explanation: `the balance is under the small-balance limit and is written off, not mailed` };
  }
  const openDispute = disputes.find((d) => d.openedOn <= asOf && (!d.resolvedOn || d.resolvedOn > asOf));
  if (openDispute) {
    return { due: false, rule: 'DISPUTE_FROZEN', ...base, explanation: `the balance is disputed since ${openDispute.openedOn}; the cycle is frozen until the dispute is resolved` };
  }

  const plan = input.plan;
  if (plan && plan.status === 'good') {
    const nextOn = lastAny ? addDays(lastAny.date, rules.intervalDays) : asOf;
    const due = nextOn <= asOf;
    return withHold({
      due,
      rule: 'PLAN_IN_GOOD_STANDING',
      ...(due && { kind: 'plan' as const, sequence: 0 }),
      ...base,
      nextOn,
      explanation: `a payment plan is in good standing: the dunning cycle is stopped; plan statements every ${rules.intervalDays} days${due ? '' : `, next on ${nextOn}`}`,
    });
  }
  // A plan that defaulted (or ended with a balance left) resumes the cycle from the day it did.
  const resumeOn = plan && plan.status !== 'good' && plan.statusOn ? plan.statusOn : undefined;

  if (!last) {
    return withHold({
      due: true,
      rule: 'FIRST_STATEMENT',
      kind: 'statement',
      sequence: 1,
      ...base,
      nextOn: asOf,
      explanation: `a balance is due and no statement has been mailed for it: the first statement starts the cycle${resumeOn ? ` (plan ${plan?.status} on ${resumeOn})` : ''}`,
    });
  }
  if (last.kind === 'final_notice') {
    // A balance that arrived after the final notice was never billed: it gets statements of its own (the
    // noticed balance goes to collections as it was; referral counts only what the notice asked for).
    const since = (input.receivableIncreasedOn ?? []).filter((d) => d > last.date && d <= asOf).sort().at(-1);
    if (since) {
      return withHold({
        due: true,
        rule: 'NEW_BALANCE_AFTER_FINAL_NOTICE',
        kind: 'statement',
        sequence: 1,
        ...base,
        nextOn: asOf,
        explanation: `the final notice was mailed on ${last.date}; a balance added on ${since} has not been billed: a statement starts its cycle`,
      });
    }
    return { due: false, rule: 'FINAL_NOTICE_SENT', ...base, explanation: `the final notice was mailed on ${last.date}; the account is for collections, not more statements` };
  }
  const frozen = frozenDays(disputes, last.date, asOf);
  // Time on a plan in good standing only postponed escalation: after a default the cycle picks up where
  // it stopped, so a long-running plan's default makes the next dunning statement due at once.
  const nextOn = addDays(last.date, rules.intervalDays + frozen);
  const frozenNote = (frozen > 0 ? ` (plus ${frozen} days frozen by a dispute)` : '') + (resumeOn ? ` (plan ${plan?.status} on ${resumeOn})` : '');
  if (nextOn > asOf) {
    return {
      due: false,
      rule: 'INTERVAL_NOT_ELAPSED',
      ...base,
      nextOn,
      explanation: `statement ${last.sequence} was mailed on ${last.date}; the next is due ${rules.intervalDays} days later${frozenNote}, on ${nextOn}`,
    };
  }
  const sequence = last.sequence + 1;
  if (sequence <= rules.statementsBeforeFinal) {
    return withHold({
      due: true,
      rule: 'NEXT_STATEMENT',
      kind: 'statement',
      sequence,
      ...base,
      nextOn,
      explanation: `statement ${last.sequence} was mailed on ${last.date}; statement ${sequence} of ${rules.statementsBeforeFinal} is due from ${nextOn}${frozenNote}`,
    });
  }
  return withHold({
    due: true,
    rule: 'FINAL_NOTICE',
    kind: 'final_notice',
    sequence,
    ...base,
    nextOn,
    explanation: `${rules.statementsBeforeFinal} statements have been mailed (the last on ${last.date}); the final notice is due from ${nextOn}${frozenNote}`,
  });
}
