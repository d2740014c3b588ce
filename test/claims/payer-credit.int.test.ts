// Payer credits on the real database (issue 18, docs/decisions/0100): a claim paid and then voided ends as a
// payer credit with its insurance receivable at 0, and the payer's recoupment (PLB WO naming it) clears it; a
// duplicate payment's money is owed back and refunded once by reference; a reversal of an overpaid payment
// brings the credit back exactly. `claims report credit-balances` lists what is owed with its deadline.
// Every figure by hand; reruns change nothing.
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
import { creditBalanceCsv, creditBalanceReport } from '../../src/remittances/credit-balances.ts';
import { recordPayerRefund } from '../../src/remittances/payer-refund.ts';
import type { ClaimRecordInput } from '../../src/domain/claim.ts';
import { syntheticClaim } from './support/synthetic.ts';
import { interchange, type GenClaim, type GenRemittance } from '../remittances/support/generate-835.ts';
import { ledgerBalances } from '../remittances/support/fixtures.ts';
import { runCli } from '../support/cli.ts';

const samples = fileURLToPath(new URL('../../samples/', import.meta.url));
const payers = await loadPayerProfiles(path.join(samples, 'payers'));
const work = mkdtempSync(path.join(tmpdir(), 'claims-payer-credit-int-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const logger = createLogger({ level: 'silent' });
const db = await useTestDatabase();

/** One MEDB (Medicare: refund within 60 days) claim of one 99213 line at 100.00. */
function claim(pcn: string, n: number, over: Partial<ClaimRecordInput> = {}): ClaimRecordInput {
  const c = syntheticClaim(0, { payers: ['MEDB'], institutionalEvery: 0, secondaryEvery: 0 });
  c.claimId = `C-${pcn}`;
  c.patientControlNumber = pcn;
  c.patient.patientId = `P-${n}`;
  c.guarantor.accountNumber = `G-${n}`;
  c.lines = [{ ...c.lines[0]!, procedureCode: '99213', modifiers: [], charge: '100.00', lineControlNumber: `${pcn}-1` }];
  c.totalCharge = '100.00';
  return { ...c, ...over };
}
const voidOf = (pcn: string, n: number): ClaimRecordInput => claim(pcn, n, { claimId: `V-${pcn}`, frequency: '8', payerClaimNumber: `ICN-${pcn}` });

let fileNo = 0;
async function submit(records: ClaimRecordInput[], today: string) {
  const file = path.join(work, `export-${++fileNo}.ndjson`);
  writeFileSync(file, records.map((r) => JSON.stringify(r)).join('\n') + '\n');
  return submitClaims({
    inputs: [file], outDir: path.join(work, `out-${fileNo}`), payers, clock: fixedClock(`${today}T12:00:00Z`),
    controlNumbers: postgresControlNumbers(db.pool), store: postgresClaimStore(db.pool),
  });
}

/** MEDB's adjudication of a 100.00 claim: 80.00 paid, CO-45 20.00. */
const paid = (pcn: string, extra: Partial<GenClaim> = {}): GenClaim =>
  ({ pcn, payerClaimNumber: `ICN-${pcn}`, lines: [{ code: '99213', chargeCents: 10000, lineControlNumber: `${pcn}-1`, adjustments: [{ group: 'CO', reason: '45', cents: 2000 }] }], ...extra });

let isa = 700;
async function ingest(remit: Omit<GenRemittance, 'set' | 'payerName'>) {
  const file = path.join(work, `${remit.trace}-${++isa}.835`);
  writeFileSync(file, interchange([{ set: '0001', payerName: 'MEDICARE PART B', ...remit }], { isa13: String(isa).padStart(9, '0') }));
  return ingestFile(file, { pool: db.pool, logger, failpoint: () => undefined, quarantineDir: path.join(work, 'quarantine') });
}

const claimIdOf = async (pcn: string): Promise<string> =>
  String((await db.pool.query(`SELECT id FROM claims WHERE patient_control_number = $1 AND frequency = '1'`, [pcn])).rows[0].id);
const trial = async (): Promise<string[]> => (await balances(db)).accounts.map((a) => `${a.kind} ${a.payerId ?? '-'} ${a.patientId ?? '-'} ${a.balanceCents}`);
const report = async (asOf: string) => (await creditBalanceReport(db.pool, { asOf })).map((r) =>
  `${r.payer} ${r.patientControlNumber} ${r.amountCents} ${r.identifiedOn} ${r.refundDueBy ?? '-'} ${r.daysLeft ?? '-'}`);

describe('payer credits', () => {
  it('a claim paid and then voided: its receivable back to 0, the payment owed to MEDB, the write-off without a charge undone', async () => {
    expect((await submit([claim('PCNV1', 1)], '2024-03-05')).sent).toBe(1);
    expect((await ingest({ trace: 'V-PAY', paymentDate: '20240315', claims: [paid('PCNV1')] })).status).toBe('done');
    expect((await submit([voidOf('PCNV1', 1)], '2024-03-20')).sent).toBe(1);
    // By hand, on the claim: charge 100.00 then voided (revenue 0); MEDB paid 80.00 (clearing) with CO-45 20.00;
    // the void (revenue +100.00 on the void's own claim id) took the receivable to -100.00: 80.00 of it is MEDB's money (payer credit), 20.00 the write-off
    // of a charge that is gone (other adjustment, reason beyond-charge). The receivable ends at 0.
    expect(await ledgerBalances(db.pool, await claimIdOf('PCNV1'))).toEqual({
      'contractual_adjustment:MEDB:': 2000n, 'other_adjustment:MEDB:': -2000n, 'payer_clearing:MEDB:': 8000n, 'payer_credit:MEDB:': -8000n, 'revenue::': -10000n,
    });
    // Identified on the void's day; Medicare: refund within 60 days (2024-03-20 + 60 = 2024-05-19).
    expect(await report('2024-03-25')).toEqual(['MEDB PCNV1 8000 2024-03-20 2024-05-19 55']);
    expect(await report('2024-03-19')).toEqual([]);
  });

  it('a duplicate payment: its money owed back (80.00), its repeated write-off without a charge', async () => {
    expect((await submit([claim('PCNO1', 2)], '2024-03-05')).sent).toBe(1);
    expect((await ingest({ trace: 'O-PAY-1', paymentDate: '20240315', claims: [paid('PCNO1')] })).status).toBe('done');
    expect((await ingest({ trace: 'O-PAY-2', paymentDate: '20240322', claims: [paid('PCNO1')] })).status).toBe('done');
    expect(await ledgerBalances(db.pool, await claimIdOf('PCNO1'))).toEqual({
      'contractual_adjustment:MEDB:': 4000n, 'other_adjustment:MEDB:': -2000n, 'payer_clearing:MEDB:': 16000n, 'payer_credit:MEDB:': -8000n, 'revenue::': -10000n,
    });
    expect(await report('2024-03-25')).toEqual(['MEDB PCNV1 8000 2024-03-20 2024-05-19 55', 'MEDB PCNO1 8000 2024-03-22 2024-05-21 57']);
  });

  it('a reversal of the duplicate payment brings its credit back exactly; the reversal is the exact negation', async () => {
    expect((await submit([claim('PCNX1', 3)], '2024-03-05')).sent).toBe(1);
    await ingest({ trace: 'X-PAY-1', paymentDate: '20240315', claims: [paid('PCNX1')] });
    await ingest({ trace: 'X-PAY-2', paymentDate: '20240316', claims: [paid('PCNX1')] });
    const id = await claimIdOf('PCNX1');
    expect((await ledgerBalances(db.pool, id))['payer_credit:MEDB:']).toBe(-8000n);
    expect((await ingest({ trace: 'X-REV', paymentDate: '20240318', claims: [paid('PCNX1', { status: '22', negate: true })] })).status).toBe('done');
    // As after the first payment alone: 80.00 paid, 20.00 written off, the receivable settled.
    expect(await ledgerBalances(db.pool, id)).toEqual({ 'contractual_adjustment:MEDB:': 2000n, 'payer_clearing:MEDB:': 8000n, 'revenue::': -10000n });
    const lines = await db.pool.query<{ key: string; reason: string; kind: string; cents: string }>(`SELECT e.key, e.reason, a.kind, l.amount_cents::text AS cents
      FROM entries e JOIN entry_lines l ON l.batch_id = e.batch_id AND l.entry_ordinal = e.ordinal JOIN accounts a ON a.id = l.account_id
      WHERE l.claim_id = $1 AND e.reason IN ('remit.claim', 'remit.reversal', 'payer_credit.identified', 'payer_credit.restored') ORDER BY e.batch_id, e.ordinal, l.line_no`, [id]);
    const of = (reason: string): string[] => lines.rows.filter((r) => r.reason === reason).map((r) => `${r.kind} ${r.cents}`);
    expect(of('remit.reversal')).toEqual(['payer_clearing -8000', 'insurance_receivable 8000', 'contractual_adjustment -2000', 'insurance_receivable 2000']);
    expect(of('payer_credit.identified')).toEqual(['insurance_receivable 8000', 'payer_credit -8000', 'insurance_receivable 2000', 'other_adjustment -2000']);
    expect(of('payer_credit.restored')).toEqual(['insurance_receivable -8000', 'payer_credit 8000', 'insurance_receivable -2000', 'other_adjustment 2000']);
    expect((await report('2024-03-25')).filter((r) => r.includes('PCNX1'))).toEqual([]);
  });

  it('MEDB recoups the voided claim\'s payment with a PLB WO naming it: the credit is cleared, nothing is a provider adjustment', async () => {
    const before = await trial();
    // 835 of 2024-04-01: PCNV2 paid 80.00, less WO 80.00 naming PCNV1: BPR02 0.00.
    expect((await submit([claim('PCNV2', 4)], '2024-03-05')).sent).toBe(1);
    const out = await ingest({ trace: 'RECOUP-1', paymentDate: '20240401', claims: [paid('PCNV2')], plb: [{ code: 'WO', reference: 'PCNV1', cents: 8000 }] });
    expect(out.status).toBe('done');
    expect(await ledgerBalances(db.pool, await claimIdOf('PCNV1'))).toEqual({ 'contractual_adjustment:MEDB:': 2000n, 'other_adjustment:MEDB:': -2000n, 'revenue::': -10000n });
    const after = await trial();
    expect(after.filter((r) => r.startsWith('provider_adjustment'))).toEqual(before.filter((r) => r.startsWith('provider_adjustment')));
    expect(await report('2024-04-02')).toEqual(['MEDB PCNO1 8000 2024-03-22 2024-05-21 49']);
    // The same file again: a duplicate, nothing moves.
    await ingest({ trace: 'RECOUP-1', paymentDate: '20240401', claims: [paid('PCNV2')], plb: [{ code: 'WO', reference: 'PCNV1', cents: 8000 }] });
    expect(await trial()).toEqual(after);
  });

  it('a refund to MEDB clears the duplicate payment\'s credit once by its reference; a larger one is refused', async () => {
    const id = await claimIdOf('PCNO1');
    const request = { practiceId: 'default', payerId: 'MEDB', claimId: id, amountCents: 8000n, date: '2024-04-02', reference: 'CHK-1001' };
    await expect(recordPayerRefund(db.pool, { ...request, amountCents: 8001n })).rejects.toMatchObject({ code: 'REFUND_EXCEEDS_CREDIT' });
    expect(await recordPayerRefund(db.pool, request)).toMatchObject({ outcome: 'posted', creditLeftCents: 0n });
    const after = await trial();
    expect(await recordPayerRefund(db.pool, request)).toMatchObject({ outcome: 'duplicate', creditLeftCents: 0n });
    await expect(recordPayerRefund(db.pool, { ...request, amountCents: 7000n })).rejects.toMatchObject({ code: 'REFUND_REFERENCE_CONFLICT' });
    expect(await trial()).toEqual(after);
    expect(await ledgerBalances(db.pool, id)).toEqual({
      'cash::': -8000n, 'contractual_adjustment:MEDB:': 4000n, 'other_adjustment:MEDB:': -2000n, 'payer_clearing:MEDB:': 16000n, 'revenue::': -10000n,
    });
    expect(await report('2024-04-03')).toEqual([]);
    // As of before the refund, it was still owed.
    expect(await report('2024-04-01')).toEqual(['MEDB PCNO1 8000 2024-03-22 2024-05-21 50']);
  });

  it('no insurance receivable below zero, the books at zero; a rerun of every file and export changes nothing', async () => {
    const tb = await balances(db);
    expect(tb.totalCents).toBe(0n);
    expect(tb.accounts.filter((a) => a.kind === 'insurance_receivable' && a.balanceCents < 0n)).toEqual([]);
    const perClaim = await db.pool.query(`SELECT l.claim_id, a.payer_id, sum(l.amount_cents)::text AS cents FROM entry_lines l JOIN accounts a ON a.id = l.account_id
      WHERE a.kind = 'insurance_receivable' GROUP BY 1, 2 HAVING sum(l.amount_cents) < 0`);
    expect(perClaim.rows).toEqual([]);
    const before = await trial();
    expect((await submit([claim('PCNV1', 1), voidOf('PCNV1', 1), claim('PCNO1', 2)], '2024-04-10')).sent).toBe(0);
    expect(await trial()).toEqual(before);
  });

  it('claims report credit-balances and claims payer-refund from the command line', async () => {
    expect((await submit([claim('PCNC1', 5)], '2024-03-05')).sent).toBe(1);
    await ingest({ trace: 'C-PAY-1', paymentDate: '20240315', claims: [paid('PCNC1')] });
    await ingest({ trace: 'C-PAY-2', paymentDate: '20240410', claims: [paid('PCNC1')] });
    const id = await claimIdOf('PCNC1');
    const env = { DATABASE_URL: db.url, CLAIMS_LOG_LEVEL: 'error', CLAIMS_NOW: '2024-04-20' };
    const csv = await runCli(['report', 'credit-balances'], { env });
    expect([csv.code, csv.stdout]).toEqual([0, `practice,payer,claim,clm01,amount,identified,refund_due_by,days_left\r\ndefault,MEDB,${id},PCNC1,80.00,2024-04-10,2024-06-09,50\r\n`]);
    const json = await runCli(['report', 'credit-balances', '--as-of', '2024-06-19', '--json'], { env });
    expect(JSON.parse(json.stdout)).toEqual([{
      practice: 'default', payer: 'MEDB', claim: id, patientControlNumber: 'PCNC1', amountCents: 8000, identifiedOn: '2024-04-10', refundDueBy: '2024-06-09', daysLeft: -10,
    }]);
    const refund = ['payer-refund', '--payer', 'MEDB', '--claim', id, '--amount', '80.00', '--reference', 'CHK-2002', '--date', '2024-04-21'];
    const first = await runCli(refund, { env });
    expect([first.code, first.stdout]).toEqual([0, `refund CHK-2002 to MEDB recorded: $80.00 of claim ${id}'s credit on 2024-04-21; credit left $0.00\n`]);
    const again = await runCli(refund, { env });
    expect([again.code, again.stdout]).toEqual([0, `refund CHK-2002 to MEDB already recorded: $80.00 of claim ${id}'s credit on 2024-04-21; credit left $0.00\n`]);
    expect((await runCli(['report', 'credit-balances', '--as-of', '2024-04-22'], { env })).stdout).toBe('practice,payer,claim,clm01,amount,identified,refund_due_by,days_left\r\n');
  });

  it('CSV cells never run as formulas', () => {
    const csv = creditBalanceCsv([{ practice: 'default', payer: '=HYPERLINK("x")', claim: '1', patientControlNumber: '+PCN', amountCents: 8000n, identifiedOn: '2024-03-20', refundDueBy: null, daysLeft: -3 }]);
    expect(csv).toBe('practice,payer,claim,clm01,amount,identified,refund_due_by,days_left\r\ndefault,"\'=HYPERLINK(""x"")",1,\'+PCN,80.00,2024-03-20,,-3\r\n');
  });
});
