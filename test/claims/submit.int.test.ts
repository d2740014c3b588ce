import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../support/db.ts';
import { runCli } from '../support/cli.ts';
import { loadPayerProfiles } from '../../src/runtime/payer-profiles.ts';
import { submitClaims, type SubmitOptions } from '../../src/claims/submit.ts';
import { postgresClaimStore } from '../../src/claims/store.ts';
import { postgresControlNumbers } from '../../src/exchange/control-numbers.ts';
import { read837Claims } from '../../src/transactions/claim-837-read.ts';
import { SQL } from '../../src/claims/sql.ts';
import { accountBalance } from '../../src/ledger/queries.ts';
import { tokenize } from '../../src/x12/tokenizer.ts';
import { fixedClock } from '../../src/common/clock.ts';
import { syntheticClaim } from './support/synthetic.ts';
import { validate837 } from '../support/x12-837-validator.ts';

const db = await useTestDatabase();
const samples = fileURLToPath(new URL('../../samples/', import.meta.url));
const payers = await loadPayerProfiles(path.join(samples, 'payers'));
const work = mkdtempSync(path.join(tmpdir(), 'claims-submit-int-'));
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
    ...over,
  };
}
const ndjson = (name: string, records: unknown[]): string => {
  const file = path.join(work, name);
  writeFileSync(file, records.map((r) => JSON.stringify(r)).join('\n') + '\n');
  return file;
};
const receivable = (payerId: string) => accountBalance(db, { kind: 'insurance_receivable', payerId });
const revenue = () => accountBalance(db, { kind: 'revenue' });

describe('claims submit against Postgres', () => {
  const exportFile = path.join(samples, 'claims', '01-export.ndjson');
  const perPayerCents = new Map<string, bigint>();

  it('sends the sample export: 12 claims in 4 files, 6 rejected with reasons, charges posted per payer', async () => {
    const s = await submitClaims(options([exportFile]));
    expect([s.records, s.sent, s.duplicates, s.rejectedClaims]).toEqual([18, 12, 0, 6]);
    expect(s.files.map((f) => f.payerId)).toEqual(['ACME', 'BLUE', 'MEDB', 'STMCD']);
    const codes = readFileSync(s.report.json, 'utf8');
    expect(JSON.parse(codes).map((r: { code: string; patientControlNumber: string }) => `${r.patientControlNumber} ${r.code}`)).toEqual([
      'PCNBAD000100 NPI_CHECK_DIGIT',
      'PCNBAD000101 CLAIM_TOTAL_MISMATCH',
      'PCNBAD000102 PAYER_UNKNOWN',
      'PCNBAD000103 CLAIM_FIELD_INVALID',
      'PCNBAD000107 CROSSWALK_NO_ENTRY',
      'PCNBAD000105 DIAGNOSIS_POINTER_OUT_OF_RANGE',
    ]);
    // The ledger holds, per payer, exactly the CLM02 totals that the files carry (read back independently).
    for (const f of s.files) {
      const text = readFileSync(f.path);
      expect(validate837(text.toString('latin1'))).toEqual([]);
      const total = read837Claims(tokenize(text)).reduce((sum, c) => sum + c.totalChargeCents, 0n);
      perPayerCents.set(f.payerId, total);
      expect(await receivable(f.payerId)).toBe(total);
    }
    const all = [...perPayerCents.values()].reduce((a, b) => a + b, 0n);
    expect(all).toBe(142956n);
    expect(await revenue()).toBe(-all);

    const { rows } = await db.pool.query<{ status: string; n: string; with_file: string }>(
      `SELECT status, count(*)::text AS n, count(outbound_file_id)::text AS with_file FROM claims GROUP BY status`,
    );
    expect(rows).toEqual([{ status: 'submitted', n: '12', with_file: '12' }]);
    const lines = await db.pool.query<{ n: string }>(`SELECT count(*)::text AS n FROM claim_lines WHERE line_control_number LIKE 'L%'`);
    expect(lines.rows[0]!.n).toBe('24'); // 12 claims with 1, 2, 3, 1, 2, 3, ... lines
    const patients = await db.pool.query<{ n: string }>(`SELECT count(*)::text AS n FROM patients`);
    expect(patients.rows[0]!.n).toBe('6');
  });

  it('sends nothing and posts nothing when the same export comes again', async () => {
    const before = await revenue();
    const s = await submitClaims(options([exportFile]));
    expect([s.sent, s.duplicates, s.rejectedClaims, s.files.length, s.entriesPosted]).toEqual([0, 12, 6, 0, 0]);
    expect(await revenue()).toBe(before);
  });

  it('rejects an original with different content under the same key', async () => {
    const changed = syntheticClaim(0);
    changed.lines[0]!.charge = '60.00';
    changed.totalCharge = '60.00';
    const s = await submitClaims(options([ndjson('changed.ndjson', [changed])]));
    expect(s.rejectedClaims).toBe(1);
    const [row] = JSON.parse(readFileSync(s.report.json, 'utf8'));
    expect(row.code).toBe('CLAIM_KEY_CONFLICT');
    expect(row.message).toMatch(/use frequency 7 to replace it/);
  });

  it('posts the difference of a replacement and reverses a void', async () => {
    const acme = await receivable('ACME');
    const blue = await receivable('BLUE');
    const s = await submitClaims(options([path.join(samples, 'claims', '02-corrections.ndjson')]));
    expect([s.sent, s.entriesPosted]).toEqual([2, 2]);
    // PCN000000000 was 50.00, replaced at 75.00: +25.00. PCN000000001 (111.85) voided.
    expect(await receivable('ACME')).toBe(acme + 2500n);
    expect(await receivable('BLUE')).toBe(blue - 11185n);
    const chain = await db.pool.query<{ frequency: string; posted: string }>(
      `SELECT frequency, posted_charge_cents::text AS posted FROM claims WHERE patient_control_number = 'PCN000000001' ORDER BY id`,
    );
    expect(chain.rows).toEqual([{ frequency: '1', posted: '11185' }, { frequency: '8', posted: '0' }]);
  });

  it('updates demographics from a later export', async () => {
    const moved = syntheticClaim(0);
    moved.patient.address = { line1: '9 NEW ROAD', city: 'EUGENE', state: 'OR', postalCode: '97401' };
    moved.patient.phone = '5555550199';
    await submitClaims(options([ndjson('moved.ndjson', [moved])])); // a conflict (content changed), but the person is current
    const { rows } = await db.pool.query(`SELECT address_line1, city, phone FROM patients WHERE patient_id = 'P00000000'`);
    expect(rows).toEqual([{ address_line1: '9 NEW ROAD', city: 'EUGENE', phone: '5555550199' }]);
  });

  it('sends a claim again with --resubmit only after a payer rejected it, posting nothing', async () => {
    const original = syntheticClaim(2);
    const file = ndjson('again.ndjson', [original]);
    expect((await submitClaims(options([file], { resubmit: true }))).duplicates).toBe(1);
    const npi = original.billingProvider.npi;
    const marked = await db.pool.query(SQL.markRejected, [npi, original.patientControlNumber, '1']);
    expect(marked.rowCount).toBe(1);
    const before = await revenue();
    const s = await submitClaims(options([file], { resubmit: true }));
    expect([s.sent, s.resent, s.entriesPosted, s.files.length]).toEqual([0, 1, 0, 1]);
    expect(await revenue()).toBe(before);
    const history = await db.pool.query<{ status: string; source: string }>(
      `SELECT h.status, h.source FROM claim_status_history h JOIN claims c ON c.id = h.claim_id
       WHERE c.patient_control_number = $1 ORDER BY h.id`, [original.patientControlNumber]);
    expect(history.rows.map((r) => `${r.source}:${r.status}`)).toEqual(['submit:pending', 'submit:submitted', 'resubmit:pending', 'submit:submitted']);
  });

  it('resends claims whose file never completed (a stopped run) without posting twice', async () => {
    const claims = [20, 21, 22, 23, 24, 25].map((i) => syntheticClaim(i));
    const file = ndjson('stopped.ndjson', claims);
    const controller = new AbortController();
    let seen = 0;
    const o = options([file], { batchSize: 2, signal: controller.signal });
    const realStore = o.store!;
    o.store = { ...realStore, async recordBatch(b) {
      const r = await realStore.recordBatch(b);
      seen += b.sent.length;
      if (seen >= 4) controller.abort();
      return r;
    } };
    await expect(submitClaims(o)).rejects.toThrow(/stopped by a signal/);
    expect(readdirSync(o.outDir).filter((n) => n.endsWith('.x12'))).toEqual([]);
    const pending = await db.pool.query<{ n: string }>(`SELECT count(*)::text AS n FROM claims WHERE status = 'pending'`);
    expect(pending.rows[0]!.n).toBe('4');
    const before = await revenue();
    const s = await submitClaims(options([file]));
    expect([s.sent, s.resent, s.entriesPosted]).toEqual([2, 4, 2]);
    const after = await db.pool.query<{ n: string }>(`SELECT count(*)::text AS n FROM claims WHERE status = 'pending'`);
    expect(after.rows[0]!.n).toBe('0');
    // Only the two claims never recorded before add revenue.
    const twoCents = claims.slice(4).reduce((sum, c) => sum + BigInt(c.totalCharge.replace('.', '')), 0n);
    expect(await revenue()).toBe(before - twoCents);
  });

  it('never repeats a control number, with two pools allocating at once', async () => {
    const other = new pg.Pool({ connectionString: db.url, max: 4 });
    try {
      const a = postgresControlNumbers(db.pool);
      const b = postgresControlNumbers(other);
      const got = await Promise.all(Array.from({ length: 200 }, (_, i) => (i % 2 ? a : b).next('ZZ:RACE', 'ZZ:ONE', 'ST')));
      expect(new Set(got.map(String)).size).toBe(200);
      expect(got.map(Number).sort((x, y) => x - y)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    } finally {
      await other.end();
    }
  });

  it('gives two CLI processes submitting at once distinct ISA13s and ST02s', async () => {
    const e1 = ndjson('p1.ndjson', [30, 31, 32, 33].map((i) => syntheticClaim(i, { payers: ['ACME'], institutionalEvery: 0 })));
    const e2 = ndjson('p2.ndjson', [40, 41, 42, 43].map((i) => syntheticClaim(i, { payers: ['BLUE'], institutionalEvery: 0 })));
    const args = (input: string, out: string) => ['submit', input, '--payers', path.join(samples, 'payers'), '--out', path.join(work, out), '--as-of', '2024-09-01T12:00:00Z'];
    const env = { DATABASE_URL: db.url, CLAIMS_LOG_LEVEL: 'warn' };
    const [r1, r2] = await Promise.all([runCli(args(e1, 'cli1'), { env }), runCli(args(e2, 'cli2'), { env })]);
    expect([r1.code, r2.code, r1.stderr + r2.stderr]).toEqual([0, 0, '']);
    const heads = ['cli1', 'cli2'].flatMap((d) => readdirSync(path.join(work, d)).filter((n) => n.endsWith('.x12')).map((n) => {
      const segs = readFileSync(path.join(work, d, n), 'latin1').split('~');
      return { isa13: segs[0]!.split('*')[13]!, st02: segs.filter((s) => s.startsWith('ST*')).map((s) => s.split('*')[2]!) };
    }));
    expect(heads.length).toBe(2);
    // ACME and BLUE share a receiver (BRIDGEWAY): one sequence for both processes.
    expect(heads[0]!.isa13).not.toBe(heads[1]!.isa13);
    expect(new Set([...heads[0]!.st02, ...heads[1]!.st02]).size).toBe(heads[0]!.st02.length + heads[1]!.st02.length);
  });
});
