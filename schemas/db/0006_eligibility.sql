-- 0006_eligibility: what payers said about coverage (271 in) and what we asked (270 out).
-- A 271 response about one person (subscriber or dependent) is a coverage snapshot: never updated in
-- content, superseded by a newer snapshot for the same person and payer (coverage_key), history kept.
-- Rows are keyed by a hash of their content, so the same 271 ingested twice (or redelivered in a new
-- interchange) adds nothing. Every row records where it came from: file sha256, ISA13/GS06/ST02 and the
-- segment index of its HL. Money is bigint cents; EB08 is kept as the received decimal fraction text.

CREATE TABLE eligibility_responses (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  content_sha256 text NOT NULL UNIQUE CHECK (content_sha256 ~ '^[0-9a-f]{64}$'),
  -- payer id | member id | S, or | D | last | first | birth date for a dependent (src/domain/eligibility.ts).
  coverage_key text NOT NULL,
  payer_id text NOT NULL,
  payer_name text NOT NULL,
  provider_id text,
  provider_id_qualifier text,
  provider_name text NOT NULL,
  -- The subscriber's member id (2100C NM109); dependents answer under it.
  member_id text NOT NULL,
  subject text NOT NULL CHECK (subject IN ('subscriber', 'dependent')),
  last_name text NOT NULL,
  first_name text,
  middle_name text,
  birth_date date,
  gender text,
  relationship text NOT NULL,
  -- The practice's patient, when the person matched exactly one; NULL is reported as unmatched.
  patient_id text,
  -- BHT03 and BHT04/BHT05.
  reference text NOT NULL,
  response_at timestamptz,
  trace_numbers text[] NOT NULL DEFAULT '{}',
  -- From DTP 346/347 and 356/357: the latest begin and earliest end (src/eligibility/coverage.ts planWindow).
  plan_begin date,
  plan_end date,
  -- Every 2100 DTP and REF as received: [{qualifier, format, raw, begin, end}], [{qualifier, value, description}].
  dates jsonb NOT NULL DEFAULT '[]',
  refs jsonb NOT NULL DEFAULT '[]',
  superseded_by bigint REFERENCES eligibility_responses (id),
  superseded_at timestamptz,
  file_sha256 text,
  file_name text,
  isa13 text,
  gs06 text,
  st02 text,
  segment_index integer NOT NULL CHECK (segment_index >= 0),
  received_at timestamptz NOT NULL DEFAULT now()
);
-- The current snapshot per person and payer (at most one by the ingest's per-key lock).
CREATE INDEX eligibility_responses_current ON eligibility_responses (coverage_key) WHERE superseded_by IS NULL;
CREATE INDEX eligibility_responses_member ON eligibility_responses (member_id, payer_id);
CREATE INDEX eligibility_responses_patient ON eligibility_responses (patient_id, payer_id) WHERE patient_id IS NOT NULL;
CREATE INDEX eligibility_responses_unmatched ON eligibility_responses (id) WHERE patient_id IS NULL AND superseded_by IS NULL;

-- One EB row with its 2110 DTP, MSG, REF and related entities (2120), in the order received.
CREATE TABLE eligibility_benefits (
  response_id bigint NOT NULL REFERENCES eligibility_responses (id),
  ordinal smallint NOT NULL CHECK (ordinal >= 0),
  benefit_type text NOT NULL CHECK (benefit_type <> ''),
  coverage_level text NOT NULL DEFAULT '',
  service_types text[] NOT NULL DEFAULT '{}',
  insurance_type text NOT NULL DEFAULT '',
  plan_description text NOT NULL DEFAULT '',
  period text NOT NULL DEFAULT '',
  amount_cents bigint,
  -- EB08 as received: a fraction of one ('0.2' is 20%).
  percent text CHECK (percent ~ '^[0-9]*(\.[0-9]*)?$'),
  quantity_qualifier text NOT NULL DEFAULT '',
  quantity text,
  authorization_required text NOT NULL DEFAULT '',
  network text NOT NULL DEFAULT '',
  procedure text NOT NULL DEFAULT '',
  dates jsonb NOT NULL DEFAULT '[]',
  messages text[] NOT NULL DEFAULT '{}',
  refs jsonb NOT NULL DEFAULT '[]',
  related_entities jsonb NOT NULL DEFAULT '[]',
  segment_index integer NOT NULL CHECK (segment_index >= 0),
  PRIMARY KEY (response_id, ordinal)
);

-- AAA rejections at whichever loop: with a response for person loops (2100C/D, 2110C/D), without one for
-- the source and receiver loops (2000A, 2100A, 2100B), which then name the payer and provider only.
CREATE TABLE eligibility_rejections (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  response_id bigint REFERENCES eligibility_responses (id),
  -- For rejections without a response: a hash of their content and context, so a redelivery adds nothing.
  content_sha256 text UNIQUE CHECK (content_sha256 ~ '^[0-9a-f]{64}$'),
  loop text NOT NULL,
  valid_request text NOT NULL DEFAULT '',
  reason text NOT NULL,
  follow_up text NOT NULL DEFAULT '',
  benefit_ordinal smallint,
  payer_id text,
  provider_id text,
  reference text,
  response_at timestamptz,
  file_sha256 text,
  file_name text,
  isa13 text,
  gs06 text,
  st02 text,
  segment_index integer NOT NULL CHECK (segment_index >= 0),
  received_at timestamptz NOT NULL DEFAULT now(),
  CHECK ((response_id IS NULL) <> (content_sha256 IS NULL))
);
CREATE INDEX eligibility_rejections_response ON eligibility_rejections (response_id) WHERE response_id IS NOT NULL;

-- 270 requests written, one row per person asked about; the 271's TRN02 echoes trace_number.
CREATE TABLE eligibility_requests (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  trace_number text NOT NULL,
  payer_id text NOT NULL,
  provider_npi text NOT NULL,
  member_id text NOT NULL,
  date_of_service date NOT NULL,
  service_types text[] NOT NULL,
  file_name text NOT NULL,
  sender_id text NOT NULL,
  receiver_id text NOT NULL,
  isa13 text NOT NULL CHECK (isa13 ~ '^[0-9]{9}$'),
  gs06 text NOT NULL,
  st02 text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (sender_id, receiver_id, isa13, st02, trace_number)
);
CREATE INDEX eligibility_requests_trace ON eligibility_requests (trace_number);
