// The `ingest` stage of `claims run`, as a user runs it (a child process, a pipeline file, a pickup
// folder): a good file is archived after its data is committed, a file with one rejected remittance is
// quarantined with its .error.json while its good remittance stays posted, a re-enveloped resend is a
// duplicate, files that are not X12 are left for other stages, and TA1/999 acknowledgements land in the
// outbox. Expected acknowledgement text is written out by hand from the inputs.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.ts';
import { useTestDatabase, type TestDatabase } from '../support/db.ts';
import { interchange, type GenRemittance } from '../remittances/support/generate-835.ts';
import { ledgerBalances } from '../remittances/support/fixtures.ts';

let db: TestDatabase;
let root: string;
let pipelineFile: string;
let env: Record<string, string | undefined>;

const claim = (pcn: string, cents: number, extra: Partial<GenRemittance['claims'][number]> = {}): GenRemittance['claims'][number] => ({
  pcn, lines: [{ code: '99213', chargeCents: cents, adjustments: [{ group: 'CO', reason: '45', cents: 2000 }] }], ...extra,
});
// Paid: 100 - 20 = 80.00 and 150 - 20 = 130.00.
const r1: GenRemittance = { set: '0001', trace: 'EFT-G1', payerId: '1000000007', claims: [claim('G-1', 10000)] };
const r2: GenRemittance = { set: '0002', trace: 'EFT-G2', payerId: '1000000007', claims: [claim('G-2', 15000)] };
// Balanced (paid 50.00), unbalanced (SVC03 says 70 where 100 - 20 = 80), and one whose CAS group is the
// retired CR (a located reader error: CAS01 at position 12 of its set).
const x: GenRemittance = { set: '0001', trace: 'EFT-M1', payerId: '1000000007', claims: [claim('M-1', 7000)] };
const y: GenRemittance = { set: '0002', trace: 'EFT-M2', payerId: '1000000007', claims: [{ pcn: 'M-2', lines: [{ code: '99213', chargeCents: 10000, paidCents: 7000, adjustments: [{ group: 'CO', reason: '45', cents: 2000 }] }] }] };
const z: GenRemittance = { set: '0003', trace: 'EFT-M3', payerId: '1000000007', claims: [{ pcn: 'M-3', lines: [{ code: '99213', chargeCents: 10000, adjustments: [{ group: 'OA', reason: '94', cents: 1000 }] }] }] };

beforeAll(async () => {
  db = await useTestDatabase();
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'claims-ingest-stage-'));
  const mailbox = path.join(root, 'mailbox');
  await fs.mkdir(mailbox);
  // ISA14 = 1: the sender asks for a TA1.
  await fs.writeFile(path.join(mailbox, 'a-good.x12'), interchange([r1, r2], { isa13: '000000101', gs06: '11' }).replace('*000000101*0*P*', '*000000101*1*P*'));
  await fs.writeFile(path.join(mailbox, 'b-mixed.x12'), interchange([x, y, z], { isa13: '000000102', gs06: '12' }).replace('CAS*OA*94*', 'CAS*CR*94*'));
  // a-good again, re-enveloped (new ISA13, GS06, ST02s), re-dated and with amounts written another way.
  const resent = interchange([{ ...r1, set: '0101' }, { ...r2, set: '0102' }], { isa13: '000000555', gs06: '77' })
    .replaceAll('DTM*405*20240315', 'DTM*405*20240402').replaceAll('CAS*CO*45*20~', 'CAS*CO*45*20.00~');
  expect(resent).toContain('CAS*CO*45*20.00~');
  await fs.writeFile(path.join(mailbox, 'c-resent.x12'), resent);
  await fs.writeFile(path.join(mailbox, 'claims.ndjson'), '{"not":"x12"}\n');
  pipelineFile = path.join(root, 'nightly.json');
  await fs.writeFile(pipelineFile, JSON.stringify({
    name: 'ingest-test',
    folders: { pickup: ['mailbox'], inbox: 'work/inbox', outbox: 'work/outbox', archive: 'work/archive', quarantine: 'work/quarantine' },
    stages: [{ name: 'ingest' }],
  }, null, 2));
  env = { DATABASE_URL: db.url, CLAIMS_LOG_FORMAT: 'json', CLAIMS_LOG_LEVEL: 'warn', CLAIMS_NOW: undefined };
}, 120_000);
afterAll(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

const work = (...p: string[]): string => path.join(root, 'work', ...p);

describe('the ingest stage', () => {
  it('archives, quarantines, reports duplicates, leaves other files, and acknowledges', { timeout: 300_000 }, async () => {
    const run = await runCli(['run', pipelineFile, '--as-of', '2024-03-31'], { env, cwd: os.tmpdir(), timeoutMs: 240_000 });
    expect(run.code, run.stderr).toBe(3);
    expect(run.stdout).toContain('ingest');
    expect((await fs.readdir(work('archive', '2024-03-31'))).sort()).toEqual(['a-good.x12', 'a-good.x12.sha256', 'c-resent.x12', 'c-resent.x12.sha256']);
    expect((await fs.readdir(work('inbox'))).sort()).toEqual(['claims.ndjson']);
    const report = JSON.parse(await fs.readFile(work('quarantine', 'b-mixed.x12.error.json'), 'utf8'));
    expect(report.stage).toBe('ingest');
    // 0002 fails at line level (SVC02 100 - CAS 20 = 80, SVC03 says 70) and so at claim level (CLP04 70).
    expect(report.errors.map((e: { code: string; location: { set: string }; message: string }) => [e.code, e.location.set, /at (\w+) level/.exec(e.message)?.[1] ?? ''])).toEqual([
      ['REMIT_UNBALANCED', '0002', 'line'], ['REMIT_UNBALANCED', '0002', 'claim'], ['REMIT_ADJUSTMENT_GROUP_INVALID', '0003', ''],
    ]);

    // Posted: a-good's 80 + 130 and b-mixed's first remittance (50); nothing from the resend or the rejects.
    const balances = await ledgerBalances(db.pool);
    expect(balances['payer_clearing:835:1000000007:']).toBe(8000n + 13000n + 5000n);
    const rows = await db.pool.query(`SELECT control_number, status FROM x12_interchanges ORDER BY control_number`);
    expect(rows.rows).toEqual([
      { control_number: '000000101', status: 'received' },
      { control_number: '000000102', status: 'received' },
      { control_number: '000000555', status: 'received' },
    ]);

    // One ack interchange per received interchange, control numbers 1, 2, 3 from the database, in the
    // order the files were read.
    const acks = (await fs.readdir(work('outbox'))).filter((n) => n.startsWith('ack-')).sort();
    expect(acks).toEqual(['ack-SYNTHPAYER-000000101-000000001.x12', 'ack-SYNTHPAYER-000000102-000000002.x12', 'ack-SYNTHPAYER-000000555-000000003.x12']);
    const isa = (n: string) => `ISA*00*          *00*          *ZZ*SYNTHCLINIC    *ZZ*SYNTHPAYER     *240331*0000*^*00501*00000000${n}*0*P*:~`;
    expect(await fs.readFile(work('outbox', acks[0]!), 'utf8')).toBe([
      isa('1'),
      'TA1*000000101*240315*1200*A*000~',
      'GS*FA*SYNTHCLINIC*SYNTHPAYER*20240331*0000*1*X*005010X231A1~',
      'ST*999*0001*005010X231A1~',
      'AK1*HP*11*005010X221A1~',
      'AK2*835*0001~', 'IK5*A~',
      'AK2*835*0002~', 'IK5*A~',
      'AK9*A*2*2*2~',
      'SE*8*0001~', 'GE*1*1~', 'IEA*1*000000001~', '',
    ].join('\n'));
    // Partially accepted: the reader's located error becomes IK3/IK4; an unbalanced remittance is a
    // business rejection (quarantine report), not a syntax one.
    expect(await fs.readFile(work('outbox', acks[1]!), 'utf8')).toBe([
      isa('2'),
      'GS*FA*SYNTHCLINIC*SYNTHPAYER*20240331*0000*2*X*005010X231A1~',
      'ST*999*0002*005010X231A1~',
      'AK1*HP*12*005010X221A1~',
      'AK2*835*0001~', 'IK5*A~',
      'AK2*835*0002~', 'IK5*A~',
      'AK2*835*0003~', 'IK3*CAS*12*2110*8~', 'IK4*1**7~', 'IK5*R*5~',
      'AK9*P*3*3*2~',
      'SE*12*0002~', 'GE*1*2~', 'IEA*1*000000002~', '',
    ].join('\n'));
    expect(await fs.readFile(work('outbox', acks[2]!), 'utf8')).toContain('AK1*HP*77*005010X221A1~\nAK2*835*0101~\nIK5*A~\nAK2*835*0102~\nIK5*A~\nAK9*A*2*2*2~');

    // A second run picks up nothing new and changes nothing.
    const again = await runCli(['run', pipelineFile, '--as-of', '2024-03-31'], { env, cwd: os.tmpdir(), timeoutMs: 240_000 });
    expect(again.code, again.stderr).toBe(0);
    expect(await ledgerBalances(db.pool)).toEqual(balances);
  });
});
