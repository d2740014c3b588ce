-- 0005_remittances: 835 remittances as received, their claims, provisional patients for claims this
-- system never submitted, and quarantined remittances. The ledger effect lives in the ledger tables
-- (0001); these rows say where it came from and how each CLP was matched. Money is bigint cents.
--
-- Exactly once: a posted remittance holds its key (payer + payee + TRN02) in `remittances`, inserted in
-- the same transaction as the COPY of its entries. Same key and same content_sha256: a redelivery.
-- Same key, different content: a conflict, quarantined.

CREATE TABLE remittances (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  payer_key text NOT NULL CHECK (payer_key <> ''),
  payee_key text NOT NULL CHECK (payee_key <> ''),
  trace_number text NOT NULL CHECK (trace_number <> ''),
  content_sha256 text NOT NULL CHECK (content_sha256 ~ '^[0-9a-f]{64}$'),
  -- The ledger payer id the entries were posted under, and the posting batch (0001) that holds them.
  payer_id text NOT NULL,
  posting_batch_key text NOT NULL,
  payer_name text NOT NULL,
  payee_name text NOT NULL,
  transaction_handling text NOT NULL,
  payment_cents bigint NOT NULL,
  credit_debit text NOT NULL CHECK (credit_debit IN ('C', 'D')),
  payment_method text NOT NULL,
  payment_date date NOT NULL,
  claim_payments_cents bigint NOT NULL,
  provider_adjustments_cents bigint NOT NULL,
  claim_count integer NOT NULL,
  matched_claim_count integer NOT NULL,
  unmatched_claim_count integer NOT NULL,
  entry_count integer NOT NULL,
  line_count integer NOT NULL,
  source_file_sha256 text NOT NULL CHECK (source_file_sha256 ~ '^[0-9a-f]{64}$'),
  source_file_name text NOT NULL,
  source_isa13 text NOT NULL,
  source_gs06 text NOT NULL,
  source_st02 text NOT NULL,
  source_segment_index integer NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (payer_key, payee_key, trace_number)
);
CREATE INDEX remittances_payment_date ON remittances (payment_date);

-- Persons named by an 835 for a claim this system did not submit. No statement goes to one until an
-- analyst links it to a patient (linked_account_number) or confirms it.
CREATE TABLE provisional_patients (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  payer_id text NOT NULL,
  member_id text NOT NULL,
  last_name text NOT NULL,
  first_name text NOT NULL,
  -- The patient id on ledger lines: derived from the key (not the identity), so a rerun after a crash
  -- names the same account.
  ledger_patient_id text NOT NULL UNIQUE,
  state text NOT NULL DEFAULT 'provisional' CHECK (state IN ('provisional', 'linked', 'confirmed')),
  linked_account_number text,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (payer_id, member_id, last_name, first_name)
);

-- One row per CLP of a posted remittance (split claims: several rows with one CLP01).
CREATE TABLE remittance_claims (
  remittance_id bigint NOT NULL REFERENCES remittances (id),
  claim_index integer NOT NULL,
  patient_control_number text NOT NULL,
  payer_claim_number text NOT NULL,
  status text NOT NULL,
  charge_cents bigint NOT NULL,
  paid_cents bigint NOT NULL,
  patient_responsibility_cents bigint,
  -- The submitted claim (claims.id) or null; unmatched claims post under a provisional patient.
  claim_id bigint,
  provisional_patient_id bigint REFERENCES provisional_patients (id),
  -- The ledger claim id used on entry lines (claims.id as text, or `unmatched:<payer>:<CLP01>`).
  ledger_claim_id text NOT NULL,
  payer_id text NOT NULL,
  -- Entry posted for this CLP (null for 25 and all-zero claims), and for a reversal the entry it negated.
  entry_key text,
  reverses_entry_key text,
  flags text[] NOT NULL DEFAULT '{}',
  lines_matched integer NOT NULL DEFAULT 0,
  lines_unmatched integer NOT NULL DEFAULT 0,
  source_segment_index integer NOT NULL,
  PRIMARY KEY (remittance_id, claim_index)
);
CREATE INDEX remittance_claims_pcn ON remittance_claims (payer_id, patient_control_number);
CREATE UNIQUE INDEX remittance_claims_reverses ON remittance_claims (reverses_entry_key) WHERE reverses_entry_key IS NOT NULL;
CREATE INDEX remittance_claims_unmatched ON remittance_claims (provisional_patient_id) WHERE provisional_patient_id IS NOT NULL;

-- Which ledger payer id an 835 payer (TRN03 / N1*PR) turned out to be, learned from matched claims, so a
-- remittance with only unmatched claims still posts under the right payer.
CREATE TABLE remittance_payers (
  payer_key text PRIMARY KEY,
  payer_id text NOT NULL
);

-- Remittances that did not post: unbalanced, malformed, conflicting. Kept for the report; the key is not
-- claimed, so a corrected redelivery can still post.
CREATE TABLE remittance_rejections (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  reason_code text NOT NULL,
  level text,
  payer_key text,
  payee_key text,
  trace_number text,
  content_sha256 text,
  payment_cents bigint,
  claim_payments_cents bigint,
  provider_adjustments_cents bigint,
  claim_count integer,
  detail jsonb NOT NULL,
  source_file_sha256 text NOT NULL,
  source_file_name text NOT NULL,
  source_isa13 text,
  source_gs06 text,
  source_st02 text,
  source_segment_index integer,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (source_file_sha256, source_segment_index, reason_code)
);
