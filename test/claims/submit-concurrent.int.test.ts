// Two writers of one outbox (decision 0045): a `claims submit` (or a pipeline's submit stage) is stopped
// with SIGSTOP at the moment its 837s are complete in OUT/.ready but not yet recorded sent
// (CLAIMS_FAILPOINT=claims.files.before-complete:stop), and a second one starts into the same outbox. Before
// the outbox lock, the second one's crash recovery deleted the first one's ready files: the first then
// recorded its claims sent and failed on the rename, and those claims never reached a payer. Now the second
// waits for the first (or, told not to wait, fails with OUTBOX_BUSY), and every claim is in exactly one 837
// in the outbox, recorded sent exactly when its file is there. The same export submitted into two outboxes
// at once goes out once: the submit that loses the race stops with CLAIMS_SENT_CONCURRENTLY, publishes
// nothing, and its rerun reports the claims already sent.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase, type TestDatabase } from '../support/db.ts';
import { collect, runCli, spawnCli, type CliResult } from '../support/cli.ts';
import { syntheticClaim } from './support/synthetic.ts';
import { stopped } from '../support/processes.ts';

const payers = fileURLToPath(new URL('../../samples/payers/', import.meta.url));
const PAUSE = 'claims.files.before-complete:stop';
const TIMEOUT_MS = 120_000;
/** Claims 0-11 and 100-111: twelve each, over the four sample payers (four 837s per export). */
const FIRST = Array.from({ length: 12 }, (_, i) => i);
const SECOND = Array.from({ length: 12 }, (_, i) => 100 + i);
const pcn = (i: number): string => `PCN${String(i).padStart(9, '0')}`;
const ALL_PCNS = [...FIRST, ...SECOND].map(pcn).sort();

let dir: string;
const live = new Set<ChildProcessWithoutNullStreams>();

const said = (r: CliResult): string => `exit ${r.code} signal ${r.signal}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`;

async function writeExport(file: string, claims: number[]): Promise<string> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, claims.map((i) => JSON.stringify(syntheticClaim(i))).join('\n') + '\n');
  return file;
}

function envFor(db: TestDatabase, failpoint?: string): Record<string, string | undefined> {
  return { DATABASE_URL: db.url, CLAIMS_FAILPOINT: failpoint, CLAIMS_LOG_LEVEL: 'warn', CLAIMS_LOG_FORMAT: 'json', CLAIMS_NOW: undefined, CLAIMS_HOME: path.join(dir, 'home') };
}

function submitArgs(file: string, out: string, ...more: string[]): string[] {
  return ['submit', file, '--payers', payers, '--out', out, '--as-of', '2024-09-01', '--no-eligibility', '--json', ...more];
}

function start(args: string[], env: Record<string, string | undefined>): { child: ChildProcessWithoutNullStreams; done: Promise<CliResult>; stderr: () => string } {
  const child = spawnCli(args, { env, input: '' });
  live.add(child);
  let err = '';
  child.stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
  const done = collect(child, TIMEOUT_MS).finally(() => live.delete(child));
  return { child, done, stderr: () => err };
}

/** Wait until `test` holds; with `orEnded`, also stop waiting when that process ends (it did not wait). */
async function until(what: string, test: () => boolean, ended?: Promise<unknown>, orEnded = false): Promise<void> {
  let over = false;
  void ended?.then(() => (over = true));
  const deadline = Date.now() + TIMEOUT_MS;
  while (!test()) {
    if (over && orEnded) return;
    if (over) throw new Error(`the process ended before ${what}`);
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}


/** Every CLM01 in the 837s of the outbox, once per appearance. */
async function claimsInOutbox(out: string): Promise<string[]> {
  const found: string[] = [];
  for (const name of (await readdir(out)).filter((n) => n.startsWith('837-') && n.endsWith('.x12'))) {
    const text = await readFile(path.join(out, name), 'latin1');
    for (const m of text.matchAll(/(?:^|~)\s*CLM\*([^*]+)\*/g)) found.push(m[1]!);
  }
  return found.sort();
}

/** Files the database records sent that are not in the outbox (claims marked sent that no payer gets). */
async function sentButMissing(db: TestDatabase, out: string): Promise<string[]> {
  const { rows } = await db.pool.query<{ file_name: string }>("SELECT file_name FROM outbound_files WHERE state = 'sent' ORDER BY file_name");
  return rows.map((r) => r.file_name).filter((f) => !existsSync(path.join(out, f)));
}

async function statuses(db: TestDatabase): Promise<Record<string, number>> {
  const { rows } = await db.pool.query<{ status: string; n: number }>('SELECT status, count(*)::int AS n FROM claims GROUP BY status');
  return Object.fromEntries(rows.map((r) => [r.status, r.n]));
}

const waiting = (stderr: string): boolean => stderr.includes('folder in use by another process');

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'claims-two-writers-'));
});

afterAll(async () => {
  for (const child of live) {
    child.kill('SIGKILL');
    child.kill('SIGCONT');
  }
  await rm(dir, { recursive: true, force: true });
});

describe.skipIf(!!process.env.DATABASE_URL)('two writers of one outbox', () => {
  it('a second submit waits for the first, held between its ready files and recording them sent; every claim is sent once', async () => {
    const db = await useTestDatabase();
    const out = path.join(dir, 'wait', 'outbox');
    const first = start(submitArgs(await writeExport(path.join(dir, 'wait', 'first.ndjson'), FIRST), out), envFor(db, PAUSE));
    await until('the first submit stops at the failpoint', () => stopped(first.child.pid), first.done);
    expect((await readdir(path.join(out, '.ready'))).length).toBe(4);

    const second = start(submitArgs(await writeExport(path.join(dir, 'wait', 'second.ndjson'), SECOND), out, '--outbox-wait', '100'), envFor(db));
    // Before the lock, the second ran to its end here (deleting the first one's ready files on its way).
    await until('the second submit waits for the outbox', () => waiting(second.stderr()), second.done, true);
    first.child.kill('SIGCONT');

    const a = await first.done;
    const b = await second.done;
    expect(await claimsInOutbox(out)).toEqual(ALL_PCNS);
    expect(await sentButMissing(db, out)).toEqual([]);
    expect(a.code, said(a)).toBe(0);
    expect(b.code, said(b)).toBe(0);
    expect(waiting(b.stderr)).toBe(true);
    expect(JSON.parse(a.stdout)).toMatchObject({ sent: 12, duplicates: 0 });
    expect(JSON.parse(b.stdout)).toMatchObject({ sent: 12, duplicates: 0 });
    expect(await statuses(db)).toEqual({ submitted: 24 });
    expect(existsSync(path.join(out, '.ready'))).toBe(false);
  }, 3 * TIMEOUT_MS);

  it('told not to wait, the second fails with OUTBOX_BUSY and touches nothing; its rerun sends its claims', async () => {
    const db = await useTestDatabase();
    const out = path.join(dir, 'busy', 'outbox');
    const first = start(submitArgs(await writeExport(path.join(dir, 'busy', 'first.ndjson'), FIRST), out), envFor(db, PAUSE));
    await until('the first submit stops at the failpoint', () => stopped(first.child.pid), first.done);

    const secondExport = await writeExport(path.join(dir, 'busy', 'second.ndjson'), SECOND);
    const busy = await runCli(submitArgs(secondExport, out, '--outbox-wait', '0'), { env: envFor(db), timeoutMs: TIMEOUT_MS });
    expect(busy.code, said(busy)).toBe(1);
    expect(busy.stderr).toContain('OUTBOX_BUSY');
    expect((await readdir(path.join(out, '.ready'))).length).toBe(4);

    first.child.kill('SIGCONT');
    const a = await first.done;
    expect(a.code, said(a)).toBe(0);
    const rerun = await runCli(submitArgs(secondExport, out, '--outbox-wait', '0'), { env: envFor(db), timeoutMs: TIMEOUT_MS });
    expect(rerun.code, said(rerun)).toBe(0);
    expect(JSON.parse(rerun.stdout)).toMatchObject({ sent: 12, duplicates: 0 });
    expect(await claimsInOutbox(out)).toEqual(ALL_PCNS);
    expect(await sentButMissing(db, out)).toEqual([]);
    expect(await statuses(db)).toEqual({ submitted: 24 });
  }, 3 * TIMEOUT_MS);

  it('two pipelines sharing one outbox, each running submit: every claim of both inboxes is sent once', async () => {
    const db = await useTestDatabase();
    const root = path.join(dir, 'pipelines');
    const pipeline = async (name: string, claims: number[]): Promise<string> => {
      await writeExport(path.join(root, name, 'inbox', `${name}.ndjson`), claims);
      const file = path.join(root, `${name}.json`);
      await writeFile(file, JSON.stringify({
        name,
        folders: { inbox: `${name}/inbox`, outbox: 'shared-outbox', archive: `${name}/archive`, quarantine: `${name}/quarantine` },
        stages: [{ name: 'submit', settings: { payers, eligibility: false } }],
      }));
      return file;
    };
    const out = path.join(root, 'shared-outbox');
    const p1 = await pipeline('first', FIRST);
    const p2 = await pipeline('second', SECOND);
    const first = start(['run', p1, '--as-of', '2024-09-01', '--json'], envFor(db, PAUSE));
    await until('the first pipeline stops at the failpoint', () => stopped(first.child.pid), first.done);
    const second = start(['run', p2, '--as-of', '2024-09-01', '--json'], envFor(db));
    await until("the second pipeline's submit waits for the outbox", () => waiting(second.stderr()), second.done, true);
    first.child.kill('SIGCONT');

    const a = await first.done;
    const b = await second.done;
    expect(await claimsInOutbox(out)).toEqual(ALL_PCNS);
    expect(await sentButMissing(db, out)).toEqual([]);
    expect(a.code, said(a)).toBe(0);
    expect(b.code, said(b)).toBe(0);
    expect(await statuses(db)).toEqual({ submitted: 24 });
    // Both exports were settled and archived, none left to retry.
    expect(await readdir(path.join(root, 'first', 'inbox'))).toEqual([]);
    expect(await readdir(path.join(root, 'second', 'inbox'))).toEqual([]);
  }, 3 * TIMEOUT_MS);

  it('the same export into two outboxes at once: the claims go out once; the other submit stops cleanly and its rerun finds them sent', async () => {
    const db = await useTestDatabase();
    const exportFile = await writeExport(path.join(dir, 'two-outboxes', 'export.ndjson'), FIRST);
    const outA = path.join(dir, 'two-outboxes', 'a');
    const outB = path.join(dir, 'two-outboxes', 'b');
    // The first is held inside its batch transaction, its claims inserted but not committed.
    const first = start(submitArgs(exportFile, outA), envFor(db, 'ledger.post.after-claim:stop'));
    await until('the first submit stops inside its batch', () => stopped(first.child.pid), first.done);
    const second = start(submitArgs(exportFile, outB), envFor(db));
    // The second reaches the first's uncommitted claims and waits on their row locks.
    const lockWaits = async (): Promise<number> => (await db.pool.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'")).rows[0]!.n;
    const deadline = Date.now() + TIMEOUT_MS;
    while ((await lockWaits()) === 0) {
      if (Date.now() > deadline) throw new Error('the second submit never waited on the first one\'s claims');
      await new Promise((r) => setTimeout(r, 50));
    }
    first.child.kill('SIGCONT');
    const a = await first.done;
    const b = await second.done;
    expect(a.code, said(a)).toBe(0);
    expect(JSON.parse(a.stdout)).toMatchObject({ sent: 12, duplicates: 0 });
    // Before: the second died on the database's unique key (INTERNAL, a stack in the log).
    expect(b.code, said(b)).toBe(1);
    expect(b.stderr, said(b)).toMatch(/^claims submit: CLAIMS_SENT_CONCURRENTLY: another submit recorded claim PCN\d+ as sent/m);
    expect(b.stderr + b.stdout, said(b)).not.toMatch(/^\s+at .*:\d+:\d+\)?$/m);
    expect(b.stderr, said(b)).not.toContain('"level":50');
    const rerun = await runCli(submitArgs(exportFile, outB), { env: envFor(db), timeoutMs: TIMEOUT_MS });
    expect(rerun.code, said(rerun)).toBe(0);
    expect(JSON.parse(rerun.stdout)).toMatchObject({ sent: 0, duplicates: 12, files: [] });
    expect(await claimsInOutbox(outA)).toEqual(FIRST.map(pcn).sort());
    expect(existsSync(outB) ? await claimsInOutbox(outB) : []).toEqual([]);
    expect(await sentButMissing(db, outA)).toEqual([]);
    expect(await statuses(db)).toEqual({ submitted: 12 });
  }, 3 * TIMEOUT_MS);
});

