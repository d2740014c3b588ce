// SQL for claims out (schemas/db/0004_claims.sql): named queries, parameters always bound, batch writes
// with unnest over arrays so a batch of claims costs a handful of statements, not one per row.

export const SQL = {
  /** Every claim of the chains (billing NPI + CLM01) touched by a batch, with the state of its file. */
  chains: `
    SELECT c.id::text AS id, c.billing_npi, c.patient_control_number, c.frequency, c.content_sha256, c.status,
      c.posted_charge_cents::text AS posted_charge_cents, c.primary_payer_id, f.state AS file_state, f.file_name
    FROM claims c LEFT JOIN outbound_files f ON f.id = c.outbound_file_id
    JOIN unnest($1::text[], $2::text[]) AS k(npi, pcn) ON c.billing_npi = k.npi AND c.patient_control_number = k.pcn
    ORDER BY c.id`,

  upsertGuarantors: `
    INSERT INTO guarantor_accounts AS g (account_number, last_name, first_name, address_line1, address_line2, city, state, postal_code, phone, email, practice_id)
    SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[])
    ON CONFLICT (account_number) DO UPDATE SET
      last_name = EXCLUDED.last_name, first_name = EXCLUDED.first_name, address_line1 = EXCLUDED.address_line1,
      address_line2 = EXCLUDED.address_line2, city = EXCLUDED.city, state = EXCLUDED.state, postal_code = EXCLUDED.postal_code,
      phone = coalesce(EXCLUDED.phone, g.phone), email = coalesce(EXCLUDED.email, g.email), updated_at = now()
    WHERE (g.last_name, g.first_name, g.address_line1, g.address_line2, g.city, g.state, g.postal_code, g.phone, g.email)
      IS DISTINCT FROM (EXCLUDED.last_name, EXCLUDED.first_name, EXCLUDED.address_line1, EXCLUDED.address_line2, EXCLUDED.city,
        EXCLUDED.state, EXCLUDED.postal_code, coalesce(EXCLUDED.phone, g.phone), coalesce(EXCLUDED.email, g.email))`,

  /** The practice of each existing guarantor account / patient among $1. */
  accountPractices: `SELECT account_number AS k, practice_id FROM guarantor_accounts WHERE account_number = ANY($1::text[])`,
  patientPractices: `SELECT patient_id AS k, practice_id FROM patients WHERE patient_id = ANY($1::text[])`,

  upsertPatients: `
    INSERT INTO patients AS p (patient_id, account_number, last_name, first_name, middle_name, birth_date, sex,
      address_line1, address_line2, city, state, postal_code, phone, email)
    SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::date[], $7::text[],
      $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[])
    ON CONFLICT (patient_id) DO UPDATE SET
      account_number = EXCLUDED.account_number, last_name = EXCLUDED.last_name, first_name = EXCLUDED.first_name,
      middle_name = EXCLUDED.middle_name, birth_date = EXCLUDED.birth_date, sex = EXCLUDED.sex,
      address_line1 = EXCLUDED.address_line1, address_line2 = EXCLUDED.address_line2, city = EXCLUDED.city,
      state = EXCLUDED.state, postal_code = EXCLUDED.postal_code,
      phone = coalesce(EXCLUDED.phone, p.phone), email = coalesce(EXCLUDED.email, p.email), updated_at = now()`,

  /**
   * Coverages are replaced as a whole: the export's list is the patient's current list. The protections they
   * had come back so that one a 271 or an 835 set survives an export that says nothing (src/claims/coverages.ts).
   */
  deleteCoverages: `
    DELETE FROM coverages WHERE patient_id = ANY($1::text[])
    RETURNING patient_id, payer_id, protection, protection_source, to_char(protection_on, 'YYYY-MM-DD') AS protection_on`,
  insertCoverages: `
    INSERT INTO coverages (patient_id, coverage_order, payer_id, member_id, group_number, relationship, patient_member_id,
      subscriber_last_name, subscriber_first_name, subscriber_birth_date, claim_filing_indicator,
      protection, protection_source, protection_on)
    SELECT * FROM unnest($1::text[], $2::smallint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
      $8::text[], $9::text[], $10::date[], $11::text[], $12::text[], $13::text[], $14::date[])`,

  upsertCrosswalk: `
    INSERT INTO crosswalk_versions (payer_id, label, content_sha256, content) VALUES ($1, $2, $3, $4::jsonb)
    ON CONFLICT (payer_id, content_sha256) DO UPDATE SET payer_id = EXCLUDED.payer_id
    RETURNING id::text AS id`,

  insertClaims: `
    INSERT INTO claims (source_claim_id, billing_npi, patient_control_number, frequency, payer_claim_number, claim_type,
      content_sha256, patient_id, account_number, primary_payer_id, secondary_payer_id, tertiary_payer_id,
      total_charge_cents, posted_charge_cents, first_service_date, last_service_date, crosswalk_version_id,
      ledger_entry_key, status, outbound_file_id, isa13, gs06, st02, export_record, practice_id)
    SELECT s.source_claim_id, s.billing_npi, s.pcn, s.frequency, s.payer_claim_number, s.claim_type, s.content_sha256,
      s.patient_id, s.account_number, s.primary_payer_id, s.secondary_payer_id, s.tertiary_payer_id, s.total_charge_cents,
      s.posted_charge_cents, s.first_service_date, s.last_service_date, s.crosswalk_version_id, s.ledger_entry_key,
      'pending', f.id, s.isa13, s.gs06, s.st02, s.export_record, s.practice_id
    FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[],
      $10::text[], $11::text[], $12::text[], $13::bigint[], $14::bigint[], $15::date[], $16::date[], $17::bigint[],
      $18::text[], $19::text[], $20::text[], $21::text[], $22::text[], $23::int[], $24::text[])
      WITH ORDINALITY AS s(source_claim_id, billing_npi, pcn, frequency, payer_claim_number, claim_type, content_sha256,
        patient_id, account_number, primary_payer_id, secondary_payer_id, tertiary_payer_id, total_charge_cents,
        posted_charge_cents, first_service_date, last_service_date, crosswalk_version_id, ledger_entry_key, file_name,
        isa13, gs06, st02, export_record, practice_id, ord)
    JOIN outbound_files f ON f.file_name = s.file_name
    ORDER BY s.ord
    RETURNING id::text AS id, billing_npi || ':' || patient_control_number || ':' || frequency || ':' || content_sha256 AS claim_key`,

  insertLines: `
    INSERT INTO claim_lines (claim_id, line_number, line_control_number, procedure_code, modifiers, sent_procedure_code,
      sent_modifiers, units, sent_units, charge_cents, service_date, revenue_code, diagnosis_pointers, crosswalk_entry)
    SELECT claim_id, line_number, line_control_number, procedure_code, string_to_array(modifiers, ':'), sent_procedure_code,
      string_to_array(sent_modifiers, ':'), units, sent_units, charge_cents, service_date, revenue_code,
      string_to_array(diagnosis_pointers, ':')::smallint[], crosswalk_entry
    FROM unnest($1::bigint[], $2::smallint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::numeric[],
      $9::numeric[], $10::bigint[], $11::date[], $12::text[], $13::text[], $14::int[])
      AS t(claim_id, line_number, line_control_number, procedure_code, modifiers, sent_procedure_code, sent_modifiers,
        units, sent_units, charge_cents, service_date, revenue_code, diagnosis_pointers, crosswalk_entry)`,

  /** A claim sent again (resubmission, or its earlier file never completed): new placement, back to pending. */
  replaceClaims: `
    UPDATE claims c SET status = 'pending', outbound_file_id = f.id, isa13 = s.isa13, gs06 = s.gs06, st02 = s.st02,
      export_record = s.export_record, updated_at = now()
    FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int[])
      AS s(id, file_name, isa13, gs06, st02, export_record)
    JOIN outbound_files f ON f.file_name = s.file_name
    WHERE c.id = s.id`,

  insertHistory: `
    INSERT INTO claim_status_history (claim_id, at, status, source, outbound_file_id, isa13, gs06, st02, note)
    SELECT c.id, $2::timestamptz, c.status, $3, c.outbound_file_id, c.isa13, c.gs06, c.st02, $4
    FROM claims c WHERE c.id = ANY($1::bigint[])`,

  /** A payer's acknowledgement moved these claims (999, 277CA): the new status, then one history row each with its note. */
  setStatus: `UPDATE claims SET status = $2, updated_at = now() WHERE id = ANY($1::bigint[])`,
  insertHistoryNotes: `
    INSERT INTO claim_status_history (claim_id, at, status, source, outbound_file_id, isa13, gs06, st02, note)
    SELECT c.id, $2::timestamptz, c.status, $3, c.outbound_file_id, c.isa13, c.gs06, c.st02, n.note
    FROM unnest($1::bigint[], $4::text[]) WITH ORDINALITY AS n(id, note, ord) JOIN claims c ON c.id = n.id
    ORDER BY n.ord`,
  /** The chain's newest claim that is not a void, per (billing NPI, CLM01) pair. */
  latestClaims: `
    SELECT DISTINCT ON (c.billing_npi, c.patient_control_number) c.billing_npi, c.patient_control_number, c.id::text AS id, c.status
    FROM unnest($1::text[], $2::text[]) AS k(npi, pcn)
    JOIN claims c ON c.billing_npi = k.npi AND c.patient_control_number = k.pcn AND c.frequency <> '8'
    ORDER BY c.billing_npi, c.patient_control_number, c.id DESC`,

  openFile: `
    INSERT INTO outbound_files (file_name, payer_id, sender_id, receiver_id, isa13) VALUES ($1, $2, $3, $4, $5)`,

  /** The interchange is complete in the outbox: its claims are submitted. */
  completeFile: `
    UPDATE outbound_files SET state = 'sent', file_sha256 = $2, claim_count = $3, completed_at = $4::timestamptz
    WHERE file_name = $1 RETURNING id::text AS id`,
  submitFileClaims: `
    UPDATE claims SET status = 'submitted', updated_at = now()
    WHERE outbound_file_id = $1 AND status = 'pending' RETURNING id::text AS id`,

  fileStates: `SELECT file_name, state FROM outbound_files WHERE file_name = ANY($1::text[])`,
  abandonFiles: `UPDATE outbound_files SET state = 'abandoned' WHERE file_name = ANY($1::text[]) AND state = 'writing'`,

  /** A payer rejected these claims (277CA / 999): `--resubmit` may send them again. */
  markRejected: `
    UPDATE claims SET status = 'rejected', updated_at = now()
    WHERE billing_npi = $1 AND patient_control_number = $2 AND frequency = $3 AND status IN ('submitted', 'accepted')
    RETURNING id::text AS id`,

  /** Claims held on coverage (0010_claim_holds): new holds, or an earlier hold re-checked and still held. */
  upsertHolds: `
    INSERT INTO claim_holds AS h (billing_npi, patient_control_number, frequency, content_sha256, source_claim_id, patient_id,
      primary_payer_id, reason_code, reason, date_of_service, eligibility_response_id, record, source_file, export_record,
      held_at, checked_at)
    SELECT s.billing_npi, s.pcn, s.frequency, s.content_sha256, s.source_claim_id, s.patient_id, s.primary_payer_id,
      s.reason_code, s.reason, s.date_of_service, s.eligibility_response_id, s.record::jsonb, s.source_file, s.export_record,
      $15::timestamptz, $15::timestamptz
    FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[],
      $10::date[], $11::bigint[], $12::text[], $13::text[], $14::int[])
      AS s(billing_npi, pcn, frequency, content_sha256, source_claim_id, patient_id, primary_payer_id, reason_code, reason,
        date_of_service, eligibility_response_id, record, source_file, export_record)
    ON CONFLICT (billing_npi, patient_control_number, frequency, content_sha256) DO UPDATE SET
      status = 'held', reason_code = EXCLUDED.reason_code, reason = EXCLUDED.reason, date_of_service = EXCLUDED.date_of_service,
      eligibility_response_id = EXCLUDED.eligibility_response_id, checked_at = EXCLUDED.checked_at, released_at = NULL`,

  /** Claims still held, oldest first: each run re-checks them. */
  openHolds: `
    SELECT id::text AS id, record, source_file, export_record FROM claim_holds WHERE status = 'held' ORDER BY id`,

  /**
   * Holds whose claim went out (or was found already sent) in this batch. Probes by the claims' keys; a
   * batch with no hold among its claims changes nothing.
   */
  releaseHolds: `
    UPDATE claim_holds h SET status = 'released', released_at = $6::timestamptz, checked_at = $6::timestamptz, claim_id = s.claim_id
    FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[]) AS s(billing_npi, pcn, frequency, content_sha256, claim_id)
    WHERE h.billing_npi = s.billing_npi AND h.patient_control_number = s.pcn AND h.frequency = s.frequency
      AND h.content_sha256 = s.content_sha256 AND h.status = 'held'`,

  /** Holds refused on a later run (the record no longer validates or maps, or conflicts): no longer held. */
  rejectHolds: `
    UPDATE claim_holds SET status = 'rejected', checked_at = $2::timestamptz WHERE id = ANY($1::bigint[]) AND status = 'held'`,

  /** Whether any claim is held at all (a batch skips the release probe when none is). */
  anyHeld: `SELECT EXISTS (SELECT 1 FROM claim_holds WHERE status = 'held') AS any`,

  /**
   * Our claims in the group a 999 names: the file was addressed to the 999's sender (receiver_id is
   * `qualifier:id`), and GS06 compares as a number (a sender may strip or add leading zeros).
   */
  claimsOfGroup: `
    SELECT c.id::text AS id, c.status, c.st02
    FROM claims c JOIN outbound_files f ON f.id = c.outbound_file_id
    WHERE split_part(f.receiver_id, ':', 2) = $1 AND ltrim(c.gs06, '0') = ltrim($2, '0')
    ORDER BY c.id`,
} as const;
