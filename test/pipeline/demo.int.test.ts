// `npm run demo` end to end: pipelines/demo.json run by the CLI against the test database, its work folders
// in a temporary CLAIMS_HOME. Every figure below is worked out by hand from the samples (samples/README.md,
// samples/claims/README.md, samples/835/README.md, samples/dated/README.md): claims out per payer, the statement
// cycle, the one placement file, and on 2024-08-15 the balance update and the recall. The demo keeps two
// practices' books (samples/practices.json): Northwind's are what the demo had before practices, Riverside's
// (samples/claims/03-riverside.ndjson, samples/835/acme-2024-03-12-riverside.x12) are worked out below, and each
// sums to zero on its own. A second run adds nothing.
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { balances } from '../../src/ledger/queries.ts';
import { loadAccountView } from '../../src/statements/account-history.ts';
import { parseStatementSettings } from '../../src/statements/settings.ts';
import { CsvReader } from '../../src/common/csv-reader.ts';
import type { ScheduleSummaryJson } from '../../src/pipeline/summary.ts';
import { runCli, type CliResult } from '../support/cli.ts';
import { useTestDatabase, type TestDatabase } from '../support/db.ts';

let db: TestDatabase;
let home: string;
let env: Record<string, string | undefined>;
let first: CliResult;
let second: CliResult;
let filesAfterFirst: Map<string, string>;
let trialAfterFirst: string;

const demo = (): string => path.join(home, 'demo');
const outbox = (...parts: string[]): string => path.join(demo(), 'outbox', ...parts);

/** Every file under the demo's folders, by relative path, with its sha256. */
async function snapshotFiles(dir: string, base = dir, into = new Map<string, string>()): Promise<Map<string, string>> {
  for (const e of await fs.readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) await snapshotFiles(p, base, into);
    else into.set(path.relative(base, p), createHash('sha256').update(await fs.readFile(p)).digest('hex'));
  }
  return into;
}

async function csvRows(file: string): Promise<Record<string, string>[]> {
  const reader = new CsvReader();
  const [header, ...rows] = [...reader.push(await fs.readFile(file, 'utf8')), ...reader.end()];
  return rows.map((r) => Object.fromEntries(header!.fields.map((h, i) => [h, r.fields[i] ?? ''])));
}

const trialBalance = async (): Promise<string> =>
  JSON.stringify((await balances(db)).accounts.map((a) => [a.practiceId, a.kind, a.payerId, a.patientId, a.balanceCents.toString()]));

/** One practice's trial balance as [kind, payer, patient, cents] rows, in the ledger's order. */
const practiceRows = async (practiceId: string): Promise<[string, string | null, string | null, bigint][]> =>
  (await balances(db, { practiceId })).accounts.map((a) => [a.kind, a.payerId, a.patientId, a.balanceCents]);

beforeAll(async () => {
  db = await useTestDatabase();
  home = await fs.mkdtemp(path.join(os.tmpdir(), 'claims-demo-'));
  await fs.chmod(home, 0o755);
  env = { DATABASE_URL: db.url, CLAIMS_HOME: home, CLAIMS_LOG_FORMAT: 'json', CLAIMS_LOG_LEVEL: 'warn', CLAIMS_NOW: undefined };
  // --as-of bounds the schedule: every demo date is due by the end of 2024.
  first = await runCli(['run', 'pipelines/demo.json', '--as-of', '2024-12-31', '--json'], { env, timeoutMs: 170_000 });
  filesAfterFirst = await snapshotFiles(demo());
  trialAfterFirst = await trialBalance();
  second = await runCli(['run', 'pipelines/demo.json', '--as-of', '2024-12-31', '--json'], { env, timeoutMs: 170_000 });
}, 360_000);

afterAll(async () => {
  await fs.rm(home, { recursive: true, force: true });
});

describe('the demo pipeline', () => {
  it('runs every scheduled date in order; the bad samples make it exit 3, nothing fails', () => {
    expect(first.stderr).not.toMatch(/"level":50/);
    expect(first.code).toBe(3);
    const summary = JSON.parse(first.stdout) as ScheduleSummaryJson;
    expect(summary.runs.map((r) => [r.asOf, r.status])).toEqual([
      ['2024-03-31', 'rejected'], ['2024-04-30', 'done'], ['2024-05-31', 'done'], ['2024-06-30', 'done'], ['2024-07-31', 'done'], ['2024-08-15', 'done'],
    ]);
    expect(summary.notRun).toEqual([]);
    // Picked up: 17 files from the samples folders (15 of Northwind's, Riverside's claims export and 835) and 3
    // from samples/dated/2024-03-31 on the first date, the 2 of samples/dated/2024-08-15 on its own date only.
    // (Northwind's 15: one more since PCN000000011 goes to ACME first and its 835 is ACME's, decision 0100.)
    expect(summary.runs.map((r) => r.pickup.copied.length)).toEqual([20, 0, 0, 0, 0, 2]);
    // On the first date: 4 claims exports submitted (3 done; 01-export partly sent, its bad claims quarantined) and
    // 15 files for ingest: 11 835s (9 in samples/835, 2 dated) of which 9 post, 1 duplicate and 1 does not balance;
    // the 271 and the 2 payments files: 12 done.
    const firstDate = summary.runs[0]!.stages;
    expect(firstDate.filter((s) => s.name === 'submit' || s.name === 'ingest').map((s) => [s.name, s.outcomes.done, s.outcomes.duplicate, s.outcomes.quarantined]))
      .toEqual([['submit', 3, 0, 1], ['ingest', 12, 1, 1]]);
    const quarantined = summary.runs[0]!.stages.flatMap((s) => s.inputs.filter((i) => i.status === 'quarantined').map((i) => `${s.name}:${i.input}`));
    expect(quarantined).toEqual(['submit:01-export.ndjson', 'ingest:acme-2024-03-25-does-not-balance.x12', 'eligibility-requests:upcoming.ndjson']);
    const duplicates = summary.runs[0]!.stages.flatMap((s) => s.inputs.filter((i) => i.status === 'duplicate').map((i) => `${s.name}:${i.input}`));
    // The inbox is read in name order, so the redelivered copy ('-' sorts before '.') posts and the original
    // is the one found a duplicate: the same remittance either way.
    expect(duplicates).toEqual(['ingest:acme-2024-03-08.x12']);
  });

  it('sends the claims as 837s per payer, and reports the six bad sample claims', async () => {
    const byPayer: Record<string, string[]> = {};
    const billedBy: Record<string, string[]> = {};
    for (const name of (await fs.readdir(outbox())).filter((n) => n.startsWith('837-')).sort()) {
      const payer = name.split('-')[1]!;
      const text = await fs.readFile(outbox(name), 'utf8');
      const claims = [...text.matchAll(/\bCLM\*([A-Z0-9]+)\*/g)].map((m) => m[1]!);
      (byPayer[payer] ??= []).push(claims.sort().join(' '));
      (billedBy[payer] ??= []).push([...text.matchAll(/\bNM1\*85\*2\*[^*]*\*{5}XX\*([0-9]{10})/g)].map((m) => m[1]!).join(' '));
    }
    // One file per payer and export: the March export, the corrections (a replacement, a void), the
    // dated export with PCN000000020, and Riverside's export (its own PCN000000000, a control number
    // Northwind uses too). Medicaid pays last (decision 0100): PCN000000011 goes to ACME (then STMCD), and
    // PCN000000007 of the dual-eligible P00000003 to Medicare (then STMCD).
    expect(byPayer).toEqual({
      ACME: ['PCN000000000 PCN000000004 PCN000000008 PCN000000011', 'PCN000000000', 'PCN000000020', 'PCN000000000 PCNR00000002 PCNR00000003'],
      BLUE: ['PCN000000001 PCN000000005 PCN000000009', 'PCN000000001'],
      MEDB: ['PCN000000002 PCN000000006 PCN000000007 PCN000000010'],
      STMCD: ['PCN000000003'],
    });
    // The billing provider of each file (2010AA): Northwind's clinic (the 837I of PCN000000004 is its hospital's),
    // and Riverside Pediatrics for Riverside's export.
    expect(billedBy.ACME).toEqual(['1234567893 1987654328', '1234567893', '1234567893', '1567890128']);
    // Riverside's claims are all sent: nothing rejected (a billing NPI no practice has would be CLAIM_PRACTICE_UNKNOWN).
    expect(JSON.parse(await fs.readFile(outbox('reports', '03-riverside.ndjson', 'rejections.json'), 'utf8'))).toEqual([]);
    const rejected = JSON.parse(await fs.readFile(outbox('reports', '01-export.ndjson', 'rejections.json'), 'utf8'));
    const text = JSON.stringify(rejected);
    for (const pcn of ['PCNBAD000100', 'PCNBAD000101', 'PCNBAD000102', 'PCNBAD000103', 'PCNBAD000105', 'PCNBAD000107']) expect(text).toContain(pcn);
  });

  it('keeps the QMB flag of the dual-eligible P00000003 on its Medicare coverage, from the export', async () => {
    // PCN000000006 and PCN000000007 list Medicare with protection "qmb", then Medicaid (decision 0100); the claims
    // store keeps it with its source and the submit's date, the first business date.
    const { rows } = await db.pool.query(`SELECT coverage_order, payer_id, protection, protection_source, protection_on::text
      FROM coverages WHERE patient_id = 'P00000003' ORDER BY coverage_order`);
    expect(rows).toEqual([
      { coverage_order: 1, payer_id: 'MEDB', protection: 'qmb', protection_source: 'export', protection_on: '2024-03-31' },
      { coverage_order: 2, payer_id: 'STMCD', protection: null, protection_source: null, protection_on: null },
    ]);
  });

  it('quarantines the bad inputs with a report beside each', async () => {
    expect((await fs.readdir(path.join(demo(), 'quarantine'))).sort()).toEqual([
      '01-export.ndjson', '01-export.ndjson.error.json',
      'acme-2024-03-25-does-not-balance.x12', 'acme-2024-03-25-does-not-balance.x12.error.json',
      'upcoming.ndjson', 'upcoming.ndjson.error.json',
    ]);
    const appointments = JSON.parse(await fs.readFile(path.join(demo(), 'quarantine', 'upcoming.ndjson.error.json'), 'utf8'));
    expect(appointments.errors.map((e: { code: string; location: { line: number } }) => [e.code, e.location.line])).toEqual([
      ['APPOINTMENT_PAYER_UNKNOWN', 6], ['APPOINTMENT_INVALID', 7],
    ]);
    // The remittance that does not balance: located at the element that disagrees, amounts in dollars.
    const remit = JSON.parse(await fs.readFile(path.join(demo(), 'quarantine', 'acme-2024-03-25-does-not-balance.x12.error.json'), 'utf8'));
    expect(remit.errors[0]).toMatchObject({ code: 'REMIT_UNBALANCED', location: { set: '0001', segmentIndex: 3, segmentTag: 'BPR', element: 2 } });
    expect(remit.errors[0].message).toContain('BPR02 should be 70.00, the file says 75.00');
    // The partly rejected export: each bad claim for its own fault (the sample README's list), named by
    // record and field, and no machine path anywhere in the report (the report is named from the outbox).
    const exportText = await fs.readFile(path.join(demo(), 'quarantine', '01-export.ndjson.error.json'), 'utf8');
    expect(exportText).not.toContain(demo());
    const exportErrors = JSON.parse(exportText).errors as { code: string; location?: { file?: string; claim?: string; field?: string } }[];
    expect(exportErrors[0]).toMatchObject({ code: 'CLAIMS_REJECTED', location: { file: '01-export.ndjson' } });
    expect(exportErrors.slice(1).map((e) => `${e.location?.claim} ${e.code} ${e.location?.field}`)).toEqual([
      'PCNBAD000100 NPI_CHECK_DIGIT billingProvider.npi',
      'PCNBAD000101 CLAIM_TOTAL_MISMATCH totalCharge',
      'PCNBAD000102 PAYER_UNKNOWN coverages[0].payerId',
      'PCNBAD000103 CLAIM_FIELD_INVALID diagnoses',
      'PCNBAD000107 CROSSWALK_NO_ENTRY lines[0].procedureCode',
      'PCNBAD000105 DIAGNOSIS_POINTER_OUT_OF_RANGE lines[0].diagnosisPointers[0]',
    ]);
  });

  it('asks 270s for the four upcoming visits with a known payer (not the past one)', async () => {
    const traces: Record<string, string[]> = {};
    for (const name of (await fs.readdir(outbox())).filter((n) => n.startsWith('270-'))) {
      traces[name.split('-')[1]!] = [...(await fs.readFile(outbox(name), 'utf8')).matchAll(/TRN\*1\*([A-Z0-9-]+)\*/g)].map((m) => m[1]!);
    }
    expect(traces).toEqual({ ACME: ['APPT-24001', 'APPT-24002', 'APPT-24003'], BLUE: ['APPT-24004'] });
  });

  it('walks the statement cycle from the first statement to the final notice', async () => {
    const cycle: string[] = [];
    for (const date of ['2024-03-31', '2024-04-30', '2024-05-31', '2024-06-30', '2024-07-31']) {
      for (const r of await csvRows(outbox('statements', `statements-${date}.csv`))) cycle.push(`${date} ${r.account_number} ${r.kind} ${r.amount_due}`);
    }
    expect(cycle).toEqual([
      // A00000001: 18.00 PR less its 10.00 prepayment; A00000002: a plan of 2 x 12.50; A00000005: 13.00 after its
      // 5.00 card payment, the claim with its secondary not billed yet; A00000020: the 100.00 deductible.
      '2024-03-31 A00000001 statement 8.00', '2024-03-31 A00000002 plan 12.50', '2024-03-31 A00000005 statement 13.00', '2024-03-31 A00000020 statement 100.00',
      // PCN000000011's secondary is STMCD, a Medicaid payer, and it has not answered: its 191.47 of PR stays on
      // STMCD's receivable and on the follow-up list, never the patient's (a Medicaid payer's silence is never
      // billed to the patient: decision 0100), so A00000005 owes 13.00 throughout.
      // A00000002 missed its first installment: the plan statement asks for both.
      '2024-04-30 A00000001 statement 8.00', '2024-04-30 A00000002 plan 25.00', '2024-04-30 A00000005 statement 13.00', '2024-04-30 A00000020 statement 100.00',
      // Two missed installments default the plan: A00000002's cycle starts over.
      '2024-05-31 A00000001 statement 8.00', '2024-05-31 A00000002 statement 25.00', '2024-05-31 A00000005 statement 13.00', '2024-05-31 A00000020 statement 100.00',
      '2024-06-30 A00000001 final_notice 8.00', '2024-06-30 A00000002 statement 25.00', '2024-06-30 A00000005 final_notice 13.00', '2024-06-30 A00000020 final_notice 100.00',
      '2024-07-31 A00000002 statement 25.00',
    ]);
  });

  it('writes one placement file on 2024-07-31: the two accounts at or over the 10.00 minimum, not the 8.00 one', async () => {
    // Two practices are registered, so each file names its practice (the creditor): both accounts are Northwind's.
    expect((await fs.readdir(outbox('referrals'))).sort()).toEqual([
      'placements-CASCADE-northwind-2024-07-31.csv', 'recalls-CASCADE-northwind-2024-08-15.csv', 'updates-CASCADE-northwind-2024-08-15.csv',
    ]);
    const placed = await csvRows(outbox('referrals', 'placements-CASCADE-northwind-2024-07-31.csv'));
    expect(placed.map((r) => [r.ClientAcct, r.DebtorLast, r.St, r.OrigBal, r.CurBal, r.ItemDt, r.Creditor, r.CreditorTIN])).toEqual([
      // 13.00 at the first statement and 13.00 now: STMCD's share was never the patient's (see the cycle).
      ['A00000005', 'DUMMY', 'OR', '13.00', '13.00', '06/30/2024', 'Northwind Family Medicine (sample)', '841234567'],
      ['A00000020', 'RIVERS', 'OR', '100.00', '100.00', '06/30/2024', 'Northwind Family Medicine (sample)', '841234567'],
    ]);
  });

  it('explains A00000001 as the pipeline decided: under its 10.00 minimum (the default would say 25.00)', async () => {
    const asPipeline = await runCli(['account', 'A00000001', '--as-of', '2024-07-31', '--pipeline', 'pipelines/demo.json', '--json'], { env });
    const asDefault = await runCli(['account', 'A00000001', '--as-of', '2024-07-31', '--json'], { env });
    expect([asPipeline.code, asDefault.code]).toEqual([0, 0]);
    const decision = (r: CliResult): { rule: string; explanation: string } => JSON.parse(r.stdout).referral.decision;
    expect(decision(asPipeline)).toMatchObject({ rule: 'BELOW_MINIMUM', explanation: 'the balance $8.00 is under the referral minimum of $10.00' });
    expect(decision(asDefault).explanation).toBe('the balance $8.00 is under the referral minimum of $25.00');
  });

  it('on 2024-08-15 turns the payment into one balance update and the dispute into one recall', async () => {
    const updates = await csvRows(outbox('referrals', 'updates-CASCADE-northwind-2024-08-15.csv'));
    expect(updates.map((r) => [r.account_number, r.transaction_type, r.amount, r.new_balance, r.last_payment_date])).toEqual([
      ['A00000020', 'PAYMENT', '40.00', '60.00', '2024-08-14'],
    ]);
    const recalls = await csvRows(outbox('referrals', 'recalls-CASCADE-northwind-2024-08-15.csv'));
    expect(recalls.map((r) => [r.account_number, r.recall_date, r.recall_reason, r.balance])).toEqual([['A00000005', '2024-08-15', 'DISPUTE', '13.00']]);
    const hold = await db.pool.query("SELECT kind, opened_on::text, resolved_on, source LIKE 'file:%:2' AS from_file_line_2 FROM account_holds WHERE account_number = 'A00000005'");
    expect(hold.rows).toEqual([{ kind: 'dispute', opened_on: '2024-08-13', resolved_on: null, from_file_line_2: true }]);
    // The ledger agrees: 100.00 placed less 40.00 paid is with the agency; the recalled 13.00 is the patient's again.
    const tb = (await balances(db)).accounts.filter((a) => a.kind === 'collections_receivable' || (a.kind === 'patient_receivable' && a.patientId === 'A00000005'));
    expect(tb.map((a) => [a.kind, a.patientId, a.balanceCents])).toEqual([
      ['patient_receivable', 'A00000005', 1300n],
      ['collections_receivable', 'A00000005', 0n],
      ['collections_receivable', 'A00000020', 6000n],
    ]);
  });

  it('leaves an audit trail: statements and referrals inside the run, by run, naming the accounts they wrote about', async () => {
    const { rows } = await db.pool.query<{ command: string; as_of: string; accounts: string[]; files: number }>(`
      SELECT e.command, r.as_of::text, e.accounts, cardinality(e.files) AS files
      FROM audit_events e JOIN runs r ON r.id = e.run_id ORDER BY e.id`);
    expect(new Set(rows.map((r) => r.command))).toEqual(new Set(['run:statements', 'run:referrals']));
    // 07-31: the placement of the two accounts at or over the minimum is written about, and named.
    const placement = rows.find((r) => r.command === 'run:referrals' && r.as_of === '2024-07-31');
    expect(placement?.accounts).toEqual(expect.arrayContaining(['A00000005', 'A00000020']));
    expect(placement?.files).toBeGreaterThan(0);
    expect(rows.filter((r) => r.command === 'run:statements').map((r) => r.as_of)).toContain('2024-03-31');
  });

  it('keeps Northwind\'s books as they were before practices, Riverside\'s apart, each summing to zero', async () => {
    // Northwind: the demo's trial balance from before there were practices (everything was 'default' then),
    // account for account. The one difference is the name of the provisional patient of the paper claim
    // PAPER-0001 (14.00 of PR): beside other practices its key includes the practice (src/remittances/plan.ts).
    const northwind = await practiceRows('northwind');
    expect(northwind.map(([kind, payer, patient, cents]) => [kind, payer, patient?.startsWith('provisional:') ? 'provisional' : patient, cents])).toEqual([
      ['cash', null, null, 5500n],
      ['payer_clearing', 'ACME', null, 37912n],
      ['payer_clearing', 'BLUE', null, 15100n],
      ['payer_clearing', 'MEDB', null, 12756n],
      ['insurance_receivable', 'ACME', null, 2500n],
      // PCN000000001 (111.85: BLUE paid 86.00, CO-45 16.85, PR-2 9.00) was voided after payment: BLUE's
      // receivable stops at zero (it was -111.85), its 86.00 is owed back (payer_credit below) and the 25.85 of
      // adjudication with no charge left behind it is other_adjustment BLUE (decision 0100, payer credits).
      ['insurance_receivable', 'BLUE', null, 0n],
      // Payer order (decision 0100). MEDB: PCN000000006's 52.22 (a predetermination, nothing posted) and now
      // PCN000000007's 116.29 (sent to Medicare, no 835): 168.51. STMCD: PCN000000007's 116.29 is gone; ACME's 835
      // forwards PCN000000011 to STMCD with its PR (50.00 + 65.18 + 76.29 = 191.47), so STMCD holds 191.47 (a
      // Medicaid payer's silence never moves it to the patient: decision 0100, payer kinds and rules).
      ['insurance_receivable', 'MEDB', null, 16851n],
      ['insurance_receivable', 'STMCD', null, 19147n],
      ['patient_receivable', null, 'A00000000', 2400n],
      ['patient_receivable', null, 'A00000001', 800n],
      ['patient_receivable', null, 'A00000002', 2500n],
      // 13.00: STMCD's 191.47 on PCN000000011 is STMCD's (above), not the patient's.
      ['patient_receivable', null, 'A00000005', 1300n],
      ['patient_receivable', null, 'A00000020', 0n],
      ['patient_receivable', null, 'provisional', 1400n],
      ['patient_credit', null, 'A00000001', 0n],
      ['patient_credit', null, 'A00000020', 0n],
      // ACME's secondary 835 (03-15) is read before BLUE's primary one (03-09) in the inbox's order: for a moment
      // ACME had paid PCN000000005 with nothing owed to it (a credit), restored when BLUE's PR arrived: 0.
      ['payer_credit', 'ACME', null, 0n],
      ['payer_credit', 'BLUE', null, -8600n],
      ['collections_receivable', null, 'A00000005', 0n],
      ['collections_receivable', null, 'A00000020', 6000n],
      ['revenue', null, null, -161271n],
      // PCN000000011's CO-45 4.07 is ACME's now (it was STMCD's): 130.28 + 4.07 = 134.35. STMCD's 835 processes
      // PCN000000003 (51.11) with nothing paid: CO-45 31.11, and a 20.00 deductible (PR-1) that its Medicaid
      // patient may not be billed: protected_adjustment STMCD 20.00, never on a statement (decision 0100).
      ['contractual_adjustment', 'ACME', null, 13435n],
      ['contractual_adjustment', 'BLUE', null, 15906n],
      ['contractual_adjustment', 'MEDB', null, 12550n],
      ['contractual_adjustment', 'STMCD', null, 3111n],
      ['protected_adjustment', 'STMCD', null, 2000n],
      ['other_adjustment', 'ACME', null, 0n],
      ['other_adjustment', 'BLUE', null, -2585n],
      ['provider_adjustment', 'MEDB', null, 1500n],
      ['interest_income', 'ACME', null, -212n],
    ]);
    // Riverside, by hand from samples/claims/03-riverside.ndjson and samples/835/acme-2024-03-12-riverside.x12:
    //   charges to ACME:  PCN000000000 80.00 + PCNR00000002 (110.00 + 25.00) 135.00 + PCNR00000003 80.00 = 295.00
    //                     -> insurance_receivable ACME +295.00, revenue -295.00
    //   the 835 (BPR02 174.00 = CLP04 64.00 + 110.00, no PLB):
    //     PCN000000000  80.00 = paid 64.00 + CO-45 16.00
    //     PCNR00000002 135.00 = paid (90.00 + 20.00) 110.00 + CO-45 (20.00 + 5.00) 25.00
    //                     -> payer_clearing ACME +64.00 + 110.00 = 174.00
    //                        contractual_adjustment ACME +16.00 + 25.00 = 41.00
    //                        insurance_receivable ACME -(80.00 + 135.00) = -215.00
    //   insurance_receivable ACME: 295.00 - 215.00 = 80.00, PCNR00000003 still with ACME. No PR: no patient account.
    //   Total: 174.00 + 80.00 - 295.00 + 41.00 = 0.00.
    // Had the 835 paid Northwind's PCN000000000, Riverside would show 80.00 more receivable and Northwind's
    // books above would have moved.
    expect(await practiceRows('riverside')).toEqual([
      ['payer_clearing', 'ACME', null, 17400n],
      ['insurance_receivable', 'ACME', null, 8000n],
      ['revenue', null, null, -29500n],
      ['contractual_adjustment', 'ACME', null, 4100n],
    ]);
    const office = await balances(db);
    expect(office.totalCents).toBe(0n);
    expect([...office.practiceTotals]).toEqual([['northwind', 0n], ['riverside', 0n]]);
    expect(new Set(office.accounts.map((a) => a.practiceId))).toEqual(new Set(['northwind', 'riverside']));
    // The 835 went to the practice its payee names (N1*PE*..*XX*1567890128) and matched both its claims there.
    const remits = await db.pool.query("SELECT practice_id, trace_number, matched_claim_count, unmatched_claim_count, payment_cents::int FROM remittances WHERE practice_id = 'riverside'");
    expect(remits.rows).toEqual([{ practice_id: 'riverside', trace_number: 'ACME-EFT-240312', matched_claim_count: 2, unmatched_claim_count: 0, payment_cents: 17400 }]);
    // The same control number in both practices' books, one chain each.
    const pcn = await db.pool.query("SELECT practice_id, billing_npi, count(*)::int AS n FROM claims WHERE patient_control_number = 'PCN000000000' GROUP BY 1, 2 ORDER BY 1");
    expect(pcn.rows).toEqual([{ practice_id: 'northwind', billing_npi: '1234567893', n: 2 }, { practice_id: 'riverside', billing_npi: '1567890128', n: 1 }]);
  });

  it('writes each date\'s trial balance with every practice\'s accounts and a total per practice', async () => {
    const snapshot = JSON.parse(await fs.readFile(outbox('trial-balance-2024-03-31.json'), 'utf8')) as {
      asOf: string; accounts: { practiceId: string; kind: string; payerId: string | null; patientId: string | null; balanceCents: number }[];
      practices: { practiceId: string; totalCents: number }[]; totalCents: number;
    };
    expect(snapshot.asOf).toBe('2024-03-31');
    // Riverside's books are complete by 03-31 (charges of 03-31, the 835 paid 03-12): the figures above, in cents.
    expect(snapshot.accounts.filter((a) => a.practiceId === 'riverside')).toEqual([
      { practiceId: 'riverside', kind: 'payer_clearing', payerId: 'ACME', patientId: null, balanceCents: 17400 },
      { practiceId: 'riverside', kind: 'insurance_receivable', payerId: 'ACME', patientId: null, balanceCents: 8000 },
      { practiceId: 'riverside', kind: 'revenue', payerId: null, patientId: null, balanceCents: -29500 },
      { practiceId: 'riverside', kind: 'contractual_adjustment', payerId: 'ACME', patientId: null, balanceCents: 4100 },
    ]);
    expect(new Set(snapshot.accounts.map((a) => a.practiceId))).toEqual(new Set(['northwind', 'riverside']));
    expect(snapshot.practices).toEqual([{ practiceId: 'northwind', totalCents: 0 }, { practiceId: 'riverside', totalCents: 0 }]);
    expect(snapshot.totalCents).toBe(0);
  });

  it('prints one trial balance per practice; --practice riverside prints Riverside\'s alone', async () => {
    const all = await runCli(['ledger', 'balances'], { env });
    expect(all.code).toBe(0);
    expect(all.stdout).toMatch(/^Trial balance of practice northwind \(all entries\)\n/);
    expect(all.stdout).toContain('\nTrial balance of practice riverside (all entries)\n');
    expect(all.stdout).toMatch(/\nAll practices: 2, total 0\.00\n$/);
    const one = await runCli(['ledger', 'balances', '--practice', 'riverside', '--json'], { env });
    expect(one.code).toBe(0);
    const json = JSON.parse(one.stdout) as { practiceId: string; accounts: { practiceId: string; kind: string; balanceCents: number }[]; totalCents: number };
    expect([json.practiceId, json.totalCents]).toEqual(['riverside', 0]);
    expect(json.accounts.map((a) => [a.practiceId, a.kind, a.balanceCents])).toEqual([
      ['riverside', 'payer_clearing', 17400], ['riverside', 'insurance_receivable', 8000], ['riverside', 'revenue', -29500], ['riverside', 'contractual_adjustment', 4100],
    ]);
  });

  it('claims account agrees with the trial balance for every guarantor account, and with itself', async () => {
    // As of the last date every pending move is posted: each account's patient balance and credit in the view
    // are the ledger's, and the view's per-claim figures add up to the same balance.
    const settings = parseStatementSettings({});
    const asOf = '2024-08-15';
    const tb = (await balances(db, { asOf })).accounts;
    const ledgerOf = (kind: string, account: string): bigint => tb.find((a) => a.kind === kind && a.patientId === account)?.balanceCents ?? 0n;
    const accounts = (await db.pool.query<{ account_number: string }>('SELECT account_number FROM guarantor_accounts ORDER BY 1')).rows.map((r) => r.account_number);
    expect(accounts.length).toBeGreaterThan(5);
    for (const account of accounts) {
      const view = (await loadAccountView(db.pool, account, asOf, settings))!;
      const a = view.assessment;
      expect([account, a.timeoutMoves]).toEqual([account, []]);
      expect([account, a.receivableCents, a.creditCents]).toEqual([account, ledgerOf('patient_receivable', account), -ledgerOf('patient_credit', account)]);
      // What waits on payers is part of the balance, never more than it; nothing due when all of it waits.
      expect([account, a.waitingOnPayersCents >= 0n && a.waitingOnPayersCents <= (a.receivableCents > 0n ? a.receivableCents : 0n)]).toEqual([account, true]);
      if (a.receivableCents > 0n && a.waitingOnPayersCents === a.receivableCents) expect([account, a.decision.due]).toEqual([account, false]);
    }
  });

  it('a second run adds nothing: same files, same trial balance, every date reports nothing new', async () => {
    expect(second.code).toBe(0);
    const summary = JSON.parse(second.stdout) as ScheduleSummaryJson;
    expect(summary.runs).toHaveLength(6);
    for (const r of summary.runs) {
      expect(r.pickup.copied).toEqual([]);
      expect(r.stages.map((s) => s.outcomes.done + s.outcomes.quarantined + s.outcomes.failed)).toEqual([0, 0, 0, 0, 0, 0]);
    }
    expect(summary.runs.map((r) => r.stages.reduce((n, s) => n + s.outcomes.duplicate, 0))).toEqual([2, 2, 2, 2, 2, 1]);
    expect(await snapshotFiles(demo())).toEqual(filesAfterFirst);
    expect(await trialBalance()).toBe(trialAfterFirst);
  });
});
