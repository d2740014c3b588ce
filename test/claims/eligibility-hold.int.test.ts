// The submit stage's eligibility check against a real Postgres (issue 6): a 271 on file that shows coverage
// inactive on the date of service holds the claim (not sent, not posted, listed with its reason); a later
// run after a newer 271 sends it; a payer profile with eligibility.whenInactive "send" sends it anyway; a
// patient with no 271 is sent; plan dates are inclusive at both ends. 271s are written here by hand
// (synthetic people) and stored through the eligibility module's own reader and store.
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../support/db.ts';
import { loadPayerProfiles } from '../../src/runtime/payer-profiles.ts';
import { submitClaims, type SubmitOptions } from '../../src/claims/submit.ts';
import { postgresClaimStore } from '../../src/claims/store.ts';
import { postgresControlNumbers } from '../../src/exchange/control-numbers.ts';
import { postgresCoverageGate } from '../../src/claims/coverage-gate.ts';
import { read837Claims } from '../../src/transactions/claim-837-read.ts';
import { withTransaction } from '../../src/runtime/database.ts';
import { read271 } from '../../src/transactions/eligibility-271.ts';
import { storeEligibility } from '../../src/eligibility/store.ts';
import type { EligibilityResponse } from '../../src/domain/eligibility.ts';
import { tokenize } from '../../src/x12/tokenizer.ts';
import { accountBalance } from '../../src/ledger/queries.ts';
import { fixedClock } from '../../src/common/clock.ts';
import type { ClaimRecordInput } from '../../src/domain/claim.ts';
import { syntheticClaim } from './support/synthetic.ts';

const db = await useTestDatabase();
const samples = fileURLToPath(new URL('../../samples/', import.meta.url));
const payers = await loadPayerProfiles(path.join(samples, 'payers'));
const work = mkdtempSync(path.join(tmpdir(), 'claims-eligibility-int-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
let runNo = 0;

function options(inputs: string[], over: Partial<SubmitOptions> = {}): SubmitOptions {
  runNo++;
  return {
    inputs,
    outDir: path.join(work, `out${runNo}`),
    payers,
    clock: fixedClock('2024-09-01T12:00:00Z'),
    controlNumbers: postgresControlNumbers(db.pool),
    store: postgresClaimStore(db.pool),
    coverage: postgresCoverageGate(db.pool),
    ...over,
  };
}

/** A BLUE (payer identifier 94036) professional claim of its own patient, lines on the given dates. */
function claim(n: number, dates: string[]): ClaimRecordInput {
  const c = syntheticClaim(n * 2, { payers: ['BLUE'], institutionalEvery: 0, secondaryEvery: 0 });
  const cents = 10_000 + n;
  c.lines = dates.map((d, j) => ({ ...c.lines[0]!, lineControlNumber: `E${n}-${j + 1}`, serviceDate: d, charge: `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}` }));
  const total = BigInt(cents) * BigInt(dates.length);
  c.totalCharge = `${total / 100n}.${String(total % 100n).padStart(2, '0')}`;
  return c;
}
const ndjson = (name: string, records: unknown[]): string => {
  const file = path.join(work, name);
  writeFileSync(file, records.map((r) => JSON.stringify(r)).join('\n') + '\n');
  return file;
};

/** A 271 from BLUE about the claim's patient (the subscriber): plan dates and one EB status row. */
async function store271(c: ClaimRecordInput, o: { planBegin: string; planEnd: string; status: '1' | '6'; answeredOn: string }): Promise<void> {
  const member = c.coverages[0]!.memberId;
  const p = c.patient;
  const body = [
    'ST*271*0001*005010X279A1',
    `BHT*0022*11*REQ${member}*${o.answeredOn}*0800`,
    'HL*1**20*1',
    'NM1*PR*2*BLUE SHIELD OF SOMEWHERE*****PI*94036',
    'HL*2*1*21*1',
    'NM1*1P*2*NORTHWIND FAMILY MEDICINE*****XX*1234567893',
    'HL*3*2*22*0',
    `NM1*IL*1*${p.lastName}*${p.firstName}****MI*${member}`,
    `DMG*D8*${p.birthDate.replaceAll('-', '')}*${p.sex}`,
    `DTP*346*D8*${o.planBegin.replaceAll('-', '')}`,
    `DTP*347*D8*${o.planEnd.replaceAll('-', '')}`,
    `EB*${o.status}*IND*30`,
  ];
  const text = [
    'ISA*00*          *00*          *ZZ*SYNTHBLUE      *ZZ*NWB001         *240901*0800*^*00501*000000777*0*T*:',
    'GS*HB*SYNTHBLUE*NWB001*20240901*0800*777*X*005010X279A1',
    ...body,
    `SE*${body.length + 1}*0001`,
    'GE*1*777',
    'IEA*1*000000777',
  ].join('~') + '~';
  const segments = tokenize(Buffer.from(text, 'latin1'));
  const set = segments.slice(segments.findIndex((s) => s.tag === 'ST'), segments.findIndex((s) => s.tag === 'SE') + 1);
  const responses: EligibilityResponse[] = [];
  for (const e of read271(set, { interchange: '000000777', set: '0001' })) if (e.kind === 'response') responses.push(e.response);
  expect(responses.length).toBe(1);
  await withTransaction(db.pool, (client) => storeEligibility(client, responses, [], { fileName: `271-${member}-${o.answeredOn}.x12` }));
}

const receivableBlue = () => accountBalance(db, { kind: 'insurance_receivable', payerId: 'BLUE' });
const pcnsSent = (files: { path: string }[]): string[] => files.flatMap((f) => read837Claims(tokenize(readFileSync(f.path))).map((c) => c.patientControlNumber));
const hold = async (pcn: string) =>
  (await db.pool.query<{ status: string; reason_code: string; date_of_service: string | null; claim_id: string | null }>(
    `SELECT status, reason_code, date_of_service::text AS date_of_service, claim_id::text AS claim_id FROM claim_holds WHERE patient_control_number = $1`, [pcn])).rows;
const claimRows = async (pcn: string) => (await db.pool.query<{ status: string }>(`SELECT status FROM claims WHERE patient_control_number = $1`, [pcn])).rows;

describe('eligibility check in submit', () => {
  const held = claim(1, ['2024-05-10']);

  it('holds a claim whose date of service a 271 on file reports inactive: not sent, not posted, in the report with the reason', async () => {
    await store271(held, { planBegin: '2024-01-01', planEnd: '2024-12-31', status: '6', answeredOn: '20240501' });
    const before = await receivableBlue();
    const s = await submitClaims(options([ndjson('held.ndjson', [held])]));
    expect([s.records, s.sent, s.held, s.rejectedClaims, s.entriesPosted]).toEqual([1, 0, 1, 0, 0]);
    expect(s.files).toEqual([]);
    expect(await claimRows(held.patientControlNumber)).toEqual([]);
    expect(await hold(held.patientControlNumber)).toEqual([{ status: 'held', reason_code: 'COVERAGE_INACTIVE', date_of_service: '2024-05-10', claim_id: null }]);
    expect(await receivableBlue()).toBe(before);
    const report = JSON.parse(readFileSync(s.report.json, 'utf8')) as Record<string, unknown>[];
    expect(report).toEqual([expect.objectContaining({
      outcome: 'held', patientControlNumber: held.patientControlNumber, code: 'COVERAGE_INACTIVE', field: 'coverages[0]', found: 'INACTIVE on 2024-05-10',
    })]);
    expect(String(report[0]!.message)).toContain('not covered on 2024-05-10');
    expect(readFileSync(s.report.csv, 'utf8').split('\r\n')[1]!.startsWith(`held,`)).toBe(true);
    // The report names patients' claims: owner-only.
    expect([statSync(s.report.csv).mode & 0o777, statSync(s.report.json).mode & 0o777]).toEqual([0o600, 0o600]);
  });

  it('keeps it held on a run that learns nothing new, and sends it after a newer 271 shows coverage', async () => {
    const again = await submitClaims(options([]));
    expect([again.heldRechecked, again.held, again.sent]).toEqual([1, 1, 0]);
    expect((await hold(held.patientControlNumber))[0]!.status).toBe('held');

    await store271(held, { planBegin: '2024-01-01', planEnd: '2024-12-31', status: '1', answeredOn: '20240601' });
    const before = await receivableBlue();
    const s = await submitClaims(options([]));
    expect([s.heldRechecked, s.heldReleased, s.sent, s.held]).toEqual([1, 1, 1, 0]);
    expect(pcnsSent(s.files)).toEqual([held.patientControlNumber]);
    expect(await claimRows(held.patientControlNumber)).toEqual([{ status: 'submitted' }]);
    const [h] = await hold(held.patientControlNumber);
    expect(h!.status).toBe('released');
    expect(h!.claim_id).not.toBeNull();
    // Posted once, now: 100.01 (10,001 cents, one line).
    expect((await receivableBlue()) - before).toBe(10_001n);
    // And the export coming again later is a duplicate, not a new hold.
    const dup = await submitClaims(options([ndjson('held-again.ndjson', [held])]));
    expect([dup.duplicates, dup.sent, dup.held, dup.heldRechecked]).toEqual([1, 0, 0, 0]);
  });

  it('sends a claim outside coverage when the payer profile says eligibility.whenInactive "send"', async () => {
    const c = claim(2, ['2024-05-10']);
    await store271(c, { planBegin: '2024-01-01', planEnd: '2024-12-31', status: '6', answeredOn: '20240501' });
    const sendAnyway = new Map(payers);
    sendAnyway.set('BLUE', { ...payers.get('BLUE')!, eligibility: { whenInactive: 'send' } });
    const s = await submitClaims(options([ndjson('policy.ndjson', [c])], { payers: sendAnyway }));
    expect([s.sent, s.held, s.sentOutsideCoverage]).toEqual([1, 0, 1]);
    expect(pcnsSent(s.files)).toEqual([c.patientControlNumber]);
    expect(await hold(c.patientControlNumber)).toEqual([]);
  });

  it('sends a claim of a patient with no 271 on file', async () => {
    const c = claim(3, ['2024-05-10']);
    const s = await submitClaims(options([ndjson('none.ndjson', [c])]));
    expect([s.sent, s.held]).toEqual([1, 0]);
    expect(await claimRows(c.patientControlNumber)).toEqual([{ status: 'submitted' }]);
  });

  it('counts plan dates inclusive: first and last day sent, the day before and after held (by reason)', async () => {
    const cases = [
      { n: 10, date: '2024-02-29', held: 'BEFORE_PLAN_BEGIN' },
      { n: 11, date: '2024-03-01', held: null },
      { n: 12, date: '2024-03-31', held: null },
      { n: 13, date: '2024-04-01', held: 'AFTER_PLAN_END' },
    ];
    const claims = cases.map((k) => claim(k.n, [k.date]));
    for (const c of claims) await store271(c, { planBegin: '2024-03-01', planEnd: '2024-03-31', status: '1', answeredOn: '20240215' });
    const s = await submitClaims(options([ndjson('boundary.ndjson', claims)]));
    expect([s.sent, s.held]).toEqual([2, 2]);
    expect(pcnsSent(s.files)).toEqual([claims[1]!.patientControlNumber, claims[2]!.patientControlNumber]);
    const report = JSON.parse(readFileSync(s.report.json, 'utf8')) as { patientControlNumber: string; found: string }[];
    expect(report.map((r) => `${r.patientControlNumber} ${r.found}`)).toEqual([
      `${claims[0]!.patientControlNumber} BEFORE_PLAN_BEGIN on 2024-02-29`,
      `${claims[3]!.patientControlNumber} AFTER_PLAN_END on 2024-04-01`,
    ]);
    // A claim with one line inside and one outside the plan is held on the line outside.
    const split = claim(14, ['2024-03-31', '2024-04-02']);
    await store271(split, { planBegin: '2024-03-01', planEnd: '2024-03-31', status: '1', answeredOn: '20240215' });
    const t = await submitClaims(options([ndjson('split.ndjson', [split])]));
    // Held: this one, and the two above again (every run re-checks earlier holds first).
    expect([t.held, t.heldRechecked, t.sent]).toEqual([3, 2, 0]);
    expect((await hold(split.patientControlNumber))[0]!.date_of_service).toBe('2024-04-02');
  });
});
