-- 0010_claim_holds: claims the submit stage held back instead of sending, because a 271 on file says the
-- patient's coverage with the primary payer was not active on a date of service (issue 6). A held claim is
-- not a claim sent: it has no row in `claims`, no outbound file and no ledger entry, so remittance matching
-- and statements never see it. It keeps its validated export record, so a later run re-checks it against
-- the newest 271 and sends it without the export being submitted again.
-- status: 'held' until sent ('released', with the claim it became) or refused on a later run ('rejected').

CREATE TABLE claim_holds (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  -- The claim's idempotency key and content, as in `claims`.
  billing_npi text NOT NULL CHECK (billing_npi ~ '^[0-9]{10}$'),
  patient_control_number text NOT NULL CHECK (length(patient_control_number) BETWEEN 1 AND 20),
  frequency text NOT NULL CHECK (frequency IN ('1', '7', '8')),
  content_sha256 text NOT NULL CHECK (content_sha256 ~ '^[0-9a-f]{64}$'),
  source_claim_id text NOT NULL,
  patient_id text NOT NULL,
  primary_payer_id text NOT NULL,
  status text NOT NULL DEFAULT 'held' CHECK (status IN ('held', 'released', 'rejected')),
  -- Why (the coverage decision's stable code and its sentence), the date of service that decided it and the
  -- 271 snapshot it was decided on.
  reason_code text NOT NULL,
  reason text NOT NULL,
  date_of_service date,
  eligibility_response_id bigint REFERENCES eligibility_responses (id),
  -- The validated claim record (what a later run sends), and where it came from.
  record jsonb NOT NULL,
  source_file text NOT NULL,
  export_record integer NOT NULL,
  held_at timestamptz NOT NULL,
  checked_at timestamptz NOT NULL,
  released_at timestamptz,
  claim_id bigint REFERENCES claims (id),
  UNIQUE (billing_npi, patient_control_number, frequency, content_sha256)
);
-- Each run reads the claims still held.
CREATE INDEX claim_holds_open ON claim_holds (id) WHERE status = 'held';
CREATE INDEX claim_holds_patient ON claim_holds (patient_id);
