-- 0008_collections: the life of an account after the dunning cycle. Holds (disputes and financial-assistance
-- applications) that freeze the statement cycle and referrals; account flags an agency must know (deceased,
-- bankruptcy, attorney, workers' comp, accident); 501(r) written notices; referrals to collection agencies
-- with their balance updates, recalls and the agency's returns; and the files those went out in.
-- The money lives in the ledger (0001): a referral moves patient_receivable to collections_receivable under
-- the key `collections-referral:ACCOUNT:FIRST_STATEMENT_DATE`, so the same balance cannot be posted twice.
-- docs/decisions/0080-collections-referrals.md says why it is shaped this way.

-- A dispute or an assistance application: open from opened_on until resolved_on. One open hold per kind.
CREATE TABLE account_holds (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  account_number text NOT NULL REFERENCES guarantor_accounts (account_number),
  kind text NOT NULL CHECK (kind IN ('dispute', 'assistance')),
  opened_on date NOT NULL,
  reason text NOT NULL CHECK (reason <> ''),
  resolved_on date,
  resolution text,
  -- Where the hold came from: `command`, or a holds file's sha256 and line.
  source text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK (resolved_on IS NULL OR resolved_on >= opened_on),
  CHECK ((resolved_on IS NULL) = (resolution IS NULL))
);
CREATE UNIQUE INDEX account_holds_one_open ON account_holds (account_number, kind) WHERE resolved_on IS NULL;
CREATE INDEX account_holds_account ON account_holds (account_number, opened_on);

CREATE TABLE account_flags (
  account_number text NOT NULL REFERENCES guarantor_accounts (account_number),
  flag text NOT NULL CHECK (flag IN ('deceased', 'bankruptcy', 'attorney', 'workers_comp', 'accident')),
  set_on date NOT NULL,
  cleared_on date,
  note text,
  PRIMARY KEY (account_number, flag, set_on),
  CHECK (cleared_on IS NULL OR cleared_on >= set_on)
);

-- A file sent to an agency (placements, balance updates, recalls) or a 501(r) notice file. Rows are recorded
-- first with the file they belong to; the file is written after commit and marked with its sha256, so a
-- crash in between is repaired by rewriting the same rows (never by deciding again).
CREATE TABLE collection_files (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  agency_id text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('placement', 'update', 'recall', 'eca_notice')),
  as_of date NOT NULL,
  sequence integer NOT NULL CHECK (sequence >= 1),
  file_name text NOT NULL UNIQUE,
  row_count integer NOT NULL CHECK (row_count >= 0),
  sha256 text CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  run_id text,
  created_at timestamptz NOT NULL DEFAULT now(),
  written_at timestamptz,
  UNIQUE (agency_id, kind, as_of, sequence)
);

-- 501(r)(6): the written notice sent at least 30 days before an extraordinary collection action.
CREATE TABLE eca_notices (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  account_number text NOT NULL REFERENCES guarantor_accounts (account_number),
  -- The dunning cycle (its first statement) the notice is about: one notice per cycle.
  cycle_started_on date NOT NULL,
  notice_date date NOT NULL,
  eca_not_before date NOT NULL CHECK (eca_not_before >= notice_date),
  balance_cents bigint NOT NULL CHECK (balance_cents > 0),
  record jsonb NOT NULL,
  file_id bigint REFERENCES collection_files (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (account_number, cycle_started_on)
);

-- A referral: one balance placed with one agency. At most one active (placed) referral per account.
CREATE TABLE referrals (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  account_number text NOT NULL REFERENCES guarantor_accounts (account_number),
  agency_id text NOT NULL,
  cycle_started_on date NOT NULL,
  placed_on date NOT NULL,
  placed_cents bigint NOT NULL CHECK (placed_cents > 0),
  entry_key text NOT NULL UNIQUE,
  status text NOT NULL DEFAULT 'placed' CHECK (status IN ('placed', 'recalled', 'returned', 'paid')),
  closed_on date,
  closed_reason text,
  -- A recall asked for by command, written out by the next run.
  recall_requested_on date,
  recall_reason text,
  -- Why it was referred (the rule, dates and figures) and the placement row as sent.
  decision jsonb NOT NULL,
  record jsonb NOT NULL,
  file_id bigint REFERENCES collection_files (id),
  run_id text,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (account_number, cycle_started_on),
  CHECK ((status = 'placed') = (closed_on IS NULL))
);
CREATE UNIQUE INDEX referrals_one_active ON referrals (account_number) WHERE status = 'placed';
CREATE INDEX referrals_status ON referrals (status, agency_id);

-- What happened to a referral after placement, each with its ledger entry (if any) and the file it went out in:
-- payment / adjustment (balance updates), recall, agency_payment and uncollectable (from the agency's returns).
CREATE TABLE referral_events (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  referral_id bigint NOT NULL REFERENCES referrals (id),
  kind text NOT NULL CHECK (kind IN ('payment', 'adjustment', 'recall', 'agency_payment', 'uncollectable')),
  event_on date NOT NULL,
  amount_cents bigint NOT NULL CHECK (amount_cents >= 0),
  balance_after_cents bigint NOT NULL CHECK (balance_after_cents >= 0),
  reason text,
  entry_key text UNIQUE,
  -- For agency returns: the agency's own reference, unique per agency (a redelivered returns file posts nothing).
  agency_reference text,
  agency_id text,
  record jsonb,
  file_id bigint REFERENCES collection_files (id),
  source_file_sha256 text CHECK (source_file_sha256 ~ '^[0-9a-f]{64}$'),
  source_file_name text,
  source_line integer,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (agency_id, agency_reference)
);
CREATE INDEX referral_events_referral ON referral_events (referral_id, id);
CREATE INDEX referral_events_unwritten ON referral_events (kind) WHERE file_id IS NULL AND record IS NOT NULL;
