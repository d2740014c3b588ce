-- 0015_practices: the practice (tenant) dimension. A billing office keeps the books of many practices; each
-- practice owns its patients, guarantor accounts, claims, remittances, statements, referrals and its ledger
-- accounts, and its trial balance sums to zero on its own (docs/decisions/0098-practices.md).
--
-- A practice is identified on the wire by its billing NPIs (2010AA NM109 on the 837, N1*PE*..*XX on the 835)
-- and its tax id (REF*EI, N1*PE*..*FI). With no other practice registered, everything belongs to the practice
-- 'default'; an existing database is migrated into 'default' with every figure kept.
--
-- Who writes practice_id:
--   accounts, guarantor_accounts, patients, claims, remittances: the writer (ledger, claim store, 835 posting);
--   tables keyed by a guarantor account or a patient: a trigger copies the practice of that account or
--   patient, so a statement or a referral can never name another practice than its account's.

CREATE TABLE practices (
  id text PRIMARY KEY CHECK (id ~ '^[a-z0-9][a-z0-9_-]{0,39}$'),
  name text NOT NULL CHECK (name <> ''),
  tax_id text CHECK (tax_id ~ '^[0-9]{9}$'),
  npis text[] NOT NULL DEFAULT '{}' CHECK (array_position(npis, NULL) IS NULL),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX practices_npis ON practices USING gin (npis);

-- The practice 'default' always exists: it holds everything while no practice is registered, and an existing
-- database is one practice's books, migrated into it (named by the billing NPIs its claims carry).
INSERT INTO practices (id, name, npis)
SELECT 'default', 'Default practice', coalesce((SELECT array_agg(DISTINCT billing_npi ORDER BY billing_npi) FROM claims), '{}');

-- ADD COLUMN with a constant default fills existing rows without rewriting or updating them (the ledger's
-- immutability triggers never fire); the default is dropped at once, so every new row names its practice.
ALTER TABLE accounts ADD COLUMN practice_id text NOT NULL DEFAULT 'default' REFERENCES practices (id);
ALTER TABLE accounts ALTER COLUMN practice_id DROP DEFAULT;
DROP INDEX accounts_identity;
-- The practice last: lookups by kind and patient (a guarantor account is one practice's) keep using the index.
CREATE UNIQUE INDEX accounts_identity ON accounts (kind, coalesce(payer_id, ''), coalesce(patient_id, ''), practice_id);

ALTER TABLE guarantor_accounts ADD COLUMN practice_id text NOT NULL DEFAULT 'default' REFERENCES practices (id);
ALTER TABLE guarantor_accounts ALTER COLUMN practice_id DROP DEFAULT;
CREATE INDEX guarantor_accounts_practice ON guarantor_accounts (practice_id);
ALTER TABLE patients ADD COLUMN practice_id text NOT NULL DEFAULT 'default' REFERENCES practices (id);
ALTER TABLE patients ALTER COLUMN practice_id DROP DEFAULT;
CREATE INDEX patients_practice ON patients (practice_id);
ALTER TABLE claims ADD COLUMN practice_id text NOT NULL DEFAULT 'default' REFERENCES practices (id);
ALTER TABLE claims ALTER COLUMN practice_id DROP DEFAULT;
CREATE INDEX claims_practice_pcn ON claims (practice_id, patient_control_number);
ALTER TABLE remittances ADD COLUMN practice_id text NOT NULL DEFAULT 'default' REFERENCES practices (id);
ALTER TABLE remittances ALTER COLUMN practice_id DROP DEFAULT;
CREATE INDEX remittances_practice ON remittances (practice_id, payment_date);

-- A patient belongs to the practice of its guarantor account.
CREATE FUNCTION practice_same_as_account() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  owner text;
BEGIN
  SELECT practice_id INTO owner FROM guarantor_accounts WHERE account_number = NEW.account_number;
  IF owner IS NULL THEN
    RETURN NEW; -- the foreign key reports the missing account
  END IF;
  IF NEW.practice_id IS NULL THEN
    NEW.practice_id := owner;
  ELSIF NEW.practice_id <> owner THEN
    RAISE EXCEPTION 'PRACTICE_MISMATCH: % of practice % names account % of practice %', TG_TABLE_NAME, NEW.practice_id, NEW.account_number, owner
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER patients_practice BEFORE INSERT OR UPDATE OF account_number, practice_id ON patients
  FOR EACH ROW EXECUTE FUNCTION practice_same_as_account();
CREATE TRIGGER claims_practice BEFORE INSERT ON claims
  FOR EACH ROW EXECUTE FUNCTION practice_same_as_account();

-- Tables keyed by a guarantor account: practice_id is the account's, set by the trigger above.
DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['patient_payments', 'payment_plans', 'statements', 'mail_holds', 'account_holds',
                           'account_flags', 'eca_notices', 'referrals'] LOOP
    EXECUTE format('ALTER TABLE %I ADD COLUMN practice_id text NOT NULL DEFAULT %L REFERENCES practices (id)', t, 'default');
    EXECUTE format('ALTER TABLE %I ALTER COLUMN practice_id DROP DEFAULT', t);
    EXECUTE format('CREATE INDEX %I ON %I (practice_id)', t || '_practice', t);
    EXECUTE format('CREATE TRIGGER %I BEFORE INSERT OR UPDATE OF account_number, practice_id ON %I FOR EACH ROW EXECUTE FUNCTION practice_same_as_account()', t || '_practice', t);
  END LOOP;
END $$;

-- A coverage belongs to the practice of its patient.
CREATE FUNCTION practice_same_as_patient() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  owner text;
BEGIN
  SELECT practice_id INTO owner FROM patients WHERE patient_id = NEW.patient_id;
  IF owner IS NULL THEN
    RETURN NEW;
  END IF;
  IF NEW.practice_id IS NULL THEN
    NEW.practice_id := owner;
  ELSIF NEW.practice_id <> owner THEN
    RAISE EXCEPTION 'PRACTICE_MISMATCH: % of practice % names patient % of practice %', TG_TABLE_NAME, NEW.practice_id, NEW.patient_id, owner
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END $$;
ALTER TABLE coverages ADD COLUMN practice_id text NOT NULL DEFAULT 'default' REFERENCES practices (id);
ALTER TABLE coverages ALTER COLUMN practice_id DROP DEFAULT;
CREATE TRIGGER coverages_practice BEFORE INSERT OR UPDATE OF patient_id, practice_id ON coverages
  FOR EACH ROW EXECUTE FUNCTION practice_same_as_patient();


-- A guarantor account never changes practice: its ledger accounts, statements and referrals are that practice's.
CREATE FUNCTION practice_fixed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.practice_id IS DISTINCT FROM OLD.practice_id THEN
    RAISE EXCEPTION 'PRACTICE_MISMATCH: % % belongs to practice %, not %', TG_TABLE_NAME, OLD.account_number, OLD.practice_id, NEW.practice_id
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER guarantor_accounts_practice_fixed BEFORE UPDATE OF practice_id ON guarantor_accounts
  FOR EACH ROW EXECUTE FUNCTION practice_fixed();
