// From claims sent through 835 posting to statements, on a real database, with every figure written out
// by hand. Synthetic accounts (the remittance fixtures' invented guarantor). Dates move forward test by test.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase, type TestDatabase } from '../support/db.ts';
import { createLogger } from '../../src/runtime/logger.ts';
import { ingestFile } from '../../src/pipeline/ingest-input.ts';
import { interchange, type GenRemittance } from '../remittances/support/generate-835.ts';
import { insertSubmittedClaim, ledgerBalances, ledgerDump, tempDir, writeTemp } from '../remittances/support/fixtures.ts';
import { runStatements, statementFromJson } from '../../src/statements/run.ts';
import { parseStatementSettings } from '../../src/statements/settings.ts';
import { ingestPaymentsFile } from '../../src/patients/payments-post.ts';
import { createPlan } from '../../src/patients/plans-store.ts';
import { loadAccountView } from '../../src/statements/account-history.ts';
import { recordPayers } from '../../src/claims/payer-rules.ts';
import { PayerProfile } from '../../src/domain/payer-profile.ts';

let db: TestDatabase;
let dir: string;
const logger = createLogger({ level: 'silent' });
const settings = parseStatementSettings({});
const ingest = (file: string) => ingestFile(file, { pool: db.pool, logger, failpoint: () => undefined, quarantineDir: path.join(dir, 'quarantine') });
const run = (asOf: string) => runStatements(db.pool, { asOf, outDir: path.join(dir, 'out'), settings, logger });
const issuedOn = async (date: string) =>
  (await db.pool.query(`SELECT account_number, kind, sequence, status, amount_due_cents::text AS due, balance_cents::text AS balance FROM statements WHERE statement_date = $1 ORDER BY account_number`, [date])).rows;

const line = (code: string, chargeCents: number, control: string, adjustments: GenRemittance['claims'][number]['lines'][number]['adjustments']) => ({ code, chargeCents, lineControlNumber: control, adjustments });

beforeAll(async () => {
  db = await useTestDatabase();
  dir = await tempDir();
  const claim = (pcn: string, account: string, payers: [string, string | null], code: string, cents: bigint, date: string) =>
    insertSubmittedClaim(db.pool, { pcn, account, payers, lines: [{ control: `${pcn}-1`, code, chargeCents: cents, date }] });
  await claim('S-1', 'G-1', ['PAYER-A', null], '99213', 15000n, '2025-01-10');
  await claim('S-2', 'G-2', ['PAYER-A', 'PAYER-B'], '99214', 20000n, '2025-01-12');
  await claim('S-4', 'G-4', ['PAYER-A', 'PAYER-B'], '99213', 10000n, '2025-01-15');
  await claim('S-6', 'G-6', ['PAYER-A', null], '99212', 8000n, '2025-01-16');
  await claim('S-7', 'G-7', ['PAYER-A', null], '99215', 40000n, '2025-01-20');
  // PAYER-B's profile lets the patient be billed after 45 days of its silence (issue 18: never by default).
  await recordPayers(db.pool, [PayerProfile.parse({
    payerId: 'PAYER-B', name: 'PAYER B', kind: 'commercial', rules: { unansweredToPatientAfterDays: 45 }, payerIdentifier: '22222', claimTypes: ['professional'],
    receiver: { name: 'CH', id: 'CH1', interchangeId: 'CH1', applicationId: 'CH1' },
    submitter: { name: 'SUB', id: 'SUB1', interchangeId: 'SUB1', applicationId: 'SUB1', contactName: 'DESK', phone: '5555550100' },
  })]);
  // The primary's remittance of 2025-02-01, by hand:
  //   S-1 150.00 = paid 90 + CO 40 + PR 20 (patient)      S-2 200.00 = paid 120 + CO 30 + PR 50 (to PAYER-B)
  //   S-4 100.00 = paid 50 + CO 20 + PR 30 (to PAYER-B)   S-6 80.00 = paid 0 + CO 77 + PR 3 (patient, small)
  //   S-7 400.00 = paid 0 + CO 100 + PR 300 (patient)
  const r1: GenRemittance = { set: '0001', trace: 'EFT-ST1', payerId: '1111111111', paymentDate: '20250201', claims: [
    { pcn: 'S-1', lines: [line('99213', 15000, 'S-1-1', [{ group: 'CO', reason: '45', cents: 4000 }, { group: 'PR', reason: '3', cents: 2000 }])] },
    { pcn: 'S-2', lines: [line('99214', 20000, 'S-2-1', [{ group: 'CO', reason: '45', cents: 3000 }, { group: 'PR', reason: '1', cents: 5000 }])] },
    { pcn: 'S-4', lines: [line('99213', 10000, 'S-4-1', [{ group: 'CO', reason: '45', cents: 2000 }, { group: 'PR', reason: '2', cents: 3000 }])] },
    { pcn: 'S-6', lines: [line('99212', 8000, 'S-6-1', [{ group: 'CO', reason: '45', cents: 7700 }, { group: 'PR', reason: '3', cents: 300 }])] },
    { pcn: 'S-7', lines: [line('99215', 40000, 'S-7-1', [{ group: 'CO', reason: '45', cents: 10000 }, { group: 'PR', reason: '1', cents: 30000 }])] },
  ] };
  expect((await ingest(await writeTemp(dir, 'r1.835', interchange([r1])))).status).toBe('done');
  await createPlan(db.pool, { accountNumber: 'G-7', totalCents: 30000n, installments: 3, startOn: '2025-02-15', frequency: 'monthly', createdOn: '2025-02-05', planKey: 'test-plan-G-7' });
});

describe('statements from 835 postings', () => {
  it('2025-02-10: bills PR only, never CO, not while a secondary is pending; writes off a small balance; a plan gets a plan statement', async () => {
    const r = await run('2025-02-10');
    expect(r.issued.map((s) => [s.accountNumber, s.kind, s.amountDueCents])).toEqual([
      ['G-1', 'statement', 2000n],
      ['G-7', 'plan', 10000n],
    ]);
    expect(r.ledger).toEqual({ timeouts: 0, timeoutsUndone: 0, creditsApplied: 0, smallBalances: 1 });
    const b = await ledgerBalances(db.pool);
    // The statement equals the patient receivable to the cent; CO 40 is nowhere on the patient's side.
    expect(b['patient_receivable::G-1']).toBe(2000n);
    expect(b['patient_receivable::G-6']).toBeUndefined();
    expect(b['small_balance_writeoff::G-6']).toBe(300n);
    expect(b['insurance_receivable:PAYER-B:']).toBe(8000n);
    const row = (await db.pool.query(`SELECT model FROM statements WHERE account_number = 'G-1'`)).rows[0];
    const s = statementFromJson(row.model);
    expect(s.totals).toEqual({ chargesCents: 15000n, insurancePaidCents: 9000n, adjustmentsCents: 4000n, pendingInsuranceCents: 0n, patientPaymentsCents: 0n, balanceCents: 2000n, amountDueCents: 2000n });
    expect(s.services[0]?.description).toBe('Office visit, established patient');
    const csv = await readFile(path.join(dir, 'out', 'statements-2025-02-10.csv'), 'utf8');
    expect(csv.split('\r\n')[1]).toContain(',150.00,90.00,40.00,0.00,0.00,20.00,20.00,2025-03-07,');
    expect(r.files.map((f) => path.basename(f))).toEqual(['statements-2025-02-10.csv', 'statements-2025-02-10-batch-0001.pdf']);
  });

  it('rerunning the same date changes nothing', async () => {
    const before = await ledgerDump(db.pool);
    const r = await run('2025-02-10');
    expect(r.issued).toEqual([]);
    expect(r.files).toEqual([]);
    expect(await ledgerDump(db.pool)).toEqual(before);
    expect((await issuedOn('2025-02-10')).length).toBe(2);
  });

  it('posts a payments file once per reference; an overpayment becomes a credit', async () => {
    const file = await writeTemp(dir, 'lockbox.csv', 'account,amount,date,method,reference\nG-7,100.00,2025-02-15,check,TX-7-1\nG-1,30.00,2025-02-20,card,TX-1-1\nG-9,5.00,2025-02-20,card,TX-9-1\n');
    const first = await ingestPaymentsFile(db.pool, file, logger);
    expect([first.posted, first.duplicates, first.rejected.map((e) => e.code)]).toEqual([2, 0, ['PAYMENT_ACCOUNT_UNKNOWN']]);
    // Again through `claims ingest`'s path: two duplicates and the same rejected row, so the file is partial
    // and a copy goes to quarantine with its report.
    const again = await ingest(file);
    expect([again.status, again.sets.map((x) => [x.set, x.status])]).toEqual(['partial', [['line 2', 'duplicate'], ['line 3', 'duplicate'], ['line 4', 'quarantined']]]);
    const report = JSON.parse(await readFile(again.quarantined?.reportPath as string, 'utf8')) as { errors: { code: string; location: { line: number } }[]; rows: unknown };
    expect(report.errors.map((e) => [e.code, e.location.line])).toEqual([['PAYMENT_ACCOUNT_UNKNOWN', 4]]);
    expect(report.rows).toEqual({ posted: 0, duplicate: 2, rejected: 1, postedAmountCents: 0 });
    const b = await ledgerBalances(db.pool);
    expect(b['patient_receivable::G-1']).toBeUndefined();
    expect(b['patient_credit::G-1']).toBe(-1000n);
    expect(b['patient_receivable::G-7']).toBe(20000n);
  });

  it('2025-03-11 is day 29 of the cycle: nothing for G-1 or G-7; the secondary answered for G-4, which is billed', async () => {
    const s2: GenRemittance = { set: '0001', trace: 'EFT-ST2', payerId: '2222222222', paymentDate: '20250220', claims: [
      // The secondary pays 20 of the 30 it was sent; OA-23 restates the primary; PR 10 is the patient's.
      { pcn: 'S-4', status: '2', lines: [line('99213', 10000, 'S-4-1', [{ group: 'OA', reason: '23', cents: 7000 }, { group: 'PR', reason: '1', cents: 1000 }])] },
    ] };
    expect((await ingest(await writeTemp(dir, 's2.835', interchange([s2])))).status).toBe('done');
    const r = await run('2025-03-11');
    expect(r.issued.map((s) => [s.accountNumber, s.kind, s.amountDueCents])).toEqual([['G-4', 'statement', 1000n]]);
  });

  it('2025-03-12 is day 30: the plan statement asks for the second installment', async () => {
    const r = await run('2025-03-12');
    expect(r.issued.map((s) => [s.accountNumber, s.kind, s.amountDueCents])).toEqual([['G-7', 'plan', 10000n]]);
    expect((await issuedOn('2025-03-12'))[0]).toMatchObject({ account_number: 'G-7', balance: '20000', due: '10000' });
  });

  it('the secondary\'s silence: not billed on day 44, billed on day 45 after the move to the patient', async () => {
    expect((await run('2025-03-17')).issued).toEqual([]);
    const r = await run('2025-03-18');
    expect(r.ledger.timeouts).toBe(1);
    expect(r.issued.map((s) => [s.accountNumber, s.amountDueCents])).toEqual([['G-2', 5000n]]);
    const b = await ledgerBalances(db.pool);
    expect(b['patient_receivable::G-2']).toBe(5000n);
    expect(b['insurance_receivable:PAYER-B:']).toBeUndefined();
    const view = await loadAccountView(db.pool, 'G-2', '2025-03-18', settings);
    expect(view?.assessment.claimStates[0]?.state).toMatchObject({ kind: 'patient', reason: 'next_payer_timeout', since: '2025-03-18' });
  });

  it('2025-04-26: two missed installments default the plan and the dunning cycle starts; an old credit is listed for refund', async () => {
    const r = await run('2025-04-26');
    const g7 = r.issued.find((s) => s.accountNumber === 'G-7');
    expect(g7).toMatchObject({ kind: 'statement', amountDueCents: 20000n });
    expect(r.refundsDue).toEqual([{ accountNumber: 'G-1', amountCents: 1000n, creditSince: '2025-02-20', days: 65 }]);
    const view = await loadAccountView(db.pool, 'G-7', '2025-04-26', settings);
    expect(view?.assessment.plan).toMatchObject({ status: 'defaulted', statusOn: '2025-04-26', paidCents: 10000n });
    // Statement 2 for G-4 (first on 03-11) and G-2 (first on 03-18): 30 days have passed for both.
    expect(r.issued.filter((s) => s.accountNumber !== 'G-7').map((s) => [s.accountNumber, s.kind])).toEqual([['G-2', 'statement'], ['G-4', 'statement']]);
    expect((await issuedOn('2025-04-26')).map((x) => [x.account_number, x.sequence])).toEqual([['G-2', 2], ['G-4', 2], ['G-7', 1]]);
  });
});
