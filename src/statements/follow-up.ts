// The follow-up list (`claims report follow-up`, docs/decisions/0100): claims whose current payer, the one
// holding the claim's insurance receivable, has not answered. A payer's silence bills the patient only
// where its rules opt in (and then the statement run moves the balance after its days); every other
// unanswered claim is worked here: practice, payer, claim, billed on, waiting since, days, amount, and the
// timely-filing deadline where the payer's rules give one. The state is claim-state.ts's, as statements see it.
import type pg from 'pg';
import { addDays, daysBetween, type IsoDate } from '../common/dates.ts';
import { formatDecimal } from '../common/money.ts';
import { csvText } from '../common/csv-writer.ts';
import { loadPayerRules, UNKNOWN_PAYER_RULES } from '../claims/payer-rules.ts';
import type { PayerRules } from '../domain/payer-profile.ts';
import { claimState, type ClaimCoverage, type RemittanceEvent } from './claim-state.ts';
import { REMITTANCE_EVENTS } from './sql.ts';

type Db = Pick<pg.ClientBase, 'query'>;

/**
 * Each claim chain (original and replacements) whose insurance receivable for a payer is above zero on $1,
 * with that payer and amount, the latest claim of the chain and the day it was sent (its charge entry).
 * $2: one practice's. Voided chains hold nothing and drop out by the amount.
 */
const HELD_BY_PAYER = `
WITH chain AS (
  SELECT practice_id, billing_npi, patient_control_number, array_agg(id::text ORDER BY id) AS chain_ids, max(id) AS latest
  FROM claims
  WHERE first_service_date <= $1 AND ($2::text IS NULL OR practice_id = $2::text)
  GROUP BY practice_id, billing_npi, patient_control_number
), held AS (
  SELECT chain.latest, a.payer_id, sum(l.amount_cents) AS cents
  FROM chain
  CROSS JOIN LATERAL unnest(chain.chain_ids) AS w(claim_id)
  JOIN entry_lines l ON l.claim_id = w.claim_id
  JOIN accounts a ON a.id = l.account_id AND a.kind = 'insurance_receivable'
  JOIN entries e ON e.batch_id = l.batch_id AND e.ordinal = l.entry_ordinal
  WHERE e.effective_date <= $1
  GROUP BY chain.latest, a.payer_id
  HAVING sum(l.amount_cents) > 0
)
SELECT c.id::text AS claim_id, chain.chain_ids, c.practice_id, c.patient_control_number, c.claim_type,
       c.primary_payer_id, c.secondary_payer_id, c.tertiary_payer_id,
       c.first_service_date::text AS first_service_date, c.last_service_date::text AS last_service_date,
       sent.effective_date::text AS billed_on, held.payer_id, held.cents::text AS cents
FROM held
JOIN chain ON chain.latest = held.latest
JOIN claims c ON c.id = held.latest
LEFT JOIN entries sent ON sent.key = c.ledger_entry_key
ORDER BY c.practice_id, c.id, held.payer_id`;

interface HeldRow {
  claim_id: string; chain_ids: string[]; practice_id: string; patient_control_number: string; claim_type: string;
  primary_payer_id: string; secondary_payer_id: string | null; tertiary_payer_id: string | null;
  first_service_date: string; last_service_date: string; billed_on: string | null; payer_id: string; cents: string;
}

export interface FollowUpRow {
  practice: string;
  payerId: string;
  payerKind: string;
  /** 1 primary, 2 secondary, ... */
  sequence: number;
  claimId: string;
  patientControlNumber: string;
  serviceDate: IsoDate;
  /** The day the claim (its latest version) was sent; a later payer's turn began when the one before it answered. */
  billedOn: IsoDate | null;
  waitingSince: IsoDate | null;
  daysWaiting: number | null;
  amountCents: bigint;
  /** Timely filing: service date (institutional: through date) or the prior payer's remittance, plus the payer's days. */
  timelyFilingDeadline: IsoDate | null;
}

/** The deadline to file with this payer, where its rules give one. Pure. */
export function timelyFilingDeadline(rules: PayerRules, serviceDate: IsoDate, priorPayerAnsweredOn: IsoDate | null): IsoDate | null {
  if (rules.timelyFilingDays === null) return null;
  const from = rules.timelyFilingFrom === 'prior_payer_remittance' && priorPayerAnsweredOn !== null ? priorPayerAnsweredOn : serviceDate;
  return addDays(from, rules.timelyFilingDays);
}

/** Claims waiting on a payer that has not answered, on `asOf` (oldest wait first). */
export async function followUpReport(db: Db, asOf: IsoDate, practiceId?: string): Promise<FollowUpRow[]> {
  const held = (await db.query<HeldRow>(HELD_BY_PAYER, [asOf, practiceId ?? null])).rows;
  if (held.length === 0) return [];
  const allIds = [...new Set(held.flatMap((h) => h.chain_ids))];
  const events = (await db.query<{ claim_id: string; payer_id: string; status: string; date: string }>(REMITTANCE_EVENTS, [allIds, asOf])).rows;
  const chainOf = new Map<string, string>();
  for (const h of held) for (const id of h.chain_ids) chainOf.set(id, h.claim_id);
  const eventsBy = new Map<string, RemittanceEvent[]>();
  events.forEach((e, order) => {
    const key = chainOf.get(e.claim_id) ?? e.claim_id;
    const list = eventsBy.get(key) ?? [];
    list.push({ payerId: e.payer_id, status: e.status, date: e.date, order });
    eventsBy.set(key, list);
  });
  const payerIds = new Set<string>();
  for (const h of held) for (const p of [h.primary_payer_id, h.secondary_payer_id, h.tertiary_payer_id, h.payer_id]) if (p !== null) payerIds.add(p);
  const rules = await loadPayerRules(db, [...payerIds]);
  const rulesOf = (p: string) => rules.get(p) ?? UNKNOWN_PAYER_RULES;
  const out: FollowUpRow[] = [];
  for (const h of held) {
    const coverages: ClaimCoverage[] = [h.primary_payer_id, h.secondary_payer_id, h.tertiary_payer_id]
      .flatMap((payerId, i) => (payerId ? [{ sequence: i + 1, payerId, unansweredToPatientAfterDays: rulesOf(payerId).unansweredToPatientAfterDays }] : []));
    // The statement setting does not matter here: a payer past its days has left the balance to the patient.
    const state = claimState(coverages, eventsBy.get(h.claim_id) ?? [], { asOf, nextPayerTimeoutDays: 1 });
    if (state.kind === 'patient' || state.payerId !== h.payer_id) continue;
    const since = state.since ?? h.billed_on;
    const serviceDate = h.claim_type === 'institutional' ? h.last_service_date : h.first_service_date;
    const prior = state.adjudicated.at(-1)?.date ?? null;
    out.push({
      practice: h.practice_id, payerId: h.payer_id, payerKind: rules.get(h.payer_id)?.kind ?? 'unknown', sequence: state.sequence ?? 1,
      claimId: h.claim_id, patientControlNumber: h.patient_control_number, serviceDate, billedOn: h.billed_on,
      waitingSince: since, daysWaiting: since === null ? null : daysBetween(since, asOf), amountCents: BigInt(h.cents),
      timelyFilingDeadline: timelyFilingDeadline(rulesOf(h.payer_id), serviceDate, prior),
    });
  }
  return out.sort((a, b) => (b.daysWaiting ?? -1) - (a.daysWaiting ?? -1) || (a.claimId < b.claimId ? -1 : 1));
}

/** The follow-up list as CSV (cells guarded against formulas by the one CSV writer). */
export function followUpCsv(rows: readonly FollowUpRow[]): string {
  return csvText([
    ['practice', 'payer', 'payer_kind', 'coverage', 'claim', 'claim_id', 'service_date', 'billed_on', 'waiting_since', 'days_waiting', 'amount', 'timely_filing_deadline'],
    ...rows.map((r) => [
      r.practice, r.payerId, r.payerKind, r.sequence, r.patientControlNumber, r.claimId, r.serviceDate, r.billedOn, r.waitingSince,
      r.daysWaiting, formatDecimal(r.amountCents), r.timelyFilingDeadline,
    ]),
  ]);
}
