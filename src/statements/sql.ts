// SQL of the statement run and the account view, as named constants. Parameters are always bound; the
// run loads a page of accounts with one statement per table ($1 = account numbers, $2 = as-of date).

export const ACCOUNT_PAGE = `
SELECT account_number, first_name, last_name, address_line1, address_line2, city, state, postal_code, practice_id
FROM guarantor_accounts
WHERE account_number > $1 AND ($3::text IS NULL OR practice_id = $3::text)
ORDER BY account_number
LIMIT $2`;

export const ACCOUNTS_BY_NUMBER = `
SELECT account_number, first_name, last_name, address_line1, address_line2, city, state, postal_code, practice_id
FROM guarantor_accounts
WHERE account_number = ANY($1::text[])
ORDER BY account_number`;

/** Net patient receivable and credit per account and effective date (for running balances). */
export const PATIENT_LEDGER_DAILY = `
SELECT a.patient_id AS account_number, a.kind, e.effective_date::text AS date, sum(l.amount_cents)::text AS amount_cents
FROM accounts a
JOIN entry_lines l ON l.account_id = a.id
JOIN entries e ON e.batch_id = l.batch_id AND e.ordinal = l.entry_ordinal
WHERE a.kind IN ('patient_receivable', 'patient_credit') AND a.patient_id = ANY($1::text[]) AND e.effective_date <= $2
GROUP BY a.patient_id, a.kind, e.effective_date
ORDER BY a.patient_id, e.effective_date`;

/**
 * Each claim chain of the accounts (original and replacements share billing NPI + CLM01), its latest claim,
 * and for a latest replacement or void the business date it was sent (its ledger entry's effective date).
 */
export const CLAIM_CHAINS = `
WITH chain AS (
  SELECT billing_npi, patient_control_number, array_agg(id::text ORDER BY id) AS chain_ids, max(id) AS latest
  FROM claims
  WHERE account_number = ANY($1::text[]) AND first_service_date <= $2
  GROUP BY billing_npi, patient_control_number
)
SELECT c.id::text AS claim_id, chain.chain_ids, c.account_number, c.patient_control_number, c.frequency, c.billing_npi,
       p.first_name, p.last_name, c.primary_payer_id, c.secondary_payer_id, c.tertiary_payer_id,
       c.total_charge_cents::text AS charge_cents, c.first_service_date::text AS service_date,
       CASE WHEN c.frequency IN ('7', '8') THEN sent.effective_date::text END AS resubmitted_on
FROM chain
JOIN claims c ON c.id = chain.latest
JOIN patients p ON p.patient_id = c.patient_id
LEFT JOIN entries sent ON sent.key = c.ledger_entry_key
ORDER BY c.account_number, c.first_service_date, c.id`;

export const CLAIM_LINES = `
SELECT claim_id::text AS claim_id, procedure_code, service_date::text AS service_date, charge_cents::text AS charge_cents
FROM claim_lines
WHERE claim_id = ANY($1::bigint[])
ORDER BY claim_id, line_number`;

/** Claim-tagged ledger sums per claim id, account kind and payer. */
export const CLAIM_LEDGER = `
SELECT l.claim_id, a.kind, a.payer_id, sum(l.amount_cents)::text AS amount_cents
FROM entry_lines l
JOIN accounts a ON a.id = l.account_id
JOIN entries e ON e.batch_id = l.batch_id AND e.ordinal = l.entry_ordinal
WHERE l.claim_id = ANY($1::text[]) AND e.effective_date <= $2
GROUP BY l.claim_id, a.kind, a.payer_id`;

/** Every CLP about the claims, with its payment date and arrival order. */
export const REMITTANCE_EVENTS = `
SELECT rc.claim_id::text AS claim_id, rc.payer_id, rc.status, r.payment_date::text AS date, r.id::text AS remittance_id, rc.claim_index
FROM remittance_claims rc
JOIN remittances r ON r.id = rc.remittance_id
WHERE rc.claim_id = ANY($1::bigint[]) AND r.payment_date <= $2
ORDER BY r.payment_date, r.id, rc.claim_index`;

/** Next-payer timeout moves posted for the claims: the patient receivable line of each, by key. */
export const TIMEOUT_ENTRIES = `
SELECT e.key, l.claim_id, l.amount_cents::text AS amount_cents
FROM entries e
JOIN entry_lines l ON l.batch_id = e.batch_id AND l.entry_ordinal = e.ordinal
JOIN accounts a ON a.id = l.account_id
WHERE e.key = ANY($1::text[]) AND a.kind = 'patient_receivable'`;

export const PAYMENTS = `
SELECT account_number, paid_on::text AS date, method, amount_cents::text AS amount_cents, reference
FROM patient_payments
WHERE account_number = ANY($1::text[]) AND paid_on <= $2
ORDER BY account_number, paid_on, id`;

/** The latest plan of each account created on or before the date. */
export const PLANS = `
SELECT DISTINCT ON (account_number) id::text AS plan_id, account_number, total_cents::text AS total_cents, installments,
       start_on::text AS start_on, frequency, created_on::text AS created_on, cancelled_on::text AS cancelled_on
FROM payment_plans
WHERE account_number = ANY($1::text[]) AND created_on <= $2
ORDER BY account_number, created_on DESC, id DESC`;

export const STATEMENTS_SENT = `
SELECT account_number, statement_date::text AS date, kind, sequence
FROM statements
WHERE account_number = ANY($1::text[]) AND status = 'issued' AND statement_date <= $2
ORDER BY account_number, statement_date`;

export const MAIL_HOLDS = `
SELECT DISTINCT account_number
FROM mail_holds
WHERE account_number = ANY($1::text[]) AND marked_on <= $2 AND (cleared_on IS NULL OR cleared_on > $2)`;

/** Record statements; a date already recorded for an account is left alone (reruns issue nothing new). */
export const INSERT_STATEMENTS = `
INSERT INTO statements (account_number, statement_date, kind, sequence, status, held_reason, rule, balance_cents,
                        amount_due_cents, patient_receivable_cents, due_on, model, pdf_file, run_id)
SELECT * FROM unnest($1::text[], $2::date[], $3::text[], $4::int[], $5::text[], $6::text[], $7::text[], $8::bigint[],
                     $9::bigint[], $10::bigint[], $11::date[], $12::jsonb[], $13::text[], $14::text[])
ON CONFLICT (account_number, statement_date) DO NOTHING
RETURNING account_number`;

/** Patient balances under provisional patients (unmatched remittances): never mailed, listed. */
export const PROVISIONAL_BALANCES = `
SELECT a.patient_id, sum(l.amount_cents)::text AS amount_cents
FROM accounts a
JOIN entry_lines l ON l.account_id = a.id
JOIN entries e ON e.batch_id = l.batch_id AND e.ordinal = l.entry_ordinal
WHERE a.kind = 'patient_receivable' AND a.patient_id LIKE 'provisional:%' AND e.effective_date <= $1
GROUP BY a.patient_id
HAVING sum(l.amount_cents) <> 0
ORDER BY a.patient_id`;

/** The files written for statements of date $1; a statement already given its file keeps it. */
export const MARK_WRITTEN = `
UPDATE statements s SET pdf_file = w.pdf
FROM unnest($2::text[], $3::text[]) AS w(account_number, pdf)
WHERE s.account_number = w.account_number AND s.statement_date = $1 AND s.pdf_file IS NULL`;

/** Statements recorded by a run that stopped before writing their files: the next run of the date renders them. */
export const UNWRITTEN = `
SELECT account_number, model FROM statements
WHERE statement_date = $1 AND status = 'issued' AND pdf_file IS NULL
ORDER BY account_number`;

export const RECORDED_ON = `SELECT count(*)::int AS n FROM statements WHERE statement_date = $1`;

export const HELD_ON = `
SELECT account_number, held_reason, amount_due_cents::text AS amount_due_cents FROM statements
WHERE statement_date = $1 AND status = 'held'
ORDER BY account_number`;

export const STATEMENTS_OF_ACCOUNT = `
SELECT statement_date::text AS date, kind, sequence, status, held_reason, rule, balance_cents::text AS balance_cents,
       amount_due_cents::text AS amount_due_cents, due_on::text AS due_on, pdf_file
FROM statements WHERE account_number = $1 ORDER BY statement_date`;

/** The account's ledger history: every line on its patient accounts or its claims, oldest first. */
export const ACCOUNT_LEDGER_HISTORY = `
SELECT e.effective_date::text AS date, e.key, e.reason, e.memo, a.kind, a.payer_id, l.claim_id, l.reason AS line_reason,
       l.amount_cents::text AS amount_cents
FROM entry_lines l
JOIN accounts a ON a.id = l.account_id
JOIN entries e ON e.batch_id = l.batch_id AND e.ordinal = l.entry_ordinal
WHERE (a.patient_id = $1 AND a.kind IN ('patient_receivable', 'patient_credit', 'small_balance_writeoff'))
   OR l.claim_id = ANY($2::text[])
ORDER BY e.effective_date, e.batch_id, e.ordinal, l.line_no`;

/** The business date each claim was sent: its charge entry's effective date (the account view's "billed on"). */
export const CLAIMS_SENT_ON = `
SELECT c.id::text AS claim_id, e.effective_date::text AS date
FROM claims c
JOIN entries e ON e.key = c.ledger_entry_key
WHERE c.id = ANY($1::bigint[])`;
