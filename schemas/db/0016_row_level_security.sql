-- 0016_row_level_security: each practice's books readable only by the analysts bound to it (issue 17,
-- docs/decisions/0099-row-level-security-per-practice.md).
--
-- Who the policies apply to: every role but the tables' owner (RLS is enabled, not forced: the owner runs the
-- migrations and the commands that connect as it keep working unchanged) and roles with BYPASSRLS (the
-- pipeline role, which `claims db roles` gives it: PostgreSQL refuses COPY FROM into a table whose row-level
-- security applies, and the ledger and the 835 posting load by COPY). In practice: the analysts.
--
-- Policies are FOR SELECT only. A role the policies apply to may therefore write none of these tables (no
-- INSERT, UPDATE or DELETE policy means no row qualifies), on top of lacking the privilege.
--
-- A row that cannot be tied to a practice (an eligibility response matched to no patient, a hold on a
-- patient not on file) is visible to no analyst: unseen rather than seen by the wrong practice.

-- Which practices a database role may read. A role sees the practices granted to it and to every role it is
-- a member of. Written by `claims db analyst` as the owner; there is no foreign key to pg_roles (roles are
-- the cluster's), so a row for a dropped role is inert (claims_visible_practices ignores it).
CREATE TABLE practice_grants (
  role_name text NOT NULL CHECK (role_name <> ''),
  practice_id text NOT NULL REFERENCES practices (id),
  granted_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (role_name, practice_id)
);
CREATE INDEX practice_grants_practice ON practice_grants (practice_id);

-- SECURITY DEFINER so that it reads practice_grants whatever the caller may read (and as the owner, to whom
-- the policy on practice_grants does not apply: no recursion). Inside it current_user is the owner, so the
-- caller's role comes in as the argument; its default is evaluated by the caller, so
-- claims_visible_practices() means "mine". Roles are joined through pg_roles because pg_has_role raises on
-- a name that is no role any more.
CREATE FUNCTION claims_visible_practices(who name DEFAULT current_user) RETURNS text[]
  LANGUAGE sql STABLE SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp
AS $$
  SELECT coalesce(array_agg(DISTINCT g.practice_id ORDER BY g.practice_id), '{}')
  FROM public.practice_grants g
  JOIN pg_catalog.pg_roles r ON r.rolname = g.role_name
  WHERE pg_catalog.pg_has_role(who, r.oid, 'MEMBER')
$$;
-- Only the roles `claims db roles` grants it to (the analyst): a definer's function is nobody's by default.
REVOKE ALL ON FUNCTION claims_visible_practices(name) FROM PUBLIC;

-- The policies call it through a scalar subquery: evaluated once per statement (an InitPlan), where a bare
-- call would run per row (a SECURITY DEFINER function is never inlined), which on entry_lines is millions.

-- Row-level security on a table keyed by practice_id. A later migration adding such a table calls this too;
-- test/runtime/rls.int.test.ts lists the practice_id tables from the catalog and fails on one left open.
CREATE FUNCTION claims_protect_by_practice(t regclass) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', t);
  EXECUTE format('DROP POLICY IF EXISTS practice_read ON %s', t);
  EXECUTE format('CREATE POLICY practice_read ON %s FOR SELECT USING (practice_id = ANY ((SELECT public.claims_visible_practices(current_user))::text[]))', t);
END $$;
REVOKE ALL ON FUNCTION claims_protect_by_practice(regclass) FROM PUBLIC;

-- Every table that has a practice_id column now, from the catalog (practice_grants included: an analyst sees
-- the grants of its own practices only).
DO $$
DECLARE
  t regclass;
BEGIN
  FOR t IN
    SELECT c.oid::regclass
    FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace
    JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'practice_id' AND NOT a.attisdropped
    WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
    ORDER BY c.relname
  LOOP
    PERFORM claims_protect_by_practice(t);
  END LOOP;
END $$;

-- Tables holding a practice's data through a parent. Each asks whether its parent row is of a visible
-- practice, by the parent's key (an index probe, or one hashed pass over the parent: the planner chooses).
-- The parent's practice is tested here, not left to the parent's own policy, so each policy reads alone.

ALTER TABLE claim_lines ENABLE ROW LEVEL SECURITY;
CREATE POLICY practice_read ON claim_lines FOR SELECT USING (EXISTS (
  SELECT 1 FROM claims p WHERE p.id = claim_lines.claim_id
    AND p.practice_id = ANY ((SELECT claims_visible_practices(current_user))::text[])));

ALTER TABLE claim_status_history ENABLE ROW LEVEL SECURITY;
CREATE POLICY practice_read ON claim_status_history FOR SELECT USING (EXISTS (
  SELECT 1 FROM claims p WHERE p.id = claim_status_history.claim_id
    AND p.practice_id = ANY ((SELECT claims_visible_practices(current_user))::text[])));

-- A held claim has no claims row yet: its patient says whose it is.
ALTER TABLE claim_holds ENABLE ROW LEVEL SECURITY;
CREATE POLICY practice_read ON claim_holds FOR SELECT USING (EXISTS (
  SELECT 1 FROM patients p WHERE p.patient_id = claim_holds.patient_id
    AND p.practice_id = ANY ((SELECT claims_visible_practices(current_user))::text[])));

ALTER TABLE remittance_claims ENABLE ROW LEVEL SECURITY;
CREATE POLICY practice_read ON remittance_claims FOR SELECT USING (EXISTS (
  SELECT 1 FROM remittances p WHERE p.id = remittance_claims.remittance_id
    AND p.practice_id = ANY ((SELECT claims_visible_practices(current_user))::text[])));

-- A person an 835 named for a claim we did not send belongs to the practices whose remittances name it.
ALTER TABLE provisional_patients ENABLE ROW LEVEL SECURITY;
CREATE POLICY practice_read ON provisional_patients FOR SELECT USING (EXISTS (
  SELECT 1 FROM remittance_claims rc JOIN remittances p ON p.id = rc.remittance_id
  WHERE rc.provisional_patient_id = provisional_patients.id
    AND p.practice_id = ANY ((SELECT claims_visible_practices(current_user))::text[])));

ALTER TABLE referral_events ENABLE ROW LEVEL SECURITY;
CREATE POLICY practice_read ON referral_events FOR SELECT USING (EXISTS (
  SELECT 1 FROM referrals p WHERE p.id = referral_events.referral_id
    AND p.practice_id = ANY ((SELECT claims_visible_practices(current_user))::text[])));

-- The ledger. A line is its account's practice's; an entry and a batch are visible when one of their lines
-- is (the writer keeps an entry in one practice: LEDGER_PRACTICES_MIXED; a batch may span practices and is
-- then visible to each, its key and counts only). Only the analyst pays for these: the pipeline and the
-- owner bypass them, so COPY into entry_lines is as before.
ALTER TABLE entry_lines ENABLE ROW LEVEL SECURITY;
CREATE POLICY practice_read ON entry_lines FOR SELECT USING (EXISTS (
  SELECT 1 FROM accounts p WHERE p.id = entry_lines.account_id
    AND p.practice_id = ANY ((SELECT claims_visible_practices(current_user))::text[])));

ALTER TABLE entries ENABLE ROW LEVEL SECURITY;
CREATE POLICY practice_read ON entries FOR SELECT USING (EXISTS (
  SELECT 1 FROM entry_lines l JOIN accounts p ON p.id = l.account_id
  WHERE l.batch_id = entries.batch_id AND l.entry_ordinal = entries.ordinal
    AND p.practice_id = ANY ((SELECT claims_visible_practices(current_user))::text[])));

ALTER TABLE posting_batches ENABLE ROW LEVEL SECURITY;
CREATE POLICY practice_read ON posting_batches FOR SELECT USING (EXISTS (
  SELECT 1 FROM entry_lines l JOIN accounts p ON p.id = l.account_id
  WHERE l.batch_id = posting_batches.id
    AND p.practice_id = ANY ((SELECT claims_visible_practices(current_user))::text[])));

-- Eligibility: a 271 snapshot is its matched patient's; an unmatched one (patient_id null) is nobody's here.
ALTER TABLE eligibility_responses ENABLE ROW LEVEL SECURITY;
CREATE POLICY practice_read ON eligibility_responses FOR SELECT USING (EXISTS (
  SELECT 1 FROM patients p WHERE p.patient_id = eligibility_responses.patient_id
    AND p.practice_id = ANY ((SELECT claims_visible_practices(current_user))::text[])));

ALTER TABLE eligibility_benefits ENABLE ROW LEVEL SECURITY;
CREATE POLICY practice_read ON eligibility_benefits FOR SELECT USING (EXISTS (
  SELECT 1 FROM eligibility_responses r JOIN patients p ON p.patient_id = r.patient_id
  WHERE r.id = eligibility_benefits.response_id
    AND p.practice_id = ANY ((SELECT claims_visible_practices(current_user))::text[])));

ALTER TABLE eligibility_rejections ENABLE ROW LEVEL SECURITY;
CREATE POLICY practice_read ON eligibility_rejections FOR SELECT USING (EXISTS (
  SELECT 1 FROM eligibility_responses r JOIN patients p ON p.patient_id = r.patient_id
  WHERE r.id = eligibility_rejections.response_id
    AND p.practice_id = ANY ((SELECT claims_visible_practices(current_user))::text[])));

-- A 270 asked about a member for a provider: the practice whose NPIs include that provider.
ALTER TABLE eligibility_requests ENABLE ROW LEVEL SECURITY;
CREATE POLICY practice_read ON eligibility_requests FOR SELECT USING (EXISTS (
  SELECT 1 FROM practices p WHERE eligibility_requests.provider_npi = ANY (p.npis)
    AND p.id = ANY ((SELECT claims_visible_practices(current_user))::text[])));
