// The runner: one `claims run`. Takes the pipeline's lock, copies new files from pickup folders into the
// inbox, runs the stages in order, moves each input file as its outcome says (archive only after the stage
// reported the data committed; quarantine with a report), records everything, and returns the run record.
// A bad input never stops the batch; a stage that throws stops the stages after it; SIGINT finishes the
// current input, then records the run as interrupted.
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Clock } from '../common/clock.ts';
import { toClaimsError } from '../common/errors.ts';
import { failpoint } from '../runtime/failpoints.ts';
import type { Logger } from '../runtime/logger.ts';
import { archiveFile, ensureFolders, foldersOpenToOthers, listInputFiles, quarantineFile } from './folders.ts';
import { assertWritable, explainWriteError } from './folder-access.ts';
import { renameUnsafeInputs, safeInputName } from './input-names.ts';
import { moveIntoFolder, sha256File } from '../common/files.ts';
import type { LoadedPipeline } from './pipeline-load.ts';
import {
  addCounts, emptyOutcomeCounts, outcomeProblem, runStatusOf, stageStatusOf,
  type InputRecord, type PickupRecord, type RunRecord, type RunStore, type StageRecord,
} from './run-record.ts';
import type { InputOutcome, ReasonJson, Stage, StageContext, StageDatabase } from './stage.ts';

export interface RunRequest {
  pipeline: LoadedPipeline;
  /** The registry the pipeline file was validated against. */
  stages: readonly Stage[];
  store: RunStore;
  db: StageDatabase;
  clock: Clock;
  logger: Logger;
  signal: AbortSignal;
  /** The pickup folders of this run (a scheduled date adds its own); default: the pipeline's. */
  pickup?: readonly string[];
}

function reason(err: unknown): ReasonJson {
  return toClaimsError(err).toJSON() as unknown as ReasonJson;
}

function isInside(dir: string, file: string): boolean {
  const rel = path.relative(dir, file);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel) && !rel.includes(path.sep);
}

const STAGING_SUFFIX = '.pickup';

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Half-copied pickups (`.NAME.PID.pickup`) of processes that were killed: the file is copied again. */
async function removeDeadStagingFiles(inbox: string): Promise<void> {
  for (const entry of await fs.readdir(inbox)) {
    const m = /^\..+\.(\d+)\.pickup$/.exec(entry);
    if (m && Number(m[1]) !== process.pid && !processAlive(Number(m[1]))) await fs.rm(path.join(inbox, entry), { force: true });
  }
}

/**
 * Copy files not seen before from the pickup folders into the inbox. Copy first, then record: a crash in
 * between copies the file again next time, and the stage then reports it as a duplicate; the other order
 * could lose a file.
 */
async function pickUp(req: RunRequest, runId: string, log: Logger): Promise<PickupRecord> {
  const record: PickupRecord = { copied: [], alreadyPickedUp: 0 };
  const { pipeline, store } = req;
  await removeDeadStagingFiles(pipeline.folders.inbox);
  for (const dir of req.pickup ?? pipeline.pickup) {
    let files: string[];
    try {
      files = await listInputFiles(dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        log.warn({ pickup: dir }, 'pickup folder does not exist');
        continue;
      }
      throw err;
    }
    for (const file of files) {
      if (req.signal.aborted) return record;
      const sha256 = await sha256File(file);
      if (await store.pickedUp(pipeline.definition.name, sha256)) {
        record.alreadyPickedUp++;
        continue;
      }
      // Copy under a hidden name of this process first (stages skip hidden files), then move in without
      // clobbering. Killed after the move but before the record, the rerun copies the file again and the move
      // finds the same content under the name: it keeps that one and the record is written then.
      const name = safeInputName(path.basename(file));
      const staging = path.join(pipeline.folders.inbox, `.${name}.${process.pid}${STAGING_SUFFIX}`);
      await fs.copyFile(file, staging);
      const moved = await moveIntoFolder(staging, pipeline.folders.inbox, { ownerOnly: true, name });
      const inboxName = path.basename(moved.path);
      failpoint('run.pickup.after-copy');
      if (name !== path.basename(file)) (record.renamed ??= []).push({ from: path.basename(file), to: inboxName });
      await store.recordPickup(pipeline.definition.name, sha256, path.relative(path.dirname(pipeline.file), file), inboxName, runId);
      record.copied.push(inboxName);
    }
  }
  return record;
}

async function dispose(
  req: RunRequest, outcome: InputOutcome, stageName: string, runId: string, asOf: string,
): Promise<Pick<InputRecord, 'fileSha256' | 'movedTo'>> {
  const file = outcome.file;
  if (file === undefined) return {};
  const { folders } = req.pipeline;
  if (!isInside(folders.inbox, file)) {
    throw toClaimsError(new Error(`stage ${stageName} reported a file outside the inbox: ${file}`));
  }
  if (outcome.status === 'done' || outcome.status === 'duplicate') {
    const moved = await archiveFile(file, folders, asOf);
    return { fileSha256: moved.sha256, movedTo: moved.path };
  }
  if (outcome.status === 'quarantined') {
    const errors = outcome.reasons && outcome.reasons.length > 0
      ? outcome.reasons
      : [{ code: 'QUARANTINED', message: `stage ${stageName} rejected the input without saying why` }];
    const moved = await quarantineFile(file, folders, {
      pipeline: req.pipeline.definition.name, runId, stage: stageName, asOf, errors,
    });
    return { fileSha256: moved.sha256, movedTo: moved.path };
  }
  return { fileSha256: await sha256File(file) };
}

async function runStage(
  req: RunRequest, runId: string, index: number, stage: Stage, settings: unknown, log: Logger, held: ReadonlyMap<string, string>,
): Promise<{ record: StageRecord; interrupted: boolean }> {
  const record: StageRecord = {
    index, name: stage.name, status: 'running', outcomes: emptyOutcomeCounts(), counts: {}, inputs: [],
  };
  const asOf = req.clock.today();
  const stageLog = log.child({ stage: stage.name });
  await req.store.startStage(runId, index, stage.name, settings);
  const ctx: StageContext<unknown> = {
    runId, pipelineName: req.pipeline.definition.name, stageIndex: index, db: req.db, clock: req.clock,
    ...(req.pipeline.definition.practice !== undefined && { practiceId: req.pipeline.definition.practice }),
    logger: stageLog, folders: req.pipeline.folders, settings, signal: req.signal,
    pipelineDir: path.dirname(req.pipeline.file),
    resolvePath: (relative) => path.resolve(path.dirname(req.pipeline.file), relative),
    inboxFiles: async (patterns) => (await listInputFiles(req.pipeline.folders.inbox, patterns)).filter((f) => !held.has(path.basename(f))),
  };
  let threw = false;
  let interrupted = false;
  const iterator = stage.run(ctx)[Symbol.asyncIterator]();
  try {
    while (true) {
      if (req.signal.aborted) {
        interrupted = true;
        break;
      }
      const next = await iterator.next();
      if (next.done) break;
      const outcome = next.value;
      const problem = outcomeProblem(outcome);
      if (problem) throw new Error(`stage ${stage.name} yielded a bad outcome: ${problem}`);
      const input: InputRecord = {
        seq: record.inputs.length, input: outcome.input, status: outcome.status,
        reasons: outcome.reasons ?? [], counts: outcome.counts ?? {}, detail: outcome.detail ?? {},
      };
      try {
        Object.assign(input, await dispose(req, outcome, stage.name, runId, asOf));
      } catch (err) {
        // The data is committed but the file could not be moved: the next run sees it again, finds it a
        // duplicate and archives it then. Until that happens the run is not clean.
        input.status = 'failed';
        input.reasons = [...input.reasons, { ...reason(err), code: 'FILE_MOVE_FAILED' }];
      }
      record.outcomes[input.status]++;
      addCounts(record.counts, input.counts);
      record.inputs.push(input);
      await req.store.recordInput(runId, index, input);
      if (input.status === 'quarantined' || input.status === 'failed') {
        stageLog.warn({ input: input.input, status: input.status, codes: input.reasons.map((r) => r.code) }, 'input not accepted');
      } else {
        stageLog.debug({ input: input.input, status: input.status }, 'input settled');
      }
    }
  } catch (caught) {
    threw = true;
    const err = await explainWriteError(caught);
    record.error = reason(err);
    stageLog.error({ err: toClaimsError(err) }, 'stage failed');
  } finally {
    if (typeof iterator.return === 'function') {
      try {
        await iterator.return(undefined);
      } catch (err) {
        if (!threw) {
          threw = true;
          record.error = reason(err);
        }
      }
    }
  }
  record.status = stageStatusOf(record.outcomes, threw, interrupted);
  await req.store.finishStage(runId, record);
  return { record, interrupted };
}

/**
 * Inbox files that a run of a later business date picked up (it was interrupted before its stages took
 * them): each date sees only its own inputs, so these wait for their date (name -> that date).
 */
async function heldForLater(req: RunRequest, asOf: string): Promise<Map<string, string>> {
  const names = (await listInputFiles(req.pipeline.folders.inbox)).map((f) => path.basename(f));
  const dates = await req.store.pickupDates(req.pipeline.definition.name, names);
  return new Map([...dates].filter(([, date]) => date > asOf));
}

const failureNote = (inbox: string, runId: string): string => path.join(inbox, `.run-${runId}.failed.json`);

/** Best effort: with the database gone the disk may be going too, and the error the user sees matters more. */
async function leaveFailureNote(inbox: string, runId: string, error: ReasonJson): Promise<void> {
  await fs.writeFile(failureNote(inbox, runId), JSON.stringify({ runId, error }), { mode: 0o600 }).catch(() => undefined);
}

/**
 * Runs just found unfinished whose process left a failure note (it lost the database): recorded as failed
 * with the error it saw, not as abandoned. Returns their ids.
 */
async function recordFailureNotes(req: RunRequest, unfinished: readonly string[]): Promise<string[]> {
  const recorded: string[] = [];
  for (const id of unfinished) {
    const note = failureNote(req.pipeline.folders.inbox, id);
    let error: ReasonJson;
    try {
      error = (JSON.parse(await fs.readFile(note, 'utf8')) as { error: ReasonJson }).error;
    } catch {
      continue;
    }
    await req.store.recordFailed(id, error);
    await fs.rm(note, { force: true });
    recorded.push(id);
  }
  return recorded;
}

/**
 * Create the folders, and make sure this process can write every one of them before any input is taken: a
 * read-only outbox found after the first stage posted would leave the run half done.
 */
async function prepareFolders(folders: RunRequest['pipeline']['folders'], log: Logger): Promise<void> {
  await ensureFolders(folders);
  await assertWritable([folders.inbox, folders.outbox, folders.archive, folders.quarantine]);
  const open = await foldersOpenToOthers(folders);
  if (open.length > 0) log.warn({ folders: open }, 'these folders hold patient data but others can read them (chmod 700)');
}

/** Run a loaded pipeline to the end (or to SIGINT) and return what happened. Throws only if the run
 * could not be started or recorded at all (database down, pipeline busy). */
export async function runPipeline(req: RunRequest): Promise<RunRecord> {
  const { pipeline, store, clock } = req;
  const asOf = clock.today();
  const begun = await store.begin({
    pipeline: pipeline.definition.name, pipelineFile: pipeline.file, pipelineSha256: pipeline.sha256, asOf,
    ...(pipeline.definition.practice !== undefined && { practiceId: pipeline.definition.practice }),
  });
  const { runId } = begun;
  const log = req.logger.child({ runId, pipeline: pipeline.definition.name });
  const failedRuns = await recordFailureNotes(req, begun.abandonedRuns);
  const abandonedRuns = begun.abandonedRuns.filter((id) => !failedRuns.includes(id));
  if (failedRuns.length > 0) log.warn({ failedRuns }, 'earlier runs that lost the database were recorded as failed, with their error');
  if (abandonedRuns.length > 0) log.warn({ abandonedRuns }, 'earlier runs left unfinished were marked abandoned');
  log.info({ asOf }, 'run started');
  const record: RunRecord = {
    runId, pipeline: pipeline.definition.name, pipelineFile: pipeline.file, asOf,
    ...(pipeline.definition.practice !== undefined && { practiceId: pipeline.definition.practice }), status: 'running',
    pickup: { copied: [], alreadyPickedUp: 0 }, stages: [], leftInInbox: [], abandonedRuns,
    ...(failedRuns.length > 0 && { failedRuns }),
  };
  let interrupted = false;
  try {
    await prepareFolders(pipeline.folders, log);
    record.pickup = await pickUp(req, runId, log);
    const renamed = [...(record.pickup.renamed ?? []), ...(await renameUnsafeInputs(pipeline.folders.inbox))];
    if (renamed.length > 0) {
      record.pickup.renamed = renamed;
      log.warn({ renamed }, 'input files renamed before the stages: their names held control characters');
    }
    const held = await heldForLater(req, asOf);
    if (held.size > 0) {
      record.heldForLater = [...held.entries()].map(([file, date]) => ({ file, asOf: date }));
      log.warn({ held: record.heldForLater }, 'inbox files picked up for a later date are left for that date');
    }
    const byName = new Map(req.stages.map((s) => [s.name, s]));
    for (const [index, entry] of pipeline.definition.stages.entries()) {
      const stage = byName.get(entry.name);
      const notRun = interrupted || req.signal.aborted || record.stages.some((s) => s.status === 'failed');
      if (!stage || notRun) {
        const skipped: StageRecord = {
          index, name: entry.name, status: 'not_run', outcomes: emptyOutcomeCounts(), counts: {}, inputs: [],
        };
        if (!stage) skipped.error = { code: 'STAGE_UNKNOWN', message: `no stage named ${entry.name}` };
        await store.startStage(runId, index, entry.name, entry.settings);
        await store.finishStage(runId, skipped);
        record.stages.push(skipped);
        continue;
      }
      failpoint('run.stage-start');
      const result = await runStage(req, runId, index, stage, entry.settings, log, held);
      record.stages.push(result.record);
      interrupted ||= result.interrupted;
    }
    record.leftInInbox = (await listInputFiles(pipeline.folders.inbox)).map((f) => path.basename(f)).filter((f) => !held.has(f));
    record.status = runStatusOf(record.stages, interrupted || req.signal.aborted);
  } catch (caught) {
    const err = await explainWriteError(caught);
    record.status = 'failed';
    record.error = reason(err);
    log.error({ err: toClaimsError(err) }, 'run failed');
  }
  const totals = emptyOutcomeCounts() as Record<string, number>;
  for (const s of record.stages) addCounts(totals, s.outcomes);
  totals.pickedUp = record.pickup.copied.length;
  try {
    await store.finish(runId, record.status, totals, record.error);
  } catch (err) {
    // The database is gone, so the run row cannot say how the run ended: a note in the inbox tells the next run.
    await leaveFailureNote(pipeline.folders.inbox, runId, record.status === 'failed' && record.error ? record.error : reason(err));
    throw err;
  }
  log.info({ status: record.status, ...totals }, 'run finished');
  return record;
}
