// Migration 0015 (practices) on a database written by the code before it: the demo's database, made by the
// last commit without practices, migrated by this code keeps every account, every balance and every row, all
// in the practice 'default'; and after the upgrade the same inputs again change nothing (exactly once across
// the upgrade). The old code comes from git history (`git archive`), so the test needs the repository's history.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../support/db.ts';
import { REPO_ROOT, runCli } from '../support/cli.ts';

/** The last commit before practices: its migrations end at 0014. */
const BEFORE_PRACTICES = '52a28d3';

const work = mkdtempSync(path.join(tmpdir(), 'claims-migrate-practices-'));
chmodSync(work, 0o755);
afterAll(() => rmSync(work, { recursive: true, force: true }));
const db = await useTestDatabase({ migrated: false });

function runOld(oldRoot: string, args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--max-semi-space-size=64', path.join(oldRoot, 'bin', 'claims.mjs'), ...args], { cwd: oldRoot, env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 240_000);
    child.on('error', reject);
    child.on('close', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr }); });
  });
}

/** Every account with its balance, as text rows, and the row count of every table. */
async function snapshot(): Promise<{ accounts: string[]; counts: Record<string, number> }> {
  const accounts = await db.pool.query<{ row: string }>(`
    SELECT a.kind || ' ' || coalesce(a.payer_id, '-') || ' ' || coalesce(a.patient_id, '-') || ' ' || coalesce(sum(l.amount_cents), 0) AS row
    FROM accounts a LEFT JOIN entry_lines l ON l.account_id = a.id GROUP BY a.id ORDER BY 1`);
  const tables = await db.pool.query<{ t: string }>("SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public' ORDER BY 1");
  const counts: Record<string, number> = {};
  for (const { t } of tables.rows) {
    counts[t] = Number((await db.pool.query<{ n: string }>(`SELECT count(*)::text AS n FROM "${t}"`)).rows[0]!.n);
  }
  return { accounts: accounts.rows.map((r) => r.row), counts };
}

describe('migration 0015 on the demo database of the code before practices', () => {
  it('keeps every account, balance and row in the practice default; the same inputs again change nothing', async () => {
    const oldRoot = path.join(work, 'old');
    execFileSync('mkdir', ['-p', oldRoot]);
    execFileSync('sh', ['-c', `git -C "${REPO_ROOT}" archive ${BEFORE_PRACTICES} | tar -x -C "${oldRoot}"`]);
    symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(oldRoot, 'node_modules'));
    const home = path.join(work, 'home');
    const env = { DATABASE_URL: db.url, CLAIMS_HOME: home, CLAIMS_LOG_LEVEL: 'error' };

    const demo = await runOld(oldRoot, ['run', 'pipelines/demo.json'], env);
    expect(demo.code, demo.stderr.slice(-2000)).toBe(3); // the bad samples are quarantined on purpose
    const applied = await db.pool.query<{ id: number }>('SELECT max(id)::int AS id FROM claims_migrations');
    expect(applied.rows[0]!.id).toBe(14);
    const before = await snapshot();
    expect(before.accounts.length).toBeGreaterThan(20);
    expect(before.counts['entry_lines']).toBeGreaterThan(100);

    const migrate = await runCli(['db', 'migrate'], { env });
    expect(migrate.code, migrate.stderr).toBe(0);
    const after = await snapshot();
    expect(after.accounts).toEqual(before.accounts);
    // Every table the old database had keeps its rows; practices is new, with 'default' alone.
    for (const [table, n] of Object.entries(before.counts)) {
      if (table !== 'claims_migrations') expect([table, after.counts[table]]).toEqual([table, n]);
    }
    expect(after.counts['practices']).toBe(1);
    const practices = await db.pool.query('SELECT id, npis FROM practices');
    expect(practices.rows).toEqual([{ id: 'default', npis: ['1234567893', '1987654328'] }]);
    for (const table of ['accounts', 'claims', 'guarantor_accounts', 'patients', 'remittances', 'statements', 'referrals']) {
      const other = await db.pool.query(`SELECT count(*)::int AS n FROM ${table} WHERE practice_id <> 'default'`);
      expect([table, other.rows[0].n]).toEqual([table, 0]);
    }
    // The trial balance of the office and of 'default' are the same, and zero.
    const tb = await runCli(['ledger', 'balances', '--json'], { env });
    const office = JSON.parse(tb.stdout) as { totalCents: number; practices: { practiceId: string; totalCents: number }[] };
    expect([office.totalCents, office.practices]).toEqual([0, [{ practiceId: 'default', totalCents: 0 }]]);

    // The same inputs through the new code: nothing is sent or posted twice.
    const samples = path.join(oldRoot, 'samples');
    const submit = await runCli(['submit', path.join(samples, 'claims', '01-export.ndjson'), '--payers', path.join(samples, 'payers'), '--out', path.join(work, 'out'), '--json'], { env });
    expect(JSON.parse(submit.stdout)).toMatchObject({ sent: 0, resent: 0, entriesPosted: 0 });
    const ingest = await runCli(['ingest', path.join(samples, '835', 'acme-2024-03-08.x12'), path.join(samples, '835', 'blue-2024-03-09.x12'), '--json'], { env });
    const files = (JSON.parse(ingest.stdout) as { files: { status: string; sets: { status: string }[] }[] }).files;
    expect(files.map((f) => [f.status, ...f.sets.map((x) => x.status).filter((x) => x === 'posted')])).toEqual([['duplicate'], ['duplicate']]);
    expect((await snapshot()).accounts).toEqual(before.accounts);
  }, 300_000);
});
