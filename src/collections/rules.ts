// Whether an account is referred to collections on a date, and why (or why not), as a pure function of plain
// facts; and whether an account already placed must be recalled. Policy from DOMAIN.md (Collections referral,
// Patient statements): past the final notice, N days after the FIRST STATEMENT (never the date of service),
// a balance at or over the minimum, no plan in good standing, no dispute, no assistance review, not
// provisional, never the same balance twice; non-profit mode adds IRS 501(r)(6).
import { formatUsd } from '../common/money.ts';
import { addDays, daysBetween, type IsoDate } from '../common/dates.ts';
import type { PlanStanding } from '../patients/plans.ts';
import type { Agency, AssignRule, EffectivePolicy } from './settings.ts';
import type { Hold, HoldKind } from '../patients/holds.ts';

export interface ReferralFacts {
  accountNumber: string;
  asOf: IsoDate;
  guarantorState: string;
  /** First statement of the current dunning cycle (after the balance last cleared). */
  cycleStartedOn?: IsoDate | null;
  /** The final notice of that cycle, if mailed. */
  finalNoticeOn?: IsoDate | null;
  /** What could be referred: the patient's balance on claims that are the patient's, less any credit. */
  balanceCents: bigint;
  plan?: PlanStanding | null;
  holds: Hold[];
  provisional: boolean;
  activeReferral?: { referralId: string; agencyId: string; placedOn: IsoDate } | null;
  /** A balance recalled from an agency that has not been cleared since: never referred again. */
  recalledBalance?: { referralId: string; recalledOn: IsoDate; reason: string } | null;
  /** The 501(r) written notice sent for this cycle. */
  ecaNotice?: { noticeDate: IsoDate; ecaNotBefore: IsoDate } | null;
}

export type ReferralRule =
  | 'ALREADY_REFERRED'
  | 'PROVISIONAL_PATIENT'
  | 'RECALLED_BALANCE'
  | 'DISPUTED'
  | 'INSURANCE_PENDING'
  | 'ASSISTANCE_REVIEW'
  | 'PLAN_IN_GOOD_STANDING'
  | 'NO_BALANCE'
  | 'BELOW_MINIMUM'
  | 'NO_FINAL_NOTICE'
  | 'BANKRUPTCY'
  | 'FINAL_NOTICE_PERIOD'
  | 'TOO_EARLY'
  | 'NO_AGENCY'
  | 'ECA_NOTICE_REQUIRED'
  | 'ECA_NOTICE_PERIOD'
  | 'REFER';

export interface ReferralDecision {
  refer: boolean;
  rule: ReferralRule;
  explanation: string;
  balanceCents: bigint;
  agencyId?: string;
  firstStatementOn?: IsoDate;
  finalNoticeOn?: IsoDate;
  /** First day the days-after-first-statement rule allows a referral. */
  eligibleOn?: IsoDate;
  /** Non-profit: send the written notice now, for an action not before this date. */
  sendEcaNotice?: { ecaNotBefore: IsoDate };
  ecaNoticeOn?: IsoDate;
  ecaNotBefore?: IsoDate;
  /** Last day an assistance application pauses collections (when the policy has such a day). */
  assistanceWindowEndsOn?: IsoDate;
}

/** An open hold on the date: opened on or before it, not resolved by it. */
export function openHold(holds: Hold[], kind: HoldKind, asOf: IsoDate): Hold | undefined {
  return holds.find((h) => h.kind === kind && h.openedOn <= asOf && (!h.resolvedOn || h.resolvedOn > asOf));
}

/**
 * An assistance application pauses collections unless the policy has an application period and the
 * application came after it (501(r): day 240 after the first statement, counted inclusively).
 */
export function assistancePauses(hold: Hold, cycleStartedOn: IsoDate | null | undefined, policy: EffectivePolicy): boolean {
  if (policy.assistanceApplicationDays === null || !cycleStartedOn) return true;
  return daysBetween(cycleStartedOn, hold.openedOn) <= policy.assistanceApplicationDays;
}

function matches(rule: AssignRule, balanceCents: bigint, state: string, accountNumber: string): boolean {
  if (rule.minBalanceCents !== undefined && balanceCents < BigInt(rule.minBalanceCents)) return false;
  if (rule.maxBalanceCents !== undefined && balanceCents > BigInt(rule.maxBalanceCents)) return false;
  if (rule.states && !rule.states.includes(state)) return false;
  if (rule.accountPrefixes && !rule.accountPrefixes.some((p) => accountNumber.startsWith(p))) return false;
  return true;
}

export function assignAgency(agencies: readonly Agency[], balanceCents: bigint, state: string, accountNumber: string): Agency | undefined {
  return agencies.find((a) => matches(a.assign, balanceCents, state, accountNumber));
}

export function decideReferral(facts: ReferralFacts, policy: EffectivePolicy, agencies: readonly Agency[]): ReferralDecision {
  const { asOf } = facts;
  const first = facts.cycleStartedOn ?? undefined;
  const dates = {
    ...(first && { firstStatementOn: first, eligibleOn: addDays(first, policy.daysAfterFirstStatement) }),
    ...(facts.finalNoticeOn && { finalNoticeOn: facts.finalNoticeOn }),
    ...(first && policy.assistanceApplicationDays !== null && { assistanceWindowEndsOn: addDays(first, policy.assistanceApplicationDays) }),
    ...(facts.ecaNotice && { ecaNoticeOn: facts.ecaNotice.noticeDate, ecaNotBefore: facts.ecaNotice.ecaNotBefore }),
  };
  const no = (rule: ReferralRule, explanation: string, extra: Partial<ReferralDecision> = {}): ReferralDecision => ({
    refer: false, rule, explanation, balanceCents: facts.balanceCents, ...dates, ...extra,
  });

  if (facts.activeReferral) {
    const r = facts.activeReferral;
    return no('ALREADY_REFERRED', `referred to ${r.agencyId} on ${r.placedOn} (referral ${r.referralId}); a balance is never referred twice`, { agencyId: r.agencyId });
  }
  if (facts.provisional) return no('PROVISIONAL_PATIENT', 'a patient on the account is provisional (an unmatched remittance not yet confirmed): never referred');
  if (facts.recalledBalance) {
    const r = facts.recalledBalance;
    return no('RECALLED_BALANCE', `the balance was recalled from the agency on ${r.recalledOn} (${r.reason}, referral ${r.referralId}) and has not been cleared since; a recalled balance is not referred again`);
  }
  const bankruptcy = openHold(facts.holds, 'bankruptcy', asOf);
  if (bankruptcy) return no('BANKRUPTCY', `the guarantor is flagged in bankruptcy since ${bankruptcy.openedOn}: the automatic stay stops collection until the flag is cleared`);
  const dispute = openHold(facts.holds, 'dispute', asOf);
  if (dispute) return no('DISPUTED', `the balance is disputed since ${dispute.openedOn} (${dispute.reason}); referrals are frozen until it is resolved`);
  const insurance = openHold(facts.holds, 'insurance', asOf);
  if (insurance) return no('INSURANCE_PENDING', `insurance may still pay since ${insurance.openedOn} (${insurance.reason}); referrals are frozen until it is resolved`);
  const assistance = openHold(facts.holds, 'assistance', asOf);
  let lateApplication = '';
  if (assistance) {
    if (assistancePauses(assistance, first, policy)) {
      return no('ASSISTANCE_REVIEW', `a financial-assistance application is under review since ${assistance.openedOn}; collections are paused until it is decided`);
    }
    lateApplication = ` (the assistance application of ${assistance.openedOn} came after the application period ended on ${dates.assistanceWindowEndsOn}, so it does not pause collections)`;
  }
  if (facts.plan && facts.plan.status === 'good') return no('PLAN_IN_GOOD_STANDING', 'a payment plan is in good standing');
  if (facts.balanceCents <= 0n) return no('NO_BALANCE', 'nothing is owed by the patient');
  if (facts.balanceCents < policy.minimumBalanceCents) {
    return no('BELOW_MINIMUM', `the balance ${formatUsd(facts.balanceCents)} is under the referral minimum of ${formatUsd(policy.minimumBalanceCents)}`);
  }
  if (!first || !facts.finalNoticeOn) return no('NO_FINAL_NOTICE', first ? `the cycle started on ${first} but no final notice has been mailed` : 'no statement has been mailed for this balance');

  const eligibleOn = addDays(first, policy.daysAfterFirstStatement);
  // The written notice can go out as soon as the account is otherwise collectable, so it never delays day 120.
  const needsNotice = policy.nonProfit && !facts.ecaNotice;
  const ecaNotBefore = needsNotice ? (addDays(asOf, policy.ecaNoticeDays) > eligibleOn ? addDays(asOf, policy.ecaNoticeDays) : eligibleOn) : undefined;
  const notice = ecaNotBefore ? { sendEcaNotice: { ecaNotBefore } } : {};
  const days = daysBetween(first, asOf);
  if (asOf < eligibleOn) {
    const why = policy.nonProfit ? ` (501(r): no extraordinary collection action before day ${policy.daysAfterFirstStatement})` : '';
    return no('TOO_EARLY', `day ${days} since the first statement of ${first}; referral is allowed from day ${policy.daysAfterFirstStatement}, on ${eligibleOn}${why}`, notice);
  }
  const noticeDue = addDays(facts.finalNoticeOn, policy.daysAfterFinalNotice);
  if (asOf < noticeDue) {
    return no('FINAL_NOTICE_PERIOD', `the final notice was mailed on ${facts.finalNoticeOn}; referral waits ${policy.daysAfterFinalNotice} days after it, until ${noticeDue}`, notice);
  }
  const agency = assignAgency(agencies, facts.balanceCents, facts.guarantorState, facts.accountNumber);
  if (!agency) return no('NO_AGENCY', 'no configured agency takes this account (assignment rules)', notice);
  if (policy.nonProfit && agency.extraordinaryAction) {
    if (!facts.ecaNotice) {
      return no('ECA_NOTICE_REQUIRED', `501(r): the written notice must be sent at least ${policy.ecaNoticeDays} days before the referral; it is sent today`, { ...notice, agencyId: agency.id });
    }
    const allowedOn = addDays(facts.ecaNotice.noticeDate, policy.ecaNoticeDays);
    const notBefore = allowedOn > facts.ecaNotice.ecaNotBefore ? allowedOn : facts.ecaNotice.ecaNotBefore;
    if (asOf < notBefore) {
      return no('ECA_NOTICE_PERIOD', `501(r): the written notice was sent on ${facts.ecaNotice.noticeDate}; the referral may follow from ${notBefore}`, { agencyId: agency.id });
    }
  }
  return {
    refer: true,
    rule: 'REFER',
    explanation: `final notice mailed on ${facts.finalNoticeOn}; day ${days} since the first statement of ${first} (at least ${policy.daysAfterFirstStatement}); balance ${formatUsd(facts.balanceCents)} at or over ${formatUsd(policy.minimumBalanceCents)}; assigned to ${agency.id}${lateApplication}`,
    balanceCents: facts.balanceCents,
    agencyId: agency.id,
    ...dates,
  };
}

export type RecallDecisionReason = 'REQUESTED' | 'BANKRUPTCY' | 'DISPUTE' | 'INSURANCE_PENDING' | 'ASSISTANCE' | 'ZERO_BALANCE';

export interface PlacedFacts {
  asOf: IsoDate;
  cycleStartedOn: IsoDate;
  collectionsBalanceCents: bigint;
  holds: Hold[];
  recallRequestedOn?: IsoDate | null;
}

/** Whether an account with an agency must be recalled on the date, and why. First reason wins. */
export function decideRecall(p: PlacedFacts, policy: EffectivePolicy): RecallDecisionReason | null {
  if (p.recallRequestedOn && p.recallRequestedOn <= p.asOf) return 'REQUESTED';
  if (openHold(p.holds, 'bankruptcy', p.asOf)) return 'BANKRUPTCY';
  if (openHold(p.holds, 'dispute', p.asOf)) return 'DISPUTE';
  if (openHold(p.holds, 'insurance', p.asOf)) return 'INSURANCE_PENDING';
  const assistance = openHold(p.holds, 'assistance', p.asOf);
  if (assistance && assistancePauses(assistance, p.cycleStartedOn, policy)) return 'ASSISTANCE';
  if (p.collectionsBalanceCents <= 0n) return 'ZERO_BALANCE';
  return null;
}
