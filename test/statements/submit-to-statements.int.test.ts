// From a claims export sent with `claims submit` (the real binary, the real submit service) through 835
// posting, a payments file through `claims ingest`, a plans file, statement runs and a refund recorded with
// `claims account ... refund`, on a real database. Synthetic people and payers; every figure written out by
// hand below, and the ledger read straight from its tables (test/remittances/support/fixtures.ts).
//
//   G-A  CA1 2025-01-20 99213 200.00 = PRIMA paid 120 + CO 50 + PR 30      (the patient's on 02-01)
//        CA2 2025-01-22 96372 100.00 = PRIMA paid  40 + CO 20 + PR 40      (the patient's on 02-01)
//        prepaid 50.00 on 01-25 (nothing owed yet: all of it a credit); 02-10 the credit pays 50 of 70 -> 20.00 due;
//        pays 45.00 on 02-20: 20 settles the balance, 25 is a credit again; listed for refund on 04-21 (60 days);
//        refunded by check CHK-501 on 04-22.
//   G-B  CB1 2025-01-21 99214 300.00 = PRIMA paid 180 + CO 60 + PR 60 -> SECUN (02-01); SECUN pays 45, PR 15 (02-25)
//   G-C  CC1 2025-01-23 99215 900.00 = PRIMA paid 300 + CO 100 + PR 500; plan 500.00 in 5 monthly from 03-01
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase, type TestDatabase } from '../support/db.ts';
import { runCli } from '../support/cli.ts';
import { createLogger } from '../../src/runtime/logger.ts';
import { ingestFile } from '../../src/pipeline/ingest-input.ts';
import { interchange, type GenRemittance } from '../remittances/support/generate-835.ts';
import { ledgerBalances, ledgerDump, tempDir, writeTemp } from '../remittances/support/fixtures.ts';
import { runStatements, statementFromJson } from '../../src/statements/run.ts';
import { parseStatementSettings } from '../../src/statements/settings.ts';
import { importPlansText } from '../../src/patients/plans-store.ts';

let db: TestDatabase;
let dir: string;
const logger = createLogger({ level: 'silent' });
const settings = parseStatementSettings({ providers: { '1234567893': 'Northwind Family Medicine' } });
const ingest = (file: string) => ingestFile(file, { pool: db.pool, logger, failpoint: () => undefined, quarantineDir: path.join(dir, 'quarantine') });
const run = (asOf: string) => runStatements(db.pool, { asOf, outDir: path.join(dir, 'out'), settings, logger, perStatementPdf: false });
const cli = (args: string[]) => runCli(args, { env: { DATABASE_URL: db.url, CLAIMS_HOME: dir, CLAIMS_LOG_LEVEL: 'error' } });
const statementOf = async (account: string, date: string) =>
  statementFromJson((await db.pool.query(`SELECT model FROM statements WHERE account_number = $1 AND statement_date = $2`, [account, date])).rows[0].model);

const address = { line1: '7 Sample Lane', city: 'Lakeside', state: 'OR', postalCode: '97401' };
function claimRecord(id: string, account: string, payers: string[], code: string, charge: string, date: string): Record<string, unknown> {
  return {
    claimId: id, claimType: 'professional', patientControlNumber: id, frequency: '1', placeOfService: '11', totalCharge: charge,
    billingProvider: {
      npi: '1234567893', taxId: '841234567', taxonomy: '207Q00000X', organizationName: 'NORTHWIND FAMILY MEDICINE',
      address: { line1: '100 HARBOR WAY', city: 'SPRINGFIELD', state: 'OR', postalCode: '974771234' }, contactName: 'BILLING OFFICE', phone: '5555550111',
    },
    renderingProvider: { npi: '1112223338', lastName: 'VALE', firstName: 'ROWAN', taxonomy: '207Q00000X' },
    patient: { patientId: `P-${account}`, lastName: 'QUILL', firstName: account.slice(2), birthDate: '1980-04-02', sex: 'U', address },
    guarantor: { accountNumber: account, lastName: 'QUILL', firstName: account.slice(2), address },
    coverages: payers.map((payerId, i) => ({ payerId, memberId: `M-${account}-${i}`, relationship: 'self', groupNumber: 'G1' })),
    diagnoses: ['I10'],
    lines: [{ lineControlNumber: `${id}-1`, procedureCode: code, modifiers: [], units: '1', charge, serviceDate: date, diagnosisPointers: [1] }],
  };
}
function payerProfile(payerId: string, identifier: string): Record<string, unknown> {
  return {
    payerId, name: `${payerId} SAMPLE PLAN`, payerIdentifier: identifier,
    receiver: { name: 'SAMPLE CLEARINGHOUSE', id: 'SAMPLECH', interchangeQualifier: 'ZZ', interchangeId: 'SAMPLECH', applicationId: 'SAMPLECH' },
    submitter: { name: 'NORTHWIND BILLING', id: 'NWB001', interchangeQualifier: 'ZZ', interchangeId: 'NWB001', applicationId: 'NWB001', contactName: 'CLAIMS DESK', phone: '5555550100' },
    usage: 'T', claimTypes: ['professional'], claimFilingIndicator: 'CI', patientControlNumberMax: 20,
  };
}
const line = (code: string, chargeCents: number, control: string, adjustments: GenRemittance['claims'][number]['lines'][number]['adjustments']) =>
  ({ code, chargeCents, lineControlNumber: control, adjustments });

beforeAll(async () => {
  db = await useTestDatabase();
  dir = await tempDir();
  await mkdir(path.join(dir, 'payers'));
  await writeFile(path.join(dir, 'payers', 'prima.json'), JSON.stringify(payerProfile('PRIMA', '11111')));
  await writeFile(path.join(dir, 'payers', 'secun.json'), JSON.stringify(payerProfile('SECUN', '22222')));
  const claims = [
    claimRecord('CA1', 'G-A', ['PRIMA'], '99213', '200.00', '2025-01-20'),
    claimRecord('CA2', 'G-A', ['PRIMA'], '96372', '100.00', '2025-01-22'),
    claimRecord('CB1', 'G-B', ['PRIMA', 'SECUN'], '99214', '300.00', '2025-01-21'),
    claimRecord('CC1', 'G-C', ['PRIMA'], '99215', '900.00', '2025-01-23'),
  ];
  const exportFile = await writeTemp(dir, 'export.ndjson', claims.map((c) => JSON.stringify(c)).join('\n') + '\n');
  const submitted = await cli(['submit', exportFile, '--payers', path.join(dir, 'payers'), '--out', path.join(dir, 'outbox'), '--as-of', '2025-01-24']);
  expect(submitted.stderr).toBe('');
  expect(submitted.code).toBe(0);
});

describe('837 submission through 835 posting to statements', () => {
  it('the charges are on the primary payer: 200 + 100 + 300 + 900 = 1,500.00', async () => {
    expect((await ledgerBalances(db.pool))['insurance_receivable:PRIMA:']).toBe(150000n);
  });

  it('a prepayment through `claims ingest` (a payments file) becomes a credit: nothing was owed yet', async () => {
    const file = await writeTemp(dir, 'lockbox-0125.csv', 'account,amount,date,method,reference\nG-A,50.00,2025-01-25,check,LBX-1\n');
    const outcome = await ingest(file);
    expect([outcome.status, outcome.sets.map((s) => [s.set, s.status])]).toEqual(['done', [['line 2', 'posted']]]);
    expect((await ledgerBalances(db.pool))['patient_credit::G-A']).toBe(-5000n);
  });

  it('2025-02-10: PR billed once every payer answered, CO never; the credit pays part; the plan gets its installment', async () => {
    const r1: GenRemittance = { set: '0001', trace: 'EFT-PRIMA-1', payerId: '1111111111', paymentDate: '20250201', claims: [
      { pcn: 'CA1', lines: [line('99213', 20000, 'CA1-1', [{ group: 'CO', reason: '45', cents: 5000 }, { group: 'PR', reason: '3', cents: 3000 }])] },
      { pcn: 'CA2', lines: [line('96372', 10000, 'CA2-1', [{ group: 'CO', reason: '45', cents: 2000 }, { group: 'PR', reason: '2', cents: 4000 }])] },
      { pcn: 'CB1', lines: [line('99214', 30000, 'CB1-1', [{ group: 'CO', reason: '45', cents: 6000 }, { group: 'PR', reason: '1', cents: 6000 }])] },
      { pcn: 'CC1', lines: [line('99215', 90000, 'CC1-1', [{ group: 'CO', reason: '45', cents: 10000 }, { group: 'PR', reason: '1', cents: 50000 }])] },
    ] };
    expect((await ingest(await writeTemp(dir, 'prima-0201.835', interchange([r1])))).status).toBe('done');
    const plans = await importPlansText(db.pool, 'account,amount,installments,start,frequency,created_on\nG-C,500.00,5,2025-03-01,monthly,2025-02-05\n', 'plans.csv', '2025-02-05');
    expect([plans.created, plans.rejected]).toEqual([1, []]);

    const r = await run('2025-02-10');
    expect(r.issued.map((s) => [s.accountNumber, s.kind, s.amountDueCents])).toEqual([['G-A', 'statement', 2000n], ['G-C', 'plan', 10000n]]);
    expect(r.ledger).toEqual({ timeouts: 0, timeoutsUndone: 0, creditsApplied: 1, smallBalances: 0 });
    const b = await ledgerBalances(db.pool);
    // The receivables equal what the statements say is owed; CO (50 + 20 + 60 + 100 = 230) stays on the practice's side.
    expect([b['patient_receivable::G-A'], b['patient_credit::G-A'], b['patient_receivable::G-C']]).toEqual([2000n, undefined, 50000n]);
    expect(b['patient_receivable::G-B']).toBeUndefined();
    expect(b['insurance_receivable:SECUN:']).toBe(6000n);
    expect(b['contractual_adjustment:PRIMA:']).toBe(23000n);
    const ga = await statementOf('G-A', '2025-02-10');
    // The credit goes to the oldest service first: CA1's 30.00 in full (settled, so not listed), then 20.00 of
    // CA2's 40.00. The totals are those of the services listed: CA2's 100.00 = 40 + 20 + 20 paid + 20 due.
    expect(ga.services.map((s) => [s.description, s.provider, s.patientPaidCents, s.balanceCents])).toEqual([['Injection into a muscle or under the skin', 'Northwind Family Medicine', 2000n, 2000n]]);
    expect(ga.totals).toEqual({ chargesCents: 10000n, insurancePaidCents: 4000n, adjustmentsCents: 2000n, pendingInsuranceCents: 0n, patientPaymentsCents: 2000n, balanceCents: 2000n, amountDueCents: 2000n });
    expect(ga.paymentsReceived).toEqual([{ date: '2025-01-25', method: 'check', amountCents: 5000n }]);
    const gc = await statementOf('G-C', '2025-02-10');
    expect([gc.totals.balanceCents, gc.totals.amountDueCents, gc.plan?.schedule.map((x) => x.dueOn)]).toEqual([50000n, 10000n, ['2025-03-01', '2025-04-01', '2025-05-01', '2025-06-01', '2025-07-01']]);
    const account = await cli(['account', 'G-B', '--as-of', '2025-02-10', '--json']);
    // SECUN's profile does not opt in to billing the patient for its silence (issue 18): no day it becomes the patient's.
    const state = JSON.parse(account.stdout).claims[0].state;
    expect(state).toMatchObject({ kind: 'waiting_next_payer', payerId: 'SECUN', since: '2025-02-01' });
    expect(state.timeoutOn).toBeUndefined();
  });

  it('2025-03-01: the secondary answered, so G-B is billed its 15.00', async () => {
    const s1: GenRemittance = { set: '0001', trace: 'EFT-SECUN-1', payerId: '2222222222', paymentDate: '20250225', claims: [
      { pcn: 'CB1', status: '2', lines: [line('99214', 30000, 'CB1-1', [{ group: 'OA', reason: '23', cents: 24000 }, { group: 'PR', reason: '1', cents: 1500 }])] },
    ] };
    expect((await ingest(await writeTemp(dir, 'secun-0225.835', interchange([s1])))).status).toBe('done');
    const r = await run('2025-03-01');
    expect(r.issued.map((s) => [s.accountNumber, s.amountDueCents])).toEqual([['G-B', 1500n]]);
    expect((await ledgerBalances(db.pool))['patient_receivable::G-B']).toBe(1500n);
  });

  it('an overpayment leaves a credit; after 60 days it is listed for refund; `claims account ... refund` records it once', async () => {
    const file = await writeTemp(dir, 'portal-0220.csv', 'account,amount,date,method,reference\nG-A,45.00,2025-02-20,card,PRT-9\n');
    expect((await ingest(file)).status).toBe('done');
    let b = await ledgerBalances(db.pool);
    expect([b['patient_receivable::G-A'], b['patient_credit::G-A']]).toEqual([undefined, -2500n]);

    // Day 59 after the credit appeared (02-20): not yet listed; day 60: listed.
    expect((await run('2025-04-20')).refundsDue.filter((x) => x.accountNumber === 'G-A')).toEqual([]);
    expect((await run('2025-04-21')).refundsDue.filter((x) => x.accountNumber === 'G-A')).toEqual([{ accountNumber: 'G-A', amountCents: 2500n, creditSince: '2025-02-20', days: 60 }]);

    const refund = ['account', 'G-A', 'refund', '--amount', '25.00', '--reference', 'CHK-501', '--date', '2025-04-22'];
    const first = await cli(refund);
    expect([first.code, first.stdout]).toEqual([0, 'refund CHK-501 recorded: $25.00 from account G-A on 2025-04-22; credit left $0.00\n']);
    b = await ledgerBalances(db.pool);
    // 50 + 45 in, 25 back out: 70.00 of cash from G-A.
    expect([b['patient_credit::G-A'], b['cash::']]).toEqual([undefined, 7000n]);
    const before = await ledgerDump(db.pool);
    const again = await cli(refund);
    expect([again.code, again.stdout]).toEqual([0, 'refund CHK-501 already recorded: $25.00 from account G-A on 2025-04-22; credit left $0.00\n']);
    const changed = await cli(['account', 'G-A', 'refund', '--amount', '20.00', '--reference', 'CHK-501', '--date', '2025-04-22']);
    expect([changed.code, changed.stderr]).toEqual([1, expect.stringContaining('REFUND_REFERENCE_CONFLICT')]);
    const overdraw = await cli(['account', 'G-A', 'refund', '--amount', '0.01', '--reference', 'CHK-502', '--date', '2025-04-22']);
    expect([overdraw.code, overdraw.stderr]).toEqual([1, expect.stringContaining('REFUND_EXCEEDS_CREDIT')]);
    expect(await ledgerDump(db.pool)).toEqual(before);
    expect((await run('2025-04-22')).refundsDue.filter((x) => x.accountNumber === 'G-A')).toEqual([]);
  });

  it('rerunning a date changes nothing and writes nothing', async () => {
    const before = await ledgerDump(db.pool);
    const csvBefore = await readFile(path.join(dir, 'out', 'statements-2025-02-10.csv'), 'utf8');
    const r = await run('2025-02-10');
    expect([r.issued, r.held, r.files]).toEqual([[], [], []]);
    expect(await ledgerDump(db.pool)).toEqual(before);
    expect(await readFile(path.join(dir, 'out', 'statements-2025-02-10.csv'), 'utf8')).toBe(csvBefore);
  });

  it('the audit trail: each statement run that issued, the refund and an account read, with who; append-only', async () => {
    const events = async () => (await db.pool.query<{ command: string; action: string; accounts: string[]; files: string[]; os_user: string; db_role: string }>(
      'SELECT command, action, accounts, files, os_user, db_role FROM audit_events ORDER BY id')).rows;
    const before = await events();
    // Statement runs write one event each when they issued something (the rerun above issued nothing).
    const statementRuns = before.filter((e) => e.command === 'statements');
    const issuedDates = (await db.pool.query<{ d: string }>('SELECT DISTINCT statement_date::text AS d FROM statements ORDER BY 1')).rows.map((r) => r.d);
    expect(statementRuns).toHaveLength(issuedDates.length);
    for (const e of statementRuns) {
      expect(e.action).toBe('write');
      expect(e.files.length).toBeGreaterThan(0);
      expect(['G-A', 'G-B', 'G-C']).toEqual(expect.arrayContaining(e.accounts));
    }
    // The refund was recorded once; the replay, the conflict and the overdraft wrote nothing and log nothing.
    expect(before.filter((e) => e.command === 'account refund').map((e) => [e.action, e.accounts])).toEqual([['write', ['G-A']]]);
    expect(before.every((e) => e.os_user !== '' && e.db_role !== '')).toBe(true);

    const view = await cli(['account', 'G-B', '--as-of', '2025-03-01', '--json']);
    expect(view.code, view.stderr).toBe(0);
    const after = await events();
    expect(after.slice(before.length).map((e) => [e.command, e.action, e.accounts])).toEqual([['account', 'read', ['G-B']]]);

    const trail = await cli(['audit', '--account', 'G-B', '--json']);
    expect(trail.code, trail.stderr).toBe(0);
    const listed = (JSON.parse(trail.stdout) as { events: { command: string; accounts: string[] }[] }).events;
    expect(listed.length).toBeGreaterThan(1);
    expect(listed.every((e) => e.accounts.includes('G-B'))).toBe(true);
    expect(listed.at(-1)).toMatchObject({ command: 'account', action: 'read', accounts: ['G-B'] });

    for (const sql of ["UPDATE audit_events SET os_user = 'someone'", 'DELETE FROM audit_events', 'TRUNCATE audit_events']) {
      await expect(db.pool.query(sql), sql).rejects.toThrow(/AUDIT_IMMUTABLE/);
    }
    expect(await events()).toEqual(after);
  });
});

