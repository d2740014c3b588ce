// The stage contract, written down once. A pipeline is a list of stages run in order by the runner
// (runner.ts); each stage takes its inputs (usually files in the inbox) and reports one outcome per input.
//
// | status        | meaning                                                        | the input file (outcome.file) |
// |---------------|----------------------------------------------------------------|-------------------------------|
// | `done`        | its data is committed                                          | moved to archive              |
// | `duplicate`   | already processed by an earlier run: nothing changed           | moved to archive              |
// | `quarantined` | rejected: `reasons` say why, with locations                    | moved to quarantine + .error.json |
// | `failed`      | could not be processed (infrastructure, a bug): retry next run | left in the inbox             |
// | `skipped`     | not for this stage, or nothing to do                           | left in the inbox             |
//
// A stage yields an outcome only after the input's data is committed, and the runner moves the file only
// after it has the outcome: that is what makes "archive only after commit" hold for every stage.
// A bad input never stops the batch: stages report it as `quarantined` and go on. A stage that throws
// fails the stage; the runner records it and does not start the stages after it.
import type { z } from 'zod';
import type { Clock } from '../common/clock.ts';
import type { Logger } from '../runtime/logger.ts';
import type { Pool } from 'pg';

/**
 * The part of runtime/database.ts's `Database` a stage sees: the pool (use `withTransaction(db.pool, ...)`).
 * Structural, so the runner can be unit-tested without a server.
 */
export interface StageDatabase {
  pool: Pool;
}

export const INPUT_STATUSES = ['done', 'duplicate', 'quarantined', 'failed', 'skipped'] as const;
export type InputStatus = (typeof INPUT_STATUSES)[number];

/** A ClaimsError as JSON (ClaimsError#toJSON): what quarantine reports and run records keep. */
export interface ReasonJson {
  code: string;
  message: string;
  severity?: 'error' | 'warning';
  location?: Record<string, unknown>;
  expected?: string;
  found?: string;
  ack?: Record<string, string>;
}

export interface InputOutcome {
  /** What the outcome is about, for people: a file name, `file.835#ST 0001`, a claim id. */
  input: string;
  status: InputStatus;
  /**
   * Absolute path of an inbox file this outcome disposes of (see the table above). Leave it unset when
   * the input is part of a file (one remittance of several) or not a file at all; report the file's own
   * outcome once all its parts are settled.
   */
  file?: string;
  reasons?: ReasonJson[];
  /** Numbers worth summing across inputs: `claims`, `remittances`, `entryLines`, `chargeCents` (bigint is fine). */
  counts?: Record<string, number | bigint>;
  /** Anything else worth keeping in the run record (control numbers, output file names). JSON, bigints as strings. */
  detail?: Record<string, unknown>;
}

/** The four drop folders, absolute, created by the runner before the first stage starts. */
export interface Folders {
  inbox: string;
  outbox: string;
  archive: string;
  quarantine: string;
}

export interface StageContext<Settings> {
  runId: string;
  pipelineName: string;
  /** The practice the pipeline runs for (its "practice"); absent: every practice's data. */
  practiceId?: string;
  /** Position of this stage in the pipeline, 0-based. */
  stageIndex: number;
  db: StageDatabase;
  /** "Today" for this run (--as-of, CLAIMS_NOW, the pipeline's asOf, or the system clock). */
  clock: Clock;
  /** A child logger carrying runId and stage. Never log patient data (the logger redacts the usual fields). */
  logger: Logger;
  folders: Folders;
  /** Absolute folder of the pipeline file: settings naming files (payer profiles) are relative to it. */
  pipelineDir: string;
  /** A path from the settings, resolved against the pipeline file's folder (absolute paths unchanged). */
  resolvePath(relative: string): string;
  settings: Settings;
  /** Aborted on SIGINT/SIGTERM: finish the current input, then return. The runner stops pulling too. */
  signal: AbortSignal;
  /** Regular files in the inbox, sorted by name; optionally only those matching one of the globs (`*.835`). */
  inboxFiles(patterns?: readonly string[]): Promise<string[]>;
}

export interface Stage<Settings = unknown> {
  /** The name pipeline files use (`ledger-snapshot`, later `submit`, `ingest`, `statements`...). */
  name: string;
  /** One line for documentation and `claims run --help`. */
  summary: string;
  /** Validates the stage's `settings` in a pipeline file; becomes part of schemas/pipeline.schema.json. */
  settings: z.ZodType<Settings>;
  /** Yields one outcome per input, each after that input's data is committed. */
  run(ctx: StageContext<Settings>): AsyncIterable<InputOutcome>;
}

/** Helper so a stage module gets its settings type inferred: `export const x = defineStage({...})`. */
export function defineStage<Schema extends z.ZodType>(stage: {
  name: string;
  summary: string;
  settings: Schema;
  run(ctx: StageContext<z.output<Schema>>): AsyncIterable<InputOutcome>;
}): Stage<z.output<Schema>> {
  // A schema's output type is its parse result; TypeScript cannot see that through the generic.
  return stage as unknown as Stage<z.output<Schema>>;
}
