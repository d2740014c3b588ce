// SQL of the run records (schemas/db/0002_runs.sql), as named constants. Parameters are always bound.

export const RELAXED_COMMIT_SQL = 'SET synchronous_commit = off';
export const STRICT_COMMIT_SQL = 'SET synchronous_commit = on';
export const RESET_COMMIT_SQL = 'RESET synchronous_commit';
export const TRY_RUN_LOCK_SQL = 'SELECT pg_try_advisory_lock($1::int, hashtext($2)) AS locked';
export const RELEASE_RUN_LOCK_SQL = 'SELECT pg_advisory_unlock($1::int, hashtext($2))';
export const ABANDON_RUNS_SQL = `
UPDATE runs SET status = 'abandoned', finished_at = clock_timestamp(),
  error = jsonb_build_object('code', 'RUN_ABANDONED', 'message', 'the process running it stopped before it finished')
WHERE pipeline_name = $1 AND status = 'running'
RETURNING id::text`;
export const INSERT_RUN_SQL = `
INSERT INTO runs (pipeline_name, pipeline_file, pipeline_sha256, as_of, practice_id)
VALUES ($1, $2, $3, $4::date, $5) RETURNING id::text`;
export const INSERT_STAGE_SQL = `
INSERT INTO run_stages (run_id, stage_index, stage_name, settings) VALUES ($1, $2, $3, $4::jsonb)`;
export const INSERT_INPUT_SQL = `
INSERT INTO run_inputs (run_id, stage_index, seq, input, status, file_sha256, moved_to, reasons, counts, detail)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9::jsonb, $10::jsonb)`;
export const FINISH_STAGE_SQL = `
UPDATE run_stages SET status = $3, finished_at = clock_timestamp(), outcomes = $4::jsonb, counts = $5::jsonb, error = $6::jsonb
WHERE run_id = $1 AND stage_index = $2`;
export const FINISH_RUN_SQL = `
UPDATE runs SET status = $2, finished_at = clock_timestamp(), totals = $3::jsonb, error = $4::jsonb WHERE id = $1`;
export const PICKED_UP_SQL = 'SELECT 1 FROM run_pickups WHERE pipeline_name = $1 AND file_sha256 = $2';
export const INSERT_PICKUP_SQL = `
INSERT INTO run_pickups (pipeline_name, file_sha256, source_path, inbox_name, run_id)
VALUES ($1, $2, $3, $4, $5) ON CONFLICT (pipeline_name, file_sha256) DO NOTHING`;
export const PICKUP_DATES_SQL = `
SELECT DISTINCT ON (p.inbox_name) p.inbox_name, to_char(r.as_of, 'YYYY-MM-DD') AS as_of
FROM run_pickups p JOIN runs r ON r.id = p.run_id
WHERE p.pipeline_name = $1 AND p.inbox_name = ANY($2::text[])
ORDER BY p.inbox_name, p.picked_up_at DESC`;
export const LATEST_RUN_SQL = `
SELECT to_char(as_of, 'YYYY-MM-DD') AS as_of, status FROM runs WHERE pipeline_name = $1 ORDER BY id DESC LIMIT 1`;
export const FINISHED_DATES_SQL = `
SELECT DISTINCT to_char(as_of, 'YYYY-MM-DD') AS as_of FROM runs
WHERE pipeline_name = $1 AND status IN ('done', 'rejected') ORDER BY 1`;
export const RECORD_FAILED_SQL = `
UPDATE runs SET status = 'failed', error = $2::jsonb WHERE id = $1 AND status = 'abandoned'`;
