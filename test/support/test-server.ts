// The one PostgreSQL server of an integration run, and its template database. Used by the global setup
// (start, build template, stop) and by test/support/db.ts (clone per test file). With DATABASE_URL the
// server is that one; otherwise an embedded server under CLAIMS_HOME/test with relaxed durability
// (tests never survive a power cut; they do survive a killed client, which fsync does not affect).
import { createHash, randomBytes } from 'node:crypto';
import path from 'node:path';
import pg from 'pg';
import { config } from '../../src/runtime/config.ts';
import { withDatabaseName } from '../../src/runtime/database.ts';
import { acquireEmbeddedServer } from '../../src/runtime/embedded-server.ts';
import { createLogger } from '../../src/runtime/logger.ts';
import { migrate, readMigrationFiles } from '../../src/runtime/migrations.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    claimsTestServer: TestServerInfo;
  }
}

export interface TestServerInfo {
  /** Superuser connection to the maintenance database `postgres` of the run's server. */
  adminUrl: string;
  /** Migrated database every test database is cloned from. */
  template: string;
  /** Prefix of every database this run creates, so teardown can drop leftovers. */
  databasePrefix: string;
  embedded: boolean;
}

const SQL = {
  lock: 'SELECT pg_advisory_lock($1::bigint)',
  unlock: 'SELECT pg_advisory_unlock($1::bigint)',
  exists: 'SELECT 1 FROM pg_database WHERE datname = $1',
  startingWith: 'SELECT datname FROM pg_database WHERE starts_with(datname, $1) AND datname <> $2',
} as const;

/** Serialises template builds of concurrent runs sharing one server. */
const TEMPLATE_LOCK_KEY = '7243419038104150002';

export async function withAdmin<T>(adminUrl: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  await withAdmin(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${c.escapeIdentifier(name)} WITH (FORCE)`));
}

/**
 * Build (or reuse) the template for the current migration files. Its name carries a hash of the files,
 * and it is built under another name and renamed when complete, so its existence means "fully migrated".
 */
async function ensureTemplate(adminUrl: string): Promise<string> {
  const files = await readMigrationFiles();
  const hash = createHash('sha256');
  for (const f of files) hash.update(`${f.fileName}\0${f.checksum}\0`);
  const template = `claims_tpl_${hash.digest('hex').slice(0, 16)}`;
  await withAdmin(adminUrl, async (admin) => {
    await admin.query(SQL.lock, [TEMPLATE_LOCK_KEY]);
    try {
      if ((await admin.query(SQL.exists, [template])).rowCount) return;
      const building = `${template}_building`;
      await admin.query(`DROP DATABASE IF EXISTS ${admin.escapeIdentifier(building)} WITH (FORCE)`);
      await admin.query(`CREATE DATABASE ${admin.escapeIdentifier(building)}`);
      const pool = new pg.Pool({ connectionString: withDatabaseName(adminUrl, building), max: 1 });
      pool.on('error', () => undefined);
      try {
        await migrate(pool);
      } finally {
        await pool.end();
      }
      await admin.query(`ALTER DATABASE ${admin.escapeIdentifier(building)} RENAME TO ${admin.escapeIdentifier(template)}`);
      // Templates of older migration sets are dead weight; one in use by a concurrent run stays.
      const stale = await admin.query<{ datname: string }>(SQL.startingWith, ['claims_tpl_', template]);
      for (const row of stale.rows) {
        await admin.query(`DROP DATABASE IF EXISTS ${admin.escapeIdentifier(row.datname)}`).catch(() => undefined);
      }
    } finally {
      await admin.query(SQL.unlock, [TEMPLATE_LOCK_KEY]);
    }
  });
  return template;
}

/** Start (or join) the run's server and prepare the template. */
export async function startTestServer(): Promise<{ info: TestServerInfo; stop(): Promise<void> }> {
  const log = createLogger({ level: 'warn', pretty: false });
  const runId = randomBytes(4).toString('hex');
  const databasePrefix = `claims_t_${runId}_`;
  const external = config().databaseUrl;
  let adminUrl: string;
  let release: () => Promise<void> = async () => undefined;
  if (external) {
    adminUrl = withDatabaseName(external, 'postgres');
  } else {
    const server = await acquireEmbeddedServer({
      home: path.join(config().home, 'test'),
      logger: log,
      settings: { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off' },
    });
    adminUrl = server.url('postgres');
    release = () => server.release();
  }
  let template: string;
  try {
    template = await ensureTemplate(adminUrl);
  } catch (err) {
    await release();
    throw err;
  }
  return {
    info: { adminUrl, template, databasePrefix, embedded: !external },
    async stop() {
      try {
        // Databases a test file did not drop (a crashed worker, a failed hook).
        await withAdmin(adminUrl, async (admin) => {
          const left = await admin.query<{ datname: string }>(SQL.startingWith, [databasePrefix, '']);
          for (const row of left.rows) {
            await admin.query(`DROP DATABASE IF EXISTS ${admin.escapeIdentifier(row.datname)} WITH (FORCE)`);
          }
        });
      } finally {
        await release();
      }
    },
  };
}
