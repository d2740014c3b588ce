-- 0007_statements: the patient side. Patient payments (one row per processor/lockbox reference: the
-- exactly-once claim for its ledger entry), payment plans, statements issued or held (one per account per
-- statement date: rerunning a date issues nothing new), and mail holds (returned mail). The money itself
-- lives in the ledger (0001); these rows say where it came from and what the patient was sent.

-- A patient payment, posted once per reference. Same reference and same content: a redelivery; different
-- content: a conflict, rejected. The split between receivable and credit is what was posted.
CREATE TABLE patient_payments (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  reference text NOT NULL UNIQUE CHECK (reference <> ''),
  account_number text NOT NULL REFERENCES guarantor_accounts (account_number),
  amount_cents bigint NOT NULL CHECK (amount_cents > 0),
  paid_on date NOT NULL,
  method text NOT NULL CHECK (method IN ('card', 'check', 'ach', 'cash', 'other')),
  applied_cents bigint NOT NULL CHECK (applied_cents >= 0),
  credit_cents bigint NOT NULL CHECK (credit_cents >= 0),
  entry_key text NOT NULL,
  source_file_sha256 text NOT NULL CHECK (source_file_sha256 ~ '^[0-9a-f]{64}$'),
  source_file_name text NOT NULL,
  source_line integer NOT NULL CHECK (source_line >= 1),
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK (applied_cents + credit_cents = amount_cents)
);
CREATE INDEX patient_payments_account ON patient_payments (account_number, paid_on);

-- A payment plan. plan_key makes creating it idempotent (a file's sha256 and line, or the command's fields).
CREATE TABLE payment_plans (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  plan_key text NOT NULL UNIQUE CHECK (plan_key <> ''),
  account_number text NOT NULL REFERENCES guarantor_accounts (account_number),
  total_cents bigint NOT NULL CHECK (total_cents > 0),
  installments integer NOT NULL CHECK (installments BETWEEN 1 AND 120),
  start_on date NOT NULL,
  frequency text NOT NULL CHECK (frequency IN ('weekly', 'biweekly', 'monthly')),
  created_on date NOT NULL,
  cancelled_on date,
  source_file_sha256 text CHECK (source_file_sha256 ~ '^[0-9a-f]{64}$'),
  source_file_name text,
  source_line integer,
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK (start_on >= created_on)
);
CREATE INDEX payment_plans_account ON payment_plans (account_number, created_on);

-- A statement issued (mailed) or held (due, but the address cannot be mailed or the figures did not foot).
-- model is the statement exactly as rendered, so a reprint is identical and `claims account` can show it.
CREATE TABLE statements (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  account_number text NOT NULL REFERENCES guarantor_accounts (account_number),
  statement_date date NOT NULL,
  kind text NOT NULL CHECK (kind IN ('statement', 'final_notice', 'plan')),
  sequence integer NOT NULL CHECK (sequence >= 0),
  status text NOT NULL CHECK (status IN ('issued', 'held')),
  held_reason text CHECK ((status = 'held') = (held_reason IS NOT NULL)),
  rule text NOT NULL,
  balance_cents bigint NOT NULL CHECK (balance_cents >= 0),
  amount_due_cents bigint NOT NULL CHECK (amount_due_cents >= 0),
  patient_receivable_cents bigint NOT NULL,
  due_on date NOT NULL,
  model jsonb NOT NULL,
  pdf_file text,
  run_id text,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (account_number, statement_date)
);
CREATE INDEX statements_date ON statements (statement_date);

-- Returned mail: statements to the account are held from marked_on until cleared_on (a new address).
CREATE TABLE mail_holds (
  account_number text NOT NULL REFERENCES guarantor_accounts (account_number),
  marked_on date NOT NULL,
  cleared_on date,
  note text,
  PRIMARY KEY (account_number, marked_on),
  CHECK (cleared_on IS NULL OR cleared_on >= marked_on)
);
