// Every SQL statement of the eligibility store, as named constants (schemas/db/0006_eligibility.sql).
// Batches travel as one jsonb parameter expanded by jsonb_to_recordset: one round trip per batch, and
// ragged arrays (service types, messages) need no per-row statements.

/**
 * Whether a 271 snapshot (alias r) is of the practice in parameters $n (id, or null for every practice),
 * $n+1 (its NPIs) and $n+2 (every other practice's NPIs): its matched patient's practice; unmatched, the
 * practice of its provider's NPI, else (an NPI no practice has) the practice whose coverages hold the member
 * id (src/eligibility/practice-scope.ts).
 */
function responseOfPractice(n: number): string {
  const [id, npis, others] = [`$${n}`, `$${n + 1}`, `$${n + 2}`];
  return `(${id}::text IS NULL
      OR (r.patient_id IS NOT NULL AND EXISTS (SELECT 1 FROM patients p WHERE p.patient_id = r.patient_id AND p.practice_id = ${id}::text))
      OR (r.patient_id IS NULL AND (coalesce(r.provider_id = ANY (${npis}::text[]), false)
        OR (NOT coalesce(r.provider_id = ANY (${others}::text[]), false) AND EXISTS (
          SELECT 1 FROM coverages c WHERE (c.member_id = r.member_id OR c.patient_member_id = r.member_id) AND c.practice_id = ${id}::text)))))`;
}

export const ELIGIBILITY_SQL = {
  /** Serialise ingests that touch the same person and payer, so exactly one snapshot stays current. */
  lockCoverageKeys: `
    SELECT pg_advisory_xact_lock(h) FROM (
      SELECT DISTINCT hashtextextended(k, 6) AS h FROM unnest($1::text[]) AS k ORDER BY 1
    ) AS keys`,

  insertResponses: `
    INSERT INTO eligibility_responses (
      content_sha256, coverage_key, payer_id, payer_name, provider_id, provider_id_qualifier, provider_name,
      member_id, subject, last_name, first_name, middle_name, birth_date, gender, relationship, reference,
      response_at, trace_numbers, plan_begin, plan_end, dates, refs, file_sha256, file_name, isa13, gs06,
      st02, segment_index)
    SELECT content_sha256, coverage_key, payer_id, payer_name, provider_id, provider_id_qualifier, provider_name,
      member_id, subject, last_name, first_name, middle_name, birth_date, gender, relationship, reference,
      response_at, trace_numbers, plan_begin, plan_end, dates, refs, file_sha256, file_name, isa13, gs06,
      st02, segment_index
    FROM jsonb_to_recordset($1::jsonb) AS x(
      content_sha256 text, coverage_key text, payer_id text, payer_name text, provider_id text,
      provider_id_qualifier text, provider_name text, member_id text, subject text, last_name text,
      first_name text, middle_name text, birth_date date, gender text, relationship text, reference text,
      response_at timestamptz, trace_numbers text[], plan_begin date, plan_end date, dates jsonb, refs jsonb,
      file_sha256 text, file_name text, isa13 text, gs06 text, st02 text, segment_index integer)
    ON CONFLICT (content_sha256) DO NOTHING
    RETURNING id, content_sha256`,

  // Column arrays through unnest: much cheaper than jsonb_to_recordset for the widest table. Ragged lists
  // (service types, messages) travel joined with U+001F and are split back here.
  insertBenefits: `
    INSERT INTO eligibility_benefits (
      response_id, ordinal, benefit_type, coverage_level, service_types, insurance_type, plan_description,
      period, amount_cents, percent, quantity_qualifier, quantity, authorization_required, network, procedure,
      dates, messages, refs, related_entities, segment_index)
    SELECT response_id, ordinal, benefit_type, coverage_level,
      CASE WHEN service_types = '' THEN '{}'::text[] ELSE string_to_array(service_types, E'\\x1F') END,
      insurance_type, plan_description, period, amount_cents, percent, quantity_qualifier, quantity,
      authorization_required, network, procedure, coalesce(dates, '[]'),
      CASE WHEN messages = '' THEN '{}'::text[] ELSE string_to_array(messages, E'\\x1F') END,
      coalesce(refs, '[]'), coalesce(related_entities, '[]'), segment_index
    FROM unnest($1::bigint[], $2::smallint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
      $9::bigint[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $15::text[], $16::jsonb[],
      $17::text[], $18::jsonb[], $19::jsonb[], $20::integer[])
      AS x(response_id, ordinal, benefit_type, coverage_level, service_types, insurance_type, plan_description,
        period, amount_cents, percent, quantity_qualifier, quantity, authorization_required, network, procedure,
        dates, messages, refs, related_entities, segment_index)`,

  insertRejections: `
    INSERT INTO eligibility_rejections (
      response_id, content_sha256, loop, valid_request, reason, follow_up, benefit_ordinal, payer_id,
      provider_id, reference, response_at, file_sha256, file_name, isa13, gs06, st02, segment_index)
    SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(
      response_id bigint, content_sha256 text, loop text, valid_request text, reason text, follow_up text,
      benefit_ordinal smallint, payer_id text, provider_id text, reference text, response_at timestamptz,
      file_sha256 text, file_name text, isa13 text, gs06 text, st02 text, segment_index integer)
    ON CONFLICT (content_sha256) DO NOTHING
    RETURNING id`,

  /**
   * Match new responses to the practice's patients through their coverages. The 271 names the payer by its
   * NM109 while coverages use the practice's payer key (a payer profile's payerIdentifier vs payerId), so
   * the match is on the member id with the person's last name and birth date, and the relationship (a
   * subscriber is 'self' or has their own member id; a dependent also matches on first name). Only an
   * exact single match is recorded; anything else stays unmatched and is reported.
   */
  matchPatients: `
    UPDATE eligibility_responses e SET patient_id = m.patient_id
    FROM (
      SELECT r.id, min(c.patient_id) AS patient_id, count(DISTINCT c.patient_id) AS matches
      FROM eligibility_responses r
      JOIN coverages c ON c.member_id = r.member_id OR c.patient_member_id = r.member_id
      JOIN patients p ON p.patient_id = c.patient_id
      WHERE r.id = ANY($1::bigint[])
        AND upper(p.last_name) = upper(r.last_name)
        AND (r.birth_date IS NULL OR p.birth_date = r.birth_date)
        AND ((r.subject = 'subscriber' AND (c.relationship = 'self' OR c.patient_member_id = r.member_id))
          OR (r.subject = 'dependent' AND c.relationship <> 'self'
              AND upper(p.first_name) = upper(coalesce(r.first_name, ''))))
      GROUP BY r.id
    ) AS m
    WHERE e.id = m.id AND m.matches = 1
    RETURNING e.id`,

  /** Among the current snapshots of the keys touched, the newest response (then the latest row) stays current. */
  supersede: `
    WITH ranked AS (
      SELECT id, first_value(id) OVER (
        PARTITION BY coverage_key ORDER BY response_at DESC NULLS LAST, id DESC) AS newest
      FROM eligibility_responses
      WHERE superseded_by IS NULL AND coverage_key = ANY($1::text[])
    )
    UPDATE eligibility_responses e SET superseded_by = ranked.newest, superseded_at = now()
    FROM ranked WHERE e.id = ranked.id AND ranked.id <> ranked.newest`,

  /** Current snapshots for a member (optionally one payer, optionally one practice: $3 to $5), newest first. */
  currentByMember: `
    SELECT * FROM eligibility_responses r
    WHERE member_id = $1 AND ($2::text IS NULL OR payer_id = $2) AND superseded_by IS NULL
      AND ${responseOfPractice(3)}
    ORDER BY response_at DESC NULLS LAST, id DESC`,

  /** Current snapshots for coverage keys (the submit-stage check, batched). */
  currentByKeys: `
    SELECT * FROM eligibility_responses WHERE coverage_key = ANY($1::text[]) AND superseded_by IS NULL`,

  /** Current snapshots for a matched patient and payer (the submit-stage check). */
  currentByPatient: `
    SELECT * FROM eligibility_responses
    WHERE patient_id = $1 AND payer_id = $2 AND superseded_by IS NULL
    ORDER BY response_at DESC NULLS LAST, id DESC`,

  /** Every snapshot (history included) for a member, oldest first. */
  historyByMember: `
    SELECT id, coverage_key, payer_id, subject, response_at, superseded_by, superseded_at, received_at
    FROM eligibility_responses WHERE member_id = $1 AND ($2::text IS NULL OR payer_id = $2)
    ORDER BY response_at NULLS FIRST, id`,

  benefitsOf: `
    SELECT * FROM eligibility_benefits WHERE response_id = ANY($1::bigint[]) ORDER BY response_id, ordinal`,

  rejectionsOf: `
    SELECT * FROM eligibility_rejections WHERE response_id = ANY($1::bigint[]) ORDER BY response_id, id`,

  /** For the report: current snapshots with a rejection, inactive status, or no matched patient. */
  reportCurrent: `
    SELECT r.*,
      EXISTS (SELECT 1 FROM eligibility_benefits b WHERE b.response_id = r.id AND b.benefit_type = '6') AS has_inactive,
      EXISTS (SELECT 1 FROM eligibility_benefits b WHERE b.response_id = r.id AND b.benefit_type IN ('1','2','3','4','5')) AS has_active
    FROM eligibility_responses r
    WHERE r.superseded_by IS NULL
      AND (r.patient_id IS NULL
        OR EXISTS (SELECT 1 FROM eligibility_rejections j WHERE j.response_id = r.id)
        OR EXISTS (SELECT 1 FROM eligibility_benefits b WHERE b.response_id = r.id AND b.benefit_type = '6')
        OR (r.plan_end IS NOT NULL AND r.plan_end < $1::date))
      AND ${responseOfPractice(2)}
    ORDER BY r.payer_id, r.member_id, r.id`,

  /**
   * 270s asked for visits still ahead whose trace no 271 has echoed (TRN02 of a 2000C/D TRN): the loop is
   * open. One row per trace, payer, member and date, the latest request first seen. One practice's ($2, its
   * NPIs $3, the others' $4; $2 null: all): its provider NPIs', or an NPI no practice has for its members.
   */
  reportUnanswered: `
    WITH answered AS (SELECT DISTINCT unnest(trace_numbers) AS trace FROM eligibility_responses)
    SELECT DISTINCT ON (q.date_of_service, q.payer_id, q.trace_number, q.member_id)
      q.trace_number, q.payer_id, q.member_id, q.provider_npi, q.date_of_service::text AS date_of_service, q.file_name, q.isa13, q.st02
    FROM eligibility_requests q
    WHERE q.date_of_service >= $1::date AND q.trace_number NOT IN (SELECT trace FROM answered WHERE trace IS NOT NULL)
      AND ($2::text IS NULL OR q.provider_npi = ANY ($3::text[])
        OR (NOT q.provider_npi = ANY ($4::text[]) AND EXISTS (
          SELECT 1 FROM coverages c WHERE (c.member_id = q.member_id OR c.patient_member_id = q.member_id) AND c.practice_id = $2::text)))
    ORDER BY q.date_of_service, q.payer_id, q.trace_number, q.member_id, q.id DESC`,

  /** Rejections at the payer and provider loops (no person), newest first; one practice's: its provider NPIs ($1 null: all). */
  reportSetRejections: `
    SELECT * FROM eligibility_rejections
    WHERE response_id IS NULL AND ($1::text IS NULL OR provider_id = ANY ($2::text[]))
    ORDER BY received_at DESC, id DESC`,

  insertRequests: `
    INSERT INTO eligibility_requests (
      trace_number, payer_id, provider_npi, member_id, date_of_service, service_types, file_name, sender_id,
      receiver_id, isa13, gs06, st02)
    SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(
      trace_number text, payer_id text, provider_npi text, member_id text, date_of_service date,
      service_types text[], file_name text, sender_id text, receiver_id text, isa13 text, gs06 text, st02 text)`,

  /** The guarantor accounts of matched patients (the audit trail names them). */
  accountsOfPatients: `
    SELECT DISTINCT account_number FROM patients WHERE patient_id = ANY ($1::text[]) ORDER BY account_number`,

  /** Requests recorded for these appointment ids (any file, any run). */
  requestsByTrace: `
    SELECT trace_number, payer_id, member_id, date_of_service::text AS date_of_service
    FROM eligibility_requests WHERE trace_number = ANY($1::text[])`,
} as const;
