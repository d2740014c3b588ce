// SQL of collections (the referrals run, its files, agency returns, holds files, agency flags, the account
// view's referral section), as named constants. Parameters are always bound.

/** Accounts that may be referred or need a 501(r) notice: a final notice issued on or before $1. Paged; $5 one practice's. */
export const CANDIDATE_ACCOUNTS = `
SELECT DISTINCT s.account_number
FROM statements s
WHERE s.kind = 'final_notice' AND s.status = 'issued' AND s.statement_date <= $1 AND s.account_number > $2
  AND ($4::text[] IS NULL OR s.account_number = ANY($4::text[]))
  AND ($5::text IS NULL OR s.practice_id = $5::text)
ORDER BY s.account_number
LIMIT $3`;

export const REFERRALS_OF = `
SELECT id::text AS id, account_number, agency_id, cycle_started_on::text AS cycle_started_on, placed_on::text AS placed_on,
       placed_cents::text AS placed_cents, status, closed_on::text AS closed_on, closed_reason,
       recall_requested_on::text AS recall_requested_on, recall_reason
FROM referrals
WHERE account_number = ANY($1::text[])
ORDER BY account_number, id`;

/** Referrals placed on or before $1, paged by id; $4 only these accounts, $5 one practice's. */
export const ACTIVE_REFERRALS = `
SELECT id::text AS id, account_number, practice_id, agency_id, cycle_started_on::text AS cycle_started_on, placed_on::text AS placed_on,
       recall_requested_on::text AS recall_requested_on, recall_reason
FROM referrals
WHERE status = 'placed' AND placed_on <= $1 AND id > $2 AND ($4::text[] IS NULL OR account_number = ANY($4::text[]))
  AND ($5::text IS NULL OR practice_id = $5::text)
ORDER BY id
LIMIT $3`;

export const ECA_NOTICES_OF = `
SELECT account_number, cycle_started_on::text AS cycle_started_on, notice_date::text AS notice_date, eca_not_before::text AS eca_not_before
FROM eca_notices
WHERE account_number = ANY($1::text[]) AND notice_date <= $2`;

/** Patients of the accounts whose balances came from an unmatched remittance and are not confirmed yet. */
export const PROVISIONAL_OF = `
SELECT DISTINCT linked_account_number AS account_number
FROM provisional_patients
WHERE linked_account_number = ANY($1::text[]) AND state = 'provisional'`;

/** The guarantor's demographics for a placement file, and the creditor: the account's practice. */
export const GUARANTOR_DETAILS = `
SELECT g.account_number, g.last_name, g.first_name, g.address_line1, coalesce(g.address_line2, '') AS address_line2, g.city, g.state, g.postal_code,
       coalesce(g.phone, '') AS phone, coalesce(g.email, '') AS email, p.name AS creditor_name, coalesce(p.tax_id, '') AS creditor_tax_id
FROM guarantor_accounts g JOIN practices p ON p.id = g.practice_id WHERE g.account_number = $1`;

/** Patients of the account with their latest service date and their coverages' subscribers (for the relationship). */
export const PATIENTS_OF = `
SELECT p.patient_id, p.last_name, p.first_name, p.birth_date::text AS birth_date,
       max(c.last_service_date)::text AS last_service_date,
       coalesce(json_agg(json_build_object('relationship', v.relationship, 'last', v.subscriber_last_name, 'first', v.subscriber_first_name,
                                           'birth', v.subscriber_birth_date::text)) FILTER (WHERE v.patient_id IS NOT NULL), '[]') AS coverages
FROM patients p
LEFT JOIN claims c ON c.patient_id = p.patient_id AND c.first_service_date <= $2
LEFT JOIN coverages v ON v.patient_id = p.patient_id
WHERE p.account_number = $1
GROUP BY p.patient_id
ORDER BY max(c.last_service_date) DESC NULLS LAST, p.patient_id`;

export const LAST_PAYMENT = `
SELECT paid_on::text AS paid_on, amount_cents::text AS amount_cents
FROM patient_payments WHERE account_number = $1 AND paid_on <= $2
ORDER BY paid_on DESC, id DESC LIMIT 1`;

export const FLAGS_OF = `
SELECT flag FROM account_flags
WHERE account_number = $1 AND set_on <= $2 AND (cleared_on IS NULL OR cleared_on > $2)`;

/** The account's ledger balances of the patient-side kinds as of $2 (inside the posting transaction). */
export const PATIENT_BALANCES = `
SELECT a.kind, sum(l.amount_cents)::text AS balance_cents
FROM accounts a
JOIN entry_lines l ON l.account_id = a.id
JOIN entries e ON e.batch_id = l.batch_id AND e.ordinal = l.entry_ordinal
WHERE a.patient_id = $1 AND a.kind IN ('patient_receivable', 'patient_credit', 'collections_receivable') AND e.effective_date <= $2
GROUP BY a.kind`;

export const LOCK_ACCOUNT = `SELECT pg_advisory_xact_lock(hashtext('patient-account:' || $1))`;
export const LOCK_FILES = `SELECT pg_advisory_xact_lock(hashtext('collections-files'))`;

export const INSERT_REFERRAL = `
INSERT INTO referrals (account_number, agency_id, cycle_started_on, placed_on, placed_cents, entry_key, decision, record, run_id)
VALUES ($1, $2, $3, $4, $5, $6, $7, '{}', $8)
ON CONFLICT DO NOTHING
RETURNING id::text AS id`;

export const SET_REFERRAL_RECORD = `UPDATE referrals SET record = $2 WHERE id = $1`;

export const INSERT_EVENT = `
INSERT INTO referral_events (referral_id, kind, event_on, amount_cents, balance_after_cents, reason, entry_key, record)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
RETURNING id::text AS id`;

export const CLOSE_REFERRAL = `
UPDATE referrals SET status = $2, closed_on = $3, closed_reason = $4
WHERE id = $1 AND status = 'placed'
RETURNING id`;

export const REQUEST_RECALL = `
UPDATE referrals SET recall_requested_on = $2, recall_reason = $3
WHERE account_number = $1 AND status = 'placed' AND recall_requested_on IS NULL
RETURNING id::text AS id, agency_id`;

export const INSERT_ECA_NOTICE = `
INSERT INTO eca_notices (account_number, cycle_started_on, notice_date, eca_not_before, balance_cents, record)
VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT (account_number, cycle_started_on) DO NOTHING
RETURNING id::text AS id`;

/** Rows recorded but not yet assigned to a file, per agency, kind and practice; $1 one practice's. */
export const UNFILED = `
SELECT * FROM (
  SELECT 'placement' AS kind, agency_id, practice_id, id::text AS id FROM referrals WHERE file_id IS NULL AND record <> '{}'
  UNION ALL
  SELECT CASE WHEN e.kind = 'recall' THEN 'recall' ELSE 'update' END, r.agency_id, r.practice_id, e.id::text
  FROM referral_events e JOIN referrals r ON r.id = e.referral_id
  WHERE e.file_id IS NULL AND e.record IS NOT NULL
  UNION ALL
  SELECT 'eca_notice', '501r', practice_id, id::text FROM eca_notices WHERE file_id IS NULL
) u
WHERE $1::text IS NULL OR u.practice_id = $1::text
ORDER BY 1, 2, 3, 4`;

export const NEXT_FILE_SEQUENCE = `
SELECT coalesce(max(sequence), 0) + 1 AS sequence FROM collection_files WHERE agency_id = $1 AND kind = $2 AND as_of = $3`;

/** File names already taken for an agency, kind and date (a practice's next file takes the first free one). */
export const FILE_NAMES_OF = `SELECT file_name FROM collection_files WHERE agency_id = $1 AND kind = $2 AND as_of = $3`;

export const INSERT_FILE = `
INSERT INTO collection_files (agency_id, kind, as_of, sequence, file_name, row_count, run_id)
VALUES ($1, $2, $3, $4, $5, $6, $7)
RETURNING id::text AS id`;

export const ASSIGN_PLACEMENTS = `UPDATE referrals SET file_id = $1 WHERE id = ANY($2::bigint[]) AND file_id IS NULL`;
export const ASSIGN_EVENTS = `UPDATE referral_events SET file_id = $1 WHERE id = ANY($2::bigint[]) AND file_id IS NULL`;
export const ASSIGN_NOTICES = `UPDATE eca_notices SET file_id = $1 WHERE id = ANY($2::bigint[]) AND file_id IS NULL`;

/**
 * Files recorded but not written, with their practice: collection_files has no practice column (a file holds
 * one practice's rows, so its practice is its rows'); $1 one practice's.
 */
export const UNWRITTEN_FILES = `
SELECT * FROM (
  SELECT f.id::text AS id, f.agency_id, f.kind, f.as_of::text AS as_of, f.file_name,
         coalesce((SELECT r.practice_id FROM referrals r WHERE r.file_id = f.id LIMIT 1),
                  (SELECT r.practice_id FROM referral_events e JOIN referrals r ON r.id = e.referral_id WHERE e.file_id = f.id LIMIT 1),
                  (SELECT n.practice_id FROM eca_notices n WHERE n.file_id = f.id LIMIT 1)) AS practice_id
  FROM collection_files f WHERE f.written_at IS NULL
) u
WHERE $1::text IS NULL OR u.practice_id = $1::text
ORDER BY u.id::bigint`;

export const FILE_PLACEMENTS = `SELECT record FROM referrals WHERE file_id = $1 ORDER BY account_number, id`;
export const FILE_EVENTS = `
SELECT e.record FROM referral_events e JOIN referrals r ON r.id = e.referral_id WHERE e.file_id = $1 ORDER BY r.account_number, e.id`;
export const FILE_NOTICES = `SELECT record FROM eca_notices WHERE file_id = $1 ORDER BY account_number, id`;

export const CLAIM_FILE_TO_WRITE = `SELECT 1 FROM collection_files WHERE id = $1 AND written_at IS NULL FOR UPDATE SKIP LOCKED`;
export const MARK_FILE_WRITTEN = `UPDATE collection_files SET sha256 = $2, written_at = now() WHERE id = $1`;

export const REFERRAL_STILL_PLACED = `SELECT 1 FROM referrals WHERE id = $1 AND status = 'placed'`;
export const EVENT_COUNT = `SELECT count(*)::int AS n FROM referral_events WHERE referral_id = $1`;

/** Every event of the account's referrals, for `claims account` (explain.ts). */
export const EVENTS_OF = `
SELECT e.referral_id::text AS referral_id, e.kind, e.event_on::text AS event_on, e.amount_cents::text AS amount_cents,
       e.balance_after_cents::text AS balance_after_cents, e.reason
FROM referral_events e JOIN referrals r ON r.id = e.referral_id
WHERE r.account_number = $1 ORDER BY e.id`;

// Agency returns (returns.ts): each row once per agency and reference.
export const REFERRAL_FOR_RETURN = `
SELECT id::text AS id, account_number, agency_id, status FROM referrals WHERE id = $1::bigint`;
export const EXISTING_RETURN = `
SELECT e.kind, e.amount_cents::text AS amount_cents, e.event_on::text AS event_on, e.referral_id::text AS referral_id
FROM referral_events e WHERE e.agency_id = $1 AND e.agency_reference = $2`;
export const INSERT_RETURN = `
INSERT INTO referral_events (referral_id, kind, event_on, amount_cents, balance_after_cents, reason, entry_key, agency_reference, agency_id,
                             source_file_sha256, source_file_name, source_line)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
ON CONFLICT (agency_id, agency_reference) DO NOTHING
RETURNING id`;

export const RETURN_AMOUNT = `SELECT amount_cents::text AS amount_cents FROM referral_events WHERE agency_id = $1 AND agency_reference = $2`;

/** A hold of this kind opened on this date already exists (open or since resolved): a holds-file row seen before. */
export const HOLD_OPENED_ON = `SELECT 1 FROM account_holds WHERE account_number = $1 AND kind = $2 AND opened_on = $3`;

/** Agency flags (flags.ts): one row per account, flag and date set. */
export const SET_FLAG = `INSERT INTO account_flags (account_number, flag, set_on, note) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`;
export const CLEAR_FLAG = `UPDATE account_flags SET cleared_on = $3 WHERE account_number = $1 AND flag = $2 AND cleared_on IS NULL AND set_on <= $3`;
