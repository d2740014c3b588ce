// Holds files on a real database: each row takes effect exactly once (by what it states, across files), and a
// dispute from a file recalls a placed account on the next referrals run. Synthetic accounts, figures by hand.
// Timeline: service 2025-01-15, the 835 on 2025-02-01 leaves 150.00 of PR to H-1 and 80.00 to H-2; statements
// 2025-02-10 (day 0), 03-12, 04-11, final notice 05-11; day 120 is 2025-06-10 (placement).
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { importHoldsText } from '../../src/collections/holds-file.ts';
import { runReferrals } from '../../src/collections/run.ts';
import { parseReferralSettings } from '../../src/collections/settings.ts';
import { ingestFile } from '../../src/pipeline/ingest-input.ts';
import { createLogger } from '../../src/runtime/logger.ts';
import { runStatements } from '../../src/statements/run.ts';
import { parseStatementSettings } from '../../src/statements/settings.ts';
import { interchange, type GenRemittance } from '../remittances/support/generate-835.ts';
import { insertSubmittedClaim, tempDir, writeTemp } from '../remittances/support/fixtures.ts';
import { useTestDatabase, type TestDatabase } from '../support/db.ts';

let db: TestDatabase;
let dir: string;
const logger = createLogger({ level: 'silent' });
const settings = parseReferralSettings({});
const PR: Record<string, number> = { 'H-1': 15000, 'H-2': 8000 };

const holdsOf = async (account: string) =>
  (await db.pool.query(`SELECT kind, opened_on::text, resolved_on::text, reason FROM account_holds WHERE account_number = $1 ORDER BY id`, [account])).rows;

beforeAll(async () => {
  db = await useTestDatabase();
  dir = await tempDir();
  const claims: GenRemittance['claims'] = [];
  for (const [account, pr] of Object.entries(PR)) {
    const pcn = `R${account}`;
    await insertSubmittedClaim(db.pool, { pcn, account, payers: ['PAYER-A', null], lines: [{ control: `${pcn}-1`, code: '99214', chargeCents: 50000n, date: '2025-01-15' }] });
    claims.push({ pcn, lines: [{ code: '99214', chargeCents: 50000, lineControlNumber: `${pcn}-1`, adjustments: [{ group: 'CO', reason: '45', cents: 10000 }, { group: 'PR', reason: '1', cents: pr }] }] });
  }
  const remit: GenRemittance = { set: '0001', trace: 'EFT-HOLDS1', payerId: '1111111111', paymentDate: '20250201', claims };
  const ingested = await ingestFile(await writeTemp(dir, 'r.835', interchange([remit])), { pool: db.pool, logger, failpoint: () => undefined, quarantineDir: path.join(dir, 'q') });
  expect(ingested.status).toBe('done');
  for (const date of ['2025-02-10', '2025-03-12', '2025-04-11', '2025-05-11']) {
    await runStatements(db.pool, { asOf: date, outDir: path.join(dir, 'st'), settings: parseStatementSettings({}), logger, perStatementPdf: false });
  }
});

describe('importHoldsText', () => {
  it('opens each stated hold once: the same file again, or an overlapping export, changes nothing', async () => {
    const file1 = 'account,kind,reason,date\nH-2,assistance,Application received,2025-05-20\nH-2,dispute,Disputes the deductible,2025-05-21\n';
    expect(await importHoldsText(db.pool, file1, 'a.holds.csv', '2025-05-31')).toMatchObject({ opened: 2, resolved: 0, duplicate: 0, rejected: [] });
    expect(await importHoldsText(db.pool, file1, 'a.holds.csv', '2025-05-31')).toMatchObject({ opened: 0, resolved: 0, duplicate: 2, rejected: [] });
    // Tomorrow's export repeats yesterday's dispute and resolves both holds.
    const file2 = 'account,kind,reason,date\nH-2,dispute,Disputes the deductible,2025-05-21\nH-2,resolve,Deductible explained; assistance approved,2025-05-25\n';
    expect(await importHoldsText(db.pool, file2, 'b.holds.csv', '2025-05-31')).toMatchObject({ opened: 0, resolved: 2, duplicate: 1, rejected: [] });
    // Sent again after the resolution: the old dispute is not reopened, and there is nothing left to resolve.
    expect(await importHoldsText(db.pool, file2, 'b.holds.csv', '2025-05-31')).toMatchObject({ opened: 0, resolved: 0, duplicate: 2, rejected: [] });
    expect(await importHoldsText(db.pool, file1, 'a.holds.csv', '2025-05-31')).toMatchObject({ opened: 0, resolved: 0, duplicate: 2, rejected: [] });
    expect(await holdsOf('H-2')).toEqual([
      { kind: 'assistance', opened_on: '2025-05-20', resolved_on: '2025-05-25', reason: 'Application received' },
      { kind: 'dispute', opened_on: '2025-05-21', resolved_on: '2025-05-25', reason: 'Disputes the deductible' },
    ]);
  });

  it('rejects a row for an unknown account or dated after the run date, and applies the rest', async () => {
    const text = 'account,kind,reason,date\nNOPE-9,dispute,x,2025-05-01\nH-2,dispute,Late-dated,2025-06-02\n';
    const r = await importHoldsText(db.pool, text, 'c.holds.csv', '2025-06-01');
    expect(r.rejected.map((e) => [e.code, e.location.file, e.location.line])).toEqual([
      ['ACCOUNT_UNKNOWN', 'c.holds.csv', 2], ['HOLD_DATE_IN_FUTURE', 'c.holds.csv', 3],
    ]);
    expect(r.opened).toBe(0);
    expect(await holdsOf('H-2')).toHaveLength(2);
  });

  it('a dispute from a file recalls the placed account on the next referrals run, once', async () => {
    const out = path.join(dir, 'referrals');
    const placed = await runReferrals(db.pool, { asOf: '2025-06-10', outDir: out, settings, logger, accounts: ['H-1', 'H-2'] });
    expect(placed.placed.map((p) => [p.accountNumber, p.amountCents])).toEqual([['H-1', 15000n], ['H-2', 8000n]]);

    const text = 'account,kind,reason,date\nH-1,dispute,Says the visit was covered in full,2025-06-20\n';
    expect(await importHoldsText(db.pool, text, 'd.holds.csv', '2025-06-21')).toMatchObject({ opened: 1 });
    const next = await runReferrals(db.pool, { asOf: '2025-06-21', outDir: out, settings, logger, accounts: ['H-1', 'H-2'] });
    expect(next.recalls.map((r) => [r.accountNumber, r.reason, r.amountCents])).toEqual([['H-1', 'DISPUTE', 15000n]]);
    expect(next.placed).toEqual([]);
    // The same file again the day after: no new hold, no second recall.
    expect(await importHoldsText(db.pool, text, 'd.holds.csv', '2025-06-22')).toMatchObject({ opened: 0, duplicate: 1 });
    const after = await runReferrals(db.pool, { asOf: '2025-06-22', outDir: out, settings, logger, accounts: ['H-1', 'H-2'] });
    expect(after.recalls).toEqual([]);
  });
});
