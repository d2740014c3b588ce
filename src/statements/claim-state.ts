// Where a claim's balance stands between its payers and the patient: a pure function over the claim's
// coverages (in order of responsibility) and the remittance events each payer sent for it.
// DOMAIN.md (Patient statements, 835 CLP02): a patient is billed only once every payer on the claim has
// adjudicated it, or once a later payer has been silent longer than the timeout.
import { addDays, daysBetween, maxDate, type IsoDate } from '../common/dates.ts';

/** One coverage on the claim; sequence 1 is primary, 2 secondary, 3 tertiary. */
export interface ClaimCoverage {
  sequence: number;
  payerId: string;
  /**
   * The payer's rules (payers table, unansweredToPatientAfterDays): days after which its silence leaves the
   * balance to the patient; null: never (the claim waits on the follow-up list). Absent: the statement
   * setting alone decides (callers with no payer rules; docs/decisions/0100).
   */
  unansweredToPatientAfterDays?: number | null;
}

/** One CLP of an 835 about this claim, as posted. */
export interface RemittanceEvent {
  payerId: string;
  /** CLP02 as received. */
  status: string;
  /** Payment date (BPR16) of the remittance. */
  date: IsoDate;
  /** Tie-breaker for events on the same date: arrival order (e.g. posting sequence). */
  order?: number;
}

/** CLP02 values that mean the payer has decided the claim (processed, denied, or processed and forwarded). */
export const ADJUDICATING_STATUSES: ReadonlySet<string> = new Set(['1', '2', '3', '4', '19', '20', '21']);
/** CLP02 22: the payer reverses its last adjudication; the claim is open with that payer again. */
export const REVERSAL_STATUS = '22';

export type ClaimStateKind = 'with_payer' | 'waiting_next_payer' | 'patient';

export interface ClaimState {
  kind: ClaimStateKind;
  /** The payer the claim is waiting on (with_payer, waiting_next_payer). */
  payerId?: string;
  sequence?: number;
  /** Date the current state began. */
  since?: IsoDate;
  /** For waiting_next_payer: the day the claim becomes the patient's if that payer stays silent (absent: never). */
  timeoutOn?: IsoDate;
  /** For patient: why. */
  reason?: 'last_payer_adjudicated' | 'next_payer_timeout' | 'no_coverage';
  /** Payers that have adjudicated, in coverage order, with the date each did. */
  adjudicated: { payerId: string; sequence: number; date: IsoDate; status: string }[];
}

export interface ClaimStateOptions {
  asOf: IsoDate;
  /**
   * Days a secondary (or later) payer has to answer before the balance becomes the patient's: the practice's
   * least wait. A payer whose rules allow it waits the longer of its own days and these.
   */
  nextPayerTimeoutDays: number;
  /**
   * The day a replacement (7) or void (8) of the claim was sent. Adjudications dated before it were about
   * the claim it replaced, so they no longer decide anything: the claim is with the payer again until the
   * payer answers the replacement (events on that day or later count).
   */
  resubmittedOn?: IsoDate | null;
}

interface Adjudication {
  date: IsoDate;
  status: string;
}

/**
 * Net adjudications of one payer up to `asOf`: each 1-4/19-21 pushes, each 22 pops the latest (a
 * reversal reopens the claim until its correction arrives); 23 and 25 neither decide nor reopen.
 */
function payerAdjudication(events: RemittanceEvent[], asOf: IsoDate): { current?: Adjudication; reopenedOn?: IsoDate } {
  const stack: Adjudication[] = [];
  let reopenedOn: IsoDate | undefined;
  for (const e of events) {
    if (e.date > asOf) continue;
    if (ADJUDICATING_STATUSES.has(e.status)) {
      stack.push({ date: e.date, status: e.status });
    } else if (e.status === REVERSAL_STATUS && stack.length > 0) {
      stack.pop();
      reopenedOn = e.date;
    }
  }
  const current = stack.at(-1);
  return current ? { current } : reopenedOn ? { reopenedOn } : {};
}

function byDateThenOrder(a: RemittanceEvent, b: RemittanceEvent): number {
  if (a.date !== b.date) return a.date < b.date ? -1 : 1;
  return (a.order ?? 0) - (b.order ?? 0);
}

/** Days a silent later payer has before its share is the patient's: null never; the longer of the payer's and the practice's. */
export function timeoutDays(coverage: ClaimCoverage, practiceDays: number): number | null {
  const own = coverage.unansweredToPatientAfterDays;
  if (own === undefined) return practiceDays;
  if (own === null) return null;
  return own > practiceDays ? own : practiceDays;
}

/** The claim's state on `asOf`. */
export function claimState(coverages: ClaimCoverage[], events: RemittanceEvent[], opts: ClaimStateOptions): ClaimState {
  const ordered = [...coverages].sort((a, b) => a.sequence - b.sequence);
  const resubmittedOn = opts.resubmittedOn;
  const sorted = events.filter((e) => !resubmittedOn || e.date >= resubmittedOn).sort(byDateThenOrder);
  const adjudicated: ClaimState['adjudicated'] = [];
  if (ordered.length === 0) return { kind: 'patient', reason: 'no_coverage', adjudicated };

  let previousDecidedOn: IsoDate | undefined;
  for (const coverage of ordered) {
    const mine = sorted.filter((e) => e.payerId === coverage.payerId);
    const { current, reopenedOn } = payerAdjudication(mine, opts.asOf);
    if (current) {
      adjudicated.push({ payerId: coverage.payerId, sequence: coverage.sequence, date: current.date, status: current.status });
      previousDecidedOn = current.date;
      continue;
    }
    if (previousDecidedOn === undefined) {
      // The first payer has not decided yet: nothing is the patient's.
      return { kind: 'with_payer', payerId: coverage.payerId, sequence: coverage.sequence, ...(reopenedOn && { since: reopenedOn }), adjudicated };
    }
    // A later payer holds the PR that moved on; a reversal by it restarts its time to answer.
    const since = reopenedOn ? maxDate(previousDecidedOn, reopenedOn) : previousDecidedOn;
    const days = timeoutDays(coverage, opts.nextPayerTimeoutDays);
    // A payer whose rules never bill the patient for its silence: the claim waits (follow-up list).
    if (days === null) return { kind: 'waiting_next_payer', payerId: coverage.payerId, sequence: coverage.sequence, since, adjudicated };
    const timeoutOn = addDays(since, days);
    if (daysBetween(since, opts.asOf) >= days) {
      return { kind: 'patient', reason: 'next_payer_timeout', since: timeoutOn, payerId: coverage.payerId, sequence: coverage.sequence, adjudicated };
    }
    return { kind: 'waiting_next_payer', payerId: coverage.payerId, sequence: coverage.sequence, since, timeoutOn, adjudicated };
  }
  return { kind: 'patient', reason: 'last_payer_adjudicated', since: previousDecidedOn as IsoDate, adjudicated };
}

/** A short sentence for `claims account` and logs. */
export function describeClaimState(s: ClaimState): string {
  switch (s.kind) {
    case 'with_payer':
      return `with payer ${s.payerId} (coverage ${s.sequence})${s.since ? `, reopened by a reversal on ${s.since}` : ''}`;
    case 'waiting_next_payer':
      if (s.timeoutOn === undefined) return `waiting for payer ${s.payerId} (coverage ${s.sequence}) since ${s.since}; never the patient's for its silence: on the follow-up list`;
      return `waiting for payer ${s.payerId} (coverage ${s.sequence}) since ${s.since}; the patient's on ${s.timeoutOn} if it does not answer`;
    case 'patient':
      if (s.reason === 'next_payer_timeout') return `the patient's since ${s.since}: payer ${s.payerId} did not answer in time`;
      if (s.reason === 'no_coverage') return `the patient's: self-pay, no coverage`;
      return `the patient's since ${s.since}: every payer has adjudicated`;
  }
}
