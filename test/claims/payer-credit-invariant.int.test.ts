// The ledger invariant of issue 18 on the real database: after sequences of submit (S), payment (P, MEDB pays
// 80.00 of 100.00 with CO-45 20.00), a duplicate of that payment (D), void (V), replacement at 120.00 (E),
// the payer's reversal of its last payment (R) and the replacement's payment (Q: 90.00, CO-45 30.00) of one
// claim, in several orders, no insurance receivable of any claim at any payer is ever below zero, the books
// sum to zero, and each account of the claim's chain ends as worked out by hand beside each sequence.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../support/db.ts';
import { loadPayerProfiles } from '../../src/runtime/payer-profiles.ts';
import { submitClaims } from '../../src/claims/submit.ts';
import { postgresClaimStore } from '../../src/claims/store.ts';
import { postgresControlNumbers } from '../../src/exchange/control-numbers.ts';
import { balances } from '../../src/ledger/queries.ts';
import { fixedClock } from '../../src/common/clock.ts';
import { ingestFile } from '../../src/pipeline/ingest-input.ts';
import { createLogger } from '../../src/runtime/logger.ts';
import type { ClaimRecordInput } from '../../src/domain/claim.ts';
import { syntheticClaim } from './support/synthetic.ts';
import { interchange, type GenClaim } from '../remittances/support/generate-835.ts';

const samples = fileURLToPath(new URL('../../samples/', import.meta.url));
const payers = await loadPayerProfiles(path.join(samples, 'payers'));
const work = mkdtempSync(path.join(tmpdir(), 'claims-credit-invariant-int-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const logger = createLogger({ level: 'silent' });
const db = await useTestDatabase();

function record(pcn: string, n: number, frequency: '1' | '7' | '8', chargeCents: number): ClaimRecordInput {
  const c = syntheticClaim(0, { payers: ['MEDB'], institutionalEvery: 0, secondaryEvery: 0 });
  const charge = `${chargeCents / 100}.00`;
  c.claimId = `${frequency}-${pcn}`;
  c.patientControlNumber = pcn;
  c.patient.patientId = `IP-${n}`;
  c.guarantor.accountNumber = `IG-${n}`;
  c.lines = [{ ...c.lines[0]!, procedureCode: '99213', modifiers: [], charge, lineControlNumber: `${pcn}-1` }];
  c.totalCharge = charge;
  return { ...c, frequency, ...(frequency !== '1' && { payerClaimNumber: `ICN-${pcn}` }) };
}

let fileNo = 0;
async function submit(rec: ClaimRecordInput): Promise<void> {
  const file = path.join(work, `export-${++fileNo}.ndjson`);
  writeFileSync(file, JSON.stringify(rec) + '\n');
  const s = await submitClaims({
    inputs: [file], outDir: path.join(work, `out-${fileNo}`), payers, clock: fixedClock('2024-03-10T12:00:00Z'),
    controlNumbers: postgresControlNumbers(db.pool), store: postgresClaimStore(db.pool),
  });
  expect(s.sent, `${rec.patientControlNumber} frequency ${rec.frequency}`).toBe(1);
}

const adjudication = (pcn: string, chargeCents: number, coCents: number, extra: Partial<GenClaim> = {}): GenClaim =>
  ({ pcn, payerClaimNumber: `ICN-${pcn}`, lines: [{ code: '99213', chargeCents, lineControlNumber: `${pcn}-1`, adjustments: [{ group: 'CO', reason: '45', cents: coCents }] }], ...extra });

async function remit(claim: GenClaim, payerId = '1999999999'): Promise<void> {
  fileNo++;
  const file = path.join(work, `remit-${fileNo}.835`);
  writeFileSync(file, interchange([{ set: '0001', trace: `INV-${fileNo}`, payerId, payerName: 'SOME PAYER', paymentDate: '20240320', claims: [claim] }], { isa13: String(fileNo).padStart(9, '0') }));
  const out = await ingestFile(file, { pool: db.pool, logger, failpoint: () => undefined, quarantineDir: path.join(work, 'quarantine') });
  expect(out.status, `${claim.pcn} ${claim.status ?? '1'}`).toBe('done');
}

/** The last payment posted per claim, for R to reverse. */
const lastPaid = new Map<string, GenClaim>();

async function step(pcn: string, n: number, s: string): Promise<void> {
  if (s === 'S') return submit(record(pcn, n, '1', 10000));
  if (s === 'V') return submit(record(pcn, n, '8', 10000));
  if (s === 'E') return submit(record(pcn, n, '7', 12000));
  if (s === 'P' || s === 'D') {
    lastPaid.set(pcn, adjudication(pcn, 10000, 2000));
    return remit(lastPaid.get(pcn)!);
  }
  if (s === 'Q') {
    lastPaid.set(pcn, adjudication(pcn, 12000, 3000));
    return remit(lastPaid.get(pcn)!);
  }
  if (s === 'R') return remit({ ...lastPaid.get(pcn)!, status: '22', negate: true });
  throw new Error(`unknown step ${s}`);
}

/** Per account of the chain (every claim id of the CLP01), in cents, zero balances left out. */
async function chain(pcn: string): Promise<Record<string, number>> {
  const { rows } = await db.pool.query<{ kind: string; cents: string }>(`SELECT a.kind, sum(l.amount_cents)::text AS cents
    FROM entry_lines l JOIN accounts a ON a.id = l.account_id
    WHERE l.claim_id IN (SELECT id::text FROM claims WHERE patient_control_number = $1)
    GROUP BY a.kind HAVING sum(l.amount_cents) <> 0 ORDER BY a.kind`, [pcn]);
  return Object.fromEntries(rows.map((r) => [r.kind, Number(r.cents)]));
}

async function negativeReceivables(): Promise<unknown[]> {
  const { rows } = await db.pool.query(`SELECT l.claim_id, a.payer_id, sum(l.amount_cents)::text AS cents FROM entry_lines l JOIN accounts a ON a.id = l.account_id
    WHERE a.kind = 'insurance_receivable' GROUP BY 1, 2 HAVING sum(l.amount_cents) < 0`);
  return rows;
}

// Accounts: insurance_receivable, revenue, payer_clearing, contractual_adjustment (CO-45), payer_credit (owed to
// MEDB), other_adjustment (adjudication left without a charge). Worked out by hand (docs/decisions/0100).
const SEQUENCES: [string, Record<string, number>][] = [
  // Paid: 80.00 in clearing, 20.00 written off, the receivable settled.
  ['SP', { contractual_adjustment: 2000, payer_clearing: 8000, revenue: -10000 }],
  // Voided after payment: the charge gone; MEDB's 80.00 owed back, the 20.00 write-off undone.
  ['SPV', { contractual_adjustment: 2000, other_adjustment: -2000, payer_clearing: 8000, payer_credit: -8000 }],
  // The demo's order: the void first, MEDB's payment after it: the same.
  ['SVP', { contractual_adjustment: 2000, other_adjustment: -2000, payer_clearing: 8000, payer_credit: -8000 }],
  // Voided, then MEDB reverses its payment: nothing left anywhere.
  ['SPVR', {}],
  ['SVPR', {}],
  // Reversed without a void: the charge open again.
  ['SPR', { insurance_receivable: 10000, revenue: -10000 }],
  // Replaced at 120.00 after payment: the new claim's 120.00 open; the old one's payment owed back.
  ['SPE', { contractual_adjustment: 2000, insurance_receivable: 12000, other_adjustment: -2000, payer_clearing: 8000, payer_credit: -8000, revenue: -12000 }],
  // ... then MEDB reverses the old payment and pays the replacement (90.00, CO-45 30.00).
  ['SPERQ', { contractual_adjustment: 3000, payer_clearing: 9000, revenue: -12000 }],
  // Paid twice, then voided: both payments owed back (160.00), both write-offs undone.
  ['SPDV', { contractual_adjustment: 4000, other_adjustment: -4000, payer_clearing: 16000, payer_credit: -16000 }],
  // Paid twice, the duplicate reversed, then voided.
  ['SPDRV', { contractual_adjustment: 2000, other_adjustment: -2000, payer_clearing: 8000, payer_credit: -8000 }],
];

describe('no insurance receivable below zero, whatever the order', () => {
  it.each(SEQUENCES.map(([s, expected], i) => [s, expected, i] as const))('%s', async (sequence, expected, i) => {
    const pcn = `INV${i}${sequence}`;
    for (const s of sequence) {
      await step(pcn, i, s);
      expect(await negativeReceivables(), `after ${s} of ${sequence}`).toEqual([]);
    }
    expect(await chain(pcn)).toEqual(expected);
    const tb = await balances(db);
    expect(tb.totalCents).toBe(0n);
  });
});

describe('a primary that reverses after the secondary paid', () => {
  it('leaves the secondary\'s payment owed back to it, and every receivable at zero or above', async () => {
    const pcn = 'INVSEC1';
    const c = record(pcn, 99, '1', 10000);
    c.coverages = [
      { payerId: 'BLUE', memberId: 'M-SEC-1', relationship: 'self' },
      { payerId: 'ACME', memberId: 'S-SEC-1', relationship: 'self' },
    ];
    await submit(c);
    // BLUE (primary, its own TRN03): 60.00 paid, CO-45 20.00, PR-2 20.00 moved on to ACME.
    const primary: GenClaim = { pcn, payerClaimNumber: 'BLUE-1', lines: [{ code: '99213', chargeCents: 10000, lineControlNumber: `${pcn}-1`, adjustments: [{ group: 'CO', reason: '45', cents: 2000 }, { group: 'PR', reason: '2', cents: 2000 }] }] };
    await remit(primary, '1000000002');
    // ACME (secondary, CLP02 2): pays the 20.00; OA-23 80.00 restates BLUE's decision and is not posted.
    await remit({ pcn, status: '2', payerClaimNumber: 'ACME-1', lines: [{ code: '99213', chargeCents: 10000, lineControlNumber: `${pcn}-1`, adjustments: [{ group: 'OA', reason: '23', cents: 8000 }] }] }, '1000000003');
    expect(await negativeReceivables()).toEqual([]);
    // BLUE reverses: the charge is open at BLUE again, ACME's receivable would be -20.00: ACME's 20.00 is owed back.
    await remit({ ...primary, status: '22', negate: true }, '1000000002');
    expect(await negativeReceivables()).toEqual([]);
    expect(await chain(pcn)).toEqual({ insurance_receivable: 10000, payer_clearing: 2000, payer_credit: -2000, revenue: -10000 });
    const { rows } = await db.pool.query(`SELECT a.kind, a.payer_id, sum(l.amount_cents)::int AS cents FROM entry_lines l JOIN accounts a ON a.id = l.account_id
      WHERE l.claim_id IN (SELECT id::text FROM claims WHERE patient_control_number = $1) AND a.payer_id IS NOT NULL
      GROUP BY 1, 2 HAVING sum(l.amount_cents) <> 0 ORDER BY 1, 2`, [pcn]);
    expect(rows).toEqual([
      { kind: 'insurance_receivable', payer_id: 'BLUE', cents: 10000 },
      { kind: 'payer_clearing', payer_id: 'ACME', cents: 2000 },
      { kind: 'payer_credit', payer_id: 'ACME', cents: -2000 },
    ]);
  });
});
