// What a run leaves behind: the run, its stages and every input outcome, as plain data; how outcomes add
// up to a stage status, a run status and an exit code; and the store the runner writes them through
// (run-store-pg.ts in production). Pure.
import { ExitCode } from '../common/errors.ts';
import { INPUT_STATUSES, type InputOutcome, type InputStatus, type ReasonJson } from './stage.ts';

/** `rejected`: finished, but some input was quarantined (exit 3). `abandoned`: its process died. */
export const RUN_STATUSES = ['running', 'done', 'rejected', 'failed', 'interrupted', 'abandoned'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
export const STAGE_STATUSES = ['running', 'done', 'rejected', 'failed', 'interrupted', 'not_run'] as const;
export type StageStatus = (typeof STAGE_STATUSES)[number];

export type OutcomeCounts = Record<InputStatus, number>;

export interface InputRecord {
  seq: number;
  input: string;
  status: InputStatus;
  /** sha256 of the file the outcome disposed of, when it named one. */
  fileSha256?: string;
  /** Where the runner moved that file (absolute), if it moved it. */
  movedTo?: string;
  reasons: ReasonJson[];
  counts: Record<string, number | bigint>;
  detail: Record<string, unknown>;
}

export interface StageRecord {
  index: number;
  name: string;
  status: StageStatus;
  outcomes: OutcomeCounts;
  /** Sums of the inputs' `counts`. */
  counts: Record<string, number>;
  inputs: InputRecord[];
  error?: ReasonJson;
}

export interface PickupRecord {
  /** Files copied into the inbox by this run. */
  copied: string[];
  /** Files in pickup folders that an earlier run already copied. */
  alreadyPickedUp: number;
  /**
   * Inputs given a safe name before the stages (picked up, or found in the inbox): their names held control
   * characters (input-names.ts). `from` as found, `to` as the stages and the archive know it.
   */
  renamed?: { from: string; to: string }[];
}

export interface RunRecord {
  runId: string;
  pipeline: string;
  pipelineFile: string;
  asOf: string;
  /** The practice the run was for (the pipeline's "practice"); absent: the whole office. */
  practiceId?: string;
  status: RunStatus;
  pickup: PickupRecord;
  stages: StageRecord[];
  /** Input files still in the inbox at the end: no stage took them, or they failed and wait for a rerun. */
  leftInInbox: string[];
  /**
   * Inbox files picked up for a later scheduled date (by a run of that date that was interrupted): the
   * stages of this run do not see them; their own date takes them.
   */
  heldForLater?: { file: string; asOf: string }[];
  /** Runs of this pipeline found `running` with no live process, marked abandoned by this run. */
  abandonedRuns: string[];
  /** Runs found unfinished that had lost the database: recorded failed with their error by this run. */
  failedRuns?: string[];
  error?: ReasonJson;
}

export function emptyOutcomeCounts(): OutcomeCounts {
  return Object.fromEntries(INPUT_STATUSES.map((s) => [s, 0])) as OutcomeCounts;
}

/** Sums counts into `into`. Stages may count cents as bigint; those are summed exactly while they fit. */
export function addCounts(into: Record<string, number>, more: Record<string, number | bigint> | undefined): void {
  if (!more) return;
  for (const [k, v] of Object.entries(more)) {
    const n = typeof v === 'bigint' && v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(v) : v;
    if (typeof n === 'number' && Number.isFinite(n)) into[k] = (into[k] ?? 0) + n;
  }
}

/** A stage's status from its outcomes: a failed input fails it, a quarantined one makes it rejected. */
export function stageStatusOf(outcomes: OutcomeCounts, threw: boolean, interrupted: boolean): StageStatus {
  if (threw || outcomes.failed > 0) return 'failed';
  if (interrupted) return 'interrupted';
  if (outcomes.quarantined > 0) return 'rejected';
  return 'done';
}

export function runStatusOf(stages: readonly StageRecord[], interrupted: boolean): RunStatus {
  if (interrupted || stages.some((s) => s.status === 'interrupted')) return 'interrupted';
  if (stages.some((s) => s.status === 'failed')) return 'failed';
  if (stages.some((s) => s.status === 'rejected')) return 'rejected';
  return 'done';
}

/** 0 done, 3 done but something was quarantined, 1 failed or interrupted (the job did not finish). */
export function exitCodeOf(status: RunStatus): number {
  switch (status) {
    case 'done':
      return ExitCode.ok;
    case 'rejected':
      return ExitCode.rejected;
    default:
      return ExitCode.failed;
  }
}

/** Checks an outcome a stage yielded; a malformed one is a bug in the stage, reported as such. */
export function outcomeProblem(outcome: InputOutcome): string | undefined {
  if (typeof outcome !== 'object' || outcome === null) return 'outcome is not an object';
  if (typeof outcome.input !== 'string' || outcome.input === '') return 'outcome.input must be a non-empty string';
  if (!(INPUT_STATUSES as readonly string[]).includes(outcome.status)) return `unknown outcome status ${JSON.stringify(outcome.status)}`;
  return undefined;
}

export interface NewRun {
  pipeline: string;
  pipelineFile: string;
  pipelineSha256: string;
  asOf: string;
  /** The practice the run is for; absent: the whole office. */
  practiceId?: string;
}

/** Where the runner keeps run records. Postgres in production (run-store-pg.ts). */
export interface ScheduleHistory {
  latest?: { asOf: string; status: RunStatus };
  finished: string[];
}

export interface RunStore {
  /**
   * Take the pipeline's run lock (one run of a pipeline name at a time; throws PIPELINE_BUSY), mark runs
   * left `running` by dead processes as abandoned, and insert the run.
   */
  begin(run: NewRun): Promise<{ runId: string; abandonedRuns: string[] }>;
  startStage(runId: string, index: number, name: string, settings: unknown): Promise<void>;
  recordInput(runId: string, index: number, input: InputRecord): Promise<void>;
  finishStage(runId: string, stage: StageRecord): Promise<void>;
  /** Writes the final status and releases the lock. Safe to call once, also after a failure. */
  finish(runId: string, status: RunStatus, totals: Record<string, number>, error?: ReasonJson): Promise<void>;
  /** Has this pipeline copied a file with this content from a pickup folder before? */
  pickedUp(pipeline: string, sha256: string): Promise<boolean>;
  recordPickup(pipeline: string, sha256: string, source: string, inboxName: string, runId: string): Promise<void>;
  /**
   * The business date each of these inbox names was last picked up for (the as-of date of the run that
   * copied it in). Names not picked up by this pipeline (put in the inbox by hand) are absent.
   */
  pickupDates(pipeline: string, inboxNames: readonly string[]): Promise<Map<string, string>>;
  /** The pipeline's latest run, and the dates that have a finished (done or rejected) run: where a schedule resumes. */
  scheduleHistory(pipeline: string): Promise<ScheduleHistory>;
  /** A run found unfinished that left a failure note: failed, with the error it could not record itself. */
  recordFailed(runId: string, error: ReasonJson): Promise<void>;
  /** Release the lock without finishing (begin succeeded but the caller is giving up). */
  release(): Promise<void>;
}
