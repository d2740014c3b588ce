// Pipeline files: what a `claims run PIPELINE.json` file may say, as one zod schema built from the stage
// registry (so each stage's settings are checked, and published, with the rest), and a parser that turns
// the file's text into a Pipeline or into every problem at once, each with its JSON path.
// Pure: no file system here (pipeline-load.ts resolves folders against the file's location).
import { z } from 'zod';
import { isoDateSchema } from '../common/dates.ts';
import { ClaimsError } from '../common/errors.ts';
import { firstJsonErrorOffset, positionOf } from './json-position.ts';
import type { Stage } from './stage.ts';

const PIPELINE_NAME = /^[a-z0-9][a-z0-9._-]{0,62}$/;

const IsoDate = isoDateSchema('expected a date as YYYY-MM-DD');

const FolderPath = z
  .string()
  .min(1)
  .describe('A folder, relative to the pipeline file; `$CLAIMS_HOME/...` is relative to the CLAIMS_HOME folder instead.');

export const FoldersSchema = z.strictObject({
  inbox: FolderPath.describe('Where input files are dropped; stages read from here.'),
  outbox: FolderPath.describe('Where stages write what goes out (837s, acknowledgements, reports).'),
  archive: FolderPath.describe('Where an input file is moved once its data is committed.'),
  quarantine: FolderPath.describe('Where a rejected input file is moved, with a .error.json beside it.'),
  pickup: z
    .array(FolderPath)
    .optional()
    .describe(
      'Read-only drop folders (a mirrored payer mailbox, the samples): files not picked up before are ' +
        'copied into the inbox at the start of a run; the originals are never moved or changed.',
    ),
});

export const ScheduleEntrySchema = z.strictObject({
  asOf: IsoDate.describe('A business date to run the pipeline for ("today" for that run).'),
  pickup: z
    .array(FolderPath)
    .optional()
    .describe(
      'Pickup folders for this date only, added to folders.pickup (a drop dated in August is not picked up in March).',
    ),
});

/** Dates must be given once each, in order: the schedule is read as the order the runs happen in. */
const ScheduleSchema = z
  .array(ScheduleEntrySchema)
  .min(1)
  .superRefine((entries, ctx) => {
    for (let i = 1; i < entries.length; i++) {
      if (entries[i]!.asOf <= entries[i - 1]!.asOf) {
        ctx.addIssue({
          code: 'custom',
          path: [i, 'asOf'],
          message: `dates must be in order, each once: ${entries[i]!.asOf} comes after ${entries[i - 1]!.asOf}`,
        });
      }
    }
  })
  .describe(
    'Business dates to run, in order (catching up the dates a nightly missed): `claims run` runs every date on or ' +
      'before today (--as-of, CLAIMS_NOW or the system date), one run record each, and stops after a date that failed.',
  );

/** The schema of a pipeline file, given the stages that exist. */
export function pipelineFileSchema(stages: readonly Stage[]) {
  const entries = stages.map((s) =>
    z.strictObject({
      name: z.literal(s.name).describe(s.summary),
      settings: (s.settings as z.ZodType<unknown, unknown>).prefault({}),
    }),
  );
  const stageEntry =
    entries.length === 0
      ? z.never()
      : entries.length === 1
        ? entries[0]!
        : z.discriminatedUnion('name', entries as [(typeof entries)[0], ...typeof entries]);
  return z
    .strictObject({
      $schema: z.string().optional().describe('Path or URL of this JSON Schema, for editors.'),
      name: z
        .string()
        .regex(PIPELINE_NAME, 'lower-case letters, digits, ".", "_" and "-", starting with a letter or digit')
        .describe('Names the pipeline in run records; one run of a name at a time.'),
      description: z.string().optional(),
      asOf: IsoDate.optional().describe(
        '"Today" for every run of this file (a month-end rerun). --as-of and CLAIMS_NOW take precedence.',
      ),
      schedule: ScheduleSchema.optional(),
      practices: z.string().min(1).optional().describe(
        'A practices file (schemas/practices.schema.json), relative to this file: registered at the start of every run, ' +
          'so each claim and 835 goes to its practice\'s books. Absent: the practices already registered (none: everything is "default").',
      ),
      practice: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,39}$/).optional().describe(
        'Run for this practice only (a practice id, `claims practices`): submit refuses other practices\' claims, ingest quarantines ' +
          'other practices\' 835s, statements and referrals take this practice\'s accounts; the run records it. Absent: the whole office.',
      ),
      folders: FoldersSchema,
      stages: z.array(stageEntry).min(1).describe('Run in order; a stage that fails stops the ones after it.'),
    })
    .refine((p) => p.asOf === undefined || p.schedule === undefined, {
      path: ['schedule'],
      message: 'a pipeline has either asOf (one date) or a schedule (several), not both',
    })
    .describe('A claims-pipeline pipeline: drop folders and the stages to run, in order.');
}

export interface PipelineStageEntry {
  name: string;
  settings: unknown;
}

/** A validated pipeline file; folder paths still relative to the file. */
export interface ScheduleEntry {
  asOf: string;
  /** Folders relative to the pipeline file, picked up on this date only. */
  pickup?: string[];
}

export interface PipelineDefinition {
  name: string;
  description?: string;
  asOf?: string;
  schedule?: ScheduleEntry[];
  /** A practices file relative to the pipeline file. */
  practices?: string;
  /** Run for this practice only. */
  practice?: string;
  folders: { inbox: string; outbox: string; archive: string; quarantine: string; pickup?: string[] };
  stages: PipelineStageEntry[];
}

export interface PipelineProblem {
  /** JSON path in the file: `$`, `$.folders.inbox`, `$.stages[1].settings.format`. */
  path: string;
  message: string;
}

/** Every problem of a pipeline file at once. `problems` are ClaimsErrors located by file and field. */
export class PipelineInvalidError extends ClaimsError {
  readonly problems: ClaimsError[];
  constructor(file: string, problems: PipelineProblem[]) {
    const lines = problems.map((p) => `  ${p.path}: ${p.message}`);
    super({
      code: 'PIPELINE_INVALID',
      message: `${problems.length} problem${problems.length === 1 ? '' : 's'} in the pipeline file:\n${lines.join('\n')}`,
      location: { file },
    });
    this.problems = problems.map(
      (p) => new ClaimsError({ code: 'PIPELINE_INVALID', message: p.message, location: { file, field: p.path } }),
    );
  }
}

export function jsonPath(path: readonly PropertyKey[]): string {
  let out = '$';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (typeof key === 'string' && /^[A-Za-z_$][\w$]*$/.test(key)) out += `.${key}`;
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out;
}

/** zod issues as problems; an unknown key is reported at its own path so the reader finds it. */
export function problemsFromIssues(issues: readonly z.core.$ZodIssue[]): PipelineProblem[] {
  const out: PipelineProblem[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) out.push({ path: jsonPath([...issue.path, key]), message: 'unknown field' });
    } else {
      out.push({ path: jsonPath(issue.path), message: issue.message });
    }
  }
  return out;
}

function syntaxProblem(text: string, err: unknown): PipelineProblem {
  const message = err instanceof Error ? err.message.split('\n')[0]! : String(err);
  const offset = firstJsonErrorOffset(text);
  if (offset === undefined) return { path: '$', message: `not valid JSON: ${message}` };
  const { line, column } = positionOf(text, offset);
  const found = offset < text.length ? JSON.stringify(text[offset]) : 'the end of the file';
  return { path: '$', message: `not valid JSON at line ${line}, column ${column}: unexpected ${found}` };
}

/** A stage name no stage has: say which names there are, rather than zod's union message. */
function unknownStageProblems(raw: unknown, problems: PipelineProblem[], stages: readonly Stage[]): PipelineProblem[] {
  const known = stages.map((s) => s.name).join(', ');
  return problems.map((p) => {
    const m = /^\$\.stages\[(\d+)\]\.name$/.exec(p.path);
    if (!m) return p;
    const entry = (raw as { stages?: unknown[] }).stages?.[Number(m[1])] as { name?: unknown } | undefined;
    if (typeof entry?.name !== 'string') return p;
    return { path: p.path, message: `no stage named ${JSON.stringify(entry.name)} (stages: ${known})` };
  });
}

/** Parse and validate a pipeline file's text; throws PipelineInvalidError listing every problem. */
export function parsePipelineText(text: string, file: string, stages: readonly Stage[]): PipelineDefinition {
  let raw: unknown;
  const json = text.replace(/^\uFEFF/, '');
  try {
    raw = JSON.parse(json);
  } catch (err) {
    throw new PipelineInvalidError(file, [syntaxProblem(json, err)]);
  }
  const parsed = pipelineFileSchema(stages).safeParse(raw);
  if (!parsed.success) {
    throw new PipelineInvalidError(file, unknownStageProblems(raw, problemsFromIssues(parsed.error.issues), stages));
  }
  const { $schema: _schema, ...definition } = parsed.data as PipelineDefinition & { $schema?: string };
  return definition;
}
