// Remittances of one file settling two at a time (ingest-file.ts, remittances/handler.ts `independent`,
// ingest.ts RemittanceProgress): a remittance that shares no key and no claim with the one before it
// posts while that one is still in its transaction, commits after it, and ends with the ledger a one at
// a time ingest would give. Totals and payers written out by hand.
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase, type TestDatabase } from '../support/db.ts';
import { createLogger } from '../../src/runtime/logger.ts';
import { ingestFile } from '../../src/pipeline/ingest-input.ts';
import { interchange, type GenClaim } from './support/generate-835.ts';
import { insertSubmittedClaim, ledgerBalances, tempDir, writeTemp } from './support/fixtures.ts';

let db: TestDatabase;
let dir: string;
const logger = createLogger({ level: 'silent' });
let isa = 700;
const file = async (name: string, ...remits: Parameters<typeof interchange>[0]) => writeTemp(dir, name, interchange(remits, { isa13: String(++isa).padStart(9, '0') }));
const ingest = (file: string, failpoint: (name: string) => void | Promise<void> = () => undefined) =>
  ingestFile(file, { pool: db.pool, logger, failpoint, quarantineDir: path.join(dir, 'quarantine') });

beforeAll(async () => {
  db = await useTestDatabase();
  dir = await tempDir();
});

const claim = (pcn: string, chargeCents: number, co: number, extra: Partial<GenClaim> = {}): GenClaim =>
  ({ pcn, payerClaimNumber: 'ICN', lines: [{ code: '99213', chargeCents, adjustments: [{ group: 'CO', reason: '45', cents: co }] }], ...extra });

/** Resolves once `seen()` is true, or after `ms` (the caller then finds it false). */
async function until(seen: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!seen() && Date.now() < end) await new Promise((resolve) => setTimeout(resolve, 10));
}

/** The traces committed so far (read from another connection), in file order. */
const committed = async (prefix: string): Promise<string[]> =>
  (await db.pool.query(`SELECT trace_number FROM remittances WHERE trace_number LIKE $1 ORDER BY trace_number`, [`${prefix}%`])).rows.map((r) => r.trace_number);

const remittancePayers = async (traces: string[]): Promise<string[]> =>
  (await db.pool.query(`SELECT payer_id FROM remittances WHERE trace_number = ANY($1) ORDER BY array_position($1, trace_number)`, [traces])).rows.map((r) => r.payer_id);

describe('remittances settling two at a time', () => {
  it('posts an independent remittance while the one before it is still in its transaction, and commits in file order', async () => {
    const payerId = '2000000101';
    const points: string[] = [];
    const committedAt: string[][] = [];
    let whileHeld: string[] | null = null;
    const count = (name: string) => points.filter((p) => p === name).length;
    const out = await ingest(await file('overlap.835',
      { set: '0001', trace: 'OV-T1', payerId, claims: [claim('OV-1', 10000, 2000)] },
      { set: '0002', trace: 'OV-T2', payerId, claims: [claim('OV-2', 20000, 5000)] },
      { set: '0003', trace: 'OV-T3', payerId, claims: [claim('OV-3', 30000, 6000)] },
      { set: '0004', trace: 'OV-T4', payerId, claims: [claim('OV-4', 4000, 1000)] },
    ), async (name) => {
      points.push(name);
      // Ledger lines are written in file order (each set waits for the lines of the one before it), so the
      // second after_copy is set 2's: it holds its transaction open until set 3 has written its lines.
      if (name === 'remit.after_copy' && count(name) === 2) {
        await until(() => count('remit.after_copy') === 3);
        if (count('remit.after_copy') === 3) whileHeld = await committed('OV-');
      }
      if (name === 'remit.after_commit') committedAt.push(await committed('OV-'));
    });
    // Set 3 wrote its lines while set 2 was still uncommitted (set 1 had committed: two sets at a time).
    expect(whileHeld).toEqual(['OV-T1']);
    // Each commit adds the next set of the file: file order.
    expect(committedAt).toEqual([['OV-T1'], ['OV-T1', 'OV-T2'], ['OV-T1', 'OV-T2', 'OV-T3'], ['OV-T1', 'OV-T2', 'OV-T3', 'OV-T4']]);
    expect(out.status).toBe('done');
    expect(out.sets.map((s) => [s.set, s.status])).toEqual([['0001', 'posted'], ['0002', 'posted'], ['0003', 'posted'], ['0004', 'posted']]);
    // By hand: paid 80 + 150 + 240 + 30 = 500 into clearing; CO 20 + 50 + 60 + 10 = 140.
    const b = await ledgerBalances(db.pool);
    expect(b[`payer_clearing:835:${payerId}:`]).toBe(50000n);
    expect(b[`contractual_adjustment:835:${payerId}:`]).toBe(14000n);
  });

  it('waits for the set before it when they share a claim, as a reversal must', async () => {
    const payerId = '2000000102';
    const points: string[] = [];
    let atThirdCopy: string[] | null = null;
    const out = await ingest(await file('shared.835',
      { set: '0001', trace: 'SH-T1', payerId, claims: [claim('SH-0', 5000, 1000)] },
      { set: '0002', trace: 'SH-T2', payerId, claims: [claim('SH-1', 10000, 2000)] },
      { set: '0003', trace: 'SH-T3', payerId, claims: [claim('SH-1', 10000, 2000, { status: '22', negate: true }), claim('SH-1', 10000, 3000)] },
      { set: '0004', trace: 'SH-T4', payerId, claims: [claim('SH-2', 4000, 1000)] },
    ), async (name) => {
      points.push(name);
      // Set 2 lingers after its COPY; set 3 (which reverses set 2's payment) must not start before it commits.
      if (name === 'remit.after_copy' && points.filter((p) => p === name).length === 2) await new Promise((resolve) => setTimeout(resolve, 300));
      if (name === 'remit.before_copy' && points.filter((p) => p === name).length === 3) atThirdCopy = await committed('SH-');
    });
    expect(atThirdCopy).toEqual(['SH-T1', 'SH-T2']);
    expect(out.sets.map((s) => s.status)).toEqual(['posted', 'posted', 'posted', 'posted']);
    const rows = await db.pool.query(`SELECT c.entry_key, c.reverses_entry_key FROM remittance_claims c
      JOIN remittances r ON r.id = c.remittance_id WHERE c.patient_control_number = 'SH-1' ORDER BY r.id, c.claim_index`);
    expect(rows.rows[1].reverses_entry_key).toBe(rows.rows[0].entry_key);
    // By hand: SH-0 paid 40, SH-1 nets to the correction (paid 70), SH-2 paid 30: clearing 140.
    expect((await ledgerBalances(db.pool))[`payer_clearing:835:${payerId}:`]).toBe(14000n);
  });

  it('does not wait on a set the envelope refused (it never reaches its handler)', async () => {
    const payerId = '2000000106';
    const lines = (text: string): string[] => text.split('~\n').filter((l) => l !== '');
    // Set 1 in a group of a version we do not ingest, then two sets in a group we do: one interchange.
    const first = lines(interchange([{ set: '0001', trace: 'RF-T1', payerId, claims: [claim('RF-1', 10000, 2000)] }]));
    const rest = lines(interchange([
      { set: '0002', trace: 'RF-T2', payerId, claims: [claim('RF-2', 20000, 5000)] },
      { set: '0003', trace: 'RF-T3', payerId, claims: [claim('RF-3', 4000, 1000)] },
    ]));
    const isa13 = String(++isa).padStart(9, '0');
    const text = [
      first[0]!.replace('*000000001*', `*${isa13}*`),
      'GS*HP*SYNTHPAYER*SYNTHCLINIC*20240315*1200*1*X*005010X221', ...first.slice(2, -2), 'GE*1*1',
      'GS*HP*SYNTHPAYER*SYNTHCLINIC*20240315*1200*2*X*005010X221A1', ...rest.slice(2, -2), 'GE*2*2',
      `IEA*2*${isa13}`,
    ].join('~\n') + '~\n';
    const out = await Promise.race([
      ingest(await writeTemp(dir, 'refused.835', text)),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error('the ingest hung waiting on the refused set')), 15_000)),
    ]);
    expect(out.sets.map((s) => [s.set, s.status])).toEqual([['0001', 'quarantined'], ['0002', 'posted'], ['0003', 'posted']]);
    expect(out.sets[0]!.reasons.map((r) => r.code)).toContain('VERSION_UNSUPPORTED');
    // By hand: 150 + 30 paid; nothing from the refused set.
    expect((await ledgerBalances(db.pool))[`payer_clearing:835:${payerId}:`]).toBe(18000n);
  });

  it('takes the payer a payer key is learned as from the set before it, still uncommitted', async () => {
    const payerKey = '2000000103';
    const matchedClaim = async (pcn: string): Promise<GenClaim> => {
      await insertSubmittedClaim(db.pool, { pcn, account: `G-${pcn}`, payers: ['LEARNED-A', null], lines: [{ control: `${pcn}-1`, code: '99213', chargeCents: 10000n, date: '2024-03-01' }] });
      const c = claim(pcn, 10000, 2000);
      c.lines[0]!.lineControlNumber = `${pcn}-1`;
      return c;
    };
    // LEARNED-A's accounts exist already (another payer key of the same payer posted): set 2 below does not
    // wait for set 1 to commit the accounts it would otherwise create first.
    expect((await ingest(await file('learn0.835', { set: '0001', trace: 'LP-T0', payerId: '2000000113', claims: [await matchedClaim('LP-0')] }))).status).toBe('done');
    const points: string[] = [];
    let overlapped = false;
    const matched = await matchedClaim('LP-1');
    const out = await ingest(await file('learn.835',
      // Set 1 matches a submitted claim: its commit teaches the payer key LEARNED-A.
      { set: '0001', trace: 'LP-T1', payerId: payerKey, claims: [matched] },
      // Set 2 matches nothing: one at a time, it would read LEARNED-A from the table.
      { set: '0002', trace: 'LP-T2', payerId: payerKey, claims: [claim('LP-U1', 5000, 1000)] },
      { set: '0003', trace: 'LP-T3', payerId: payerKey, claims: [claim('LP-U2', 3000, 1000)] },
    ), async (name) => {
      points.push(name);
      // Set 1 holds its transaction open until set 2 has written its lines: set 2 planned before set 1 committed.
      if (name === 'remit.after_copy' && points.filter((p) => p === name).length === 1) {
        await until(() => points.filter((p) => p === 'remit.after_copy').length === 2);
        overlapped = points.filter((p) => p === 'remit.after_copy').length === 2;
      }
    });
    expect(overlapped).toBe(true);
    expect(out.sets.map((s) => s.status)).toEqual(['posted', 'posted', 'posted']);
    expect(await remittancePayers(['LP-T1', 'LP-T2', 'LP-T3'])).toEqual(['LEARNED-A', 'LEARNED-A', 'LEARNED-A']);
    // By hand: the unmatched claims' payments land on LEARNED-A's clearing too: 80 (LP-0) + 80 + 40 + 20.
    const b = await ledgerBalances(db.pool);
    expect(b['payer_clearing:LEARNED-A:']).toBe(22000n);
    expect(b[`payer_clearing:835:${payerKey}:`]).toBeUndefined();
  });

  it('plans again when the set it took the payer from did not post', async () => {
    // Payer key K1 learns LEARNED-B and posts then reverses RV-1 (two earlier files).
    const k1 = '2000000104';
    const k2 = '2000000105';
    for (const pcn of ['RV-1', 'RV-2']) {
      await insertSubmittedClaim(db.pool, { pcn, account: `G-${pcn}`, payers: ['LEARNED-B', null], lines: [{ control: `${pcn}-1`, code: '99213', chargeCents: 10000n, date: '2024-03-01' }] });
    }
    const rv = (pcn: string, extra: Partial<GenClaim> = {}): GenClaim => {
      const c = claim(pcn, 10000, 2000, extra);
      c.lines[0]!.lineControlNumber = `${pcn}-1`;
      return c;
    };
    expect((await ingest(await file('rv1.835', { set: '0001', trace: 'RV-T1', payerId: k1, claims: [rv('RV-1')] }))).status).toBe('done');
    expect((await ingest(await file('rv2.835', { set: '0001', trace: 'RV-T2', payerId: k1, claims: [rv('RV-1', { status: '22', negate: true })] }))).status).toBe('done');
    // Under payer key K2 (not learned yet): set 1 matches RV-2 (so it would teach LEARNED-B) but reverses
    // RV-1 a second time, so it is quarantined after planning; set 2 (unmatched) took its payer from set 1.
    const out = await ingest(await file('replan.835',
      { set: '0001', trace: 'RP-T1', payerId: k2, claims: [rv('RV-2'), rv('RV-1', { status: '22', negate: true })] },
      { set: '0002', trace: 'RP-T2', payerId: k2, claims: [claim('RP-U1', 5000, 1000)] },
      { set: '0003', trace: 'RP-T3', payerId: k2, claims: [claim('RP-U2', 3000, 1000)] },
    ));
    expect(out.sets.map((s) => s.status)).toEqual(['quarantined', 'posted', 'posted']);
    expect(out.sets[0]!.reasons.map((r) => r.code)).toEqual(['REMIT_REVERSAL_DUPLICATE']);
    // One at a time, K2 is never learned: sets 2 and 3 post under the payer key itself.
    expect(await remittancePayers(['RP-T2', 'RP-T3'])).toEqual([`835:${k2}`, `835:${k2}`]);
    const learned = await db.pool.query(`SELECT payer_id FROM remittance_payers WHERE payer_key = $1`, [k2]);
    expect(learned.rows).toEqual([]);
    // By hand: 40 + 20 paid on K2's own clearing; nothing from the quarantined set.
    const b = await ledgerBalances(db.pool);
    expect(b[`payer_clearing:835:${k2}:`]).toBe(6000n);
  });
});
