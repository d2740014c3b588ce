// Run records in Postgres (schemas/db/0002_runs.sql). One run of a pipeline at a time: the store holds a
// session advisory lock on a dedicated connection for the whole run, so a second `claims run` of the same
// pipeline fails fast (PIPELINE_BUSY) instead of processing the same inbox twice, and a run row left
// `running` by a killed process can be recognised as abandoned (its lock died with its connection).
import type { Pool, PoolClient } from 'pg';
import { ClaimsError } from '../common/errors.ts';
import type { InputRecord, NewRun, RunStatus, RunStore, ScheduleHistory, StageRecord } from './run-record.ts';
import type { ReasonJson } from './stage.ts';
import { jsonText } from '../common/json-text.ts';
import {
  ABANDON_RUNS_SQL, FINISHED_DATES_SQL, FINISH_RUN_SQL, LATEST_RUN_SQL, PICKUP_DATES_SQL, RECORD_FAILED_SQL, FINISH_STAGE_SQL, INSERT_INPUT_SQL, INSERT_PICKUP_SQL, INSERT_RUN_SQL, INSERT_STAGE_SQL, PICKED_UP_SQL,
  RELAXED_COMMIT_SQL, RELEASE_RUN_LOCK_SQL, RESET_COMMIT_SQL, STRICT_COMMIT_SQL, TRY_RUN_LOCK_SQL,
} from './sql.ts';

/** First key of the two-key advisory lock: this namespace is "pipeline runs" ('runs' in ASCII). */
const RUN_LOCK_NAMESPACE = 0x72756e73;

/** Stages report cents as bigint: run records hold them as integer JSON numbers (jsonText refuses any past 2^53). */
function json(value: unknown): string | null {
  return value === undefined ? null : jsonText(value);
}

export function createPgRunStore(pool: Pool): RunStore {
  let lockClient: PoolClient | undefined;
  let lockedPipeline: string | undefined;

  /** Writes go through the connection holding the lock (and its relaxed commit setting). */
  function writer(): PoolClient | Pool {
    return lockClient ?? pool;
  }

  async function release(): Promise<void> {
    const client = lockClient;
    if (!client) return;
    lockClient = undefined;
    try {
      await client.query(RELEASE_RUN_LOCK_SQL, [RUN_LOCK_NAMESPACE, lockedPipeline]);
      await client.query(RESET_COMMIT_SQL);
      client.release();
    } catch (err) {
      // A broken connection drops its session locks anyway; don't return it to the pool.
      client.release(err as Error);
    }
  }

  return {
    async begin(run: NewRun) {
      const client = await pool.connect();
      try {
        const { rows } = await client.query<{ locked: boolean }>(TRY_RUN_LOCK_SQL, [RUN_LOCK_NAMESPACE, run.pipeline]);
        if (!rows[0]?.locked) {
          throw new ClaimsError({
            code: 'PIPELINE_BUSY',
            message: `another run of pipeline ${run.pipeline} is in progress; try again when it has finished`,
          });
        }
      } catch (err) {
        client.release();
        throw err;
      }
      lockClient = client;
      lockedPipeline = run.pipeline;
      try {
        // Run records are bookkeeping written after the data they describe is committed: a crash that
        // loses the last few costs nothing the next run cannot see, so they need not wait for the WAL
        // flush (one fsync per input would dominate a run of small files).
        await client.query(RELAXED_COMMIT_SQL);
        const abandoned = await client.query<{ id: string }>(ABANDON_RUNS_SQL, [run.pipeline]);
        const inserted = await client.query<{ id: string }>(INSERT_RUN_SQL, [run.pipeline, run.pipelineFile, run.pipelineSha256, run.asOf, run.practiceId ?? null]);
        return { runId: inserted.rows[0]!.id, abandonedRuns: abandoned.rows.map((r) => r.id) };
      } catch (err) {
        await release();
        throw err;
      }
    },
    async startStage(runId, index, name, settings) {
      await writer().query(INSERT_STAGE_SQL, [runId, index, name, json(settings ?? null)]);
    },
    async recordInput(runId, index, input: InputRecord) {
      await writer().query(INSERT_INPUT_SQL, [
        runId, index, input.seq, input.input, input.status, input.fileSha256 ?? null, input.movedTo ?? null,
        json(input.reasons), json(input.counts), json(input.detail),
      ]);
    },
    async finishStage(runId, stage: StageRecord) {
      await writer().query(FINISH_STAGE_SQL, [runId, stage.index, stage.status, json(stage.outcomes), json(stage.counts), json(stage.error)]);
    },
    async finish(runId: string, status: RunStatus, totals: Record<string, number>, error?: ReasonJson) {
      try {
        // The run's final status is what an operator reads: this one waits for the flush.
        await writer().query(STRICT_COMMIT_SQL);
        await writer().query(FINISH_RUN_SQL, [runId, status, json(totals), json(error)]);
      } finally {
        await release();
      }
    },
    async pickedUp(pipeline, sha256) {
      const { rowCount } = await writer().query(PICKED_UP_SQL, [pipeline, sha256]);
      return (rowCount ?? 0) > 0;
    },
    async recordPickup(pipeline, sha256, source, inboxName, runId) {
      await writer().query(INSERT_PICKUP_SQL, [pipeline, sha256, source, inboxName, runId]);
    },
    async recordFailed(runId, error) {
      await writer().query(RECORD_FAILED_SQL, [runId, json(error)]);
    },
    async pickupDates(pipeline, inboxNames) {
      if (inboxNames.length === 0) return new Map();
      const { rows } = await writer().query<{ inbox_name: string; as_of: string }>(PICKUP_DATES_SQL, [pipeline, inboxNames]);
      return new Map(rows.map((r) => [r.inbox_name, r.as_of]));
    },
    async scheduleHistory(pipeline): Promise<ScheduleHistory> {
      const latest = await pool.query<{ as_of: string; status: RunStatus }>(LATEST_RUN_SQL, [pipeline]);
      const finished = await pool.query<{ as_of: string }>(FINISHED_DATES_SQL, [pipeline]);
      const row = latest.rows[0];
      return { ...(row && { latest: { asOf: row.as_of, status: row.status } }), finished: finished.rows.map((r) => r.as_of) };
    },
    release,
  };
}
