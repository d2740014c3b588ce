// openDatabase on a URL, withTransaction, and the `claims db` command on a real server.
import { readdir } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { databaseNameOf, openDatabase, withDatabaseName, withTransaction } from '../../src/runtime/database.ts';
import { MIGRATIONS_DIR } from '../../src/runtime/migrations.ts';
import { runCli } from '../support/cli.ts';
import { useTestDatabase } from '../support/db.ts';
import { dropDatabase } from '../support/test-server.ts';

const db = await useTestDatabase();

describe('withTransaction', () => {
  it('commits what the function did when it resolves', async () => {
    await db.pool.query('CREATE TABLE tx_probe (note text)');
    const out = await withTransaction(db.pool, async (c) => {
      await c.query("INSERT INTO tx_probe VALUES ('kept')");
      return 42;
    });
    expect(out).toBe(42);
    expect((await db.pool.query('SELECT note FROM tx_probe')).rows).toEqual([{ note: 'kept' }]);
  });

  it('rolls back and rethrows when the function throws, and returns the client', async () => {
    const failure = new Error('posting refused');
    const err = await withTransaction(db.pool, async (c) => {
      await c.query("INSERT INTO tx_probe VALUES ('dropped')");
      throw failure;
    }).catch((e: unknown) => e);
    expect(err).toBe(failure);
    expect((await db.pool.query('SELECT note FROM tx_probe ORDER BY note')).rows).toEqual([{ note: 'kept' }]);
    expect(db.pool.idleCount + db.pool.waitingCount).toBe(db.pool.totalCount);
  });
});

describe('openDatabase with a URL', () => {
  it('uses that server, returns bigint for int8, and creates a missing database', async () => {
    const name = `${db.name}_url`;
    const url = withDatabaseName(db.url, name);
    const opened = await openDatabase({ databaseUrl: url });
    try {
      expect(opened.embedded).toBe(false);
      expect(opened.server).toBeUndefined();
      const r = await opened.pool.query('SELECT current_database() AS d, 9007199254740993::int8 AS big');
      expect(r.rows).toEqual([{ d: name, big: 9007199254740993n }]);
      expect(databaseNameOf(opened.connectionString)).toBe(name);
    } finally {
      await opened.close();
      await dropDatabase(withDatabaseName(db.url, 'postgres'), name);
    }
  });
});

describe('claims db', () => {
  it('status --json lists every file in schemas/db as applied on a migrated database', async () => {
    const files = (await readdir(MIGRATIONS_DIR)).filter((f) => f.endsWith('.sql')).sort();
    const r = await runCli(['db', 'status', '--json'], { env: { DATABASE_URL: db.url } });
    expect(r.code, r.stderr).toBe(0);
    const status = JSON.parse(r.stdout) as { applied: { id: number; name: string }[]; pending: unknown[] };
    expect(status.applied.map((a) => `${String(a.id).padStart(4, '0')}_${a.name}.sql`)).toEqual(files);
    expect(status.pending).toEqual([]);
  });

  it('migrate on an up-to-date database applies nothing', async () => {
    const r = await runCli(['db', 'migrate', '--json'], { env: { DATABASE_URL: db.url } });
    expect(r.code, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as { appliedNow: string[] }).appliedNow).toEqual([]);
  });

  it('rejects an unknown sub-command with exit 2 and the help', async () => {
    const r = await runCli(['db', 'rollback'], { env: { DATABASE_URL: db.url } });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain("unknown sub-command 'rollback'");
    expect(r.stderr).toContain('Usage: claims db migrate');
  });
});
