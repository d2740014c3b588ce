-- 0001_ledger: the double-entry ledger. Accounts, posting batches (the idempotency keys), immutable
-- entries and their lines in signed bigint cents. After TigerBeetle: nothing is updated or deleted,
-- corrections are new entries, and the database itself refuses an entry whose lines do not sum to zero.
--
-- Writer contract (src/ledger/post.ts follows it; docs/decisions/0002-ledger-schema-and-database-checks.md says why):
--   1. A posting first inserts its posting_batches row, with the number of entries and lines it will write.
--      That insert opens the batch: entries and lines can be added to a batch only in the transaction that
--      inserted its row, and at commit the batch must hold exactly the announced entries and lines.
--   2. An entry is identified by (batch_id, ordinal) and announces its line_count; its lines are numbered
--      0 .. line_count - 1 (line_no).
--   3. Fast path: all lines of an entry arrive in one statement (one COPY for the whole batch). They are
--      checked in bulk, once per statement, by a statement-level trigger over the inserted rows. Lines of
--      one entry spread over several statements are also accepted; those entries are summed at commit.
--   4. Referential checks (entry exists, account exists, batch open) are made by those statement triggers
--      in bulk instead of per-row foreign keys, which would cost an index probe per row of a COPY.
--      Rows are never deleted, so a reference checked once stays valid.
--   5. The commit check is a deferred constraint trigger: do not SET CONSTRAINTS ALL IMMEDIATE while a batch
--      is being written (it would run when the batch row is inserted, before its entries exist).

CREATE TABLE accounts (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN (
    'cash', 'payer_clearing', 'insurance_receivable', 'patient_receivable', 'patient_credit',
    'collections_receivable', 'revenue', 'contractual_adjustment', 'other_adjustment',
    'provider_adjustment', 'interest_income', 'bad_debt', 'small_balance_writeoff', 'unapplied'
  )),
  payer_id text CHECK (payer_id <> ''),
  patient_id text CHECK (patient_id <> ''),
  created_at timestamptz NOT NULL DEFAULT now()
);
-- NULL means "not per payer / patient"; '' is refused above, so coalescing to '' makes NULLs equal
-- and keeps the identity lookup indexable (IS NOT DISTINCT FROM is not).
CREATE UNIQUE INDEX accounts_identity ON accounts (kind, coalesce(payer_id, ''), coalesce(patient_id, ''));

CREATE TABLE posting_batches (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  key text NOT NULL UNIQUE CHECK (key <> '' AND length(key) <= 200),
  content_sha256 text NOT NULL CHECK (content_sha256 ~ '^[0-9a-f]{64}$'),
  entry_count integer NOT NULL CHECK (entry_count >= 0),
  line_count bigint NOT NULL CHECK (line_count >= 0),
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE entries (
  batch_id bigint NOT NULL,
  ordinal integer NOT NULL CHECK (ordinal >= 0),
  line_count integer NOT NULL CHECK (line_count BETWEEN 1 AND 10000),
  effective_date date NOT NULL,
  source_segment_index integer CHECK (source_segment_index >= 0),
  key text NOT NULL CHECK (key <> '' AND length(key) <= 200),
  reason text NOT NULL CHECK (reason <> ''),
  memo text,
  source_file_sha256 text CHECK (source_file_sha256 ~ '^[0-9a-f]{64}$'),
  source_file_name text,
  source_isa13 text,
  source_gs06 text,
  source_st02 text,
  PRIMARY KEY (batch_id, ordinal)
);
CREATE UNIQUE INDEX entries_key ON entries (key);

-- Columns ordered fixed-width first so rows pack without alignment padding.
CREATE TABLE entry_lines (
  batch_id bigint NOT NULL,
  account_id bigint NOT NULL,
  amount_cents bigint NOT NULL,
  entry_ordinal integer NOT NULL,
  line_no integer NOT NULL,
  reason text,
  claim_id text,
  service_line_id text,
  PRIMARY KEY (batch_id, entry_ordinal, line_no)
);
CREATE INDEX entry_lines_account ON entry_lines (account_id);
CREATE INDEX entry_lines_claim ON entry_lines (claim_id) WHERE claim_id IS NOT NULL;

-- Bookkeeping for batches being written by their (uncommitted) transaction. Rows are inserted and
-- deleted inside that transaction, so no other session ever sees one. Insert-only while the batch is
-- open: a counter updated per statement would grow a chain of row versions that every later statement
-- of the same transaction walks (quadratic for a writer that inserts row by row).
CREATE TABLE ledger_open_batches (
  batch_id bigint PRIMARY KEY,
  entry_count integer NOT NULL,
  line_count bigint NOT NULL
);
-- One row per statement that added entries or lines to an open batch; summed at commit.
CREATE TABLE ledger_open_counts (
  batch_id bigint NOT NULL,
  entries bigint NOT NULL,
  lines bigint NOT NULL
);
CREATE INDEX ledger_open_counts_batch ON ledger_open_counts (batch_id);
-- Entries whose lines came in more than one statement: their sum is checked at commit.
CREATE TABLE ledger_open_entries (
  batch_id bigint NOT NULL,
  entry_ordinal integer NOT NULL,
  PRIMARY KEY (batch_id, entry_ordinal)
);

-- Immutability: corrections are new entries (reversals), never updates.
CREATE FUNCTION ledger_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'LEDGER_IMMUTABLE: % on % is refused: ledger rows are immutable, post a correcting entry instead',
    TG_OP, TG_TABLE_NAME USING ERRCODE = 'restrict_violation';
END $$;

CREATE TRIGGER accounts_immutable BEFORE UPDATE OR DELETE OR TRUNCATE ON accounts
  FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER posting_batches_immutable BEFORE UPDATE OR DELETE OR TRUNCATE ON posting_batches
  FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER entries_immutable BEFORE UPDATE OR DELETE OR TRUNCATE ON entries
  FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER entry_lines_immutable BEFORE UPDATE OR DELETE OR TRUNCATE ON entry_lines
  FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();

-- A new batch is open until its transaction commits.
CREATE FUNCTION ledger_open_batch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO ledger_open_batches (batch_id, entry_count, line_count) VALUES (NEW.id, NEW.entry_count, NEW.line_count);
  RETURN NULL;
END $$;
CREATE TRIGGER posting_batches_open AFTER INSERT ON posting_batches
  FOR EACH ROW EXECUTE FUNCTION ledger_open_batch();

-- The trigger functions below look rows up by key only. enable_seqscan is off inside them because the
-- bookkeeping tables have no statistics while a transaction fills them (the planner would scan them
-- whole, per statement) and the accounts check must probe the index, not read every account.

-- Entries: only into an open batch, ordinals inside the announced count. Once per statement.
CREATE FUNCTION ledger_check_entries() RETURNS trigger LANGUAGE plpgsql SET enable_seqscan = off AS $$
DECLARE
  bad record;
BEGIN
  WITH per_batch AS (
    SELECT batch_id, count(*) AS n, min(ordinal) AS lo, max(ordinal) AS hi
    FROM new_entries GROUP BY batch_id
  ), checked AS (
    SELECT p.batch_id, p.n, p.lo, p.hi, o.entry_count
    FROM per_batch p LEFT JOIN ledger_open_batches o ON o.batch_id = p.batch_id
  ), counted AS (
    INSERT INTO ledger_open_counts (batch_id, entries, lines)
    SELECT batch_id, n, 0 FROM checked WHERE entry_count IS NOT NULL
  )
  SELECT batch_id, lo, hi, entry_count INTO bad
  FROM checked
  WHERE entry_count IS NULL OR hi >= entry_count
  LIMIT 1;
  IF FOUND THEN
    IF bad.entry_count IS NULL THEN
      RAISE EXCEPTION 'LEDGER_BATCH_CLOSED: batch % is not open in this transaction: entries can be added only by the transaction that created their batch', bad.batch_id
        USING ERRCODE = 'restrict_violation';
    END IF;
    RAISE EXCEPTION 'LEDGER_ENTRY_OUT_OF_RANGE: batch % announced % entries but an entry has ordinal %', bad.batch_id, bad.entry_count, bad.hi
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER entries_check AFTER INSERT ON entries
  REFERENCING NEW TABLE AS new_entries
  FOR EACH STATEMENT EXECUTE FUNCTION ledger_check_entries();

-- Lines: the sum-to-zero rule, in bulk, once per statement (see the writer contract at the top).
-- work_mem: the per-entry aggregate of a million-line COPY holds 250,000 groups; with the 4 MB default
-- it spills to disk. Set for this function only.
CREATE FUNCTION ledger_check_lines() RETURNS trigger LANGUAGE plpgsql SET work_mem = '128MB' SET enable_seqscan = off AS $$
DECLARE
  bad record;
  batch_ids bigint[];
  closed_batch bigint;
BEGIN
  -- Count the rows off their open batches (in practice one batch per statement).
  WITH per_batch AS (
    SELECT p.batch_id, p.n, o.batch_id AS open_batch_id
    FROM (SELECT batch_id, count(*) AS n FROM new_lines GROUP BY batch_id) p
    LEFT JOIN ledger_open_batches o ON o.batch_id = p.batch_id
  ), counted AS (
    INSERT INTO ledger_open_counts (batch_id, entries, lines)
    SELECT batch_id, 0, n FROM per_batch WHERE open_batch_id IS NOT NULL
  )
  SELECT array_agg(batch_id), min(batch_id) FILTER (WHERE open_batch_id IS NULL) INTO batch_ids, closed_batch
  FROM per_batch;
  IF closed_batch IS NOT NULL THEN
    RAISE EXCEPTION 'LEDGER_BATCH_CLOSED: batch % is not open in this transaction: lines can be added only by the transaction that created their batch', closed_batch
      USING ERRCODE = 'restrict_violation';
  END IF;

  -- Group the rows per entry once (the CTE is materialised), note entries that continue in a later
  -- statement, and return the first problem. The entries are looked up within this statement's
  -- batches only: an index range on the primary key, never a scan of the whole ledger.
  WITH per_entry AS (
    SELECT batch_id, entry_ordinal, count(*) AS n, sum(amount_cents) AS total,
           min(line_no) AS lo, max(line_no) AS hi
    FROM new_lines GROUP BY batch_id, entry_ordinal
  ), checked AS (
    SELECT p.batch_id, p.entry_ordinal, p.n, p.total, p.lo, p.hi, e.line_count, e.key
    FROM per_entry p LEFT JOIN entries e
      ON e.batch_id = p.batch_id AND e.ordinal = p.entry_ordinal AND e.batch_id = ANY (batch_ids)
  ), pieces AS (
    INSERT INTO ledger_open_entries (batch_id, entry_ordinal)
    SELECT batch_id, entry_ordinal FROM checked
    WHERE key IS NOT NULL AND lo >= 0 AND hi < line_count AND n < line_count
    ON CONFLICT DO NOTHING
  )
  SELECT CASE WHEN key IS NULL THEN 'missing' WHEN lo < 0 OR hi >= line_count THEN 'range' ELSE 'unbalanced' END AS problem,
         batch_id, entry_ordinal, key, total, line_count, CASE WHEN lo < 0 THEN lo ELSE hi END AS line_no
  INTO bad
  FROM checked
  WHERE key IS NULL OR lo < 0 OR hi >= line_count OR (n = line_count AND total <> 0)
  LIMIT 1;
  IF FOUND THEN
    CASE bad.problem
      WHEN 'missing' THEN
        RAISE EXCEPTION 'LEDGER_ENTRY_MISSING: lines refer to entry (batch %, ordinal %) which does not exist', bad.batch_id, bad.entry_ordinal
          USING ERRCODE = 'foreign_key_violation';
      WHEN 'range' THEN
        RAISE EXCEPTION 'LEDGER_LINE_OUT_OF_RANGE: entry % announced % lines but has line_no %', bad.key, bad.line_count, bad.line_no
          USING ERRCODE = 'check_violation';
      ELSE
        RAISE EXCEPTION 'LEDGER_UNBALANCED: entry % lines sum to % cents, expected 0', bad.key, bad.total
          USING ERRCODE = 'check_violation';
    END CASE;
  END IF;

  SELECT l.account_id INTO bad
  FROM (SELECT DISTINCT account_id FROM new_lines) l
  WHERE NOT EXISTS (SELECT 1 FROM accounts a WHERE a.id = l.account_id)
  LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'LEDGER_ACCOUNT_MISSING: entry line refers to account % which does not exist', bad.account_id
      USING ERRCODE = 'foreign_key_violation';
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER entry_lines_check AFTER INSERT ON entry_lines
  REFERENCING NEW TABLE AS new_lines
  FOR EACH STATEMENT EXECUTE FUNCTION ledger_check_lines();

-- At commit: the batch holds exactly what it announced, and entries written in pieces sum to zero.
CREATE FUNCTION ledger_close_batch() RETURNS trigger LANGUAGE plpgsql SET enable_seqscan = off AS $$
DECLARE
  written record;
  bad record;
BEGIN
  SELECT coalesce(sum(entries), 0) AS entries, coalesce(sum(lines), 0) AS lines INTO written
  FROM ledger_open_counts WHERE batch_id = NEW.batch_id;
  IF written.entries <> NEW.entry_count OR written.lines <> NEW.line_count THEN
    RAISE EXCEPTION 'LEDGER_BATCH_INCOMPLETE: batch % is missing % entries and % lines of what it announced',
      NEW.batch_id, NEW.entry_count - written.entries, NEW.line_count - written.lines
      USING ERRCODE = 'check_violation';
  END IF;
  SELECT e.key, s.total INTO bad
  FROM ledger_open_entries o
  JOIN entries e ON e.batch_id = o.batch_id AND e.ordinal = o.entry_ordinal
  CROSS JOIN LATERAL (
    SELECT sum(l.amount_cents) AS total FROM entry_lines l
    WHERE l.batch_id = o.batch_id AND l.entry_ordinal = o.entry_ordinal
  ) s
  WHERE o.batch_id = NEW.batch_id AND s.total <> 0
  LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'LEDGER_UNBALANCED: entry % lines sum to % cents, expected 0', bad.key, bad.total
      USING ERRCODE = 'check_violation';
  END IF;
  DELETE FROM ledger_open_entries WHERE batch_id = NEW.batch_id;
  DELETE FROM ledger_open_counts WHERE batch_id = NEW.batch_id;
  DELETE FROM ledger_open_batches WHERE batch_id = NEW.batch_id;
  RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER ledger_open_batches_close AFTER INSERT ON ledger_open_batches
  DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION ledger_close_batch();
