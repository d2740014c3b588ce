// Loads what the referral rules need for a page of guarantor accounts: the statement snapshot and assessment
// (the cycle, the plan's standing, claim states: the same ones the statement run uses), holds, referrals,
// 501(r) notices and provisional patients; and reduces them to ReferralFacts (rules.ts). Postgres adapter.
import type pg from 'pg';
import { assessAccount, type AccountAssessment, type AccountSnapshot } from '../statements/account.ts';
import { loadSnapshots, type GuarantorRow } from '../statements/load.ts';
import type { IsoDate } from '../common/dates.ts';
import { accountHolds } from '../patients/holds.ts';
import type { ReferralFacts } from './rules.ts';
import type { Hold } from '../patients/holds.ts';
import type { ReferralSettings } from './settings.ts';
import { ECA_NOTICES_OF, PROVISIONAL_OF, REFERRALS_OF } from './sql.ts';

type Db = Pick<pg.ClientBase, 'query'>;

export interface ReferralRow {
  id: string;
  account_number: string;
  agency_id: string;
  cycle_started_on: string;
  placed_on: string;
  placed_cents: string;
  status: 'placed' | 'recalled' | 'returned' | 'paid';
  closed_on: string | null;
  closed_reason: string | null;
  recall_requested_on: string | null;
  recall_reason: string | null;
}

export interface AccountFacts {
  snapshot: AccountSnapshot;
  assessment: AccountAssessment;
  facts: ReferralFacts;
  referrals: ReferralRow[];
  /** Running patient receivable at the end of a date (ledger, effective dates). */
  receivableOn(date: IsoDate): bigint;
}

function runningReceivable(daily: AccountSnapshot['daily']): (date: IsoDate) => bigint {
  return (date) => {
    let total = 0n;
    for (const d of daily) {
      if (d.date > date) break;
      total += d.receivableCents;
    }
    return total;
  };
}

/** The balance that could be referred: the patient's receivable on claims that are theirs now, less credit. */
export function referableBalance(snapshot: AccountSnapshot, assessment: AccountAssessment, asOf: IsoDate): bigint {
  let receivable = 0n;
  let credit = 0n;
  for (const d of snapshot.daily) {
    if (d.date > asOf) break;
    receivable += d.receivableCents;
    credit += d.creditCents;
  }
  const patientState = new Set(assessment.claimStates.filter((s) => s.state.kind === 'patient').map((s) => s.claimId));
  // PR on claims still with a later payer is not the patient's yet (never ask for what insurance owes).
  const heldBack = snapshot.claims
    .filter((c) => !patientState.has(c.claimId))
    .reduce((sum, c) => sum + c.ledger.filter((l) => l.kind === 'patient_receivable').reduce((s, l) => s + l.amountCents, 0n), 0n);
  const balance = receivable - heldBack - (credit > 0n ? credit : 0n);
  return balance > 0n ? balance : 0n;
}

/** A recalled balance that has not been cleared (receivable at or under zero on or after the recall day). */
function uncleredRecall(referrals: ReferralRow[], daily: AccountSnapshot['daily'], asOf: IsoDate): ReferralFacts['recalledBalance'] {
  const recalled = referrals.filter((r) => r.status === 'recalled' && r.closed_on !== null && r.closed_on <= asOf).at(-1);
  if (!recalled || recalled.closed_on === null) return null;
  let running = 0n;
  for (const d of daily) {
    if (d.date > asOf) break;
    running += d.receivableCents;
    if (d.date >= recalled.closed_on && running <= 0n) return null;
  }
  return { referralId: recalled.id, recalledOn: recalled.closed_on, reason: recalled.closed_reason ?? 'recalled' };
}

export async function loadAccountFacts(db: Db, guarantors: GuarantorRow[], asOf: IsoDate, settings: ReferralSettings): Promise<AccountFacts[]> {
  if (guarantors.length === 0) return [];
  const numbers = guarantors.map((g) => g.account_number);
  const [snapshots, holds, referrals, notices, provisional] = await Promise.all([
    loadSnapshots(db, guarantors, asOf, settings.statements),
    accountHolds(db, numbers, asOf),
    db.query<ReferralRow>(REFERRALS_OF, [numbers]).then((r) => r.rows),
    db.query<{ account_number: string; cycle_started_on: string; notice_date: string; eca_not_before: string }>(ECA_NOTICES_OF, [numbers, asOf]).then((r) => r.rows),
    db.query<{ account_number: string }>(PROVISIONAL_OF, [numbers]).then((r) => new Set(r.rows.map((x) => x.account_number))),
  ]);
  const stateOf = new Map(guarantors.map((g) => [g.account_number, g.state]));
  return snapshots.map((snapshot0) => {
    const accountHoldsList: Hold[] = holds.get(snapshot0.accountNumber) ?? [];
    // The statement cycle freezes for every open hold, whatever its kind.
    const snapshot: AccountSnapshot = { ...snapshot0, disputes: accountHoldsList.map((h) => ({ openedOn: h.openedOn, resolvedOn: h.resolvedOn ?? null })) };
    const assessment = assessAccount(snapshot, settings.statements, asOf);
    const mine = referrals.filter((r) => r.account_number === snapshot.accountNumber);
    const first = assessment.decision.cycleStartedOn ?? null;
    const finalNotice = first
      ? snapshot.statements.filter((s) => s.kind === 'final_notice' && s.date >= first && s.date <= asOf).map((s) => s.date).sort().at(-1) ?? null
      : null;
    const active = mine.find((r) => r.status === 'placed' && r.placed_on <= asOf) ?? mine.find((r) => r.status === 'placed');
    const notice = first ? notices.find((n) => n.account_number === snapshot.accountNumber && n.cycle_started_on === first) : undefined;
    // Only what the final notice asked for, less what has come off it since (payments, adjustments,
    // credits: the days the receivable went down), is referable: a balance that arrived after the notice
    // has had no statement and is not sent to an agency on the old cycle's clock. (Days are net: a day
    // with both a new charge and a payment counts as its net change.)
    const referable = referableBalance(snapshot, assessment, asOf);
    const receivableOn = runningReceivable(snapshot.daily);
    let noticed = finalNotice ? receivableOn(finalNotice) : referable;
    if (finalNotice) for (const d of snapshot.daily) if (d.date > finalNotice && d.date <= asOf && d.receivableCents < 0n) noticed += d.receivableCents;
    const facts: ReferralFacts = {
      accountNumber: snapshot.accountNumber,
      asOf,
      guarantorState: stateOf.get(snapshot.accountNumber) ?? '',
      cycleStartedOn: first,
      finalNoticeOn: finalNotice,
      balanceCents: referable < noticed ? referable : noticed,
      plan: assessment.plan,
      holds: accountHoldsList,
      provisional: provisional.has(snapshot.accountNumber),
      activeReferral: active ? { referralId: active.id, agencyId: active.agency_id, placedOn: active.placed_on } : null,
      recalledBalance: uncleredRecall(mine, snapshot.daily, asOf),
      ecaNotice: notice ? { noticeDate: notice.notice_date, ecaNotBefore: notice.eca_not_before } : null,
    };
    return { snapshot, assessment, facts, referrals: mine, receivableOn };
  });
}
