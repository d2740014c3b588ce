// The migrations runner on a real server: order, records, checksum drift, failure rollback, and two
// processes migrating the same database at once.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { ClaimsError } from '../../src/common/errors.ts';
import { migrate, migrationStatus } from '../../src/runtime/migrations.ts';
import { useTestDatabase } from '../support/db.ts';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function migrationsDir(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'claims-migrations-'));
  dirs.push(dir);
  for (const [name, sql] of Object.entries(files)) await writeFile(path.join(dir, name), sql);
  return dir;
}

const A = 'CREATE TABLE payer (payer_id text PRIMARY KEY);\n';
const B = "INSERT INTO payer VALUES ('P0001');\n";

describe('migrate', async () => {
  const db = await useTestDatabase({ migrated: false });

  it('applies files in number order, each recorded with its sha256', async () => {
    const dir = await migrationsDir({ '0002_seed.sql': B, '0001_payer.sql': A });
    const result = await migrate(db.pool, { dir });
    expect(result.applied.map((f) => f.fileName)).toEqual(['0001_payer.sql', '0002_seed.sql']);
    const rows = await db.pool.query('SELECT id, name, checksum FROM claims_migrations ORDER BY id');
    expect(rows.rows).toEqual([
      { id: 1, name: 'payer', checksum: createHash('sha256').update(A).digest('hex') },
      { id: 2, name: 'seed', checksum: createHash('sha256').update(B).digest('hex') },
    ]);
    expect((await db.pool.query('SELECT payer_id FROM payer')).rows).toEqual([{ payer_id: 'P0001' }]);

    const again = await migrate(db.pool, { dir });
    expect(again.applied).toEqual([]);
    expect(again.status.applied.map((a) => a.id)).toEqual([1, 2]);
  });

  it('refuses an applied file that was edited, naming it', async () => {
    const dir = await migrationsDir({ '0001_payer.sql': A + '-- edited\n', '0002_seed.sql': B });
    const err = await migrate(db.pool, { dir }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ClaimsError);
    expect((err as ClaimsError).code).toBe('MIGRATION_CHECKSUM_MISMATCH');
    expect((err as ClaimsError).message).toContain('0001_payer.sql');
    const status = await migrationStatus(db.pool, { dir });
    expect(status.changed.map((c) => c.file.fileName)).toEqual(['0001_payer.sql']);
  });

  it('refuses when an applied file is missing', async () => {
    const dir = await migrationsDir({ '0001_payer.sql': A });
    const err = (await migrate(db.pool, { dir }).catch((e: unknown) => e)) as ClaimsError;
    expect(err.code).toBe('MIGRATION_FILE_MISSING');
    expect(err.message).toContain('0002_seed.sql');
  });

  it('rolls a failing file back entirely and reports its line', async () => {
    const bad = 'CREATE TABLE half_done (id int);\nSELECT * FROM no_such_table;\n';
    const dir = await migrationsDir({ '0001_payer.sql': A, '0002_seed.sql': B, '0003_bad.sql': bad });
    const err = (await migrate(db.pool, { dir }).catch((e: unknown) => e)) as ClaimsError;
    expect(err.code).toBe('MIGRATION_FAILED');
    expect(err.location).toEqual({ file: '0003_bad.sql', line: 2 });
    const left = await db.pool.query("SELECT to_regclass('half_done') AS t, (SELECT count(*) FROM claims_migrations) AS n");
    expect(left.rows[0]).toEqual({ t: null, n: 2n });
  });
});

describe('two processes migrating at once', async () => {
  const db = await useTestDatabase({ migrated: false });
  const child = fileURLToPath(new URL('./fixtures/migrate-child.ts', import.meta.url));

  function runChild(dir: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      const p = spawn(process.execPath, ['--import', 'tsx', child, dir, db.url], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      p.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
      p.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      p.on('close', (code) => resolve({ code, stdout, stderr }));
    });
  }

  it('applies each file exactly once', async () => {
    // Without the lock both would see nothing applied and the second CREATE TABLE would fail.
    const dir = await migrationsDir({
      '0001_slow.sql': 'CREATE TABLE slow (id int);\nSELECT pg_sleep(0.5);\n',
      '0002_log.sql': 'CREATE TABLE applied_log (n int);\nINSERT INTO applied_log VALUES (1);\n',
    });
    const [one, two] = await Promise.all([runChild(dir), runChild(dir)]);
    expect(one.stderr).toBe('');
    expect(two.stderr).toBe('');
    expect([one.code, two.code]).toEqual([0, 0]);
    const applied = [...JSON.parse(one.stdout), ...JSON.parse(two.stdout)].sort();
    expect(applied).toEqual(['0001_slow.sql', '0002_log.sql']);
    const log = await db.pool.query('SELECT count(*) AS n FROM applied_log');
    expect(log.rows[0]).toEqual({ n: 1n });
  });
});
