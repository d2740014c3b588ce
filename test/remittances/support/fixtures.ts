// Test-only database fixtures: a submitted claim (as the claims-out stage would have stored and posted
// it) and ledger queries that read balances straight from the tables, independent of the code under test.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Pool } from 'pg';
import { postBatch } from '../../../src/ledger/post.ts';

export interface FixtureClaim {
  pcn: string;
  account: string;
  payers: [string, string | null];
  lines: { control: string; code: string; chargeCents: bigint; date: string }[];
}

export async function insertSubmittedClaim(pool: Pool, c: FixtureClaim): Promise<string> {
  const total = c.lines.reduce((t, l) => t + l.chargeCents, 0n);
  await pool.query(`INSERT INTO guarantor_accounts (practice_id, account_number, last_name, first_name, address_line1, city, state, postal_code)
    VALUES ('default', $1, 'Testperson', 'Avery', '1 Example Way', 'Springfield', 'IL', '62701') ON CONFLICT DO NOTHING`, [c.account]);
  await pool.query(`INSERT INTO patients (patient_id, account_number, last_name, first_name, birth_date, sex, address_line1, city, state, postal_code)
    VALUES ($1, $1, 'Testperson', 'Avery', '1980-01-01', 'U', '1 Example Way', 'Springfield', 'IL', '62701') ON CONFLICT DO NOTHING`, [c.account]);
  const cw = await pool.query(`INSERT INTO crosswalk_versions (payer_id, label, content_sha256, content) VALUES ($1, 'v1', $2, '{}')
    ON CONFLICT (payer_id, content_sha256) DO UPDATE SET label = EXCLUDED.label RETURNING id`, [c.payers[0], '0'.repeat(64)]);
  const claim = await pool.query(`INSERT INTO claims (source_claim_id, billing_npi, patient_control_number, frequency, claim_type, content_sha256,
      patient_id, account_number, primary_payer_id, secondary_payer_id, total_charge_cents, posted_charge_cents, first_service_date,
      last_service_date, crosswalk_version_id, status)
    VALUES ($1, '1999999984', $1, '1', 'professional', $2, $3, $3, $4, $5, $6, $6, $7, $7, $8, 'submitted') RETURNING id`,
  [c.pcn, 'a'.repeat(64), c.account, c.payers[0], c.payers[1], total, c.lines[0]!.date, cw.rows[0].id]);
  const id = String(claim.rows[0].id);
  for (const [i, l] of c.lines.entries()) {
    await pool.query(`INSERT INTO claim_lines (claim_id, line_number, line_control_number, procedure_code, sent_procedure_code, units, sent_units, charge_cents, service_date)
      VALUES ($1, $2, $3, $4, $4, 1, 1, $5, $6)`, [id, i + 1, l.control, l.code, l.chargeCents, l.date]);
  }
  await postBatch(pool, { key: `test.charge:${c.pcn}`, entries: [{ key: `test.charge:${c.pcn}`, reason: 'claim.charge', effectiveDate: c.lines[0]!.date, lines: [
    { account: { kind: 'insurance_receivable', payerId: c.payers[0] }, amountCents: total, claimId: id },
    { account: { kind: 'revenue' }, amountCents: -total, claimId: id },
  ] }] });
  return id;
}

/** Net balance per `kind:payer:patient`, zero balances dropped; optionally for one claim id. */
export async function ledgerBalances(pool: Pool, claimId?: string): Promise<Record<string, bigint>> {
  const res = await pool.query(`SELECT a.kind, coalesce(a.payer_id, '') AS payer, coalesce(a.patient_id, '') AS patient, sum(l.amount_cents)::text AS total
    FROM entry_lines l JOIN accounts a ON a.id = l.account_id WHERE $1::text IS NULL OR l.claim_id = $1
    GROUP BY 1, 2, 3 HAVING sum(l.amount_cents) <> 0 ORDER BY 1, 2, 3`, [claimId ?? null]);
  return Object.fromEntries(res.rows.map((r) => [`${r.kind}:${r.payer}:${r.patient}`, BigInt(r.total)]));
}

/** Every posted line, in a canonical order: two ledgers are the same iff these are equal. */
export async function ledgerDump(pool: Pool): Promise<string[]> {
  const res = await pool.query(`SELECT e.key, e.reason, e.effective_date::text, l.line_no, a.kind, a.payer_id, a.patient_id, l.amount_cents::text, l.reason AS line_reason, l.claim_id, l.service_line_id
    FROM entries e JOIN entry_lines l ON l.batch_id = e.batch_id AND l.entry_ordinal = e.ordinal JOIN accounts a ON a.id = l.account_id
    ORDER BY e.key, l.line_no`);
  return res.rows.map((r) => JSON.stringify(r));
}

export async function tempDir(): Promise<string> {
  return mkdtemp(path.join(tmpdir(), 'remit-test-'));
}

export async function writeTemp(dir: string, name: string, text: string): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, text);
  return file;
}
