// Benchmark: the statement run end to end on a real database, for N guarantor accounts, with the
// database side as its own figure. Seeds N accounts (1 to 3 claims each, charge and remittance posted
// through the ledger API, remittance rows, a secondary pending on every 10th account, a small balance on
// every 10th, a prepaid credit on every 10th, a plan on every 20th), untimed. Then, timed:
//   floor      one GROUP BY over the patient receivable lines (the least a run must read)
//   load       every account loaded and assessed, page by page (loadSnapshots + assessAccount: the
//              database side of a run, read-only)
//   run CSV    runStatements for 2025-03-01, print-vendor CSV only (ledger moves, statements recorded)
//   run PDF    runStatements for 2025-03-31 (the cycle's statement 2 for the same accounts), batch PDFs + CSV
// (The two indexes an earlier `--indexes` option measured are in the schema since migration 0011.)
// Peak RSS of this process (the server's is its own) is sampled every 50 ms.
// Run: node --import tsx bench/statements-run.ts [--accounts N]   (default 200, a smoke size; the is 100,000)
import { mkdir, rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type pg from 'pg';
import { openDatabase, withDatabaseName, type Database } from '../src/runtime/database.ts';
import { createLogger } from '../src/runtime/logger.ts';
import { postBatch } from '../src/ledger/post.ts';
import type { Entry, EntryLine } from '../src/ledger/types.ts';
import { parseStatementSettings } from '../src/statements/settings.ts';
import { accountPage, loadSnapshots } from '../src/statements/load.ts';
import { assessAccount } from '../src/statements/account.ts';
import { runStatements } from '../src/statements/run.ts';

const { values } = parseArgs({ options: { accounts: { type: 'string', default: '200' } } });
const N = Number(values.accounts);
const CHUNK = 2000;
const BENCH_DB = 'claims_bench_statements';
const OUT = fileURLToPath(new URL('./out/statements-run/', import.meta.url));
const settings = parseStatementSettings({});
const logger = createLogger({ level: 'warn' });

let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
const peakMiB = () => Math.round(Math.max(peakRss, process.memoryUsage().rss) / 2 ** 20);

async function freshDatabase(): Promise<Database> {
  const pgmod = (await import('pg')).default;
  // The ledger refuses TRUNCATE and DELETE: a fresh database per run instead.
  const probe = await openDatabase({ migrate: false, database: 'postgres' });
  const admin = new pgmod.Client({ connectionString: withDatabaseName(probe.connectionString, 'postgres') });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${admin.escapeIdentifier(BENCH_DB)} WITH (FORCE)`);
  await admin.end();
  await probe.close();
  return openDatabase({ migrate: true, database: BENCH_DB });
}

const account = (i: number) => `B${String(i).padStart(7, '0')}`;
const claimsOf = (i: number) => 1 + (i % 3);

/** Seed accounts [from, to): SQL for the claim tables, the ledger API for the money. */
async function seedChunk(pool: pg.Pool, from: number, to: number, crosswalkId: string): Promise<void> {
  const idx = Array.from({ length: to - from }, (_, k) => from + k);
  const accts = idx.map(account);
  await pool.query(
    `INSERT INTO guarantor_accounts (practice_id, account_number, last_name, first_name, address_line1, city, state, postal_code)
     SELECT 'default', a, 'SAMPLE', 'GUARANTOR ' || a, '1 Bench Way', 'Springfield', 'IL', '62701' FROM unnest($1::text[]) a`, [accts]);
  await pool.query(
    `INSERT INTO patients (patient_id, account_number, last_name, first_name, birth_date, sex, address_line1, city, state, postal_code)
     SELECT 'P' || a, a, 'SAMPLE', 'PATIENT ' || a, '1980-01-01', 'U', '1 Bench Way', 'Springfield', 'IL', '62701' FROM unnest($1::text[]) a`, [accts]);
  const pcn: string[] = []; const acc: string[] = []; const secondary: (string | null)[] = []; const date: string[] = []; const charge: string[] = [];
  for (const i of idx) {
    for (let j = 0; j < claimsOf(i); j++) {
      pcn.push(`${account(i)}-${j}`); acc.push(account(i)); secondary.push(i % 10 === 0 && j === 0 ? 'BENCH2' : null);
      date.push(`2025-01-${String(2 + ((i + j) % 25)).padStart(2, '0')}`); charge.push(String(15000 + 100 * j));
    }
  }
  const ids = (await pool.query<{ id: string; pcn: string }>(
    `INSERT INTO claims (source_claim_id, billing_npi, patient_control_number, frequency, claim_type, content_sha256, patient_id, account_number,
                         primary_payer_id, secondary_payer_id, total_charge_cents, posted_charge_cents, first_service_date, last_service_date,
                         crosswalk_version_id, status)
     SELECT p, '1234567893', p, '1', 'professional', repeat('a', 64), 'P' || a, a, 'BENCH1', s, c, c, d, d, $6, 'submitted'
     FROM unnest($1::text[], $2::text[], $3::text[], $4::date[], $5::bigint[]) AS x(p, a, s, d, c)
     RETURNING id::text AS id, patient_control_number AS pcn`, [pcn, acc, secondary, date, charge, crosswalkId])).rows;
  const idOf = new Map(ids.map((r) => [r.pcn, r.id]));
  await pool.query(
    `INSERT INTO claim_lines (claim_id, line_number, line_control_number, procedure_code, sent_procedure_code, units, sent_units, charge_cents, service_date)
     SELECT id, 1, p || '-1', '99213', '99213', 1, 1, c, d FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::date[]) AS x(id, p, c, d)`,
    [pcn.map((p) => idOf.get(p)), pcn, charge, date]);
  const remit = (await pool.query<{ id: string }>(
    `INSERT INTO remittances (payer_key, payee_key, trace_number, content_sha256, payer_id, posting_batch_key, payer_name, payee_name, transaction_handling,
       payment_cents, credit_debit, payment_method, payment_date, claim_payments_cents, provider_adjustments_cents, claim_count, matched_claim_count,
       unmatched_claim_count, entry_count, line_count, source_file_sha256, source_file_name, source_isa13, source_gs06, source_st02, source_segment_index, practice_id)
     VALUES ('BENCH1', 'PAYEE', $1, repeat('b', 64), 'BENCH1', $1, 'BENCH PAYER', 'BENCH PAYEE', 'I', 0, 'C', 'ACH', '2025-02-01', 0, 0, $2, $2, 0, $2, 0,
       repeat('c', 64), 'bench.835', '000000001', '1', '0001', 0, 'default') RETURNING id::text AS id`, [`bench-remit-${from}`, pcn.length])).rows[0]!.id;
  await pool.query(
    `INSERT INTO remittance_claims (remittance_id, claim_index, patient_control_number, payer_claim_number, status, charge_cents, paid_cents, claim_id,
       ledger_claim_id, payer_id, source_segment_index)
     SELECT $1, n, p, 'X' || n, '1', c, 0, id, id::text, 'BENCH1', n FROM unnest($2::text[], $3::bigint[], $4::bigint[]) WITH ORDINALITY AS x(p, c, id, n)`,
    [remit, pcn, charge, pcn.map((p) => idOf.get(p))]);

  // Money: per claim a charge entry and a remittance entry (paid 90, CO 40 - 100 * j cents, PR 20 or 3).
  const entries: Entry[] = [];
  let k = 0;
  for (const i of idx) {
    if (i % 10 === 2) {
      entries.push({ key: `bench-prepay:${i}`, reason: 'patient.payment', effectiveDate: '2025-01-15', lines: [
        { account: { kind: 'cash' }, amountCents: 1000n }, { account: { kind: 'patient_credit', patientId: account(i) }, amountCents: -1000n }] });
    }
    for (let j = 0; j < claimsOf(i); j++, k++) {
      const claimId = idOf.get(pcn[k] as string) as string;
      const chargeCents = BigInt(charge[k] as string);
      const pr = i % 10 === 1 ? 300n : 2000n;
      const co = chargeCents - 9000n - pr;
      const prTo: EntryLine['account'] = secondary[k] ? { kind: 'insurance_receivable', payerId: 'BENCH2' } : { kind: 'patient_receivable', patientId: account(i) };
      entries.push({ key: `bench-charge:${claimId}`, reason: 'claim.charge', effectiveDate: '2025-01-20', lines: [
        { account: { kind: 'insurance_receivable', payerId: 'BENCH1' }, amountCents: chargeCents, claimId },
        { account: { kind: 'revenue' }, amountCents: -chargeCents, claimId }] });
      entries.push({ key: `bench-remit:${claimId}`, reason: 'remit.claim', effectiveDate: '2025-02-01', lines: [
        { account: { kind: 'payer_clearing', payerId: 'BENCH1' }, amountCents: 9000n, claimId },
        { account: { kind: 'contractual_adjustment', payerId: 'BENCH1' }, amountCents: co, claimId, reason: 'CO-45' },
        { account: prTo, amountCents: pr, claimId, reason: 'PR-2' },
        { account: { kind: 'insurance_receivable', payerId: 'BENCH1' }, amountCents: -(9000n + co + pr), claimId }] });
    }
  }
  await postBatch(pool, { key: `bench-seed:${from}`, entries });
  const plans = idx.filter((i) => i % 20 === 5).map(account);
  await pool.query(
    `INSERT INTO payment_plans (plan_key, account_number, total_cents, installments, start_on, frequency, created_on)
     SELECT 'bench:' || a, a, 2000, 2, '2025-03-15', 'monthly', '2025-02-20' FROM unnest($1::text[]) a`, [plans]);
}

async function timed<T>(fn: () => Promise<T>): Promise<{ seconds: number; value: T }> {
  const t = performance.now();
  const value = await fn();
  return { seconds: (performance.now() - t) / 1000, value };
}

const db = await freshDatabase();
try {
  const seedStarted = performance.now();
  const crosswalkId = (await db.pool.query<{ id: string }>(
    `INSERT INTO crosswalk_versions (payer_id, label, content_sha256, content) VALUES ('BENCH1', 'bench', repeat('d', 64), '{}') RETURNING id::text AS id`)).rows[0]!.id;
  for (let from = 0; from < N; from += CHUNK) await seedChunk(db.pool, from, Math.min(N, from + CHUNK), crosswalkId);
  await db.pool.query('ANALYZE');
  const seedSeconds = (performance.now() - seedStarted) / 1000;

  const floor = await timed(async () => (await db.pool.query(
    `SELECT a.patient_id, sum(l.amount_cents) FROM accounts a JOIN entry_lines l ON l.account_id = a.id
     WHERE a.kind = 'patient_receivable' GROUP BY a.patient_id`)).rowCount ?? 0);
  const loadAll = () => timed(async () => {
    let due = 0;
    for (let after = ''; ;) {
      const page = await accountPage(db.pool, after, 1000);
      if (page.length === 0) return due;
      after = page.at(-1)!.account_number;
      for (const a of await loadSnapshots(db.pool, page, '2025-03-01', settings)) if (assessAccount(a, settings, '2025-03-01').decision.due) due++;
    }
  });
  const load = await loadAll();
  const rssAfterLoad = peakMiB();
  await rm(OUT, { recursive: true, force: true });
  await mkdir(OUT, { recursive: true });
  const csvRun = await timed(() => runStatements(db.pool, { asOf: '2025-03-01', outDir: OUT, settings, logger, batchPdf: false, perStatementPdf: false }));
  const rssAfterCsv = peakMiB();
  const pdfRun = await timed(() => runStatements(db.pool, { asOf: '2025-03-31', outDir: OUT, settings, logger, perStatementPdf: false }));
  const rssAfterPdf = peakMiB();
  const perSecond = (n: number, s: number) => Math.round(n / s);
  console.log(JSON.stringify({
    accounts: N,
    seedSeconds: Number(seedSeconds.toFixed(1)),
    floor: { seconds: Number(floor.seconds.toFixed(2)), balances: floor.value },
    load: { seconds: Number(load.seconds.toFixed(2)), accountsPerSecond: perSecond(N, load.seconds), due: load.value, ratioToFloor: Number((load.seconds / floor.seconds).toFixed(1)) },
    runCsv: { seconds: Number(csvRun.seconds.toFixed(2)), issued: csvRun.value.issued.length, statementsPerSecond: perSecond(csvRun.value.issued.length, csvRun.seconds), ledger: csvRun.value.ledger },
    runPdf: { seconds: Number(pdfRun.seconds.toFixed(2)), issued: pdfRun.value.issued.length, statementsPerSecond: perSecond(pdfRun.value.issued.length, pdfRun.seconds), files: pdfRun.value.files.length },
    ratioPdfToCsvPerStatement: Number(((pdfRun.seconds / pdfRun.value.issued.length) / (csvRun.seconds / csvRun.value.issued.length)).toFixed(1)),
    peakRssMiB: { afterLoad: rssAfterLoad, afterCsvRun: rssAfterCsv, afterPdfRun: rssAfterPdf },
  }));
} finally {
  clearInterval(sampler);
  await db.close();
  await rm(OUT, { recursive: true, force: true });
}
