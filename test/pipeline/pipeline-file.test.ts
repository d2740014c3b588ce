import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { jsonPath, parsePipelineText, PipelineInvalidError } from '../../src/pipeline/pipeline-file.ts';
import { defineStage, type Stage } from '../../src/pipeline/stage.ts';

// Two stages with settings of their own, so the union of stage entries is exercised.
const snapshot = defineStage({
  name: 'snap',
  summary: 'test stage',
  settings: z.strictObject({ format: z.enum(['json', 'csv']).default('json') }),
  async *run() {},
});
const pick = defineStage({
  name: 'pick',
  summary: 'test stage',
  settings: z.strictObject({ patterns: z.array(z.string()).default(['*.835']), limit: z.number().int().positive().optional() }),
  async *run() {},
});
const STAGES = [snapshot, pick] as Stage[];

const folders = { inbox: 'in', outbox: 'out', archive: 'arch', quarantine: 'q' };

function problemsOf(text: string): string[] {
  try {
    parsePipelineText(text, 'p.json', STAGES);
  } catch (err) {
    expect(err).toBeInstanceOf(PipelineInvalidError);
    const e = err as PipelineInvalidError;
    expect(e.code).toBe('PIPELINE_INVALID');
    return e.problems.map((p) => `${p.location.field}: ${p.message}`);
  }
  throw new Error('expected the pipeline file to be refused');
}

describe('pipeline files', () => {
  it('accepts a minimal file and fills in stage defaults', () => {
    const def = parsePipelineText(
      JSON.stringify({ $schema: '../schemas/pipeline.schema.json', name: 'nightly', folders, stages: [{ name: 'pick' }, { name: 'snap', settings: { format: 'csv' } }] }),
      'p.json', STAGES,
    );
    expect(def).toEqual({
      name: 'nightly',
      folders,
      stages: [
        { name: 'pick', settings: { patterns: ['*.835'] } },
        { name: 'snap', settings: { format: 'csv' } },
      ],
    });
  });

  it('reports every problem at once, each with its JSON path', () => {
    const text = JSON.stringify({
      name: 'Nightly Run',
      asOf: '2024-02-30',
      folders: { inbox: 'in', outbox: '', archive: 'arch' },
      stages: [
        { name: 'snap', settings: { format: 'xml', colour: 'red' } },
        { name: 'mail' },
        { name: 'pick', settings: { limit: 0 } },
      ],
      extra: true,
    });
    const problems = problemsOf(text);
    expect(problems).toHaveLength(9);
    expect(problems).toEqual(expect.arrayContaining([
      expect.stringMatching(/^\$\.name: lower-case letters/),
      '$.asOf: not a calendar date',
      expect.stringMatching(/^\$\.folders\.outbox: /),
      expect.stringMatching(/^\$\.folders\.quarantine: /),
      expect.stringMatching(/^\$\.stages\[0\]\.settings\.format: .*"json"\|"csv"/),
      '$.stages[0].settings.colour: unknown field',
      '$.stages[1].name: no stage named "mail" (stages: snap, pick)',
      expect.stringMatching(/^\$\.stages\[2\]\.settings\.limit: /),
      '$.extra: unknown field',
    ]));
  });

  it('lists the top-level unknown field too', () => {
    const problems = problemsOf(JSON.stringify({ name: 'n', folders, stages: [{ name: 'snap' }], stagse: [] }));
    expect(problems).toEqual(['$.stagse: unknown field']);
  });

  it('requires at least one stage', () => {
    expect(problemsOf(JSON.stringify({ name: 'n', folders, stages: [] }))).toEqual([
      expect.stringMatching(/^\$\.stages: /),
    ]);
  });

  it('names the line and column of a JSON syntax error', () => {
    const text = '{\n  "name": "n",\n  "stages": [}\n';
    const [problem] = problemsOf(text);
    expect(problem).toBe('$: not valid JSON at line 3, column 14: unexpected "}"');
  });

  it('puts every problem in the error message, for the terminal', () => {
    try {
      parsePipelineText(JSON.stringify({ name: 'n', folders: {}, stages: [{ name: 'snap' }] }), 'pipelines/x.json', STAGES);
      expect.unreachable();
    } catch (err) {
      const e = err as PipelineInvalidError;
      expect(e.location.file).toBe('pipelines/x.json');
      expect(e.message.split('\n')).toEqual([
        '4 problems in the pipeline file:',
        '  $.folders.inbox: Invalid input: expected string, received undefined',
        '  $.folders.outbox: Invalid input: expected string, received undefined',
        '  $.folders.archive: Invalid input: expected string, received undefined',
        '  $.folders.quarantine: Invalid input: expected string, received undefined',
      ]);
    }
  });
});

describe('jsonPath', () => {
  it('writes indexes in brackets and odd keys quoted', () => {
    expect(jsonPath([])).toBe('$');
    expect(jsonPath(['stages', 2, 'settings', 'a-b'])).toBe('$.stages[2].settings["a-b"]');
  });
});
