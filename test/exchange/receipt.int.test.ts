// The interchange is the unit of receipt (DOMAIN.md, envelopes; docs/decisions/0094): nothing of an
// interchange posts unless its IEA was read and its envelope holds, nothing of a group posts unless its GE
// holds, and the TA1 or 999 says why. Files written for each case; expected ack lines by hand.
import { mkdir, readFile, readdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase, type TestDatabase } from '../support/db.ts';
import { runCli } from '../support/cli.ts';
import { createLogger } from '../../src/runtime/logger.ts';
import { fixedClock } from '../../src/common/clock.ts';
import { ingestFile } from '../../src/pipeline/ingest-input.ts';
import type { FileOutcome } from '../../src/exchange/receive-file.ts';
import { interchange, remittanceSegments, type GenRemittance } from '../remittances/support/generate-835.ts';
import { tempDir, writeTemp } from '../remittances/support/fixtures.ts';

let db: TestDatabase;
let dir: string;
const logger = createLogger({ level: 'silent' });

beforeAll(async () => {
  db = await useTestDatabase();
  dir = await tempDir();
});

/** A balanced remittance of one claim (paid 100 - 20 = 80.00). */
const remit = (set: string, trace: string): GenRemittance => ({
  set, trace, payerId: '1000000016',
  claims: [{ pcn: `P-${trace}`, lines: [{ code: '99213', chargeCents: 10000, adjustments: [{ group: 'CO', reason: '45', cents: 2000 }] }] }],
});

const ISA = (isa13: string): string => `ISA*00*          *00*          *ZZ*SYNTHPAYER     *ZZ*SYNTHCLINIC    *240315*1200*^*00501*${isa13}*0*P*:`;
const group = (gs06: string, rs: GenRemittance[], ge01 = String(rs.length), ge02 = gs06): string[] => [
  `GS*HP*SYNTHPAYER*SYNTHCLINIC*20240315*1200*${gs06}*X*005010X221A1`, ...rs.flatMap(remittanceSegments), `GE*${ge01}*${ge02}`,
];
const text = (segments: string[]): string => segments.join('~\n') + '~\n';

async function ingest(name: string, content: string): Promise<{ outcome: FileOutcome; acks: string[][] }> {
  const file = await writeTemp(dir, name, content);
  const outbox = path.join(dir, `outbox-${name}`);
  await mkdir(outbox);
  const outcome = await ingestFile(file, { pool: db.pool, logger, failpoint: () => undefined, quarantineDir: path.join(dir, 'quarantine'), acks: { outbox, clock: fixedClock('2024-03-20T08:00:00Z') } });
  const acks = await Promise.all((outcome.acks ?? []).map(async (a) => (await readFile(a, 'utf8')).split('\n')));
  return { outcome, acks };
}

/** What this file put in the ledger and the remittances table. */
async function posted(o: FileOutcome): Promise<{ entries: number; remittances: string[] }> {
  const e = await db.pool.query(`SELECT count(*)::int AS n FROM entries WHERE source_file_sha256 = $1`, [o.fileSha256]);
  const r = await db.pool.query(`SELECT trace_number FROM remittances WHERE source_file_sha256 = $1 ORDER BY trace_number`, [o.fileSha256]);
  return { entries: e.rows[0].n, remittances: r.rows.map((x) => x.trace_number) };
}

const body999 = (lines: string[]): string[] => lines.filter((l) => /^(AK1|AK2|IK3|IK4|IK5|AK9)\*/.test(l));
const ta1s = (lines: string[]): string[] => lines.filter((l) => l.startsWith('TA1*'));

describe('the interchange is the unit of receipt', () => {
  it('posts nothing of an interchange cut short after one complete remittance, and the TA1 says 023', async () => {
    const whole = interchange([remit('0001', 'CUT-1'), remit('0002', 'CUT-2')], { isa13: '000001601', gs06: '1601' });
    // Cut inside the second remittance: no SE, no GE, no IEA.
    const cut = whole.slice(0, whole.indexOf('CLP*P-CUT-2'));
    const { outcome, acks } = await ingest('cut-short.835', cut);
    expect(outcome.status).toBe('quarantined');
    expect(outcome.sets.map((s) => s.status)).toEqual(['quarantined', 'quarantined']);
    // The complete first remittance is refused for its interchange's missing IEA.
    expect(outcome.sets[0]!.reasons.map((r) => r.code)).toContain('IEA_MISSING');
    expect(await posted(outcome)).toEqual({ entries: 0, remittances: [] });
    // One TA1 rejecting the interchange (premature end of file), no 999.
    expect(acks).toHaveLength(1);
    expect(ta1s(acks[0]!)).toEqual(['TA1*000001601*240315*1200*R*023~']);
    expect(body999(acks[0]!)).toEqual([]);
    // The report names what is missing: the second set's SE, the group's GE, the interchange's IEA, each once.
    const report = JSON.parse(await readFile(outcome.quarantined!.reportPath, 'utf8'));
    const codes = report.errors.map((e: { code: string }) => e.code);
    expect(codes.filter((c: string) => c === 'IEA_MISSING')).toHaveLength(1);
    expect(codes).toEqual(expect.arrayContaining(['SE_MISSING', 'GE_MISSING', 'IEA_MISSING']));
    // The sender redelivers it whole: it posts.
    const again = await ingest('cut-short-redelivered.835', whole);
    expect(again.outcome.sets.map((s) => s.status)).toEqual(['posted', 'posted']);
    expect((await posted(again.outcome)).remittances).toEqual(['CUT-1', 'CUT-2']);
  });

  it('posts nothing when IEA02 is not ISA13 (TA1 001) or IEA01 miscounts the groups (TA1 021)', async () => {
    const wrong02 = interchange([remit('0001', 'IEA02-1')], { isa13: '000001602', gs06: '1602' }).replace('IEA*1*000001602~', 'IEA*1*000001699~');
    const a = await ingest('wrong-iea02.835', wrong02);
    expect(a.outcome.status).toBe('quarantined');
    expect(a.outcome.sets[0]!.reasons.map((r) => r.code)).toContain('IEA_CONTROL_NUMBER_MISMATCH');
    expect(await posted(a.outcome)).toEqual({ entries: 0, remittances: [] });
    expect(ta1s(a.acks[0]!)).toEqual(['TA1*000001602*240315*1200*R*001~']);
    expect(body999(a.acks[0]!)).toEqual([]);

    const wrong01 = interchange([remit('0001', 'IEA01-1')], { isa13: '000001603', gs06: '1603' }).replace('IEA*1*000001603~', 'IEA*2*000001603~');
    const b = await ingest('wrong-iea01.835', wrong01);
    expect(b.outcome.sets[0]!.reasons.map((r) => r.code)).toContain('IEA_GROUP_COUNT');
    expect(await posted(b.outcome)).toEqual({ entries: 0, remittances: [] });
    expect(ta1s(b.acks[0]!)).toEqual(['TA1*000001603*240315*1200*R*021~']);
  });

  it('posts nothing of a group whose GE01 or GE02 is wrong, rejects it in the 999 (AK905), and posts the other group', async () => {
    const content = text([
      ISA('000001604'),
      ...group('1641', [remit('0001', 'GE-GOOD')]),
      // GE01 counts two sets, the group holds one.
      ...group('1642', [remit('0001', 'GE01-BAD')], '2'),
      // GE02 is not GS06.
      ...group('1643', [remit('0001', 'GE02-BAD')], '1', '1649'),
      'IEA*3*000001604',
    ]);
    const { outcome, acks } = await ingest('wrong-ge.835', content);
    expect(outcome.status).toBe('partial');
    expect(outcome.sets.map((s) => s.status)).toEqual(['posted', 'quarantined', 'quarantined']);
    expect(outcome.sets[1]!.reasons.map((r) => r.code)).toContain('GE_SET_COUNT');
    expect(outcome.sets[2]!.reasons.map((r) => r.code)).toContain('GE_CONTROL_NUMBER_MISMATCH');
    expect((await posted(outcome)).remittances).toEqual(['GE-GOOD']);
    expect(acks).toHaveLength(1);
    expect(ta1s(acks[0]!)).toEqual([]);
    expect(body999(acks[0]!)).toEqual([
      'AK1*HP*1641*005010X221A1~', 'AK2*835*0001~', 'IK5*A~', 'AK9*A*1*1*1~',
      'AK1*HP*1642*005010X221A1~', 'AK2*835*0001~', 'IK5*A~', 'AK9*R*2*1*0*5~',
      'AK1*HP*1643*005010X221A1~', 'AK2*835*0001~', 'IK5*A~', 'AK9*R*1*1*0*4~',
    ]);
  });

  it('posts the good interchange of a file and nothing of the broken one after it', async () => {
    const good = interchange([remit('0001', 'TWO-GOOD')], { isa13: '000001605', gs06: '1605' });
    const broken = interchange([remit('0001', 'TWO-BROKEN-1'), remit('0002', 'TWO-BROKEN-2')], { isa13: '000001606', gs06: '1606' });
    const { outcome, acks } = await ingest('good-then-broken.835', good + broken.slice(0, broken.indexOf('SE*', broken.indexOf('ST*835*0002'))));
    expect(outcome.status).toBe('partial');
    expect(outcome.sets.map((s) => s.status)).toEqual(['posted', 'quarantined', 'quarantined']);
    expect((await posted(outcome)).remittances).toEqual(['TWO-GOOD']);
    expect(acks).toHaveLength(2);
    expect(body999(acks[0]!)).toEqual(['AK1*HP*1605*005010X221A1~', 'AK2*835*0001~', 'IK5*A~', 'AK9*A*1*1*1~']);
    expect(ta1s(acks[1]!)).toEqual(['TA1*000001606*240315*1200*R*023~']);
    expect(body999(acks[1]!)).toEqual([]);
  });

  it('quarantines the broken file with exit 3 and goes on with the rest of the batch', { timeout: 120_000 }, async () => {
    const broken = interchange([remit('0001', 'CLI-BROKEN')], { isa13: '000001607', gs06: '1607' }).replace('IEA*1*000001607~', 'IEA*1*000001608~');
    const good = interchange([remit('0001', 'CLI-GOOD')], { isa13: '000001609', gs06: '1609' });
    const a = await writeTemp(dir, 'cli-a-broken.835', broken);
    const b = await writeTemp(dir, 'cli-b-good.835', good);
    const quarantine = path.join(dir, 'cli-quarantine');
    const run = await runCli(['ingest', a, b, '--quarantine', quarantine], { env: { DATABASE_URL: db.url, CLAIMS_LOG_LEVEL: 'warn' }, cwd: os.tmpdir(), timeoutMs: 100_000 });
    expect(run.code, run.stderr).toBe(3);
    expect((await readdir(quarantine)).sort()).toEqual(['cli-a-broken.835', 'cli-a-broken.835.error.json']);
    const rows = await db.pool.query(`SELECT trace_number FROM remittances WHERE trace_number LIKE 'CLI-%' ORDER BY 1`);
    expect(rows.rows.map((r) => r.trace_number)).toEqual(['CLI-GOOD']);
  });
});
