// Golden files: the sample exports (both claim types, dependents, secondary coverages, crosswalk rules, a
// replacement and a void) through validation, mapping and the outbox with a fixed clock and counters. The
// files under golden/ were written once by the writer before it moved onto the X12 core's writer and read
// by eye against the 837 guides; any later change to a single byte of output fails here. The independent
// validator checks them too. Regenerate only on purpose: CLAIMS_GOLDEN_WRITE=1 npx vitest run test/claims/golden.test.ts
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { loadPayerProfiles } from '../../src/runtime/payer-profiles.ts';
import { submitClaims } from '../../src/claims/submit.ts';
import { memoryControlNumbers } from '../../src/exchange/control-numbers.ts';
import { fixedClock } from '../../src/common/clock.ts';
import { validate837 } from '../support/x12-837-validator.ts';

const samples = fileURLToPath(new URL('../../samples/', import.meta.url));
const goldenDir = fileURLToPath(new URL('./golden/', import.meta.url));
const work = mkdtempSync(path.join(tmpdir(), 'claims-golden-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('837 output against golden files', () => {
  // Prepared on this thread, and on two worker threads (the samples are small: the threshold is lowered).
  it.each([
    ['this thread', { threads: 0 }],
    ['worker threads', { threads: 2, threadsFromBytes: 0 }],
  ])('writes the sample exports byte for byte as the golden files (%s)', { timeout: 30_000 }, async (name, threads) => {
    const payers = await loadPayerProfiles(path.join(samples, 'payers'));
    const s = await submitClaims({
      inputs: [path.join(samples, 'claims', '01-export.ndjson'), path.join(samples, 'claims', '02-corrections.ndjson')],
      outDir: path.join(work, name),
      ...threads,
      payers,
      clock: fixedClock('2024-03-31T09:30:00Z'),
      controlNumbers: memoryControlNumbers({ ISA: 900n, GS: 40n, ST: 7n }),
      store: null,
    });
    expect(s.files.map((f) => f.fileName)).toEqual(['837-ACME-000000901.x12', '837-BLUE-000000902.x12', '837-MEDB-000000901.x12', '837-STMCD-000000901.x12']);
    for (const f of s.files) {
      const text = readFileSync(f.path, 'latin1');
      const golden = path.join(goldenDir, f.fileName);
      if (process.env.CLAIMS_GOLDEN_WRITE === '1') writeFileSync(golden, text, 'latin1');
      expect(validate837(text), f.fileName).toEqual([]);
      expect(text, f.fileName).toBe(readFileSync(golden, 'latin1'));
    }
  });
});
