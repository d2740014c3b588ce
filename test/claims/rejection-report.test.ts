// The rejection report of a claims export: a claim id the database cannot store (a NUL) rejects that claim
// with its line and field while the others are sent; every row names the export; and a record of huge
// values leaves a small report (each value quoted as 200 characters and its length, not copied per row).
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { loadPayerProfiles } from '../../src/runtime/payer-profiles.ts';
import { submitClaims } from '../../src/claims/submit.ts';
import { memoryControlNumbers } from '../../src/exchange/control-numbers.ts';
import { fixedClock } from '../../src/common/clock.ts';
import { validateClaim } from '../../src/domain/claim-validate.ts';
import { syntheticClaim } from './support/synthetic.ts';

const samples = fileURLToPath(new URL('../../samples', import.meta.url));
const payers = await loadPayerProfiles(path.join(samples, 'payers'));
const work = mkdtempSync(path.join(tmpdir(), 'claims-report-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const HUGE = 5_000_000;

describe('the rejection report', () => {
  it('rejects a claim id holding a NUL or a broken surrogate (an export\'s "\\ud800")', () => {
    const nul = { ...syntheticClaim(2), claimId: 'C0000\u00000002' };
    for (const input of [nul, { ...syntheticClaim(2), claimId: 'C0000\uD8000002' }]) {
      const r = validateClaim(input, 4, '2024-09-01');
      expect(r.ok).toBe(false);
      if (r.ok) continue;
      expect(r.rejections.map((x) => [x.record, x.field, x.code])).toEqual([[4, 'claimId', 'CLAIM_FIELD_CONTROL_CHARACTER']]);
    }
    const r = validateClaim(nul, 4, '2024-09-01');
    expect(!r.ok && r.rejections[0]).toMatchObject({ claimId: 'C0000\\u00000002', found: 'C0000\\u00000002', message: 'claimId holds NUL (0x00) at character 6: it cannot be stored' });
  });

  it('sends the good claims, names the export in every row, and stays small with huge values', async () => {
    const good = syntheticClaim(1);
    const nul = { ...syntheticClaim(2), claimId: 'C0000\u00000002' };
    const huge = syntheticClaim(3);
    huge.claimId = 'H'.repeat(HUGE);
    huge.patient.lastName = 'L'.repeat(HUGE);
    const input = path.join(work, 'night.ndjson');
    // JSON.stringify writes the NUL as the escape \u0000: the form an export carries it in.
    writeFileSync(input, [good, nul, huge].map((c) => JSON.stringify(c)).join('\n') + '\n');
    expect(statSync(input).size).toBeGreaterThan(2 * HUGE);
    const outDir = mkdtempSync(path.join(work, 'out-'));
    const s = await submitClaims({
      inputs: [input], outDir, payers, clock: fixedClock('2024-09-01T12:00:00Z'), controlNumbers: memoryControlNumbers({ ISA: 5n, GS: 5n, ST: 5n }), store: null,
    });
    expect([s.records, s.sent, s.rejectedClaims]).toEqual([3, 1, 2]);
    expect(readFileSync(s.files[0]!.path, 'latin1')).toContain(`CLM*${good.patientControlNumber}*`);

    const rows = JSON.parse(readFileSync(s.report.json, 'utf8')) as Record<string, unknown>[];
    expect(rows[0]).toEqual({
      outcome: 'rejected', file: 'night.ndjson', record: 2, claimId: 'C0000\\u00000002', patientControlNumber: nul.patientControlNumber, field: 'claimId',
      code: 'CLAIM_FIELD_CONTROL_CHARACTER', message: 'claimId holds NUL (0x00) at character 6: it cannot be stored', expected: 'text without NUL or broken characters', found: 'C0000\\u00000002',
    });
    const hugeRows = rows.slice(1);
    expect(hugeRows.map((r) => r.field)).toEqual(expect.arrayContaining(['claimId', 'patient.lastName']));
    const quotedId = `"${'H'.repeat(200)}..." (5000000 characters)`;
    for (const r of hugeRows) expect([r.file, r.record, r.claimId]).toEqual(['night.ndjson', 3, quotedId]);
    expect(hugeRows.find((r) => r.field === 'claimId')!.found).toBe(quotedId);
    expect(hugeRows.find((r) => r.field === 'patient.lastName')!.found).toBe(`"${'L'.repeat(200)}..." (5000000 characters)`);
    // The CSV names the export too (the file column was always empty).
    expect(readFileSync(s.report.csv, 'utf8').split('\r\n')[1]!.startsWith('rejected,night.ndjson,2,')).toBe(true);
    // Each huge row repeats two 226-character excerpts, not two 5 MB values.
    expect(statSync(s.report.csv).size + statSync(s.report.json).size).toBeLessThan(4000 * rows.length);
  });
});
