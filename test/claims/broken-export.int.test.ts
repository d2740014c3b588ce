// A claims export that is not one JSON array (here: cut short) is bad input: the nightly run quarantines it
// with the error and the byte beside it, records and posts nothing of it, exits 3, and the other exports
// of the night go out.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, REPO_ROOT } from '../support/cli.ts';
import { useTestDatabase } from '../support/db.ts';
import { syntheticClaim } from './support/synthetic.ts';

const db = await useTestDatabase();
const root = await fs.mkdtemp(path.join(os.tmpdir(), 'claims-broken-export-'));
afterAll(() => fs.rm(root, { recursive: true, force: true }));

describe('a broken claims export in the nightly run', () => {
  it('is quarantined with its reason; the good export beside it is sent', async () => {
    await fs.mkdir(path.join(root, 'drop'));
    // Batches of 1,000 claims are read before the cut at the end: none of them may be left recorded.
    await fs.writeFile(path.join(root, 'drop', 'cut.json'), JSON.stringify(Array.from({ length: 3000 }, (_, i) => syntheticClaim(10 + i))).slice(0, -40));
    await fs.writeFile(path.join(root, 'drop', 'good.ndjson'), `${JSON.stringify(syntheticClaim(3))}\n`);
    await fs.writeFile(path.join(root, 'p.json'), JSON.stringify({
      name: 'broken-export',
      folders: { pickup: ['drop'], inbox: 'work/inbox', outbox: 'work/outbox', archive: 'work/archive', quarantine: 'work/quarantine' },
      stages: [{ name: 'submit', settings: { payers: path.join(REPO_ROOT, 'samples', 'payers'), eligibility: false } }],
    }));
    const r = await runCli(['run', path.join(root, 'p.json'), '--as-of', '2024-09-01', '--json'], { env: { DATABASE_URL: db.url, CLAIMS_LOG_LEVEL: 'warn' } });
    expect(r.code, r.stdout + r.stderr).toBe(3);
    const quarantine = path.join(root, 'work', 'quarantine');
    expect((await fs.readdir(quarantine)).sort()).toEqual(['cut.json', 'cut.json.error.json']);
    const report = JSON.parse(await fs.readFile(path.join(quarantine, 'cut.json.error.json'), 'utf8')) as { errors: { code: string; location: { byteOffset: number } }[] };
    expect(report.errors.map((e) => e.code)).toEqual(['EXPORT_NOT_JSON_ARRAY']);
    expect(report.errors[0]!.location.byteOffset).toBeGreaterThan(4_000_000);
    // Nothing of the broken export was recorded or posted: only the good export's one claim and entry.
    expect((await db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM claims')).rows[0]!.n).toBe(1);
    expect((await db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM entries')).rows[0]!.n).toBe(1);
    expect((await fs.readdir(path.join(root, 'work', 'outbox'))).filter((n) => n.endsWith('.x12'))).toHaveLength(1);
  });
});
