// SQL for remittances (schemas/db/0005_remittances.sql): named queries, parameters always bound. The
// functions take a client already inside the caller's transaction.
import type { PoolClient } from 'pg';
import type { EntryLine, AccountKind } from '../ledger/types.ts';
import { pickReversalOriginals, type ReversalCandidate, type SubmittedLine, type WantedReversal } from './matching.ts';

type Queryable = Pick<PoolClient, 'query'>;

export const SQL = {
  findByKey: `SELECT id, content_sha256 FROM remittances WHERE payer_key = $1 AND payee_key = $2 AND trace_number = $3`,
  claimKey: `
    INSERT INTO remittances (payer_key, payee_key, trace_number, content_sha256, payer_id, posting_batch_key, payer_name, payee_name,
      transaction_handling, payment_cents, credit_debit, payment_method, payment_date, claim_payments_cents, provider_adjustments_cents,
      claim_count, matched_claim_count, unmatched_claim_count, entry_count, line_count,
      source_file_sha256, source_file_name, source_isa13, source_gs06, source_st02, source_segment_index, practice_id)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27)
    ON CONFLICT (payer_key, payee_key, trace_number) DO NOTHING
    RETURNING id`,
  learnedPayer: `SELECT payer_id FROM remittance_payers WHERE payer_key = $1`,
  learnPayer: `INSERT INTO remittance_payers (payer_key, payer_id) VALUES ($1, $2) ON CONFLICT (payer_key) DO NOTHING`,
  // The newest claim of each CLP01 chain that is not a void; its lines as sent. One index probe per
  // CLP01 / claim id (the caller de-duplicates), whatever the tables' statistics say (see claimReceivables).
  submittedClaims: `
    SELECT c.id, c.patient_control_number, c.account_number, c.patient_id, c.payer_claim_number,
      c.primary_payer_id, c.secondary_payer_id, c.tertiary_payer_id
    FROM unnest($1::text[]) AS w(pcn)
    CROSS JOIN LATERAL (
      SELECT * FROM claims c WHERE c.practice_id = $2 AND c.patient_control_number = w.pcn AND c.frequency <> '8' ORDER BY c.id DESC LIMIT 1
    ) c`,
  submittedLines: `
    SELECT l.claim_id, l.line_number, l.line_control_number, l.sent_procedure_code, l.procedure_code, l.service_date::text AS service_date, l.charge_cents
    FROM unnest($1::bigint[]) AS w(claim_id)
    CROSS JOIN LATERAL (SELECT * FROM claim_lines l WHERE l.claim_id = w.claim_id OFFSET 0) l
    ORDER BY l.claim_id, l.line_number`,
  // Per wanted (CLP01, CLP07): the newest postings of this CLP01 by this payer (at most 10, newest first),
  // each with its amounts and whether a reversal already negated it. One statement for every reversal of a
  // remittance, one index probe each; the choice among them is pickReversalOriginals (matching.ts).
  reversalCandidates: `
    SELECT w.i::int AS i, o.entry_key, o.charge_cents::text AS charge_cents, o.paid_cents::text AS paid_cents,
      EXISTS (SELECT 1 FROM remittance_claims r WHERE r.reverses_entry_key = o.entry_key) AS reversed
    FROM unnest($2::text[], $3::text[]) WITH ORDINALITY AS w(pcn, payer_claim_number, i)
    CROSS JOIN LATERAL (
      SELECT o.entry_key, o.charge_cents, o.paid_cents, o.remittance_id, o.claim_index FROM remittance_claims o
      WHERE o.payer_id = $1 AND o.patient_control_number = w.pcn AND o.entry_key IS NOT NULL
        AND o.status NOT IN ('22', '25') AND (w.payer_claim_number = '' OR o.payer_claim_number = w.payer_claim_number OR o.payer_claim_number = '')
        AND EXISTS (SELECT 1 FROM remittances p WHERE p.id = o.remittance_id AND p.practice_id = $4)
      ORDER BY o.remittance_id DESC, o.claim_index DESC LIMIT 10
    ) o
    ORDER BY w.i, o.remittance_id DESC, o.claim_index DESC`,
  // The lines of the entries named (unique keys: the index says how many rows to expect).
  entryLines: `
    SELECT e.key, a.kind, a.payer_id, a.patient_id, l.amount_cents, l.reason, l.claim_id, l.service_line_id
    FROM entries e JOIN entry_lines l ON l.batch_id = e.batch_id AND l.entry_ordinal = e.ordinal
    JOIN accounts a ON a.id = l.account_id
    WHERE e.key = ANY($1::text[]) ORDER BY e.key, l.line_no`,
  // One row per person (the caller de-duplicates and sorts, so concurrent remittances lock in one order).
  provisionalPatients: `
    INSERT INTO provisional_patients (payer_id, member_id, last_name, first_name, ledger_patient_id)
    SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[])
    ON CONFLICT (payer_id, member_id, last_name, first_name) DO UPDATE SET payer_id = EXCLUDED.payer_id
    RETURNING id, ledger_patient_id`,
  // What is open on this payer's receivable for each unmatched claim id (non-zero after a reversal).
  // Each id probes the claim index on its own (LATERAL ... OFFSET 0 keeps the planner from flattening it):
  // as one `= ANY` join, a table whose statistics lag behind a big ingest is scanned whole, or the payer's
  // receivable account index (the payer's whole history, growing with the ledger) is read per remittance.
  claimReceivables: `
    SELECT w.claim_id, sum(l.amount_cents)::text AS cents
    FROM unnest($2::text[]) AS w(claim_id)
    CROSS JOIN LATERAL (SELECT l.account_id, l.amount_cents FROM entry_lines l WHERE l.claim_id = w.claim_id OFFSET 0) l
    WHERE l.account_id = (
      SELECT a.id FROM accounts a
      WHERE a.kind = 'insurance_receivable' AND coalesce(a.payer_id, '') = $1 AND coalesce(a.patient_id, '') = '' AND a.practice_id = $3
    )
    GROUP BY w.claim_id`,
  // The remittance's CLP rows, streamed (remittance-claims-copy.ts writes the rows in this column order).
  copyClaims: `COPY remittance_claims (remittance_id, claim_index, patient_control_number, payer_claim_number, status, charge_cents, paid_cents,
      patient_responsibility_cents, claim_id, provisional_patient_id, ledger_claim_id, payer_id, entry_key, reverses_entry_key, flags,
      lines_matched, lines_unmatched, source_segment_index) FROM STDIN`,
  insertRejection: `
    INSERT INTO remittance_rejections (reason_code, level, payer_key, payee_key, trace_number, content_sha256, payment_cents,
      claim_payments_cents, provider_adjustments_cents, claim_count, detail, source_file_sha256, source_file_name, source_isa13,
      source_gs06, source_st02, source_segment_index)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
    ON CONFLICT (source_file_sha256, source_segment_index, reason_code) DO NOTHING`,
} as const;

/** The analysts' reports (reports.ts): every remittance posted or quarantined, and claims still provisional. */
export const REPORT_SQL = {
  remittances: `
    SELECT 'posted' AS status, NULL::text AS reason_code, r.practice_id, r.payer_key, r.payee_key, r.trace_number, r.payment_date::text AS payment_date,
      r.payment_cents, r.claim_payments_cents, r.provider_adjustments_cents, true AS balanced, r.claim_count,
      r.matched_claim_count, r.unmatched_claim_count, r.source_file_name, r.source_st02, r.created_at
    FROM remittances r
    WHERE ($1::date IS NULL OR r.payment_date >= $1::date) AND ($2::date IS NULL OR r.payment_date <= $2::date)
      AND ($3::text IS NULL OR r.practice_id = $3::text)
    UNION ALL
    -- A quarantined remittance posted nothing and has no practice; with --practice, those whose payee names it.
    SELECT 'quarantined', j.reason_code, NULL, j.payer_key, j.payee_key, j.trace_number, NULL, j.payment_cents, j.claim_payments_cents,
      j.provider_adjustments_cents, j.reason_code <> 'REMIT_UNBALANCED', j.claim_count, NULL, NULL, j.source_file_name, j.source_st02, j.created_at
    FROM remittance_rejections j
    WHERE ($1::date IS NULL AND $2::date IS NULL OR j.created_at::date BETWEEN coalesce($1::date, '-infinity') AND coalesce($2::date, 'infinity'))
      AND ($3::text IS NULL OR EXISTS (SELECT 1 FROM practices p WHERE p.id = $3::text AND (j.payee_key = ANY(p.npis) OR j.payee_key = p.tax_id)))
    ORDER BY created_at, source_file_name, source_st02`,
  unmatched: `
    SELECT c.patient_control_number, c.payer_claim_number, c.status, c.charge_cents, c.paid_cents, c.payer_id, c.flags,
      p.id AS provisional_patient_id, p.state, r.practice_id, r.trace_number, r.payment_date::text AS payment_date, r.source_file_name
    FROM remittance_claims c
    LEFT JOIN provisional_patients p ON p.id = c.provisional_patient_id
    JOIN remittances r ON r.id = c.remittance_id
    WHERE (p.state = 'provisional' OR 'next_payer_unknown' = ANY(c.flags)) AND ($1::text IS NULL OR r.practice_id = $1::text)
    ORDER BY r.payment_date, r.id, c.claim_index`,
} as const;

export interface SubmittedClaim {
  id: string;
  patientControlNumber: string;
  accountNumber: string;
  /** The patient (coverages are the patient's; the ledger's patient accounts are the guarantor's). */
  patientId: string;
  payerClaimNumber: string | null;
  payers: (string | null)[];
  lines: SubmittedLine[];
}

/** The newest non-void claim of each CLP01 among one practice's claims (a remittance matches only its payee's). */
export async function findSubmittedClaims(db: Queryable, pcns: string[], practiceId: string): Promise<Map<string, SubmittedClaim>> {
  const out = new Map<string, SubmittedClaim>();
  if (pcns.length === 0) return out;
  const claims = await db.query(SQL.submittedClaims, [pcns, practiceId]);
  for (const row of claims.rows) {
    out.set(row.patient_control_number, {
      id: String(row.id), patientControlNumber: row.patient_control_number, accountNumber: row.account_number, patientId: row.patient_id,
      payerClaimNumber: row.payer_claim_number, payers: [row.primary_payer_id, row.secondary_payer_id, row.tertiary_payer_id], lines: [],
    });
  }
  if (out.size === 0) return out;
  const byId = new Map([...out.values()].map((c) => [c.id, c]));
  const lines = await db.query(SQL.submittedLines, [[...byId.keys()]]);
  for (const row of lines.rows) {
    byId.get(String(row.claim_id))?.lines.push({
      id: `${row.claim_id}:${row.line_number}`, lineNumber: Number(row.line_number), lineControlNumber: row.line_control_number,
      procedureCode: row.sent_procedure_code, serviceDate: row.service_date, chargeCents: BigInt(row.charge_cents),
    });
  }
  return out;
}

export interface OriginalPosting {
  entryKey: string;
  lines: EntryLine[];
}

/** What a reversal (CLP02 22) found: the original it negates, or why there is none. */
export type ReversalLookup =
  | { kind: 'original'; original: OriginalPosting }
  /** Every posting it could negate was already reversed (here or earlier): posting it would reverse twice. */
  | { kind: 'already_reversed'; entryKey: string }
  /** This payer never posted the claim (paid by another system, or before this one). */
  | { kind: 'missing' };

/**
 * For each wanted reversal (CLP01, CLP07 and its amounts, in remittance order), the original posting it
 * negates. Two statements for the whole remittance, whatever the number of reversals.
 */
export async function originalPostings(db: Queryable, payerId: string, wanted: readonly WantedReversal[], practiceId: string): Promise<ReversalLookup[]> {
  if (wanted.length === 0) return [];
  const found = await db.query(SQL.reversalCandidates, [payerId, wanted.map((w) => w.pcn), wanted.map((w) => w.payerClaimNumber), practiceId]);
  const candidates: ReversalCandidate[][] = wanted.map(() => []);
  for (const r of found.rows) {
    candidates[r.i - 1]!.push({ entryKey: r.entry_key, chargeCents: BigInt(r.charge_cents), paidCents: BigInt(r.paid_cents), reversed: r.reversed === true });
  }
  const picks = pickReversalOriginals(wanted, candidates);
  const keys = [...new Set(picks.flatMap((p) => (p.kind === 'original' ? [p.entryKey] : [])))];
  const linesByKey = new Map<string, EntryLine[]>(keys.map((k) => [k, []]));
  if (keys.length > 0) {
    const rows = await db.query(SQL.entryLines, [keys]);
    for (const r of rows.rows) {
      linesByKey.get(r.key)!.push({
        account: { kind: r.kind as AccountKind, payerId: r.payer_id, patientId: r.patient_id },
        amountCents: BigInt(r.amount_cents),
        ...(r.reason !== null && { reason: r.reason }),
        claimId: r.claim_id, serviceLineId: r.service_line_id,
      });
    }
  }
  return picks.map((p): ReversalLookup => (p.kind === 'original' ? { kind: 'original', original: { entryKey: p.entryKey, lines: linesByKey.get(p.entryKey)! } } : p));
}
