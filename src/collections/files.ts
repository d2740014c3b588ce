// The files that go out: rows recorded by the run (placements, balance updates, recalls, 501(r) notices) are
// gathered into one collection_files row per agency, kind and date, then written owner-only through the
// agency's layout and marked with their sha256. Deciding and writing are separate: a file recorded but not
// written (a crash in between) is written by the next run from the same rows, identical.
import fs from 'node:fs/promises';
import path from 'node:path';
import type pg from 'pg';
import { withTransaction } from '../runtime/database.ts';
import { sha256Hex } from '../common/content-hash.ts';
import { OWNER_ONLY_DIR, writeOwnerOnly } from '../common/files.ts';
import { renderRecords } from './layout.ts';
import { recordFromJson, type AnyRecord, type RecordKind } from './records.ts';
import { LayoutSchema, type Layout, type ReferralSettings } from './settings.ts';
import * as SQL from './sql.ts';

export const NOTICE_AGENCY = '501r';

const PREFIX: Record<RecordKind, string> = { placement: 'placements', update: 'updates', recall: 'recalls', eca_notice: 'eca-notices' };

export function collectionFileName(kind: RecordKind, agencyId: string, asOf: string, sequence: number, layout: Layout): string {
  const base = kind === 'eca_notice' ? `${PREFIX[kind]}-${asOf}` : `${PREFIX[kind]}-${agencyId}-${asOf}`;
  return `${base}${sequence > 1 ? `-${sequence}` : ''}.${layout.format === 'fixed' ? 'txt' : 'csv'}`;
}

function layoutFor(settings: ReferralSettings, agencyId: string, kind: RecordKind): Layout {
  const agency = settings.agencies.find((a) => a.id === agencyId);
  if (kind === 'eca_notice' || !agency) return LayoutSchema.parse({});
  return agency.layouts[kind];
}

/** Gather unfiled rows into files for `asOf`. Returns the number of files recorded. */
export async function recordFiles(pool: pg.Pool, settings: ReferralSettings, asOf: string, runId: string | undefined): Promise<number> {
  return withTransaction(pool, async (client) => {
    // One gatherer at a time: two runs must not number the same file twice.
    await client.query(SQL.LOCK_FILES);
    const rows = (await client.query<{ kind: RecordKind; agency_id: string; id: string }>(SQL.UNFILED)).rows;
    const groups = new Map<string, { kind: RecordKind; agencyId: string; ids: string[] }>();
    for (const r of rows) {
      const k = `${r.kind}\u0000${r.agency_id}`;
      const g = groups.get(k) ?? { kind: r.kind, agencyId: r.agency_id, ids: [] };
      g.ids.push(r.id);
      groups.set(k, g);
    }
    for (const g of groups.values()) {
      const seq = Number((await client.query<{ sequence: number }>(SQL.NEXT_FILE_SEQUENCE, [g.agencyId, g.kind, asOf])).rows[0]?.sequence ?? 1);
      const name = collectionFileName(g.kind, g.agencyId, asOf, seq, layoutFor(settings, g.agencyId, g.kind));
      const file = await client.query<{ id: string }>(SQL.INSERT_FILE, [g.agencyId, g.kind, asOf, seq, name, g.ids.length, runId ?? null]);
      const fileId = file.rows[0]?.id;
      const assign = g.kind === 'placement' ? SQL.ASSIGN_PLACEMENTS : g.kind === 'eca_notice' ? SQL.ASSIGN_NOTICES : SQL.ASSIGN_EVENTS;
      await client.query(assign, [fileId, g.ids]);
    }
    return groups.size;
  });
}

/** Write every recorded file that has not been written yet into `outDir`. Returns their paths. */
export async function writeRecordedFiles(pool: pg.Pool, settings: ReferralSettings, outDir: string): Promise<string[]> {
  const pending = (await pool.query<{ id: string; agency_id: string; kind: RecordKind; as_of: string; file_name: string }>(SQL.UNWRITTEN_FILES)).rows;
  if (pending.length === 0) return [];
  await fs.mkdir(outDir, { recursive: true, mode: OWNER_ONLY_DIR });
  const written: string[] = [];
  for (const f of pending) {
    const file = path.join(outDir, f.file_name);
    // The row lock makes one writer per file when runs overlap; the other skips it.
    const wrote = await withTransaction(pool, async (client) => {
      if ((await client.query(SQL.CLAIM_FILE_TO_WRITE, [f.id])).rowCount === 0) return false;
      const query = f.kind === 'placement' ? SQL.FILE_PLACEMENTS : f.kind === 'eca_notice' ? SQL.FILE_NOTICES : SQL.FILE_EVENTS;
      const rows = (await client.query<{ record: Record<string, unknown> }>(query, [f.id])).rows;
      const records: AnyRecord[] = rows.map((r) => recordFromJson(f.kind, r.record));
      const text = renderRecords(f.kind, layoutFor(settings, f.agency_id, f.kind), records);
      // Same rows, same text: rewriting a file a crashed run left behind is safe.
      await writeOwnerOnly(file, text, { replace: true });
      await client.query(SQL.MARK_FILE_WRITTEN, [f.id, sha256Hex(text)]);
      return true;
    });
    if (wrote) written.push(file);
  }
  return written;
}
