// Crash safety of claims out: `claims submit` is killed (SIGKILL, via CLAIMS_FAILPOINT) inside a batch's
// ledger COPY, after a batch committed (claims pending with their charges posted, their 837 not complete),
// and after the files were recorded sent but before they were renamed into the outbox. A rerun into the same
// outbox must then leave what an uninterrupted run leaves: every claim in exactly one complete 837 in the
// outbox (never a second interchange with the same claims), the same ledger, and a third run changes nothing.
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase, type TestDatabase } from '../support/db.ts';
import { runCli, type CliResult } from '../support/cli.ts';
import { validate837 } from '../support/x12-837-validator.ts';
import { syntheticClaim } from './support/synthetic.ts';

const CLAIMS = 2_500; // three batches of at most 1,000: a crash after the first leaves two to go
const FAILPOINTS = ['ledger.post.mid-copy', 'claims.batch.after-commit', 'claims.files.before-publish'];
const payers = fileURLToPath(new URL('../../samples/payers/', import.meta.url));
const CHILD_TIMEOUT_MS = 150_000;
const TEST_TIMEOUT_MS = 3 * CHILD_TIMEOUT_MS + 30_000;

let dir: string;
let exportFile: string;
const databases = new Map<string, TestDatabase>();
let reference: { ledger: string[]; claims: string[] };

function submit(db: TestDatabase, out: string, failpoint?: string): Promise<CliResult> {
  return runCli(['submit', exportFile, '--payers', payers, '--out', out, '--as-of', '2024-09-01', '--no-eligibility', '--json'], {
    env: { DATABASE_URL: db.url, CLAIMS_FAILPOINT: failpoint, CLAIMS_LOG_LEVEL: 'error', CLAIMS_HOME: path.join(dir, 'home') },
    timeoutMs: CHILD_TIMEOUT_MS,
  });
}

const said = (r: CliResult): string => `exit ${r.code} signal ${r.signal}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`;

/** The ledger, with claims named by their patient control number (claim ids are the database's own). */
async function ledger(db: TestDatabase): Promise<string[]> {
  const { rows } = await db.pool.query(`
    SELECT e.reason, e.effective_date::text AS effective_date, l.line_no, a.kind, a.payer_id, l.amount_cents::text AS amount_cents,
           c.patient_control_number AS pcn, c.frequency
    FROM entries e JOIN entry_lines l ON l.batch_id = e.batch_id AND l.entry_ordinal = e.ordinal
    JOIN accounts a ON a.id = l.account_id LEFT JOIN claims c ON c.id::text = l.claim_id
    ORDER BY c.patient_control_number, e.reason, l.line_no`);
  return rows.map((r) => JSON.stringify(r));
}

/** Every CLM01 in the finished 837s of the outbox, once per appearance (hidden part files are not sent). */
async function claimsInOutbox(out: string): Promise<string[]> {
  const found: string[] = [];
  for (const name of (await readdir(out)).filter((n) => n.startsWith('837-') && n.endsWith('.x12'))) {
    const text = await readFile(path.join(out, name), 'latin1');
    expect(validate837(text), name).toEqual([]);
    for (const m of text.matchAll(/(?:^|~)\s*CLM\*([^*]+)\*/g)) found.push(m[1]!);
  }
  return found.sort();
}

const statuses = async (db: TestDatabase): Promise<Record<string, number>> => {
  const { rows } = await db.pool.query<{ status: string; n: number }>('SELECT status, count(*)::int AS n FROM claims GROUP BY status');
  return Object.fromEntries(rows.map((r) => [r.status, r.n]));
};

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'claims-crash-'));
  exportFile = path.join(dir, 'export.ndjson');
  await writeFile(exportFile, Array.from({ length: CLAIMS }, (_, i) => JSON.stringify(syntheticClaim(i))).join('\n') + '\n');
  for (const name of ['reference', ...FAILPOINTS]) databases.set(name, await useTestDatabase());
  const db = databases.get('reference')!;
  const out = path.join(dir, 'out-reference');
  const run = await submit(db, out);
  expect(run.code, said(run)).toBe(0);
  reference = { ledger: await ledger(db), claims: await claimsInOutbox(out) };
  // The reference itself: every claim sent once, one charge entry (two lines) per claim.
  expect(reference.claims).toHaveLength(CLAIMS);
  expect(new Set(reference.claims).size).toBe(CLAIMS);
  expect(reference.ledger).toHaveLength(2 * CLAIMS);
}, TEST_TIMEOUT_MS);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('claims submit killed mid-run, then run again', () => {
  for (const failpoint of FAILPOINTS) {
    it(`at ${failpoint}: the rerun sends every claim once and leaves the reference ledger`, async () => {
      const db = databases.get(failpoint)!;
      const out = path.join(dir, `out-${failpoint}`);
      const crashed = await submit(db, out, failpoint);
      expect(crashed.signal, said(crashed)).toBe('SIGKILL');
      // Nothing half-sent: no finished 837 is in the outbox yet (files are renamed in only when complete).
      expect(await claimsInOutbox(out)).toEqual([]);

      const rerun = await submit(db, out);
      expect(rerun.code, said(rerun)).toBe(0);
      expect(await claimsInOutbox(out)).toEqual(reference.claims);
      expect(await ledger(db)).toEqual(reference.ledger);
      expect(await statuses(db)).toEqual({ submitted: CLAIMS });

      const filesBefore = (await readdir(out)).sort();
      const third = await submit(db, out);
      expect(third.code, said(third)).toBe(0);
      expect(JSON.parse(third.stdout)).toMatchObject({ sent: 0, resent: 0, duplicates: CLAIMS });
      expect((await readdir(out)).sort()).toEqual(filesBefore);
      expect(await ledger(db)).toEqual(reference.ledger);
    }, TEST_TIMEOUT_MS);
  }
});
