// A NUL byte is bad input like any other, never a stuck night: in an 835 element it quarantines that set
// with its location while the set beside it posts; in an ISA sender id it refuses the interchange; in a
// claim id it rejects that claim with its line and field while the others are sent. Nothing stays in the
// inbox, and the next run does not fail on it.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, REPO_ROOT } from '../support/cli.ts';
import { useTestDatabase } from '../support/db.ts';
import { syntheticClaim } from '../claims/support/synthetic.ts';
import { interchange } from '../remittances/support/generate-835.ts';

const db = await useTestDatabase();
const root = await fs.mkdtemp(path.join(os.tmpdir(), 'claims-poison-'));
afterAll(() => fs.rm(root, { recursive: true, force: true }));

const work = (...p: string[]): string => path.join(root, 'work', ...p);
const env = { DATABASE_URL: db.url, CLAIMS_LOG_LEVEL: 'warn', CLAIMS_NOW: undefined };

describe('a NUL byte in the night\'s input', () => {
  it('quarantines the 835 set and rejects the claim, with their locations; the rest goes on and the next run exits 0', { timeout: 240_000 }, async () => {
    await fs.mkdir(path.join(root, 'drop'));
    const [a, b, c] = [syntheticClaim(1), { ...syntheticClaim(2), claimId: 'C0000\u00000002' }, syntheticClaim(3)];
    await fs.writeFile(path.join(root, 'drop', 'export.ndjson'), [a, b, c].map((x) => JSON.stringify(x)).join('\n') + '\n');
    // Set 0002 names its patient with a raw NUL byte in NM103 (segment index 22 of the file, position 9 of its set).
    await fs.writeFile(path.join(root, 'drop', 'remit.x12'), interchange([
      { set: '0001', trace: 'EFT-1', claims: [{ pcn: 'P-1', lines: [{ code: '99213', chargeCents: 10000 }] }] },
      { set: '0002', trace: 'EFT-2', claims: [{ pcn: 'P-2', lines: [{ code: '99213', chargeCents: 10000 }], patient: { last: 'DO\u0000E', first: 'JO', id: 'M2' } }] },
    ], { isa13: '000000901', gs06: '9' }));
    // A sender id with a NUL (ISA06 keeps its 15 characters): the whole interchange is refused, nothing recorded.
    const isa = interchange([{ set: '0001', trace: 'EFT-9', claims: [{ pcn: 'P-9', lines: [{ code: '99213', chargeCents: 10000 }] }] }], { isa13: '000000902', gs06: '10' });
    await fs.writeFile(path.join(root, 'drop', 'sender.x12'), isa.replace('*SYNTHPAYER     *', '*SYNTH\u0000PAYER    *'));
    const pipeline = path.join(root, 'p.json');
    await fs.writeFile(pipeline, JSON.stringify({
      name: 'poison',
      folders: { pickup: ['drop'], inbox: 'work/inbox', outbox: 'work/outbox', archive: 'work/archive', quarantine: 'work/quarantine' },
      stages: [{ name: 'submit', settings: { payers: path.join(REPO_ROOT, 'samples', 'payers'), eligibility: false } }, { name: 'ingest' }],
    }));

    const first = await runCli(['run', pipeline, '--as-of', '2024-09-01', '--json'], { env, timeoutMs: 200_000 });
    expect(first.code, first.stdout + first.stderr).toBe(3);
    expect(await fs.readdir(work('inbox'))).toEqual([]);
    expect((await fs.readdir(work('quarantine'))).sort()).toEqual(['export.ndjson', 'export.ndjson.error.json', 'remit.x12', 'remit.x12.error.json', 'sender.x12', 'sender.x12.error.json']);
    const sender = JSON.parse(await fs.readFile(work('quarantine', 'sender.x12.error.json'), 'utf8'));
    expect(sender.errors.map((e: { code: string; location: { segmentTag: string; element: number } }) => [e.code, e.location.segmentTag, e.location.element])).toEqual([
      ['X12_ELEMENT_CONTROL_CHARACTER', 'ISA', 6], ['X12_ELEMENT_CONTROL_CHARACTER', 'ISA', 6],
    ]);

    const remit = JSON.parse(await fs.readFile(work('quarantine', 'remit.x12.error.json'), 'utf8'));
    expect(remit.errors.map((e: { code: string }) => e.code)).toEqual(['X12_ELEMENT_CONTROL_CHARACTER']);
    expect(remit.errors[0]).toMatchObject({
      location: { file: 'remit.x12', interchange: '000000901', group: '9', set: '0002', segmentIndex: 22, segmentPosition: 9, segmentTag: 'NM1', element: 3 },
      found: 'DO\\u0000E',
    });
    // The set beside it posted: 100.00 paid on P-1.
    const posted = await db.pool.query<{ trace_number: string; payment_cents: bigint }>('SELECT trace_number, payment_cents FROM remittances ORDER BY id');
    expect(posted.rows).toEqual([{ trace_number: 'EFT-1', payment_cents: 10000n }]);

    const claims = JSON.parse(await fs.readFile(work('quarantine', 'export.ndjson.error.json'), 'utf8'));
    expect(claims.errors.map((e: { code: string }) => e.code)).toEqual(['CLAIMS_REJECTED', 'CLAIM_FIELD_CONTROL_CHARACTER']);
    expect(claims.errors[1]).toMatchObject({ location: { file: 'export.ndjson', claim: b.patientControlNumber, field: 'claimId' }, found: 'C0000\\u00000002' });
    const rows = JSON.parse(await fs.readFile(work('outbox', 'reports', 'export.ndjson', 'rejections.json'), 'utf8'));
    expect(rows.map((r: Record<string, unknown>) => [r.file, r.record, r.field, r.code])).toEqual([['export.ndjson', 2, 'claimId', 'CLAIM_FIELD_CONTROL_CHARACTER']]);
    // The two good claims were sent.
    const sent = await db.pool.query<{ pcn: string }>('SELECT patient_control_number AS pcn FROM claims ORDER BY 1');
    expect(sent.rows.map((r) => r.pcn)).toEqual([a.patientControlNumber, c.patientControlNumber]);

    const second = await runCli(['run', pipeline, '--as-of', '2024-09-01', '--json'], { env, timeoutMs: 200_000 });
    expect(second.code, second.stdout + second.stderr).toBe(0);
  });
});
