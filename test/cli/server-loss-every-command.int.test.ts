// The database server killed under every command that opens the database: each ends with exit 1 and one
// line `claims COMMAND: DATABASE_UNREACHABLE: ...`, never node's "Unhandled 'error' event" and a stack.
// Every command is held right after it connected and migrated (failpoint db.opened, NAME:stop), a few also
// in the middle of their work (a ledger COPY, a submit holding its outbox lock's session); all of them at
// once, so one kill of one server covers them all. The server is the test's own (its own CLAIMS_HOME, never
// the shared test server), kept up by a lease of this process and started again by a new lease after the
// kill; the interrupted work then completes exactly once. Embedded pass only.
// test/cli/system-failures.int.test.ts has the same for an 835 ingest and a run held mid-transaction.
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect, runCli, spawnCli, type CliResult } from '../support/cli.ts';
import { interchange, type GenRemittance } from '../remittances/support/generate-835.ts';
import { syntheticClaim } from '../claims/support/synthetic.ts';
import { acquireEmbeddedServer, type EmbeddedServer } from '../../src/runtime/embedded-server.ts';
import { openDatabase } from '../../src/runtime/database.ts';
import { createLogger } from '../../src/runtime/logger.ts';
import { alive, processState, waitFor } from '../support/processes.ts';

// Generous: 27 commands start at once, and a loaded 2-core machine takes minutes for what an idle one does in
// seconds. Waiting for them to stop gives up before collect() kills them, so the message names the laggards.
const CHILD_TIMEOUT_MS = 300_000;
const STOP_TIMEOUT_MS = 240_000;
const TEST_TIMEOUT_MS = 2 * CHILD_TIMEOUT_MS;
const embeddedOnly = !!process.env.DATABASE_URL;
const SAMPLES = fileURLToPath(new URL('../../samples/', import.meta.url));

const said = (r: CliResult): string => `exit ${r.code} signal ${r.signal}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`;


/** The failure is one line of ours with its code and exit 1: no unhandled event, no stack. */
function expectCleanFailure(r: CliResult, command: string): void {
  const all = r.stdout + r.stderr;
  expect(all, said(r)).not.toContain("Unhandled 'error' event");
  expect(all, said(r)).not.toMatch(/^\s+at .*:\d+:\d+\)?$/m);
  expect(r.code, said(r)).toBe(1);
  expect(r.stderr, said(r)).toMatch(new RegExp(`^claims ${command}: DATABASE_UNREACHABLE: `, 'm'));
}

const remit: GenRemittance = {
  set: '0001', trace: 'EFT-K1', payerId: '1000000009',
  claims: [{ pcn: 'K-1', lines: [{ code: '99213', chargeCents: 10100, adjustments: [{ group: 'CO', reason: '45', cents: 2000 }] }] }],
};

// Accounts of its own: submit's charges (ACME receivable, revenue) must not wait on the COPY held mid-way.
const batch = {
  key: 'manual:server-loss-1',
  entries: [
    { key: 'pay:K1', reason: 'remit.payment', effectiveDate: '2024-03-20', lines: [
      { account: { kind: 'payer_clearing', payerId: 'KILLED' }, amountCents: '9000', claimId: 'K1' },
      { account: { kind: 'contractual_adjustment' }, amountCents: '6000', reason: 'CO-45', claimId: 'K1' },
      { account: { kind: 'insurance_receivable', payerId: 'KILLED' }, amountCents: '-15000', claimId: 'K1' },
    ] },
    { key: 'pr:K1', reason: 'remit.patient-responsibility', effectiveDate: '2024-03-20', lines: [
      { account: { kind: 'patient_receivable', patientId: 'G-K1' }, amountCents: '2000', reason: 'PR-1', claimId: 'K1' },
      { account: { kind: 'contractual_adjustment' }, amountCents: '-2000', claimId: 'K1' },
    ] },
  ],
};

interface Case {
  /** The command's name, as its error line starts: `claims NAME: ...`. */
  command: string;
  /** Its arguments (paths under the test's folder, made in beforeAll). */
  args: () => string[];
  /** Where it is held while the server dies (default db.opened: connected and migrated, nothing done yet). */
  failpoint?: string;
}

describe.skipIf(embeddedOnly)('the database server killed under every command that opens it', () => {
  let dir = ''; // made in beforeAll; the test titles name only the files
  let home: string;
  let server: EmbeddedServer | undefined;
  const at = (...p: string[]): string => path.join(dir, ...p);
  const log = createLogger({ level: 'warn', pretty: false });
  const env = (extra: Record<string, string> = {}): Record<string, string | undefined> => ({
    CLAIMS_HOME: home, DATABASE_URL: undefined, CLAIMS_PG_PORT: undefined, CLAIMS_LOG_LEVEL: 'error', CLAIMS_NOW: '2024-04-01', ...extra,
  });
  const postmasterPid = (): number => Number(readFileSync(path.join(home, 'pg', 'data', 'postmaster.pid'), 'utf8').split('\n')[0]);
  /** This process's lease keeps the server up between commands (the last process out stops it). */
  const lease = () => acquireEmbeddedServer({ home, logger: log, settings: { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off' } });

  const submitArgs = (out: string): string[] => ['submit', at('export.ndjson'), '--payers', path.join(SAMPLES, 'payers'), '--out', out, '--as-of', '2024-09-01', '--no-eligibility'];
  const held: Case[] = [
    { command: 'run', args: () => ['run', at('nightly.json'), '--as-of', '2024-03-31'] },
    { command: 'db', args: () => ['db', 'migrate'] },
    { command: 'db', args: () => ['db', 'status'] },
    { command: 'ingest', args: () => ['ingest', '--quarantine', at('q'), at('remit.835')] },
    { command: 'report', args: () => ['report', 'remittances'] },
    { command: 'report', args: () => ['report', 'unmatched'] },
    { command: 'report', args: () => ['report', 'eligibility'] },
    { command: 'submit', args: () => submitArgs(at('out-held')) },
    { command: 'eligibility', args: () => ['eligibility', 'W100200300'] },
    { command: 'eligibility-requests', args: () => ['eligibility-requests', path.join(SAMPLES, 'appointments', 'upcoming.ndjson'), '--out', at('270'), '--payers', path.join(SAMPLES, 'payers')] },
    { command: 'statements', args: () => ['statements', '--as-of', '2024-04-01', '--out', at('statements')] },
    { command: 'account', args: () => ['account', 'A00000001'] },
    { command: 'account', args: () => ['account', 'A00000001', 'refund', '--amount', '1.00', '--reference', 'R-1'] },
    { command: 'account', args: () => ['account', 'A00000001', 'dispute', '--reason', 'billed twice'] },
    { command: 'account', args: () => ['account', 'A00000001', 'resolve', '--reason', 'explained'] },
    { command: 'account', args: () => ['account', 'A00000001', 'flag', 'deceased'] },
    { command: 'plans', args: () => ['plans', 'add', 'A00000001', '--amount', '300.00', '--installments', '3', '--start', '2024-05-01'] },
    { command: 'plans', args: () => ['plans', 'import', path.join(SAMPLES, 'plans', 'agreed-2024-03-12.plans.csv')] },
    { command: 'plans', args: () => ['plans', 'cancel', 'A00000001'] },
    { command: 'ledger', args: () => ['ledger', 'balances'] },
    { command: 'ledger', args: () => ['ledger', 'post', at('batch.json')] },
    { command: 'referrals', args: () => ['referrals', '--as-of', '2024-04-01', '--out', at('referrals')] },
    { command: 'referrals', args: () => ['referrals', 'recall', 'A00000001', '--reason', 'paying the practice directly'] },
    { command: 'referrals', args: () => ['referrals', 'returns', path.join(SAMPLES, 'agencies', 'returns-example.csv')] },
    { command: 'audit', args: () => ['audit', '--account', 'A00000001'] },
    { command: 'practices', args: () => ['practices'] },
    { command: 'practices', args: () => ['practices', 'register', at('practices.json')] },
    { command: 'payer-refund', args: () => ['payer-refund', '--payer', 'ACME', '--claim', '1', '--amount', '1.00', '--reference', 'R-1'] },
  ];
  const midLedgerCopy: Case = { command: 'ledger', args: () => ['ledger', 'post', at('batch.json')], failpoint: 'ledger.post.mid-copy:stop' };
  const midSubmit: Case = { command: 'submit', args: () => submitArgs(at('out-mid')), failpoint: 'claims.files.before-complete:stop' };
  const results = new Map<Case, CliResult>();
  const children: ChildProcessWithoutNullStreams[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'claims-lost-db-every-'));
    await chmod(dir, 0o755); // the server's own user must reach its cluster under HOME
    home = at('home');
    await writeFile(at('remit.835'), interchange([remit]));
    await writeFile(at('batch.json'), JSON.stringify(batch));
    await writeFile(at('practices.json'), JSON.stringify({ practices: [{ id: 'lakeside', name: 'Lakeside Clinic', npis: ['1567890128'] }] }));
    const claims = [0, 1, 2].map((i) => syntheticClaim(i, { payers: ['ACME'], institutionalEvery: 0, secondaryEvery: 0 }));
    await writeFile(at('export.ndjson'), claims.map((c) => JSON.stringify(c)).join('\n') + '\n');
    await mkdir(at('work', 'inbox'), { recursive: true, mode: 0o700 });
    await writeFile(at('work', 'inbox', 'remit.835'), interchange([remit]));
    await writeFile(at('nightly.json'), JSON.stringify({
      name: 'lost-db-every',
      folders: { inbox: 'work/inbox', outbox: 'work/outbox', archive: 'work/archive', quarantine: 'work/quarantine' },
      stages: [{ name: 'ingest' }],
    }));

    // The cluster and its schema first, so the commands below only check the migrations.
    server = await lease();
    const db = await openDatabase({ embedded: true, home, migrate: true, logger: log });
    await db.close();

    // Every command at once, each stopped at its failpoint; then the server dies under all of them.
    const cases = [...held, midLedgerCopy, midSubmit];
    children.push(...cases.map((c) => spawnCli(c.args(), { env: env({ CLAIMS_FAILPOINT: c.failpoint ?? 'db.opened:stop' }), input: '' })));
    const finished = children.map((child) => collect(child, CHILD_TIMEOUT_MS));
    const stopped = (c: ChildProcessWithoutNullStreams): boolean => processState(c.pid!) === 'T' || c.exitCode !== null || c.signalCode !== null;
    try {
      await waitFor('every command to stop at its failpoint', () => children.every(stopped), STOP_TIMEOUT_MS);
    } catch (err) {
      const running = cases.filter((_, i) => !stopped(children[i]!)).map((c) => c.args().join(' '));
      for (const child of children) child.kill('SIGKILL');
      throw new Error(`${(err as Error).message}: still running ${running.join('; ')}`, { cause: err });
    }
    const pid = postmasterPid();
    process.kill(pid, 'SIGKILL');
    await waitFor('the server to die', () => !alive(pid), 10_000);
    for (const child of children) child.kill('SIGCONT');
    (await Promise.all(finished)).forEach((r, i) => results.set(cases[i]!, r));

    // Up again for the reruns: a new lease starts it; the old one, of the killed server, is let go.
    const before = server;
    server = await lease();
    await before.release();
  }, TEST_TIMEOUT_MS);

  afterAll(async () => {
    // Stopped commands would outlive a failed test.
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    // The lease's release stops the server; a failed test must not leave it behind either way.
    await server?.release().catch(() => undefined);
    try {
      process.kill(postmasterPid(), 'SIGQUIT');
    } catch {
      /* not running */
    }
    await rm(dir, { recursive: true, force: true });
  });

  it('covers every command module that opens the database', async () => {
    const folder = fileURLToPath(new URL('../../src/cli/commands/', import.meta.url));
    const opening: string[] = [];
    for (const file of (await readdir(folder)).filter((f) => f.endsWith('.ts'))) {
      const text = await readFile(path.join(folder, file), 'utf8');
      if (!text.includes('openDatabase(')) continue;
      opening.push(...[...text.matchAll(/: Command = \{\s+name: '([a-z-]+)'/g)].map((m) => m[1]!));
    }
    expect(opening.length).toBeGreaterThan(10);
    expect([...new Set(held.map((c) => c.command))].sort()).toEqual([...new Set(opening)].sort());
  });

  it.each(held.map((c) => [c.args().map((a) => (a.includes('/') ? path.basename(a) : a)).join(' '), c] as const))('claims %s held after connecting: DATABASE_UNREACHABLE, exit 1, no stack', (_title, c) => {
    expectCleanFailure(results.get(c)!, c.command);
  });

  it('claims ledger post killed mid-COPY: the clean failure, and the rerun posts the batch once', { timeout: TEST_TIMEOUT_MS }, async () => {
    expectCleanFailure(results.get(midLedgerCopy)!, 'ledger');
    const rerun = await runCli(midLedgerCopy.args(), { env: env(), timeoutMs: CHILD_TIMEOUT_MS });
    expect([rerun.code, rerun.stdout], said(rerun)).toEqual([0, 'posted batch manual:server-loss-1: 2 entries, 5 lines\n']);
  });

  it('claims submit killed holding its outbox lock: the clean failure, and the rerun sends each claim once', { timeout: TEST_TIMEOUT_MS }, async () => {
    expectCleanFailure(results.get(midSubmit)!, 'submit');
    const rerun = await runCli(midSubmit.args(), { env: env(), timeoutMs: CHILD_TIMEOUT_MS });
    expect(rerun.code, said(rerun)).toBe(0);
    const out = at('out-mid');
    const found: string[] = [];
    for (const name of (await readdir(out)).filter((n) => n.startsWith('837-'))) {
      for (const m of (await readFile(path.join(out, name), 'latin1')).matchAll(/(?:^|~)\s*CLM\*([^*]+)\*/g)) found.push(m[1]!);
    }
    expect(found.sort()).toEqual(['PCN000000000', 'PCN000000001', 'PCN000000002']);
    // Charges 50.00 + (50.37 + 61.48) + (50.74 + 61.85 + 72.96), posted once (the killed run had committed them).
    const tb = await runCli(['ledger', 'balances', '--json'], { env: env(), timeoutMs: CHILD_TIMEOUT_MS });
    expect(tb.code, said(tb)).toBe(0);
    const { accounts } = JSON.parse(tb.stdout) as { accounts: { kind: string; payerId: string | null; balanceCents: number }[] };
    expect(accounts.find((a) => a.kind === 'insurance_receivable' && a.payerId === 'ACME')?.balanceCents).toBe(34740);
  });
});
