// Benchmark: 835 ingest end to end (tokenize, envelope checks, read, balance, match, post with COPY, one
// transaction per remittance) against its floor measured in the same run: the bare tokenizer over the same
// file plus psql `\copy` of the same ledger rows (posting batches, entries, entry lines) into the same
// tables of a fresh database. Target: ingest within 2x of (tokenize + \copy); peak RSS flat with file size.
// Phases run as child processes so each one's peak RSS is its own. The input's shape (remittances of 100
// to 5,000 claims, 85% of them submitted by this system and seeded untimed before the run) is remit-shape.ts.
// Run: node --import tsx bench/remit-ingest.ts [--mb N | --lines N] [--claims K]   (default 5 MB, a smoke
// size; the issue's sizes are --mb 200 and --lines 1000000). --claims K gives every remittance exactly K
// claims: the memory runs use it at two file sizes (same largest remittance) and with one huge remittance.
import { spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import { once } from 'node:events';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { readSegmentBatches } from '../src/exchange/x12-read.ts';
import { remittanceSegments } from '../test/remittances/support/generate-835.ts';
import { BENCH_PAYERS, benchRemittance, claimCount, isMatched, serviceLineCount, setClaimsPerRemittance, submittedClaim } from './remit-shape.ts';
import { CLAIMS_NODE_FLAGS } from '../src/runtime/node-flags.ts';

const OUT = fileURLToPath(new URL('./out/', import.meta.url));
const BENCH_DB = 'claims_bench_remit';
const COPY_DB = 'claims_bench_remit_copy';

/** The input asked for: about `mb` megabytes, or at least `lines` service lines. */
interface Size { mb?: number; lines?: number; claims?: number }
const fileFor = (size: Size): string => path.join(OUT, `${size.lines !== undefined ? `remit-835-${size.lines}-lines` : `remit-835-${size.mb}mb`}${size.claims !== undefined ? `-${size.claims}-claims` : ''}.x12`);

/** What the generator wrote beside the file (the seed needs the remittance count). */
interface Generated { remittances: number; claims: number; serviceLines: number }

/** Write the file: one interchange, one group, as many remittances as it takes; constant memory. */
async function generate(size: Size): Promise<void> {
  const file = fileFor(size);
  if (existsSync(file)) return;
  mkdirSync(OUT, { recursive: true });
  const out = createWriteStream(`${file}.part`);
  const write = async (text: string): Promise<void> => {
    if (!out.write(text)) await once(out, 'drain');
  };
  await write('ISA*00*          *00*          *ZZ*SYNTHPAYER     *ZZ*SYNTHCLINIC    *240315*1200*^*00501*000000001*0*P*:~\n');
  await write('GS*HP*SYNTHPAYER*SYNTHCLINIC*20240315*1200*1*X*005010X221A1~\n');
  const done = { bytes: 0, lines: 0, claims: 0 };
  let n = 0;
  while (size.lines !== undefined ? done.lines < size.lines : done.bytes < (size.mb ?? 5) * 1_000_000) {
    const r = benchRemittance(n++);
    const text = remittanceSegments(r).join('~\n') + '~\n';
    done.bytes += text.length;
    done.lines += serviceLineCount(r);
    done.claims += r.claims.length;
    await write(text);
  }
  await write(`GE*${n}*1~\nIEA*1*000000001~\n`);
  out.end();
  await once(out, 'finish');
  await writeFile(`${file}.json`, JSON.stringify({ remittances: n, claims: done.claims, serviceLines: done.lines } satisfies Generated));
  await rename(`${file}.part`, file);
}

/**
 * The claims this system sent, as claims-out would have stored them (untimed, before the run): guarantor
 * accounts and patients, one crosswalk version per payer, claims and their lines, loaded with COPY.
 */
async function seed(pool: import('pg').Pool, remittances: number): Promise<number> {
  const { from: copyFrom } = await import('pg-copy-streams');
  const { Readable } = await import('node:stream');
  const { pipeline } = await import('node:stream/promises');
  const client = await pool.connect();
  try {
    const copy = (sql: string, rows: Iterable<string>) => pipeline(Readable.from(rows), client.query(copyFrom(sql)));
    await client.query(`INSERT INTO guarantor_accounts (practice_id, account_number, last_name, first_name, address_line1, city, state, postal_code)
      SELECT 'default', 'G' || g, 'Benchperson', 'Alex', '1 Example Way', 'Springfield', 'IL', '62701' FROM generate_series(0, 49999) g`);
    await client.query(`INSERT INTO patients (patient_id, account_number, last_name, first_name, birth_date, sex, address_line1, city, state, postal_code)
      SELECT account_number, account_number, 'Benchperson', 'Alex', '1980-01-01', 'U', '1 Example Way', 'Springfield', 'IL', '62701' FROM guarantor_accounts`);
    const cw = await client.query(`INSERT INTO crosswalk_versions (payer_id, label, content_sha256, content)
      SELECT p, 'bench', repeat('0', 64), '{}' FROM unnest($1::text[]) p RETURNING id, payer_id`, [[...BENCH_PAYERS]]);
    const crosswalk = new Map(cw.rows.map((r) => [r.payer_id as string, String(r.id)]));
    let seeded = 0;
    function* claims(): Generator<string> {
      for (let n = 0; n < remittances; n++) {
        for (let c = 0; c < claimCount(n); c++) {
          if (!isMatched(n, c)) continue;
          const s = submittedClaim(n, c);
          const total = s.lines.reduce((t, l) => t + l.chargeCents, 0);
          const dates = s.lines.map((l) => l.date).sort();
          seeded++;
          yield `${s.pcn}\t1999999984\t${s.pcn}\t1\tprofessional\t${'a'.repeat(64)}\t${s.account}\t${s.account}\t${s.payer}\t${s.secondary ?? '\\N'}\t${total}\t${total}\t${dates[0]}\t${dates.at(-1)}\t${crosswalk.get(s.payer)}\tsubmitted\n`;
        }
      }
    }
    await copy(`COPY claims (source_claim_id, billing_npi, patient_control_number, frequency, claim_type, content_sha256, patient_id, account_number,
      primary_payer_id, secondary_payer_id, total_charge_cents, posted_charge_cents, first_service_date, last_service_date, crosswalk_version_id, status) FROM STDIN`, claims());
    await client.query(`CREATE TEMP TABLE seed_lines (pcn text, line_number smallint, control text, code text, charge_cents bigint, service_date date)`);
    function* lines(): Generator<string> {
      for (let n = 0; n < remittances; n++) {
        for (let c = 0; c < claimCount(n); c++) {
          if (!isMatched(n, c)) continue;
          const s = submittedClaim(n, c);
          for (const [i, l] of s.lines.entries()) yield `${s.pcn}\t${i + 1}\t${l.control}\t${l.code}\t${l.chargeCents}\t${l.date}\n`;
        }
      }
    }
    await copy('COPY seed_lines FROM STDIN', lines());
    await client.query(`INSERT INTO claim_lines (claim_id, line_number, line_control_number, procedure_code, sent_procedure_code, units, sent_units, charge_cents, service_date)
      SELECT c.id, s.line_number, s.control, s.code, s.code, 1, 1, s.charge_cents, s.service_date FROM seed_lines s JOIN claims c ON c.patient_control_number = s.pcn`);
    // An existing database has statistics on what it holds; the ledger tables start empty either way.
    await client.query('ANALYZE guarantor_accounts, patients, claims, claim_lines');
    return seeded;
  } finally {
    client.release();
  }
}

async function tokenize(file: string): Promise<Record<string, unknown>> {
  let segments = 0;
  const started = performance.now();
  for await (const batch of readSegmentBatches(file)) segments += batch.length;
  return { segments, seconds: (performance.now() - started) / 1000 };
}

async function freshDatabase(name: string) {
  const { openDatabase, withDatabaseName } = await import('../src/runtime/database.ts');
  const pg = (await import('pg')).default;
  // The ledger refuses TRUNCATE and DELETE: a fresh database per run instead.
  const probe = await openDatabase({ migrate: false, database: 'postgres' });
  const admin = new pg.Client({ connectionString: withDatabaseName(probe.connectionString, 'postgres') });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${admin.escapeIdentifier(name)} WITH (FORCE)`);
  await admin.end();
  await probe.close();
  return openDatabase({ migrate: true, database: name });
}

async function ingest(file: string): Promise<Record<string, unknown>> {
  const { ingestFile } = await import('../src/pipeline/ingest-input.ts');
  const { createLogger } = await import('../src/runtime/logger.ts');
  const db = await freshDatabase(BENCH_DB);
  try {
    const generated = JSON.parse(readFileSync(`${file}.json`, 'utf8')) as Generated;
    const seedStarted = performance.now();
    const seeded = await seed(db.pool, generated.remittances);
    const seedSeconds = (performance.now() - seedStarted) / 1000;
    const started = performance.now();
    const cpuBefore = process.cpuUsage();
    const outcome = await ingestFile(file, { pool: db.pool, logger: createLogger({ level: 'warn' }), quarantineDir: path.join(OUT, 'quarantine'), failpoint: () => undefined });
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    const nodeCpuSeconds = (cpu.user + cpu.system) / 1e6;
    const counted = await db.pool.query(`SELECT (SELECT count(*) FROM remittances)::int AS remittances, (SELECT count(*) FROM remittance_claims)::int AS claims,
      (SELECT count(*) FROM entries)::int AS entries, (SELECT count(*) FROM entry_lines)::int AS lines`);
    // The rows the floor loads: exactly what ingest wrote to the ledger tables.
    for (const table of ['accounts', 'posting_batches', 'entries', 'entry_lines']) {
      const r = spawnSync('psql', [db.connectionString, '-qAt', '-c', `\\copy (SELECT * FROM ${table}) TO '${path.join(OUT, `remit-${table}.copy`)}'`], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`exporting ${table}: ${r.stderr}`);
    }
    const matched = outcome.sets.reduce((t, x) => t + (x.counts?.matchedClaims ?? 0), 0);
    return { status: outcome.status, sets: outcome.sets.length, ...counted.rows[0], matched, seeded, seedSeconds, seconds, nodeCpuSeconds, url: db.connectionString };
  } finally {
    await db.close();
  }
}

/** psql \copy of the same rows into a fresh database: accounts first (untimed), then the ledger rows in one transaction. */
async function copy(): Promise<Record<string, unknown>> {
  const db = await freshDatabase(COPY_DB);
  // Held open while psql runs: the embedded server stops when its last user closes.
  try {
    const url = db.connectionString;
    const at = (t: string) => path.join(OUT, `remit-${t}.copy`);
    const setup = spawnSync('psql', [url, '-qAt', '-v', 'ON_ERROR_STOP=1', '-c', `\\copy accounts FROM '${at('accounts')}'`], { encoding: 'utf8' });
    if (setup.status !== 0) throw new Error(`accounts: ${setup.stderr}`);
    const script = path.join(OUT, 'remit-copy.sql');
    await writeFile(script, ['BEGIN;', ...['posting_batches', 'entries', 'entry_lines'].map((t) => `\\copy ${t} FROM '${at(t)}'`), 'COMMIT;', ''].join('\n'));
    const started = performance.now();
    const r = spawnSync('psql', [url, '-qAt', '-v', 'ON_ERROR_STOP=1', '-f', script], { encoding: 'utf8' });
    const seconds = (performance.now() - started) / 1000;
    if (r.status !== 0) throw new Error(`\\copy: ${r.stderr}`);
    return { seconds };
  } finally {
    await db.close();
  }
}

// BENCH_NODE_FLAGS (e.g. "--cpu-prof --cpu-prof-dir=bench/out/prof") goes to every phase's node: a profile
// per phase. The ingest phase also gets the `claims` command's own flags (src/runtime/node-flags.ts), as
// `claims ingest` runs; the floor's tokenize runs on node's defaults (it was slower with them).
const childFlags = (process.env.BENCH_NODE_FLAGS ?? '').split(/\s+/).filter(Boolean);

/** Run one phase in a child process and return its result with the child's peak RSS. */
function child(args: string[]): Record<string, unknown> {
  const flags = args[0] === 'ingest' ? [...CLAIMS_NODE_FLAGS, ...childFlags] : childFlags;
  const r = spawnSync(process.execPath, [...flags, '--import', 'tsx', fileURLToPath(import.meta.url), '--phase', ...args], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`phase ${args.join(' ')} failed:\n${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { mb: { type: 'string' }, lines: { type: 'string' }, claims: { type: 'string' }, phase: { type: 'string' }, file: { type: 'string' } }, allowPositionals: true });
  const size: Size = values.lines !== undefined ? { lines: Number(values.lines) } : { mb: Number(values.mb ?? '5') };
  const sizeArgs = values.lines !== undefined ? ['--lines', values.lines] : ['--mb', String(size.mb)];
  if (values.claims !== undefined) {
    size.claims = Number(values.claims);
    setClaimsPerRemittance(size.claims);
    sizeArgs.push('--claims', values.claims);
  }
  if (values.phase) {
    let result: Record<string, unknown>;
    if (values.phase === 'gen') { await generate(size); result = {}; }
    else if (values.phase === 'tokenize') result = await tokenize(values.file!);
    else if (values.phase === 'ingest') result = await ingest(values.file!);
    else result = await copy();
    process.stdout.write(JSON.stringify({ ...result, maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024) }) + '\n');
    return;
  }
  child(['gen', ...sizeArgs]);
  const file = fileFor(size);
  const generated = JSON.parse(readFileSync(`${file}.json`, 'utf8')) as Generated;
  const sizeMb = statSync(file).size / 1e6;
  const tok = child(['tokenize', '--file', file]);
  const ing = child(['ingest', '--file', file, ...sizeArgs]);
  const cp = child(['copy']);
  const floor = (tok.seconds as number) + (cp.seconds as number);
  const row = (name: string, seconds: number, extra: string) => `| ${name} | ${seconds.toFixed(2)} s | ${extra} |`;
  console.log(`835 of ${sizeMb.toFixed(1)} MB: ${ing.sets} remittances, ${ing.claims} claims (${ing.matched} matched to the ${ing.seeded} seeded in ${(ing.seedSeconds as number).toFixed(1)} s), ${generated.serviceLines} service lines, ${tok.segments} segments -> ${ing.entries} entries, ${ing.lines} ledger lines (status ${ing.status})`);
  console.log('| phase | time | notes |');
  console.log('|---|---|---|');
  console.log(row('bare tokenize', tok.seconds as number, `${(sizeMb / (tok.seconds as number)).toFixed(1)} MB/s, peak RSS ${tok.maxRssMb} MB`));
  console.log(row('psql \\copy of the same ledger rows', cp.seconds as number, `${Math.round((ing.lines as number) / (cp.seconds as number))} lines/s`));
  console.log(row('floor: tokenize + \\copy', floor, '1.00x'));
  console.log(row('ingest end to end', ing.seconds as number, `${(sizeMb / (ing.seconds as number)).toFixed(1)} MB/s, ${Math.round((ing.claims as number) / (ing.seconds as number))} claims/s, peak RSS ${ing.maxRssMb} MB, ${((ing.seconds as number) / floor).toFixed(2)}x the floor; node CPU ${(ing.nodeCpuSeconds as number).toFixed(1)} s`));
}

await main();
