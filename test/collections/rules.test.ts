// The referral and recall rules at their boundaries, dates counted by hand from a first statement on
// 2025-02-10: day 119 = 2025-06-09, day 120 = 2025-06-10, day 240 = 2025-10-08, day 241 = 2025-10-09.
import { describe, expect, it } from 'vitest';
import { decideRecall, decideReferral, type ReferralFacts } from '../../src/collections/rules.ts';
import { effectivePolicy, parseReferralSettings } from '../../src/collections/settings.ts';

const settings = parseReferralSettings({
  agencies: [
    { id: 'LOCAL', name: 'Local Recovery (sample)', assign: { states: ['OR'], maxBalanceCents: 100000 } },
    { id: 'NATIONAL', name: 'National Recovery (sample)' },
  ],
});
const policy = effectivePolicy(settings);
const nonProfit = effectivePolicy(parseReferralSettings({ nonProfit: true, daysAfterFirstStatement: 60, assistanceApplicationDays: 100 }));

function facts(over: Partial<ReferralFacts> = {}): ReferralFacts {
  return {
    accountNumber: 'G-10', asOf: '2025-06-10', guarantorState: 'OR', cycleStartedOn: '2025-02-10', finalNoticeOn: '2025-05-11',
    balanceCents: 20000n, plan: null, holds: [], provisional: false, activeReferral: null, recalledBalance: null, ecaNotice: null, ...over,
  };
}

describe('decideReferral', () => {
  it('day 119 is too early, day 120 refers; the clock is the first statement, not the date of service', () => {
    expect(decideReferral(facts({ asOf: '2025-06-09' }), policy, settings.agencies)).toMatchObject({ refer: false, rule: 'TOO_EARLY', eligibleOn: '2025-06-10' });
    expect(decideReferral(facts(), policy, settings.agencies)).toMatchObject({ refer: true, rule: 'REFER', agencyId: 'LOCAL', balanceCents: 20000n });
  });

  it('minimum balance: 24.99 stays, 25.00 goes', () => {
    expect(decideReferral(facts({ balanceCents: 2499n }), policy, settings.agencies).rule).toBe('BELOW_MINIMUM');
    expect(decideReferral(facts({ balanceCents: 2500n }), policy, settings.agencies).rule).toBe('REFER');
  });

  it('assignment rules: state and balance range pick the agency, first match wins', () => {
    expect(decideReferral(facts({ balanceCents: 100001n }), policy, settings.agencies).agencyId).toBe('NATIONAL');
    expect(decideReferral(facts({ guarantorState: 'WA' }), policy, settings.agencies).agencyId).toBe('NATIONAL');
  });

  it('each hold keeps the account: the first rule that applies is named', () => {
    const rule = (over: Partial<ReferralFacts>) => decideReferral(facts(over), policy, settings.agencies).rule;
    expect(rule({ finalNoticeOn: null })).toBe('NO_FINAL_NOTICE');
    expect(rule({ provisional: true })).toBe('PROVISIONAL_PATIENT');
    expect(rule({ activeReferral: { referralId: '7', agencyId: 'LOCAL', placedOn: '2025-06-01' } })).toBe('ALREADY_REFERRED');
    expect(rule({ recalledBalance: { referralId: '7', recalledOn: '2025-06-05', reason: 'DISPUTE' } })).toBe('RECALLED_BALANCE');
    expect(rule({ holds: [{ kind: 'dispute', openedOn: '2025-06-01', reason: 'x' }] })).toBe('DISPUTED');
    expect(rule({ holds: [{ kind: 'dispute', openedOn: '2025-06-01', resolvedOn: '2025-06-10', reason: 'x' }] })).toBe('REFER');
    expect(rule({ holds: [{ kind: 'assistance', openedOn: '2025-06-01', reason: 'x' }] })).toBe('ASSISTANCE_REVIEW');
    expect(rule({ plan: { status: 'good', paidCents: 0n, remainingCents: 1n, missedCount: 0, schedule: [] } })).toBe('PLAN_IN_GOOD_STANDING');
    expect(rule({ plan: { status: 'defaulted', statusOn: '2025-05-01', paidCents: 0n, remainingCents: 1n, missedCount: 2, schedule: [] } })).toBe('REFER');
    expect(rule({ balanceCents: 0n })).toBe('NO_BALANCE');
  });
});

describe('501(r)', () => {
  it('a configured 60 days is raised to 120; the notice is sent as soon as the account is otherwise collectable', () => {
    const d = decideReferral(facts({ asOf: '2025-05-11' }), nonProfit, settings.agencies);
    // Notice on 05-11: 30 days later is 06-10, which is also day 120.
    expect(d).toMatchObject({ rule: 'TOO_EARLY', eligibleOn: '2025-06-10', sendEcaNotice: { ecaNotBefore: '2025-06-10' } });
  });

  it('the referral waits 30 days after the notice: 29 no, 30 yes', () => {
    const notice = { noticeDate: '2025-06-01', ecaNotBefore: '2025-07-01' };
    expect(decideReferral(facts({ asOf: '2025-06-30', ecaNotice: notice }), nonProfit, settings.agencies).rule).toBe('ECA_NOTICE_PERIOD');
    expect(decideReferral(facts({ asOf: '2025-07-01', ecaNotice: notice }), nonProfit, settings.agencies).rule).toBe('REFER');
    expect(decideReferral(facts({ asOf: '2025-07-01' }), nonProfit, settings.agencies)).toMatchObject({ rule: 'ECA_NOTICE_REQUIRED', sendEcaNotice: { ecaNotBefore: '2025-07-31' } });
  });

  it('an agency that takes no extraordinary action needs no notice', () => {
    const soft = parseReferralSettings({ nonProfit: true, agencies: [{ id: 'SOFT', name: 'Early-out (sample)', extraordinaryAction: false }] });
    expect(decideReferral(facts(), effectivePolicy(soft), soft.agencies)).toMatchObject({ refer: true, agencyId: 'SOFT' });
  });

  it('assistance applications pause collections to day 240 (a configured 100 is raised), not on day 241', () => {
    const notice = { noticeDate: '2025-06-01', ecaNotBefore: '2025-07-01' };
    const onDay240 = facts({ asOf: '2025-10-20', ecaNotice: notice, holds: [{ kind: 'assistance', openedOn: '2025-10-08', reason: 'x' }] });
    const onDay241 = facts({ asOf: '2025-10-20', ecaNotice: notice, holds: [{ kind: 'assistance', openedOn: '2025-10-09', reason: 'x' }] });
    expect(decideReferral(onDay240, nonProfit, settings.agencies)).toMatchObject({ rule: 'ASSISTANCE_REVIEW', assistanceWindowEndsOn: '2025-10-08' });
    expect(decideReferral(onDay241, nonProfit, settings.agencies).rule).toBe('REFER');
    const placed = { asOf: '2025-10-20', cycleStartedOn: '2025-02-10', collectionsBalanceCents: 20000n };
    expect(decideRecall({ ...placed, holds: onDay240.holds }, nonProfit)).toBe('ASSISTANCE');
    expect(decideRecall({ ...placed, holds: onDay241.holds }, nonProfit)).toBeNull();
    // Without non-profit mode and without a configured period, every application pauses.
    expect(decideRecall({ ...placed, holds: onDay241.holds }, policy)).toBe('ASSISTANCE');
  });
});

describe('decideRecall', () => {
  const placed = { asOf: '2025-07-01', cycleStartedOn: '2025-02-10', collectionsBalanceCents: 15000n, holds: [] };
  it('asked for, disputed, or paid to zero; otherwise the account stays with the agency', () => {
    expect(decideRecall(placed, policy)).toBeNull();
    expect(decideRecall({ ...placed, recallRequestedOn: '2025-07-01' }, policy)).toBe('REQUESTED');
    expect(decideRecall({ ...placed, recallRequestedOn: '2025-07-02' }, policy)).toBeNull();
    expect(decideRecall({ ...placed, holds: [{ kind: 'dispute', openedOn: '2025-06-30', reason: 'x' }] }, policy)).toBe('DISPUTE');
    expect(decideRecall({ ...placed, collectionsBalanceCents: 0n }, policy)).toBe('ZERO_BALANCE');
  });
});

describe('after the final notice, and in bankruptcy', () => {
  const rule = (over: Partial<ReferralFacts>) => decideReferral(facts(over), policy, settings.agencies);
  it('waits 30 days after the final notice even past day 120 (a 4-statement cycle, or one a dispute pushed back)', () => {
    // Final notice on day 120 (2025-06-10): not referred that day nor on day 149, referred on day 150 (2025-07-10).
    expect(rule({ finalNoticeOn: '2025-06-10' })).toMatchObject({ refer: false, rule: 'FINAL_NOTICE_PERIOD' });
    expect(rule({ finalNoticeOn: '2025-06-10', asOf: '2025-07-09' }).rule).toBe('FINAL_NOTICE_PERIOD');
    expect(rule({ finalNoticeOn: '2025-06-10', asOf: '2025-07-10' })).toMatchObject({ refer: true, rule: 'REFER' });
    // The period is a setting: 0 refers on the day of the notice once day 120 has come.
    const none = effectivePolicy(parseReferralSettings({ daysAfterFinalNotice: 0, agencies: settings.agencies }));
    expect(decideReferral(facts({ finalNoticeOn: '2025-06-10' }), none, settings.agencies).rule).toBe('REFER');
  });

  it('a bankruptcy flag stops referral while set, and recalls a placed account', () => {
    const bankrupt = [{ kind: 'bankruptcy' as const, openedOn: '2025-06-01', reason: 'chapter 7' }];
    expect(rule({ holds: bankrupt })).toMatchObject({ refer: false, rule: 'BANKRUPTCY' });
    expect(rule({ holds: [{ ...bankrupt[0]!, resolvedOn: '2025-06-05' }] }).rule).toBe('REFER');
    const placed = { asOf: '2025-07-01', cycleStartedOn: '2025-02-10', collectionsBalanceCents: 20000n, holds: bankrupt };
    expect(decideRecall(placed, policy)).toBe('BANKRUPTCY');
    expect(decideRecall({ ...placed, holds: [] }, policy)).toBeNull();
  });

  it('an insurance hold (new coverage reported, appeal in progress) stops referral and recalls, named as such', () => {
    const pending = [{ kind: 'insurance' as const, openedOn: '2025-06-01', reason: 'new Medicaid coverage reported' }];
    expect(rule({ holds: pending })).toMatchObject({ refer: false, rule: 'INSURANCE_PENDING' });
    expect(rule({ holds: [{ ...pending[0]!, resolvedOn: '2025-06-08' }] }).rule).toBe('REFER');
    expect(decideRecall({ asOf: '2025-07-01', cycleStartedOn: '2025-02-10', collectionsBalanceCents: 20000n, holds: pending }, policy)).toBe('INSURANCE_PENDING');
  });
});
