-- 0003_x12: interchanges received, one row per ISA/IEA read from a file, recorded in the same transaction
-- as the data the interchange carried (so a crash never leaves a false "seen before").
--
-- Redelivery: the same sender (ISA05/ISA06), ISA13 and content hash as an earlier row. The unique index
-- makes that check atomic: a concurrent transaction recording the same interchange waits for the first
-- and then finds it. The same ISA13 with different content is recorded too (payers reuse control
-- numbers), with status 'control_number_reused' so it can be reported as a warning.

CREATE TABLE x12_interchanges (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  sender_qualifier text NOT NULL,
  sender_id text NOT NULL CHECK (sender_id <> ''),
  receiver_qualifier text NOT NULL,
  receiver_id text NOT NULL,
  -- ISA13 exactly as received (zero padded, never re-formatted).
  control_number text NOT NULL CHECK (control_number <> ''),
  -- sha256 of the interchange's segments, ISA to IEA (see EnvelopeChecker: whitespace between segments excluded).
  content_sha256 text NOT NULL CHECK (content_sha256 ~ '^[0-9a-f]{64}$'),
  -- Where it came from: the file's sha256, its name, and where the ISA sits in it.
  file_sha256 text NOT NULL CHECK (file_sha256 ~ '^[0-9a-f]{64}$'),
  file_name text NOT NULL,
  segment_index integer NOT NULL CHECK (segment_index >= 0),
  byte_offset bigint NOT NULL CHECK (byte_offset >= 0),
  interchange_date text NOT NULL,
  interchange_time text NOT NULL,
  usage_indicator text NOT NULL,
  group_count integer NOT NULL CHECK (group_count >= 0),
  set_count integer NOT NULL CHECK (set_count >= 0),
  status text NOT NULL CHECK (status IN ('received', 'control_number_reused')),
  received_at timestamptz NOT NULL
);

CREATE UNIQUE INDEX x12_interchanges_content_key
  ON x12_interchanges (sender_qualifier, sender_id, control_number, content_sha256);

CREATE INDEX x12_interchanges_file ON x12_interchanges (file_sha256);
