// The coverage question, pure: given the current snapshot of what a payer said about a person, is the
// person covered on a date of service for a service type, and which benefit rows (copay, coinsurance,
// deductible, out of pocket) apply? And the submit-stage decision built on it: hold or send a claim.
// Rules: DOMAIN.md "271". Missing data is never "not covered": no 271, a rejected inquiry or no status
// row all answer `active: null`, and a claim is sent.
import {
  ACTIVE_BENEFIT_TYPES,
  HEALTH_BENEFIT_PLAN_COVERAGE,
  INACTIVE_BENEFIT_TYPE,
  NON_COVERED_BENEFIT_TYPE,
  type Benefit,
  type EligibilityDate,
  type EligibilityRejection,
} from '../domain/eligibility.ts';
import type { ErrorCode } from '../common/error-codes.ts';

/** What the question needs from a stored snapshot (an EligibilityResponse has all of it). */
export interface CoverageFacts {
  dates: EligibilityDate[];
  benefits: Benefit[];
  rejections: EligibilityRejection[];
}

export type CoverageReason =
  | 'NO_RESPONSE_ON_FILE'
  | 'INQUIRY_REJECTED'
  | 'NO_STATUS_FOR_SERVICE'
  | 'BEFORE_PLAN_BEGIN'
  | 'AFTER_PLAN_END'
  | 'OUTSIDE_BENEFIT_DATES'
  | 'INACTIVE'
  | 'NOT_COVERED'
  | 'ACTIVE';

export interface CoverageAnswer {
  /** true covered, false not covered on that date, null nothing known (missing data is not "not covered"). */
  active: boolean | null;
  reason: CoverageReason;
  /** One line for people: why `active` has its value. */
  explanation: string;
  /** The person's plan window from DTP 346/347 and 356/357 (YYYY-MM-DD), null when open. */
  planBegin: string | null;
  planEnd: string | null;
  /** Rows that apply to the service type (or to plan coverage 30) on the date: status and financial rows. */
  benefits: Benefit[];
  rejections: EligibilityRejection[];
}

// Begin and end qualifiers of the person's plan window (2100C/2100D): plan and eligibility dates.
const PLAN_BEGIN = new Set(['346', '356']);
const PLAN_END = new Set(['347', '357']);
// A benefit row's own dates (2110): begin/end pairs, and range qualifiers (plan 291, benefit 292, eligibility 307).
const ROW_BEGIN = new Set(['346', '348', '356']);
const ROW_END = new Set(['347', '349', '357']);
const ROW_RANGE = new Set(['291', '292', '307']);

function laterOf(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  return a > b ? a : b;
}
function earlierOf(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  return a < b ? a : b;
}

// DTP*291 (plan) at 2100C/D: payers send the plan period as one RD8 instead of a 346/347 pair; a D8 only
// starts it. 307 (eligibility) is left out: HETS-style responses echo the inquiry date there, so it says
// when the payer looked, not when the plan ends (docs/decisions/0054).
const PLAN_RANGE = '291';

/** The plan window: the latest begin and the earliest end among 346/356/291 and 347/357/291 (RD8). */
export function planWindow(dates: EligibilityDate[]): { begin: string | null; end: string | null } {
  let begin: string | null = null;
  let end: string | null = null;
  for (const d of dates) {
    if (PLAN_BEGIN.has(d.qualifier)) begin = laterOf(begin, d.begin);
    else if (PLAN_END.has(d.qualifier)) end = earlierOf(end, d.end ?? d.begin);
    else if (d.qualifier === PLAN_RANGE) {
      begin = laterOf(begin, d.begin);
      if (d.format === 'RD8') end = earlierOf(end, d.end);
    }
  }
  return { begin, end };
}

/** Whether a benefit row's own dates (if any) include the date. A D8 range qualifier only starts it. */
export function benefitAppliesOn(b: Benefit, date: string): boolean {
  for (const d of b.dates) {
    if (ROW_BEGIN.has(d.qualifier) && d.begin !== null && date < d.begin) return false;
    if (ROW_END.has(d.qualifier) && (d.end ?? d.begin) !== null && date > (d.end ?? d.begin)!) return false;
    if (ROW_RANGE.has(d.qualifier)) {
      if (d.begin !== null && date < d.begin) return false;
      if (d.format === 'RD8' && d.end !== null && date > d.end) return false;
    }
  }
  return true;
}

function isStatus(b: Benefit): boolean {
  return ACTIVE_BENEFIT_TYPES.has(b.type) || b.type === INACTIVE_BENEFIT_TYPE || b.type === NON_COVERED_BENEFIT_TYPE;
}

function listsService(b: Benefit, serviceType: string): boolean {
  return b.serviceTypes.includes(serviceType);
}
function isPlanWide(b: Benefit): boolean {
  return b.serviceTypes.length === 0 || b.serviceTypes.includes(HEALTH_BENEFIT_PLAN_COVERAGE);
}

/**
 * Answer the coverage question for one person and payer. `facts` null means no 271 on file.
 * A service type listed on its own rows is answered by those rows; otherwise plan coverage (30, or an EB
 * without EB03) answers for it.
 */
export function answerCoverage(facts: CoverageFacts | null, dateOfService: string, serviceType = HEALTH_BENEFIT_PLAN_COVERAGE): CoverageAnswer {
  if (facts === null) {
    return { active: null, reason: 'NO_RESPONSE_ON_FILE', explanation: 'no 271 on file for this person and payer', planBegin: null, planEnd: null, benefits: [], rejections: [] };
  }
  const { begin, end } = planWindow(facts.dates);
  const base = { planBegin: begin, planEnd: end, rejections: facts.rejections };
  const own = facts.benefits.filter((b) => listsService(b, serviceType));
  const planWide = facts.benefits.filter(isPlanWide);
  const relevant = [...new Set([...own, ...planWide])].filter((b) => benefitAppliesOn(b, dateOfService));

  if (begin !== null && dateOfService < begin) {
    return { ...base, active: false, reason: 'BEFORE_PLAN_BEGIN', explanation: `date of service ${dateOfService} is before the plan begins on ${begin}`, benefits: relevant };
  }
  if (end !== null && dateOfService > end) {
    return { ...base, active: false, reason: 'AFTER_PLAN_END', explanation: `date of service ${dateOfService} is after the plan ended on ${end}`, benefits: relevant };
  }
  // Status rows for the service itself win over plan-wide ones (EB*I for a service inside an active plan).
  const ownStatus = own.filter(isStatus);
  const statusRows = ownStatus.length > 0 ? ownStatus : planWide.filter(isStatus);
  const onDate = statusRows.filter((b) => benefitAppliesOn(b, dateOfService));
  if (statusRows.length === 0) {
    if (facts.rejections.length > 0) {
      const r = facts.rejections[0]!;
      return { ...base, active: null, reason: 'INQUIRY_REJECTED', explanation: `the payer rejected the inquiry (AAA ${r.reason}, follow-up ${r.followUp}, loop ${r.loop})`, benefits: relevant };
    }
    return { ...base, active: null, reason: 'NO_STATUS_FOR_SERVICE', explanation: `the 271 has no coverage status for service type ${serviceType}`, benefits: relevant };
  }
  if (onDate.length === 0) {
    return { ...base, active: false, reason: 'OUTSIDE_BENEFIT_DATES', explanation: `no coverage row for service type ${serviceType} is in effect on ${dateOfService}`, benefits: relevant };
  }
  if (onDate.some((b) => b.type === INACTIVE_BENEFIT_TYPE)) {
    return { ...base, active: false, reason: 'INACTIVE', explanation: 'the payer reports the coverage inactive (EB01 6)', benefits: relevant };
  }
  if (onDate.some((b) => ACTIVE_BENEFIT_TYPES.has(b.type))) {
    return { ...base, active: true, reason: 'ACTIVE', explanation: `active coverage for service type ${serviceType} on ${dateOfService}`, benefits: relevant };
  }
  return { ...base, active: false, reason: 'NOT_COVERED', explanation: `service type ${serviceType} is not covered (EB01 I)`, benefits: relevant };
}

// ---- the submit-stage decision ------------------------------------------------------------------------

/** What the payer profile says to do with a claim whose dates fall outside known active coverage. */
export type InactiveCoveragePolicy = 'hold' | 'send';

export interface CoverageDecision {
  action: 'send' | 'hold';
  /** Stable code: COVERAGE_ACTIVE, COVERAGE_UNKNOWN, COVERAGE_INACTIVE_SENT_BY_POLICY, COVERAGE_INACTIVE. */
  code: ErrorCode;
  /** For a hold: what an analyst reads on the held-claims report. */
  reason: string;
  /** The first date of service whose answer decided a hold (or null). */
  dateOfService: string | null;
  answers: Array<{ dateOfService: string; answer: CoverageAnswer }>;
}

/**
 * Decide a claim: held when any of its dates of service falls outside known active coverage, unless the
 * payer's policy is to send anyway; sent when covered or when nothing is known.
 */
export function decideCoverage(
  facts: CoverageFacts | null,
  datesOfService: readonly string[],
  options: { serviceType?: string; policy?: InactiveCoveragePolicy } = {},
): CoverageDecision {
  const dates = [...new Set(datesOfService)].sort();
  const answers = dates.map((d) => ({ dateOfService: d, answer: answerCoverage(facts, d, options.serviceType) }));
  const inactive = answers.find((a) => a.answer.active === false);
  if (inactive) {
    const reason = `not covered on ${inactive.dateOfService}: ${inactive.answer.explanation}`;
    if ((options.policy ?? 'hold') === 'send') {
      return { action: 'send', code: 'COVERAGE_INACTIVE_SENT_BY_POLICY', reason, dateOfService: inactive.dateOfService, answers };
    }
    return { action: 'hold', code: 'COVERAGE_INACTIVE', reason, dateOfService: inactive.dateOfService, answers };
  }
  const unknown = answers.find((a) => a.answer.active === null);
  if (unknown || answers.length === 0) {
    return { action: 'send', code: 'COVERAGE_UNKNOWN', reason: unknown?.answer.explanation ?? 'no date of service', dateOfService: null, answers };
  }
  return { action: 'send', code: 'COVERAGE_ACTIVE', reason: 'covered on every date of service', dateOfService: null, answers };
}
