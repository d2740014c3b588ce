// Payer order and who may be billed, through submit on the real database (issue 18, decision 0100): a claim
// with Medicaid before a commercial plan and a Medicare claim with a dependent loop are rejected with their
// reasons, nothing of them recorded; a QMB flag from the export is kept on the patient's coverage with its
// source and date, a 271's or an 835's flag survives an export that says nothing, and the export's wins.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { useTestDatabase, type TestDatabase } from '../support/db.ts';
import { loadPayerProfiles } from '../../src/runtime/payer-profiles.ts';
import { submitClaims } from '../../src/claims/submit.ts';
import { postgresClaimStore } from '../../src/claims/store.ts';
import { postgresControlNumbers } from '../../src/exchange/control-numbers.ts';
import { fixedClock } from '../../src/common/clock.ts';
import type { ClaimRecordInput } from '../../src/domain/claim.ts';
import { syntheticClaim } from './support/synthetic.ts';

const samples = fileURLToPath(new URL('../../samples/', import.meta.url));
const payers = await loadPayerProfiles(path.join(samples, 'payers'));
const work = mkdtempSync(path.join(tmpdir(), 'claims-payer-order-int-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const ROBIN = { lastName: 'ORDER', firstName: 'ROBIN', birthDate: '1952-03-03', sex: 'F' as const, address: { line1: '7 ELM STREET', city: 'SPRINGFIELD', state: 'OR', postalCode: '97477' } };

/** A one-line professional claim (99213, 60.00) of patient `patientId`, seen on 2024-02-10, with these coverages. */
function claimOf(pcn: string, patientId: string, coverages: ClaimRecordInput['coverages']): ClaimRecordInput {
  const c = syntheticClaim(0, { institutionalEvery: 0, secondaryEvery: 0 });
  c.claimId = `C-${pcn}`;
  c.patientControlNumber = pcn;
  c.patient = { ...c.patient, patientId, birthDate: '1950-06-01' };
  c.guarantor = { ...c.guarantor, accountNumber: `G-${patientId}` };
  c.lines = [{ ...c.lines[0]!, procedureCode: '99213', modifiers: [], charge: '60.00', serviceDate: '2024-02-10', lineControlNumber: `${pcn}-1` }];
  c.totalCharge = '60.00';
  c.coverages = coverages;
  return c;
}

let runNo = 0;
async function submit(db: TestDatabase, records: unknown[], today: string) {
  const file = path.join(work, `export-${++runNo}.ndjson`);
  writeFileSync(file, records.map((r) => JSON.stringify(r)).join('\n') + '\n');
  return submitClaims({
    inputs: [file], outDir: path.join(work, `out-${runNo}`), payers, clock: fixedClock(`${today}T12:00:00Z`),
    controlNumbers: postgresControlNumbers(db.pool), store: postgresClaimStore(db.pool),
  });
}

const coveragesOf = async (db: TestDatabase, patientId: string) =>
  (await db.pool.query<{ order: number; payer_id: string; protection: string | null; source: string | null; on: string | null }>(
    `SELECT coverage_order AS order, payer_id, protection, protection_source AS source, to_char(protection_on, 'YYYY-MM-DD') AS on
       FROM coverages WHERE patient_id = $1 ORDER BY coverage_order`, [patientId])).rows;

const db = await useTestDatabase();

describe('payer order at submit', () => {
  it('rejects Medicaid before a commercial plan and a Medicare dependent loop, with reasons; sends the rest', async () => {
    const s = await submit(db, [
      claimOf('PCN-MCD-FIRST', 'P-ORDER-1', [{ payerId: 'STMCD', memberId: 'MCD0001', relationship: 'self' }, { payerId: 'ACME', memberId: 'ACM0001', relationship: 'self' }]),
      claimOf('PCN-MCR-DEP', 'P-ORDER-2', [{ payerId: 'MEDB', memberId: 'MCR0002', relationship: 'spouse', subscriber: ROBIN }]),
      claimOf('PCN-MCD-LAST', 'P-ORDER-3', [{ payerId: 'ACME', memberId: 'ACM0003', relationship: 'self' }, { payerId: 'STMCD', memberId: 'MCD0003', relationship: 'self' }]),
    ], '2024-03-05');
    expect([s.records, s.sent, s.rejectedClaims]).toEqual([3, 1, 2]);
    const report = JSON.parse(readFileSync(s.report.json, 'utf8')) as { patientControlNumber: string; code: string; field: string; message: string; found: string }[];
    expect(report.map((r) => `${r.patientControlNumber} ${r.code} ${r.field}`)).toEqual([
      'PCN-MCD-FIRST PAYER_ORDER_MEDICAID_NOT_LAST coverages[0].payerId',
      'PCN-MCR-DEP PATIENT_NOT_SUBSCRIBER coverages[0].relationship',
    ]);
    expect(report[0]!.message).toBe('Medicaid pays last (SSA 1902(a)(25)): STMCD (medicaid) is the primary (coverages[0]) coverage but ACME (commercial) comes after it; list every other coverage before Medicaid');
    expect(report[0]!.found).toBe('STMCD (medicaid), ACME (commercial)');
    expect(report[1]!.message).toContain("payer MEDB (medicare) requires the patient's own member id");
    // Nothing of a rejected claim is recorded: only PCN-MCD-LAST, to ACME, with its 60.00 charge.
    const claims = await db.pool.query('SELECT patient_control_number AS pcn, primary_payer_id AS primary, secondary_payer_id AS secondary FROM claims ORDER BY 1');
    expect(claims.rows).toEqual([{ pcn: 'PCN-MCD-LAST', primary: 'ACME', secondary: 'STMCD' }]);
    expect((await db.pool.query("SELECT count(*)::int AS n FROM patients WHERE patient_id IN ('P-ORDER-1', 'P-ORDER-2')")).rows[0].n).toBe(0);
  });

  it('keeps a QMB flag from the export on the coverage, dated the submit\'s date', async () => {
    const qmb = [{ payerId: 'MEDB', memberId: 'MCR0004', relationship: 'self' as const, protection: 'qmb' as const }, { payerId: 'STMCD', memberId: 'MCD0004', relationship: 'self' as const }];
    const s = await submit(db, [claimOf('PCN-QMB-1', 'P-QMB', qmb)], '2024-03-06');
    expect([s.sent, s.rejectedClaims]).toEqual([1, 0]);
    expect(await coveragesOf(db, 'P-QMB')).toEqual([
      { order: 1, payer_id: 'MEDB', protection: 'qmb', source: 'export', on: '2024-03-06' },
      { order: 2, payer_id: 'STMCD', protection: null, source: null, on: null },
    ]);
  });

  it('keeps a 271\'s flag when the export says nothing, drops an export\'s the export no longer states, and lets the export\'s win', async () => {
    // A 271 said dual eligible on 2024-03-07 (as the eligibility work records it).
    await db.pool.query("UPDATE coverages SET protection = 'dual', protection_source = '271', protection_on = '2024-03-07' WHERE patient_id = 'P-QMB' AND payer_id = 'MEDB'");
    const plain = [{ payerId: 'MEDB', memberId: 'MCR0004', relationship: 'self' as const }, { payerId: 'STMCD', memberId: 'MCD0004', relationship: 'self' as const }];
    await submit(db, [claimOf('PCN-QMB-2', 'P-QMB', plain)], '2024-03-08');
    expect((await coveragesOf(db, 'P-QMB'))[0]).toEqual({ order: 1, payer_id: 'MEDB', protection: 'dual', source: '271', on: '2024-03-07' });
    // The export sets it: the export's flag and date replace the 271's.
    await submit(db, [claimOf('PCN-QMB-3', 'P-QMB', [{ ...plain[0]!, protection: 'qmb' }, plain[1]!])], '2024-03-09');
    expect((await coveragesOf(db, 'P-QMB'))[0]).toEqual({ order: 1, payer_id: 'MEDB', protection: 'qmb', source: 'export', on: '2024-03-09' });
    // The export stops saying it: a flag only an export had set goes with it.
    await submit(db, [claimOf('PCN-QMB-4', 'P-QMB', plain)], '2024-03-10');
    expect((await coveragesOf(db, 'P-QMB'))[0]).toEqual({ order: 1, payer_id: 'MEDB', protection: null, source: null, on: null });
  });
});
