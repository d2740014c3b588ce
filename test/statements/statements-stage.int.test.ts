// The `statements` stage of `claims run`, as a user runs it (a child process, a pipeline file, a pickup
// folder): a plans file is imported and archived before the run, a bad plans file is quarantined, the
// statements land in OUTBOX/statements with the vendor CSV, and a second run of the same date is a duplicate
// that writes nothing new. Synthetic accounts; figures by hand.
//   G-1: 150.00 = paid 90 + CO 40 + PR 20      G-2: 400.00 = paid 0 + CO 100 + PR 300, plan 300.00 in 3 from 2025-03-01
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.ts';
import { useTestDatabase, type TestDatabase } from '../support/db.ts';
import { createLogger } from '../../src/runtime/logger.ts';
import { ingestFile } from '../../src/pipeline/ingest-input.ts';
import { interchange, type GenRemittance } from '../remittances/support/generate-835.ts';
import { insertSubmittedClaim, writeTemp } from '../remittances/support/fixtures.ts';

let db: TestDatabase;
let root: string;
let pipelineFile: string;
let env: Record<string, string | undefined>;
const work = (...p: string[]): string => path.join(root, 'work', ...p);

beforeAll(async () => {
  db = await useTestDatabase();
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'claims-statements-stage-'));
  await insertSubmittedClaim(db.pool, { pcn: 'T-1', account: 'G-1', payers: ['PAYER-A', null], lines: [{ control: 'T-1-1', code: '99213', chargeCents: 15000n, date: '2025-01-10' }] });
  await insertSubmittedClaim(db.pool, { pcn: 'T-2', account: 'G-2', payers: ['PAYER-A', null], lines: [{ control: 'T-2-1', code: '99215', chargeCents: 40000n, date: '2025-01-12' }] });
  const r: GenRemittance = { set: '0001', trace: 'EFT-STAGE-1', payerId: '1111111111', paymentDate: '20250201', claims: [
    { pcn: 'T-1', lines: [{ code: '99213', chargeCents: 15000, lineControlNumber: 'T-1-1', adjustments: [{ group: 'CO', reason: '45', cents: 4000 }, { group: 'PR', reason: '3', cents: 2000 }] }] },
    { pcn: 'T-2', lines: [{ code: '99215', chargeCents: 40000, lineControlNumber: 'T-2-1', adjustments: [{ group: 'CO', reason: '45', cents: 10000 }, { group: 'PR', reason: '1', cents: 30000 }] }] },
  ] };
  const logger = createLogger({ level: 'silent' });
  const file = await writeTemp(root, 'r.835', interchange([r]));
  const posted = await ingestFile(file, { pool: db.pool, logger, failpoint: () => undefined, quarantineDir: path.join(root, 'q') });
  expect(posted.status, JSON.stringify([posted.reasons, posted.sets.map((s) => s.reasons)])).toBe('done');

  const mailbox = path.join(root, 'mailbox');
  await fs.mkdir(mailbox);
  await fs.writeFile(path.join(mailbox, 'a.plans.csv'), 'account,amount,installments,start,frequency,created_on\nG-2,300.00,3,2025-03-01,monthly,2025-02-05\n');
  await fs.writeFile(path.join(mailbox, 'b.plans.csv'), 'account,amount,installments,start,frequency\nG-404,10.00,1,2025-03-01,monthly\n');
  pipelineFile = path.join(root, 'p.json');
  await fs.writeFile(pipelineFile, JSON.stringify({
    name: 'statements-test',
    folders: { pickup: ['mailbox'], inbox: 'work/inbox', outbox: 'work/outbox', archive: 'work/archive', quarantine: 'work/quarantine' },
    stages: [{ name: 'statements', settings: { singlePdfs: false } }],
  }, null, 2));
  env = { DATABASE_URL: db.url, CLAIMS_LOG_FORMAT: 'json', CLAIMS_LOG_LEVEL: 'warn', CLAIMS_NOW: undefined };
}, 120_000);
afterAll(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

describe('the statements stage', () => {
  it('imports plans, issues the statements of the date, and a rerun is a duplicate', { timeout: 300_000 }, async () => {
    const first = await runCli(['run', pipelineFile, '--as-of', '2025-02-10'], { env, cwd: os.tmpdir(), timeoutMs: 240_000 });
    expect(first.code, first.stderr).toBe(3);
    expect((await fs.readdir(work('archive', '2025-02-10'))).filter((n) => !n.endsWith('.sha256'))).toEqual(['a.plans.csv']);
    const report = JSON.parse(await fs.readFile(work('quarantine', 'b.plans.csv.error.json'), 'utf8')) as { errors: { code: string; location: { line: number } }[] };
    expect(report.errors.map((e) => [e.code, e.location.line])).toEqual([['PLAN_ACCOUNT_UNKNOWN', 2]]);

    const csv = (await fs.readFile(work('outbox', 'statements', 'statements-2025-02-10.csv'), 'utf8')).split('\r\n');
    // G-1 asks for its 20.00; G-2 is on the plan: balance 300.00, the first installment of 100.00 asked for.
    expect(csv.slice(1, 3).map((l) => l.split(',').slice(0, 5).join(','))).toEqual(['G-1-2025-02-10,2025-02-10,statement,1,G-1', 'G-2-2025-02-10,2025-02-10,plan,0,G-2']);
    expect(csv[1]).toContain(',150.00,90.00,40.00,0.00,0.00,20.00,20.00,2025-03-07,');
    expect(csv[2]).toContain(',0.00,300.00,100.00,2025-03-07,300.00,');
    expect(await fs.readdir(work('outbox', 'statements'))).toEqual(['statements-2025-02-10-batch-0001.pdf', 'statements-2025-02-10.csv']);

    const second = await runCli(['run', pipelineFile, '--as-of', '2025-02-10', '--json'], { env, cwd: os.tmpdir(), timeoutMs: 240_000 });
    expect(second.code, second.stderr).toBe(0);
    const record = JSON.parse(second.stdout) as { stages: { name: string; outcomes: Record<string, number> }[] };
    expect(record.stages.find((s) => s.name === 'statements')?.outcomes).toMatchObject({ done: 0, duplicate: 1 });
    expect(await fs.readdir(work('outbox', 'statements'))).toEqual(['statements-2025-02-10-batch-0001.pdf', 'statements-2025-02-10.csv']);
  });
});
