// A run whose outbox the process cannot write stops before any input is taken, with FOLDER_NOT_WRITABLE
// naming the folder, exit 1 and the run recorded as failed. Root ignores permissions, so the CLI runs as
// `nobody` through runuser; the test needs root and runuser, and runs once, in the embedded pass.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLAIMS_NODE_FLAGS } from '../../src/runtime/node-flags.ts';
import { CLI_BIN, collect } from '../support/cli.ts';
import { useTestDatabase, type TestDatabase } from '../support/db.ts';
import { interchange } from '../remittances/support/generate-835.ts';
import { ledgerBalances } from '../remittances/support/fixtures.ts';

const isRoot = process.getuid?.() === 0;
const hasRunuser = spawnSync('runuser', ['--version']).error === undefined;
// In a checkout under a folder only root may enter (CI clones into a 0700 temp folder), nobody cannot even
// read the binary: the test then has nothing to show and is skipped.
const nobodyReadsCli = isRoot && hasRunuser && spawnSync('runuser', ['-u', 'nobody', '--', 'test', '-r', CLI_BIN]).status === 0;
const nobody = (flag: '-u' | '-g'): number => Number(spawnSync('id', [flag, 'nobody'], { encoding: 'utf8' }).stdout.trim());

describe.skipIf(!!process.env.DATABASE_URL || !nobodyReadsCli)('a folder the run cannot write', () => {
  let db: TestDatabase;
  let root: string;
  const dir = (...p: string[]): string => path.join(root, ...p);

  beforeAll(async () => {
    db = await useTestDatabase();
    root = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'claims-not-writable-')));
    await fs.chmod(root, 0o755);
    // nobody owns its home, inbox, archive and quarantine; the outbox is root's (nobody may read it only).
    await fs.mkdir(dir('work', 'outbox'), { recursive: true, mode: 0o755 });
    await fs.chmod(dir('work'), 0o755);
    for (const d of ['home', 'work/inbox', 'work/archive', 'work/quarantine']) {
      await fs.mkdir(dir(d), { mode: 0o700 });
      await fs.chown(dir(d), nobody('-u'), nobody('-g'));
    }
    const era = dir('work', 'inbox', 'era-0331.835');
    await fs.writeFile(era, interchange([{ set: '0001', trace: 'EFT-RO1', payerId: '1000000007', claims: [{ pcn: 'RO-1', lines: [{ code: '99213', chargeCents: 10000, adjustments: [{ group: 'CO', reason: '45', cents: 2000 }] }] }] }]), { mode: 0o600 });
    await fs.chown(era, nobody('-u'), nobody('-g'));
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
    const child = spawn('runuser', ['-u', 'nobody', '--', process.execPath, ...CLAIMS_NODE_FLAGS, CLI_BIN, 'run', dir('p.json'), '--as-of', '2024-03-31', '--json'], {
      cwd: root,
      env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    child.stdin.end();
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
