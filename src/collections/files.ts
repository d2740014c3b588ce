// The files that go out: rows recorded by the run (placements, balance updates, recalls, 501(r) notices) are
// gathered into one collection_files row per agency, kind, date and practice (the creditor is the practice, so
// an agency gets each practice's rows in a file of their own), then written owner-only through the agency's
// layout and marked with their sha256. Deciding and writing are separate: a file recorded but not written (a
// crash in between) is written by the next run from the same rows, identical.
import fs from 'node:fs/promises';
import path from 'node:path';
import type pg from 'pg';
import { withTransaction } from '../runtime/database.ts';
import { loadPracticeDirectory } from '../runtime/practices.ts';
import { sha256Hex } from '../common/content-hash.ts';
import { OWNER_ONLY_DIR, writeOwnerOnly } from '../common/files.ts';
import { renderRecords } from './layout.ts';
import { recordFromJson, type AnyRecord, type RecordKind } from './records.ts';
import { LayoutSchema, type Layout, type ReferralSettings } from './settings.ts';
import * as SQL from './sql.ts';

export const NOTICE_AGENCY = '501r';

const PREFIX: Record<RecordKind, string> = { placement: 'placements', update: 'updates', recall: 'recalls', eca_notice: 'eca-notices' };

/**
 * `placements-AGENCY-DATE.csv`, or `placements-AGENCY-PRACTICE-DATE.csv` when the office keeps several practices'
 * books (`practiceId` null: a single-practice office, whose names stay as they were before practices).
 */
export function collectionFileName(kind: RecordKind, agencyId: string, asOf: string, sequence: number, layout: Layout, practiceId: string | null = null): string {
  const parts = [PREFIX[kind], ...(kind === 'eca_notice' ? [] : [agencyId]), ...(practiceId === null ? [] : [practiceId]), asOf];
  return `${parts.join('-')}${sequence > 1 ? `-${sequence}` : ''}.${layout.format === 'fixed' ? 'txt' : 'csv'}`;
}

function layoutFor(settings: ReferralSettings, agencyId: string, kind: RecordKind): Layout {
  const agency = settings.agencies.find((a) => a.id === agencyId);
  if (kind === 'eca_notice' || !agency) return LayoutSchema.parse({});
  return agency.layouts[kind];
}

interface FileGroup { kind: RecordKind; agencyId: string; practiceId: string; ids: string[] }

/**
 * The file's name. A single-practice office numbers it by the agency's files of the kind and date, as before
 * practices; otherwise each practice's files are numbered on their own: the first number whose name is free.
 */
async function fileName(client: pg.PoolClient, g: FileGroup, sequence: number, asOf: string, layout: Layout, singlePractice: boolean): Promise<string> {
  if (singlePractice) return collectionFileName(g.kind, g.agencyId, asOf, sequence, layout);
  const taken = new Set((await client.query<{ file_name: string }>(SQL.FILE_NAMES_OF, [g.agencyId, g.kind, asOf])).rows.map((r) => r.file_name));
  let n = 1;
  while (taken.has(collectionFileName(g.kind, g.agencyId, asOf, n, layout, g.practiceId))) n += 1;
  return collectionFileName(g.kind, g.agencyId, asOf, n, layout, g.practiceId);
}

/** Gather unfiled rows (of one practice, or of all) into files for `asOf`. Returns the number of files recorded. */
export async function recordFiles(pool: pg.Pool, settings: ReferralSettings, asOf: string, runId: string | undefined, practiceId?: string): Promise<number> {
  return withTransaction(pool, async (client) => {
    // One gatherer at a time: two runs must not number the same file twice.
    await client.query(SQL.LOCK_FILES);
    const rows = (await client.query<{ kind: RecordKind; agency_id: string; practice_id: string; id: string }>(SQL.UNFILED, [practiceId ?? null])).rows;
    if (rows.length === 0) return 0;
    const { singlePractice } = await loadPracticeDirectory(client);
    const groups = new Map<string, FileGroup>();
    for (const r of rows) {
      const k = `${r.kind}\u0000${r.agency_id}\u0000${r.practice_id}`;
      const g = groups.get(k) ?? { kind: r.kind, agencyId: r.agency_id, practiceId: r.practice_id, ids: [] };
      g.ids.push(r.id);
      groups.set(k, g);
    }
    for (const g of groups.values()) {
      // The sequence stays one series per agency, kind and date (the table's key); only the name is per practice.
      const seq = Number((await client.query<{ sequence: number }>(SQL.NEXT_FILE_SEQUENCE, [g.agencyId, g.kind, asOf])).rows[0]?.sequence ?? 1);
      const name = await fileName(client, g, seq, asOf, layoutFor(settings, g.agencyId, g.kind), singlePractice);
      const file = await client.query<{ id: string }>(SQL.INSERT_FILE, [g.agencyId, g.kind, asOf, seq, name, g.ids.length, runId ?? null]);
      const fileId = file.rows[0]?.id;
      const assign = g.kind === 'placement' ? SQL.ASSIGN_PLACEMENTS : g.kind === 'eca_notice' ? SQL.ASSIGN_NOTICES : SQL.ASSIGN_EVENTS;
      await client.query(assign, [fileId, g.ids]);
    }
    return groups.size;
  });
}

export interface WrittenFile {
  path: string;
  /** The practice whose rows the file holds (the creditor). */
  practiceId: string;
}

/** Write every recorded file (of one practice, or of all) that has not been written yet into `outDir`. */
export async function writeRecordedFiles(pool: pg.Pool, settings: ReferralSettings, outDir: string, practiceId?: string): Promise<WrittenFile[]> {
  const pending = (await pool.query<{ id: string; agency_id: string; kind: RecordKind; as_of: string; file_name: string; practice_id: string }>(SQL.UNWRITTEN_FILES, [practiceId ?? null])).rows;
  if (pending.length === 0) return [];
  await fs.mkdir(outDir, { recursive: true, mode: OWNER_ONLY_DIR });
  const written: WrittenFile[] = [];
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
    if (wrote) written.push({ path: file, practiceId: f.practice_id });
  }
  return written;
}
