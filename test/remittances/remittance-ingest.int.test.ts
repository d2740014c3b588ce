// Proof on a real database: totals written out by hand (or from the test generator), redelivery and
// conflicts, secondary coverage, reversal + correction, and quarantine of an unbalanced remittance.
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase, type TestDatabase } from '../support/db.ts';
import { createLogger } from '../../src/runtime/logger.ts';
import { ingestFile } from '../../src/pipeline/ingest-input.ts';
import { unmatchedReport } from '../../src/remittances/reports.ts';
import { interchange, totals, type GenRemittance } from './support/generate-835.ts';
import { insertSubmittedClaim, ledgerBalances, tempDir, writeTemp } from './support/fixtures.ts';

let db: TestDatabase;
let dir: string;
const logger = createLogger({ level: 'silent' });
const ingest = (file: string) => ingestFile(file, { pool: db.pool, logger, failpoint: () => undefined, quarantineDir: path.join(dir, 'quarantine') });

beforeAll(async () => {
  db = await useTestDatabase();
  dir = await tempDir();
});

describe('835 ingest', () => {
  it('posts the balanced remittance, quarantines the unbalanced one, and the totals match the generator', async () => {
    const good: GenRemittance = {
      set: '0001', trace: 'EFT-A1', payerId: '1000000001', paymentDate: '20240320',
      claims: [
        { pcn: 'U-100', lines: [{ code: '99213', chargeCents: 12000, adjustments: [{ group: 'CO', reason: '45', cents: 2500 }, { group: 'PR', reason: '3', cents: 2000 }] }] },
        { pcn: 'U-101', lines: [{ code: '99214', chargeCents: 20000, adjustments: [{ group: 'CO', reason: '45', cents: 4000 }, { group: 'PR', reason: '1', cents: 5000 }, { group: 'PR', reason: '2', cents: 1500 }] }] },
      ],
      plb: [{ code: 'L6', cents: -137 }],
    };
    const bad: GenRemittance = { set: '0002', trace: 'EFT-A2', payerId: '1000000001', claims: [{ pcn: 'U-102', lines: [{ code: '99213', chargeCents: 10000, paidCents: 9000, adjustments: [{ group: 'CO', reason: '45', cents: 500 }] }] }] };
    const file = await writeTemp(dir, 'mixed.835', interchange([good, bad]));
    const outcome = await ingest(file);
    expect(outcome.sets.map((s) => s.status)).toEqual(['posted', 'quarantined']);
    expect(outcome.status).toBe('partial');
    // By hand: paid = 120 - 25 - 20 = 75.00 and 200 - 40 - 50 - 15 = 95.00; L6 -1.37 adds to the deposit.
    expect(totals([good]).paymentCents).toBe(7500 + 9500 + 137);
    const b = await ledgerBalances(db.pool);
    expect(b['payer_clearing:835:1000000001:']).toBe(17137n);
    expect(b['contractual_adjustment:835:1000000001:']).toBe(6500n);
    expect(b['interest_income:835:1000000001:']).toBe(-137n);
    // Unmatched claims: charges recorded from CLP03 (120 + 200), PR to provisional patients (20, 65).
    expect(b['revenue::']).toBe(-32000n);
    const patientTotals = Object.entries(b).filter(([k]) => k.startsWith('patient_receivable:')).map(([, v]) => v).sort((x, y) => Number(x - y));
    expect(patientTotals).toEqual([2000n, 6500n]);
    expect(Object.values(b).reduce((t, v) => t + v, 0n)).toBe(0n);
    // The quarantine copy and its report name ST02, level, claim and amounts.
    const report = JSON.parse(await readFile(outcome.quarantined!.reportPath, 'utf8'));
    const first = report.errors[0];
    expect(first.code).toBe('REMIT_UNBALANCED');
    expect(first.location).toMatchObject({ set: '0002', claim: 'U-102', segmentTag: 'SVC', element: 3 });
    expect(first.message).toContain('line level');
    expect(first.message).toContain('SVC03 should be 95.00, the file says 90.00');
    expect([first.expected, first.found]).toEqual(['9500', '9000']);
    expect(await readFile(outcome.quarantined!.path, 'utf8')).toBe(await readFile(file, 'utf8'));
  });

  it('adds nothing on a redelivery (same file, or the same file under another name) and quarantines a conflict', async () => {
    const spec: GenRemittance = { set: '0001', trace: 'EFT-B1', payerId: '1000000002', claims: [{ pcn: 'U-200', lines: [{ code: '99213', chargeCents: 10000, adjustments: [{ group: 'CO', reason: '45', cents: 3000 }] }] }] };
    const first = await ingest(await writeTemp(dir, 'b1.835', interchange([spec])));
    expect(first.status).toBe('done');
    const before = await ledgerBalances(db.pool);
    const again = await ingest(await writeTemp(dir, 'b1.835', interchange([spec])));
    const renamed = await ingest(await writeTemp(dir, 'b1-copy-from-sftp.835', interchange([spec], { isa13: '000000777' })));
    expect([again.status, renamed.status]).toEqual(['duplicate', 'duplicate']);
    expect(await ledgerBalances(db.pool)).toEqual(before);
    const changed = await ingest(await writeTemp(dir, 'b1-changed.835', interchange([{ ...spec, claims: [{ ...spec.claims[0]!, lines: [{ code: '99213', chargeCents: 10000, adjustments: [{ group: 'CO', reason: '45', cents: 3100 }] }] }] }])));
    expect(changed.status).toBe('quarantined');
    expect(changed.sets[0]!.reasons[0]!.code).toBe('REMIT_CONFLICT');
    expect(await ledgerBalances(db.pool)).toEqual(before);
    const names = await readdir(path.join(dir, 'quarantine'));
    expect(names).toContain('b1-changed.835.error.json');
  });

  it('moves PR to the secondary payer, then the secondary pays against it without re-posting OA-23', async () => {
    const claimId = await insertSubmittedClaim(db.pool, {
      pcn: 'C-1', account: 'G-1', payers: ['PAYER-A', 'PAYER-B'],
      lines: [{ control: 'C-1-1', code: '99214', chargeCents: 15000n, date: '2024-03-01' }, { control: 'C-1-2', code: '81002', chargeCents: 5000n, date: '2024-03-01' }],
    });
    const primary: GenRemittance = { set: '0001', trace: 'EFT-P1', payerId: '1111111111', claims: [{ pcn: 'C-1', lines: [
      // Re-coded by the payer (99213): REF*6R still matches it.
      { code: '99213', chargeCents: 15000, lineControlNumber: 'C-1-1', adjustments: [{ group: 'CO', reason: '45', cents: 3000 }, { group: 'PR', reason: '1', cents: 2000 }] },
      { code: '81002', chargeCents: 5000, lineControlNumber: 'C-1-2', adjustments: [{ group: 'PR', reason: '2', cents: 1000 }] },
    ] }] };
    expect((await ingest(await writeTemp(dir, 'p1.835', interchange([primary])))).status).toBe('done');
    // By hand: 200 charged; A paid 140, CO 30, PR 30 moved to B.
    expect(await ledgerBalances(db.pool, claimId)).toEqual({
      'contractual_adjustment:PAYER-A:': 3000n, 'insurance_receivable:PAYER-B:': 3000n, 'payer_clearing:PAYER-A:': 14000n, 'revenue::': -20000n,
    });
    const secondary: GenRemittance = { set: '0001', trace: 'EFT-S1', payerId: '2222222222', claims: [{ pcn: 'C-1', status: '2', lines: [
      { code: '99214', chargeCents: 15000, lineControlNumber: 'C-1-1', adjustments: [{ group: 'OA', reason: '23', cents: 13000 }, { group: 'PR', reason: '1', cents: 500 }] },
      { code: '81002', chargeCents: 5000, lineControlNumber: 'C-1-2', adjustments: [{ group: 'OA', reason: '23', cents: 4000 }] },
    ] }] };
    expect((await ingest(await writeTemp(dir, 's1.835', interchange([secondary])))).status).toBe('done');
    // B paid 15 + 10 = 25 of its 30; the 5 left is the patient's; OA-23 (170) posted nowhere.
    expect(await ledgerBalances(db.pool, claimId)).toEqual({
      'contractual_adjustment:PAYER-A:': 3000n, 'patient_receivable::G-1': 500n, 'payer_clearing:PAYER-A:': 14000n, 'payer_clearing:PAYER-B:': 2500n, 'revenue::': -20000n,
    });
  });

  it('a reversal plus correction nets to the corrected claim', async () => {
    const claimId = await insertSubmittedClaim(db.pool, { pcn: 'C-2', account: 'G-2', payers: ['PAYER-A', null], lines: [{ control: 'C-2-1', code: '99213', chargeCents: 10000n, date: '2024-03-02' }] });
    const line = (co: number, pr: number) => ({ code: '99213', chargeCents: 10000, lineControlNumber: 'C-2-1', adjustments: [{ group: 'CO' as const, reason: '45', cents: co }, { group: 'PR' as const, reason: '3', cents: pr }] });
    await ingest(await writeTemp(dir, 'r1.835', interchange([{ set: '0001', trace: 'EFT-R1', payerId: '1111111111', claims: [{ pcn: 'C-2', payerClaimNumber: 'X1', lines: [line(2000, 1000)] }] }])));
    const outcome = await ingest(await writeTemp(dir, 'r2.835', interchange([{ set: '0001', trace: 'EFT-R2', payerId: '1111111111', claims: [
      { pcn: 'C-2', status: '22', negate: true, payerClaimNumber: 'X1', lines: [line(2000, 1000)] },
      { pcn: 'C-2', payerClaimNumber: 'X2', lines: [line(2500, 1000)] },
    ] }])));
    expect(outcome.status).toBe('done');
    // Corrected claim alone: paid 65, CO 25, PR (copay) 10 to the patient.
    expect(await ledgerBalances(db.pool, claimId)).toEqual({
      'contractual_adjustment:PAYER-A:': 2500n, 'patient_receivable::G-2': 1000n, 'payer_clearing:PAYER-A:': 6500n, 'revenue::': -10000n,
    });
    const reversed = await db.pool.query(`SELECT count(*)::int AS n FROM remittance_claims WHERE reverses_entry_key IS NOT NULL AND patient_control_number = 'C-2'`);
    expect(reversed.rows[0].n).toBe(1);
  });

  it('an unmatched claim reversed and corrected with a different CLP03 ends with the corrected charge, recorded once', async () => {
    const line = (charge: number, co: number) => ({ code: '99213', chargeCents: charge, adjustments: [{ group: 'CO' as const, reason: '45', cents: co }] });
    await ingest(await writeTemp(dir, 'u1.835', interchange([{ set: '0001', trace: 'EFT-U1', payerId: '1000000003', claims: [{ pcn: 'U-300', payerClaimNumber: 'Y1', lines: [line(10000, 2000)] }] }])));
    const outcome = await ingest(await writeTemp(dir, 'u2.835', interchange([{ set: '0001', trace: 'EFT-U2', payerId: '1000000003', claims: [
      { pcn: 'U-300', status: '22', negate: true, payerClaimNumber: 'Y1', lines: [line(10000, 2000)] },
      { pcn: 'U-300', payerClaimNumber: 'Y2', lines: [line(12000, 3000)] },
    ] }])));
    expect(outcome.status).toBe('done');
    // By hand: 100 recorded, paid 80 / CO 20, reversed (100 open again); the correction records only the
    // 20 more its CLP03 says, then pays 90 / CO 30: the claim nets to the corrected 120.
    expect(await ledgerBalances(db.pool, 'unmatched:835:1000000003:U-300')).toEqual({
      'contractual_adjustment:835:1000000003:': 3000n, 'payer_clearing:835:1000000003:': 9000n, 'revenue::': -12000n,
    });
    const charges = await db.pool.query(`SELECT claim_index, status, 'charge_recorded' = ANY(flags) AS recorded FROM remittance_claims WHERE patient_control_number = 'U-300' ORDER BY remittance_id, claim_index`);
    expect(charges.rows).toEqual([{ claim_index: 0, status: '1', recorded: true }, { claim_index: 0, status: '22', recorded: false }, { claim_index: 1, status: '1', recorded: true }]);
  });

  it('a forwarded claim (19) with no next coverage on file holds PR on the next-payer-unknown receivable and is listed', async () => {
    const claimId = await insertSubmittedClaim(db.pool, { pcn: 'C-3', account: 'G-3', payers: ['PAYER-A', null], lines: [{ control: 'C-3-1', code: '99213', chargeCents: 10000n, date: '2024-03-03' }] });
    const r: GenRemittance = { set: '0001', trace: 'EFT-F1', payerId: '1111111111', claims: [{ pcn: 'C-3', status: '19', lines: [
      { code: '99213', chargeCents: 10000, lineControlNumber: 'C-3-1', adjustments: [{ group: 'CO', reason: '45', cents: 2000 }, { group: 'PR', reason: '1', cents: 3000 }] },
    ] }] };
    const outcome = await ingest(await writeTemp(dir, 'f1.835', interchange([r])));
    expect(outcome.status).toBe('done');
    expect(outcome.sets[0]!.reasons.map((x) => [x.code, x.severity])).toEqual([['REMIT_NEXT_PAYER_UNKNOWN', 'warning']]);
    // Paid 50, CO 20, PR 30 waits for a payer to be named; nothing billed to the patient.
    expect(await ledgerBalances(db.pool, claimId)).toEqual({
      'contractual_adjustment:PAYER-A:': 2000n, 'insurance_receivable:next-payer-unknown:PAYER-A:': 3000n, 'payer_clearing:PAYER-A:': 5000n, 'revenue::': -10000n,
    });
    const listed = (await unmatchedReport(db.pool)).filter((x) => x.patientControlNumber === 'C-3');
    expect(listed).toMatchObject([{ status: '19', provisionalPatientId: null, flags: ['next_payer_unknown'], payerId: 'PAYER-A' }]);
  });
});
