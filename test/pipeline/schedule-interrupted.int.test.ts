// The demo's schedule (pipelines/demo.json, six business dates) stopped inside each of its dates, by
// SIGKILL in one chain of reruns and by Ctrl-C (SIGINT) in another, each attempt then rerun: both chains
// must end with the same files, the same ledger and the same run records as one uninterrupted run, apart
// from the interrupted attempts' own run rows. Each attempt is a real `claims run` held at a named point
// (CLAIMS_FAILPOINT): NAME#N is the Nth time the process passes it, so an attempt that first finishes the
// date its predecessor left unfinished (six stages) stops in the next date at a chosen stage; NAME:stop holds
// the process with SIGSTOP until the test has sent SIGINT and SIGCONT. Embedded pass only.
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { balances } from '../../src/ledger/queries.ts';
import { collect, spawnCli, type CliResult } from '../support/cli.ts';
import { useTestDatabase, type TestDatabase } from '../support/db.ts';
import { sleep, stopped } from '../support/processes.ts';

const CHILD_TIMEOUT_MS = 150_000;
const DATES = ['2024-03-31', '2024-04-30', '2024-05-31', '2024-06-30', '2024-07-31', '2024-08-15'];
// The stages of demo.json, in order: a failpoint count of 6 + k is the k-th stage of the second date run.
const STAGES_PER_DATE = 6;
const at = (k: number): string => `run.stage-start#${STAGES_PER_DATE + k}`;

/** Where each chain stops its attempt inside each date, in date order. */
const KILLS = [
  'remit.after_commit#2', // 03-31: the second remittance committed, its file not yet archived
  at(4), //                  04-30: before the statements
  at(5), //                  05-31: before the referrals
  at(4), //                  06-30: before the final notices
  at(5), //                  07-31: before the placement
  'run.pickup.after-copy#1', // 08-15: the dated drop's first file copied into the inbox, not yet recorded
];
const INTERRUPTS = [
  'remit.after_commit#1', // 03-31: inside the ingest stage
  at(1), //                  04-30: before the submit stage
  at(4), //                  05-31: before the statements
  at(5), //                  06-30: before the referrals
  at(4), //                  07-31: before the statements
  'run.pickup.after-copy#1', // 08-15: while the dated drop is copied in (the case that replayed March over August)
];

interface Chain {
  db: TestDatabase;
  home: string;
  attempts: CliResult[];
}

const said = (r: CliResult): string => `exit ${r.code} signal ${r.signal}\nstdout: ${r.stdout.slice(-2000)}\nstderr: ${r.stderr.slice(-4000)}`;

const envOf = (c: Pick<Chain, 'db' | 'home'>, failpoint?: string): Record<string, string | undefined> => ({
  DATABASE_URL: c.db.url, CLAIMS_HOME: c.home, CLAIMS_LOG_FORMAT: 'json', CLAIMS_LOG_LEVEL: 'warn', CLAIMS_NOW: undefined,
  CLAIMS_FAILPOINT: failpoint,
});
const RUN = ['run', 'pipelines/demo.json', '--as-of', '2024-12-31', '--json'];

async function attempt(c: Chain, failpoint: string | undefined, how: 'kill' | 'sigint' | 'none'): Promise<CliResult> {
  const spec = how === 'sigint' ? `${failpoint}:stop` : failpoint;
  const child = spawnCli(RUN, { env: envOf(c, spec), input: '' });
  const done = collect(child, CHILD_TIMEOUT_MS);
  if (how === 'sigint') {
    const end = Date.now() + CHILD_TIMEOUT_MS;
    while (!stopped(child.pid!)) {
      if (Date.now() > end || child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`the run never reached ${failpoint}\n${said(await done)}`);
      }
      await sleep(20);
    }
    child.kill('SIGINT');
    child.kill('SIGCONT');
  }
  const r = await done;
  c.attempts.push(r);
  return r;
}

/** Every file under the demo's folders with its content's sha256; a quarantine report without its run id. */
async function snapshotFiles(dir: string, base = dir, into = new Map<string, string>()): Promise<Map<string, string>> {
  for (const e of await fs.readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      await snapshotFiles(p, base, into);
      continue;
    }
    let content: string | Buffer = await fs.readFile(p);
    if (e.name.endsWith('.error.json')) {
      const report = JSON.parse(content.toString('utf8')) as Record<string, unknown>;
      delete report.runId;
      content = JSON.stringify(report);
    }
    into.set(path.relative(base, p), createHash('sha256').update(content).digest('hex'));
  }
  return into;
}

async function ledgerOf(db: TestDatabase): Promise<unknown> {
  const accounts = (await balances(db)).accounts.map((a) => [a.kind, a.payerId, a.patientId, a.balanceCents.toString()]);
  const { rows } = await db.pool.query<{ entries: string; lines: string }>(
    'SELECT (SELECT count(*) FROM entries)::text AS entries, (SELECT count(*) FROM entry_lines)::text AS lines',
  );
  return { accounts, ...rows[0] };
}

/** The finished run rows (date and outcome kind); the interrupted attempts' rows are left out. */
async function finishedRuns(db: TestDatabase): Promise<string[]> {
  const { rows } = await db.pool.query<{ as_of: string; status: string }>(
    "SELECT as_of::text, status FROM runs WHERE pipeline_name = 'demo' ORDER BY id",
  );
  return rows.filter((r) => r.status === 'done' || r.status === 'rejected').map((r) => r.as_of);
}

/**
 * Every input each stage took or quarantined, over all runs. Taken is done or duplicate: an input whose data
 * was committed by an attempt killed before it could record it is found a duplicate by the rerun.
 */
async function settledInputs(db: TestDatabase): Promise<string[]> {
  const { rows } = await db.pool.query<{ line: string }>(`
    SELECT DISTINCT s.stage_name || ' ' || i.input || ' ' || CASE i.status WHEN 'quarantined' THEN 'quarantined' ELSE 'taken' END AS line
    FROM run_inputs i JOIN run_stages s USING (run_id, stage_index) JOIN runs r ON r.id = i.run_id
    WHERE r.pipeline_name = 'demo' AND i.status IN ('done', 'duplicate', 'quarantined') ORDER BY 1`);
  return rows.map((r) => r.line);
}

const chains: Chain[] = [];
async function newChain(): Promise<Chain> {
  const home = await fs.mkdtemp(path.join(os.tmpdir(), 'claims-sched-int-'));
  await fs.chmod(home, 0o755);
  const c = { db: await useTestDatabase(), home, attempts: [] };
  chains.push(c);
  return c;
}

let baseline: Chain;
const state = new Map<Chain, { files: Map<string, string>; ledger: unknown; runs: string[]; inputs: string[] }>();
const capture = async (c: Chain): Promise<void> => {
  state.set(c, { files: await snapshotFiles(path.join(c.home, 'demo')), ledger: await ledgerOf(c.db), runs: await finishedRuns(c.db), inputs: await settledInputs(c.db) });
};

describe.skipIf(!!process.env.DATABASE_URL)('the demo schedule interrupted inside each date, then rerun', () => {
  beforeAll(async () => {
    baseline = await newChain();
    const r = await attempt(baseline, undefined, 'none');
    expect(r.code, said(r)).toBe(3);
    await capture(baseline);
  }, 300_000);

  afterAll(async () => {
    for (const c of chains) await fs.rm(c.home, { recursive: true, force: true });
  });

  it('the uninterrupted run is the reference: six dates finished, a ledger, files', () => {
    const ref = state.get(baseline)!;
    expect(ref.runs).toEqual(DATES);
    expect(ref.files.size).toBeGreaterThan(40);
  });

  for (const [how, points] of [['kill', KILLS], ['sigint', INTERRUPTS]] as const) {
    it(`${how === 'kill' ? 'SIGKILL' : 'SIGINT'} inside each date, each rerun resuming: the same files, ledger and run records`, async () => {
      const c = await newChain();
      for (const [i, point] of points.entries()) {
        const r = await attempt(c, point, how);
        if (how === 'kill') expect(r.signal, `attempt ${i + 1} (${DATES[i]}, ${point})\n${said(r)}`).toBe('SIGKILL');
        else expect(r.code, `attempt ${i + 1} (${DATES[i]}, ${point})\n${said(r)}`).toBe(1);
        // Every date before the one stopped in has finished exactly once.
        expect(await finishedRuns(c.db), `after attempt ${i + 1}`).toEqual(DATES.slice(0, i));
      }
      const last = await attempt(c, undefined, 'none');
      expect([0, 3], said(last)).toContain(last.code);
      expect(last.stderr).not.toMatch(/"level":50/);
      await capture(c);
      const ref = state.get(baseline)!;
      const got = state.get(c)!;
      expect(got.runs).toEqual(ref.runs);
      expect(got.inputs).toEqual(ref.inputs);
      expect(got.ledger).toEqual(ref.ledger);
      expect(Object.fromEntries(got.files)).toEqual(Object.fromEntries(ref.files));
      // The interrupted attempts left one run row each, marked as what happened to them.
      const { rows } = await c.db.pool.query<{ line: string }>("SELECT as_of::text || ' ' || status AS line FROM runs WHERE pipeline_name = 'demo' ORDER BY id");
      const word = how === 'kill' ? 'abandoned' : 'interrupted';
      expect(rows.map((x) => x.line).filter((l) => !/ (done|rejected)$/.test(l)), rows.map((x) => x.line).join('\n'))
        .toEqual(DATES.map((d) => `${d} ${word}`));
    }, 900_000);
  }
});
