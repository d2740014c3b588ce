// A lost database and a full disk under real commands: the command ends with exit 1 and one line naming
// what failed (DATABASE_UNREACHABLE, DISK_FULL), never node's "Unhandled 'error' event" and a stack, and a
// rerun completes exactly once. The database is killed on a server of the test's own (its own CLAIMS_HOME),
// never the shared test server; the command is held still at a failpoint (NAME:stop, SIGSTOP) while its
// server dies, so the connection is lost at a known point: inside a remittance's transaction, with the run
// lock's session open. Embedded pass only (they kill servers).
import { readFileSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect, runCli, spawnCli, type CliResult } from '../support/cli.ts';
import { useTestDatabase, type TestDatabase } from '../support/db.ts';
import { interchange, type GenRemittance } from '../remittances/support/generate-835.ts';
import { syntheticClaim } from '../claims/support/synthetic.ts';
import { alive, processState, waitFor } from '../support/processes.ts';

const CHILD_TIMEOUT_MS = 150_000;
const TEST_TIMEOUT_MS = 4 * CHILD_TIMEOUT_MS;
const embeddedOnly = !!process.env.DATABASE_URL;

const said = (r: CliResult): string => `exit ${r.code} signal ${r.signal}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`;


/** The failure is one line of ours with its code and exit 1: no unhandled event, no stack. */
function expectCleanFailure(r: CliResult, command: string, code: string): void {
  const all = r.stdout + r.stderr;
  expect(all, said(r)).not.toContain("Unhandled 'error' event");
  expect(all, said(r)).not.toMatch(/^\s+at .*:\d+:\d+\)?$/m);
  expect(r.code, said(r)).toBe(1);
  expect(r.stderr, said(r)).toMatch(new RegExp(`^claims ${command}: ${code}: `, 'm'));
}

/** One claim, one line, a contractual adjustment: charge 101.00 + n, paid 81.00 + n. */
const remit = (n: number): GenRemittance => ({
  set: String(n).padStart(4, '0'), trace: `EFT-L${n}`, payerId: '1000000009',
  claims: [{ pcn: `L-${n}`, lines: [{ code: '99213', chargeCents: 10000 + 100 * n, adjustments: [{ group: 'CO', reason: '45', cents: 2000 }] }] }],
});

describe.skipIf(embeddedOnly)('the database server killed under claims ingest', () => {
  let dir: string;
  let home: string;
  let file: string;
  const env = (extra: Record<string, string> = {}): Record<string, string | undefined> => ({
    CLAIMS_HOME: home, DATABASE_URL: undefined, CLAIMS_LOG_LEVEL: 'error', ...extra,
  });
  const postmasterPid = (): number => Number(readFileSync(path.join(home, 'pg', 'data', 'postmaster.pid'), 'utf8').split('\n')[0]);
  const ingest = (extra: Record<string, string> = {}) => spawnCli(['ingest', '--quarantine', path.join(dir, 'q'), file], { env: env(extra), input: '' });

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'claims-lost-db-'));
    await chmod(dir, 0o755); // the server's own user must reach its cluster under HOME
    home = path.join(dir, 'home');
    file = path.join(dir, 'remit.835');
    await writeFile(file, interchange([remit(1), remit(2), remit(3)]));
  });

  afterAll(async () => {
    // A failed test must not leave its server behind.
    try {
      process.kill(postmasterPid(), 'SIGQUIT');
    } catch {
      /* not running */
    }
    await rm(dir, { recursive: true, force: true });
  });

  it('DATABASE_UNREACHABLE and exit 1, then the rerun posts every remittance once', { timeout: TEST_TIMEOUT_MS }, async () => {
    // Stopped inside the second remittance's transaction, after its COPY, before its commit.
    const child = ingest({ CLAIMS_FAILPOINT: 'remit.after_copy#2:stop' });
    const finished = collect(child, CHILD_TIMEOUT_MS);
    await waitFor('the ingest to stop at its failpoint', () => processState(child.pid!) === 'T' || child.exitCode !== null, CHILD_TIMEOUT_MS);
    expect(child.exitCode).toBeNull();
    const server = postmasterPid();
    process.kill(server, 'SIGKILL');
    await waitFor('the server to die', () => !alive(server), 10_000);
    child.kill('SIGCONT');
    expectCleanFailure(await finished, 'ingest', 'DATABASE_UNREACHABLE');

    // The next command starts the server again; the rerun posts what was not committed, and only that.
    const rerun = await collect(ingest(), CHILD_TIMEOUT_MS);
    expect(rerun.code, said(rerun)).toBe(0);
    const tb = await runCli(['ledger', 'balances', '--json'], { env: env(), timeoutMs: CHILD_TIMEOUT_MS });
    expect(tb.code, said(tb)).toBe(0);
    const { accounts, totalCents } = JSON.parse(tb.stdout) as { accounts: unknown[]; totalCents: number };
    // Charges 101.00 + 102.00 + 103.00; paid 81.00 + 82.00 + 83.00; contractual 3 x 20.00. The claims
    // are not ours, so the payer is known only by its TRN03.
    expect({ accounts, totalCents }).toEqual({
      accounts: [
        { practiceId: 'default', kind: 'payer_clearing', payerId: '835:1000000009', patientId: null, balanceCents: 24600 },
        { practiceId: 'default', kind: 'insurance_receivable', payerId: '835:1000000009', patientId: null, balanceCents: 0 },
        { practiceId: 'default', kind: 'revenue', payerId: null, patientId: null, balanceCents: -30600 },
        { practiceId: 'default', kind: 'contractual_adjustment', payerId: '835:1000000009', patientId: null, balanceCents: 6000 },
      ],
      totalCents: 0,
    });
    const again = await collect(ingest(), CHILD_TIMEOUT_MS);
    expect(again.stdout, said(again)).toContain('remit.835: duplicate (posted 0, duplicate 3, quarantined 0)');
  });
});

describe.skipIf(embeddedOnly)('the database server killed under claims run', () => {
  let dir: string;
  let home: string;
  let pipelineFile: string;
  const env = (extra: Record<string, string> = {}): Record<string, string | undefined> => ({
    CLAIMS_HOME: home, DATABASE_URL: undefined, CLAIMS_LOG_LEVEL: 'error', ...extra,
  });
  const postmasterPid = (): number => Number(readFileSync(path.join(home, 'pg', 'data', 'postmaster.pid'), 'utf8').split('\n')[0]);
  const run = (extra: Record<string, string> = {}) => spawnCli(['run', pipelineFile, '--as-of', '2024-03-31'], { env: env(extra), input: '' });

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'claims-lost-db-run-'));
    await chmod(dir, 0o755);
    home = path.join(dir, 'home');
    await mkdir(path.join(dir, 'work', 'inbox'), { recursive: true, mode: 0o700 });
    await writeFile(path.join(dir, 'work', 'inbox', 'remit.835'), interchange([remit(1), remit(2), remit(3)]));
    pipelineFile = path.join(dir, 'nightly.json');
    await writeFile(pipelineFile, JSON.stringify({
      name: 'lost-db',
      folders: { inbox: 'work/inbox', outbox: 'work/outbox', archive: 'work/archive', quarantine: 'work/quarantine' },
      stages: [{ name: 'ingest' }],
    }));
  });

  afterAll(async () => {
    try {
      process.kill(postmasterPid(), 'SIGQUIT');
    } catch {
      /* not running */
    }
    await rm(dir, { recursive: true, force: true });
  });

  it('DATABASE_UNREACHABLE and exit 1; the next run records that run failed with that error and posts every remittance once', { timeout: TEST_TIMEOUT_MS }, async () => {
    // The run holds its lock's session for the whole run, and the remittance its transaction.
    const child = run({ CLAIMS_FAILPOINT: 'remit.after_copy#2:stop' });
    const finished = collect(child, CHILD_TIMEOUT_MS);
    await waitFor('the run to stop at its failpoint', () => processState(child.pid!) === 'T' || child.exitCode !== null, CHILD_TIMEOUT_MS);
    expect(child.exitCode).toBeNull();
    const server = postmasterPid();
    process.kill(server, 'SIGKILL');
    await waitFor('the server to die', () => !alive(server), 10_000);
    child.kill('SIGCONT');
    expectCleanFailure(await finished, 'run', 'DATABASE_UNREACHABLE');
    // Nothing moved: the file waits in the inbox for the next run, beside the note the run left for it.
    const left = (await readdir(path.join(dir, 'work', 'inbox'))).sort();
    expect(left).toHaveLength(2);
    expect(left[0]).toMatch(/^\.run-\d+\.failed\.json$/);
    expect(left[1]).toBe('remit.835');
    const note = JSON.parse(await readFile(path.join(dir, 'work', 'inbox', left[0]!), 'utf8')) as { error: { code: string } };
    expect(note.error.code).toBe('DATABASE_UNREACHABLE');

    const rerun = await collect(run(), CHILD_TIMEOUT_MS);
    expect(rerun.code, said(rerun)).toBe(0);
    expect(rerun.stdout, said(rerun)).toMatch(/^Run \d+ of lost-db, as of 2024-03-31: done$/m);
    expect(rerun.stdout, said(rerun)).toMatch(/^Earlier runs that lost the database, recorded failed: \d+$/m);
    expect(rerun.stdout, said(rerun)).not.toContain('marked abandoned');
    // The note was read and removed (the inbox is empty, hidden files included).
    expect(await readdir(path.join(dir, 'work', 'inbox'))).toEqual([]);
    const tb = await runCli(['ledger', 'balances', '--json'], { env: env(), timeoutMs: CHILD_TIMEOUT_MS });
    expect(JSON.parse(tb.stdout).totalCents).toBe(0);
    // Charges 101.00 + 102.00 + 103.00, each once.
    expect(JSON.parse(tb.stdout).accounts.find((a: { kind: string }) => a.kind === 'revenue').balanceCents).toBe(-30600);
  });
});

describe.skipIf(embeddedOnly)('a full disk under claims submit', () => {
  let db: TestDatabase;
  let dir: string;
  let exportFile: string;
  const payers = fileURLToPath(new URL('../../samples/payers/', import.meta.url));

  beforeAll(async () => {
    db = await useTestDatabase();
    dir = await mkdtemp(path.join(tmpdir(), 'claims-disk-full-'));
    exportFile = path.join(dir, 'export.ndjson');
    const claims = [0, 1, 2].map((i) => syntheticClaim(i, { payers: ['ACME'], institutionalEvery: 0, secondaryEvery: 0 }));
    await writeFile(exportFile, claims.map((c) => JSON.stringify(c)).join('\n') + '\n');
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const submit = (out: string) => runCli(['submit', exportFile, '--payers', payers, '--out', out, '--as-of', '2024-09-01', '--no-eligibility'], {
    env: { DATABASE_URL: db.url, CLAIMS_LOG_LEVEL: 'error', CLAIMS_HOME: path.join(dir, 'home') },
    timeoutMs: CHILD_TIMEOUT_MS,
  });

  async function claimsInOutbox(out: string): Promise<string[]> {
    const found: string[] = [];
    for (const name of (await readdir(out)).filter((n) => n.startsWith('837-'))) {
      for (const m of (await readFile(path.join(out, name), 'latin1')).matchAll(/(?:^|~)\s*CLM\*([^*]+)\*/g)) found.push(m[1]!);
    }
    return found.sort();
  }

  it('the 837 on a full disk: DISK_FULL naming the file, nothing sent; the rerun sends each claim once', { timeout: TEST_TIMEOUT_MS }, async () => {
    const out = path.join(dir, 'out');
    // The payer's first interchange on a new database is ISA13 1; its part file is where the disk is full.
    await mkdir(path.join(out, '.partial'), { recursive: true });
    await symlink('/dev/full', path.join(out, '.partial', '837-ACME-000000001.x12.joined'));
    const full = await submit(out);
    expectCleanFailure(full, 'submit', 'DISK_FULL');
    expect(full.stderr).toContain('837-ACME-000000001.x12.joined');
    expect(await claimsInOutbox(out)).toEqual([]);
    const sent = await db.pool.query(`SELECT count(*)::int AS n FROM claims WHERE status = 'submitted'`);
    expect(sent.rows[0].n).toBe(0);

    const rerun = await submit(out);
    expect(rerun.code, said(rerun)).toBe(0);
    expect(await claimsInOutbox(out)).toEqual(['PCN000000000', 'PCN000000001', 'PCN000000002']);
    // Charges 50.00 + (50.37 + 61.48) + (50.74 + 61.85 + 72.96), posted once.
    const tb = await runCli(['ledger', 'balances', '--json'], { env: { DATABASE_URL: db.url, CLAIMS_LOG_LEVEL: 'error' }, timeoutMs: CHILD_TIMEOUT_MS });
    expect(JSON.parse(tb.stdout).accounts).toEqual([
      { practiceId: 'default', kind: 'insurance_receivable', payerId: 'ACME', patientId: null, balanceCents: 34740 },
      { practiceId: 'default', kind: 'revenue', payerId: null, patientId: null, balanceCents: -34740 },
    ]);
    const again = await submit(out);
    expect(again.stdout, said(again)).toContain('already sent 3');
  });
});
