-- 0018_payer_order_protections: each payer in its turn, and only what a patient may owe reaches a statement
-- (issue 18, docs/decisions/0100-payer-order-and-patient-protections.md).

-- Two account kinds. payer_credit: money owed back to a payer (a claim paid and then voided or replaced, an
-- overpayment): an insurance receivable never goes below zero, the excess moves here until a refund or the
-- payer's recoupment clears it. protected_adjustment: what a protected patient may not be billed (Medicaid
-- PR beyond the plan's copay, a QMB patient's Medicare cost sharing), written off with the reason.
ALTER TABLE accounts DROP CONSTRAINT accounts_kind_check;
ALTER TABLE accounts ADD CONSTRAINT accounts_kind_check CHECK (kind IN (
  'cash', 'payer_clearing', 'insurance_receivable', 'patient_receivable', 'patient_credit',
  'collections_receivable', 'revenue', 'contractual_adjustment', 'other_adjustment',
  'provider_adjustment', 'interest_income', 'bad_debt', 'small_balance_writeoff', 'unapplied',
  'payer_credit', 'protected_adjustment'
));

-- A coverage's protection: 'qmb' (Qualified Medicare Beneficiary: no Medicare deductible, coinsurance or
-- copay to the patient, under Medicare Advantage too) or 'dual' (Medicare and full Medicaid). Set from the
-- claims export, a 271 or an 835's remarks (N781, N782, N783); the source and date say which and when.
ALTER TABLE coverages ADD COLUMN protection text CHECK (protection IN ('qmb', 'dual'));
ALTER TABLE coverages ADD COLUMN protection_source text CHECK (protection_source IN ('export', '271', '835'));
ALTER TABLE coverages ADD COLUMN protection_on date;
ALTER TABLE coverages ADD CONSTRAINT coverages_protection_sourced CHECK ((protection IS NULL) = (protection_source IS NULL));

-- What the submit stage last knew of each payer from its profile: its kind and its rules (who may be billed
-- when it does not answer, its timely-filing limit, a Medicaid plan's copay, the refund deadline for its
-- overpayments). Statements, follow-up and credit-balance reports read the rules here, without the
-- profiles' folder. Office-wide (a payer is everyone's); a practice's own terms stay in the profile.
CREATE TABLE payers (
  payer_id text PRIMARY KEY CHECK (payer_id <> ''),
  name text NOT NULL,
  kind text NOT NULL CHECK (kind IN (
    'commercial', 'medicare', 'medicare_advantage', 'medicaid', 'medicaid_managed_care', 'tricare',
    'workers_compensation', 'auto', 'self_pay', 'other'
  )),
  rules jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
