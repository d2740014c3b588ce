// `claims db roles`: three group roles per database (names carry the database's name, so parallel test
// databases do not collide), each with what its work needs, checked by acting as each role on a real server:
// the pipeline posts to the ledger (COPY included) but cannot touch the migrations record; an analyst may
// read every table but the audit trail (which rows of them, by practice, is rls.int.test.ts's), writes
// nothing but its own audit rows; an auditor reads the audit trail only. The tables are listed from the
// catalog, so a table added by a later migration cannot be forgotten.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import pg from 'pg';
import { postBatch } from '../../src/ledger/post.ts';
import { migrate } from '../../src/runtime/migrations.ts';
import { roleName } from '../../src/runtime/roles.ts';
import { runCli } from '../support/cli.ts';
import { asRole } from '../support/roles.ts';
import { useTestDatabase, type TestDatabase } from '../support/db.ts';
import { withAdmin } from '../support/test-server.ts';

let db: TestDatabase;
const role = (kind: 'pipeline' | 'analyst' | 'auditor'): string => roleName(db.name, kind);

/** Run `fn` on one connection acting as `r` (SET ROLE), then back to the owner. */
const as = <T>(r: string, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> => asRole(db.pool, r, fn);

/** The SQLSTATE a statement fails with as `r` ('ok' when it succeeds), inside a rolled-back transaction. */
async function outcome(r: string, sql: string): Promise<string> {
  return as(r, async (c) => {
    await c.query('BEGIN');
    try {
      await c.query(sql);
      return 'ok';
    } catch (err) {
      return (err as { code?: string }).code ?? 'error';
    } finally {
      await c.query('ROLLBACK');
    }
  });
}

const cli = (args: string[]) => runCli(args, { env: { DATABASE_URL: db.url, CLAIMS_LOG_LEVEL: 'error' } });

beforeAll(async () => {
  db = await useTestDatabase();
});

afterAll(async () => {
  // Roles outlive the test database (they are the cluster's): drop their grants in the database if it is
  // still there, then the roles from the maintenance database.
  const names = (['pipeline', 'analyst', 'auditor'] as const).map((k) => `"${role(k)}"`).join(', ');
  const here = new pg.Client({ connectionString: db.url });
  await here.connect().then(() => here.query(`DROP OWNED BY ${names}`)).catch(() => undefined).finally(() => here.end().catch(() => undefined));
  await withAdmin(inject('claimsTestServer').adminUrl, (admin) => admin.query(`DROP ROLE IF EXISTS ${names}`));
});

describe('claims db roles', () => {
  it('creates the three roles once, named after the database; a second run creates nothing and grants again', async () => {
    const first = await cli(['db', 'roles', '--json']);
    expect(first.code, first.stderr).toBe(0);
    const made = JSON.parse(first.stdout) as { database: string; roles: Record<string, string>; created: string[] };
    expect(made.database).toBe(db.name);
    expect(made.roles).toEqual({ pipeline: `${db.name}_pipeline`, analyst: `${db.name}_analyst`, auditor: `${db.name}_auditor` });
    expect(made.created.sort()).toEqual([role('analyst'), role('auditor'), role('pipeline')]);
    const again = await cli(['db', 'roles', '--json']);
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout).created).toEqual([]);
    const { rows } = await db.pool.query<{ rolname: string; rolcanlogin: boolean }>('SELECT rolname, rolcanlogin FROM pg_roles WHERE rolname = ANY($1) ORDER BY 1', [[role('analyst'), role('auditor'), role('pipeline')]]);
    expect(rows).toEqual([{ rolname: role('analyst'), rolcanlogin: false }, { rolname: role('auditor'), rolcanlogin: false }, { rolname: role('pipeline'), rolcanlogin: false }]);
  });

  it('every table in the catalog: the analyst reads all but the audit trail, the auditor only the audit trail', async () => {
    const tables = (await db.pool.query<{ t: string }>("SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")).rows.map((r) => r.t);
    expect(tables.length).toBeGreaterThan(40);
    for (const t of tables) {
      const select = `SELECT 1 FROM ${t} LIMIT 1`;
      expect([t, await outcome(role('analyst'), select)]).toEqual([t, t === 'audit_events' ? '42501' : 'ok']);
      expect([t, await outcome(role('auditor'), select)]).toEqual([t, t === 'audit_events' ? 'ok' : '42501']);
      expect([t, await outcome(role('pipeline'), select)]).toEqual([t, 'ok']);
    }
  });

  it('the analyst and the auditor write nothing, but the analyst records its reads in the audit trail', async () => {
    expect(await outcome(role('analyst'), "INSERT INTO runs (pipeline_name, pipeline_file, pipeline_sha256, as_of) VALUES ('p', 'p.json', repeat('0', 64), '2024-01-01')")).toBe('42501');
    expect(await outcome(role('analyst'), 'DELETE FROM patients')).toBe('42501');
    expect(await outcome(role('analyst'), "INSERT INTO audit_events (os_user, command, action, accounts) VALUES ('alice', 'account', 'read', '{A1}')")).toBe('ok');
    expect(await outcome(role('auditor'), "INSERT INTO audit_events (os_user, command, action) VALUES ('bob', 'audit', 'read')")).toBe('42501');
    // Which practices an analyst reads is the owner's to say (claims db analyst), not the analyst's.
    expect(await outcome(role('analyst'), "INSERT INTO practice_grants (role_name, practice_id) VALUES ('x', 'default')")).toBe('42501');
  });

  it('the pipeline posts to the ledger (its COPY included) but cannot change the migrations record', async () => {
    // A pool whose every session starts as the pipeline role (libpq's startup option role=...).
    const pipeline = new pg.Pool({ connectionString: db.url, options: `-c role=${role('pipeline')}`, max: 1 });
    const outcomeOfPost = await (async () => {
      const who = (await pipeline.query<{ r: string }>('SELECT current_user AS r')).rows[0]!.r;
      expect(who).toBe(role('pipeline'));
      return postBatch(pipeline, {
        key: 'roles-test:1',
        entries: [{
          key: 'roles-test:1:e1', reason: 'manual', effectiveDate: '2024-05-01', memo: 'roles test',
          lines: [{ account: { kind: 'cash' }, amountCents: 1250n }, { account: { kind: 'payer_clearing', payerId: 'P1' }, amountCents: -1250n }],
        }],
      });
    })().catch((err: unknown) => `failed: ${(err as Error).message}`).finally(() => pipeline.end());
    expect(outcomeOfPost).toBe('posted');
    expect(await outcome(role('pipeline'), "DELETE FROM claims_migrations WHERE id = 1")).toBe('42501');
    expect(await outcome(role('pipeline'), 'SELECT count(*) FROM claims_migrations')).toBe('ok');
  });

  it('a migration applied later is granted too (migrate refreshes the roles\' privileges)', async () => {
    // A table a later migration would add, made by the owner; then `migrate` runs with one new file.
    await db.pool.query('CREATE TABLE roles_test_later (id int)');
    expect(await outcome(role('analyst'), 'SELECT 1 FROM roles_test_later')).toBe('42501');
    const { mkdtemp, writeFile, readdir, copyFile } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const path = await import('node:path');
    const dir = await mkdtemp(path.join(tmpdir(), 'claims-roles-migrations-'));
    const here = path.join(process.cwd(), 'schemas', 'db');
    for (const f of await readdir(here)) await copyFile(path.join(here, f), path.join(dir, f));
    await writeFile(path.join(dir, '9999_roles_test.sql'), 'COMMENT ON TABLE roles_test_later IS \'made by the test\';\n');
    const r = await migrate(db.pool, { dir });
    expect(r.applied.map((f) => f.fileName)).toEqual(['9999_roles_test.sql']);
    expect(await outcome(role('analyst'), 'SELECT 1 FROM roles_test_later')).toBe('ok');
  });
});
