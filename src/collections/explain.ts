// Why an account was or was not referred, for `claims account ACCOUNT [--json]`: the rule that decided, its
// dates (first statement, final notice, eligible from, 501(r) notice), the holds, and the account's referrals
// with what happened to each after placement. The same facts and rules the run uses (facts.ts, rules.ts).
import type pg from 'pg';
import { formatUsd } from '../common/money.ts';
import { accountsByNumber } from '../statements/load.ts';
import { loadAccountFacts } from './facts.ts';
import { decideReferral, type ReferralDecision } from './rules.ts';
import type { Hold } from '../patients/holds.ts';
import { agenciesForPractice, effectivePolicy, type ReferralSettings } from './settings.ts';
import { EVENTS_OF } from './sql.ts';

export interface ReferralExplanation {
  decision: ReferralDecision;
  holds: Hold[];
  referrals: { referralId: string; agencyId: string; placedOn: string; placedCents: bigint; status: string; closedOn: string | null; closedReason: string | null; recallRequestedOn: string | null }[];
  events: { referralId: string; kind: string; on: string; amountCents: bigint; balanceAfterCents: bigint; reason: string | null }[];
}

export async function explainReferral(pool: pg.Pool, accountNumber: string, asOf: string, settings: ReferralSettings): Promise<ReferralExplanation | null> {
  const rows = await accountsByNumber(pool, [accountNumber]);
  const [a] = await loadAccountFacts(pool, rows, asOf, settings);
  if (!a) return null;
  const decision = decideReferral(a.facts, effectivePolicy(settings), agenciesForPractice(settings, rows[0]?.practice_id));
  const events = await pool.query<{ referral_id: string; kind: string; event_on: string; amount_cents: string; balance_after_cents: string; reason: string | null }>(EVENTS_OF, [accountNumber]);
  return {
    decision,
    holds: a.facts.holds,
    referrals: a.referrals.map((r) => ({
      referralId: r.id, agencyId: r.agency_id, placedOn: r.placed_on, placedCents: BigInt(r.placed_cents), status: r.status,
      closedOn: r.closed_on, closedReason: r.closed_reason, recallRequestedOn: r.recall_requested_on,
    })),
    events: events.rows.map((e) => ({ referralId: e.referral_id, kind: e.kind, on: e.event_on, amountCents: BigInt(e.amount_cents), balanceAfterCents: BigInt(e.balance_after_cents), reason: e.reason })),
  };
}

export function explanationText(x: ReferralExplanation): string[] {
  const d = x.decision;
  const out = [`  ${d.refer ? 'REFER' : 'not referred'} [${d.rule}] ${d.explanation}`];
  const dates = [
    d.firstStatementOn && `first statement ${d.firstStatementOn}`,
    d.finalNoticeOn && `final notice ${d.finalNoticeOn}`,
    d.eligibleOn && `eligible from ${d.eligibleOn}`,
    d.ecaNoticeOn && `501(r) notice ${d.ecaNoticeOn} (action not before ${d.ecaNotBefore})`,
    d.assistanceWindowEndsOn && `assistance applications to ${d.assistanceWindowEndsOn}`,
  ].filter(Boolean);
  if (dates.length) out.push(`  ${dates.join('; ')}`);
  for (const h of x.holds) out.push(`  ${h.kind} opened ${h.openedOn}${h.resolvedOn ? `, resolved ${h.resolvedOn}` : ' (open)'}: ${h.reason}`);
  for (const r of x.referrals) {
    out.push(`  referral ${r.referralId} to ${r.agencyId} on ${r.placedOn}: ${formatUsd(r.placedCents)}, ${r.status}${r.closedOn ? ` on ${r.closedOn} (${r.closedReason})` : ''}${r.recallRequestedOn ? `, recall requested ${r.recallRequestedOn}` : ''}`);
    for (const e of x.events.filter((ev) => ev.referralId === r.referralId)) {
      out.push(`    ${e.on} ${e.kind.padEnd(14)} ${formatUsd(e.amountCents).padStart(10)}  balance ${formatUsd(e.balanceAfterCents)}${e.reason ? `  (${e.reason})` : ''}`);
    }
  }
  return out;
}
