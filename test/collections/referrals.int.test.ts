// Collections on a real database, every figure written out by hand. Synthetic accounts (invented names).
// Timeline: service 2025-01-10..20, the primary's 835 on 2025-02-01 leaves PR to each patient; statements on
// 2025-02-10 (day 0), 03-12 (day 30), 04-11 (day 60) and the final notice on 05-11 (day 90).
// Day 119 is 2025-06-09 and day 120 is 2025-06-10 (Feb 10 + 18 = Feb 28, + 31 = Mar 31, + 30 = Apr 30,
// + 31 = May 31, + 9 = Jun 9 -> 119).
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase, type TestDatabase } from '../support/db.ts';
import { runCli } from '../support/cli.ts';
import { createLogger } from '../../src/runtime/logger.ts';
import { ingestFile } from '../../src/pipeline/ingest-input.ts';
import { interchange, type GenRemittance } from '../remittances/support/generate-835.ts';
import { insertSubmittedClaim, ledgerBalances, ledgerDump, tempDir, writeTemp } from '../remittances/support/fixtures.ts';
import { runStatements } from '../../src/statements/run.ts';
import { parseStatementSettings } from '../../src/statements/settings.ts';
import { ingestPaymentsFile } from '../../src/patients/payments-post.ts';
import { runReferrals } from '../../src/collections/run.ts';
import { parseReferralSettings } from '../../src/collections/settings.ts';
import { explainReferral } from '../../src/collections/explain.ts';
import { openAccountHold, resolveAccountHolds } from '../../src/patients/holds.ts';
import { ingestReturnsText } from '../../src/collections/returns.ts';
import { requestRecall } from '../../src/collections/run.ts';

let db: TestDatabase;
let dir: string;
const logger = createLogger({ level: 'silent' });
const statementSettings = parseStatementSettings({});
const defaults = parseReferralSettings({});
const nonProfit = parseReferralSettings({ nonProfit: true });
const nonProfit90 = parseReferralSettings({ nonProfit: true, daysAfterFirstStatement: 90 });
const out = () => path.join(dir, 'referrals');
const refer = (asOf: string, accounts: string[], settings = defaults) => runReferrals(db.pool, { asOf, outDir: out(), settings, logger, accounts });
const why = async (account: string, asOf: string, settings = defaults) => (await explainReferral(db.pool, account, asOf, settings))?.decision;
const csvRows = async (name: string) => (await readFile(path.join(out(), name), 'utf8')).split('\r\n').filter((l) => l !== '');

// PR per account, cents: G-1 200.00, G-2 20.00 (under the 25.00 minimum), G-3 150.00 (disputed early),
// G-4 300.00 and G-5 400.00 (non-profit), G-7 100.00 (two runs race for it), G-8 60.00 (recalled by command).
const PR: Record<string, number> = { 'G-1': 20000, 'G-2': 2000, 'G-3': 15000, 'G-4': 30000, 'G-5': 40000, 'G-7': 10000, 'G-8': 6000 };

beforeAll(async () => {
  db = await useTestDatabase();
  dir = await tempDir();
  const claims: GenRemittance['claims'] = [];
  for (const [account, pr] of Object.entries(PR)) {
    const pcn = `R${account}`;
    await insertSubmittedClaim(db.pool, { pcn, account, payers: ['PAYER-A', null], lines: [{ control: `${pcn}-1`, code: '99214', chargeCents: 50000n, date: '2025-01-15' }] });
    claims.push({ pcn, lines: [{ code: '99214', chargeCents: 50000, lineControlNumber: `${pcn}-1`, adjustments: [{ group: 'CO', reason: '45', cents: 10000 }, { group: 'PR', reason: '1', cents: pr }] }] });
  }
  const r1: GenRemittance = { set: '0001', trace: 'EFT-COLL1', payerId: '1111111111', paymentDate: '20250201', claims };
  const ingested = await ingestFile(await writeTemp(dir, 'r1.835', interchange([r1])), { pool: db.pool, logger, failpoint: () => undefined, quarantineDir: path.join(dir, 'q') });
  expect(ingested.status).toBe('done');
  await runStatements(db.pool, { asOf: '2025-02-10', outDir: path.join(dir, 'st'), settings: statementSettings, logger, perStatementPdf: false });
  // G-3 disputes the bill before its second statement: the cycle freezes there.
  await openAccountHold(db.pool, { accountNumber: 'G-3', kind: 'dispute', openedOn: '2025-03-01', reason: 'No Surprises Act dispute', source: 'test' });
  for (const date of ['2025-03-12', '2025-04-11', '2025-05-11']) {
    await runStatements(db.pool, { asOf: date, outDir: path.join(dir, 'st'), settings: statementSettings, logger, perStatementPdf: false });
  }
});

describe('referral rules on the real cycle', () => {
  it('the statement cycle ran: a final notice on day 90 for every account but the disputed one, frozen after statement 1', async () => {
    const rows = (await db.pool.query(`SELECT account_number, string_agg(kind || '@' || statement_date, ' ' ORDER BY statement_date) AS s FROM statements GROUP BY 1 ORDER BY 1`)).rows;
    const cycle = 'statement@2025-02-10 statement@2025-03-12 statement@2025-04-11 final_notice@2025-05-11';
    expect(rows).toEqual([
      { account_number: 'G-1', s: cycle }, { account_number: 'G-2', s: cycle }, { account_number: 'G-3', s: 'statement@2025-02-10' },
      { account_number: 'G-4', s: cycle }, { account_number: 'G-5', s: cycle }, { account_number: 'G-7', s: cycle }, { account_number: 'G-8', s: cycle },
    ]);
  });

  it('day 119 (2025-06-09): nobody is referred; each account says why', async () => {
    const before = await ledgerDump(db.pool);
    const r = await refer('2025-06-09', ['G-1', 'G-2', 'G-3']);
    expect(r.placed).toEqual([]);
    expect(r.notReferred).toEqual({ TOO_EARLY: 1, BELOW_MINIMUM: 1 });
    expect(await ledgerDump(db.pool)).toEqual(before);
    expect(await why('G-1', '2025-06-09')).toMatchObject({ refer: false, rule: 'TOO_EARLY', firstStatementOn: '2025-02-10', finalNoticeOn: '2025-05-11', eligibleOn: '2025-06-10', balanceCents: 20000n });
    expect(await why('G-2', '2025-06-09')).toMatchObject({ rule: 'BELOW_MINIMUM', balanceCents: 2000n });
    expect(await why('G-3', '2025-06-10')).toMatchObject({ rule: 'DISPUTED' });
  });

  it('day 120 (2025-06-10): G-1 is placed for 200.00; the balance moves to collections receivable once', async () => {
    const r = await refer('2025-06-10', ['G-1', 'G-2', 'G-3']);
    expect(r.placed.map((p) => [p.accountNumber, p.agencyId, p.amountCents])).toEqual([['G-1', 'DEFAULT', 20000n]]);
    const b = await ledgerBalances(db.pool);
    expect(b['patient_receivable::G-1']).toBeUndefined();
    expect(b['collections_receivable::G-1']).toBe(20000n);
    const rows = await csvRows('placements-DEFAULT-2025-06-10.csv');
    expect(rows.length).toBe(2);
    expect(rows[0]).toBe('account_number,referral_id,placed_on,guarantor_last_name,guarantor_first_name,guarantor_address_1,guarantor_address_2,guarantor_city,guarantor_state,guarantor_zip,guarantor_phone,guarantor_email,guarantor_birth_date,patient_last_name,patient_first_name,patient_relationship,last_service_date,original_balance,current_balance,last_payment_date,last_payment_amount,itemization_date,itemization_balance,interest_since_itemization,fees_since_itemization,payments_since_itemization,credits_since_itemization,deceased,bankruptcy,attorney,dispute,workers_comp_or_accident,credit_reportable,credit_report_not_before,creditor_name,creditor_tax_id');
    const id = r.placed[0]?.referralId;
    // The fixture's guarantor is also the patient (same name): relationship self, birth date 1980-01-01.
    // 200.00 is under the bureaus' 500.00: not credit-reportable; and not before a year after the final notice.
    // The creditor is the practice 'default' (a single-practice office: its name as migrated, no tax id).
    expect(rows[1]).toBe(`G-1,${id},2025-06-10,Testperson,Avery,1 Example Way,,Springfield,IL,62701,,,1980-01-01,Testperson,Avery,self,2025-01-15,200.00,200.00,,0.00,2025-05-11,200.00,0.00,0.00,0.00,0.00,N,N,N,N,N,N,2026-05-11,Default practice,`);
    expect((await stat(path.join(out(), 'placements-DEFAULT-2025-06-10.csv'))).mode & 0o777).toBe(0o600);
  });

  it('rerunning the same date, or a later one, never refers the same balance again', async () => {
    const before = await ledgerDump(db.pool);
    const again = await refer('2025-06-10', ['G-1']);
    const later = await refer('2025-06-11', ['G-1']);
    expect([again.placed, later.placed, again.files, later.files]).toEqual([[], [], [], []]);
    expect(later.notReferred).toEqual({ ALREADY_REFERRED: 1 });
    expect(await ledgerDump(db.pool)).toEqual(before);
    expect((await db.pool.query(`SELECT count(*)::int AS n FROM referrals WHERE account_number = 'G-1'`)).rows[0].n).toBe(1);
  });

  it('two runs racing for the same account place it once', async () => {
    const [a, b] = await Promise.all([refer('2025-06-10', ['G-7']), refer('2025-06-10', ['G-7'])]);
    expect([...a.placed, ...b.placed].map((p) => [p.accountNumber, p.amountCents])).toEqual([['G-7', 10000n]]);
    expect((await ledgerBalances(db.pool))['collections_receivable::G-7']).toBe(10000n);
    expect((await db.pool.query(`SELECT count(*)::int AS n FROM entries WHERE key LIKE 'collections-referral:G-7:%'`)).rows[0].n).toBe(1);
  });
});

describe('bankruptcy flag', () => {
  it('is read as a hold from the day it is set until it is cleared: referral stops for the automatic stay', async () => {
    // G-2 is below the minimum; the flag's rule comes first while it is set (2026-01-01 to 2026-02-01).
    await db.pool.query(`INSERT INTO account_flags (account_number, flag, set_on, cleared_on, note) VALUES ('G-2', 'bankruptcy', '2026-01-01', '2026-02-01', 'chapter 7 filed')`);
    expect(await why('G-2', '2025-12-31')).toMatchObject({ rule: 'BELOW_MINIMUM' });
    expect(await why('G-2', '2026-01-01')).toMatchObject({ refer: false, rule: 'BANKRUPTCY' });
    expect((await explainReferral(db.pool, 'G-2', '2026-01-15', defaults))?.holds).toEqual([{ kind: 'bankruptcy', openedOn: '2026-01-01', resolvedOn: null, reason: 'chapter 7 filed' }]);
    expect(await why('G-2', '2026-02-01')).toMatchObject({ rule: 'BELOW_MINIMUM' });
  });
});

describe('after placement', () => {
  it('a payment to the practice after placement goes to the agency as a balance update (200.00 - 50.00 = 150.00)', async () => {
    const file = await writeTemp(dir, 'pay.csv', 'account,amount,date,method,reference\nG-1,50.00,2025-06-20,check,COLL-1\nG-7,100.00,2025-06-15,card,COLL-7\n');
    expect((await ingestPaymentsFile(db.pool, file, logger)).posted).toBe(2);
    const r = await refer('2025-06-21', ['G-1', 'G-7']);
    expect(r.updates.map((u) => [u.accountNumber, u.kind, u.amountCents, u.balanceCents])).toEqual([['G-1', 'payment', 5000n, 15000n], ['G-7', 'payment', 10000n, 0n]]);
    // G-7 paid in full: recalled on zero balance.
    expect(r.recalls.map((c) => [c.accountNumber, c.reason, c.amountCents])).toEqual([['G-7', 'ZERO_BALANCE', 0n]]);
    const b = await ledgerBalances(db.pool);
    expect([b['collections_receivable::G-1'], b['patient_credit::G-1'], b['collections_receivable::G-7'], b['patient_credit::G-7']]).toEqual([15000n, undefined, undefined, undefined]);
    expect(await csvRows('updates-DEFAULT-2025-06-21.csv')).toEqual([
      'account_number,referral_id,transaction_date,transaction_type,amount,new_balance,last_payment_date',
      `G-1,${r.updates[0]?.referralId},2025-06-21,PAYMENT,50.00,150.00,2025-06-20`,
      `G-7,${r.updates[1]?.referralId},2025-06-21,PAYMENT,100.00,0.00,2025-06-15`,
    ]);
    expect(await csvRows('recalls-DEFAULT-2025-06-21.csv')).toEqual(['account_number,referral_id,recall_date,recall_reason,balance', `G-7,${r.updates[1]?.referralId},2025-06-21,ZERO_BALANCE,0.00`]);
    expect((await db.pool.query(`SELECT status FROM referrals WHERE account_number = 'G-7'`)).rows[0].status).toBe('paid');
    const again = await refer('2025-06-21', ['G-1', 'G-7']);
    expect([again.updates, again.recalls, again.files]).toEqual([[], [], []]);
  });

  it('a dispute opened after placement recalls the account and brings 150.00 back; it is never re-referred', async () => {
    await openAccountHold(db.pool, { accountNumber: 'G-1', kind: 'dispute', openedOn: '2025-06-25', reason: 'billing error claimed', source: 'test' });
    const r = await refer('2025-06-26', ['G-1']);
    expect(r.recalls.map((c) => [c.accountNumber, c.reason, c.amountCents])).toEqual([['G-1', 'DISPUTE', 15000n]]);
    const b = await ledgerBalances(db.pool);
    expect([b['collections_receivable::G-1'], b['patient_receivable::G-1']]).toEqual([undefined, 15000n]);
    expect((await csvRows('recalls-DEFAULT-2025-06-26.csv'))[1]).toMatch(/^G-1,\d+,2025-06-26,DISPUTE,150\.00$/);
    await resolveAccountHolds(db.pool, { accountNumber: 'G-1', resolvedOn: '2025-07-01', resolution: 'upheld' });
    expect(await why('G-1', '2025-12-01')).toMatchObject({ refer: false, rule: 'RECALLED_BALANCE' });
    expect((await refer('2025-12-01', ['G-1'])).placed).toEqual([]);
  });

  it('a recall by command is written by the next run, with the balance (60.00) back to the practice', async () => {
    const placed = await refer('2025-06-10', ['G-8']);
    expect(placed.placed.map((p) => [p.accountNumber, p.amountCents])).toEqual([['G-8', 6000n]]);
    expect(await requestRecall(db.pool, 'G-8', '2025-06-12', 'patient paying the practice')).toEqual({ referralId: placed.placed[0]?.referralId, agencyId: 'DEFAULT' });
    expect(await requestRecall(db.pool, 'G-2', '2025-06-12', 'never placed')).toBeNull();
    expect((await refer('2025-06-11', ['G-8'])).recalls).toEqual([]);
    const r = await refer('2025-06-12', ['G-8']);
    expect(r.recalls.map((c) => [c.accountNumber, c.reason, c.amountCents])).toEqual([['G-8', 'REQUESTED', 6000n]]);
    expect((await ledgerBalances(db.pool))['patient_receivable::G-8']).toBe(6000n);
  });
});

describe('non-profit mode (IRS 501(r))', () => {
  it('G-4: the written notice goes out on 2025-05-20; no referral until 30 days later (06-18 no, 06-19 yes)', async () => {
    const n = await refer('2025-05-20', ['G-4'], nonProfit);
    expect(n.notices).toEqual([{ accountNumber: 'G-4', practiceId: 'default', ecaNotBefore: '2025-06-19' }]);
    expect((await csvRows('eca-notices-2025-05-20.csv'))[1]).toBe('G-4,2025-05-20,Testperson,Avery,1 Example Way,,Springfield,IL,62701,300.00,2025-06-19,referral to a collection agency that may report to credit bureaus,2025-10-08');
    expect((await refer('2025-06-10', ['G-4'], nonProfit)).notReferred).toEqual({ ECA_NOTICE_PERIOD: 1 });
    expect((await refer('2025-06-18', ['G-4'], nonProfit)).notReferred).toEqual({ ECA_NOTICE_PERIOD: 1 });
    const r = await refer('2025-06-19', ['G-4'], nonProfit);
    expect(r.placed.map((p) => [p.accountNumber, p.amountCents])).toEqual([['G-4', 30000n]]);
  });

  it('G-5: a configured 90 days is raised to 120 (06-09 too early); the notice sent on day 120 holds the referral to 07-10', async () => {
    expect(await why('G-5', '2025-06-09', nonProfit90)).toMatchObject({ rule: 'TOO_EARLY', eligibleOn: '2025-06-10' });
    const n = await refer('2025-06-10', ['G-5'], nonProfit90);
    expect([n.placed, n.notices, n.notReferred]).toEqual([[], [{ accountNumber: 'G-5', practiceId: 'default', ecaNotBefore: '2025-07-10' }], { ECA_NOTICE_REQUIRED: 1 }]);
    expect(await why('G-5', '2025-07-09', nonProfit90)).toMatchObject({ rule: 'ECA_NOTICE_PERIOD', ecaNoticeOn: '2025-06-10' });
    const r = await refer('2025-07-10', ['G-5'], nonProfit90);
    expect(r.placed.map((p) => [p.accountNumber, p.amountCents])).toEqual([['G-5', 40000n]]);
  });

  it('an assistance application on day 160 (within 240) recalls G-5 from the agency', async () => {
    await openAccountHold(db.pool, { accountNumber: 'G-5', kind: 'assistance', openedOn: '2025-07-20', reason: 'application received', source: 'test' });
    const r = await refer('2025-07-21', ['G-5'], nonProfit90);
    expect(r.recalls.map((c) => [c.accountNumber, c.reason, c.amountCents])).toEqual([['G-5', 'ASSISTANCE', 40000n]]);
  });
});

describe('agency returns', () => {
  it('posts what the agency collected, then writes off the rest as bad debt; a redelivered file posts nothing', async () => {
    const id = (await db.pool.query(`SELECT id::text AS id FROM referrals WHERE account_number = 'G-4'`)).rows[0].id as string;
    const text = `agency,account_number,referral_id,type,amount,date,reference\nDEFAULT,G-4,${id},PAYMENT,100.00,2025-07-01,AG-1\nDEFAULT,G-4,${id},UNCOLLECTABLE,,2025-08-01,AG-2\nDEFAULT,G-9,${id},PAYMENT,5.00,2025-07-01,AG-3\n`;
    const r = await ingestReturnsText(db.pool, text, { sha256: 'a'.repeat(64), fileName: 'agency.returns.csv' });
    expect([r.posted, r.duplicates, r.collectedCents, r.writtenOffCents, r.rejected.map((e) => [e.code, e.location.line])]).toEqual([2, 0, 10000n, 20000n, [['RETURNS_REFERRAL_UNKNOWN', 4]]]);
    const b = await ledgerBalances(db.pool);
    expect([b['collections_receivable::G-4'], b['bad_debt::G-4']]).toEqual([undefined, 20000n]);
    expect((await db.pool.query(`SELECT status, closed_on::text AS closed_on FROM referrals WHERE id = $1`, [id])).rows[0]).toEqual({ status: 'returned', closed_on: '2025-08-01' });
    const again = await ingestReturnsText(db.pool, text, { sha256: 'a'.repeat(64), fileName: 'agency.returns.csv' });
    expect([again.posted, again.duplicates]).toEqual([0, 2]);
  });
});

describe('minimum necessary', () => {
  it('no placement file value is a diagnosis or a procedure code of the claims', async () => {
    const codes = new Set<string>((await db.pool.query(`SELECT procedure_code, sent_procedure_code, modifiers, revenue_code FROM claim_lines`)).rows.flatMap((r) => [r.procedure_code, r.sent_procedure_code, ...r.modifiers, r.revenue_code].filter(Boolean)));
    expect(codes.has('99214')).toBe(true);
    const files = (await db.pool.query(`SELECT file_name FROM collection_files WHERE kind = 'placement'`)).rows.map((r) => r.file_name as string);
    expect(files.length).toBeGreaterThanOrEqual(3);
    let cells = 0;
    for (const f of files) {
      const [header, ...rows] = await csvRows(f);
      expect(header).not.toMatch(/diag|icd|procedure|cpt|hcpcs|note|modifier/i);
      for (const row of rows) {
        for (const cell of row.split(',')) {
          cells += 1;
          expect(codes.has(cell)).toBe(false);
          expect(cell).not.toMatch(/^[A-Z]\d[0-9A-Z](\.?[0-9A-Z]{1,4})?$/); // ICD-10-CM shape
        }
      }
    }
    expect(cells).toBeGreaterThan(60);
  });
});

describe('claims account --json', () => {
  it('explains the decision with its rule and dates', async () => {
    const r = await runCli(['account', 'G-2', '--json', '--as-of', '2025-06-10'], { env: { DATABASE_URL: db.url } });
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.referral.decision).toMatchObject({ refer: false, rule: 'BELOW_MINIMUM', balanceCents: 2000, firstStatementOn: '2025-02-10', finalNoticeOn: '2025-05-11', eligibleOn: '2025-06-10' });
  });
});

describe('insurance hold', () => {
  it('is stored (migration 0012 allows the kind), freezes referral, and is resolved by kind', async () => {
    const opened = await openAccountHold(db.pool, { accountNumber: 'G-2', kind: 'insurance', openedOn: '2026-03-01', reason: 'appeal in progress', source: 'test' });
    expect(opened.status).toBe('opened');
    expect(await why('G-2', '2026-03-02')).toMatchObject({ refer: false, rule: 'INSURANCE_PENDING' });
    expect(await resolveAccountHolds(db.pool, { accountNumber: 'G-2', kind: 'insurance', resolvedOn: '2026-03-10', resolution: 'appeal denied' })).toEqual([{ holdId: expect.any(String), kind: 'insurance' }]);
    expect(await why('G-2', '2026-03-10')).toMatchObject({ rule: 'BELOW_MINIMUM' });
  });
});

describe('a balance that arrives after the final notice', () => {
  it('is not referred with the balance the notice asked for (G-2: 20.00 noticed on 05-11, 100.00 new on 05-20)', async () => {
    await insertSubmittedClaim(db.pool, { pcn: 'RG-2B', account: 'G-2', payers: ['PAYER-A', null], lines: [{ control: 'RG-2B-1', code: '99213', chargeCents: 30000n, date: '2025-05-02' }] });
    const late: GenRemittance = { set: '0001', trace: 'EFT-COLL-LATE', payerId: '1111111111', paymentDate: '20250520', claims: [
      { pcn: 'RG-2B', lines: [{ code: '99213', chargeCents: 30000, lineControlNumber: 'RG-2B-1', adjustments: [{ group: 'CO', reason: '45', cents: 5000 }, { group: 'PR', reason: '2', cents: 10000 }] }] },
    ] };
    const ingested = await ingestFile(await writeTemp(dir, 'late.835', interchange([late], { isa13: '000000777' })), { pool: db.pool, logger, failpoint: () => undefined, quarantineDir: path.join(dir, 'q') });
    expect(ingested.status).toBe('done');
    expect((await ledgerBalances(db.pool))['patient_receivable::G-2']).toBe(12000n);
    // Before: 120.00 would have gone to the agency, 100.00 of it never billed. Now the 20.00 the notice
    // asked for is what counts, and it is under the 25.00 minimum.
    expect(await why('G-2', '2025-06-10')).toMatchObject({ refer: false, rule: 'BELOW_MINIMUM', balanceCents: 2000n });
    expect((await refer('2025-06-10', ['G-2'])).placed).toEqual([]);
    // The new balance is billed: a statement after the final notice starts its own run of statements.
    const st = await runStatements(db.pool, { asOf: '2025-05-25', outDir: path.join(dir, 'st-late'), settings: statementSettings, logger, perStatementPdf: false, accounts: ['G-2'] });
    expect(st.issued.map((x) => [x.accountNumber, x.kind, x.amountDueCents])).toEqual([['G-2', 'statement', 12000n]]);
  });
});
