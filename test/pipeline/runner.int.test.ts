// The runner against a real Postgres, with stages written here for the purpose: each "posts" an input
// file's lines into a table of this test database, in a transaction, then reports the outcome.
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { withTransaction } from '../../src/runtime/database.ts';
import { fixedClock } from '../../src/common/clock.ts';
import { createLogger } from '../../src/runtime/logger.ts';
import { loadPipeline, type LoadedPipeline } from '../../src/pipeline/pipeline-load.ts';
import { exitCodeOf } from '../../src/pipeline/run-record.ts';
import { createPgRunStore } from '../../src/pipeline/run-store-pg.ts';
import { runPipeline } from '../../src/pipeline/runner.ts';
import { defineStage, type Stage } from '../../src/pipeline/stage.ts';
import { useTestDatabase, type TestDatabase } from '../support/db.ts';

let db: TestDatabase;
let root: string;
const log = createLogger({ level: 'silent', pretty: false });

const sha = (text: string): string => createHash('sha256').update(text).digest('hex');

/** Observations made by the test stage at the moment of commit, to prove the order of events. */
let seenAtCommit: { input: string; inInbox: boolean; rowsVisibleElsewhere: number }[] = [];

/** Posts each `*.txt` in the inbox: "bad" is quarantined, "boom" makes the stage throw. */
const postLines = defineStage({
  name: 'post-lines',
  summary: 'test stage',
  settings: z.strictObject({ abortAfter: z.number().int().optional() }),
  async *run(ctx) {
    let n = 0;
    for (const file of await ctx.inboxFiles(['*.txt'])) {
      const input = path.basename(file);
      const text = await fs.readFile(file, 'utf8');
      if (text.startsWith('boom')) throw new Error(`cannot read ${input}`);
      if (text.startsWith('bad')) {
        yield {
          input, file, status: 'quarantined',
          reasons: [{ code: 'TEST_BAD_LINE', message: 'line 1 says bad', location: { file: input, line: 1 } }],
        };
        continue;
      }
      const inserted = await withTransaction(ctx.db.pool, async (client) => {
        const r = await client.query('INSERT INTO test_posted (sha256, body) VALUES ($1, $2) ON CONFLICT DO NOTHING', [sha(text), text]);
        return r.rowCount ?? 0;
      });
      const elsewhere = await ctx.db.pool.query('SELECT count(*)::int AS n FROM test_posted WHERE sha256 = $1', [sha(text)]);
      seenAtCommit.push({ input, inInbox: await fs.access(file).then(() => true, () => false), rowsVisibleElsewhere: elsewhere.rows[0].n });
      // Ctrl-C arriving while this input is in hand: the runner must still settle it, then stop.
      if (ctx.settings.abortAfter === ++n) abort?.abort();
      yield { input, file, status: inserted === 1 ? 'done' : 'duplicate', counts: { lines: text.split('\n').length } };
    }
  },
});

/** Records that it ran: proves whether later stages were started. */
const stamp = defineStage({
  name: 'stamp',
  summary: 'test stage',
  settings: z.strictObject({}),
  async *run(ctx) {
    // Cents as bigint, as business stages count them: the run record must keep them exactly.
    yield { input: 'stamp', status: 'done', counts: { chargeCents: 12500n }, detail: { asOf: ctx.clock.today(), payers: ctx.resolvePath('../payers'), totalCents: 9007199254740991n } };
  },
});

const STAGES = [postLines, stamp] as Stage[];
let abort: AbortController | undefined;

// Pickups are remembered per pipeline name, across runs: each test gets a pipeline of its own.
let pipelineName = 'test-nightly';
async function writePipeline(stages: unknown[], extra: Record<string, unknown> = {}): Promise<LoadedPipeline> {
  const file = path.join(root, 'pipelines', 'test.json');
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, JSON.stringify({
    name: pipelineName,
    folders: { inbox: '../work/inbox', outbox: '../work/outbox', archive: '../work/archive', quarantine: '../work/quarantine', pickup: ['../drop'] },
    stages,
    ...extra,
  }));
  return loadPipeline(file, STAGES);
}

async function run(pipeline: LoadedPipeline, asOf = '2024-03-01') {
  abort = new AbortController();
  return runPipeline({
    pipeline, stages: STAGES, store: createPgRunStore(db.pool), db, clock: fixedClock(asOf), logger: log, signal: abort.signal,
  });
}

const ls = async (dir: string): Promise<string[]> => (await fs.readdir(dir).catch(() => [] as string[])).sort();

beforeAll(async () => {
  db = await useTestDatabase();
  await db.pool.query('CREATE TABLE test_posted (sha256 text PRIMARY KEY, body text NOT NULL)');
});
let testNo = 0;
beforeEach(async () => {
  pipelineName = `test-nightly-${++testNo}`;
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'claims-runner-'));
  await fs.mkdir(path.join(root, 'drop'));
  seenAtCommit = [];
  await db.pool.query('TRUNCATE test_posted');
});
afterAll(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

describe('runPipeline', () => {
  it('archives after commit, quarantines with a report, records the run, and a rerun changes nothing', async () => {
    await fs.writeFile(path.join(root, 'drop', 'a.txt'), 'alpha\nbeta');
    await fs.writeFile(path.join(root, 'drop', 'b.txt'), 'bad line');
    await fs.writeFile(path.join(root, 'drop', 'c.txt'), 'gamma');
    await fs.writeFile(path.join(root, 'drop', 'notes.md'), 'not for any stage');
    const pipeline = await writePipeline([{ name: 'post-lines' }, { name: 'stamp' }]);

    const first = await run(pipeline);
    expect(first.status).toBe('rejected');
    expect(exitCodeOf(first.status)).toBe(3);
    expect(first.pickup).toEqual({ copied: ['a.txt', 'b.txt', 'c.txt', 'notes.md'], alreadyPickedUp: 0 });
    // At commit the file was still in the inbox, and the row was visible to another connection.
    expect(seenAtCommit).toEqual([
      { input: 'a.txt', inInbox: true, rowsVisibleElsewhere: 1 },
      { input: 'c.txt', inInbox: true, rowsVisibleElsewhere: 1 },
    ]);
    const work = path.join(root, 'work');
    expect(await ls(path.join(work, 'inbox'))).toEqual(['notes.md']);
    expect(await ls(path.join(work, 'archive', '2024-03-01'))).toEqual(['a.txt', 'a.txt.sha256', 'c.txt', 'c.txt.sha256']);
    expect(await ls(path.join(work, 'quarantine'))).toEqual(['b.txt', 'b.txt.error.json']);
    const report = JSON.parse(await fs.readFile(path.join(work, 'quarantine', 'b.txt.error.json'), 'utf8'));
    expect(report).toEqual({
      file: 'b.txt', sha256: sha('bad line'), pipeline: 'test-nightly-1', runId: first.runId, stage: 'post-lines', asOf: '2024-03-01',
      errors: [{ code: 'TEST_BAD_LINE', message: 'line 1 says bad', location: { file: 'b.txt', line: 1 } }],
    });
    // The samples-like drop folder is untouched.
    expect(await ls(path.join(root, 'drop'))).toEqual(['a.txt', 'b.txt', 'c.txt', 'notes.md']);
    expect(first.leftInInbox).toEqual(['notes.md']);

    const runRow = await db.pool.query('SELECT pipeline_name, as_of::text, status, totals, finished_at IS NOT NULL AS finished FROM runs WHERE id = $1', [first.runId]);
    expect(runRow.rows).toEqual([{
      pipeline_name: 'test-nightly-1', as_of: '2024-03-01', status: 'rejected', finished: true,
      totals: { done: 3, duplicate: 0, quarantined: 1, failed: 0, skipped: 0, pickedUp: 4 },
    }]);
    const stageRows = await db.pool.query('SELECT stage_index, stage_name, status, outcomes, counts FROM run_stages WHERE run_id = $1 ORDER BY stage_index', [first.runId]);
    expect(stageRows.rows).toEqual([
      { stage_index: 0, stage_name: 'post-lines', status: 'rejected', outcomes: { done: 2, duplicate: 0, quarantined: 1, failed: 0, skipped: 0 }, counts: { lines: 3 } },
      { stage_index: 1, stage_name: 'stamp', status: 'done', outcomes: { done: 1, duplicate: 0, quarantined: 0, failed: 0, skipped: 0 }, counts: { chargeCents: 12500 } },
    ]);
    const inputRows = await db.pool.query(
      'SELECT stage_index, seq, input, status, file_sha256, moved_to, reasons FROM run_inputs WHERE run_id = $1 ORDER BY stage_index, seq', [first.runId]);
    expect(inputRows.rows).toEqual([
      { stage_index: 0, seq: 0, input: 'a.txt', status: 'done', file_sha256: sha('alpha\nbeta'), moved_to: path.join(work, 'archive', '2024-03-01', 'a.txt'), reasons: [] },
      { stage_index: 0, seq: 1, input: 'b.txt', status: 'quarantined', file_sha256: sha('bad line'), moved_to: path.join(work, 'quarantine', 'b.txt'),
        reasons: [{ code: 'TEST_BAD_LINE', message: 'line 1 says bad', location: { file: 'b.txt', line: 1 } }] },
      { stage_index: 0, seq: 2, input: 'c.txt', status: 'done', file_sha256: sha('gamma'), moved_to: path.join(work, 'archive', '2024-03-01', 'c.txt'), reasons: [] },
      { stage_index: 1, seq: 0, input: 'stamp', status: 'done', file_sha256: null, moved_to: null, reasons: [] },
    ]);
    // Settings paths resolve against the pipeline file (root/pipelines/test.json), not the working directory.
    const stampDetail = await db.pool.query('SELECT detail FROM run_inputs WHERE run_id = $1 AND stage_index = 1', [first.runId]);
    // Cents are JSON numbers in run records, exact up to 2^53 - 1 (jsonText refuses more).
    expect(stampDetail.rows[0].detail).toEqual({ asOf: '2024-03-01', payers: path.join(root, 'payers'), totalCents: 9007199254740991 });

    // Rerun: nothing new to pick up, nothing posted again.
    const second = await run(pipeline);
    expect(second.status).toBe('done');
    expect(Number(second.runId)).toBe(Number(first.runId) + 1);
    expect(second.pickup).toEqual({ copied: [], alreadyPickedUp: 4 });
    expect(second.stages.map((s) => [s.name, s.outcomes.done, s.outcomes.duplicate])).toEqual([['post-lines', 0, 0], ['stamp', 1, 0]]);
    expect((await db.pool.query('SELECT count(*)::int AS n FROM test_posted')).rows[0].n).toBe(2);

    // The same file dropped straight into the inbox again is a duplicate, archived once.
    await fs.writeFile(path.join(work, 'inbox', 'a.txt'), 'alpha\nbeta');
    const third = await run(pipeline);
    expect(third.stages[0]!.inputs.map((i) => [i.input, i.status])).toEqual([['a.txt', 'duplicate']]);
    expect(await ls(path.join(work, 'archive', '2024-03-01'))).toEqual(['a.txt', 'a.txt.sha256', 'c.txt', 'c.txt.sha256']);
  });

  it('stops at a stage that throws: files it did not settle stay in the inbox, later stages do not run', async () => {
    await fs.writeFile(path.join(root, 'drop', 'a.txt'), 'alpha');
    await fs.writeFile(path.join(root, 'drop', 'b.txt'), 'boom');
    await fs.writeFile(path.join(root, 'drop', 'c.txt'), 'gamma');
    const result = await run(await writePipeline([{ name: 'post-lines' }, { name: 'stamp' }]));
    expect(result.status).toBe('failed');
    expect(exitCodeOf(result.status)).toBe(1);
    expect(result.stages.map((s) => s.status)).toEqual(['failed', 'not_run']);
    expect(result.stages[0]!.error).toMatchObject({ code: 'INTERNAL', message: 'cannot read b.txt' });
    expect(await ls(path.join(root, 'work', 'inbox'))).toEqual(['b.txt', 'c.txt']);
    expect(await ls(path.join(root, 'work', 'archive', '2024-03-01'))).toEqual(['a.txt', 'a.txt.sha256']);
    const rows = await db.pool.query('SELECT status FROM run_stages WHERE run_id = $1 ORDER BY stage_index', [result.runId]);
    expect(rows.rows.map((r) => r.status)).toEqual(['failed', 'not_run']);
  });

  it('on abort finishes the input in hand, then records the run as interrupted', async () => {
    for (const n of ['a', 'b', 'c']) await fs.writeFile(path.join(root, 'drop', `${n}.txt`), `line ${n}`);
    const result = await run(await writePipeline([{ name: 'post-lines', settings: { abortAfter: 1 } }, { name: 'stamp' }]));
    expect(result.status).toBe('interrupted');
    expect(exitCodeOf(result.status)).toBe(1);
    expect(result.stages.map((s) => [s.name, s.status, s.outcomes.done])).toEqual([['post-lines', 'interrupted', 1], ['stamp', 'not_run', 0]]);
    expect(await ls(path.join(root, 'work', 'inbox'))).toEqual(['b.txt', 'c.txt']);
    expect((await db.pool.query('SELECT count(*)::int AS n FROM test_posted')).rows[0].n).toBe(1);
    const row = await db.pool.query('SELECT status FROM runs WHERE id = $1', [result.runId]);
    expect(row.rows[0].status).toBe('interrupted');
  });

  it('allows one run of a pipeline at a time, and marks a dead run abandoned', async () => {
    const holder = createPgRunStore(db.pool);
    const held = await holder.begin({ pipeline: pipelineName, pipelineFile: 'x', pipelineSha256: sha('x'), asOf: '2024-03-01' });
    const pipeline = await writePipeline([{ name: 'stamp' }]);
    await expect(run(pipeline)).rejects.toMatchObject({ code: 'PIPELINE_BUSY' });
    // The holder "dies": its lock goes with its connection, its run row stays `running`.
    await holder.release();
    const next = await run(pipeline);
    expect(next.status).toBe('done');
    expect(next.abandonedRuns).toEqual([held.runId]);
    const row = await db.pool.query("SELECT status, error->>'code' AS code FROM runs WHERE id = $1", [held.runId]);
    expect(row.rows[0]).toEqual({ status: 'abandoned', code: 'RUN_ABANDONED' });
  });
});
