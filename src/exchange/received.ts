// Recording interchanges received (schemas/db/0003_x12.sql). Runs on the caller's client inside the
// caller's transaction, so the "seen before" row commits or rolls back with the data it carried.
import type pg from 'pg';
import { ClaimsError } from '../common/errors.ts';
import type { InterchangeSummary } from '../x12/envelope-types.ts';
import { FIND_INTERCHANGE, INSERT_INTERCHANGE } from './sql.ts';

export type ReceivedStatus = 'new' | 'control_number_reused' | 'redelivery';

export interface ReceivedResult {
  status: ReceivedStatus;
  /** Row id: the new row, or the earlier one for a redelivery. */
  id: string;
  /** For a redelivery: where the interchange was first received. */
  firstFile?: string;
  firstReceivedAt?: Date;
}

export interface ReceivedSource {
  fileName: string;
  fileSha256: string;
  receivedAt: Date;
}

/**
 * Record an interchange in the caller's transaction. Returns 'redelivery' when the same sender, ISA13
 * and content were recorded before (do nothing twice), 'control_number_reused' when the ISA13 was seen
 * with other content (a warning), else 'new'. Needs `summary.contentHash` (read with hashContent).
 */
export async function recordInterchange(client: pg.ClientBase, summary: InterchangeSummary, source: ReceivedSource): Promise<ReceivedResult> {
  const i = summary.interchange;
  if (summary.contentHash === undefined) {
    throw new ClaimsError({ code: 'INTERCHANGE_HASH_MISSING', message: 'read the file with hashContent to record its interchanges', location: { file: source.fileName, interchange: i.controlNumber } });
  }
  // The envelope checks refused the interchange (its sets were quarantined); text with a NUL is not stored.
  const nul = [i.senderQualifier, i.senderId, i.receiverQualifier, i.receiverId].findIndex((t) => t.includes('\u0000'));
  if (nul !== -1) {
    throw new ClaimsError({ code: 'X12_ELEMENT_CONTROL_CHARACTER', message: `ISA${String(nul + 5).padStart(2, '0')} holds a NUL byte (0x00): the interchange is not recorded`, location: { file: source.fileName, interchange: i.controlNumber, segmentIndex: i.segmentIndex, segmentTag: 'ISA', element: nul + 5 } });
  }
  const setCount = summary.groups.reduce((n, g) => n + g.sets.length, 0);
  const inserted = await client.query<{ id: string; status: 'received' | 'control_number_reused' }>(INSERT_INTERCHANGE, [
    i.senderQualifier, i.senderId, i.receiverQualifier, i.receiverId, i.controlNumber, summary.contentHash,
    source.fileSha256, source.fileName, i.segmentIndex, i.byteOffset, i.date, i.time, i.usage,
    summary.groups.length, setCount, source.receivedAt,
  ]);
  const row = inserted.rows[0];
  if (row) return { status: row.status === 'received' ? 'new' : 'control_number_reused', id: String(row.id) };
  const found = await client.query<{ id: string; file_name: string; received_at: Date }>(FIND_INTERCHANGE, [
    i.senderQualifier, i.senderId, i.controlNumber, summary.contentHash,
  ]);
  const first = found.rows[0];
  if (!first) throw new ClaimsError({ code: 'INTERNAL', message: 'interchange conflicted on insert but was not found' });
  return { status: 'redelivery', id: String(first.id), firstFile: first.file_name, firstReceivedAt: first.received_at };
}
