-- 0004_claims: what the claims export tells us and what we sent. Patients, guarantor accounts and coverages
-- (kept current by each export), claims and their service lines as sent, the crosswalk version that mapped
-- each claim, outbound 837 files with their control numbers, control-number counters per sender and
-- receiver, and each claim's status history. The 835, 271 and statement stages build on these tables.
-- Money is bigint cents. Text ids are the practice's own (patient id, account number, CLM01, REF*6R).

-- A guarantor: the person responsible for a patient balance (the patient may be their own guarantor).
CREATE TABLE guarantor_accounts (
  account_number text PRIMARY KEY CHECK (account_number <> ''),
  last_name text NOT NULL,
  first_name text NOT NULL,
  address_line1 text NOT NULL,
  address_line2 text,
  city text NOT NULL,
  state text NOT NULL,
  postal_code text NOT NULL,
  phone text,
  email text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE patients (
  patient_id text PRIMARY KEY CHECK (patient_id <> ''),
  account_number text NOT NULL REFERENCES guarantor_accounts (account_number),
  last_name text NOT NULL,
  first_name text NOT NULL,
  middle_name text,
  birth_date date NOT NULL,
  sex text NOT NULL CHECK (sex IN ('M', 'F', 'U')),
  address_line1 text NOT NULL,
  address_line2 text,
  city text NOT NULL,
  state text NOT NULL,
  postal_code text NOT NULL,
  phone text,
  email text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX patients_account ON patients (account_number);

-- The patient's coverages in order: 1 primary, 2 secondary, 3 tertiary. Replaced as a whole by each export.
CREATE TABLE coverages (
  patient_id text NOT NULL REFERENCES patients (patient_id),
  coverage_order smallint NOT NULL CHECK (coverage_order BETWEEN 1 AND 3),
  payer_id text NOT NULL,
  member_id text NOT NULL,
  group_number text,
  -- The patient's relationship to the subscriber.
  relationship text NOT NULL CHECK (relationship IN ('self', 'spouse', 'child', 'other')),
  -- A dependent's own member id (then the dependent is reported as the subscriber).
  patient_member_id text,
  subscriber_last_name text,
  subscriber_first_name text,
  subscriber_birth_date date,
  claim_filing_indicator text,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (patient_id, coverage_order)
);
CREATE INDEX coverages_payer_member ON coverages (payer_id, member_id);

-- One row per payer crosswalk content ever used: claims point at the exact version that mapped them.
CREATE TABLE crosswalk_versions (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  payer_id text NOT NULL,
  label text NOT NULL,
  content_sha256 text NOT NULL CHECK (content_sha256 ~ '^[0-9a-f]{64}$'),
  content jsonb NOT NULL,
  first_used_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (payer_id, content_sha256)
);

-- Control numbers are unique per sender and receiver for ever (ISA13, GS06, ST02): a counter row per
-- (sender, receiver, kind), advanced with UPDATE ... RETURNING, so concurrent processes queue on the row
-- lock and never get the same number. Gaps (a crashed run) are harmless; repeats are not.
CREATE TABLE control_number_counters (
  sender_id text NOT NULL,
  receiver_id text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('ISA', 'GS', 'ST')),
  last_value bigint NOT NULL CHECK (last_value BETWEEN 0 AND 999999999),
  PRIMARY KEY (sender_id, receiver_id, kind)
);

-- An outbound 837 interchange. state 'writing' until the file is complete in the outbox.
CREATE TABLE outbound_files (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  file_name text NOT NULL UNIQUE,
  payer_id text NOT NULL,
  sender_id text NOT NULL,
  receiver_id text NOT NULL,
  isa13 text NOT NULL CHECK (isa13 ~ '^[0-9]{9}$'),
  state text NOT NULL DEFAULT 'writing' CHECK (state IN ('writing', 'sent', 'abandoned')),
  file_sha256 text CHECK (file_sha256 ~ '^[0-9a-f]{64}$'),
  claim_count integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now(),
  completed_at timestamptz,
  UNIQUE (sender_id, receiver_id, isa13)
);

-- A claim as sent. (billing_npi, patient_control_number) is the chain of an original and its replacements
-- and voids; the 835 matches CLP01 to patient_control_number (several rows may share it: match the chain).
CREATE TABLE claims (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  -- The practice's claim id (for people) and its record number in the export.
  source_claim_id text NOT NULL,
  billing_npi text NOT NULL CHECK (billing_npi ~ '^[0-9]{10}$'),
  patient_control_number text NOT NULL CHECK (length(patient_control_number) BETWEEN 1 AND 20),
  frequency text NOT NULL CHECK (frequency IN ('1', '7', '8')),
  payer_claim_number text,
  claim_type text NOT NULL CHECK (claim_type IN ('professional', 'institutional')),
  content_sha256 text NOT NULL CHECK (content_sha256 ~ '^[0-9a-f]{64}$'),
  patient_id text NOT NULL REFERENCES patients (patient_id),
  account_number text NOT NULL REFERENCES guarantor_accounts (account_number),
  -- Payer of each coverage at the time of the claim (the claim went to the primary).
  primary_payer_id text NOT NULL,
  secondary_payer_id text,
  tertiary_payer_id text,
  total_charge_cents bigint NOT NULL CHECK (total_charge_cents >= 0),
  -- The chain's charge on the primary payer's receivable after this claim: the total for 1 and 7, 0 for 8.
  posted_charge_cents bigint NOT NULL CHECK (posted_charge_cents >= 0),
  first_service_date date NOT NULL,
  last_service_date date NOT NULL,
  crosswalk_version_id bigint NOT NULL REFERENCES crosswalk_versions (id),
  ledger_entry_key text,
  status text NOT NULL CHECK (status IN ('pending', 'submitted', 'accepted', 'rejected', 'paid', 'denied', 'voided')),
  -- Where it was sent: the file and the envelope around its CLM.
  outbound_file_id bigint REFERENCES outbound_files (id),
  isa13 text,
  gs06 text,
  st02 text,
  export_record integer,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (billing_npi, patient_control_number, frequency, content_sha256)
);
-- One original per chain: different content under the same original is a conflict (send a 7 instead).
CREATE UNIQUE INDEX claims_one_original ON claims (billing_npi, patient_control_number) WHERE frequency = '1';
CREATE INDEX claims_pcn ON claims (patient_control_number);
CREATE INDEX claims_file ON claims (outbound_file_id);
CREATE INDEX claims_patient ON claims (patient_id);

CREATE TABLE claim_lines (
  claim_id bigint NOT NULL REFERENCES claims (id),
  line_number smallint NOT NULL CHECK (line_number >= 1),
  -- REF*6R: the 835 echoes it in its 2110 REF*6R.
  line_control_number text NOT NULL,
  -- As the practice coded it, and as sent after the payer's crosswalk.
  procedure_code text NOT NULL,
  modifiers text[] NOT NULL DEFAULT '{}',
  sent_procedure_code text NOT NULL,
  sent_modifiers text[] NOT NULL DEFAULT '{}',
  units numeric NOT NULL,
  sent_units numeric NOT NULL,
  charge_cents bigint NOT NULL CHECK (charge_cents >= 0),
  service_date date NOT NULL,
  revenue_code text,
  diagnosis_pointers smallint[] NOT NULL DEFAULT '{}',
  crosswalk_entry integer,
  PRIMARY KEY (claim_id, line_number),
  UNIQUE (claim_id, line_control_number)
);
CREATE INDEX claim_lines_control_number ON claim_lines (line_control_number);

CREATE TABLE claim_status_history (
  -- Insertion order: several changes can share one `at` (one run, one clock).
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  claim_id bigint NOT NULL REFERENCES claims (id),
  at timestamptz NOT NULL,
  status text NOT NULL,
  -- Who said so: 'submit', '999', '277CA', '835', 'resubmit', ...
  source text NOT NULL,
  outbound_file_id bigint REFERENCES outbound_files (id),
  isa13 text,
  gs06 text,
  st02 text,
  note text
);
CREATE INDEX claim_status_history_claim ON claim_status_history (claim_id, id);
