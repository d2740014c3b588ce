// A run whose outbox the process cannot write stops before any input is taken, with FOLDER_NOT_WRITABLE
// naming the folder, exit 1 and the run recorded as failed. Root ignores permissions, so the CLI runs
// without the capabilities that let it (test/support/permissions.ts); runs once, in the embedded pass.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect } from '../support/cli.ts';
import { permissionsCanApply, spawnCliUnderPermissions } from '../support/permissions.ts';
import { useTestDatabase, type TestDatabase } from '../support/db.ts';
import { interchange } from '../remittances/support/generate-835.ts';
import { ledgerBalances } from '../remittances/support/fixtures.ts';

describe.skipIf(!!process.env.DATABASE_URL || !permissionsCanApply)('a folder the run cannot write', () => {
  let db: TestDatabase;
  let root: string;
  const dir = (...p: string[]): string => path.join(root, ...p);

  beforeAll(async () => {
    db = await useTestDatabase();
    root = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'claims-not-writable-')));
    // The process owns every folder; the outbox is read-only to its owner too.
    for (const d of ['home', 'work/inbox', 'work/archive', 'work/quarantine', 'work/outbox']) await fs.mkdir(dir(d), { recursive: true, mode: 0o700 });
    await fs.chmod(dir('work', 'outbox'), 0o500);
    const era = dir('work', 'inbox', 'era-0331.835');
    await fs.writeFile(era, interchange([{ set: '0001', trace: 'EFT-RO1', payerId: '1000000007', claims: [{ pcn: 'RO-1', lines: [{ code: '99213', chargeCents: 10000, adjustments: [{ group: 'CO', reason: '45', cents: 2000 }] }] }] }]), { mode: 0o600 });
    await fs.writeFile(dir('p.json'), JSON.stringify({
      name: 'read-only-outbox',
      folders: { inbox: 'work/inbox', outbox: 'work/outbox', archive: 'work/archive', quarantine: 'work/quarantine' },
      stages: [{ name: 'ingest' }, { name: 'ledger-snapshot' }],
    }), { mode: 0o644 });
  });
  afterAll(async () => {
    await fs.rm(root, { recursive: true, force: true });
  });

  it('stops before the first stage with FOLDER_NOT_WRITABLE naming the outbox, exit 1, run recorded as failed', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: db.url, CLAIMS_HOME: dir('home'), CLAIMS_LOG_FORMAT: 'json', CLAIMS_LOG_LEVEL: 'warn' };
    delete env.CLAIMS_NOW;
    const child = spawnCliUnderPermissions(['run', dir('p.json'), '--as-of', '2024-03-31', '--json'], { cwd: root, env });
    const res = await collect(child, 120_000);
    expect(res.code, res.stderr).toBe(1);
    const summary = JSON.parse(res.stdout);
    expect([summary.status, summary.exitCode, summary.stages]).toEqual(['failed', 1, []]);
    expect(summary.error).toEqual({
      code: 'FOLDER_NOT_WRITABLE',
      severity: 'error',
      message: `cannot write to the folder ${dir('work', 'outbox')} (EACCES: permission denied): give the user running claims write access to it, or name another folder`,
      location: { file: dir('work', 'outbox') },
    });
    expect(res.stderr).not.toContain('ENOENT');

    // Nothing was taken: the 835 is still in the inbox, nothing posted, nothing archived.
    expect(await fs.readdir(dir('work', 'inbox'))).toEqual(['era-0331.835']);
    expect(await fs.readdir(dir('work', 'archive'))).toEqual([]);
    expect(await ledgerBalances(db.pool)).toEqual({});
    const runs = await db.pool.query(`SELECT status, error->>'code' AS code FROM runs WHERE pipeline_name = 'read-only-outbox'`);
    expect(runs.rows).toEqual([{ status: 'failed', code: 'FOLDER_NOT_WRITABLE' }]);
  });
});
