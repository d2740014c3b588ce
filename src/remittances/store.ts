// SQL for remittances (schemas/db/0005_remittances.sql): named queries, parameters always bound. The
// functions take a client already inside the caller's transaction.
import type { PoolClient } from 'pg';
import type { EntryLine, AccountKind } from '../ledger/types.ts';
import type { SubmittedLine } from './matching.ts';

type Queryable = Pick<PoolClient, 'query'>;

export const SQL = {
  findByKey: `SELECT id, content_sha256 FROM remittances WHERE payer_key = $1 AND payee_key = $2 AND trace_number = $3`,
  claimKey: `
    INSERT INTO remittances (payer_key, payee_key, trace_number, content_sha256, payer_id, posting_batch_key, payer_name, payee_name,
      transaction_handling, payment_cents, credit_debit, payment_method, payment_date, claim_payments_cents, provider_adjustments_cents,
      claim_count, matched_claim_count, unmatched_claim_count, entry_count, line_count,
      source_file_sha256, source_file_name, source_isa13, source_gs06, source_st02, source_segment_index)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26)
    ON CONFLICT (payer_key, payee_key, trace_number) DO NOTHING
    RETURNING id`,
  learnedPayer: `SELECT payer_id FROM remittance_payers WHERE payer_key = $1`,
  learnPayer: `INSERT INTO remittance_payers (payer_key, payer_id) VALUES ($1, $2) ON CONFLICT (payer_key) DO NOTHING`,
  // The newest claim of each CLP01 chain that is not a void; its lines as sent.
  submittedClaims: `
    SELECT DISTINCT ON (c.patient_control_number) c.id, c.patient_control_number, c.account_number, c.payer_claim_number,
      c.primary_payer_id, c.secondary_payer_id, c.tertiary_payer_id
    FROM claims c
    WHERE c.patient_control_number = ANY($1::text[]) AND c.frequency <> '8'
    ORDER BY c.patient_control_number, c.id DESC`,
  submittedLines: `
    SELECT claim_id, line_number, line_control_number, sent_procedure_code, procedure_code, service_date::text AS service_date, charge_cents
    FROM claim_lines WHERE claim_id = ANY($1::bigint[]) ORDER BY claim_id, line_number`,
  // The latest posting of this CLP01 by this payer that no reversal has negated yet.
  unreversedOriginal: `
    SELECT o.entry_key FROM remittance_claims o
    WHERE o.payer_id = $1 AND o.patient_control_number = $2 AND o.entry_key IS NOT NULL
      AND o.status NOT IN ('22', '25') AND ($3 = '' OR o.payer_claim_number = $3 OR o.payer_claim_number = '')
      AND NOT EXISTS (SELECT 1 FROM remittance_claims r WHERE r.reverses_entry_key = o.entry_key)
    ORDER BY o.remittance_id DESC, o.claim_index DESC LIMIT 1`,
  entryLines: `
    SELECT a.kind, a.payer_id, a.patient_id, l.amount_cents, l.reason, l.claim_id, l.service_line_id
    FROM entries e JOIN entry_lines l ON l.batch_id = e.batch_id AND l.entry_ordinal = e.ordinal
    JOIN accounts a ON a.id = l.account_id
    WHERE e.key = $1 ORDER BY l.line_no`,
  // One row per person (the caller de-duplicates and sorts, so concurrent remittances lock in one order).
  provisionalPatients: `
    INSERT INTO provisional_patients (payer_id, member_id, last_name, first_name, ledger_patient_id)
    SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[])
    ON CONFLICT (payer_id, member_id, last_name, first_name) DO UPDATE SET payer_id = EXCLUDED.payer_id
    RETURNING id, ledger_patient_id`,
  // What is open on this payer's receivable for each unmatched claim id (non-zero after a reversal).
  claimReceivables: `
    SELECT l.claim_id, sum(l.amount_cents)::text AS cents
    FROM entry_lines l JOIN accounts a ON a.id = l.account_id
    WHERE l.claim_id = ANY($2::text[]) AND a.kind = 'insurance_receivable' AND a.payer_id = $1
    GROUP BY l.claim_id`,
  insertClaims: `
    INSERT INTO remittance_claims (remittance_id, claim_index, patient_control_number, payer_claim_number, status, charge_cents, paid_cents,
      patient_responsibility_cents, claim_id, provisional_patient_id, ledger_claim_id, payer_id, entry_key, reverses_entry_key, flags,
      lines_matched, lines_unmatched, source_segment_index)
    SELECT $1, u.i, u.pcn, u.pcn7, u.st, u.charge, u.paid, u.pr, u.claim, u.prov, u.lcid, u.payer, u.ek, u.rk,
      CASE WHEN u.flags = '' THEN '{}'::text[] ELSE string_to_array(u.flags, ',') END, u.lm, u.lu, u.seg
    FROM unnest($2::int[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::bigint[], $8::bigint[], $9::bigint[], $10::bigint[],
      $11::text[], $12::text[], $13::text[], $14::text[], $15::text[], $16::int[], $17::int[], $18::int[])
      AS u(i, pcn, pcn7, st, charge, paid, pr, claim, prov, lcid, payer, ek, rk, flags, lm, lu, seg)`,
  insertRejection: `
    INSERT INTO remittance_rejections (reason_code, level, payer_key, payee_key, trace_number, content_sha256, payment_cents,
      claim_payments_cents, provider_adjustments_cents, claim_count, detail, source_file_sha256, source_file_name, source_isa13,
      source_gs06, source_st02, source_segment_index)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
    ON CONFLICT (source_file_sha256, source_segment_index, reason_code) DO NOTHING`,
} as const;

export interface SubmittedClaim {
  id: string;
  patientControlNumber: string;
  accountNumber: string;
  payerClaimNumber: string | null;
  payers: (string | null)[];
  lines: SubmittedLine[];
}

export async function findSubmittedClaims(db: Queryable, pcns: string[]): Promise<Map<string, SubmittedClaim>> {
  const out = new Map<string, SubmittedClaim>();
  if (pcns.length === 0) return out;
  const claims = await db.query(SQL.submittedClaims, [pcns]);
  for (const row of claims.rows) {
    out.set(row.patient_control_number, {
      id: String(row.id), patientControlNumber: row.patient_control_number, accountNumber: row.account_number,
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

export async function originalPosting(db: Queryable, payerId: string, pcn: string, payerClaimNumber: string): Promise<{ entryKey: string; lines: EntryLine[] } | null> {
  const found = await db.query(SQL.unreversedOriginal, [payerId, pcn, payerClaimNumber]);
  const entryKey: string | undefined = found.rows[0]?.entry_key;
  if (!entryKey) return null;
  const rows = await db.query(SQL.entryLines, [entryKey]);
  return {
    entryKey,
    lines: rows.rows.map((r) => ({
      account: { kind: r.kind as AccountKind, payerId: r.payer_id, patientId: r.patient_id },
      amountCents: BigInt(r.amount_cents),
      ...(r.reason !== null && { reason: r.reason }),
      claimId: r.claim_id, serviceLineId: r.service_line_id,
    })),
  };
}
