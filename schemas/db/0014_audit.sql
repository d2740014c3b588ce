-- 0014_audit: who read or wrote which patient's account, and when (HIPAA's audit controls, 45 CFR
-- 164.312(b)). One row per command that touched patient data: the operating-system user and the database
-- role, the command, read or write, the practice when known (issue 17), and the guarantor accounts and
-- files involved. Identifiers only: no names, no amounts, no clinical data. Append-only like the ledger
-- (the same refusal of UPDATE, DELETE and TRUNCATE): a trail that can be edited is not a trail.
-- Written by src/runtime/audit.ts; read by `claims audit`.
CREATE TABLE audit_events (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at timestamptz NOT NULL DEFAULT clock_timestamp(),
  os_user text NOT NULL CHECK (os_user <> ''),
  db_role text NOT NULL DEFAULT current_user,
  command text NOT NULL CHECK (command <> ''),
  action text NOT NULL CHECK (action IN ('read', 'write')),
  practice text,
  accounts text[] NOT NULL DEFAULT '{}',
  files text[] NOT NULL DEFAULT '{}',
  run_id bigint REFERENCES runs (id)
);
CREATE INDEX audit_events_at ON audit_events (at);
CREATE INDEX audit_events_accounts ON audit_events USING gin (accounts);

CREATE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'AUDIT_IMMUTABLE: % on % is refused: the audit trail is append-only',
    TG_OP, TG_TABLE_NAME USING ERRCODE = 'restrict_violation';
END $$;
CREATE TRIGGER audit_events_immutable BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_events
  FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();
