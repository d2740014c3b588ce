// Per-test-file databases for integration tests: `const db = await useTestDatabase()` at the top of a
// *.int.test.ts file (or in beforeAll) clones the run's migrated template into a database of its own,
// dropped after the file's tests. `db.url` is what a spawned CLI needs as DATABASE_URL. Call it once per
// file, or once per describe block that must not see another's rows.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, inject } from 'vitest';
import { type Database, withDatabaseName } from '../../src/runtime/database.ts';
import { dropDatabase, withAdmin } from './test-server.ts';

export type TestDatabase = Database & { url: string; name: string };

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export interface TestDatabaseOptions {
  /** false: an empty database (no migrations applied), for tests of the migrations runner itself. */
  migrated?: boolean;
}

export async function useTestDatabase(opts: TestDatabaseOptions = {}): Promise<TestDatabase> {
  const info = inject('claimsTestServer');
  if (!info) {
    throw new Error('useTestDatabase() runs only in the integration project: name the test file *.int.test.ts');
  }
  const name = `${info.databasePrefix}${process.pid}_${randomBytes(3).toString('hex')}`;
  const made: { db?: TestDatabase } = {};
  try {
    afterAll(async () => {
      await made.db?.close();
    });
  } catch {
    // Called from a hook where afterAll cannot be registered: the run's teardown drops it instead.
  }
  await withAdmin(info.adminUrl, async (admin) => {
    const template = opts.migrated === false ? 'template0' : info.template;
    const sql = `CREATE DATABASE ${admin.escapeIdentifier(name)} TEMPLATE ${admin.escapeIdentifier(template)}`;
    for (let attempt = 1; ; attempt++) {
      try {
        await admin.query(sql);
        return;
      } catch (err) {
        // 55006: the template is briefly in use (a concurrent clone on an older server): retry.
        if ((err as { code?: string }).code !== '55006' || attempt >= 20) throw err;
        await sleep(50 * attempt);
      }
    }
  });
  const url = withDatabaseName(info.adminUrl, name);
  const pool = new pg.Pool({ connectionString: url });
  pool.on('error', () => undefined);
  let closed = false;
  const db: TestDatabase = {
    name,
    url,
    connectionString: url,
    pool,
    embedded: info.embedded,
    async close() {
      if (closed) return;
      closed = true;
      await pool.end();
      await dropDatabase(info.adminUrl, name);
    },
  };
  made.db = db;
  return db;
}
