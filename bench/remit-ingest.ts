// Benchmark: 835 ingest end to end (tokenize, envelope checks, read, balance, match, post with COPY, one
// transaction per remittance) against its floor measured in the same run: the bare tokenizer over the same
// file plus psql `\copy` of the same ledger rows (posting batches, entries, entry lines) into the same
// tables of a fresh database. Target: ingest within 2x of (tokenize + \copy); peak RSS flat with file size.
// Phases run as child processes so each one's peak RSS is its own.
// Run: node --import tsx bench/remit-ingest.ts [--mb N]   (default 5 MB, a smoke size; the issue's is 200)
import { spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { once } from 'node:events';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { readSegmentBatches } from '../src/x12/read.ts';
import { remittanceSegments, type GenRemittance } from '../test/remittances/support/generate-835.ts';

const OUT = fileURLToPath(new URL('./out/', import.meta.url));
const CLAIMS_PER_REMITTANCE = 200;
const LINES_PER_CLAIM = 5;
const BENCH_DB = 'claims_bench_remit';
const COPY_DB = 'claims_bench_remit_copy';

const fileFor = (mb: number): string => path.join(OUT, `remit-835-${mb}mb.x12`);

/** A remittance of 200 unmatched claims x 5 lines (CO-45 on each line, PR-2 on the first). */
function remittance(n: number): GenRemittance {
  return {
    set: String(n + 1).padStart(4, '0'), trace: `EFT-B${n}`, payerId: '1000000099',
    claims: Array.from({ length: CLAIMS_PER_REMITTANCE }, (_, c) => ({
      pcn: `B${n}-${c}`,
      patient: { last: `LAST${c % 97}`, first: `FIRST${c % 89}`, id: `MBR${n}-${c}` },
      lines: Array.from({ length: LINES_PER_CLAIM }, (_, l) => ({
        code: ['99213', '99214', '81002', '36415', '85025'][l]!, chargeCents: 5000 + 700 * l + (c % 13),
        lineControlNumber: `B${n}-${c}-${l}`,
        adjustments: l === 0 ? [{ group: 'CO' as const, reason: '45', cents: 1100 }, { group: 'PR' as const, reason: '2', cents: 900 }] : [{ group: 'CO' as const, reason: '45', cents: 1000 + l }],
      })),
    })),
    plb: [{ code: 'L6', cents: -(n % 50) - 1 }],
  };
}

/** Write a file of about `mb` megabytes: one interchange, one group, as many remittances as it takes. */
async function generate(mb: number): Promise<void> {
  const file = fileFor(mb);
  if (existsSync(file)) return;
  mkdirSync(OUT, { recursive: true });
  const out = createWriteStream(`${file}.part`);
  const write = async (text: string): Promise<void> => {
    if (!out.write(text)) await once(out, 'drain');
  };
  await write('ISA*00*          *00*          *ZZ*SYNTHPAYER     *ZZ*SYNTHCLINIC    *240315*1200*^*00501*000000001*0*P*:~\n');
  await write('GS*HP*SYNTHPAYER*SYNTHCLINIC*20240315*1200*1*X*005010X221A1~\n');
  let bytes = 0;
  let n = 0;
  while (bytes < mb * 1_000_000) {
    const text = remittanceSegments(remittance(n++)).join('~\n') + '~\n';
    bytes += text.length;
    await write(text);
  }
  await write(`GE*${n}*1~\nIEA*1*000000001~\n`);
  out.end();
  await once(out, 'finish');
  const { rename } = await import('node:fs/promises');
  await rename(`${file}.part`, file);
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
  const { ingestFile } = await import('../src/ingest/ingest-file.ts');
  const { createLogger } = await import('../src/runtime/logger.ts');
  const db = await freshDatabase(BENCH_DB);
  try {
    const started = performance.now();
    const outcome = await ingestFile(file, { pool: db.pool, logger: createLogger({ level: 'warn' }), quarantineDir: path.join(OUT, 'quarantine'), failpoint: () => undefined });
    const seconds = (performance.now() - started) / 1000;
    const counted = await db.pool.query(`SELECT (SELECT count(*) FROM remittances)::int AS remittances, (SELECT count(*) FROM remittance_claims)::int AS claims,
      (SELECT count(*) FROM entries)::int AS entries, (SELECT count(*) FROM entry_lines)::int AS lines`);
    // The rows the floor loads: exactly what ingest wrote to the ledger tables.
    for (const table of ['accounts', 'posting_batches', 'entries', 'entry_lines']) {
      const r = spawnSync('psql', [db.connectionString, '-qAt', '-c', `\\copy (SELECT * FROM ${table}) TO '${path.join(OUT, `remit-${table}.copy`)}'`], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`exporting ${table}: ${r.stderr}`);
    }
    return { status: outcome.status, sets: outcome.sets.length, ...counted.rows[0], seconds, url: db.connectionString };
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

/** Run one phase in a child process and return its result with the child's peak RSS. */
function child(args: string[]): Record<string, unknown> {
  const r = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--phase', ...args], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`phase ${args.join(' ')} failed:\n${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { mb: { type: 'string', default: '5' }, phase: { type: 'string' }, file: { type: 'string' } }, allowPositionals: true });
  if (values.phase) {
    let result: Record<string, unknown>;
    if (values.phase === 'gen') { await generate(Number(values.mb)); result = {}; }
    else if (values.phase === 'tokenize') result = await tokenize(values.file!);
    else if (values.phase === 'ingest') result = await ingest(values.file!);
    else result = await copy();
    process.stdout.write(JSON.stringify({ ...result, maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024) }) + '\n');
    return;
  }
  const mb = Number(values.mb);
  child(['gen', '--mb', String(mb)]);
  const file = fileFor(mb);
  const sizeMb = statSync(file).size / 1e6;
  const tok = child(['tokenize', '--file', file]);
  const ing = child(['ingest', '--file', file]);
  const cp = child(['copy']);
  const floor = (tok.seconds as number) + (cp.seconds as number);
  const lines = (ing.claims as number) * LINES_PER_CLAIM;
  const row = (name: string, seconds: number, extra: string) => `| ${name} | ${seconds.toFixed(2)} s | ${extra} |`;
  console.log(`835 of ${sizeMb.toFixed(1)} MB: ${ing.sets} remittances, ${ing.claims} claims, ${lines} service lines, ${tok.segments} segments -> ${ing.entries} entries, ${ing.lines} ledger lines (status ${ing.status})`);
  console.log('| phase | time | notes |');
  console.log('|---|---|---|');
  console.log(row('bare tokenize', tok.seconds as number, `${(sizeMb / (tok.seconds as number)).toFixed(1)} MB/s, peak RSS ${tok.maxRssMb} MB`));
  console.log(row('psql \\copy of the same ledger rows', cp.seconds as number, `${Math.round((ing.lines as number) / (cp.seconds as number))} lines/s`));
  console.log(row('floor: tokenize + \\copy', floor, '1.00x'));
  console.log(row('ingest end to end', ing.seconds as number, `${(sizeMb / (ing.seconds as number)).toFixed(1)} MB/s, ${Math.round((ing.claims as number) / (ing.seconds as number))} claims/s, peak RSS ${ing.maxRssMb} MB, ${((ing.seconds as number) / floor).toFixed(2)}x the floor`));
}

await main();
