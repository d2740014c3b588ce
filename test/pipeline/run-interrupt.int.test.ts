// Ctrl-C during `claims run`: the process finishes the file in hand, records the run as interrupted,
// closes the database and exits 1; the next run carries on where it stopped.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect, runCli, spawnCli } from '../support/cli.ts';
import { useTestDatabase, type TestDatabase } from '../support/db.ts';

const FILES = 800;
let db: TestDatabase;
let root: string;

beforeAll(async () => {
  db = await useTestDatabase();
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'claims-run-sigint-'));
  await fs.mkdir(path.join(root, 'mailbox'));
  // Enough files that picking them up takes longer than the signal takes to arrive.
  for (let i = 0; i < FILES; i++) await fs.writeFile(path.join(root, 'mailbox', `era-${String(i).padStart(4, '0')}.835`), `synthetic ${i}`);
  await fs.writeFile(path.join(root, 'p.json'), JSON.stringify({
    name: 'sigint-test',
    folders: { pickup: ['mailbox'], inbox: 'w/in', outbox: 'w/out', archive: 'w/arch', quarantine: 'w/q' },
    stages: [{ name: 'ledger-snapshot' }],
  }));
});
afterAll(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

describe('claims run and SIGINT', () => {
  it('records the run as interrupted, exits 1, and the next run completes it', async () => {
    const env = { DATABASE_URL: db.url, CLAIMS_LOG_FORMAT: 'json', CLAIMS_LOG_LEVEL: 'info', CLAIMS_NOW: undefined };
    const child = spawnCli(['run', path.join(root, 'p.json'), '--as-of', '2024-03-01', '--json'], { env });
    child.stdin.end();
    const done = collect(child);
    await new Promise<void>((resolve) => {
      let seen = '';
      child.stderr.on('data', (c: Buffer) => {
        seen += c.toString('utf8');
        if (seen.includes('"msg":"run started"')) resolve();
      });
    });
    child.kill('SIGINT');
    const r = await done;
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('stopping at the next safe point');
    const summary = JSON.parse(r.stdout);
    expect(summary.status).toBe('interrupted');
    expect(summary.stages).toEqual([expect.objectContaining({ name: 'ledger-snapshot', status: 'not_run' })]);
    const copied = summary.pickup.copied.length;
    expect(copied).toBeLessThan(FILES);
    // Every file reported copied is in the inbox, and recorded as picked up: nothing half done.
    expect((await fs.readdir(path.join(root, 'w', 'in'))).length).toBe(copied);
    const picked = await db.pool.query("SELECT count(*)::int AS n FROM run_pickups WHERE pipeline_name = 'sigint-test'");
    expect(picked.rows[0].n).toBe(copied);
    const run = await db.pool.query("SELECT status, finished_at IS NOT NULL AS finished FROM runs WHERE pipeline_name = 'sigint-test'");
    expect(run.rows).toEqual([{ status: 'interrupted', finished: true }]);

    const next = await runCli(['run', path.join(root, 'p.json'), '--as-of', '2024-03-01', '--json'], { env, timeoutMs: 120_000 });
    expect(next.code).toBe(0);
    const nextSummary = JSON.parse(next.stdout);
    expect(nextSummary.pickup).toEqual({ copied: expect.any(Array), alreadyPickedUp: copied });
    expect(nextSummary.pickup.copied.length).toBe(FILES - copied);
    expect((await fs.readdir(path.join(root, 'w', 'in'))).length).toBe(FILES);
  });
});
