// What keeps the ingest flat as the ledger grows (docs/decisions/0053): the per-remittance lookups stay
// index probes even before the planner has statistics; every reversal's original is found in one
// statement and paired with the right CLP; the CLP rows' references are still enforced (0009).
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase, type TestDatabase } from '../support/db.ts';
import { createLogger } from '../../src/runtime/logger.ts';
import { ingestFile } from '../../src/pipeline/ingest-input.ts';
import { SQL } from '../../src/remittances/sql.ts';
import { RESOLVE_ACCOUNTS } from '../../src/ledger/sql.ts';
import { postBatch } from '../../src/ledger/post.ts';
import { interchange, type GenClaim, type GenRemittance } from './support/generate-835.ts';
import { ledgerBalances, tempDir, writeTemp } from './support/fixtures.ts';

let db: TestDatabase;
let dir: string;
const logger = createLogger({ level: 'silent' });
const ingest = (file: string) => ingestFile(file, { pool: db.pool, logger, failpoint: () => undefined, quarantineDir: path.join(dir, 'quarantine') });

beforeAll(async () => {
  db = await useTestDatabase();
  dir = await tempDir();
});

/** Every plan node of an EXPLAIN (FORMAT JSON). */
function nodes(plan: Record<string, unknown>): Record<string, unknown>[] {
  const out = [plan];
  for (const child of (plan.Plans as Record<string, unknown>[] | undefined) ?? []) out.push(...nodes(child));
  return out;
}

async function planNodes(sql: string, params: unknown[]): Promise<Record<string, unknown>[]> {
  const client = await db.pool.connect();
  try {
    await client.query('BEGIN'); // RESOLVE_ACCOUNTS inserts: roll it back
    const r = await client.query(`EXPLAIN (FORMAT JSON) ${sql}`, params);
    return nodes(r.rows[0]['QUERY PLAN'][0].Plan);
  } finally {
    await client.query('ROLLBACK');
    client.release();
  }
}

describe('835 ingest at scale', () => {
  it('looks claims, balances and accounts up by index, not by a scan that grows with the ledger', async () => {
    // 400 unmatched claims: 400 provisional patients and accounts; no ANALYZE since, as in a long ingest.
    const claims: GenClaim[] = Array.from({ length: 400 }, (_, c) => ({
      pcn: `S-${c}`, patient: { last: `LAST${c}`, first: 'PAT', id: `MS${c}` },
      lines: [{ code: '99213', chargeCents: 10000 + c, adjustments: [{ group: 'CO', reason: '45', cents: 2000 }, { group: 'PR', reason: '2', cents: 1000 }] }],
    }));
    const outcome = await ingest(await writeTemp(dir, 'big.835', interchange([{ set: '0001', trace: 'EFT-S1', payerId: '1000000077', claims }])));
    expect(outcome.status).toBe('done');
    // A ledger with history: 20,000 more patients' accounts, 100,000 lines on this payer's receivable.
    await db.pool.query(`INSERT INTO accounts (practice_id, kind, patient_id) SELECT 'default', 'patient_receivable', 'history-' || g FROM generate_series(1, 20000) g`);
    await postBatch(db.pool, { key: 'test.history', entries: Array.from({ length: 10 }, (_, e) => ({
      key: `test.history:${e}`, reason: 'claim.charge', effectiveDate: '2024-01-02',
      lines: Array.from({ length: 10_000 }, (_, l) => l % 2 === 0
        ? { account: { kind: 'insurance_receivable' as const, payerId: '835:1000000077' }, amountCents: 100n, claimId: `history-${e}-${l >> 1}` }
        : { account: { kind: 'revenue' as const }, amountCents: -100n, claimId: `history-${e}-${l >> 1}` }),
    })) });
    const ids = claims.slice(0, 200).map((c) => `unmatched:835:1000000077:${c.pcn}`);
    const accounts = await db.pool.query(`SELECT practice_id, kind, payer_id, patient_id FROM accounts ORDER BY id DESC LIMIT 200`);
    const plans = {
      claimReceivables: await planNodes(SQL.claimReceivables, ['835:1000000077', ids, 'default']),
      submittedClaims: await planNodes(SQL.submittedClaims, [claims.map((c) => c.pcn), 'default']),
      submittedLines: await planNodes(SQL.submittedLines, [Array.from({ length: 200 }, (_, i) => String(i + 1))]),
      resolveAccounts: await planNodes(RESOLVE_ACCOUNTS, [accounts.rows.map((a) => a.kind), accounts.rows.map((a) => a.payer_id), accounts.rows.map((a) => a.patient_id), accounts.rows.map((a) => a.practice_id)]),
    };
    const scans = Object.fromEntries(Object.entries(plans).map(([name, ns]) => [name, ns
      .filter((n) => (n['Node Type'] === 'Seq Scan' && ['entry_lines', 'accounts', 'claims', 'claim_lines'].includes(n['Relation Name'] as string))
        || n['Index Name'] === 'entry_lines_account')
      .map((n) => `${n['Node Type']} ${n['Relation Name'] ?? n['Index Name']}`)]));
    expect(scans).toEqual({ claimReceivables: [], submittedClaims: [], submittedLines: [], resolveAccounts: [] });
  });

  it('pairs each reversal of a remittance with its own original, found in one statement', async () => {
    const payerId = '1000000078';
    const u1 = { pcn: 'V-1', lines: [{ code: '99213', chargeCents: 10000, adjustments: [{ group: 'CO' as const, reason: '45', cents: 2000 }] }] };
    const u2 = { pcn: 'V-2', lines: [{ code: '81002', chargeCents: 5000, adjustments: [{ group: 'CO' as const, reason: '45', cents: 1000 }] }] };
    const first: GenRemittance = { set: '0001', trace: 'EFT-V1', payerId, claims: [u1, u2] };
    expect((await ingest(await writeTemp(dir, 'v1.835', interchange([first], { isa13: '000000101' })))).status).toBe('done');
    // V-2's reversal comes first, so a mix-up of the batched lookup would pair it with V-1's entry.
    const u1Corrected = { pcn: 'V-1', lines: [{ code: '99213', chargeCents: 10000, adjustments: [{ group: 'CO' as const, reason: '45', cents: 3000 }] }] };
    const second: GenRemittance = { set: '0001', trace: 'EFT-V2', payerId, claims: [{ ...u2, status: '22', negate: true }, u2, { ...u1, status: '22', negate: true }, u1Corrected] };
    expect((await ingest(await writeTemp(dir, 'v2.835', interchange([second], { isa13: '000000102' })))).status).toBe('done');
    const rows = await db.pool.query(`SELECT c.patient_control_number AS pcn, c.status, c.entry_key, c.reverses_entry_key, r.trace_number
      FROM remittance_claims c JOIN remittances r ON r.id = c.remittance_id WHERE c.payer_id = $1 ORDER BY r.id, c.claim_index`, [`835:${payerId}`]);
    const originalOf = new Map(rows.rows.filter((r) => r.trace_number === 'EFT-V1').map((r) => [r.pcn, r.entry_key]));
    const reversals = rows.rows.filter((r) => r.status === '22').map((r) => [r.pcn, r.reverses_entry_key]);
    expect(reversals).toEqual([['V-2', originalOf.get('V-2')], ['V-1', originalOf.get('V-1')]]);
    // By hand: paid 80 + 40, reversed, then 40 + 70: clearing 110.00; CO 20 + 10 - 10 - 20 + 10 + 30 = 40.00;
    // charges recorded once (150.00): the reversals re-open them and the corrections settle them.
    const b = await ledgerBalances(db.pool);
    expect(b[`payer_clearing:835:${payerId}:`]).toBe(11000n);
    expect(b[`contractual_adjustment:835:${payerId}:`]).toBe(4000n);
    expect(b[`insurance_receivable:835:${payerId}:`]).toBeUndefined();
  });

  it('still refuses a CLP row naming a remittance or provisional patient that does not exist, and orphaning one', async () => {
    const insert = (remittanceId: number, provisional: number | null) => db.pool.query(`INSERT INTO remittance_claims (remittance_id, claim_index, patient_control_number,
      payer_claim_number, status, charge_cents, paid_cents, ledger_claim_id, payer_id, provisional_patient_id, source_segment_index)
      VALUES ($1, 900, 'X', '', '1', 0, 0, 'x', 'p', $2, 0)`, [remittanceId, provisional]);
    await expect(insert(987654, null)).rejects.toMatchObject({ code: '23503', message: expect.stringMatching(/^REMIT_CLAIM_REMITTANCE_MISSING/) });
    const some = await db.pool.query(`SELECT remittance_id, provisional_patient_id FROM remittance_claims WHERE provisional_patient_id IS NOT NULL LIMIT 1`);
    const { remittance_id: remittanceId, provisional_patient_id: provisionalId } = some.rows[0];
    await expect(insert(Number(remittanceId), 987654)).rejects.toMatchObject({ code: '23503', message: expect.stringMatching(/^REMIT_CLAIM_PROVISIONAL_PATIENT_MISSING/) });
    await expect(db.pool.query('DELETE FROM provisional_patients WHERE id = $1', [provisionalId])).rejects.toMatchObject({ code: '23503' });
    await expect(db.pool.query('DELETE FROM remittances WHERE id = $1', [remittanceId])).rejects.toMatchObject({ code: '23503' });
  });
});
