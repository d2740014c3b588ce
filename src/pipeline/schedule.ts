// Schedules: a pipeline file may list business dates (`schedule`), and `claims run` then runs the pipeline
// once per date, in order, each as its own run with its own record and "today", up to the date it is asked
// to run through. Catching up is what a nightly needs after a missed night (or a demo that walks an account
// from its first statement to collections). Each date adds its own pickup folders to the pipeline's, so a
// drop dated in August is not picked up by the March run. Stages are idempotent, so a rerun of the schedule
// finds everything done: every date reports duplicates and nothing new.
// An interrupted schedule resumes at the date it was interrupted in (datesToSkip), and a date's stages never
// see files picked up for a later date (runner.ts): each date sees only its own inputs, however often the
// schedule was stopped. The date arithmetic and the exit code are pure; runSchedule only sequences runPipeline.
import { fixedClock } from '../common/clock.ts';
import { ExitCode } from '../common/errors.ts';
import type { LoadedPipeline } from './pipeline-load.ts';
import { exitCodeOf, type RunRecord, type ScheduleHistory } from './run-record.ts';
import { runPipeline, type RunRequest } from './runner.ts';

export interface ScheduledDate {
  asOf: string;
  /** Absolute pickup folders for this date: the pipeline's, then the date's own. */
  pickup: string[];
}

/** The scheduled dates on or before `through`, in order, each with its pickup folders. */
export function dueDates(pipeline: Pick<LoadedPipeline, 'pickup' | 'schedule'>, through: string): ScheduledDate[] {
  return pipeline.schedule
    .filter((e) => e.asOf <= through)
    .map((e) => ({ asOf: e.asOf, pickup: [...pipeline.pickup, ...e.pickup.filter((p) => !pipeline.pickup.includes(p))] }));
}

/** The worst of several exit codes: failed (1) over rejected (3) over done (0); usage (2) counts as failed. */
export function worstExitCode(codes: readonly number[]): number {
  if (codes.some((c) => c !== ExitCode.ok && c !== ExitCode.rejected)) return ExitCode.failed;
  if (codes.includes(ExitCode.rejected)) return ExitCode.rejected;
  return ExitCode.ok;
}

/**
 * Where a schedule starts. When the pipeline's latest run did not finish (interrupted, failed, killed), the
 * schedule resumes at that run's date: the dates before it that already have a finished run are not run
 * again (a replay would hand them the later date's files already in the inbox, and add run records an
 * uninterrupted schedule never has). When the latest run finished, every due date runs again and finds
 * nothing new (decision 0023).
 */
export function datesToSkip(dates: readonly ScheduledDate[], history: ScheduleHistory): string[] {
  const latest = history.latest;
  if (latest === undefined || latest.status === 'done' || latest.status === 'rejected') return [];
  const finished = new Set(history.finished);
  return dates.filter((d) => d.asOf < latest.asOf && finished.has(d.asOf)).map((d) => d.asOf);
}

/** A run that did not finish its work: the dates after it would build on a hole, so they wait. */
function stopsTheSchedule(run: RunRecord): boolean {
  return run.status !== 'done' && run.status !== 'rejected';
}

export interface ScheduleResult {
  through: string;
  /** One record per date run, in order. */
  runs: RunRecord[];
  /** Due dates not run because an earlier date failed or the run was interrupted. */
  notRun: string[];
  /** Due dates not run again: finished before the interrupted date this schedule resumed at. */
  alreadyRun: string[];
  exitCode: number;
}

/**
 * Run every due date in order, each with a clock fixed at that date. Stops after a date that failed or was
 * interrupted (the later dates are reported as not run; the next `claims run` retries from there on).
 */
export async function runSchedule(
  req: Omit<RunRequest, 'clock' | 'pickup'>, through: string,
  hooks: { afterRun?: (run: RunRecord) => void } = {},
): Promise<ScheduleResult> {
  const dates = dueDates(req.pipeline, through);
  const alreadyRun = datesToSkip(dates, await req.store.scheduleHistory(req.pipeline.definition.name));
  const runs: RunRecord[] = [];
  const notRun: string[] = [];
  for (const date of dates) {
    if (alreadyRun.includes(date.asOf)) continue;
    if (req.signal.aborted || (runs.length > 0 && stopsTheSchedule(runs.at(-1)!))) {
      notRun.push(date.asOf);
      continue;
    }
    const run = await runPipeline({ ...req, clock: fixedClock(date.asOf), pickup: date.pickup });
    runs.push(run);
    hooks.afterRun?.(run);
  }
  const codes = runs.map((r) => exitCodeOf(r.status));
  if (notRun.length > 0) codes.push(ExitCode.failed);
  return { through, runs, notRun, alreadyRun, exitCode: worstExitCode(codes) };
}
