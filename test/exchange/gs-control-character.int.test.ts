// A NUL in GS02 (the sender's application code) refuses the group, named at its element, and never reaches
// the database or the 999 we send back (which echoes GS02/GS03 swapped): the ISA id stands in for it.
import { mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.ts';
import { useTestDatabase } from '../support/db.ts';
import { interchange } from '../remittances/support/generate-835.ts';

describe('a NUL in GS02', () => {
  it('quarantines the group naming GS02; the 999 carries no NUL and answers the ISA sender', async () => {
    const db = await useTestDatabase();
    const dir = await mkdtemp(path.join(tmpdir(), 'claims-gs-nul-'));
    const text = interchange([{ set: '0001', trace: 'EFT-G1', claims: [{ pcn: 'G-1', lines: [{ code: '99213', chargeCents: 10000 }] }] }]);
    const bad = text.replace(/GS\*HP\*[^*]+\*/, 'GS*HP*SEN\u0000DER*');
    expect(bad).not.toBe(text);
    await writeFile(path.join(dir, 'gs-nul.835'), bad);
    const r = await runCli(['ingest', path.join(dir, 'gs-nul.835'), '--acks', path.join(dir, 'acks'), '--quarantine', path.join(dir, 'q'), '--json'],
      { env: { DATABASE_URL: db.url, CLAIMS_HOME: dir, CLAIMS_LOG_LEVEL: 'error' } });
    expect(r.code, r.stderr).toBe(3);
    const report = JSON.parse(await readFile(path.join(dir, 'q', 'gs-nul.835.error.json'), 'utf8')) as { errors: { code: string; location: { segmentTag: string; element: number }; found: string }[] };
    expect(report.errors.map((e) => [e.code, e.location.segmentTag, e.location.element, e.found])).toEqual([['X12_ELEMENT_CONTROL_CHARACTER', 'GS', 2, 'SEN\\u0000DER']]);
    const [ack] = await readdir(path.join(dir, 'acks'));
    const bytes = await readFile(path.join(dir, 'acks', ack!));
    expect(bytes.includes(0)).toBe(false);
    const gs = bytes.toString('latin1').split('~').map((s) => s.trim()).find((s) => s.startsWith('GS*'))!;
    expect(gs.split('*').slice(1, 4)).toEqual(['FA', 'SYNTHCLINIC', 'SYNTHPAYER']);
    expect((await db.pool.query('SELECT count(*)::int AS n FROM remittances')).rows[0].n).toBe(0);
  });
});
