// `claims run` as a user runs it: a child process against the test database, a pipeline file in a
// temporary folder, the built-in ledger-snapshot stage, and ledger entries posted through the ledger API.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postBatch } from '../../src/ledger/post.ts';
import type { PostingBatch } from '../../src/ledger/types.ts';
import { runCli } from '../support/cli.ts';
import { useTestDatabase, type TestDatabase } from '../support/db.ts';

let db: TestDatabase;
let root: string;
let pipelineFile: string;
let env: Record<string, string | undefined>;

/** A claim sent to ACME for $125.00 on Feb 15th, and a payment on Mar 15th (after the as-of date). */
function charge(key: string, effectiveDate: string, cents: bigint): PostingBatch {
  return {
    key,
    entries: [{
      key: `${key}.1`, reason: 'claim.charge', effectiveDate,
      lines: [
        { account: { kind: 'insurance_receivable', payerId: 'ACME' }, amountCents: cents },
        { account: { kind: 'revenue' }, amountCents: -cents },
      ],
    }],
  };
}

const runCount = async (): Promise<number> => (await db.pool.query('SELECT count(*)::int AS n FROM runs')).rows[0].n;

beforeAll(async () => {
  db = await useTestDatabase();
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'claims-run-cli-'));
  await fs.mkdir(path.join(root, 'mailbox'));
  await fs.writeFile(path.join(root, 'mailbox', 'era-0301.835'), 'ISA*synthetic~');
  pipelineFile = path.join(root, 'nightly.json');
  await fs.writeFile(pipelineFile, JSON.stringify({
    name: 'cli-test',
    folders: { pickup: ['mailbox'], inbox: 'work/inbox', outbox: 'work/outbox', archive: 'work/archive', quarantine: 'work/quarantine' },
    stages: [{ name: 'ledger-snapshot' }],
  }, null, 2));
  env = { DATABASE_URL: db.url, CLAIMS_LOG_FORMAT: 'json', CLAIMS_LOG_LEVEL: 'info', CLAIMS_NOW: undefined };
  await postBatch(db, charge('test.charge.1', '2024-02-15', 12500n));
  await postBatch(db, charge('test.charge.2', '2024-03-15', 4000n));
});
afterAll(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

describe('claims run', () => {
  it('runs the stages, writes the run record and the snapshot, prints the summary; a rerun is a no-op', async () => {
    const first = await runCli(['run', pipelineFile, '--as-of', '2024-03-01'], { env, cwd: os.tmpdir() });
    expect(first.stderr).not.toMatch(/"level":50/);
    expect(first.code).toBe(0);
    expect(first.stdout).toBe([
      'Run 1 of cli-test, as of 2024-03-01: done',
      'Picked up 1 new file (0 picked up before)',
      '',
      'stage            status  done  duplicate  quarantined  failed  skipped',
      'ledger-snapshot  done       1          0            0       0        0',
      '',
      'Left in the inbox: 1 (era-0301.835)',
      '',
      'Exit 0',
      '',
      // Where the outputs are, relative to the working directory the command ran in.
      'Where to look (files so far):',
      `  ${path.relative(os.tmpdir(), path.join(root, 'work', 'outbox'))}  1  trial balances, one per business date`,
      '',
    ].join('\n'));
    const snapshotFile = path.join(root, 'work', 'outbox', 'trial-balance-2024-03-01.json');
    // Only the Feb 15th charge is effective by Mar 1st.
    expect(JSON.parse(await fs.readFile(snapshotFile, 'utf8'))).toEqual({
      asOf: '2024-03-01',
      // No practice registered: every account is in the books of 'default'.
      accounts: [
        { practiceId: 'default', kind: 'insurance_receivable', payerId: 'ACME', patientId: null, balanceCents: 12500 },
        { practiceId: 'default', kind: 'revenue', payerId: null, patientId: null, balanceCents: -12500 },
      ],
      practices: [{ practiceId: 'default', totalCents: 0 }],
      totalCents: 0,
    });
    expect((await fs.stat(snapshotFile)).mode & 0o777).toBe(0o600);
    const row = await db.pool.query("SELECT id::text, pipeline_name, as_of::text, status, totals FROM runs");
    expect(row.rows).toEqual([{
      id: '1', pipeline_name: 'cli-test', as_of: '2024-03-01', status: 'done',
      totals: { done: 1, duplicate: 0, quarantined: 0, failed: 0, skipped: 0, pickedUp: 1 },
    }]);

    const again = await runCli(['run', pipelineFile, '--as-of', '2024-03-01', '--json'], { env, cwd: root });
    expect(again.code).toBe(0);
    const summary = JSON.parse(again.stdout);
    expect(summary).toEqual({
      runId: '2', pipeline: 'cli-test', asOf: '2024-03-01', status: 'done', exitCode: 0,
      pickup: { copied: [], alreadyPickedUp: 1 },
      stages: [{
        name: 'ledger-snapshot', status: 'done',
        outcomes: { done: 0, duplicate: 1, quarantined: 0, failed: 0, skipped: 0 },
        counts: { accounts: 2 },
        inputs: [{ input: 'trial-balance-2024-03-01.json', status: 'duplicate', detail: { outboxFile: 'trial-balance-2024-03-01.json', totalCents: 0 } }],
      }],
      leftInInbox: ['era-0301.835'],
      abandonedRuns: [],
    });
    // The mailbox is never changed.
    expect(await fs.readdir(path.join(root, 'mailbox'))).toEqual(['era-0301.835']);
  });

  it('takes "today" from CLAIMS_NOW when --as-of is not given', async () => {
    const r = await runCli(['run', pipelineFile, '--json'], { env: { ...env, CLAIMS_NOW: '2024-03-20T08:00:00Z' } });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ asOf: '2024-03-20' });
    const snapshot = JSON.parse(await fs.readFile(path.join(root, 'work', 'outbox', 'trial-balance-2024-03-20.json'), 'utf8'));
    expect(snapshot.accounts.map((a: { balanceCents: number }) => a.balanceCents)).toEqual([16500, -16500]);
  });

  it('exits 2 on a broken pipeline file, naming every problem, without starting a run', async () => {
    const before = await runCount();
    const broken = path.join(root, 'broken.json');
    await fs.writeFile(broken, JSON.stringify({ name: 'Broken!', folders: { inbox: 'in' }, stages: [{ name: 'ledger-snapshot', settings: { zero: true } }] }));
    const r = await runCli(['run', broken], { env });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    const lines = r.stderr.split('\n').filter((l) => l.startsWith('  '));
    expect(lines).toEqual([
      `  ${broken}, field $.name: lower-case letters, digits, ".", "_" and "-", starting with a letter or digit`,
      `  ${broken}, field $.folders.outbox: Invalid input: expected string, received undefined`,
      `  ${broken}, field $.folders.archive: Invalid input: expected string, received undefined`,
      `  ${broken}, field $.folders.quarantine: Invalid input: expected string, received undefined`,
      `  ${broken}, field $.stages[0].settings.zero: unknown field`,
    ]);
    expect(await runCount()).toBe(before);
    const missing = await runCli(['run', path.join(root, 'nope.json')], { env });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('PIPELINE_NOT_FOUND');
  });

  it('exits 1 when a stage fails, and records the failure', async () => {
    // A directory where the snapshot file should go: the stage cannot write it.
    await fs.mkdir(path.join(root, 'work', 'outbox', 'trial-balance-2024-04-01.json'), { recursive: true });
    const r = await runCli(['run', pipelineFile, '--as-of', '2024-04-01'], { env });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^Run \d+ of cli-test, as of 2024-04-01: FAILED\n/);
    expect(r.stdout).toMatch(/\nStage ledger-snapshot failed: INTERNAL: EISDIR/);
    const row = await db.pool.query("SELECT r.status AS run, s.status AS stage FROM runs r JOIN run_stages s ON s.run_id = r.id WHERE r.as_of = '2024-04-01'");
    expect(row.rows).toEqual([{ run: 'failed', stage: 'failed' }]);
  });

  it('exits 2 on bad arguments', async () => {
    const r = await runCli(['run', pipelineFile, '--as-of', '2024-13-01'], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--as-of expects a date as YYYY-MM-DD, got 2024-13-01');
  });

  it('a pipeline for one practice records it on the run; an unregistered practice stops before any run', async () => {
    const file = path.join(root, 'beta-nightly.json');
    const definition = {
      name: 'cli-test-beta', practice: 'beta',
      folders: { inbox: 'beta/inbox', outbox: 'beta/outbox', archive: 'beta/archive', quarantine: 'beta/quarantine' },
      stages: [{ name: 'ledger-snapshot' }],
    };
    await fs.writeFile(file, JSON.stringify(definition));
    const before = await runCount();
    const unknown = await runCli(['run', file, '--as-of', '2024-03-01'], { env });
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toContain('PRACTICE_UNKNOWN');
    expect(unknown.stderr).toContain('practice "beta" is not registered');
    expect(await runCount()).toBe(before);

    await db.pool.query("INSERT INTO practices (id, name, tax_id, npis) VALUES ('beta', 'Beta Pediatrics', '861234567', '{1567890128}')");
    const r = await runCli(['run', file, '--as-of', '2024-03-01', '--json'], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ pipeline: 'cli-test-beta', practiceId: 'beta', status: 'done' });
    const text = await runCli(['run', file, '--as-of', '2024-03-02'], { env });
    expect(text.stdout.split('\n')[0]).toMatch(/^Run \d+ of cli-test-beta for practice beta, as of 2024-03-02: done$/);
    const rows = await db.pool.query("SELECT as_of::text, practice_id FROM runs WHERE pipeline_name = 'cli-test-beta' ORDER BY id");
    expect(rows.rows).toEqual([{ as_of: '2024-03-01', practice_id: 'beta' }, { as_of: '2024-03-02', practice_id: 'beta' }]);
    const office = await db.pool.query("SELECT DISTINCT practice_id FROM runs WHERE pipeline_name = 'cli-test'");
    expect(office.rows).toEqual([{ practice_id: null }]);
  });
});
