// Matching and exactly-once against what payers really send (docs/decisions/0054): split claims reversed
// part by part, a second reversal of a payment already reversed, a reversal of a payment another system
// posted, and a payer that reuses one TRN02 for two payees. Totals written out by hand.
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase, type TestDatabase } from '../support/db.ts';
import { createLogger } from '../../src/runtime/logger.ts';
import { ingestFile } from '../../src/pipeline/ingest-input.ts';
import { interchange, type GenClaim } from './support/generate-835.ts';
import { ledgerBalances, tempDir, writeTemp } from './support/fixtures.ts';

let db: TestDatabase;
let dir: string;
const logger = createLogger({ level: 'silent' });
const ingest = (file: string) => ingestFile(file, { pool: db.pool, logger, failpoint: () => undefined, quarantineDir: path.join(dir, 'quarantine') });
let isa = 500;
const file = async (name: string, ...remits: Parameters<typeof interchange>[0]) => writeTemp(dir, name, interchange(remits, { isa13: String(++isa).padStart(9, '0') }));

beforeAll(async () => {
  db = await useTestDatabase();
  dir = await tempDir();
});

const claim = (pcn: string, chargeCents: number, co: number, extra: Partial<GenClaim> = {}): GenClaim =>
  ({ pcn, payerClaimNumber: 'PCN-ICN', lines: [{ code: '99213', chargeCents, adjustments: [{ group: 'CO', reason: '45', cents: co }] }], ...extra });

describe('reversal matching and exactly-once', () => {
  it('pairs each reversal of a split claim with the part whose amounts it negates', async () => {
    const payerId = '2000000001';
    // Split claim (same CLP01 twice, RFI 1076): part one 100 (CO 20, paid 80), part two 50 (CO 10, paid 40).
    expect((await ingest(await file('split1.835', { set: '0001', trace: 'SPLIT-1', payerId, claims: [claim('SP-1', 10000, 2000), claim('SP-1', 5000, 1000)] }))).status).toBe('done');
    // Both parts reversed, part one first: the newest posting (part two) is not part one's original.
    const out = await ingest(await file('split2.835', { set: '0001', trace: 'SPLIT-2', payerId, claims: [
      claim('SP-1', 10000, 2000, { status: '22', negate: true }), claim('SP-1', 5000, 1000, { status: '22', negate: true }),
    ] }));
    expect(out.status).toBe('done');
    const rows = await db.pool.query(`SELECT r.trace_number, c.claim_index, c.entry_key, c.reverses_entry_key FROM remittance_claims c
      JOIN remittances r ON r.id = c.remittance_id WHERE c.patient_control_number = 'SP-1' ORDER BY r.id, c.claim_index`);
    const [part1, part2, rev1, rev2] = rows.rows;
    expect([rev1.reverses_entry_key, rev2.reverses_entry_key]).toEqual([part1.entry_key, part2.entry_key]);
    expect(rows.rows.map((r) => r.claim_index)).toEqual([0, 1, 0, 1]);
    // Everything reversed: clearing and contractual back to zero; the 150 of charges recorded once stay open.
    const b = await ledgerBalances(db.pool);
    expect(b[`payer_clearing:835:${payerId}:`]).toBeUndefined();
    expect(b[`contractual_adjustment:835:${payerId}:`]).toBeUndefined();
    expect(b[`insurance_receivable:835:${payerId}:`]).toBe(15000n);
  });

  it('quarantines a second reversal of a payment already reversed, and the ledger does not move', async () => {
    const payerId = '2000000002';
    await ingest(await file('dbl1.835', { set: '0001', trace: 'DBL-1', payerId, claims: [claim('DB-1', 10000, 3000)] }));
    expect((await ingest(await file('dbl2.835', { set: '0001', trace: 'DBL-2', payerId, claims: [claim('DB-1', 10000, 3000, { status: '22', negate: true })] }))).status).toBe('done');
    const before = await ledgerBalances(db.pool);
    // The same reversal again inside another check (another TRN02): it would negate the payment a second time.
    const again = await ingest(await file('dbl3.835', { set: '0001', trace: 'DBL-3', payerId, claims: [claim('DB-1', 10000, 3000, { status: '22', negate: true })] }));
    expect(again.status).toBe('quarantined');
    expect(again.sets[0]!.reasons.map((r) => [r.code, r.location.claim, r.location.segmentTag])).toEqual([['REMIT_REVERSAL_DUPLICATE', 'DB-1', 'CLP']]);
    expect(await ledgerBalances(db.pool)).toEqual(before);
    // By hand after one payment and one reversal: clearing 0, CO 0, the 100 recorded charge open again.
    expect(before[`payer_clearing:835:${payerId}:`]).toBeUndefined();
    expect(before[`insurance_receivable:835:${payerId}:`]).toBe(10000n);
    const rejected = await db.pool.query(`SELECT reason_code, level, trace_number FROM remittance_rejections WHERE trace_number = 'DBL-3'`);
    expect(rejected.rows).toEqual([{ reason_code: 'REMIT_REVERSAL_DUPLICATE', level: 'claim', trace_number: 'DBL-3' }]);
  });

  it('quarantines two reversals of one payment in the same remittance', async () => {
    const payerId = '2000000003';
    await ingest(await file('twin1.835', { set: '0001', trace: 'TWIN-1', payerId, claims: [claim('TW-1', 10000, 2000)] }));
    const out = await ingest(await file('twin2.835', { set: '0001', trace: 'TWIN-2', payerId, claims: [
      claim('TW-1', 10000, 2000, { status: '22', negate: true }), claim('TW-1', 10000, 2000, { status: '22', negate: true }),
    ] }));
    expect(out.sets[0]!.status).toBe('quarantined');
    expect(out.sets[0]!.reasons.map((r) => r.code)).toEqual(['REMIT_REVERSAL_DUPLICATE']);
  });

  it('reverses a payment made by the set just before it in the same file (sets settle in file order)', async () => {
    const payerId = '2000000006';
    // Three sets in one interchange: pay NX-1; reverse it and pay it again corrected; then an unrelated claim.
    // Each set is read while the one before it settles; the reversal must still find the payment posted
    // by the set before it, and the third set must wait for the second.
    const points: string[] = [];
    const out = await ingestFile(await file('next-set.835',
      { set: '0001', trace: 'NEXT-1', payerId, claims: [claim('NX-1', 10000, 2000)] },
      { set: '0002', trace: 'NEXT-2', payerId, claims: [claim('NX-1', 10000, 2000, { status: '22', negate: true }), claim('NX-1', 10000, 3000)] },
      { set: '0003', trace: 'NEXT-3', payerId, claims: [claim('NX-2', 4000, 1000)] },
    ), { pool: db.pool, logger, quarantineDir: path.join(dir, 'quarantine'), failpoint: async (name) => {
      points.push(name);
      // The first set holds its transaction open a while after its COPY: the next set must still wait.
      if (name === 'remit.after_copy' && points.length === 2) await new Promise((resolve) => setTimeout(resolve, 300));
    } });
    // One set at a time: each commits before the next one starts posting.
    expect(points).toEqual(Array.from({ length: 3 }, () => ['remit.before_copy', 'remit.after_copy', 'remit.after_commit', 'ingest.between-sets']).flat());
    expect(out.status).toBe('done');
    expect(out.sets.map((s) => [s.set, s.status])).toEqual([['0001', 'posted'], ['0002', 'posted'], ['0003', 'posted']]);
    expect(out.sets.flatMap((s) => s.reasons.map((r) => r.code))).not.toContain('REMIT_REVERSAL_ORIGINAL_MISSING');
    const rows = await db.pool.query(`SELECT r.trace_number, c.claim_index, c.entry_key, c.reverses_entry_key FROM remittance_claims c
      JOIN remittances r ON r.id = c.remittance_id WHERE c.patient_control_number = 'NX-1' ORDER BY r.id, c.claim_index`);
    const [paid, reversal, corrected] = rows.rows;
    expect(reversal.reverses_entry_key).toBe(paid.entry_key);
    expect(corrected.reverses_entry_key).toBeNull();
    // By hand: NX-1 nets to the correction (paid 70, CO 30), NX-2 paid 30 (CO 10): clearing 100, CO 40.
    const b = await ledgerBalances(db.pool);
    expect(b[`payer_clearing:835:${payerId}:`]).toBe(10000n);
    expect(b[`contractual_adjustment:835:${payerId}:`]).toBe(4000n);
  });

  it('posts a reversal of a payment this system never posted from its own amounts, flagged', async () => {
    const payerId = '2000000004';
    const out = await ingest(await file('other.835', { set: '0001', trace: 'OTHER-1', payerId, claims: [claim('OS-1', 10000, 2500, { status: '22', negate: true })] }));
    expect(out.status).toBe('done');
    expect(out.sets[0]!.reasons.map((r) => r.code)).toContain('REMIT_REVERSAL_ORIGINAL_MISSING');
    // By hand: paid -75 (taken back), CO -25: the payer's receivable for the claim re-opens by 100.
    const b = await ledgerBalances(db.pool, `unmatched:835:${payerId}:OS-1`);
    expect(b).toEqual({ [`payer_clearing:835:${payerId}:`]: -7500n, [`contractual_adjustment:835:${payerId}:`]: -2500n, [`insurance_receivable:835:${payerId}:`]: 10000n });
  });

  it('posts one TRN02 reused by a payer for two payees as two remittances, and a changed one as a conflict', async () => {
    const payerId = '2000000005';
    const out = await ingest(await file('payees.835',
      { set: '0001', trace: 'SHARED-1', payerId, payeeNpi: '1999999984', claims: [claim('PE-1', 10000, 1000)] },
      { set: '0002', trace: 'SHARED-1', payerId, payeeNpi: '1999999992', claims: [claim('PE-2', 20000, 2000)] }));
    expect(out.sets.map((s) => s.status)).toEqual(['posted', 'posted']);
    const changed = await ingest(await file('payees2.835', { set: '0001', trace: 'SHARED-1', payerId, payeeNpi: '1999999992', claims: [claim('PE-2', 20000, 2500)] }));
    expect(changed.sets[0]!.reasons.map((r) => r.code)).toEqual(['REMIT_CONFLICT']);
    // By hand: 90 + 180 paid into clearing; the conflict added nothing.
    expect((await ledgerBalances(db.pool))[`payer_clearing:835:${payerId}:`]).toBe(27000n);
  });
});
