// `claims plans --practice` (issue 17): two practices, an account each. With --practice a command lists and
// acts on that practice's accounts only and refuses another's, naming the account and both practices
// (PLAN_ACCOUNT_OF_OTHER_PRACTICE); without it, every practice's. Audit rows name the practice.
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase, type TestDatabase } from '../support/db.ts';
import { runCli } from '../support/cli.ts';

describe('claims plans --practice', () => {
  let db: TestDatabase;
  let env: Record<string, string>;
  let scratch: string;
  const claims = (args: string[]) => runCli(args, { env });
  const listed = async (...practice: string[]): Promise<string[][]> => {
    const res = await claims(['plans', 'list', ...practice, '--json']);
    expect(res.code, res.stderr).toBe(0);
    return (JSON.parse(res.stdout) as { plans: Array<{ practiceId: string; accountNumber: string; totalCents: number; cancelledOn: string | null }> }).plans
      .map((p) => [p.practiceId, p.accountNumber, String(p.totalCents), p.cancelledOn ?? '-']);
  };
  const add = (account: string, amount: string, ...practice: string[]) =>
    claims(['plans', 'add', account, '--amount', amount, '--installments', '3', '--start', '2024-04-01', '--created-on', '2024-03-30', ...practice, '--json']);

  beforeAll(async () => {
    db = await useTestDatabase();
    scratch = mkdtempSync(path.join(os.tmpdir(), 'claims-plans-practices-'));
    env = { DATABASE_URL: db.url, CLAIMS_NOW: '2024-03-30', CLAIMS_LOG_LEVEL: 'warn', CLAIMS_HOME: scratch };
    await db.pool.query(`INSERT INTO practices (id, name, npis) VALUES ('alpha', 'Alpha Family Medicine', '{1234567893}'), ('beta', 'Beta Pediatrics', '{1567890128}')`);
    for (const [practice, account] of [['alpha', 'A-1'], ['beta', 'B-1']]) {
      await db.pool.query(`INSERT INTO guarantor_accounts (practice_id, account_number, last_name, first_name, address_line1, city, state, postal_code)
        VALUES ($1, $2, 'DOE', 'JANE', '1 INVENTED LANE', 'NOWHERE', 'ZZ', '00000')`, [practice, account]);
    }
  });

  it('add: its own account; another practice\'s refused naming both practices, nothing created', async () => {
    const own = await add('A-1', '300.00', '--practice', 'alpha');
    expect([own.code, JSON.parse(own.stdout).outcome], own.stderr).toEqual([0, 'created']);
    const other = await add('B-1', '150.00', '--practice', 'alpha');
    expect(other.code).toBe(1);
    expect(other.stderr).toContain('PLAN_ACCOUNT_OF_OTHER_PRACTICE');
    expect(other.stderr).toContain("guarantor account B-1 is practice beta's, not practice alpha's");
    expect(await listed()).toEqual([['alpha', 'A-1', '30000', '-']]);
    const beta = await add('B-1', '150.00', '--practice', 'beta');
    expect(beta.code, beta.stderr).toBe(0);
    const unknown = await claims(['plans', 'list', '--practice', 'gamma']);
    expect([unknown.code, unknown.stderr.includes('PRACTICE_UNKNOWN')]).toEqual([1, true]);
  });

  it('import: another practice\'s row rejected with its line, the practice\'s own created', async () => {
    const file = path.join(scratch, 'plans.csv');
    writeFileSync(file, 'account,amount,installments,start,frequency\nA-1,90.00,3,2024-05-01,monthly\nB-1,60.00,2,2024-05-01,monthly\n');
    const res = await claims(['plans', 'import', file, '--practice', 'alpha', '--json']);
    expect(res.code, res.stderr).toBe(3);
    const out = JSON.parse(res.stdout) as { files: Array<{ created: number; rejected: Array<{ code: string; location: { line: number } }> }> };
    expect(out.files.map((f) => [f.created, f.rejected.map((e) => `${e.code}@${e.location.line}`)])).toEqual([[1, ['PLAN_ACCOUNT_OF_OTHER_PRACTICE@3']]]);
  });

  it('list and cancel: one practice\'s plans with --practice, all without', async () => {
    expect(await listed('--practice', 'alpha')).toEqual([['alpha', 'A-1', '30000', '-'], ['alpha', 'A-1', '9000', '-']]);
    expect(await listed('--practice', 'beta')).toEqual([['beta', 'B-1', '15000', '-']]);
    expect(await listed()).toEqual([['alpha', 'A-1', '30000', '-'], ['alpha', 'A-1', '9000', '-'], ['beta', 'B-1', '15000', '-']]);
    const refused = await claims(['plans', 'cancel', 'B-1', '--date', '2024-04-10', '--practice', 'alpha']);
    expect([refused.code, refused.stderr.includes('PLAN_ACCOUNT_OF_OTHER_PRACTICE')]).toEqual([1, true]);
    expect(await listed('--practice', 'beta')).toEqual([['beta', 'B-1', '15000', '-']]);
    const cancelled = await claims(['plans', 'cancel', 'B-1', '--date', '2024-04-10', '--practice', 'beta', '--json']);
    expect([cancelled.code, JSON.parse(cancelled.stdout).outcome], cancelled.stderr).toEqual([0, 'cancelled']);
    expect(await listed('--practice', 'beta')).toEqual([['beta', 'B-1', '15000', '2024-04-10']]);
  });

  it('records audit rows naming the practice', async () => {
    const { rows } = await db.pool.query<{ command: string; practice: string; accounts: string[] }>(
      "SELECT command, practice, accounts FROM audit_events WHERE command LIKE 'plans %' ORDER BY id");
    expect(rows.map((r) => [r.command, r.practice, r.accounts.join()])).toEqual([
      ['plans add', 'alpha', 'A-1'],
      ['plans list', 'alpha', 'A-1'], // listed without --practice: one row per practice of the accounts listed
      ['plans add', 'beta', 'B-1'],
      ['plans import', 'alpha', 'A-1'],
      ['plans list', 'alpha', 'A-1'],
      ['plans list', 'beta', 'B-1'],
      ['plans list', 'alpha', 'A-1'],
      ['plans list', 'beta', 'B-1'],
      ['plans list', 'beta', 'B-1'],
      ['plans cancel', 'beta', 'B-1'],
      ['plans list', 'beta', 'B-1'],
    ]);
  });
});
