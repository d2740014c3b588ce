// The database handle every command uses: a pg pool on the server DATABASE_URL names, or on the embedded
// server (started or joined for this process, released on close). Also the one transaction helper.
import { actingRole } from './roles.ts';
import pg from 'pg';
import { config } from './config.ts';
import { ClaimsError } from '../common/errors.ts';
import { logger as rootLogger, type Logger } from './logger.ts';
import { acquireEmbeddedServer, type EmbeddedServer } from './embedded-server.ts';
import { migrate } from './migrations.ts';
import { failpoint } from './failpoints.ts';
import { DATABASE_SQL as SQL, TRANSACTION_SQL, createDatabaseSql } from './sql.ts';

// bigint columns (money in cents, ids) come back as strings by default; keep them exact as bigint.
pg.types.setTypeParser(pg.types.builtins.INT8, (text: string) => BigInt(text));

export const DEFAULT_DATABASE = 'claims';

export interface Database {
  pool: pg.Pool;
  connectionString: string;
  /** True when the server is the embedded one this program manages. */
  embedded: boolean;
  /** The embedded server this handle holds a lease on (absent with DATABASE_URL). */
  server?: { port: number; pid: number; dataDir: string; startedHere: boolean };
  /** End the pool, then release the embedded server (the last process out stops it). Idempotent. */
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  /** Apply pending migrations from schemas/db before returning. */
  migrate?: boolean;
  logger?: Logger;
  /** Overrides config().databaseUrl. */
  databaseUrl?: string;
  /** Use the embedded server even when DATABASE_URL is set (tests of the embedded server itself). */
  embedded?: boolean;
  /** Overrides config().home (where the embedded cluster lives). */
  home?: string;
  /** Database name on the embedded server (default `claims`). */
  database?: string;
  /** Pool size (pg default 10). */
  poolMax?: number;
  /**
   * Act as this role of `claims db roles` (runtime/roles.ts actingRole) once migrations are applied, when it
   * exists and the connecting user may take it on; otherwise as the connecting user.
   */
  actAs?: 'pipeline' | 'auditor';
}

/** The same server, another database: used to reach the maintenance database `postgres`. */
export function withDatabaseName(connectionString: string, database: string): string {
  const url = new URL(connectionString);
  url.pathname = '/' + encodeURIComponent(database);
  return url.toString();
}

export function databaseNameOf(connectionString: string): string {
  return decodeURIComponent(new URL(connectionString).pathname.replace(/^\//, '')) || 'postgres';
}

/** Connection string with the password blanked, for logs and messages. */
export function redactUrl(connectionString: string): string {
  try {
    const url = new URL(connectionString);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return '(unparseable connection string)';
  }
}

/** Create `database` on the server of `connectionString` if it does not exist. Concurrent callers are fine. */
export async function ensureDatabase(connectionString: string, database: string): Promise<boolean> {
  const admin = new pg.Client({ connectionString: withDatabaseName(connectionString, 'postgres') });
  admin.on('error', () => undefined);
  await admin.connect();
  try {
    const found = await admin.query(SQL.databaseExists, [database]);
    if (found.rowCount) return false;
    try {
      // Identifiers cannot be bound parameters; the name is quoted, and comes from config, not input.
      await admin.query(createDatabaseSql(admin.escapeIdentifier(database)));
      return true;
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === '42P04' || code === '23505') return false; // created by a concurrent process
      throw err;
    }
  } finally {
    await admin.end().catch(() => undefined);
  }
}

function makePool(connectionString: string, max: number | undefined, log: Logger, role?: string): pg.Pool {
  // `-c role=...` makes every connection of the pool act as that role from its start (SET ROLE at connect).
  const pool = new pg.Pool({ connectionString, ...(max !== undefined && { max }), ...(role !== undefined && { options: `-c role=${role}` }) });
  // An idle client losing its server (shutdown, network) must not crash the process. pool.end() resolves
  // before its idle connections have finished closing, so stopping the embedded server right after it
  // reaches some of them: expected then, and not worth a warning that reads like a failure.
  pool.on('error', (err) => {
    if (pool.ending) log.debug({ err: err.message }, 'connection closed by the server while the pool was ending');
    else log.warn({ err: err.message }, 'idle database connection failed');
  });
  // pg-pool listens on a client only while it is idle; a checked-out one (a transaction, the run lock's
  // session) emits 'error' with nobody listening when the server goes away, and that ends the process
  // with a stack. The failure reaches its user anyway, as the rejection of the query that was running or
  // of the next one: this listener only keeps it from crashing the process first.
  pool.on('connect', (client) => {
    client.on('error', (err) => log.debug({ err: err.message }, 'database connection failed'));
  });
  return pool;
}

async function probe(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  client.release();
}

async function openExternal(url: string, opts: OpenDatabaseOptions, log: Logger): Promise<Database> {
  let pool = makePool(url, opts.poolMax, log);
  try {
    await probe(pool);
  } catch (err) {
    await pool.end().catch(() => undefined);
    if ((err as { code?: string }).code !== '3D000') {
      throw new ClaimsError({ code: 'DATABASE_UNREACHABLE', message: `cannot connect to ${redactUrl(url)}: ${(err as Error).message}`, cause: err });
    }
    // invalid_catalog_name: the server is there but the database is not yet.
    const name = databaseNameOf(url);
    try {
      await ensureDatabase(url, name);
    } catch (createErr) {
      throw new ClaimsError({ code: 'DATABASE_CREATE_FAILED', message: `database ${name} does not exist on ${redactUrl(url)} and could not be created: ${(createErr as Error).message}`, cause: createErr });
    }
    log.info({ database: name }, 'created the database');
    pool = makePool(url, opts.poolMax, log);
  }
  let closed = false;
  return {
    pool,
    connectionString: url,
    embedded: false,
    async close() {
      if (closed) return;
      closed = true;
      await pool.end();
    },
  };
}

async function openEmbedded(opts: OpenDatabaseOptions, log: Logger): Promise<Database> {
  const server: EmbeddedServer = await acquireEmbeddedServer({
    home: opts.home ?? config().home,
    logger: log,
    port: config().embeddedPort,
  });
  const name = opts.database ?? DEFAULT_DATABASE;
  const url = server.url(name);
  let pool: pg.Pool;
  try {
    if (await ensureDatabase(url, name)) log.info({ database: name }, 'created the database');
    pool = makePool(url, opts.poolMax, log);
  } catch (err) {
    await server.release();
    throw new ClaimsError({ code: 'DATABASE_UNREACHABLE', message: `cannot use database ${name} on the embedded server: ${(err as Error).message}`, cause: err });
  }
  let closed = false;
  return {
    pool,
    connectionString: url,
    embedded: true,
    server: { port: server.port, pid: server.pid, dataDir: server.dataDir, startedHere: server.startedHere },
    async close() {
      if (closed) return;
      closed = true;
      try {
        await pool.end();
      } finally {
        await server.release();
      }
    },
  };
}

/** Open the project database (embedded unless DATABASE_URL is set). Always pair with `close()`. */
export async function openDatabase(opts: OpenDatabaseOptions = {}): Promise<Database> {
  const log = (opts.logger ?? rootLogger()).child({ module: 'database' });
  const url = opts.embedded ? undefined : (opts.databaseUrl ?? config().databaseUrl);
  const db = url ? await openExternal(url, opts, log) : await openEmbedded(opts, log);
  if (opts.migrate) {
    try {
      await migrate(db.pool, { logger: log });
    } catch (err) {
      await db.close().catch(() => undefined);
      throw err;
    }
  }
  failpoint('db.opened');
  return opts.actAs === undefined ? db : actingAs(db, opts.actAs, opts, log);
}

/** The database as the least role of decision 0097 when it exists: a second pool whose connections take it on. */
async function actingAs(db: Database, kind: 'pipeline' | 'auditor', opts: OpenDatabaseOptions, log: Logger): Promise<Database> {
  let role: string | undefined;
  try {
    role = await actingRole(db.pool, kind);
  } catch (err) {
    await db.close().catch(() => undefined);
    throw err;
  }
  if (role === undefined) return db;
  const pool = makePool(db.connectionString, opts.poolMax, log, role);
  log.debug({ role }, 'acting as the least role');
  let closed = false;
  return {
    ...db,
    pool,
    async close() {
      if (closed) return;
      closed = true;
      try {
        await pool.end();
      } finally {
        await db.close();
      }
    },
  };
}

export interface TransactionOptions<T> {
  /**
   * Roll back instead of committing when the result says the transaction wrote nothing worth keeping (the
   * ledger's replay of a batch already posted); the result is still returned.
   */
  rollbackWhen?: (result: T) => boolean;
  /** Runs after `fn` resolved, right before COMMIT and not before a rollback: where crash tests stop a posting. */
  beforeCommit?: () => void | Promise<void>;
}

/**
 * Run `fn` in one transaction: COMMIT when it resolves, ROLLBACK when it throws (or when `rollbackWhen`
 * says so); the client is always released, and discarded when even ROLLBACK failed.
 */
export async function withTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>, opts: TransactionOptions<T> = {}): Promise<T> {
  const client = await pool.connect();
  let discard = false;
  try {
    await client.query(TRANSACTION_SQL.begin);
    const result = await fn(client);
    if (opts.rollbackWhen?.(result)) {
      await client.query(TRANSACTION_SQL.rollback);
      return result;
    }
    if (opts.beforeCommit) await opts.beforeCommit();
    await client.query(TRANSACTION_SQL.commit);
    return result;
  } catch (err) {
    try {
      await client.query(TRANSACTION_SQL.rollback);
    } catch {
      discard = true; // the connection is in an unknown state: do not hand it to anyone else
    }
    throw err;
  } finally {
    client.release(discard);
  }
}
