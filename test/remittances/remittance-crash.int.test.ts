// Crash safety: the ingest is killed (SIGKILL, via CLAIMS_FAILPOINT) before, during and after the COPY of
// a remittance's entries, after its commit, and between remittances; a rerun then leaves exactly the
// ledger an uninterrupted run leaves.
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase, type TestDatabase } from '../support/db.ts';
import { runCli } from '../support/cli.ts';
import { interchange, type GenRemittance } from './support/generate-835.ts';
import { ledgerDump, tempDir, writeTemp } from './support/fixtures.ts';

// NAME#2: the second remittance's, while the first may still be settling (two post at once, decision 0055).
const FAILPOINTS = ['remit.before_copy', 'ledger.post.mid-copy', 'remit.after_copy', 'remit.after_commit', 'ingest.between-sets', 'ledger.post.mid-copy#2', 'remit.after_copy#2'];

const remit = (n: number): GenRemittance => ({
  set: String(n).padStart(4, '0'), trace: `EFT-K${n}`, payerId: '1000000009',
  claims: Array.from({ length: 3 }, (_, i) => ({
    pcn: `K-${n}-${i}`, lines: [
      { code: '99213', chargeCents: 10000 + i, adjustments: [{ group: 'CO' as const, reason: '45', cents: 2000 }, { group: 'PR' as const, reason: '2', cents: 1500 + n }] },
      { code: '81002', chargeCents: 3000, adjustments: [{ group: 'OA' as const, reason: '94', cents: 100 }] },
    ],
  })),
  plb: [{ code: 'WO', reference: `K-${n}-0`, cents: 250 }],
});

let dir: string;
let file: string;
let reference: string[];
/** One database per failpoint, cloned up front (see below), plus the reference run's. */
const databases = new Map<string, TestDatabase>();

// Each run is a fresh `node bin/claims.mjs` (tsx compiles on start): seconds each, and far more on a
// loaded 2-core CI machine. The timeouts are limits on a hung child, not expectations.
const CHILD_TIMEOUT_MS = 150_000;
const TEST_TIMEOUT_MS = 3 * CHILD_TIMEOUT_MS + 30_000;

async function ingest(db: TestDatabase, failpoint?: string) {
  return runCli(['ingest', '--quarantine', path.join(dir, 'q'), file], {
    env: { DATABASE_URL: db.url, CLAIMS_FAILPOINT: failpoint, CLAIMS_LOG_LEVEL: 'error', CLAIMS_HOME: path.join(dir, 'home') },
    timeoutMs: CHILD_TIMEOUT_MS,
  });
}

/** What the child said, for assertion messages: a child that fails to start says why on stderr. */
const said = (r: { code: number | null; signal: string | null; stdout: string; stderr: string }) =>
  `exit ${r.code} signal ${r.signal}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`;

const interchangesReceived = async (db: TestDatabase): Promise<number> =>
  (await db.pool.query(`SELECT count(*)::int AS n FROM x12_interchanges`)).rows[0].n;

beforeAll(async () => {
  dir = await tempDir();
  file = await writeTemp(dir, 'crash.835', interchange([remit(1), remit(2), remit(3)]));
  // Every database this file needs is cloned now, in one place, so they are all made while the run's
  // template certainly exists, and all dropped by useTestDatabase's own afterAll (registered here, where
  // vitest accepts hooks; a test body cannot register one).
  for (const name of ['reference', ...FAILPOINTS]) databases.set(name, await useTestDatabase());
  const db = databases.get('reference')!;
  const run = await ingest(db);
  expect(run.code, said(run)).toBe(0);
  reference = await ledgerDump(db.pool);
  // 3 remittances x (3 unmatched claims x (charge 2 + payments 4 + CO 2 + PR 2 + OA 2) + PLB 2) = 3 x 38.
  expect(reference).toHaveLength(114);
}, TEST_TIMEOUT_MS);

describe('ingest killed at a failpoint, then rerun', () => {
  for (const fp of FAILPOINTS) {
    it(`${fp}: the rerun leaves exactly the uninterrupted ledger`, { timeout: TEST_TIMEOUT_MS }, async () => {
      const db = databases.get(fp)!;
      const killed = await ingest(db, fp);
      expect(killed.signal, said(killed)).toBe('SIGKILL');
      const partial = await ledgerDump(db.pool);
      // All or nothing per remittance: a multiple of one remittance's 38 lines.
      expect(partial.length % 38).toBe(0);
      // Every failpoint fires in the first or second remittance, so the interchange's last set never
      // committed: it must not be recorded as received (a false "seen before").
      expect(await interchangesReceived(db)).toBe(0);
      const rerun = await ingest(db);
      expect(rerun.code, said(rerun)).toBe(0);
      expect(await ledgerDump(db.pool)).toEqual(reference);
      expect(await interchangesReceived(db)).toBe(1);
      const again = await ingest(db);
      expect(again.stdout, said(again)).toContain('duplicate (posted 0, duplicate 3, quarantined 0)');
    });
  }
});
