// The end-of-run summary: a readable table for a terminal, or JSON for a scheduler (--json). Pure.
// Paths are shown relative to the pipeline file's folder, so the same run prints the same on any machine.
import { ExitCode } from '../common/errors.ts';
import { exitCodeOf, type RunRecord, type StageRecord } from './run-record.ts';
import type { ReasonJson } from './stage.ts';

export interface SummaryOptions {
  /** Makes absolute paths relative for display (the pipeline file's folder). */
  relativeTo: (absolute: string) => string;
}

export interface RunSummaryJson {
  runId: string;
  pipeline: string;
  asOf: string;
  status: RunRecord['status'];
  exitCode: number;
  pickup: RunRecord['pickup'];
  stages: {
    name: string;
    status: StageRecord['status'];
    outcomes: StageRecord['outcomes'];
    counts: StageRecord['counts'];
    inputs: { input: string; status: string; movedTo?: string; reasons?: ReasonJson[]; detail?: Record<string, unknown> }[];
    error?: ReasonJson;
  }[];
  leftInInbox: string[];
  heldForLater?: { file: string; asOf: string }[];
  abandonedRuns: string[];
  failedRuns?: string[];
  error?: ReasonJson;
}

export function summaryJson(run: RunRecord, opts: SummaryOptions): RunSummaryJson {
  return {
    runId: run.runId,
    pipeline: run.pipeline,
    asOf: run.asOf,
    ...(run.practiceId !== undefined && { practiceId: run.practiceId }),
    status: run.status,
    exitCode: exitCodeOf(run.status),
    pickup: run.pickup,
    stages: run.stages.map((s) => ({
      name: s.name,
      status: s.status,
      outcomes: s.outcomes,
      counts: s.counts,
      inputs: s.inputs.map((i) => ({
        input: i.input,
        status: i.status,
        ...(i.movedTo !== undefined && { movedTo: opts.relativeTo(i.movedTo) }),
        ...(i.reasons.length > 0 && { reasons: i.reasons }),
        ...(Object.keys(i.detail).length > 0 && { detail: i.detail }),
      })),
      ...(s.error && { error: s.error }),
    })),
    leftInInbox: run.leftInInbox,
    ...(run.heldForLater && { heldForLater: run.heldForLater }),
    abandonedRuns: run.abandonedRuns,
    ...(run.failedRuns && { failedRuns: run.failedRuns }),
    ...(run.error && { error: run.error }),
  };
}

const STATUS_WORDS: Record<RunRecord['status'], string> = {
  running: 'still running',
  done: 'done',
  rejected: 'done, but some input was quarantined',
  failed: 'FAILED',
  interrupted: 'interrupted (finished the input in hand, then stopped)',
  abandoned: 'abandoned',
};

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => r.map((cell, c) => (c === 0 || c === 1 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ').trimEnd());
}

function firstReason(reasons: readonly ReasonJson[]): string {
  const r = reasons[0];
  if (!r) return '';
  const more = reasons.length > 1 ? ` (+${reasons.length - 1} more)` : '';
  return `${r.code}: ${r.message.split('\n')[0]}${more}`;
}

export function summaryText(run: RunRecord, opts: SummaryOptions): string {
  const out: string[] = [];
  out.push(`Run ${run.runId} of ${run.pipeline}${run.practiceId !== undefined ? ` for practice ${run.practiceId}` : ''}, as of ${run.asOf}: ${STATUS_WORDS[run.status]}`);
  const p = run.pickup;
  if (p.copied.length > 0 || p.alreadyPickedUp > 0) {
    out.push(`Picked up ${p.copied.length} new file${p.copied.length === 1 ? '' : 's'} (${p.alreadyPickedUp} picked up before)`);
  }
  // The name as found is shown escaped: printed raw, its newline would break the summary it is in.
  for (const r of p.renamed ?? []) out.push(`Renamed ${JSON.stringify(r.from)} to ${r.to}: its name held control characters`);
  out.push('');
  const rows = [['stage', 'status', 'done', 'duplicate', 'quarantined', 'failed', 'skipped']];
  for (const s of run.stages) {
    const o = s.outcomes;
    rows.push([s.name, s.status, ...[o.done, o.duplicate, o.quarantined, o.failed, o.skipped].map(String)]);
  }
  out.push(...table(rows));
  const problems = run.stages.flatMap((s) =>
    s.inputs.filter((i) => i.status === 'quarantined' || i.status === 'failed').map((i) => ({ stage: s.name, i })),
  );
  if (problems.length > 0) {
    out.push('', 'Not accepted:');
    for (const { stage, i } of problems) {
      const where = i.movedTo ? ` -> ${opts.relativeTo(i.movedTo)}` : ' (left in the inbox)';
      out.push(`  ${stage}  ${i.input}  ${i.status}${where}`, `    ${firstReason(i.reasons)}`);
    }
  }
  const stageErrors = run.stages.filter((s) => s.error);
  for (const s of stageErrors) out.push('', `Stage ${s.name} ${s.status}: ${firstReason([s.error!])}`);
  if (run.error) out.push('', `Run failed: ${firstReason([run.error])}`);
  if (run.leftInInbox.length > 0) {
    const shown = run.leftInInbox.slice(0, 10).join(', ');
    const more = run.leftInInbox.length > 10 ? `, and ${run.leftInInbox.length - 10} more` : '';
    out.push('', `Left in the inbox: ${run.leftInInbox.length} (${shown}${more})`);
  }
  if (run.heldForLater && run.heldForLater.length > 0) {
    const shown = run.heldForLater.slice(0, 10).map((h) => `${h.file} (${h.asOf})`).join(', ');
    const more = run.heldForLater.length > 10 ? `, and ${run.heldForLater.length - 10} more` : '';
    out.push('', `Held for a later date: ${run.heldForLater.length} (${shown}${more})`);
  }
  if (run.failedRuns && run.failedRuns.length > 0) out.push('', `Earlier runs that lost the database, recorded failed: ${run.failedRuns.join(', ')}`);
  if (run.abandonedRuns.length > 0) out.push('', `Earlier runs found unfinished and marked abandoned: ${run.abandonedRuns.join(', ')}`);
  out.push('', `Exit ${exitCodeOf(run.status)}`);
  return out.join('\n') + '\n';
}

export interface ScheduleSummaryInput {
  pipeline: string;
  through: string;
  runs: readonly RunRecord[];
  notRun: readonly string[];
  alreadyRun?: readonly string[];
  exitCode: number;
}

export interface ScheduleSummaryJson {
  pipeline: string;
  through: string;
  exitCode: number;
  runs: RunSummaryJson[];
  notRun: string[];
  /** Dates finished before the interrupted date this schedule resumed at: not run again. */
  alreadyRun: string[];
}

export function scheduleSummaryJson(s: ScheduleSummaryInput, opts: SummaryOptions): ScheduleSummaryJson {
  return { pipeline: s.pipeline, through: s.through, exitCode: s.exitCode, runs: s.runs.map((r) => summaryJson(r, opts)), notRun: [...s.notRun], alreadyRun: [...(s.alreadyRun ?? [])] };
}

/** The closing table of a schedule: one row per date, with what each run settled. */
export function scheduleSummaryText(s: ScheduleSummaryInput): string {
  const out: string[] = [];
  const alreadyRun = s.alreadyRun ?? [];
  const dates = s.runs.length + s.notRun.length + alreadyRun.length;
  out.push(`Schedule of ${s.pipeline}: ${dates} date${dates === 1 ? '' : 's'} due by ${s.through}`);
  if (dates === 0) {
    out.push('', `No scheduled date on or before ${s.through}: nothing to run.`, '', `Exit ${s.exitCode}`);
    return out.join('\n') + '\n';
  }
  out.push('');
  const rows = [['as of', 'run', 'picked up', 'done', 'duplicate', 'quarantined', 'failed', 'status']];
  for (const d of alreadyRun) rows.push([d, '-', '-', '-', '-', '-', '-', 'already run (the schedule resumed at an interrupted date)']);
  for (const r of s.runs) {
    const t = { done: 0, duplicate: 0, quarantined: 0, failed: 0 };
    for (const st of r.stages) for (const k of Object.keys(t) as (keyof typeof t)[]) t[k] += st.outcomes[k];
    rows.push([r.asOf, r.runId, String(r.pickup.copied.length), String(t.done), String(t.duplicate), String(t.quarantined), String(t.failed), STATUS_WORDS[r.status]]);
  }
  for (const d of s.notRun) rows.push([d, '-', '-', '-', '-', '-', '-', 'not run (an earlier date did not finish)']);
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  // Dates and run ids read left to right; counts line up on the right; the status is free text at the end.
  for (const r of rows) out.push(r.map((cell, c) => (c <= 1 || c === 7 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ').trimEnd());
  const why = s.exitCode === ExitCode.rejected ? ': some input was quarantined or rejected, see "Not accepted" above' : '';
  out.push('', `Exit ${s.exitCode}${s.runs.length > 1 ? ` (the worst of the dates${why})` : why}`);
  return out.join('\n') + '\n';
}
