// How a payer's acknowledgement (999, 277CA) moves our claims: forward only. Accepted moves a submitted
// claim; rejected moves a submitted or accepted one (so `claims submit --resubmit` may send it again).
// Anything else (paid, denied, already rejected) stays, which makes the same acknowledgement again a no-op.
import type { PoolClient } from 'pg';
import { SQL } from './sql.ts';

export type AckVerdict = 'accepted' | 'rejected';

/** Where a claim in `status` goes on this verdict, or null when it stays. */
export function nextStatus(status: string, verdict: AckVerdict): AckVerdict | null {
  if (verdict === 'accepted') return status === 'submitted' ? 'accepted' : null;
  return status === 'submitted' || status === 'accepted' ? 'rejected' : null;
}

/** Apply the moves and write a history row for each (source 999 or 277CA, the move's note). */
export async function moveClaims(client: PoolClient, moves: readonly { id: string; to: AckVerdict; note: string }[], source: string): Promise<void> {
  const at = new Date().toISOString();
  for (const to of ['accepted', 'rejected'] as const) {
    const these = moves.filter((m) => m.to === to);
    if (these.length === 0) continue;
    await client.query(SQL.setStatus, [these.map((m) => m.id), to]);
    await client.query(SQL.insertHistoryNotes, [these.map((m) => m.id), at, source, these.map((m) => m.note)]);
  }
}
