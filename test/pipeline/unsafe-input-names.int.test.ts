// A file whose name holds a control character, picked up or dropped straight into the inbox, is renamed
// safely and processed like any other: no glob matched across the newline, so it used to sit in the inbox
// unseen, run after run.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.ts';
import { useTestDatabase, type TestDatabase } from '../support/db.ts';
import { interchange } from '../remittances/support/generate-835.ts';
import { ledgerBalances } from '../remittances/support/fixtures.ts';

let db: TestDatabase;
let root: string;
const dir = (...p: string[]): string => path.join(root, ...p);
// Paid 100.00 - 20.00 = 80.00 and 150.00 - 20.00 = 130.00.
const era = (isa13: string, trace: string, pcn: string, chargeCents: number): string => interchange([{
  set: '0001', trace, payerId: '1000000007',
  claims: [{ pcn, lines: [{ code: '99213', chargeCents, adjustments: [{ group: 'CO', reason: '45', cents: 2000 }] }] }],
}], { isa13, gs06: String(Number(isa13) % 100) });

beforeAll(async () => {
  db = await useTestDatabase();
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'claims-unsafe-names-'));
  await fs.mkdir(dir('mailbox'));
  await fs.mkdir(dir('work', 'inbox'), { recursive: true, mode: 0o700 });
  await fs.writeFile(dir('mailbox', 'era\n0301.835'), era('000000301', 'EFT-N1', 'N-1', 10000));
  await fs.writeFile(dir('work', 'inbox', 'drop\r.x12'), era('000000302', 'EFT-N2', 'N-2', 15000));
  await fs.writeFile(dir('p.json'), JSON.stringify({
    name: 'unsafe-names',
    folders: { pickup: ['mailbox'], inbox: 'work/inbox', outbox: 'work/outbox', archive: 'work/archive', quarantine: 'work/quarantine' },
    stages: [{ name: 'ingest' }],
  }));
});
afterAll(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

describe('input names with control characters', () => {
  it('are renamed safely, processed and archived; nothing is left in the inbox', async () => {
    const res = await runCli(['run', dir('p.json'), '--as-of', '2024-03-31', '--json'], { env: { DATABASE_URL: db.url, CLAIMS_NOW: undefined, CLAIMS_LOG_LEVEL: 'warn' }, cwd: root });
    expect(res.code, res.stderr).toBe(0);
    const summary = JSON.parse(res.stdout);
    expect(summary.pickup).toEqual({
      copied: ['era%0A0301.835'], alreadyPickedUp: 0,
      renamed: [{ from: 'era\n0301.835', to: 'era%0A0301.835' }, { from: 'drop\r.x12', to: 'drop%0D.x12' }],
    });
    expect(summary.stages[0].inputs.map((i: { input: string; status: string }) => [i.input, i.status])).toEqual([['drop%0D.x12', 'done'], ['era%0A0301.835', 'done']]);
    expect(summary.leftInInbox).toEqual([]);
    expect(await fs.readdir(dir('work', 'inbox'))).toEqual([]);
    expect((await fs.readdir(dir('work', 'archive', '2024-03-31'))).sort()).toEqual(['drop%0D.x12', 'drop%0D.x12.sha256', 'era%0A0301.835', 'era%0A0301.835.sha256']);
    expect((await ledgerBalances(db.pool))['payer_clearing:835:1000000007:']).toBe(8000n + 13000n);
    // The pickup record keeps the source as it is named in the mailbox (the original is never changed).
    const picked = await db.pool.query(`SELECT source_path, inbox_name FROM run_pickups WHERE pipeline_name = 'unsafe-names'`);
    expect(picked.rows).toEqual([{ source_path: 'mailbox/era\n0301.835', inbox_name: 'era%0A0301.835' }]);
    expect(await fs.readdir(dir('mailbox'))).toEqual(['era\n0301.835']);
  });
});
