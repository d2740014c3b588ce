// `claims ledger balances|post` end to end: the binary against a real database, exit codes and output.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase, type TestDatabase } from '../support/db.ts';
import { runCli } from '../support/cli.ts';

let db: TestDatabase;
let dir: string;
beforeAll(async () => {
  db = await useTestDatabase();
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'ledger-cli-'));
});
afterAll(async () => {
  await db?.close();
  if (dir) await fs.rm(dir, { recursive: true, force: true });
});

const env = (): Record<string, string> => ({ DATABASE_URL: db.url, CLAIMS_LOG_LEVEL: 'error', CLAIMS_HOME: path.join(dir, 'home') });

const batchFile = {
  key: 'manual:refund-1',
  entries: [
    { key: 'charge:C1', reason: 'claim.charge', effectiveDate: '2025-03-01', lines: [
      { account: { kind: 'insurance_receivable', payerId: 'ACME' }, amountCents: '15000', claimId: 'C1' },
      { account: { kind: 'revenue' }, amountCents: '-15000', claimId: 'C1' },
    ] },
    { key: 'pay:C1', reason: 'remit.payment', effectiveDate: '2025-04-01', lines: [
      { account: { kind: 'payer_clearing', payerId: 'ACME' }, amountCents: '9000', claimId: 'C1' },
      { account: { kind: 'contractual_adjustment' }, amountCents: '4000', reason: 'CO-45', claimId: 'C1' },
      { account: { kind: 'patient_receivable', patientId: 'G-1' }, amountCents: '2000', reason: 'PR-1', claimId: 'C1' },
      { account: { kind: 'insurance_receivable', payerId: 'ACME' }, amountCents: '-15000', claimId: 'C1' },
    ] },
  ],
};

describe('claims ledger', () => {
  it('posts a batch file, then reports the trial balance as JSON and as a table', async () => {
    const file = path.join(dir, 'batch.json');
    await fs.writeFile(file, JSON.stringify(batchFile));
    const post = await runCli(['ledger', 'post', file], { env: env() });
    expect([post.code, post.stdout, post.stderr]).toEqual([0, 'posted batch manual:refund-1: 2 entries, 6 lines\n', '']);

    const json = await runCli(['ledger', 'balances', '--as-of', '2025-04-30', '--json'], { env: env() });
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual({
      asOf: '2025-04-30',
      practiceId: null,
      accounts: [
        { practiceId: 'default', kind: 'payer_clearing', payerId: 'ACME', patientId: null, balanceCents: 9000 },
        { practiceId: 'default', kind: 'insurance_receivable', payerId: 'ACME', patientId: null, balanceCents: 0 },
        { practiceId: 'default', kind: 'patient_receivable', payerId: null, patientId: 'G-1', balanceCents: 2000 },
        { practiceId: 'default', kind: 'revenue', payerId: null, patientId: null, balanceCents: -15000 },
        { practiceId: 'default', kind: 'contractual_adjustment', payerId: null, patientId: null, balanceCents: 4000 },
      ],
      practices: [{ practiceId: 'default', totalCents: 0 }],
      totalCents: 0,
    });

    const table = await runCli(['ledger', 'balances', '--as-of', '2025-03-31'], { env: env() });
    expect(table.code).toBe(0);
    expect(table.stdout).toBe([
      'Trial balance as of 2025-03-31',
      '',
      'ACCOUNT               PAYER  PATIENT  BALANCE',
      '--------------------  -----  -------  -------',
      'insurance_receivable  ACME' + ' '.repeat(13) + '150.00',
      'revenue' + ' '.repeat(31) + '-150.00',
      '--------------------  -----  -------  -------',
      'TOTAL' + ' '.repeat(36) + '0.00',
      '',
    ].join('\n'));
  });

  it('refuses bad arguments with exit 2 and a bad batch file with exit 1, naming the problem', async () => {
    const badDate = await runCli(['ledger', 'balances', '--as-of', '2025-02-30'], { env: env() });
    expect(badDate.code).toBe(2);
    expect(badDate.stderr).toContain('--as-of 2025-02-30: expected a date YYYY-MM-DD');

    const unbalanced = structuredClone(batchFile);
    unbalanced.key = 'manual:bad';
    unbalanced.entries[0]!.lines[1]!.amountCents = '-14999';
    const file = path.join(dir, 'bad.json');
    await fs.writeFile(file, JSON.stringify(unbalanced));
    const refused = await runCli(['ledger', 'post', file], { env: env() });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('LEDGER_UNBALANCED: entry charge:C1 lines sum to 1 cents, expected 0');
  });
});
