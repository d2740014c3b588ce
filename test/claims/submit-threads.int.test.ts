// With a database, claims prepared on worker threads record exactly what claims prepared on this thread
// record: the same claims, lines, statuses, envelopes and ledger entries, the same files and report, and
// the same nothing-new on a second run. Two databases, one export, the coverage check on.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { useTestDatabase, type TestDatabase } from '../support/db.ts';
import { loadPayerProfiles } from '../../src/runtime/payer-profiles.ts';
import { submitClaims, type SubmitSummary } from '../../src/claims/submit.ts';
import { postgresClaimStore } from '../../src/claims/store.ts';
import { postgresControlNumbers } from '../../src/exchange/control-numbers.ts';
import { postgresCoverageGate } from '../../src/claims/coverage-gate.ts';
import { fixedClock } from '../../src/common/clock.ts';
import { syntheticClaim } from './support/synthetic.ts';

const here = await useTestDatabase();
const there = await useTestDatabase();
const samples = fileURLToPath(new URL('../../samples/', import.meta.url));
const payers = await loadPayerProfiles(path.join(samples, 'payers'));
const work = mkdtempSync(path.join(tmpdir(), 'claims-threads-int-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const exportFile = path.join(work, 'export.ndjson');
const lines = Array.from({ length: 600 }, (_, i) => JSON.stringify(syntheticClaim(i)));
lines.splice(300, 0, JSON.stringify(syntheticClaim(5)), JSON.stringify({ ...syntheticClaim(6), claimId: 'CHANGED' }), 'not json');
for (const f of ['01-export.ndjson', '02-corrections.ndjson']) lines.push(...readFileSync(path.join(samples, 'claims', f), 'utf8').split('\n').filter((l) => l !== ''));
writeFileSync(exportFile, lines.join('\n') + '\n');

async function submit(db: TestDatabase, threads: number, run: string): Promise<{ summary: SubmitSummary; files: string[]; report: string }> {
  const summary = await submitClaims({
    inputs: [exportFile], outDir: path.join(work, `${db.name}-${run}`), payers, clock: fixedClock('2024-09-01T12:00:00Z'),
    controlNumbers: postgresControlNumbers(db.pool), store: postgresClaimStore(db.pool), coverage: postgresCoverageGate(db.pool),
    threads, threadsFromBytes: 0, batchSize: 100,
  });
  return {
    summary,
    files: summary.files.map((f) => `${f.fileName} ${f.sha256} ${f.claimCount}`),
    report: readFileSync(summary.report.csv, 'utf8'),
  };
}

/** The rows a submit writes, without ids and clock columns. */
async function recorded(db: TestDatabase): Promise<unknown> {
  const q = async (sql: string) => (await db.pool.query(sql)).rows;
  return {
    claims: await q(`SELECT source_claim_id, billing_npi, patient_control_number, frequency, content_sha256, status, primary_payer_id,
      secondary_payer_id, total_charge_cents, posted_charge_cents, ledger_entry_key, isa13, gs06, st02, export_record,
      (SELECT file_name FROM outbound_files f WHERE f.id = outbound_file_id) AS file
      FROM claims ORDER BY billing_npi, patient_control_number, frequency, content_sha256`),
    lines: await q(`SELECT c.patient_control_number, c.frequency, l.line_number, l.line_control_number, l.sent_procedure_code, l.sent_modifiers,
      l.sent_units, l.charge_cents FROM claim_lines l JOIN claims c ON c.id = l.claim_id
      ORDER BY c.billing_npi, c.patient_control_number, c.frequency, c.content_sha256, l.line_number`),
    patients: await q('SELECT patient_id, last_name, first_name FROM patients ORDER BY patient_id'),
    entries: await q('SELECT key, reason, effective_date::text FROM entries ORDER BY key'),
    balances: await q(`SELECT a.kind, a.payer_id, sum(l.amount_cents)::text AS cents FROM entry_lines l JOIN accounts a ON a.id = l.account_id
      GROUP BY a.kind, a.payer_id ORDER BY a.kind, a.payer_id`),
  };
}

describe('claims submit with worker threads, against Postgres', () => {
  it('records what a submit on this thread records, and nothing more on a second run', { timeout: 120_000 }, async () => {
    const a = await submit(here, 0, 'first');
    const b = await submit(there, 2, 'first');
    // The samples repeat synthetic claims 0 to 11, and the export repeats claim 5, each in a later batch
    // while the first copy's file is still open: duplicates, not claims to send twice. The samples' claims 6, 7
    // and 11 differ from the synthetic ones (their payer order, decision 0100): the same keys with other content,
    // rejected (10 duplicates: 12 - 3 + the repeated claim 5; 11 rejected: 8 before + those 3).
    expect([a.summary.sent, a.summary.resent, a.summary.duplicates, a.summary.rejectedClaims]).toEqual([602, 0, 10, 11]);
    expect(b.files).toEqual(a.files);
    expect(b.report).toBe(a.report);
    expect({ ...b.summary, files: null, report: null }).toEqual({ ...a.summary, files: null, report: null });
    const rows = await recorded(here);
    expect((rows as { entries: unknown[] }).entries.length).toBeGreaterThan(590);
    expect(await recorded(there)).toEqual(rows);

    const again = await submit(there, 2, 'second');
    expect([again.summary.sent, again.summary.resent, again.summary.entriesPosted, again.files.length]).toEqual([0, 0, 0, 0]);
    expect(await recorded(there)).toEqual(rows);
  });
});
