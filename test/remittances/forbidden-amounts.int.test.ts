// Issue 16: amounts the 835 guide forbids quarantine the remittance (nothing posts) with a reason located
// to file, interchange, set, segment and element; and every problem of a set is reported, not only the
// first, with balancing still judged on the amounts that could be read. Files written for the tests by
// the test generator, then edited where the generator cannot go wrong on purpose.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase, type TestDatabase } from '../support/db.ts';
import { createLogger } from '../../src/runtime/logger.ts';
import { ingestFile } from '../../src/pipeline/ingest-input.ts';
import { interchange, type GenRemittance } from './support/generate-835.ts';
import { ledgerBalances, tempDir, writeTemp } from './support/fixtures.ts';

let db: TestDatabase;
let dir: string;
const logger = createLogger({ level: 'silent' });
const ingest = (file: string) => ingestFile(file, { pool: db.pool, logger, failpoint: () => undefined, quarantineDir: path.join(dir, 'quarantine') });

beforeAll(async () => {
  db = await useTestDatabase();
  dir = await tempDir();
});

const line = (chargeCents: number, co = 0) => ({ code: '99213', chargeCents, adjustments: co > 0 ? [{ group: 'CO' as const, reason: '45', cents: co }] : [] });

async function nothingPosted(): Promise<void> {
  const b = await ledgerBalances(db.pool);
  expect(Object.keys(b).filter((k) => k.startsWith('payer_clearing:835:4'))).toEqual([]);
}

describe('amounts the 835 guide forbids', () => {
  it('quarantines a remittance whose BPR02 is below zero, naming BPR02', async () => {
    // Balanced as written: 50.00 paid on the claim, 80.00 taken back (PLB WO): BPR02 -30.00.
    const r: GenRemittance = { set: '0001', trace: 'NEG-1', payerId: '4000000001', claims: [{ pcn: 'N-1', lines: [line(5000)] }], plb: [{ code: 'WO', reference: 'OLD-1', cents: 8000 }] };
    const text = interchange([r]);
    expect(text).toContain('BPR*I*30*D*');
    const file = await writeTemp(dir, 'negative-bpr02.835', text.replace('BPR*I*30*D*', 'BPR*I*-30*C*'));
    const outcome = await ingest(file);
    expect(outcome.sets.map((s) => s.status)).toEqual(['quarantined']);
    const e = outcome.sets[0]!.reasons[0]!;
    expect(e.code).toBe('REMIT_PAYMENT_NEGATIVE');
    expect(e.location).toMatchObject({ file: 'negative-bpr02.835', interchange: '000000001', set: '0001', segmentTag: 'BPR', element: 2, segmentIndex: 3 });
    expect(e.message).toContain('BPR02');
    expect(e.found).toContain('-30');
    const report = JSON.parse(await readFile(outcome.quarantined!.reportPath, 'utf8'));
    expect(report.errors.map((x: { code: string }) => x.code)).toEqual(['REMIT_PAYMENT_NEGATIVE']);
    await nothingPosted();
  });

  it('quarantines a payment on a denied (CLP02 4) or predetermination (CLP02 25) claim, naming CLP04', async () => {
    const r: GenRemittance = {
      set: '0001', trace: 'DEN-1', payerId: '4000000002',
      claims: [{ pcn: 'D-1', status: '4', lines: [line(10000, 2000)] }, { pcn: 'D-2', status: '25', lines: [line(7000, 7000)] }, { pcn: 'D-3', status: '25', lines: [line(6000, 1000)] }],
    };
    const outcome = await ingest(await writeTemp(dir, 'denied-paid.835', interchange([r])));
    expect(outcome.sets.map((s) => s.status)).toEqual(['quarantined']);
    // D-2 pays nothing (all of it CO): allowed. D-1 and D-3 pay: both reported.
    expect(outcome.sets[0]!.reasons.map((e) => [e.code, e.location.claim, e.location.segmentTag, e.location.element, e.location.file, e.location.interchange])).toEqual([
      ['REMIT_PAYMENT_NOT_ALLOWED', 'D-1', 'CLP', 4, 'denied-paid.835', '000000001'],
      ['REMIT_PAYMENT_NOT_ALLOWED', 'D-3', 'CLP', 4, 'denied-paid.835', '000000001'],
    ]);
    expect(outcome.sets[0]!.reasons[0]!.message).toMatch(/CLP02 4 \(denied\).*CLP04 \(80\)/);
    await nothingPosted();
  });

  it('quarantines an amount with a third decimal, the reason naming the element, beside every other problem', async () => {
    const r: GenRemittance = { set: '0001', trace: 'DEC-1', payerId: '4000000003', claims: [{ pcn: 'C-1', lines: [line(12000, 2000)] }, { pcn: 'C-2', lines: [line(5000)] }] };
    const text = interchange([r]);
    expect(text).toContain('SVC*HC:99213*120*100**1');
    const file = await writeTemp(dir, 'three-decimals.835', text.replace('SVC*HC:99213*120*100**1', 'SVC*HC:99213*120.005*100**1'));
    const outcome = await ingest(file);
    expect(outcome.sets.map((s) => s.status)).toEqual(['quarantined']);
    const e = outcome.sets[0]!.reasons[0]!;
    expect(e.code).toBe('MONEY_PRECISION');
    expect(e.location).toMatchObject({ file: 'three-decimals.835', interchange: '000000001', set: '0001', segmentTag: 'SVC', element: 2, claim: 'C-1' });
    expect(e.message).toContain('SVC02 (line item charge amount)');
    await nothingPosted();
  });
});

describe('every problem of a set', () => {
  it('reports a bad BPR16, a forbidden payment and an unbalanced claim together; balancing judged on the whole set', async () => {
    const r: GenRemittance = {
      set: '0001', trace: 'ALL-1', payerId: '4000000004',
      claims: [
        { pcn: 'A-1', lines: [line(10000, 1000)] },
        { pcn: 'A-2', status: '4', lines: [line(8000, 3000)] },
        // Unbalanced at claim level: CLP04 says 70.00, 100.00 - 10.00 is 90.00.
        { pcn: 'A-3', lines: [line(10000, 1000)], paidCents: 7000 },
      ],
    };
    const text = interchange([r]);
    const file = await writeTemp(dir, 'many-problems.835', text.replace('*DA*98765*20240315~', '*DA*98765*2024-03-15~'));
    const outcome = await ingest(file);
    expect(outcome.sets.map((s) => s.status)).toEqual(['quarantined']);
    const reasons = outcome.sets[0]!.reasons.filter((e) => e.severity === 'error');
    expect(reasons.map((e) => [e.code, e.location.segmentTag, e.location.element, e.location.claim])).toEqual([
      ['REMIT_DATE_INVALID', 'BPR', 16, undefined],
      ['REMIT_PAYMENT_NOT_ALLOWED', 'CLP', 4, 'A-2'],
      ['REMIT_UNBALANCED', 'CLP', 4, 'A-3'],
    ]);
    // The remittance level is judged too: BPR02 was read (it is the generator's sum, which includes A-3's 70.00).
    for (const e of reasons) expect(e.location).toMatchObject({ file: 'many-problems.835', interchange: '000000001', set: '0001' });
    const report = JSON.parse(await readFile(outcome.quarantined!.reportPath, 'utf8'));
    expect(report.errors).toHaveLength(3);
    await nothingPosted();
  });
});
