// SQL of the X12 exchange with partners (schemas/db/0003_x12.sql): control numbers allocated and
// interchanges received, as named constants. Parameters are always bound.

/** Advance the counter row (creating it at 1) and return the new value, in one statement. */
export const NEXT_CONTROL_NUMBER = `
INSERT INTO control_number_counters AS c (sender_id, receiver_id, kind, last_value)
VALUES ($1, $2, $3, 1)
ON CONFLICT (sender_id, receiver_id, kind) DO UPDATE SET last_value = c.last_value + 1
RETURNING last_value::text AS value`;

/**
 * Record an interchange once per sender, ISA13 and content; an ISA13 seen before with other content is
 * recorded too, marked 'control_number_reused'. No row back: it was recorded before (FIND_INTERCHANGE).
 */
export const INSERT_INTERCHANGE = `
INSERT INTO x12_interchanges (
  sender_qualifier, sender_id, receiver_qualifier, receiver_id, control_number, content_sha256,
  file_sha256, file_name, segment_index, byte_offset, interchange_date, interchange_time, usage_indicator,
  group_count, set_count, status, received_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15,
  CASE WHEN EXISTS (SELECT 1 FROM x12_interchanges
                     WHERE sender_qualifier = $1 AND sender_id = $2 AND control_number = $5 AND content_sha256 <> $6)
       THEN 'control_number_reused' ELSE 'received' END,
  $16)
ON CONFLICT (sender_qualifier, sender_id, control_number, content_sha256) DO NOTHING
RETURNING id, status`;

export const FIND_INTERCHANGE = `
SELECT id, file_name, file_sha256, received_at
  FROM x12_interchanges
 WHERE sender_qualifier = $1 AND sender_id = $2 AND control_number = $3 AND content_sha256 = $4`;
