-- 0009_remittance_claims_bulk_checks: the references of remittance_claims are checked once per statement
-- instead of once per row. A remittance writes all its CLP rows in one COPY (a payer's weekly 835 holds
-- thousands); the two foreign keys cost two index probes per row through the row-level RI triggers,
-- about a third of the time of writing those rows. The guarantees stay: a claim row cannot name a
-- remittance or provisional patient that does not exist, and neither parent can be deleted (or its id
-- changed) while a claim row names it. Why: docs/decisions/0053-835-ingest-flat-and-fast.md.

ALTER TABLE remittance_claims DROP CONSTRAINT remittance_claims_remittance_id_fkey;
ALTER TABLE remittance_claims DROP CONSTRAINT remittance_claims_provisional_patient_id_fkey;

CREATE FUNCTION remittance_claims_check_refs() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  missing bigint;
BEGIN
  SELECT n.remittance_id INTO missing
  FROM (SELECT DISTINCT remittance_id FROM new_claims) n
  WHERE NOT EXISTS (SELECT 1 FROM remittances r WHERE r.id = n.remittance_id)
  LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'REMIT_CLAIM_REMITTANCE_MISSING: remittance_claims row refers to remittance % which does not exist', missing
      USING ERRCODE = 'foreign_key_violation';
  END IF;
  SELECT n.provisional_patient_id INTO missing
  FROM (SELECT DISTINCT provisional_patient_id FROM new_claims WHERE provisional_patient_id IS NOT NULL) n
  WHERE NOT EXISTS (SELECT 1 FROM provisional_patients p WHERE p.id = n.provisional_patient_id)
  LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'REMIT_CLAIM_PROVISIONAL_PATIENT_MISSING: remittance_claims row refers to provisional patient % which does not exist', missing
      USING ERRCODE = 'foreign_key_violation';
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER remittance_claims_refs AFTER INSERT ON remittance_claims
  REFERENCING NEW TABLE AS new_claims
  FOR EACH STATEMENT EXECUTE FUNCTION remittance_claims_check_refs();
-- An UPDATE that changes a reference is checked the same way.
CREATE TRIGGER remittance_claims_refs_update AFTER UPDATE ON remittance_claims
  REFERENCING NEW TABLE AS new_claims
  FOR EACH STATEMENT EXECUTE FUNCTION remittance_claims_check_refs();

-- The parents' side of the old foreign keys: refuse removing a row that claim rows still name.
CREATE FUNCTION remittance_claims_refuse_orphans() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND NEW.id = OLD.id THEN
    RETURN NEW;
  END IF;
  IF TG_TABLE_NAME = 'remittances' AND EXISTS (SELECT 1 FROM remittance_claims c WHERE c.remittance_id = OLD.id) THEN
    RAISE EXCEPTION 'REMIT_CLAIMS_REFERENCE: remittance % still has claim rows', OLD.id USING ERRCODE = 'foreign_key_violation';
  END IF;
  IF TG_TABLE_NAME = 'provisional_patients' AND EXISTS (SELECT 1 FROM remittance_claims c WHERE c.provisional_patient_id = OLD.id) THEN
    RAISE EXCEPTION 'REMIT_CLAIMS_REFERENCE: provisional patient % is still named by claim rows', OLD.id USING ERRCODE = 'foreign_key_violation';
  END IF;
  IF TG_OP = 'DELETE' THEN
    RETURN OLD;
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER remittances_keep_claims BEFORE DELETE OR UPDATE OF id ON remittances
  FOR EACH ROW EXECUTE FUNCTION remittance_claims_refuse_orphans();
CREATE TRIGGER provisional_patients_keep_claims BEFORE DELETE OR UPDATE OF id ON provisional_patients
  FOR EACH ROW EXECUTE FUNCTION remittance_claims_refuse_orphans();
