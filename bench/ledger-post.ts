// Benchmark: posting N entry lines through the posting API (postBatch: validate, hash, claim the key,
// resolve accounts, COPY), against the same rows written into the same tables, indexes and triggers by
// one INSERT per row (on a smaller sample), 1,000-row multi-row INSERTs, and psql's \copy. Every method
// gets a fresh database with every migration applied (the ledger's accounts belong to a practice since
// migration 0015), on the same server, so table sizes match.
//
// Usage: node --import tsx bench/ledger-post.ts [--lines N] [--row-sample N] [--rounds R] [--only a,b]
//   default N = 1,000,000 (BENCH_LEDGER_LINES overrides it; CI smoke size: --lines 20000 --row-sample 2000).
//   Rounds alternate psql and the API first; the summary takes each method's best round.
//   --only: copy, api, multi, row, row-untriggered (the last is a reference: same rows, triggers off).
//   The server is DATABASE_URL, or the embedded one (started for the run). psql must be on PATH.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { openDatabase, withDatabaseName } from '../src/runtime/database.ts';
import { migrate } from '../src/runtime/migrations.ts';
import { postBatch } from '../src/ledger/post.ts';
import { prepareBatch } from '../src/ledger/prepare.ts';
import { entryCopyChunks, lineCopyChunks, ENTRY_COPY_COLUMNS, LINE_COPY_COLUMNS } from '../src/ledger/copy-format.ts';
import type { Entry, PostingBatch } from '../src/ledger/types.ts';

const OUT = fileURLToPath(new URL('./out/', import.meta.url));
const LINES_PER_ENTRY = 4;

const { values: args } = parseArgs({
  options: { lines: { type: 'string' }, 'row-sample': { type: 'string' }, rounds: { type: 'string' }, only: { type: 'string' } },
});
// Read here and not through runtime/config.ts: a benchmark knob, not application configuration.
const envLines = process.env['BENCH_LEDGER_LINES'];
const LINES = Number(args.lines ?? envLines ?? 1_000_000);
const ROW_SAMPLE = Math.min(LINES, Number(args['row-sample'] ?? 20_000));
const ROUNDS = Number(args.rounds ?? 1);
/** Comma-separated subset of methods: copy, api, multi, row, row-untriggered. */
const ONLY = args.only?.split(',');
if (!Number.isInteger(LINES) || LINES < LINES_PER_ENTRY || LINES % LINES_PER_ENTRY !== 0) {
  throw new Error(`--lines must be a multiple of ${LINES_PER_ENTRY}`);
}

/** A remittance-shaped batch: per entry, payer clearing, CO adjustment, PR to a patient, receivable. */
function makeBatch(key: string, lines: number): PostingBatch {
  const entries: Entry[] = [];
  const sha = 'b3'.repeat(32);
  for (let i = 0; i < lines / LINES_PER_ENTRY; i++) {
    const claimId = `PCN${i}`;
    const payerId = `PAYER${i % 7}`;
    entries.push({
      key: `${key}:${i}`, reason: 'remit.payment', effectiveDate: '2025-04-01',
      source: { fileSha256: sha, fileName: 'synthetic.835', interchange: '000000905', group: '1', set: String(1 + (i >> 10)).padStart(4, '0'), segmentIndex: i * 9 },
      lines: [
        { account: { kind: 'payer_clearing', payerId }, amountCents: 9000n + BigInt(i % 100), claimId, serviceLineId: `${claimId}-1` },
        { account: { kind: 'contractual_adjustment' }, amountCents: 4000n, reason: 'CO-45', claimId, serviceLineId: `${claimId}-1` },
        { account: { kind: 'patient_receivable', patientId: `G-${i % 5000}` }, amountCents: 2000n, reason: 'PR-1', claimId, serviceLineId: `${claimId}-1` },
        { account: { kind: 'insurance_receivable', payerId }, amountCents: -15000n - BigInt(i % 100), claimId },
      ],
    });
  }
  // Named like the 835 posting names its batch, so the API does not look the practice up.
  return { key, entries, practiceId: 'default' };
}

interface Result { method: string; lines: number; seconds: number; linesPerSecond: number }

function result(method: string, lines: number, ms: number): Result {
  const r = { method, lines, seconds: ms / 1000, linesPerSecond: Math.round(lines / (ms / 1000)) };
  process.stderr.write(`  ${method.padEnd(28)} ${String(lines).padStart(9)} lines  ${(ms / 1000).toFixed(2).padStart(7)} s  ${String(r.linesPerSecond).padStart(9)} lines/s\n`);
  return r;
}

async function freshDatabase(adminUrl: string, name: string): Promise<string> {
  const admin = new pg.Client({ connectionString: withDatabaseName(adminUrl, 'postgres') });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${admin.escapeIdentifier(name)}`);
    await admin.query(`CREATE DATABASE ${admin.escapeIdentifier(name)} TEMPLATE template0`);
  } finally {
    await admin.end();
  }
  const url = withDatabaseName(adminUrl, name);
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  try {
    await migrate(pool);
  } finally {
    await pool.end();
  }
  return url;
}

async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  const admin = new pg.Client({ connectionString: withDatabaseName(adminUrl, 'postgres') });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${admin.escapeIdentifier(name)} WITH (FORCE)`);
  await admin.end();
}

async function checkpoint(c: pg.ClientBase | pg.Pool): Promise<void> {
  await c.query('CHECKPOINT').catch(() => undefined); // needs superuser or pg_checkpoint; best effort
}

/** Pre-create the accounts the baselines reference and return their ids, numbered as prepareBatch numbers them. */
async function seedAccounts(c: pg.ClientBase, batch: PostingBatch): Promise<{ ids: string[]; prepared: ReturnType<typeof prepareBatch> }> {
  const prepared = prepareBatch(batch, () => {});
  const ids: string[] = [];
  for (const a of prepared.accounts) {
    const r = await c.query<{ id: string }>("INSERT INTO accounts (practice_id, kind, payer_id, patient_id) VALUES ('default', $1, $2, $3) RETURNING id::text AS id",
      [a.kind, a.payerId ?? null, a.patientId ?? null]);
    ids.push(r.rows[0]!.id);
  }
  return { ids, prepared };
}

async function verify(url: string, lines: number): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  const r = await c.query<{ n: string; total: string; open: string }>(
    'SELECT count(*)::text AS n, coalesce(sum(amount_cents), 0)::text AS total, (SELECT count(*) FROM ledger_open_batches)::text AS open FROM entry_lines');
  await c.end();
  const row = r.rows[0]!;
  if (Number(row.n) !== lines || row.total !== '0' || row.open !== '0') throw new Error(`verification failed: ${JSON.stringify(row)}`);
}

async function viaPostingApi(url: string, batch: PostingBatch, lines: number): Promise<Result[]> {
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  await checkpoint(pool);
  let t = performance.now();
  const outcome = await postBatch(pool, batch);
  const posted = result('posting API (postBatch)', lines, performance.now() - t);
  if (outcome !== 'posted') throw new Error(`expected posted, got ${outcome}`);
  t = performance.now();
  const again = await postBatch(pool, batch);
  const duplicate = result('  same batch again (dup.)', lines, performance.now() - t);
  if (again !== 'duplicate') throw new Error(`expected duplicate, got ${again}`);
  await pool.end();
  await verify(url, lines);
  return [posted, duplicate];
}

async function viaRowInserts(url: string, batch: PostingBatch, lines: number, triggers = true): Promise<Result | undefined> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  const { ids, prepared } = await seedAccounts(c, batch);
  await checkpoint(c);
  if (!triggers) {
    // Reference only: what the same statements cost without the ledger's checks (needs superuser).
    try {
      await c.query("SET session_replication_role = 'replica'");
    } catch {
      await c.end();
      return undefined;
    }
  }
  const t = performance.now();
  await c.query('BEGIN');
  const batchId = (await c.query<{ id: string }>(
    "INSERT INTO posting_batches (key, content_sha256, entry_count, line_count) VALUES ($1, repeat('0', 64), $2, $3) RETURNING id::text AS id",
    [batch.key, batch.entries.length, lines])).rows[0]!.id;
  let at = 0;
  for (let ordinal = 0; ordinal < batch.entries.length; ordinal++) {
    const e = batch.entries[ordinal]!;
    const s = e.source;
    await c.query({ name: 'entry', text: `INSERT INTO entries (${ENTRY_COPY_COLUMNS.join(', ')}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
      values: [batchId, ordinal, e.lines.length, e.effectiveDate, s?.segmentIndex ?? null, e.key, e.reason, e.memo ?? null, s?.fileSha256 ?? null, s?.fileName ?? null, s?.interchange ?? null, s?.group ?? null, s?.set ?? null] });
    for (let lineNo = 0; lineNo < e.lines.length; lineNo++) {
      const l = e.lines[lineNo]!;
      await c.query({ name: 'line', text: `INSERT INTO entry_lines (${LINE_COPY_COLUMNS.join(', ')}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        values: [batchId, ids[prepared.lineAccount[at++]!], l.amountCents.toString(), ordinal, lineNo, l.reason ?? null, l.claimId ?? null, l.serviceLineId ?? null] });
    }
  }
  await c.query('COMMIT');
  const r = result(triggers ? 'one INSERT per row' : '  same, ledger triggers off', lines, performance.now() - t);
  await c.end();
  if (triggers) await verify(url, lines);
  return r;
}

function placeholders(rows: number, columns: number): string {
  const out: string[] = [];
  for (let r = 0; r < rows; r++) out.push(`(${Array.from({ length: columns }, (_, c) => `$${r * columns + c + 1}`).join(', ')})`);
  return out.join(', ');
}

async function viaMultiRowInserts(url: string, batch: PostingBatch, lines: number): Promise<Result> {
  const ROWS = 1000;
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  const { ids, prepared } = await seedAccounts(c, batch);
  await checkpoint(c);
  const t = performance.now();
  await c.query('BEGIN');
  const batchId = (await c.query<{ id: string }>(
    "INSERT INTO posting_batches (key, content_sha256, entry_count, line_count) VALUES ($1, repeat('0', 64), $2, $3) RETURNING id::text AS id",
    [batch.key, batch.entries.length, lines])).rows[0]!.id;
  const flush = async (table: 'entries' | 'entry_lines', columns: readonly string[], values: unknown[]): Promise<void> => {
    const rows = values.length / columns.length;
    await c.query({ ...(rows === ROWS && { name: `multi-${table}` }), text: `INSERT INTO ${table} (${columns.join(', ')}) VALUES ${placeholders(rows, columns.length)}`, values });
  };
  let values: unknown[] = [];
  for (let ordinal = 0; ordinal < batch.entries.length; ordinal++) {
    const e = batch.entries[ordinal]!;
    const s = e.source;
    values.push(batchId, ordinal, e.lines.length, e.effectiveDate, s?.segmentIndex ?? null, e.key, e.reason, e.memo ?? null, s?.fileSha256 ?? null, s?.fileName ?? null, s?.interchange ?? null, s?.group ?? null, s?.set ?? null);
    if (values.length === ROWS * ENTRY_COPY_COLUMNS.length) {
      await flush('entries', ENTRY_COPY_COLUMNS, values);
      values = [];
    }
  }
  if (values.length) await flush('entries', ENTRY_COPY_COLUMNS, values);
  values = [];
  let at = 0;
  // 1,000 lines per statement = 250 whole entries: each statement is checked on the fast path.
  for (let ordinal = 0; ordinal < batch.entries.length; ordinal++) {
    const e = batch.entries[ordinal]!;
    for (let lineNo = 0; lineNo < e.lines.length; lineNo++) {
      const l = e.lines[lineNo]!;
      values.push(batchId, ids[prepared.lineAccount[at++]!], l.amountCents.toString(), ordinal, lineNo, l.reason ?? null, l.claimId ?? null, l.serviceLineId ?? null);
    }
    if (values.length === ROWS * LINE_COPY_COLUMNS.length) {
      await flush('entry_lines', LINE_COPY_COLUMNS, values);
      values = [];
    }
  }
  if (values.length) await flush('entry_lines', LINE_COPY_COLUMNS, values);
  await c.query('COMMIT');
  const r = result('1,000-row INSERTs', lines, performance.now() - t);
  await c.end();
  await verify(url, lines);
  return r;
}

async function viaPsqlCopy(url: string, batch: PostingBatch, lines: number): Promise<Result> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  const { ids, prepared } = await seedAccounts(c, batch);
  await checkpoint(c);
  await c.end();
  // A fresh database: the batch row this script inserts gets id 1, which the files already carry.
  mkdirSync(OUT, { recursive: true });
  const entriesFile = `${OUT}ledger-entries.tsv`;
  const linesFile = `${OUT}ledger-lines.tsv`;
  writeFileSync(entriesFile, [...entryCopyChunks('1', prepared)].join(''));
  writeFileSync(linesFile, [...lineCopyChunks('1', prepared, ids)].join(''));
  const script = [
    '\\set ON_ERROR_STOP on',
    'BEGIN;',
    `INSERT INTO posting_batches (key, content_sha256, entry_count, line_count) VALUES ('${batch.key}', repeat('0', 64), ${batch.entries.length}, ${lines});`,
    `\\copy entries (${ENTRY_COPY_COLUMNS.join(', ')}) FROM '${entriesFile}'`,
    `\\copy entry_lines (${LINE_COPY_COLUMNS.join(', ')}) FROM '${linesFile}'`,
    'COMMIT;',
  ].join('\n');
  const t = performance.now();
  const run = spawnSync('psql', ['-X', '-q', '-d', url], { input: script, encoding: 'utf8' });
  const ms = performance.now() - t;
  if (run.status !== 0) throw new Error(`psql failed: ${run.stderr}`);
  const r = result('psql \\copy', lines, ms);
  await verify(url, lines);
  return r;
}

async function main(): Promise<void> {
  const db = await openDatabase({ poolMax: 1 });
  const adminUrl = db.connectionString;
  const name = (method: string): string => `ledger_bench_${method}_${process.pid}`;
  const results: Result[] = [];
  process.stderr.write(`ledger-post: ${LINES} lines (${LINES / LINES_PER_ENTRY} entries), one-INSERT-per-row sample ${ROW_SAMPLE}, ${ROUNDS} round(s)\n`);
  try {
    const batch = makeBatch('bench', LINES);
    const sample = makeBatch('bench', ROW_SAMPLE);
    for (let round = 0; round < ROUNDS; round++) {
      const methods = [
        ['copy', (url: string) => viaPsqlCopy(url, batch, LINES)],
        ['api', (url: string) => viaPostingApi(url, batch, LINES)],
        ['multi', (url: string) => viaMultiRowInserts(url, batch, LINES)],
        ['row', (url: string) => viaRowInserts(url, sample, ROW_SAMPLE)],
        ['row-untriggered', (url: string) => viaRowInserts(url, sample, ROW_SAMPLE, false)],
      ] as const;
      // Odd rounds run the API before psql, so drift in the machine's load does not favour one of them.
      const order = round % 2 === 0 ? methods : [methods[1], methods[0], ...methods.slice(2)];
      for (const [method, run] of order) {
        if (ONLY && !ONLY.includes(method)) continue;
        const url = await freshDatabase(adminUrl, name(method));
        try {
          const r = await run(url);
          if (r !== undefined) results.push(...(Array.isArray(r) ? r : [r]));
        } finally {
          await dropDatabase(adminUrl, name(method));
        }
      }
    }
  } finally {
    await db.close();
  }
  const best = (method: string): number => Math.max(0, ...results.filter((r) => r.method === method).map((r) => r.linesPerSecond));
  const api = best('posting API (postBatch)');
  const summary = {
    lines: LINES,
    rowSample: ROW_SAMPLE,
    rounds: ROUNDS,
    bestLinesPerSecond: {
      postingApi: api, psqlCopy: best('psql \\copy'), multiRowInsert: best('1,000-row INSERTs'), rowInsert: best('one INSERT per row'),
      rowInsertWithoutLedgerTriggers: best('  same, ledger triggers off'),
    },
    ratios: {
      apiOverRowInsert: +(api / best('one INSERT per row')).toFixed(1),
      apiOverRowInsertWithoutLedgerTriggers: +(api / best('  same, ledger triggers off')).toFixed(1),
      apiOverMultiRowInsert: +(api / best('1,000-row INSERTs')).toFixed(2),
      apiOverPsqlCopy: +(api / best('psql \\copy')).toFixed(2),
    },
    results,
  };
  mkdirSync(OUT, { recursive: true });
  writeFileSync(`${OUT}ledger-post.json`, JSON.stringify(summary, null, 2) + '\n');
  process.stdout.write(JSON.stringify({ bestLinesPerSecond: summary.bestLinesPerSecond, ratios: summary.ratios }, null, 2) + '\n');
}

await main();
