-- 0012_insurance_hold: a third kind of account hold, `insurance`: the patient reported coverage we did not
-- bill, or an appeal is in progress, so the balance may still be insurance's. Like a dispute it freezes the
-- statement cycle and referrals, and recalls an account placed with an agency; unlike a dispute it says so
-- in the recall (INSURANCE_PENDING), and an agency can tell the two apart.
-- The bankruptcy flag (account_flags) is read as a hold of its own kind by the code, not stored here.
ALTER TABLE account_holds DROP CONSTRAINT account_holds_kind_check;
ALTER TABLE account_holds ADD CONSTRAINT account_holds_kind_check CHECK (kind IN ('dispute', 'assistance', 'insurance'));
