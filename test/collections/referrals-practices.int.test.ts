// Referrals per practice (issue 17) on a real database, every figure written out by hand. Two practices, Alpha
// (NPI 1234567893, tax id 841234567) and Beta (NPI 1567890128, tax id 861234567), each with one referable account;
// synthetic people. The timeline is referrals.int.test.ts's: service 2025-01-15, each practice's 835 on
// 2025-02-01 leaves PR to its patient, statements on 2025-02-10, 03-12, 04-11 and the final notice on 05-11;
// day 120 after the first statement is 2025-06-10.
// PR: A-G1 (Alpha) 200.00 of a 500.00 charge (CO-45 100.00, paid 200.00); B-G1 (Beta) 150.00 (paid 250.00).
import { readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Pool } from 'pg';
import { useTestDatabase, type TestDatabase } from '../support/db.ts';
import { runCli } from '../support/cli.ts';
import { createLogger } from '../../src/runtime/logger.ts';
import { withTransaction } from '../../src/runtime/database.ts';
import { registerPractices } from '../../src/runtime/practices.ts';
import { postBatch } from '../../src/ledger/post.ts';
import { ingestFile } from '../../src/pipeline/ingest-input.ts';
import { runStatements } from '../../src/statements/run.ts';
import { parseStatementSettings } from '../../src/statements/settings.ts';
import { ingestPaymentsFile } from '../../src/patients/payments-post.ts';
import { requestRecall, runReferrals } from '../../src/collections/run.ts';
import { parseReferralSettings } from '../../src/collections/settings.ts';
import { readAudit } from '../../src/runtime/audit.ts';
import { interchange, type GenRemittance } from '../remittances/support/generate-835.ts';
import { ledgerDump, tempDir, writeTemp } from '../remittances/support/fixtures.ts';

const logger = createLogger({ level: 'silent' });
const ALPHA = { id: 'alpha', name: 'Alpha Family Medicine', taxId: '841234567', npis: ['1234567893'] };
const BETA = { id: 'beta', name: 'Beta Pediatrics', taxId: '861234567', npis: ['1567890128'] };
const ACCOUNTS = [
  { practice: ALPHA, account: 'A-G1', last: 'Alphaperson', prCents: 20000 },
  { practice: BETA, account: 'B-G1', last: 'Betaperson', prCents: 15000 },
];
const HEADER = 'account_number,referral_id,placed_on,guarantor_last_name,guarantor_first_name,guarantor_address_1,guarantor_address_2,guarantor_city,guarantor_state,guarantor_zip,guarantor_phone,guarantor_email,guarantor_birth_date,patient_last_name,patient_first_name,patient_relationship,last_service_date,original_balance,current_balance,last_payment_date,last_payment_amount,itemization_date,itemization_balance,interest_since_itemization,fees_since_itemization,payments_since_itemization,credits_since_itemization,deceased,bankruptcy,attorney,dispute,workers_comp_or_accident,credit_reportable,credit_report_not_before,creditor_name,creditor_tax_id';
/** The placement row of an account placed on 2025-06-10: the guarantor is the patient (self, born 1980-01-01). */
const placementRow = (account: string, last: string, referralId: string, balance: string, creditor: string, taxId: string) =>
  `${account},${referralId},2025-06-10,${last},Avery,1 Example Way,,Springfield,IL,62701,,,1980-01-01,${last},Avery,self,2025-01-15,${balance},${balance},,0.00,2025-05-11,${balance},0.00,0.00,0.00,0.00,N,N,N,N,N,N,2026-05-11,${creditor},${taxId}`;

/** Two practices, each with one account through its final notice on 2025-05-11. */
async function twoPracticesAtFinalNotice(pool: Pool, dir: string): Promise<void> {
  await withTransaction(pool, (client) => registerPractices(client, [ALPHA, BETA]));
  for (const [i, a] of ACCOUNTS.entries()) {
    const pcn = `R${a.account}`;
    await pool.query(`INSERT INTO guarantor_accounts (practice_id, account_number, last_name, first_name, address_line1, city, state, postal_code)
      VALUES ($1, $2, $3, 'Avery', '1 Example Way', 'Springfield', 'IL', '62701')`, [a.practice.id, a.account, a.last]);
    await pool.query(`INSERT INTO patients (patient_id, account_number, last_name, first_name, birth_date, sex, address_line1, city, state, postal_code)
      VALUES ($1, $1, $2, 'Avery', '1980-01-01', 'U', '1 Example Way', 'Springfield', 'IL', '62701')`, [a.account, a.last]);
    const cw = await pool.query(`INSERT INTO crosswalk_versions (payer_id, label, content_sha256, content) VALUES ('PAYER-A', 'v1', $1, '{}')
      ON CONFLICT (payer_id, content_sha256) DO UPDATE SET label = EXCLUDED.label RETURNING id`, ['0'.repeat(64)]);
    const claim = await pool.query(`INSERT INTO claims (source_claim_id, billing_npi, patient_control_number, frequency, claim_type, content_sha256,
        patient_id, account_number, primary_payer_id, total_charge_cents, posted_charge_cents, first_service_date, last_service_date, crosswalk_version_id, status)
      VALUES ($1, $2, $1, '1', 'professional', $3, $4, $4, 'PAYER-A', 50000, 50000, '2025-01-15', '2025-01-15', $5, 'submitted') RETURNING id`,
    [pcn, a.practice.npis[0], 'a'.repeat(64), a.account, cw.rows[0].id]);
    const id = String(claim.rows[0].id);
    await pool.query(`INSERT INTO claim_lines (claim_id, line_number, line_control_number, procedure_code, sent_procedure_code, units, sent_units, charge_cents, service_date)
      VALUES ($1, 1, $2, '99214', '99214', 1, 1, 50000, '2025-01-15')`, [id, `${pcn}-1`]);
    await postBatch(pool, { key: `test.charge:${pcn}`, practiceId: a.practice.id, entries: [{ key: `test.charge:${pcn}`, reason: 'claim.charge', effectiveDate: '2025-01-15', lines: [
      { account: { kind: 'insurance_receivable', payerId: 'PAYER-A' }, amountCents: 50000n, claimId: id },
      { account: { kind: 'revenue' }, amountCents: -50000n, claimId: id },
    ] }] });
    // Each practice's 835 names it as payee (N1*PE*..*XX*NPI).
    const r: GenRemittance = { set: '0001', trace: `EFT-${a.account}`, payerId: '1111111111', paymentDate: '20250201', payeeNpi: a.practice.npis[0], claims: [
      { pcn, lines: [{ code: '99214', chargeCents: 50000, lineControlNumber: `${pcn}-1`, adjustments: [{ group: 'CO', reason: '45', cents: 10000 }, { group: 'PR', reason: '1', cents: a.prCents }] }] },
    ] };
    const ingested = await ingestFile(await writeTemp(dir, `${a.account}.835`, interchange([r], { isa13: `00000070${i}` })), { pool, logger, failpoint: () => undefined, quarantineDir: path.join(dir, 'q') });
    expect(ingested.status).toBe('done');
  }
  for (const date of ['2025-02-10', '2025-03-12', '2025-04-11', '2025-05-11']) {
    await runStatements(pool, { asOf: date, outDir: path.join(dir, 'st'), settings: parseStatementSettings({}), logger, perStatementPdf: false });
  }
  const notices = await pool.query(`SELECT practice_id, account_number FROM statements WHERE kind = 'final_notice' AND statement_date = '2025-05-11' ORDER BY 2`);
  expect(notices.rows).toEqual([{ practice_id: 'alpha', account_number: 'A-G1' }, { practice_id: 'beta', account_number: 'B-G1' }]);
}

const lines = async (file: string) => (await readFile(file, 'utf8')).split('\r\n').filter((l) => l !== '');
const receivables = async (pool: Pool) => (await pool.query<{ practice_id: string; kind: string; patient_id: string; cents: string }>(`
  SELECT a.practice_id, a.kind, a.patient_id, sum(l.amount_cents)::text AS cents FROM entry_lines l JOIN accounts a ON a.id = l.account_id
  WHERE a.kind IN ('patient_receivable', 'collections_receivable') GROUP BY 1, 2, 3 HAVING sum(l.amount_cents) <> 0 ORDER BY 1, 2, 3`)).rows;

describe('one run for the whole office', () => {
  let db: TestDatabase;
  let dir: string;
  const settings = parseReferralSettings({ agencies: [{ id: 'ACME', name: 'Acme Collections' }] });
  const out = () => path.join(dir, 'referrals');
  const refer = (asOf: string) => runReferrals(db.pool, { asOf, outDir: out(), settings, logger });

  beforeAll(async () => {
    db = await useTestDatabase();
    dir = await tempDir();
    await twoPracticesAtFinalNotice(db.pool, dir);
  });

  it('on day 120 places both accounts with the one agency, in one file per practice naming its creditor', async () => {
    const r = await refer('2025-06-10');
    expect(r.placed.map((p) => [p.accountNumber, p.practiceId, p.agencyId, p.amountCents])).toEqual([['A-G1', 'alpha', 'ACME', 20000n], ['B-G1', 'beta', 'ACME', 15000n]]);
    expect(r.files.map((f) => path.basename(f))).toEqual(['placements-ACME-alpha-2025-06-10.csv', 'placements-ACME-beta-2025-06-10.csv']);
    const [alphaId, betaId] = r.placed.map((p) => p.referralId) as [string, string];
    expect(await lines(path.join(out(), 'placements-ACME-alpha-2025-06-10.csv'))).toEqual([HEADER, placementRow('A-G1', 'Alphaperson', alphaId, '200.00', 'Alpha Family Medicine', '841234567')]);
    expect(await lines(path.join(out(), 'placements-ACME-beta-2025-06-10.csv'))).toEqual([HEADER, placementRow('B-G1', 'Betaperson', betaId, '150.00', 'Beta Pediatrics', '861234567')]);
    // Each balance moved to collections receivable in its own practice's books.
    expect(await receivables(db.pool)).toEqual([
      { practice_id: 'alpha', kind: 'collections_receivable', patient_id: 'A-G1', cents: '20000' },
      { practice_id: 'beta', kind: 'collections_receivable', patient_id: 'B-G1', cents: '15000' },
    ]);
    // One audit row per practice, naming only its own account and file.
    const audit = (await readAudit(db.pool, {})).filter((e) => e.command === 'referrals');
    expect(audit.map((e) => [e.practice, e.action, e.accounts, e.files.map((f) => path.basename(f))])).toEqual([
      ['alpha', 'write', ['A-G1'], ['placements-ACME-alpha-2025-06-10.csv']],
      ['beta', 'write', ['B-G1'], ['placements-ACME-beta-2025-06-10.csv']],
    ]);
  });

  it('a rerun of the date places nothing, records and writes no file, and posts nothing', async () => {
    const before = { ledger: await ledgerDump(db.pool), files: (await db.pool.query('SELECT id, file_name, sha256 FROM collection_files ORDER BY id')).rows, audit: (await readAudit(db.pool, {})).length };
    const again = await refer('2025-06-10');
    expect([again.placed, again.updates, again.recalls, again.files, again.notReferred]).toEqual([[], [], [], [], { ALREADY_REFERRED: 2 }]);
    expect(await ledgerDump(db.pool)).toEqual(before.ledger);
    expect((await db.pool.query('SELECT id, file_name, sha256 FROM collection_files ORDER BY id')).rows).toEqual(before.files);
    expect((await readAudit(db.pool, {})).length).toBe(before.audit);
    expect((await readdir(out())).sort()).toEqual(['placements-ACME-alpha-2025-06-10.csv', 'placements-ACME-beta-2025-06-10.csv']);
  });

  it('balance updates and recalls go out per practice too: Alpha\'s payment (200.00 - 80.00 = 120.00), Beta\'s recall (150.00)', async () => {
    const file = await writeTemp(dir, 'pay.csv', 'account,amount,date,method,reference\nA-G1,80.00,2025-06-20,check,PP-1\n');
    expect((await ingestPaymentsFile(db.pool, file, logger)).posted).toBe(1);
    expect(await requestRecall(db.pool, 'B-G1', '2025-06-20', 'patient paying the practice')).toMatchObject({ agencyId: 'ACME' });
    const r = await refer('2025-06-21');
    expect(r.updates.map((u) => [u.accountNumber, u.practiceId, u.kind, u.amountCents, u.balanceCents])).toEqual([['A-G1', 'alpha', 'payment', 8000n, 12000n]]);
    expect(r.recalls.map((c) => [c.accountNumber, c.practiceId, c.reason, c.amountCents])).toEqual([['B-G1', 'beta', 'REQUESTED', 15000n]]);
    expect(r.files.map((f) => path.basename(f)).sort()).toEqual(['recalls-ACME-beta-2025-06-21.csv', 'updates-ACME-alpha-2025-06-21.csv']);
    expect(await lines(path.join(out(), 'updates-ACME-alpha-2025-06-21.csv'))).toEqual([
      'account_number,referral_id,transaction_date,transaction_type,amount,new_balance,last_payment_date',
      `A-G1,${r.updates[0]?.referralId},2025-06-21,PAYMENT,80.00,120.00,2025-06-20`,
    ]);
    expect(await lines(path.join(out(), 'recalls-ACME-beta-2025-06-21.csv'))).toEqual([
      'account_number,referral_id,recall_date,recall_reason,balance', `B-G1,${r.recalls[0]?.referralId},2025-06-21,REQUESTED,150.00`,
    ]);
    expect(await receivables(db.pool)).toEqual([
      { practice_id: 'alpha', kind: 'collections_receivable', patient_id: 'A-G1', cents: '12000' },
      { practice_id: 'beta', kind: 'patient_receivable', patient_id: 'B-G1', cents: '15000' },
    ]);
    expect((await refer('2025-06-21')).files).toEqual([]);
  });
});

describe('claims referrals --practice', () => {
  let db: TestDatabase;
  let dir: string;
  let settingsFile: string;
  const out = () => path.join(dir, 'referrals');
  const cli = (args: string[]) => runCli(['referrals', '--as-of', '2025-06-10', '--out', out(), '--settings', settingsFile, ...args], { env: { DATABASE_URL: db.url } });

  beforeAll(async () => {
    db = await useTestDatabase();
    dir = await tempDir();
    await twoPracticesAtFinalNotice(db.pool, dir);
    // Beta chose its own agency; Alpha, not listed, takes the first that fits.
    settingsFile = await writeTemp(dir, 'referrals.json', JSON.stringify({
      agencies: [{ id: 'ACME', name: 'Acme Collections' }, { id: 'BAYSIDE', name: 'Bayside Recovery' }],
      practices: { beta: { agencies: ['BAYSIDE'] } },
    }));
  });

  it('an unknown practice is refused before anything runs', async () => {
    const r = await cli(['--practice', 'gamma']);
    // As for `claims statements --practice`: PRACTICE_UNKNOWN, exit 1 (failed), nothing done.
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('PRACTICE_UNKNOWN');
    expect(r.stderr).toContain('practices: alpha, beta, default');
    expect((await db.pool.query('SELECT count(*)::int AS n FROM referrals')).rows[0].n).toBe(0);
  });

  it('--practice alpha places Alpha\'s account only; Beta\'s is not even a candidate', async () => {
    const before = await receivables(db.pool);
    const r = await cli(['--practice', 'alpha', '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as { candidates: number; placed: { accountNumber: string; practiceId: string; agencyId: string; amountCents: number }[]; files: string[] };
    expect([j.candidates, j.placed.map((p) => [p.accountNumber, p.practiceId, p.agencyId, p.amountCents])]).toEqual([1, [['A-G1', 'alpha', 'ACME', 20000]]]);
    expect(j.files.map((f) => path.basename(f))).toEqual(['placements-ACME-alpha-2025-06-10.csv']);
    expect(await receivables(db.pool)).toEqual([
      { practice_id: 'alpha', kind: 'collections_receivable', patient_id: 'A-G1', cents: '20000' },
      before.find((b) => b.patient_id === 'B-G1'),
    ]);
    expect(before.find((b) => b.patient_id === 'B-G1')).toEqual({ practice_id: 'beta', kind: 'patient_receivable', patient_id: 'B-G1', cents: '15000' });
    const audit = (await readAudit(db.pool, {})).filter((e) => e.command === 'referrals');
    expect(audit.map((e) => [e.practice, e.accounts])).toEqual([['alpha', ['A-G1']]]);
  });

  it('--practice beta places Beta\'s with the agency Beta chose; a rerun of either practice writes nothing', async () => {
    const r = await cli(['--practice', 'beta', '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as { placed: { accountNumber: string; agencyId: string; amountCents: number }[]; files: string[] };
    expect(j.placed.map((p) => [p.accountNumber, p.agencyId, p.amountCents])).toEqual([['B-G1', 'BAYSIDE', 15000]]);
    expect(j.files.map((f) => path.basename(f))).toEqual(['placements-BAYSIDE-beta-2025-06-10.csv']);
    expect((await lines(path.join(out(), 'placements-BAYSIDE-beta-2025-06-10.csv')))[1]).toMatch(/^B-G1,\d+,2025-06-10,Betaperson,.*,Beta Pediatrics,861234567$/);
    const ledger = await ledgerDump(db.pool);
    for (const practice of ['alpha', 'beta']) {
      const again = await cli(['--practice', practice, '--json']);
      expect(JSON.parse(again.stdout)).toMatchObject({ placed: [], files: [], notReferred: { ALREADY_REFERRED: 1 } });
    }
    expect(await ledgerDump(db.pool)).toEqual(ledger);
    expect((await readdir(out())).sort()).toEqual(['placements-ACME-alpha-2025-06-10.csv', 'placements-BAYSIDE-beta-2025-06-10.csv']);
  });

  it('a file recorded but not written (a run stopped in between) is written, identical, by the next run of its practice only', async () => {
    const name = 'placements-BAYSIDE-beta-2025-06-10.csv';
    const text = await readFile(path.join(out(), name), 'utf8');
    const sha = (await db.pool.query('SELECT sha256 FROM collection_files WHERE file_name = $1', [name])).rows[0].sha256 as string;
    await db.pool.query('UPDATE collection_files SET written_at = NULL, sha256 = NULL WHERE file_name = $1', [name]);
    await rm(path.join(out(), name));
    const alpha = JSON.parse((await cli(['--practice', 'alpha', '--json'])).stdout) as { files: string[] };
    expect(alpha.files).toEqual([]);
    expect(await readdir(out())).toEqual(['placements-ACME-alpha-2025-06-10.csv']);
    const beta = JSON.parse((await cli(['--practice', 'beta', '--json'])).stdout) as { files: string[] };
    expect(beta.files.map((f) => path.basename(f))).toEqual([name]);
    expect(await readFile(path.join(out(), name), 'utf8')).toBe(text);
    expect((await db.pool.query('SELECT sha256 FROM collection_files WHERE file_name = $1', [name])).rows[0].sha256).toBe(sha);
  });
});
