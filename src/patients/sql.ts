// SQL of the patient side (guarantor accounts, holds, patient payments, refunds, payment plans), as named
// constants. Parameters are always bound.

export const ACCOUNT_EXISTS = `SELECT 1 FROM guarantor_accounts WHERE account_number = $1`;

/** Payments and refunds of one account take turns (the same key as the collections posting). */
export const LOCK_ACCOUNT = `SELECT pg_advisory_xact_lock(hashtext('patient-account:' || $1))`;

export const ENTRY_EXISTS = `SELECT 1 FROM entries WHERE key = $1`;

// Holds opened by command or file, and the bankruptcy flag read as a hold of its own kind.
export const HOLDS_OF = `
SELECT account_number, kind, opened_on::text AS opened_on, resolved_on::text AS resolved_on, reason, 0 AS source_order, id
FROM account_holds
WHERE account_number = ANY($1::text[]) AND opened_on <= $2
UNION ALL
SELECT account_number, 'bankruptcy', set_on::text, cleared_on::text, coalesce(note, 'bankruptcy flag'), 1, 0
FROM account_flags
WHERE flag = 'bankruptcy' AND account_number = ANY($1::text[]) AND set_on <= $2
ORDER BY account_number, opened_on, source_order, id`;

export const OPEN_HOLD = `
INSERT INTO account_holds (account_number, kind, opened_on, reason, source)
VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (account_number, kind) WHERE resolved_on IS NULL DO NOTHING
RETURNING id::text AS id`;

export const OPEN_HOLD_OF = `
SELECT id::text AS id, opened_on::text AS opened_on, reason FROM account_holds
WHERE account_number = $1 AND kind = $2 AND resolved_on IS NULL`;

export const RESOLVE_HOLDS = `
UPDATE account_holds SET resolved_on = $3, resolution = $4
WHERE account_number = $1 AND resolved_on IS NULL AND ($2::text IS NULL OR kind = $2) AND opened_on <= $3
RETURNING id::text AS id, kind`;

export const PAYMENT_BY_REFERENCE = `SELECT account_number, amount_cents::text AS amount_cents, paid_on::text AS paid_on, method FROM patient_payments WHERE reference = $1`;

export const INSERT_PAYMENT = `
INSERT INTO patient_payments (reference, account_number, amount_cents, paid_on, method, applied_cents, credit_cents, entry_key,
                              source_file_sha256, source_file_name, source_line)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
ON CONFLICT (reference) DO NOTHING
RETURNING id`;

/** Inserts nothing for an unknown account, and nothing for a plan key already used (then PLAN_BY_KEY tells which). */
export const INSERT_PLAN = `
INSERT INTO payment_plans (plan_key, account_number, total_cents, installments, start_on, frequency, created_on,
                           source_file_sha256, source_file_name, source_line)
SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10
WHERE EXISTS (SELECT 1 FROM guarantor_accounts WHERE account_number = $2)
ON CONFLICT (plan_key) DO NOTHING
RETURNING id::text AS id`;

export const PLAN_BY_KEY = `SELECT id::text AS id FROM payment_plans WHERE plan_key = $1`;

// The account's latest plan agreed on or before the date, if still open: it is cancelled from that date.
export const CANCEL_PLAN = `
UPDATE payment_plans SET cancelled_on = $2
WHERE id = (SELECT id FROM payment_plans WHERE account_number = $1 AND created_on <= $2 ORDER BY created_on DESC, id DESC LIMIT 1)
  AND cancelled_on IS NULL
RETURNING id::text AS id`;

/** The practice of a guarantor account (an account never changes practice: 0015's trigger). */
export const ACCOUNT_PRACTICE = `SELECT practice_id FROM guarantor_accounts WHERE account_number = $1`;

/** Every payment plan, or one practice's ($1), by practice, account and the day agreed. */
export const LIST_PLANS = `
SELECT id::text AS id, practice_id, account_number, total_cents::text AS total_cents, installments, start_on::text AS start_on,
  frequency, created_on::text AS created_on, cancelled_on::text AS cancelled_on
FROM payment_plans
WHERE $1::text IS NULL OR practice_id = $1::text
ORDER BY practice_id COLLATE "C", account_number COLLATE "C", created_on, id`;

export const LATEST_PLAN = `
SELECT id::text AS id, cancelled_on::text AS cancelled_on FROM payment_plans
WHERE account_number = $1 AND created_on <= $2 ORDER BY created_on DESC, id DESC LIMIT 1`;
