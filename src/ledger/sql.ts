// Every SQL statement of the ledger, as named constants: parameters are always bound, nothing is
// concatenated from input. Tables and triggers: schemas/db/0001_ledger.sql.
import { ENTRY_COPY_COLUMNS, LINE_COPY_COLUMNS } from './copy-format.ts';
import { ACCOUNT_KINDS } from './types.ts';

/** Claim the batch key with one row; returns the new batch id, or nothing when the key exists. */
export const CLAIM_BATCH = `
  INSERT INTO posting_batches (key, content_sha256, entry_count, line_count)
  VALUES ($1, $2, $3, $4)
  ON CONFLICT (key) DO NOTHING
  RETURNING id::text AS id`;

export const BATCH_BY_KEY = `
  SELECT id::text AS id, content_sha256, entry_count, line_count::text AS line_count, created_at
  FROM posting_batches WHERE key = $1`;

/**
 * Find or create the batch's accounts in one statement: $1 kinds, $2 payer ids, $3 patient ids, $4 practices
 * (arrays of equal length, sorted, so concurrent posters insert in the same order). A row inserted by another
 * transaction after this statement's snapshot comes back with a NULL id: the caller asks again for those.
 */
export const RESOLVE_ACCOUNTS = `
  WITH wanted AS (
    SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) WITH ORDINALITY AS w(kind, payer_id, patient_id, practice_id, position)
  ), created AS (
    INSERT INTO accounts (practice_id, kind, payer_id, patient_id)
    SELECT practice_id, kind, payer_id, patient_id FROM wanted ORDER BY position
    ON CONFLICT (kind, coalesce(payer_id, ''), coalesce(patient_id, ''), practice_id) DO NOTHING
    RETURNING id, practice_id, kind, payer_id, patient_id
  )
  SELECT w.position::int AS position, coalesce(c.id, a.id)::text AS id
  FROM wanted w
  LEFT JOIN created c ON c.practice_id = w.practice_id AND c.kind = w.kind AND coalesce(c.payer_id, '') = coalesce(w.payer_id, '')
    AND coalesce(c.patient_id, '') = coalesce(w.patient_id, '')
  LEFT JOIN LATERAL (
    -- One identity-index probe per wanted account (LIMIT keeps it a probe): as a plain join the planner
    -- hashes the whole accounts table per batch, a cost that grows with every patient ever posted.
    SELECT a.id FROM accounts a
    WHERE a.practice_id = w.practice_id AND a.kind = w.kind AND coalesce(a.payer_id, '') = coalesce(w.payer_id, '')
      AND coalesce(a.patient_id, '') = coalesce(w.patient_id, '')
    LIMIT 1
  ) a ON true
  ORDER BY w.position`;

/** The practice of each guarantor account among $1 (account numbers; the others are left out). */
export const ACCOUNT_PRACTICES = `
  SELECT account_number, practice_id FROM guarantor_accounts WHERE account_number = ANY($1::text[])`;

export const COPY_ENTRIES = `COPY entries (${ENTRY_COPY_COLUMNS.join(', ')}) FROM STDIN`;
export const COPY_LINES = `COPY entry_lines (${LINE_COPY_COLUMNS.join(', ')}) FROM STDIN`;

// Accounts list in the order of ACCOUNT_KINDS (assets first), not alphabetically. Built from constants.
const KIND_ORDER = `array_position(ARRAY[${ACCOUNT_KINDS.map((k) => `'${k}'`).join(', ')}], a.kind)`;

/** Trial balance over every line ($1 NULL) or the lines effective on or before $1; of one practice ($2) or all. */
export const TRIAL_BALANCE = `
  SELECT a.practice_id, a.kind, a.payer_id, a.patient_id, b.balance::text AS balance_cents
  FROM (
    SELECT l.account_id, sum(l.amount_cents) AS balance
    FROM entry_lines l
    WHERE $1::date IS NULL
    GROUP BY l.account_id
    UNION ALL
    SELECT l.account_id, sum(l.amount_cents)
    FROM entry_lines l JOIN entries e ON e.batch_id = l.batch_id AND e.ordinal = l.entry_ordinal
    WHERE $1::date IS NOT NULL AND e.effective_date <= $1::date
    GROUP BY l.account_id
  ) b JOIN accounts a ON a.id = b.account_id
  WHERE $2::text IS NULL OR a.practice_id = $2::text
  ORDER BY a.practice_id COLLATE "C", ${KIND_ORDER}, a.payer_id COLLATE "C" NULLS FIRST, a.patient_id COLLATE "C" NULLS FIRST`;

/** Balance of one account named by kind, payer ($2) and patient ($3); $4 optional as-of date; $5 one practice (NULL: summed over all). */
export const ACCOUNT_BALANCE = `
  SELECT coalesce(sum(l.amount_cents), 0)::text AS balance_cents
  FROM accounts a
  JOIN entry_lines l ON l.account_id = a.id
  JOIN entries e ON e.batch_id = l.batch_id AND e.ordinal = l.entry_ordinal
  WHERE a.kind = $1 AND coalesce(a.payer_id, '') = coalesce($2, '') AND coalesce(a.patient_id, '') = coalesce($3, '')
    AND ($4::date IS NULL OR e.effective_date <= $4::date) AND ($5::text IS NULL OR a.practice_id = $5::text)`;

/** Per claim and account, the balance of the lines tagged with one of the claim ids $1. */
export const CLAIM_BALANCES = `
  SELECT l.claim_id, a.practice_id, a.kind, a.payer_id, a.patient_id, sum(l.amount_cents)::text AS balance_cents
  FROM entry_lines l
  JOIN accounts a ON a.id = l.account_id
  JOIN entries e ON e.batch_id = l.batch_id AND e.ordinal = l.entry_ordinal
  WHERE l.claim_id = ANY($1::text[]) AND ($2::date IS NULL OR e.effective_date <= $2::date)
  GROUP BY l.claim_id, a.practice_id, a.kind, a.payer_id, a.patient_id
  ORDER BY l.claim_id COLLATE "C", ${KIND_ORDER}, a.payer_id COLLATE "C" NULLS FIRST, a.patient_id COLLATE "C" NULLS FIRST`;
