import { describe, expect, it } from 'vitest';
import {
  emptyOutcomeCounts, exitCodeOf, runStatusOf, stageStatusOf, type StageRecord,
} from '../../src/pipeline/run-record.ts';
import { summaryJson, summaryText } from '../../src/pipeline/summary.ts';
import type { RunRecord } from '../../src/pipeline/run-record.ts';

const counts = (o: Partial<ReturnType<typeof emptyOutcomeCounts>>) => ({ ...emptyOutcomeCounts(), ...o });
const stage = (status: StageRecord['status']): StageRecord => ({ index: 0, name: 's', status, outcomes: emptyOutcomeCounts(), counts: {}, inputs: [] });

describe('statuses and exit codes', () => {
  it('a failed input fails the stage; a quarantined one makes it rejected', () => {
    expect(stageStatusOf(counts({ done: 3 }), false, false)).toBe('done');
    expect(stageStatusOf(counts({ done: 3, quarantined: 1 }), false, false)).toBe('rejected');
    expect(stageStatusOf(counts({ quarantined: 1, failed: 1 }), false, false)).toBe('failed');
    expect(stageStatusOf(counts({ done: 1 }), true, false)).toBe('failed');
    expect(stageStatusOf(counts({ done: 1 }), false, true)).toBe('interrupted');
  });

  it('the worst stage decides the run, and the run decides the exit code', () => {
    expect(runStatusOf([stage('done'), stage('done')], false)).toBe('done');
    expect(runStatusOf([stage('rejected'), stage('done')], false)).toBe('rejected');
    expect(runStatusOf([stage('rejected'), stage('failed'), stage('not_run')], false)).toBe('failed');
    expect(runStatusOf([stage('done')], true)).toBe('interrupted');
    expect([exitCodeOf('done'), exitCodeOf('rejected'), exitCodeOf('failed'), exitCodeOf('interrupted')]).toEqual([0, 3, 1, 1]);
  });
});

describe('summary', () => {
  const run: RunRecord = {
    runId: '41', pipeline: 'nightly', pipelineFile: '/srv/p/pipelines/nightly.json', asOf: '2024-03-01', status: 'rejected',
    pickup: { copied: ['a.835'], alreadyPickedUp: 2 },
    stages: [{
      index: 0, name: 'ingest', status: 'rejected', outcomes: counts({ done: 1, quarantined: 1 }), counts: { remittances: 3 },
      inputs: [
        { seq: 0, input: 'a.835', status: 'done', movedTo: '/srv/p/work/archive/2024-03-01/a.835', reasons: [], counts: {}, detail: {} },
        { seq: 1, input: 'b.835', status: 'quarantined', movedTo: '/srv/p/work/quarantine/b.835', counts: {}, detail: {},
          reasons: [{ code: 'REMIT_UNBALANCED', message: 'BPR02 1000.00 but claims pay 990.00' }, { code: 'SE_COUNT', message: 'x' }] },
      ],
    }],
    leftInInbox: ['notes.txt'], abandonedRuns: [],
  };
  const relativeTo = (p: string) => p.replace('/srv/p/', '');

  it('prints a readable table with what was not accepted and why', () => {
    expect(summaryText(run, { relativeTo })).toBe([
      'Run 41 of nightly, as of 2024-03-01: done, but some input was quarantined',
      'Picked up 1 new file (2 picked up before)',
      '',
      'stage   status    done  duplicate  quarantined  failed  skipped',
      'ingest  rejected     1          0            1       0        0',
      '',
      'Not accepted:',
      '  ingest  b.835  quarantined -> work/quarantine/b.835',
      '    REMIT_UNBALANCED: BPR02 1000.00 but claims pay 990.00 (+1 more)',
      '',
      'Left in the inbox: 1 (notes.txt)',
      '',
      'Exit 3',
      '',
    ].join('\n'));
  });

  it('gives JSON with relative paths and the exit code', () => {
    const json = summaryJson(run, { relativeTo });
    expect(json.exitCode).toBe(3);
    expect(json.stages[0]!.inputs).toEqual([
      { input: 'a.835', status: 'done', movedTo: 'work/archive/2024-03-01/a.835' },
      { input: 'b.835', status: 'quarantined', movedTo: 'work/quarantine/b.835', reasons: run.stages[0]!.inputs[1]!.reasons },
    ]);
  });
});
