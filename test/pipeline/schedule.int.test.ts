// runSchedule against a real Postgres, with a stage written here that posts each `*.txt` of the inbox into a
// table of the test database with the run's date: which date saw which file, and what a rerun changes.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createLogger } from '../../src/runtime/logger.ts';
import { loadPipeline, type LoadedPipeline } from '../../src/pipeline/pipeline-load.ts';
import { createPgRunStore } from '../../src/pipeline/run-store-pg.ts';
import { runSchedule } from '../../src/pipeline/schedule.ts';
import { runPipeline } from '../../src/pipeline/runner.ts';
import { fixedClock } from '../../src/common/clock.ts';
import { defineStage, type Stage } from '../../src/pipeline/stage.ts';
import { useTestDatabase, type TestDatabase } from '../support/db.ts';

let db: TestDatabase;
let root: string;
const log = createLogger({ level: 'silent', pretty: false });

/** "bad..." is quarantined, "boom..." fails the stage; anything else is posted once (by name). */
const postDated = defineStage({
  name: 'post-dated',
  summary: 'test stage',
  settings: z.strictObject({}),
  async *run(ctx) {
    for (const file of await ctx.inboxFiles(['*.txt'])) {
      const input = path.basename(file);
      const text = await fs.readFile(file, 'utf8');
      if (text.startsWith('boom')) throw new Error(`cannot read ${input}`);
      if (text.startsWith('bad')) {
        yield { input, file, status: 'quarantined', reasons: [{ code: 'TEST_BAD', message: 'says bad' }] };
        continue;
      }
      const r = await ctx.db.pool.query('INSERT INTO test_dated (name, as_of) VALUES ($1, $2) ON CONFLICT DO NOTHING', [input, ctx.clock.today()]);
      yield { input, file, status: r.rowCount === 1 ? 'done' : 'duplicate' };
    }
    // One outcome per date, like the statements stage: the date's work is done once.
    const d = await ctx.db.pool.query('INSERT INTO test_days (as_of) VALUES ($1) ON CONFLICT DO NOTHING', [ctx.clock.today()]);
    yield { input: `day-${ctx.clock.today()}`, status: d.rowCount === 1 ? 'done' : 'duplicate' };
  },
});
/** Ctrl-C in the middle of a date: when the file `trip-DATE` is in the test's root, the run of that date
 * removes it and aborts the run's signal (what SIGINT does), so the date stops after its pickup. */
let abort = new AbortController();
const trip = defineStage({
  name: 'trip',
  summary: 'test stage',
  settings: z.strictObject({}),
  async *run(ctx) {
    const marker = path.join(root, `trip-${ctx.clock.today()}`);
    if (await fs.rm(marker).then(() => true, () => false)) abort.abort();
    yield { input: `trip-${ctx.clock.today()}`, status: 'done' };
  },
});
const STAGES = [trip, postDated] as Stage[];

let name = '';
let testNo = 0;
async function pipelineWith(schedule: unknown[], stages = [{ name: 'post-dated' }]): Promise<LoadedPipeline> {
  const file = path.join(root, 'pipelines', 'p.json');
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, JSON.stringify({
    name, stages, ...(schedule.length > 0 ? { schedule } : { asOf: '2024-01-01' }),
    folders: { pickup: ['../drop'], inbox: '$CLAIMS_HOME/inbox', outbox: '$CLAIMS_HOME/outbox', archive: '$CLAIMS_HOME/archive', quarantine: '$CLAIMS_HOME/quarantine' },
  }));
  return loadPipeline(file, STAGES, { home: path.join(root, 'home') });
}

const schedule = (p: LoadedPipeline, through: string) => {
  abort = new AbortController();
  return runSchedule({ pipeline: p, stages: STAGES, store: createPgRunStore(db.pool), db, logger: log, signal: abort.signal }, through);
};
const runOnce = (p: LoadedPipeline, asOf: string) => {
  abort = new AbortController();
  return runPipeline({ pipeline: p, stages: STAGES, store: createPgRunStore(db.pool), db, logger: log, signal: abort.signal, clock: fixedClock(asOf) });
};
const runRows = async () =>
  (await db.pool.query<{ as_of: string; status: string }>('SELECT as_of::text, status FROM runs WHERE pipeline_name = $1 ORDER BY id', [name])).rows
    .map((r) => `${r.as_of} ${r.status}`);

const posted = async () => (await db.pool.query<{ name: string; as_of: string }>('SELECT name, as_of::text FROM test_dated ORDER BY name')).rows;

async function drop(folder: string, file: string, text: string): Promise<void> {
  await fs.mkdir(path.join(root, folder), { recursive: true });
  await fs.writeFile(path.join(root, folder, file), text);
}

beforeAll(async () => {
  db = await useTestDatabase();
  await db.pool.query('CREATE TABLE test_dated (name text PRIMARY KEY, as_of date NOT NULL)');
  await db.pool.query('CREATE TABLE test_days (as_of date PRIMARY KEY)');
});
beforeEach(async () => {
  name = `sched-${++testNo}`;
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'claims-schedule-int-'));
  await fs.mkdir(path.join(root, 'drop'));
  await db.pool.query('TRUNCATE test_dated, test_days');
});
afterAll(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

describe('runSchedule', () => {
  it('runs the due dates in order, one run record each, dated pickups only on their date; a rerun changes nothing', async () => {
    await drop('drop', 'a.txt', 'alpha');
    await drop('dated/0430', 'b.txt', 'beta');
    await drop('dated/0815', 'c.txt', 'gamma');
    const p = await pipelineWith([
      { asOf: '2024-03-31' },
      { asOf: '2024-04-30', pickup: ['../dated/0430'] },
      { asOf: '2024-05-31' },
      { asOf: '2024-08-15', pickup: ['../dated/0815'] },
    ]);

    // "Today" is in June: August is not due, and its drop is not touched.
    const first = await schedule(p, '2024-06-15');
    expect(first.exitCode).toBe(0);
    expect(first.notRun).toEqual([]);
    expect(first.runs.map((r) => [r.asOf, r.status, r.pickup.copied])).toEqual([
      ['2024-03-31', 'done', ['a.txt']],
      ['2024-04-30', 'done', ['b.txt']],
      ['2024-05-31', 'done', []],
    ]);
    expect(await posted()).toEqual([{ name: 'a.txt', as_of: '2024-03-31' }, { name: 'b.txt', as_of: '2024-04-30' }]);
    const runs = await db.pool.query<{ as_of: string; status: string }>('SELECT as_of::text, status FROM runs WHERE pipeline_name = $1 ORDER BY id', [name]);
    expect(runs.rows).toEqual([
      { as_of: '2024-03-31', status: 'done' }, { as_of: '2024-04-30', status: 'done' }, { as_of: '2024-05-31', status: 'done' },
    ]);
    // Each file is archived under the date that took it.
    expect((await fs.readdir(path.join(root, 'home', 'archive'))).sort()).toEqual(['2024-03-31', '2024-04-30']);

    // Later the same schedule runs through August: the earlier dates find nothing new, August takes its drop.
    const second = await schedule(p, '2024-08-31');
    expect(second.exitCode).toBe(0);
    expect(second.runs.map((r) => [r.asOf, r.pickup.copied, r.stages[0]!.outcomes.done, r.stages[0]!.outcomes.duplicate])).toEqual([
      ['2024-03-31', [], 0, 1],
      ['2024-04-30', [], 0, 1],
      ['2024-05-31', [], 0, 1],
      ['2024-08-15', ['c.txt'], 2, 0],
    ]);
    expect(await posted()).toEqual([
      { name: 'a.txt', as_of: '2024-03-31' }, { name: 'b.txt', as_of: '2024-04-30' }, { name: 'c.txt', as_of: '2024-08-15' },
    ]);

    const third = await schedule(p, '2024-08-31');
    expect(third.runs.map((r) => [r.pickup.copied.length, r.pickup.alreadyPickedUp, r.stages[0]!.outcomes.done])).toEqual([[0, 1, 0], [0, 2, 0], [0, 1, 0], [0, 2, 0]]);
    expect(await posted()).toHaveLength(3);
    expect((await db.pool.query('SELECT count(*)::int AS n FROM runs WHERE pipeline_name = $1', [name])).rows[0].n).toBe(3 + 4 + 4);
  });

  it('a date that quarantined something makes the exit 3 and the later dates still run', async () => {
    await drop('drop', 'a.txt', 'alpha');
    await drop('dated/0430', 'b.txt', 'bad input');
    const p = await pipelineWith([{ asOf: '2024-03-31' }, { asOf: '2024-04-30', pickup: ['../dated/0430'] }, { asOf: '2024-05-31' }]);
    const r = await schedule(p, '2024-12-31');
    expect(r.runs.map((x) => [x.asOf, x.status])).toEqual([['2024-03-31', 'done'], ['2024-04-30', 'rejected'], ['2024-05-31', 'done']]);
    expect(r.exitCode).toBe(3);
    expect(await fs.readdir(path.join(root, 'home', 'quarantine'))).toEqual(expect.arrayContaining(['b.txt', 'b.txt.error.json']));
  });

  it('a date that failed makes the exit 1 and the dates after it wait for the next run', async () => {
    await drop('drop', 'a.txt', 'alpha');
    await drop('dated/0430', 'b.txt', 'boom');
    await drop('dated/0531', 'c.txt', 'bad input');
    const p = await pipelineWith([
      { asOf: '2024-03-31' }, { asOf: '2024-04-30', pickup: ['../dated/0430'] }, { asOf: '2024-05-31', pickup: ['../dated/0531'] }, { asOf: '2024-06-30' },
    ]);
    const r = await schedule(p, '2024-12-31');
    expect(r.runs.map((x) => [x.asOf, x.status])).toEqual([['2024-03-31', 'done'], ['2024-04-30', 'failed']]);
    expect(r.notRun).toEqual(['2024-05-31', '2024-06-30']);
    expect(r.exitCode).toBe(1);
    // The failed date's file waits in the inbox; the later date's drop was not picked up.
    expect(await fs.readdir(path.join(root, 'home', 'inbox'))).toEqual(['b.txt']);
    expect(await db.pool.query('SELECT as_of::text FROM test_days ORDER BY 1').then((x) => x.rows.map((y) => y.as_of))).toEqual(['2024-03-31']);
  });

  it('a schedule interrupted inside a date resumes at that date: the dates before it are not replayed over its files', async () => {
    await drop('drop', 'a.txt', 'alpha');
    await drop('dated/0430', 'b.txt', 'beta');
    await drop('dated/0531', 'c.txt', 'gamma');
    const p = await pipelineWith(
      [{ asOf: '2024-03-31' }, { asOf: '2024-04-30', pickup: ['../dated/0430'] }, { asOf: '2024-05-31', pickup: ['../dated/0531'] }],
      [{ name: 'trip' }, { name: 'post-dated' }],
    );
    await fs.writeFile(path.join(root, 'trip-2024-04-30'), '');
    const first = await schedule(p, '2024-12-31');
    expect(first.runs.map((r) => [r.asOf, r.status])).toEqual([['2024-03-31', 'done'], ['2024-04-30', 'interrupted']]);
    expect(first.notRun).toEqual(['2024-05-31']);
    // April's drop was copied in before the interruption and waits in the inbox.
    expect(await fs.readdir(path.join(root, 'home', 'inbox'))).toEqual(['b.txt']);

    const rerun = await schedule(p, '2024-12-31');
    expect(rerun.alreadyRun).toEqual(['2024-03-31']);
    expect(rerun.runs.map((r) => [r.asOf, r.status, r.pickup.copied])).toEqual([['2024-04-30', 'done', []], ['2024-05-31', 'done', ['c.txt']]]);
    expect(rerun.exitCode).toBe(0);
    // b.txt is April's, not March's; the run records are an uninterrupted schedule's plus the interrupted attempt.
    expect(await posted()).toEqual([
      { name: 'a.txt', as_of: '2024-03-31' }, { name: 'b.txt', as_of: '2024-04-30' }, { name: 'c.txt', as_of: '2024-05-31' },
    ]);
    expect(await runRows()).toEqual(['2024-03-31 done', '2024-04-30 interrupted', '2024-04-30 done', '2024-05-31 done']);
    expect((await fs.readdir(path.join(root, 'home', 'archive'))).sort()).toEqual(['2024-03-31', '2024-04-30', '2024-05-31']);

    // Once the latest run finished, a rerun goes through every date again and finds nothing new (decision 0023).
    const again = await schedule(p, '2024-12-31');
    expect(again.alreadyRun).toEqual([]);
    expect(again.runs.map((r) => r.stages[1]!.outcomes.done)).toEqual([0, 0, 0]);
  });

  it('a file picked up for a later date is held back from an earlier date\'s stages until its own date runs', async () => {
    await drop('drop', 'x.txt', 'ex');
    const p = await pipelineWith([], [{ name: 'trip' }, { name: 'post-dated' }]);
    await fs.writeFile(path.join(root, 'trip-2024-04-30'), '');
    expect((await runOnce(p, '2024-04-30')).status).toBe('interrupted');
    expect(await fs.readdir(path.join(root, 'home', 'inbox'))).toEqual(['x.txt']);

    const earlier = await runOnce(p, '2024-03-31');
    expect(earlier.status).toBe('done');
    expect(earlier.heldForLater).toEqual([{ file: 'x.txt', asOf: '2024-04-30' }]);
    expect(earlier.leftInInbox).toEqual([]);
    expect(await posted()).toEqual([]);
    expect(await fs.readdir(path.join(root, 'home', 'inbox'))).toEqual(['x.txt']);

    const own = await runOnce(p, '2024-04-30');
    expect(own.heldForLater).toBeUndefined();
    expect(await posted()).toEqual([{ name: 'x.txt', as_of: '2024-04-30' }]);
  });
});
