// SQL of the runtime: the database handle, the embedded server's identity check, the migrations runner and
// the transaction helper, as named constants. Parameters are always bound; the one identifier that cannot
// be (a database name in CREATE DATABASE) is quoted by the caller and comes from config, not input.

/** Transaction control, for withTransaction (database.ts) and the per-file transactions of migrations.ts. */
export const TRANSACTION_SQL = {
  begin: 'BEGIN',
  commit: 'COMMIT',
  rollback: 'ROLLBACK',
} as const;

export const DATABASE_SQL = {
  databaseExists: 'SELECT 1 FROM pg_database WHERE datname = $1',
  /** Tells our embedded server from another one answering on the same port. */
  dataDirectory: "SELECT current_setting('data_directory') AS dir",
} as const;

/** `quotedName` must already be quoted (client.escapeIdentifier): identifiers cannot be bound parameters. */
export function createDatabaseSql(quotedName: string): string {
  return `CREATE DATABASE ${quotedName}`;
}

export const MIGRATIONS_SQL = {
  lock: 'SELECT pg_advisory_lock($1::bigint)',
  unlock: 'SELECT pg_advisory_unlock($1::bigint)',
  tableExists: "SELECT to_regclass('public.claims_migrations') IS NOT NULL AS present",
  createTable: `CREATE TABLE IF NOT EXISTS public.claims_migrations (
    id integer PRIMARY KEY,
    name text NOT NULL,
    checksum text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
  )`,
  applied: 'SELECT id, name, checksum, applied_at FROM public.claims_migrations ORDER BY id',
  record: 'INSERT INTO public.claims_migrations (id, name, checksum) VALUES ($1, $2, $3)',
} as const;

/**
 * The folder lock (folder-lock.ts): a session advisory lock, two keys (the namespace, and hashtext of the
 * purpose and the folder's real path). A collision of two folders' hashes only makes them wait for each other.
 */
export const FOLDER_LOCK_SQL = {
  tryLock: 'SELECT pg_try_advisory_lock($1::int, hashtext($2)) AS locked',
  unlock: 'SELECT pg_advisory_unlock($1::int, hashtext($2))',
  /** The holding session still answers, so its locks are still held. */
  alive: 'SELECT 1',
} as const;
