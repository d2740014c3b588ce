// A write refused inside a stage's own subfolder of the outbox (the outbox itself passed the check before the
// first stage) ends with FOLDER_NOT_WRITABLE naming that folder, never INTERNAL: the statements folder, a
// statement PDF in a writable folder that the process may not overwrite, the submit stage's reports folder,
// and a report file left there by another user.
// Root ignores permissions, so the CLI runs without the capabilities that let it (test/support/permissions.ts),
// like folder-not-writable.int.test.ts: the folders are the process's own, and what it may not write is
// made read-only to its owner. Runs once, in the embedded pass.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/runtime/logger.ts';
import { ingestFile } from '../../src/pipeline/ingest-input.ts';
import { collect, REPO_ROOT, type CliResult } from '../support/cli.ts';
import { permissionsCanApply, spawnCliUnderPermissions } from '../support/permissions.ts';
import { useTestDatabase, type TestDatabase } from '../support/db.ts';
import { interchange, type GenRemittance } from '../remittances/support/generate-835.ts';
import { insertSubmittedClaim, writeTemp } from '../remittances/support/fixtures.ts';
import { syntheticClaim } from '../claims/support/synthetic.ts';


interface Reason { code: string; message: string; location?: { file?: string } }
interface Summary { status: string; exitCode: number; stages: { name: string; status: string; error?: Reason; inputs: { input: string; status: string; reasons: Reason[] }[] }[] }

describe.skipIf(!!process.env.DATABASE_URL || !permissionsCanApply)('a stage subfolder the run cannot write', () => {
  let db: TestDatabase;
  let root: string;
  const dir = (...p: string[]): string => path.join(root, ...p);

  /** A pipeline in its own folder tree: home, inbox, archive, quarantine and outbox, all writable. */
  async function tree(name: string, stages: unknown[]): Promise<string> {
    for (const d of ['home', 'inbox', 'archive', 'quarantine', 'outbox']) await fs.mkdir(dir(name, d), { recursive: true, mode: 0o700 });
    await fs.chmod(dir(name), 0o755);
    const file = dir(name, 'p.json');
    await fs.writeFile(file, JSON.stringify({
      name, folders: { inbox: 'inbox', outbox: 'outbox', archive: 'archive', quarantine: 'quarantine' }, stages,
    }), { mode: 0o644 });
    return file;
  }

  /** A folder (or file) in the outbox that the process may read, not write. */
  async function readOnly(p: string, content?: string): Promise<void> {
    if (content === undefined) await fs.mkdir(p, { recursive: true, mode: 0o500 });
    else await fs.writeFile(p, content, { mode: 0o400 });
  }

  async function runUnderPermissions(name: string, asOf: string, on: TestDatabase = db): Promise<CliResult> {
    const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: on.url, CLAIMS_HOME: dir(name, 'home'), CLAIMS_LOG_FORMAT: 'json', CLAIMS_LOG_LEVEL: 'warn' };
    delete env.CLAIMS_NOW;
    return collect(spawnCliUnderPermissions(['run', dir(name, 'p.json'), '--as-of', asOf, '--json'], { cwd: dir(name), env }), 180_000);
  }

  async function drop(name: string, file: string, text: string): Promise<void> {
    await fs.writeFile(dir(name, 'inbox', file), text, { mode: 0o600 });
  }

  const notWritable = (folder: string): string => `cannot write to the folder ${folder} (EACCES: permission denied): give the user running claims write access to it, or name another folder`;

  /** A database of its own where account RO-G1 owes 20.00 after its 835: a statement to write on 2025-02-10. */
  async function owingDatabase(): Promise<TestDatabase> {
    const owing = await useTestDatabase();
    await insertSubmittedClaim(owing.pool, { pcn: 'RO-1', account: 'RO-G1', payers: ['PAYER-A', null], lines: [{ control: 'RO-1-1', code: '99213', chargeCents: 15000n, date: '2025-01-10' }] });
    const remit: GenRemittance = { set: '0001', trace: 'EFT-RO-ST', payerId: '1111111111', paymentDate: '20250201', claims: [
      { pcn: 'RO-1', lines: [{ code: '99213', chargeCents: 15000, lineControlNumber: 'RO-1-1', adjustments: [{ group: 'CO', reason: '45', cents: 4000 }, { group: 'PR', reason: '3', cents: 2000 }] }] },
    ] };
    const posted = await ingestFile(await writeTemp(root, 'r.835', interchange([remit])), { pool: owing.pool, logger: createLogger({ level: 'silent' }), failpoint: () => undefined, quarantineDir: dir('q') });
    expect(posted.status).toBe('done');
    return owing;
  }

  beforeAll(async () => {
    root = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'claims-subfolder-not-writable-')));
    await fs.chmod(root, 0o755);
    db = await useTestDatabase();
  }, 120_000);
  afterAll(async () => {
    await fs.rm(root, { recursive: true, force: true });
  });

  it('the statements folder: the stage fails with FOLDER_NOT_WRITABLE naming it, exit 1', { timeout: 200_000 }, async () => {
    const current = await owingDatabase();
    await tree('statements', [{ name: 'statements', settings: { singlePdfs: false } }]);
    await readOnly(dir('statements', 'outbox', 'statements'));
    const res = await runUnderPermissions('statements', '2025-02-10', current);
    expect(res.code, res.stderr).toBe(1);
    const summary = JSON.parse(res.stdout) as Summary;
    expect(summary.stages[0]!.error).toMatchObject({ code: 'FOLDER_NOT_WRITABLE', message: notWritable(dir('statements', 'outbox', 'statements')), location: { file: dir('statements', 'outbox', 'statements') } });
  });

  it('a statement PDF that the process may not overwrite: the stage fails with FOLDER_NOT_WRITABLE naming its folder and the file', { timeout: 200_000 }, async () => {
    const current = await owingDatabase();
    await tree('statement-file', [{ name: 'statements', settings: { singlePdfs: true } }]);
    const folder = dir('statement-file', 'outbox', 'statements', 'statements-2025-02-10');
    await fs.mkdir(folder, { recursive: true, mode: 0o700 });
    await readOnly(path.join(folder, 'RO-G1-2025-02-10.pdf'), 'left read-only\n');
    const res = await runUnderPermissions('statement-file', '2025-02-10', current);
    expect(res.code, res.stderr).toBe(1);
    const summary = JSON.parse(res.stdout) as Summary;
    expect(summary.stages[0]!.error).toMatchObject({
      code: 'FOLDER_NOT_WRITABLE',
      message: `cannot write RO-G1-2025-02-10.pdf in the folder ${folder} (EACCES: permission denied): give the user running claims write access to it, or name another folder`,
      location: { file: folder },
    });
  });

  it('the submit stage\'s reports folder: the export fails with FOLDER_NOT_WRITABLE naming it and stays in the inbox', { timeout: 200_000 }, async () => {
    await tree('reports', [{ name: 'submit', settings: { payers: path.join(REPO_ROOT, 'samples', 'payers'), eligibility: false } }]);
    await drop('reports', 'export.ndjson', JSON.stringify(syntheticClaim(1)) + '\n');
    await readOnly(dir('reports', 'outbox', 'reports'));
    const res = await runUnderPermissions('reports', '2024-09-01');
    expect(res.code, res.stderr).toBe(1);
    const summary = JSON.parse(res.stdout) as Summary;
    const input = summary.stages[0]!.inputs[0]!;
    expect([input.input, input.status]).toEqual(['export.ndjson', 'failed']);
    expect(input.reasons).toMatchObject([{ code: 'FOLDER_NOT_WRITABLE', message: notWritable(dir('reports', 'outbox', 'reports')), location: { file: dir('reports', 'outbox', 'reports') } }]);
    expect(await fs.readdir(dir('reports', 'inbox'))).toEqual(['export.ndjson']);
  });

  it('a report file in a writable folder that the process may not overwrite: FOLDER_NOT_WRITABLE naming the folder and the file', { timeout: 200_000 }, async () => {
    await tree('report-file', [{ name: 'submit', settings: { payers: path.join(REPO_ROOT, 'samples', 'payers'), eligibility: false } }]);
    await drop('report-file', 'export2.ndjson', JSON.stringify(syntheticClaim(2)) + '\n');
    const folder = dir('report-file', 'outbox', 'reports', 'export2.ndjson');
    await fs.mkdir(folder, { recursive: true, mode: 0o700 });
    await readOnly(path.join(folder, 'rejections.csv'), 'left read-only\n');
    const res = await runUnderPermissions('report-file', '2024-09-01');
    expect(res.code, res.stderr).toBe(1);
    const summary = JSON.parse(res.stdout) as Summary;
    const input = summary.stages[0]!.inputs[0]!;
    expect(input.reasons).toMatchObject([{
      code: 'FOLDER_NOT_WRITABLE',
      message: `cannot write rejections.csv in the folder ${folder} (EACCES: permission denied): give the user running claims write access to it, or name another folder`,
      location: { file: folder },
    }]);
  });
});
