// Cancelling a payment plan: the account's current plan ends from the date, the dunning cycle resumes (a
// dunning statement instead of a plan statement), and cancelling again or an account without a plan
// changes nothing. Figures by hand: one claim, 400.00 charged, CO 100.00, PR 300.00 to the patient.
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase, type TestDatabase } from '../support/db.ts';
import { createLogger } from '../../src/runtime/logger.ts';
import { ingestFile } from '../../src/pipeline/ingest-input.ts';
import { interchange, type GenRemittance } from '../remittances/support/generate-835.ts';
import { insertSubmittedClaim, tempDir, writeTemp } from '../remittances/support/fixtures.ts';
import { runStatements } from '../../src/statements/run.ts';
import { parseStatementSettings } from '../../src/statements/settings.ts';
import { cancelPlan, createPlan } from '../../src/patients/plans-store.ts';

let db: TestDatabase;
let dir: string;
const logger = createLogger({ level: 'silent' });
const settings = parseStatementSettings({});
const run = (asOf: string) => runStatements(db.pool, { asOf, outDir: path.join(dir, 'out'), settings, logger, perStatementPdf: false });

beforeAll(async () => {
  db = await useTestDatabase();
  dir = await tempDir();
  await insertSubmittedClaim(db.pool, { pcn: 'PC-1', account: 'P-1', payers: ['PAYER-A', null], lines: [{ control: 'PC-1-1', code: '99215', chargeCents: 40000n, date: '2025-01-20' }] });
  const r: GenRemittance = { set: '0001', trace: 'EFT-PC1', payerId: '1111111111', paymentDate: '20250201', claims: [
    { pcn: 'PC-1', lines: [{ code: '99215', chargeCents: 40000, lineControlNumber: 'PC-1-1', adjustments: [{ group: 'CO', reason: '45', cents: 10000 }, { group: 'PR', reason: '1', cents: 30000 }] }] },
  ] };
  const out = await ingestFile(await writeTemp(dir, 'pc.835', interchange([r])), { pool: db.pool, logger, failpoint: () => undefined, quarantineDir: path.join(dir, 'q') });
  expect(out.status).toBe('done');
  await createPlan(db.pool, { accountNumber: 'P-1', totalCents: 30000n, installments: 3, startOn: '2025-02-15', frequency: 'monthly', createdOn: '2025-02-05', planKey: 'test-plan-P-1' });
});

describe('cancelling a payment plan', () => {
  it('ends the plan from the date; the next statement is a dunning one; again, or with no plan, nothing changes', async () => {
    expect((await run('2025-02-10')).issued.map((s) => [s.accountNumber, s.kind])).toEqual([['P-1', 'plan']]);
    expect(await cancelPlan(db.pool, 'P-1', '2025-02-20')).toMatchObject({ outcome: 'cancelled', cancelledOn: '2025-02-20' });
    expect(await cancelPlan(db.pool, 'P-1', '2025-02-25')).toMatchObject({ outcome: 'already_cancelled', cancelledOn: '2025-02-20' });
    expect(await cancelPlan(db.pool, 'NO-SUCH', '2025-02-25')).toEqual({ outcome: 'no_plan' });
    // 30 days after the plan statement: the cycle, not the plan, decides; nothing was paid, so 300.00 is due.
    const next = await run('2025-03-12');
    expect(next.issued.map((s) => [s.accountNumber, s.kind, s.amountDueCents])).toEqual([['P-1', 'statement', 30000n]]);
  });
});
