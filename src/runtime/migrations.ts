// The migrations runner: numbered SQL files in schemas/db (NNNN_name.sql), each applied in its own
// transaction and recorded with its checksum in claims_migrations. A session advisory lock serialises
// concurrent runners; an applied file whose bytes changed, or that disappeared, stops the run by name.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { refreshGrants } from './roles.ts';
import { sha256Hex } from '../common/content-hash.ts';
import { ClaimsError } from '../common/errors.ts';
import type { Logger } from './logger.ts';
import { MIGRATIONS_SQL as SQL, TRANSACTION_SQL } from './sql.ts';

export const MIGRATIONS_DIR = fileURLToPath(new URL('../../schemas/db/', import.meta.url));

/** Arbitrary constant naming "the migrations runner" among advisory locks. */
const MIGRATION_LOCK_KEY = '7243419038104150001';

export interface MigrationFile {
  id: number;
  /** The part after the number, without `.sql`: `ledger` for 0001_ledger.sql. */
  name: string;
  fileName: string;
  sql: string;
  /** sha256 of the file's bytes, hex. */
  checksum: string;
}

export interface AppliedMigration {
  id: number;
  name: string;
  checksum: string;
  appliedAt: Date;
}

export interface MigrationStatus {
  applied: AppliedMigration[];
  pending: MigrationFile[];
  /** Applied, but the file's checksum is no longer the recorded one. */
  changed: { file: MigrationFile; applied: AppliedMigration }[];
  /** Recorded as applied, but no file with that number exists any more. */
  missing: AppliedMigration[];
}

const FILE_NAME = /^(\d{4})_([a-z0-9][a-z0-9_]*)\.sql$/;

/** `0003_x12.sql` -> { id: 3, name: 'x12' }; anything else -> undefined. */
export function parseMigrationFileName(fileName: string): { id: number; name: string } | undefined {
  const m = FILE_NAME.exec(fileName);
  if (!m || m[1] === undefined || m[2] === undefined) return undefined;
  return { id: Number.parseInt(m[1], 10), name: m[2] };
}

export function checksumOf(sql: string | Uint8Array): string {
  return sha256Hex(sql);
}

/** Compare the files with what the database recorded. Pure. */
export function planMigrations(files: readonly MigrationFile[], applied: readonly AppliedMigration[]): MigrationStatus {
  const appliedById = new Map(applied.map((a) => [a.id, a]));
  const fileIds = new Set(files.map((f) => f.id));
  const pending: MigrationFile[] = [];
  const changed: MigrationStatus['changed'] = [];
  for (const file of [...files].sort((a, b) => a.id - b.id)) {
    const done = appliedById.get(file.id);
    if (!done) pending.push(file);
    else if (done.checksum !== file.checksum || done.name !== file.name) changed.push({ file, applied: done });
  }
  const missing = applied.filter((a) => !fileIds.has(a.id));
  return { applied: [...applied].sort((a, b) => a.id - b.id), pending, changed, missing };
}

/** Read every migration file in `dir`, ordered by number. Other `.sql` names and duplicate numbers are errors. */
export async function readMigrationFiles(dir: string = MIGRATIONS_DIR): Promise<MigrationFile[]> {
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const files: MigrationFile[] = [];
  const seen = new Map<number, string>();
  for (const fileName of names.sort()) {
    if (!fileName.endsWith('.sql')) continue;
    const parsed = parseMigrationFileName(fileName);
    if (!parsed) {
      throw new ClaimsError({ code: 'MIGRATION_BAD_NAME', message: `migration file name must look like NNNN_name.sql (lower case): ${fileName}`, location: { file: fileName } });
    }
    const other = seen.get(parsed.id);
    if (other) {
      throw new ClaimsError({ code: 'MIGRATION_DUPLICATE_NUMBER', message: `two migrations share number ${fileName.slice(0, 4)}: ${other} and ${fileName}`, location: { file: fileName } });
    }
    seen.set(parsed.id, fileName);
    const bytes = await fs.readFile(path.join(dir, fileName));
    files.push({ ...parsed, fileName, sql: bytes.toString('utf8'), checksum: checksumOf(bytes) });
  }
  return files.sort((a, b) => a.id - b.id);
}

async function readApplied(client: pg.ClientBase): Promise<AppliedMigration[]> {
  const present = await client.query<{ present: boolean }>(SQL.tableExists);
  if (!present.rows[0]?.present) return [];
  const r = await client.query<{ id: number; name: string; checksum: string; applied_at: Date }>(SQL.applied);
  return r.rows.map((row) => ({ id: row.id, name: row.name, checksum: row.checksum, appliedAt: row.applied_at }));
}

/** Applied and pending migrations, without changing anything. */
export async function migrationStatus(pool: pg.Pool, opts: { dir?: string } = {}): Promise<MigrationStatus> {
  const files = await readMigrationFiles(opts.dir);
  const client = await pool.connect();
  try {
    return planMigrations(files, await readApplied(client));
  } finally {
    client.release();
  }
}

function refuseDrift(status: MigrationStatus): void {
  const first = status.changed[0];
  if (first) {
    throw new ClaimsError({
      code: 'MIGRATION_CHECKSUM_MISMATCH',
      message: `migration ${first.file.fileName} was changed after it was applied; add a new migration instead of editing an applied one`,
      location: { file: first.file.fileName },
      expected: first.applied.checksum,
      found: first.file.checksum,
    });
  }
  const gone = status.missing[0];
  if (gone) {
    throw new ClaimsError({
      code: 'MIGRATION_FILE_MISSING',
      message: `migration ${String(gone.id).padStart(4, '0')}_${gone.name}.sql is recorded as applied but its file is missing`,
      location: { file: `${String(gone.id).padStart(4, '0')}_${gone.name}.sql` },
    });
  }
}

/** Apply every pending migration, in number order, each in its own transaction. Safe to run concurrently. */
export async function migrate(pool: pg.Pool, opts: { dir?: string; logger?: Logger } = {}): Promise<{ applied: MigrationFile[]; status: MigrationStatus }> {
  const files = await readMigrationFiles(opts.dir);
  const client = await pool.connect();
  const appliedNow: MigrationFile[] = [];
  let broken = false;
  try {
    // A session lock, held across the per-file transactions: a second runner waits here, then finds
    // everything applied. It is released with the connection if this process dies.
    await client.query(SQL.lock, [MIGRATION_LOCK_KEY]);
    try {
      // Created only when missing: a login that may not create in the schema (an analyst, PostgreSQL 15's
      // default) still opens an up-to-date database; IF NOT EXISTS alone checks that privilege first.
      if (!(await client.query<{ present: boolean }>(SQL.tableExists)).rows[0]?.present) await client.query(SQL.createTable);
      const before = planMigrations(files, await readApplied(client));
      refuseDrift(before);
      for (const file of before.pending) {
        const started = Date.now();
        try {
          await client.query(TRANSACTION_SQL.begin);
          await client.query(file.sql);
          await client.query(SQL.record, [file.id, file.name, file.checksum]);
          await client.query(TRANSACTION_SQL.commit);
        } catch (err) {
          await client.query(TRANSACTION_SQL.rollback).catch(() => {
            broken = true;
          });
          const e = err as Error & { position?: string };
          // The server reports a 1-based character position in the file's text: turn it into a line.
          const line = e.position === undefined ? undefined : file.sql.slice(0, Number(e.position) - 1).split('\n').length;
          throw new ClaimsError({
            code: 'MIGRATION_FAILED',
            message: `migration ${file.fileName} failed: ${e.message}`,
            location: { file: file.fileName, ...(line !== undefined && { line }) },
            cause: err,
          });
        }
        appliedNow.push(file);
        opts.logger?.info({ migration: file.fileName, ms: Date.now() - started }, 'applied migration');
      }
      // Roles created by `claims db roles` get their privileges on the new tables too.
      if (appliedNow.length > 0 && (await refreshGrants(client))) opts.logger?.info('granted the database roles their privileges on the new tables');
      const status = planMigrations(files, await readApplied(client));
      return { applied: appliedNow, status };
    } finally {
      await client.query(SQL.unlock, [MIGRATION_LOCK_KEY]).catch(() => {
        broken = true;
      });
    }
  } finally {
    client.release(broken);
  }
}
