-- The date an inbox file belongs to: a scheduled date's stages see only the files picked up for it or an
-- earlier date (src/pipeline/runner.ts), so a rerun after an interruption never feeds an earlier date the
-- files of a later one. The date is the as-of date of the run that copied the file in (run_pickups.run_id);
-- this index finds the latest pickup of each name in the inbox.
CREATE INDEX run_pickups_by_inbox_name ON run_pickups (pipeline_name, inbox_name, picked_up_at DESC);
