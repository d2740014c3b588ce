// Issue 18 on the real database, every figure written out by hand: a Medicaid patient billed only the plan's
// copay, a QMB patient (from the export, and from an 835's N781) billed none of Medicare's cost sharing,
// neither on a statement nor on a placement; a silent secondary on the follow-up list, billed to the patient
// only where its profile opts in (BLUE, 45 days).
//
//   M-1 G-MCD   [MCD]       200.00 = MCD paid 100 + CO-45 50 + PR-1 40 + PR-3 10 (copay cap 3.00)
//                           -> patient 3.00 (PR-3); protected_adjustment MCD 47.00 (PR-1 40.00, PR-3 7.00)
//   Q-1 G-QMB   [MCR] qmb   150.00 = MCR paid  80 + CO-45 30 + PR-1 25 + PR-2 15 -> protected 40.00
//   N-1 G-N781  [MCR]       120.00 = MCR paid  70 + CO-45 20 + PR-1 30, MOA N781 -> protected 30.00, coverage qmb
//   F-1 G-SEC   [ACME, SEC] 100.00 = ACME paid 60 + CO-45 20 + PR-2 20 -> SEC (no rules: never the patient's)
//   F-2 G-BLUE  [ACME, BLUE] 100.00 = ACME paid 60 + CO-45 10 + PR-2 30 -> BLUE (opts in at 45 days: 2025-03-18)
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase, type TestDatabase } from '../support/db.ts';
import { createLogger } from '../../src/runtime/logger.ts';
import { ingestFile } from '../../src/pipeline/ingest-input.ts';
import { interchange, type GenRemittance } from '../remittances/support/generate-835.ts';
import { insertSubmittedClaim, ledgerBalances, tempDir, writeTemp } from '../remittances/support/fixtures.ts';
import { runStatements, statementFromJson } from '../../src/statements/run.ts';
import { parseStatementSettings } from '../../src/statements/settings.ts';
import { recordPayers } from '../../src/claims/payer-rules.ts';
import { PayerProfile, type PayerProfileInput } from '../../src/domain/payer-profile.ts';
import { followUpCsv, followUpReport } from '../../src/statements/follow-up.ts';
import { runReferrals } from '../../src/collections/run.ts';
import { parseReferralSettings } from '../../src/collections/settings.ts';
import { explainReferral } from '../../src/collections/explain.ts';
import { runCli } from '../support/cli.ts';

let db: TestDatabase;
let dir: string;
const logger = createLogger({ level: 'silent' });
// No small-balance write-off: the Medicaid copay of 3.00 must reach a statement to be seen.
const settings = parseStatementSettings({ smallBalanceCents: 0 });
const ingest = (file: string) => ingestFile(file, { pool: db.pool, logger, failpoint: () => undefined, quarantineDir: path.join(dir, 'quarantine') });
const run = (asOf: string) => runStatements(db.pool, { asOf, outDir: path.join(dir, 'out'), settings, logger, perStatementPdf: false });
const line = (code: string, chargeCents: number, control: string, adjustments: GenRemittance['claims'][number]['lines'][number]['adjustments']) => ({ code, chargeCents, lineControlNumber: control, adjustments });

function profile(payerId: string, kind: PayerProfileInput['kind'], rules: PayerProfileInput['rules'] = {}): PayerProfile {
  return PayerProfile.parse({
    payerId, name: `${payerId} PLAN`, kind, rules, payerIdentifier: `${payerId}01`, claimTypes: ['professional'],
    receiver: { name: 'CH', id: 'CH1', interchangeId: 'CH1', applicationId: 'CH1' },
    submitter: { name: 'SUB', id: 'SUB1', interchangeId: 'SUB1', applicationId: 'SUB1', contactName: 'DESK', phone: '5555550100' },
  });
}

async function coverage(patient: string, payerId: string, protection: 'qmb' | null): Promise<void> {
  await db.pool.query(`INSERT INTO coverages (patient_id, coverage_order, payer_id, member_id, relationship, practice_id, protection, protection_source, protection_on)
    VALUES ($1, 1, $2, $3, 'self', 'default', $4, $5, $6)`, [patient, payerId, `M-${patient}`, protection, protection && 'export', protection && '2025-01-02']);
}

beforeAll(async () => {
  db = await useTestDatabase();
  dir = await tempDir();
  await recordPayers(db.pool, [
    profile('MCR', 'medicare'), profile('MCD', 'medicaid', { medicaidCopayMax: '3.00' }), profile('ACME', 'commercial'),
    profile('SEC', 'commercial'), profile('BLUE', 'commercial', { unansweredToPatientAfterDays: 45 }),
  ]);
  const claim = (pcn: string, account: string, payers: [string, string | null], cents: bigint, date: string) =>
    insertSubmittedClaim(db.pool, { pcn, account, payers, lines: [{ control: `${pcn}-1`, code: '99213', chargeCents: cents, date }] });
  await claim('M-1', 'G-MCD', ['MCD', null], 20000n, '2025-01-10');
  await claim('Q-1', 'G-QMB', ['MCR', null], 15000n, '2025-01-11');
  await claim('N-1', 'G-N781', ['MCR', null], 12000n, '2025-01-12');
  await claim('F-1', 'G-SEC', ['ACME', 'SEC'], 10000n, '2025-01-13');
  await claim('F-2', 'G-BLUE', ['ACME', 'BLUE'], 10000n, '2025-01-14');
  await coverage('G-QMB', 'MCR', 'qmb');
  await coverage('G-N781', 'MCR', null);
  const mcd: GenRemittance = { set: '0001', trace: 'EFT-MCD', payerId: '1111111111', paymentDate: '20250201', claims: [
    { pcn: 'M-1', lines: [line('99213', 20000, 'M-1-1', [{ group: 'CO', reason: '45', cents: 5000 }, { group: 'PR', reason: '1', cents: 4000 }, { group: 'PR', reason: '3', cents: 1000 }])] },
  ] };
  const mcr: GenRemittance = { set: '0002', trace: 'EFT-MCR', payerId: '2222222222', paymentDate: '20250201', claims: [
    { pcn: 'Q-1', lines: [line('99213', 15000, 'Q-1-1', [{ group: 'CO', reason: '45', cents: 3000 }, { group: 'PR', reason: '1', cents: 2500 }, { group: 'PR', reason: '2', cents: 1500 }])] },
    { pcn: 'N-1', remarks: ['N781'], lines: [line('99213', 12000, 'N-1-1', [{ group: 'CO', reason: '45', cents: 2000 }, { group: 'PR', reason: '1', cents: 3000 }])] },
  ] };
  const acme: GenRemittance = { set: '0003', trace: 'EFT-ACME', payerId: '3333333333', paymentDate: '20250201', claims: [
    { pcn: 'F-1', lines: [line('99213', 10000, 'F-1-1', [{ group: 'CO', reason: '45', cents: 2000 }, { group: 'PR', reason: '2', cents: 2000 }])] },
    { pcn: 'F-2', lines: [line('99213', 10000, 'F-2-1', [{ group: 'CO', reason: '45', cents: 1000 }, { group: 'PR', reason: '2', cents: 3000 }])] },
  ] };
  for (const [name, r] of [['mcd.835', mcd], ['mcr.835', mcr], ['acme.835', acme]] as const) {
    expect((await ingest(await writeTemp(dir, name, interchange([r])))).status).toBe('done');
  }
});

describe('protected patients and a payer\'s silence', () => {
  it('posts the Medicaid patient\'s PR beyond the copay, and all of a QMB patient\'s Medicare PR, to protected_adjustment', async () => {
    const b = await ledgerBalances(db.pool);
    expect(b['patient_receivable::G-MCD']).toBe(300n);
    expect(b['protected_adjustment:MCD:']).toBe(4700n);
    expect(b['protected_adjustment:MCR:']).toBe(4000n + 3000n);
    expect(b['patient_receivable::G-QMB']).toBeUndefined();
    expect(b['patient_receivable::G-N781']).toBeUndefined();
    expect(b['insurance_receivable:SEC:']).toBe(2000n);
    expect(b['insurance_receivable:BLUE:']).toBe(3000n);
    const reasons = (await db.pool.query(`SELECT l.reason, sum(l.amount_cents)::text AS cents FROM entry_lines l JOIN accounts a ON a.id = l.account_id
      WHERE a.kind = 'protected_adjustment' GROUP BY 1 ORDER BY 1`)).rows;
    expect(reasons).toEqual([{ reason: 'PR-1', cents: '9500' }, { reason: 'PR-2', cents: '1500' }, { reason: 'PR-3', cents: '700' }]);
  });

  it('an N781 remark records the QMB protection on the patient\'s Medicare coverage, dated the remittance', async () => {
    const rows = (await db.pool.query(`SELECT patient_id, protection, protection_source, protection_on::text AS on FROM coverages ORDER BY patient_id`)).rows;
    expect(rows).toEqual([
      { patient_id: 'G-N781', protection: 'qmb', protection_source: '835', on: '2025-02-01' },
      { patient_id: 'G-QMB', protection: 'qmb', protection_source: 'export', on: '2025-01-02' },
    ]);
  });

  it('2025-02-10: only the Medicaid copay is billed (3.00); the write-off shows as an adjustment, never as paid', async () => {
    const r = await run('2025-02-10');
    expect(r.issued.map((s) => [s.accountNumber, s.amountDueCents])).toEqual([['G-MCD', 300n]]);
    const s = statementFromJson((await db.pool.query(`SELECT model FROM statements WHERE account_number = 'G-MCD'`)).rows[0].model);
    expect(s.totals).toMatchObject({ chargesCents: 20000n, insurancePaidCents: 10000n, adjustmentsCents: 5000n + 4700n, pendingInsuranceCents: 0n, balanceCents: 300n, amountDueCents: 300n });
  });

  it('2025-02-10 follow-up: both secondaries, waiting 9 days since the primary answered', async () => {
    const rows = await followUpReport(db.pool, '2025-02-10');
    expect(rows.map((x) => [x.patientControlNumber, x.payerId, x.sequence, x.waitingSince, x.daysWaiting, x.amountCents, x.timelyFilingDeadline])).toEqual([
      ['F-1', 'SEC', 2, '2025-02-01', 9, 2000n, null],
      ['F-2', 'BLUE', 2, '2025-02-01', 9, 3000n, null],
    ]);
    expect(followUpCsv(rows).split('\r\n')[1]).toBe(`default,SEC,commercial,2,F-1,${rows[0]!.claimId},2025-01-13,,2025-02-01,9,20.00,`);
  });

  it('day 45 (2025-03-18): BLUE opted in, so its 30.00 becomes the patient\'s; SEC\'s 20.00 stays on follow-up', async () => {
    await run('2025-03-12');
    const r = await run('2025-03-18');
    expect(r.ledger.timeouts).toBe(1);
    expect(r.issued.map((s) => [s.accountNumber, s.amountDueCents])).toEqual([['G-BLUE', 3000n]]);
    const b = await ledgerBalances(db.pool);
    expect(b['patient_receivable::G-BLUE']).toBe(3000n);
    expect(b['patient_receivable::G-SEC']).toBeUndefined();
    expect(b['insurance_receivable:SEC:']).toBe(2000n);
    const rows = await followUpReport(db.pool, '2025-03-18');
    expect(rows.map((x) => [x.patientControlNumber, x.payerId, x.daysWaiting, x.amountCents])).toEqual([['F-1', 'SEC', 45, 2000n]]);
    // The same through `claims report follow-up`.
    const cli = await runCli(['report', 'follow-up', '--as-of', '2025-03-18', '--practice', 'default', '--json'], { env: { DATABASE_URL: db.url, CLAIMS_HOME: dir, CLAIMS_LOG_LEVEL: 'error' } });
    expect([cli.code, cli.stderr]).toEqual([0, '']);
    expect(JSON.parse(cli.stdout)).toMatchObject([{ practice: 'default', payerId: 'SEC', patientControlNumber: 'F-1', daysWaiting: 45, amountCents: 2000 }]);
  });

  it('through the final notice and referral: the protected patients never get a statement or a placement; Medicaid\'s is 3.00', async () => {
    await run('2025-04-11');
    await run('2025-05-11');
    const sent = (await db.pool.query(`SELECT DISTINCT account_number FROM statements ORDER BY 1`)).rows.map((x) => x.account_number);
    expect(sent).toEqual(['G-BLUE', 'G-MCD']);
    const referralSettings = parseReferralSettings({});
    const r = await runReferrals(db.pool, { asOf: '2025-06-10', outDir: path.join(dir, 'referrals'), settings: referralSettings, logger, accounts: ['G-MCD', 'G-QMB', 'G-N781', 'G-SEC'] });
    expect(r.placed).toEqual([]);
    expect((await explainReferral(db.pool, 'G-MCD', '2025-06-10', referralSettings))?.decision).toMatchObject({ refer: false, rule: 'BELOW_MINIMUM', balanceCents: 300n });
    expect((await db.pool.query(`SELECT count(*)::int AS n FROM referrals`)).rows[0].n).toBe(0);
  });
});
