// Crash safety of posting: `claims ledger post` killed with SIGKILL at each named failpoint (including in
// the middle of the COPY) leaves either the whole batch or nothing, and a rerun completes it with exactly
// the expected balances. Two processes posting the same file at once produce exactly one posting.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase, type TestDatabase } from '../support/db.ts';
import { collect, runCli, spawnCli } from '../support/cli.ts';
import { FAILPOINTS } from '../../src/runtime/failpoints.ts';
import { postingBatchFileJson } from '../../src/ledger/batch-file.ts';
import { balances } from '../../src/ledger/queries.ts';
import type { Entry, PostingBatch } from '../../src/ledger/types.ts';

const ENTRIES = 3000; // 12,000 lines: about 600 KB of COPY text in three chunks, so mid-copy is mid-copy

/** Each entry: +75.00 insurance receivable, +25.00 to one of ten patients, -90.00 revenue, -10.00 CO. */
function crashBatch(key: string): PostingBatch {
  const entries: Entry[] = [];
  for (let i = 0; i < ENTRIES; i++) {
    const claimId = `${key}-C${i}`;
    entries.push({
      key: `${key}:e${i}`, reason: 'claim.charge', effectiveDate: '2025-06-01',
      lines: [
        { account: { kind: 'insurance_receivable', payerId: 'CRASH' }, amountCents: 7500n, claimId },
        { account: { kind: 'patient_receivable', patientId: `PT-${i % 10}` }, amountCents: 2500n, claimId },
        { account: { kind: 'revenue' }, amountCents: -9000n, claimId },
        { account: { kind: 'contractual_adjustment' }, amountCents: -1000n, reason: 'CO-45', claimId },
      ],
    });
  }
  return { key, entries };
}

// Per posted batch of 3,000 entries, written out: 3000 x 75.00, 300 x 25.00 per patient, and so on.
const PER_BATCH = {
  insuranceCents: 22_500_000n,
  perPatientCents: 750_000n,
  revenueCents: -27_000_000n,
  contractualCents: -3_000_000n,
};

let db: TestDatabase;
let dir: string;
beforeAll(async () => {
  db = await useTestDatabase();
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'ledger-crash-'));
});
afterAll(async () => {
  await db?.close();
  if (dir) await fs.rm(dir, { recursive: true, force: true });
});

async function writeBatchFile(batch: PostingBatch): Promise<string> {
  const file = path.join(dir, `${batch.key}.json`);
  await fs.writeFile(file, JSON.stringify(postingBatchFileJson(batch)));
  return file;
}

function env(failpoint?: string): Record<string, string | undefined> {
  return { DATABASE_URL: db.url, CLAIMS_FAILPOINT: failpoint, CLAIMS_LOG_LEVEL: 'error', CLAIMS_HOME: path.join(dir, 'home') };
}

async function stored(key: string): Promise<{ batches: number; entries: number; lines: number; open: number }> {
  const r = await db.pool.query<{ batches: number; entries: number; lines: number; open: number }>(`
    SELECT (SELECT count(*) FROM posting_batches WHERE key = $1)::int AS batches,
           (SELECT count(*) FROM entries e JOIN posting_batches b ON b.id = e.batch_id WHERE b.key = $1)::int AS entries,
           (SELECT count(*) FROM entry_lines l JOIN posting_batches b ON b.id = l.batch_id WHERE b.key = $1)::int AS lines,
           (SELECT count(*) FROM ledger_open_batches)::int AS open`, [key]);
  return r.rows[0]!;
}

async function expectBalances(postedBatches: bigint): Promise<void> {
  const tb = await balances(db);
  const n = postedBatches;
  expect(tb.totalCents).toBe(0n);
  // Accounts made by a rolled-back posting are gone with it: the trial balance lists accounts with lines.
  expect(tb.accounts).toEqual(n === 0n ? [] : [
    { practiceId: 'default', kind: 'insurance_receivable', payerId: 'CRASH', patientId: null, balanceCents: PER_BATCH.insuranceCents * n },
    ...Array.from({ length: 10 }, (_, p) => ({ practiceId: 'default', kind: 'patient_receivable', payerId: null, patientId: `PT-${p}`, balanceCents: PER_BATCH.perPatientCents * n })),
    { practiceId: 'default', kind: 'revenue', payerId: null, patientId: null, balanceCents: PER_BATCH.revenueCents * n },
    { practiceId: 'default', kind: 'contractual_adjustment', payerId: null, patientId: null, balanceCents: PER_BATCH.contractualCents * n },
  ]);
}

describe('claims ledger post killed at a failpoint', () => {
  let posted = 0n;

  it.each(FAILPOINTS.filter((f) => f.startsWith('ledger.post.')).map((f) => [f]))('%s: all or nothing, and a rerun completes it', async (failpoint) => {
    const key = `crash-${failpoint.replace(/\W/g, '-')}`;
    const file = await writeBatchFile(crashBatch(key));

    const killed = await runCli(['ledger', 'post', file], { env: env(failpoint) });
    expect(killed.signal).toBe('SIGKILL');
    expect(killed.code).toBeNull();
    const afterCrash = await stored(key);
    const committed = failpoint === 'ledger.post.after-commit';
    expect(afterCrash).toEqual(committed
      ? { batches: 1, entries: ENTRIES, lines: ENTRIES * 4, open: 0 }
      : { batches: 0, entries: 0, lines: 0, open: 0 });
    if (committed) posted += 1n;
    await expectBalances(posted);

    const rerun = await runCli(['ledger', 'post', file], { env: env() });
    expect(rerun.stderr).toBe('');
    expect(rerun.code).toBe(0);
    expect(rerun.stdout).toBe(committed
      ? `duplicate: batch ${key} was already posted with the same content; nothing written\n`
      : `posted batch ${key}: ${ENTRIES} entries, ${ENTRIES * 4} lines\n`);
    if (!committed) posted += 1n;
    expect(await stored(key)).toEqual({ batches: 1, entries: ENTRIES, lines: ENTRIES * 4, open: 0 });
    await expectBalances(posted);
  });

  it('two processes posting the same file at once: one posts, the other finds a duplicate', async () => {
    const key = 'crash-concurrent';
    const file = await writeBatchFile(crashBatch(key));
    const [a, b] = await Promise.all([
      collect(spawnCli(['ledger', 'post', file, '--json'], { env: env(), input: '' })),
      collect(spawnCli(['ledger', 'post', file, '--json'], { env: env(), input: '' })),
    ]);
    expect([a.code, b.code]).toEqual([0, 0]);
    const outcomes = [a, b].map((r) => (JSON.parse(r.stdout) as { outcome: string }).outcome).sort();
    expect(outcomes).toEqual(['duplicate', 'posted']);
    posted += 1n;
    expect(await stored(key)).toEqual({ batches: 1, entries: ENTRIES, lines: ENTRIES * 4, open: 0 });
    await expectBalances(posted);
  });
});
