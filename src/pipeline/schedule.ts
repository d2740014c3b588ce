// Schedules: a pipeline file may list business dates (`schedule`), and `claims run` then runs the pipeline
// once per date, in order, each as its own run with its own record and "today", up to the date it is asked
// to run through. Catching up is what a nightly needs after a missed night (or a demo that walks an account
// from its first statement to collections). Each date adds its own pickup folders to the pipeline's, so a
// drop dated in August is not picked up by the March run. Stages are idempotent, so a rerun of the schedule
// finds everything done: every date reports duplicates and nothing new.
// The date arithmetic and the exit code are pure; runSchedule only sequences runPipeline.
import { fixedClock } from '../common/clock.ts';
import { ExitCode } from '../common/errors.ts';
import type { LoadedPipeline } from './pipeline-load.ts';
import { exitCodeOf, type RunRecord } from './run-record.ts';
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
  const runs: RunRecord[] = [];
  const notRun: string[] = [];
  for (const date of dates) {
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
  return { through, runs, notRun, exitCode: worstExitCode(codes) };
}
