// `--json` on the commands that need a database, through the binary against the test database, on the
// samples: each prints one JSON document on stdout (nothing else there), with the exit code it has without
// --json, and every amount in it as integer cents in a ...Cents field.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase, type TestDatabase } from '../support/db.ts';
import { REPO_ROOT, runCli } from '../support/cli.ts';
import { moneyConventionProblems } from '../support/json-money.ts';

let db: TestDatabase;
let dir: string;
let env: Record<string, string>;
beforeAll(async () => {
  db = await useTestDatabase();
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'cli-json-int-'));
  env = { DATABASE_URL: db.url, CLAIMS_HOME: path.join(dir, 'home'), CLAIMS_LOG_LEVEL: 'warn', CLAIMS_NOW: '2024-03-30T12:00:00Z' };
});
afterAll(async () => {
  await db?.close();
  if (dir) await fs.rm(dir, { recursive: true, force: true });
});

const sample = (p: string): string => path.join(REPO_ROOT, 'samples', p);
// Many child processes, each compiling the sources through tsx: slow on a busy machine.
const SLOW = { timeout: 600_000 };

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- documents of many shapes, read field by field
type Doc = any;

async function jsonOf(args: string[], expectedCodes: number | number[]): Promise<Doc> {
  const r = await runCli(args, { env, timeoutMs: 170_000 });
  expect([expectedCodes].flat(), `claims ${args.join(' ')}: ${r.stderr}`).toContain(r.code);
  const doc = JSON.parse(r.stdout) as unknown;
  expect(moneyConventionProblems(doc), `claims ${args.join(' ')}`).toEqual([]);
  return doc;
}

describe('--json with a database', SLOW, () => {
  it('db migrate and db status', async () => {
    expect(await jsonOf(['db', 'migrate', '--json'], 0)).toMatchObject({ appliedNow: [], pending: [], changed: [], missing: [] });
    expect((await jsonOf(['db', 'status', '--json'], 0)).applied.length).toBeGreaterThan(0);
  });

  it('submit, ingest, eligibility, eligibility-requests, and the reports', async () => {
    const submit = await jsonOf(['submit', sample('claims/01-export.ndjson'), '--payers', sample('payers'), '--out', path.join(dir, 'outbox'), '--json'], 3);
    expect([submit.sent, submit.rejectedClaims]).toEqual([12, 6]);
    expect(submit.chargeCents).toBeGreaterThan(0);

    const ingest = await jsonOf(['ingest', '--json', '--quarantine', path.join(dir, 'quarantine'),
      sample('835/acme-2024-03-08.x12'), sample('835/blue-2024-03-09.x12'), sample('271/mixed-three-sets.x12')], [0, 3]);
    expect(ingest.files.map((f: Doc) => path.basename(f.file))).toEqual(['acme-2024-03-08.x12', 'blue-2024-03-09.x12', 'mixed-three-sets.x12']);
    const remit = ingest.files[0].sets[0];
    expect([remit.transactionSet, remit.status, Number.isSafeInteger(remit.detail.paymentCents)]).toEqual(['835', 'posted', true]);

    const answer = await jsonOf(['eligibility', 'W100200300', '--date', '2024-06-01', '--service-type', '98', '--json'], 0);
    expect(answer.benefits.filter((b: Doc) => b.type === 'B').map((b: Doc) => b.amountCents)).toEqual([2500, 5000]);

    const requests = await jsonOf(['eligibility-requests', sample('appointments/upcoming.ndjson'), '--out', path.join(dir, 'outbox'), '--json'], 3);
    expect(requests.requests).toBe(4);

    const remittances = await jsonOf(['report', 'remittances', '--json'], 0);
    expect(remittances.length).toBe(2);
    for (const r of remittances) expect(Number.isSafeInteger(r.paymentCents)).toBe(true);
    expect(Array.isArray(await jsonOf(['report', 'unmatched', '--json'], 0))).toBe(true);
    expect(Array.isArray(await jsonOf(['report', 'eligibility', '--json'], 0))).toBe(true);
  });

  it('ledger post and balances; account view, refund, holds and flags', async () => {
    const batch = path.join(dir, 'credit.json');
    await fs.writeFile(batch, JSON.stringify({
      key: 'test:credit-A00000000',
      entries: [{ key: 'overpaid:A00000000', reason: 'patient.payment', effectiveDate: '2024-03-20', lines: [
        { account: { kind: 'cash' }, amountCents: '1500' },
        { account: { kind: 'patient_credit', patientId: 'A00000000' }, amountCents: '-1500' },
      ] }],
    }));
    expect(await jsonOf(['ledger', 'post', batch, '--json'], 0)).toEqual({ key: 'test:credit-A00000000', outcome: 'posted', entries: 1, lines: 2 });
    const balances = await jsonOf(['ledger', 'balances', '--json'], 0);
    expect(balances.totalCents).toBe(0);

    const view = await jsonOf(['account', 'A00000000', '--as-of', '2024-03-30', '--json'], 0);
    expect([view.accountNumber, view.creditCents]).toEqual(['A00000000', 1500]);
    const refund = await jsonOf(['account', 'A00000000', 'refund', '--amount', '5.00', '--reference', 'CHK-1', '--date', '2024-03-30', '--json'], 0);
    expect(refund).toMatchObject({ accountNumber: 'A00000000', reference: 'CHK-1', amountCents: 500, creditLeftCents: 1000 });

    expect(await jsonOf(['account', 'A00000001', 'dispute', '--reason', 'billed twice', '--date', '2024-03-30', '--json'], 0))
      .toMatchObject({ accountNumber: 'A00000001', kind: 'dispute', status: 'opened', openedOn: '2024-03-30' });
    const resolved = await jsonOf(['account', 'A00000001', 'resolve', '--reason', 'explained', '--date', '2024-03-30', '--json'], 0);
    expect(resolved.resolved.map((h: Doc) => h.kind)).toEqual(['dispute']);
    expect(await jsonOf(['account', 'A00000001', 'flag', 'attorney', '--date', '2024-03-30', '--json'], 0))
      .toEqual({ accountNumber: 'A00000001', flag: 'attorney', outcome: 'set', date: '2024-03-30' });
  });

  it('plans add, import and cancel', async () => {
    const added = await jsonOf(['plans', 'add', 'A00000001', '--amount', '30.00', '--installments', '3', '--start', '2024-04-15', '--json'], 0);
    expect(added).toMatchObject({ outcome: 'created', accountNumber: 'A00000001', totalCents: 3000, installments: 3 });
    const imported = await jsonOf(['plans', 'import', sample('plans/agreed-2024-03-12.plans.csv'), '--json'], 0);
    expect(imported.files.map((f: Doc) => [f.file, f.created, f.rejected.length])).toEqual([['agreed-2024-03-12.plans.csv', 1, 0]]);
    expect(await jsonOf(['plans', 'cancel', 'A00000001', '--date', '2024-03-30', '--json'], 0)).toMatchObject({ accountNumber: 'A00000001', outcome: 'cancelled' });
  });

  it('statements and referrals', async () => {
    const statements = await jsonOf(['statements', '--as-of', '2024-03-31', '--out', path.join(dir, 'statements'), '--csv-only', '--json'], 0);
    expect(statements.asOf).toBe('2024-03-31');
    for (const s of statements.issued) expect(Number.isSafeInteger(s.amountDueCents)).toBe(true);
    const referrals = await jsonOf(['referrals', '--as-of', '2024-03-31', '--out', path.join(dir, 'referrals'), '--json'], 0);
    expect(referrals.asOf).toBe('2024-03-31');
    // No account was placed with an agency: every row of the returns file is refused, one by one.
    const returns = await jsonOf(['referrals', 'returns', sample('agencies/returns-example.csv'), '--json'], 3);
    expect([returns.file, returns.posted, returns.collectedCents]).toEqual(['returns-example.csv', 0, 0]);
  });

  it('run: the summary, with the amounts its stages report', async () => {
    const root = path.join(dir, 'pipeline');
    await fs.mkdir(path.join(root, 'mailbox'), { recursive: true });
    await fs.copyFile(sample('835/medb-2024-03-10.x12'), path.join(root, 'mailbox', 'medb-2024-03-10.x12'));
    const file = path.join(root, 'nightly.json');
    await fs.writeFile(file, JSON.stringify({
      name: 'cli-json',
      folders: { pickup: ['mailbox'], inbox: 'work/inbox', outbox: 'work/outbox', archive: 'work/archive', quarantine: 'work/quarantine' },
      stages: [{ name: 'ingest' }, { name: 'ledger-snapshot' }],
    }));
    const summary = await jsonOf(['run', file, '--as-of', '2024-03-31', '--json'], 0);
    const ingest = summary.stages.find((s: Doc) => s.name === 'ingest');
    expect(Number.isSafeInteger(ingest.inputs[0].detail.sets[0].detail.paymentCents)).toBe(true);
    // The run record holds the same numbers.
    const stored = await db.pool.query(`SELECT detail FROM run_inputs i JOIN run_stages s USING (run_id, stage_index) WHERE s.stage_name = 'ingest' AND i.run_id = $1`, [summary.runId]);
    expect(stored.rows[0].detail.sets[0].detail.paymentCents).toBe(ingest.inputs[0].detail.sets[0].detail.paymentCents);
  });
});
