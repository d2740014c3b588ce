// The Postgres side of payer credits (payer-credit.ts): what the ledger holds for some claims at each payer,
// read inside the posting's transaction before the step is worked out.
import type pg from 'pg';
import type { Entry } from '../ledger/types.ts';
import { DEFAULT_PRACTICE } from '../domain/practice.ts';
import { BEYOND_CHARGE_REASON, creditStep, pairKey, REFUND_REASON, type CreditState } from './payer-credit.ts';

type Queryable = Pick<pg.ClientBase, 'query'>;

/**
 * Per claim id ($1) and payer, in one practice ($2): the balances a credit step reads. Each claim id probes the
 * claim index on its own (LATERAL ... OFFSET 0), as remittances/sql.ts claimReceivables does.
 */
export const CREDIT_STATES = `
  SELECT l.claim_id, a.payer_id,
    coalesce(sum(l.amount_cents) FILTER (WHERE a.kind = 'insurance_receivable'), 0)::text AS receivable,
    coalesce(-sum(l.amount_cents) FILTER (WHERE a.kind = 'payer_credit'), 0)::text AS owed,
    coalesce(sum(l.amount_cents) FILTER (WHERE a.kind = 'payer_clearing'), 0)::text AS clearing,
    coalesce(sum(l.amount_cents) FILTER (WHERE a.kind = 'payer_credit' AND l.reason = $3), 0)::text AS refunded,
    coalesce(-sum(l.amount_cents) FILTER (WHERE a.kind = 'other_adjustment' AND l.reason = $4), 0)::text AS beyond
  FROM unnest($1::text[]) AS w(claim_id)
  CROSS JOIN LATERAL (SELECT l.claim_id, l.account_id, l.amount_cents, l.reason FROM entry_lines l WHERE l.claim_id = w.claim_id OFFSET 0) l
  JOIN accounts a ON a.id = l.account_id
  WHERE a.practice_id = $2 AND a.payer_id IS NOT NULL
    AND a.kind IN ('insurance_receivable', 'payer_credit', 'payer_clearing', 'other_adjustment')
  GROUP BY l.claim_id, a.payer_id`;

/** The credit states of these claims at every payer they have lines with (absent pairs hold nothing). */
export async function creditStates(db: Queryable, claimIds: Iterable<string>, practiceId: string): Promise<Map<string, CreditState>> {
  const ids = [...new Set(claimIds)];
  const out = new Map<string, CreditState>();
  if (ids.length === 0) return out;
  const { rows } = await db.query<{ claim_id: string; payer_id: string; receivable: string; owed: string; clearing: string; refunded: string; beyond: string }>(
    CREDIT_STATES, [ids, practiceId, REFUND_REASON, BEYOND_CHARGE_REASON]);
  for (const r of rows) {
    out.set(pairKey(r.claim_id, r.payer_id), {
      receivableCents: BigInt(r.receivable), owedCents: BigInt(r.owed), clearingCents: BigInt(r.clearing),
      refundedCents: BigInt(r.refunded), beyondChargeCents: BigInt(r.beyond),
    });
  }
  return out;
}

/**
 * The credit steps after a claims batch's charge entries (voids and replacements of claims already paid),
 * entry by entry so that each step follows the charge that called for it; keyed by that charge's key, so a
 * rerun (which posts no charge again) posts no step again.
 */
export async function chargeCreditEntries(db: Queryable, charges: readonly Entry[]): Promise<Entry[]> {
  const byPractice = new Map<string, Entry[]>();
  for (const e of charges) {
    const practiceId = e.lines[0]?.account.practiceId ?? DEFAULT_PRACTICE;
    byPractice.set(practiceId, [...(byPractice.get(practiceId) ?? []), e]);
  }
  const out: Entry[] = [];
  for (const [practiceId, entries] of byPractice) {
    let states = await creditStates(db, entries.flatMap((e) => e.lines.flatMap((l) => (l.claimId == null ? [] : [l.claimId]))), practiceId);
    for (const e of entries) {
      const step = creditStep(states, [e], { keyOf: (claimId, payerId) => `payer_credit:${e.key}:${claimId}:${payerId}`, effectiveDate: e.effectiveDate, practiceId });
      out.push(...step.entries);
      states = step.after;
    }
  }
  return out;
}
