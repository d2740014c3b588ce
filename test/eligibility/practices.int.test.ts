// `--practice` on the eligibility commands (issue 17, docs/decisions/0098-practices.md): two practices, each
// with a 271 of the same three people (one patient matched, a dependent unmatched and inactive, a subscriber
// rejected), alpha's asked by alpha's NPI and beta's by beta's under other member ids. Each command with
// --practice sees only that practice's rows; without it, all. Figures written by hand.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase, type TestDatabase } from '../support/db.ts';
import { runCli, REPO_ROOT } from '../support/cli.ts';

const ALPHA_NPI = '1234567893'; // the sample 271's provider (2100B)
const BETA_NPI = '1567890128';
const UNREGISTERED_NPI = '1999999992';

/** The sample 271 as beta's: beta's NPI, member ids W... as B..., its own control numbers and traces. */
function betaCopy(text: string): string {
  return text.replaceAll(ALPHA_NPI, BETA_NPI).replaceAll('*W', '*B').replaceAll('000000101', '000000201').replace('*101*X*', '*201*X*')
    .replace(/GE\*(\d+)\*101~/, 'GE*$1*201~')
    .replaceAll('TRACE000', 'BTRAC000');
}

type ReportRow = { problem: string; memberId: string; subject: string; providerId: string };
const summary = (rows: ReportRow[]): string[][] => rows.map((r) => [r.problem, r.memberId, r.subject ?? '-', r.providerId]);

describe('--practice on eligibility, report eligibility and eligibility-requests', () => {
  let db: TestDatabase;
  let env: Record<string, string>;
  let scratch: string;
  const cli = async (args: string[]): Promise<unknown> => {
    const res = await runCli([...args, '--json'], { env });
    expect(res.code, res.stderr).toBe(0);
    return JSON.parse(res.stdout) as unknown;
  };
  const report = async (...practice: string[]): Promise<string[][]> => summary(await cli(['report', 'eligibility', ...practice]) as ReportRow[]);

  beforeAll(async () => {
    db = await useTestDatabase();
    scratch = mkdtempSync(path.join(os.tmpdir(), 'claims-elig-practices-'));
    env = { DATABASE_URL: db.url, CLAIMS_NOW: '2024-03-30', CLAIMS_LOG_LEVEL: 'warn', CLAIMS_HOME: scratch };
    await db.pool.query(`INSERT INTO practices (id, name, npis) VALUES ('alpha', 'Alpha Family Medicine', $1), ('beta', 'Beta Pediatrics', $2)`, [[ALPHA_NPI], [BETA_NPI]]);
    for (const [practice, account, patient, member] of [['alpha', 'A-1', 'P-A-JANE', 'W100200300'], ['beta', 'B-1', 'P-B-JANE', 'B100200300']] as const) {
      await db.pool.query(`INSERT INTO guarantor_accounts (practice_id, account_number, last_name, first_name, address_line1, city, state, postal_code)
        VALUES ($1, $2, 'DOE', 'JANE', '1 INVENTED LANE', 'NOWHERE', 'ZZ', '00000')`, [practice, account]);
      await db.pool.query(`INSERT INTO patients (practice_id, patient_id, account_number, last_name, first_name, birth_date, sex, address_line1, city, state, postal_code)
        VALUES ($1, $2, $3, 'Doe', 'Jane', '1980-02-14', 'F', '1 INVENTED LANE', 'NOWHERE', 'ZZ', '00000')`, [practice, patient, account]);
      await db.pool.query(`INSERT INTO coverages (practice_id, patient_id, coverage_order, payer_id, member_id, relationship) VALUES ($1, $2, 1, 'ACME', $3, 'self')`, [practice, patient, member]);
    }
    const sample = readFileSync(path.join(REPO_ROOT, 'samples/271/mixed-three-sets.x12'), 'utf8');
    const betaFile = path.join(scratch, 'beta-271.x12');
    writeFileSync(betaFile, betaCopy(sample));
    for (const file of [path.join(REPO_ROOT, 'samples/271/mixed-three-sets.x12'), betaFile]) {
      const res = await runCli(['ingest', '--json', file], { env });
      expect(res.code, res.stderr + res.stdout).toBe(0);
    }
    const matched = await db.pool.query('SELECT member_id, patient_id FROM eligibility_responses WHERE patient_id IS NOT NULL ORDER BY member_id');
    expect(matched.rows).toEqual([{ member_id: 'B100200300', patient_id: 'P-B-JANE' }, { member_id: 'W100200300', patient_id: 'P-A-JANE' }]);
  });

  it('report eligibility: each practice its own four rows, without --practice all eight', async () => {
    const alpha = [
      ['inactive', 'W555000111', 'dependent', ALPHA_NPI], ['unmatched', 'W555000111', 'dependent', ALPHA_NPI],
      ['rejected', 'W999999999', 'subscriber', ALPHA_NPI], ['unmatched', 'W999999999', 'subscriber', ALPHA_NPI],
    ];
    const beta = [
      ['inactive', 'B555000111', 'dependent', BETA_NPI], ['unmatched', 'B555000111', 'dependent', BETA_NPI],
      ['rejected', 'B999999999', 'subscriber', BETA_NPI], ['unmatched', 'B999999999', 'subscriber', BETA_NPI],
    ];
    expect(await report('--practice', 'alpha')).toEqual(alpha);
    expect(await report('--practice', 'beta')).toEqual(beta);
    expect(await report()).toEqual([...beta, ...alpha]);
    // 'default' holds nothing here: its report is empty, not everyone's.
    expect(await report('--practice', 'default')).toEqual([]);
    const unknown = await runCli(['report', 'eligibility', '--practice', 'gamma'], { env });
    expect([unknown.code, unknown.stderr.includes('PRACTICE_UNKNOWN')]).toEqual([1, true]);
  });

  it('eligibility MEMBER_ID: the member of another practice is not on file for this one', async () => {
    const own = await cli(['eligibility', 'W100200300', '--date', '2024-06-01', '--practice', 'alpha']) as { active: boolean; reason: string; person: { patientId: string } };
    expect([own.active, own.reason, own.person.patientId]).toEqual([true, 'ACTIVE', 'P-A-JANE']);
    const other = await cli(['eligibility', 'W100200300', '--date', '2024-06-01', '--practice', 'beta']) as { active: null; reason: string };
    expect([other.active, other.reason]).toEqual([null, 'NO_RESPONSE_ON_FILE']);
    const all = await cli(['eligibility', 'B100200300', '--date', '2024-06-01']) as { reason: string; person: { patientId: string } };
    expect([all.reason, all.person.patientId]).toEqual(['ACTIVE', 'P-B-JANE']);
    // An unmatched dependent is the practice whose NPI asked.
    const lily = await cli(['eligibility', 'B555000111', '--dependent', 'lily', '--date', '2023-05-01', '--practice', 'beta']) as { reason: string };
    expect(lily.reason).toBe('INACTIVE');
    const notAlphas = await cli(['eligibility', 'B555000111', '--dependent', 'lily', '--date', '2023-05-01', '--practice', 'alpha']) as { reason: string };
    expect(notAlphas.reason).toBe('NO_RESPONSE_ON_FILE');
  });

  it('eligibility-requests: a practice\'s visits and those of an NPI no practice has; the report finds them by NPI or member', async () => {
    const visit = (id: string, npi: string, memberId: string): string => JSON.stringify({
      appointmentId: id, date: '2024-04-02', payerId: 'ACME', memberId, provider: { npi, name: 'SOME PRACTICE' },
      subscriber: { lastName: 'DOE', firstName: 'JANE', birthDate: '1980-02-14', gender: 'F' },
    });
    const file = path.join(scratch, 'appointments.ndjson');
    writeFileSync(file, [visit('V-ALPHA', ALPHA_NPI, 'W100200300'), visit('V-BETA', BETA_NPI, 'B100200300'), visit('V-NOBODY', UNREGISTERED_NPI, 'B100200300')].join('\n') + '\n');

    const beta = await cli(['eligibility-requests', file, '--out', path.join(scratch, 'out-beta'), '--practice', 'beta']) as { requests: number; skippedOtherPractice: number };
    expect([beta.requests, beta.skippedOtherPractice]).toEqual([2, 1]);
    const asked = await db.pool.query('SELECT trace_number, provider_npi FROM eligibility_requests ORDER BY trace_number');
    expect(asked.rows).toEqual([{ trace_number: 'V-BETA', provider_npi: BETA_NPI }, { trace_number: 'V-NOBODY', provider_npi: UNREGISTERED_NPI }]);
    const unanswered = (rows: string[][]): string[][] => rows.filter((r) => r[0] === 'unanswered');
    // V-NOBODY's NPI is no practice's: its member is on beta's coverages, so it is beta's.
    expect(unanswered(await report('--practice', 'beta'))).toEqual([
      ['unanswered', 'B100200300', '-', BETA_NPI], ['unanswered', 'B100200300', '-', UNREGISTERED_NPI],
    ]);
    expect(unanswered(await report('--practice', 'alpha'))).toEqual([]);

    const all = await cli(['eligibility-requests', file, '--out', path.join(scratch, 'out-all')]) as { requests: number; skippedOtherPractice?: number };
    expect([all.requests, all.skippedOtherPractice]).toEqual([3, undefined]);
    expect(unanswered(await report('--practice', 'alpha'))).toEqual([['unanswered', 'W100200300', '-', ALPHA_NPI]]);
    expect(unanswered(await report())).toHaveLength(3);
  });

  it('records audit rows naming the practice', async () => {
    const { rows } = await db.pool.query<{ command: string; practice: string | null; accounts: string[]; files: number }>(
      `SELECT command, practice, accounts, cardinality(files) AS files FROM audit_events
       WHERE command IN ('eligibility', 'eligibility-requests', 'report eligibility') ORDER BY id`);
    const of = (command: string) => rows.filter((r) => r.command === command).map((r) => [r.practice, r.accounts.join(), r.files]);
    expect(of('eligibility')).toEqual([['alpha', 'A-1', 0], ['beta', '', 0], ['beta', 'B-1', 0], ['beta', '', 0], ['alpha', '', 0]]);
    expect(of('eligibility-requests')).toEqual([['beta', '', 1], [null, '', 1]]);
    expect(of('report eligibility').slice(0, 5).map((r) => r[0])).toEqual(['alpha', 'beta', null, 'default', 'beta']);
  });
});
