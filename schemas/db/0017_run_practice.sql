-- 0017_run_practice: a run may be one practice's (issue 17). A pipeline with "practice" runs for that
-- practice only: its submit refuses other practices' claims, its ingest quarantines other practices' 835s,
-- its statements and referrals take that practice's accounts. The run records whose it was; NULL is a run
-- for the whole office (every practice's data), as every run before this migration was.

ALTER TABLE runs ADD COLUMN practice_id text REFERENCES practices (id);
CREATE INDEX runs_by_practice ON runs (practice_id, id DESC) WHERE practice_id IS NOT NULL;

-- An analyst bound to practices sees the office's runs and its own practices' runs, and their stages,
-- inputs and pickups; another practice's run not at all (its inputs name that practice's files).
ALTER TABLE runs ENABLE ROW LEVEL SECURITY;
CREATE POLICY practice_read ON runs FOR SELECT USING (
  practice_id IS NULL OR practice_id = ANY ((SELECT claims_visible_practices(current_user))::text[]));

ALTER TABLE run_stages ENABLE ROW LEVEL SECURITY;
CREATE POLICY practice_read ON run_stages FOR SELECT USING (EXISTS (
  SELECT 1 FROM runs p WHERE p.id = run_stages.run_id
    AND (p.practice_id IS NULL OR p.practice_id = ANY ((SELECT claims_visible_practices(current_user))::text[]))));

ALTER TABLE run_inputs ENABLE ROW LEVEL SECURITY;
CREATE POLICY practice_read ON run_inputs FOR SELECT USING (EXISTS (
  SELECT 1 FROM runs p WHERE p.id = run_inputs.run_id
    AND (p.practice_id IS NULL OR p.practice_id = ANY ((SELECT claims_visible_practices(current_user))::text[]))));

ALTER TABLE run_pickups ENABLE ROW LEVEL SECURITY;
CREATE POLICY practice_read ON run_pickups FOR SELECT USING (EXISTS (
  SELECT 1 FROM runs p WHERE p.id = run_pickups.run_id
    AND (p.practice_id IS NULL OR p.practice_id = ANY ((SELECT claims_visible_practices(current_user))::text[]))));
