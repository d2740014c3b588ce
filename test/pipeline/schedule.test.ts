// Schedules without a database: which dates are due and with which pickup folders, the worst exit code,
// what a pipeline file may say about its schedule, `$CLAIMS_HOME` folders, and the closing table.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPipeline } from '../../src/pipeline/pipeline-load.ts';
import { parsePipelineText, PipelineInvalidError } from '../../src/pipeline/pipeline-file.ts';
import type { RunRecord } from '../../src/pipeline/run-record.ts';
import { datesToSkip, dueDates, worstExitCode } from '../../src/pipeline/schedule.ts';
import { stages } from '../../src/pipeline/stages/index.ts';
import { scheduleSummaryText } from '../../src/pipeline/summary.ts';

const FOLDERS = { inbox: 'w/inbox', outbox: 'w/outbox', archive: 'w/archive', quarantine: 'w/quarantine' };

function problemsOf(body: Record<string, unknown>): string[] {
  try {
    parsePipelineText(JSON.stringify({ name: 'p', folders: FOLDERS, stages: [{ name: 'ledger-snapshot' }], ...body }), 'p.json', stages);
  } catch (err) {
    if (err instanceof PipelineInvalidError) return err.problems.map((p) => `${p.location.field}: ${p.message}`);
    throw err;
  }
  return [];
}

describe('dueDates', () => {
  const pipeline = {
    pickup: ['/m/claims', '/m/835'],
    schedule: [
      { asOf: '2024-03-31', pickup: ['/m/dated/0331'] },
      { asOf: '2024-04-30', pickup: [] },
      { asOf: '2024-08-15', pickup: ['/m/dated/0815', '/m/835'] },
    ],
  };

  it('gives the dates on or before the day in order, each with the pipeline pickups then its own', () => {
    expect(dueDates(pipeline, '2024-12-31')).toEqual([
      { asOf: '2024-03-31', pickup: ['/m/claims', '/m/835', '/m/dated/0331'] },
      { asOf: '2024-04-30', pickup: ['/m/claims', '/m/835'] },
      // A dated folder that is also a pipeline pickup is listed once.
      { asOf: '2024-08-15', pickup: ['/m/claims', '/m/835', '/m/dated/0815'] },
    ]);
  });

  it('leaves out dates after the day; the day itself is due', () => {
    expect(dueDates(pipeline, '2024-04-30').map((d) => d.asOf)).toEqual(['2024-03-31', '2024-04-30']);
    expect(dueDates(pipeline, '2024-04-29').map((d) => d.asOf)).toEqual(['2024-03-31']);
    expect(dueDates(pipeline, '2024-03-30')).toEqual([]);
  });
});

describe('worstExitCode', () => {
  it('failed over rejected over done; usage counts as failed', () => {
    expect(worstExitCode([])).toBe(0);
    expect(worstExitCode([0, 0])).toBe(0);
    expect(worstExitCode([0, 3, 0])).toBe(3);
    expect(worstExitCode([3, 1, 0])).toBe(1);
    expect(worstExitCode([1, 3])).toBe(1);
    expect(worstExitCode([0, 2])).toBe(1);
  });
});

describe('schedule in a pipeline file', () => {
  it('accepts dates in order with optional pickups', () => {
    expect(problemsOf({ schedule: [{ asOf: '2024-03-31', pickup: ['x'] }, { asOf: '2024-04-30' }] })).toEqual([]);
  });

  it('refuses dates out of order or repeated, impossible dates, unknown fields, and asOf beside a schedule', () => {
    expect(problemsOf({ schedule: [{ asOf: '2024-04-30' }, { asOf: '2024-03-31' }, { asOf: '2024-03-31' }] })).toEqual([
      '$.schedule[1].asOf: dates must be in order, each once: 2024-03-31 comes after 2024-04-30',
      '$.schedule[2].asOf: dates must be in order, each once: 2024-03-31 comes after 2024-03-31',
    ]);
    expect(problemsOf({ schedule: [{ asOf: '2024-02-30', when: 'night' }] })).toEqual([
      '$.schedule[0].asOf: not a calendar date',
      '$.schedule[0].when: unknown field',
    ]);
    expect(problemsOf({ schedule: [] })).toHaveLength(1);
    expect(problemsOf({ asOf: '2024-03-31', schedule: [{ asOf: '2024-04-30' }] })).toEqual([
      '$.schedule: a pipeline has either asOf (one date) or a schedule (several), not both',
    ]);
  });
});

describe('loadPipeline with a schedule and $CLAIMS_HOME folders', () => {
  let root: string;
  beforeAll(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'claims-schedule-'));
    await fs.mkdir(path.join(root, 'pipelines'));
  });
  afterAll(async () => {
    await fs.rm(root, { recursive: true, force: true });
  });

  async function load(body: Record<string, unknown>) {
    const file = path.join(root, 'pipelines', 'p.json');
    await fs.writeFile(file, JSON.stringify({ name: 'p', stages: [{ name: 'ledger-snapshot' }], ...body }));
    return loadPipeline(file, stages, { cwd: root, home: path.join(root, 'home') });
  }

  it('resolves $CLAIMS_HOME against the home given, other folders against the file, dated pickups likewise', async () => {
    const loaded = await load({
      folders: { inbox: '$CLAIMS_HOME/demo/inbox', outbox: '$CLAIMS_HOME/demo/outbox', archive: '../archive', quarantine: '$CLAIMS_HOME', pickup: ['../drop'] },
      schedule: [{ asOf: '2024-03-31', pickup: ['../dated/0331', '$CLAIMS_HOME/mail'] }, { asOf: '2024-04-30' }],
    });
    expect(loaded.folders).toEqual({
      inbox: path.join(root, 'home', 'demo', 'inbox'),
      outbox: path.join(root, 'home', 'demo', 'outbox'),
      archive: path.join(root, 'archive'),
      quarantine: path.join(root, 'home'),
    });
    expect(loaded.pickup).toEqual([path.join(root, 'drop')]);
    expect(loaded.schedule).toEqual([
      { asOf: '2024-03-31', pickup: [path.join(root, 'dated', '0331'), path.join(root, 'home', 'mail')] },
      { asOf: '2024-04-30', pickup: [] },
    ]);
  });

  it('a name that only starts like the variable is an ordinary relative folder', async () => {
    const loaded = await load({ folders: { inbox: '$CLAIMS_HOMEX/in', outbox: 'o', archive: 'a', quarantine: 'q' } });
    expect(loaded.folders.inbox).toBe(path.join(root, 'pipelines', '$CLAIMS_HOMEX', 'in'));
    expect(loaded.schedule).toEqual([]);
  });

  it('refuses a dated pickup that is the inbox', async () => {
    await expect(load({
      folders: { inbox: '../w/inbox', outbox: '../w/outbox', archive: '../w/archive', quarantine: '../w/quarantine' },
      schedule: [{ asOf: '2024-03-31', pickup: ['../w/inbox/sub'] }],
    })).rejects.toMatchObject({ problems: [expect.objectContaining({ location: { file: expect.any(String), field: '$.schedule[0].pickup[0]' } })] });
  });
});

describe('scheduleSummaryText', () => {
  const run = (runId: string, asOf: string, status: RunRecord['status'], outcomes: Partial<Record<'done' | 'duplicate' | 'quarantined' | 'failed', number>>, copied: number): RunRecord => ({
    runId, pipeline: 'demo', pipelineFile: '/p/demo.json', asOf, status, abandonedRuns: [], leftInInbox: [],
    pickup: { copied: Array.from({ length: copied }, (_, i) => `f${i}`), alreadyPickedUp: 0 },
    stages: [{ index: 0, name: 's', status: 'done', counts: {}, inputs: [], outcomes: { done: 0, duplicate: 0, quarantined: 0, failed: 0, skipped: 0, ...outcomes } }],
  });

  it('one row per date, not-run dates, and the worst exit code with why', () => {
    const text = scheduleSummaryText({
      pipeline: 'demo', through: '2024-12-31', exitCode: 1, notRun: ['2024-08-15'],
      runs: [run('7', '2024-03-31', 'rejected', { done: 12, duplicate: 1, quarantined: 3 }, 17), run('8', '2024-04-30', 'failed', { failed: 1 }, 0)],
    });
    expect(text).toBe([
      'Schedule of demo: 3 dates due by 2024-12-31',
      '',
      'as of       run  picked up  done  duplicate  quarantined  failed  status',
      '2024-03-31  7           17    12          1            3       0  done, but some input was quarantined',
      '2024-04-30  8            0     0          0            0       1  FAILED',
      '2024-08-15  -            -     -          -            -       -  not run (an earlier date did not finish)',
      '',
      'Exit 1 (the worst of the dates)',
      '',
    ].join('\n'));
  });

  it('says why a 3 is not a failure, and says when nothing is due', () => {
    const three = scheduleSummaryText({ pipeline: 'demo', through: '2024-04-30', exitCode: 3, notRun: [], runs: [run('1', '2024-03-31', 'rejected', { quarantined: 1 }, 1), run('2', '2024-04-30', 'done', { done: 1 }, 0)] });
    expect(three.split('\n').at(-2)).toBe('Exit 3 (the worst of the dates: some input was quarantined or rejected, see "Not accepted" above)');
    expect(scheduleSummaryText({ pipeline: 'demo', through: '2024-01-01', exitCode: 0, notRun: [], runs: [] })).toBe(
      'Schedule of demo: 0 dates due by 2024-01-01\n\nNo scheduled date on or before 2024-01-01: nothing to run.\n\nExit 0\n',
    );
  });
});

describe('where a schedule resumes', () => {
  const dates = ['2024-03-31', '2024-04-30', '2024-05-31', '2024-06-30'].map((asOf) => ({ asOf, pickup: [] }));
  const finished = ['2024-03-31', '2024-04-30'];

  it('after an unfinished latest run (interrupted, failed, killed), skips the finished dates before its date', () => {
    for (const status of ['interrupted', 'failed', 'abandoned', 'running'] as const) {
      expect(datesToSkip(dates, { latest: { asOf: '2024-05-31', status }, finished })).toEqual(['2024-03-31', '2024-04-30']);
    }
  });

  it('never skips the interrupted date itself, nor an earlier date that never finished', () => {
    expect(datesToSkip(dates, { latest: { asOf: '2024-04-30', status: 'interrupted' }, finished })).toEqual(['2024-03-31']);
    expect(datesToSkip(dates, { latest: { asOf: '2024-05-31', status: 'failed' }, finished: ['2024-04-30'] })).toEqual(['2024-04-30']);
  });

  it('after a finished latest run, or none, runs every due date again (they find nothing new)', () => {
    expect(datesToSkip(dates, { latest: { asOf: '2024-06-30', status: 'done' }, finished })).toEqual([]);
    expect(datesToSkip(dates, { latest: { asOf: '2024-06-30', status: 'rejected' }, finished })).toEqual([]);
    expect(datesToSkip(dates, { finished: [] })).toEqual([]);
  });

  it('the closing table lists the dates not run again', () => {
    const text = scheduleSummaryText({ pipeline: 'demo', through: '2024-12-31', exitCode: 0, notRun: [], alreadyRun: ['2024-03-31'], runs: [] });
    expect(text).toContain('Schedule of demo: 1 date due by 2024-12-31');
    expect(text).toMatch(/^2024-03-31 .*already run \(the schedule resumed at an interrupted date\)$/m);
  });
});

