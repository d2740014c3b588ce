-- 0002_runs: run records. One row per `claims run` (runs), per stage of it (run_stages) and per input a
-- stage reported on (run_inputs), plus the files a pipeline has copied in from its pickup folders
-- (run_pickups) so each is picked up once. Written by src/pipeline/run-store-pg.ts.
-- Timestamps are operational (when the run really happened, from the database clock); as_of is the
-- business date the run worked for (--as-of, CLAIMS_NOW, the pipeline's asOf, or today).

CREATE TABLE runs (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  pipeline_name text NOT NULL CHECK (pipeline_name <> ''),
  pipeline_file text NOT NULL,
  pipeline_sha256 text NOT NULL CHECK (pipeline_sha256 ~ '^[0-9a-f]{64}$'),
  as_of date NOT NULL,
  status text NOT NULL DEFAULT 'running'
    CHECK (status IN ('running', 'done', 'rejected', 'failed', 'interrupted', 'abandoned')),
  started_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  finished_at timestamptz,
  -- Outcomes per status summed over the stages, and files picked up: {"done": 3, "quarantined": 1, ...}
  totals jsonb NOT NULL DEFAULT '{}',
  error jsonb,
  CHECK ((status = 'running') = (finished_at IS NULL))
);
-- One run of a pipeline at a time (the runner also holds an advisory lock; this catches anything else).
CREATE UNIQUE INDEX runs_one_running ON runs (pipeline_name) WHERE status = 'running';
CREATE INDEX runs_by_pipeline ON runs (pipeline_name, id DESC);

CREATE TABLE run_stages (
  run_id bigint NOT NULL REFERENCES runs (id),
  stage_index integer NOT NULL CHECK (stage_index >= 0),
  stage_name text NOT NULL,
  settings jsonb,
  status text NOT NULL DEFAULT 'running'
    CHECK (status IN ('running', 'done', 'rejected', 'failed', 'interrupted', 'not_run')),
  started_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  finished_at timestamptz,
  -- Outcomes per status: {"done": 2, "duplicate": 0, "quarantined": 1, "failed": 0, "skipped": 0}
  outcomes jsonb NOT NULL DEFAULT '{}',
  -- Sums of the inputs' counts: {"remittances": 4, "entryLines": 120}
  counts jsonb NOT NULL DEFAULT '{}',
  error jsonb,
  PRIMARY KEY (run_id, stage_index)
);

CREATE TABLE run_inputs (
  run_id bigint NOT NULL,
  stage_index integer NOT NULL,
  seq integer NOT NULL CHECK (seq >= 0),
  input text NOT NULL,
  status text NOT NULL CHECK (status IN ('done', 'duplicate', 'quarantined', 'failed', 'skipped')),
  -- The file the outcome disposed of, and where it went (archive or quarantine path).
  file_sha256 text CHECK (file_sha256 ~ '^[0-9a-f]{64}$'),
  moved_to text,
  reasons jsonb NOT NULL DEFAULT '[]',
  counts jsonb NOT NULL DEFAULT '{}',
  detail jsonb NOT NULL DEFAULT '{}',
  recorded_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  PRIMARY KEY (run_id, stage_index, seq),
  FOREIGN KEY (run_id, stage_index) REFERENCES run_stages (run_id, stage_index)
);
-- "Which runs saw this file?" for an analyst holding a file.
CREATE INDEX run_inputs_by_file ON run_inputs (file_sha256) WHERE file_sha256 IS NOT NULL;

CREATE TABLE run_pickups (
  pipeline_name text NOT NULL,
  file_sha256 text NOT NULL CHECK (file_sha256 ~ '^[0-9a-f]{64}$'),
  -- Relative to the pipeline file, as the pipeline names its pickup folders.
  source_path text NOT NULL,
  inbox_name text NOT NULL,
  run_id bigint NOT NULL REFERENCES runs (id),
  picked_up_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  PRIMARY KEY (pipeline_name, file_sha256)
);
