// Every acknowledgement ingest writes agrees with what it stored: what a TA1 (R) or a 999 (AK9 R, IK5 R)
// rejects was not posted, and what was posted is accepted (TA1 not R, AK9 not R, IK5 A or E). Held over
// every file of the shared corpus (../shared/corpus, all folders, ingested with acks as `claims ingest
// --acks` does) and the files of test/exchange/receipt.int.test.ts's kinds, against the ledger's entries, the
// remittances and the eligibility snapshots and rejections, each of which names the file (sha256) and the
// ISA13, GS06 and ST02 it came from.
import { mkdir, readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase, type TestDatabase } from '../support/db.ts';
import { createLogger } from '../../src/runtime/logger.ts';
import { fixedClock } from '../../src/common/clock.ts';
import { ingestFile } from '../../src/pipeline/ingest-input.ts';
import { interchange, type GenRemittance } from '../remittances/support/generate-835.ts';
import { tempDir, writeTemp } from '../remittances/support/fixtures.ts';

const corpus = fileURLToPath(new URL('../../../shared/corpus', import.meta.url));

let db: TestDatabase;
let dir: string;
beforeAll(async () => {
  db = await useTestDatabase();
  dir = await tempDir();
});

/** What one ack interchange says, by the received interchange's ISA13 (from the file name). */
interface AckSaid {
  isa13: string;
  ta1Rejected: boolean;
  /** GS06 -> whether AK9 rejects the group, and ST02 -> IK501. */
  groups: Map<string, { rejected: boolean; sets: Map<string, string> }>;
}

function readAck(file: string, text: string): AckSaid {
  const isa13 = /-([^-]+)-\d{9}\.x12$/.exec(path.basename(file))![1]!;
  const said: AckSaid = { isa13, ta1Rejected: false, groups: new Map() };
  let group: { rejected: boolean; sets: Map<string, string> } | undefined;
  let set = '';
  for (const line of text.split('~').map((s) => s.trim()).filter(Boolean)) {
    const e = line.split('*');
    if (e[0] === 'TA1') {
      expect(e[1], file).toBe(isa13);
      if (e[4] === 'R') said.ta1Rejected = true;
    } else if (e[0] === 'AK1') {
      group = { rejected: false, sets: new Map() };
      said.groups.set(e[2]!, group);
    } else if (e[0] === 'AK2') {
      set = e[2]!;
    } else if (e[0] === 'IK5') {
      group!.sets.set(set, e[1]!);
    } else if (e[0] === 'AK9') {
      group!.rejected = e[1] === 'R';
    }
  }
  return said;
}

/** Every (ISA13, GS06, ST02) a file's sets stored something under. */
async function postedFrom(fileSha256: string): Promise<{ isa13: string; gs06: string; st02: string }[]> {
  const r = await db.pool.query(`
    SELECT DISTINCT source_isa13 AS isa13, source_gs06 AS gs06, source_st02 AS st02 FROM entries WHERE source_file_sha256 = $1 AND source_isa13 IS NOT NULL
    UNION SELECT source_isa13, source_gs06, source_st02 FROM remittances WHERE source_file_sha256 = $1
    UNION SELECT isa13, gs06, st02 FROM eligibility_responses WHERE file_sha256 = $1
    UNION SELECT isa13, gs06, st02 FROM eligibility_rejections WHERE file_sha256 = $1`, [fileSha256]);
  return r.rows;
}

/** Ingest one file with acks and hold each ack against what the file posted; returns how many sets were posted. */
async function ingestAndHold(file: string, label: string): Promise<number> {
  const outbox = path.join(dir, 'outbox', label.replaceAll('/', '_'));
  await mkdir(outbox, { recursive: true });
  const outcome = await ingestFile(file, {
    pool: db.pool, logger: createLogger({ level: 'silent' }), failpoint: () => undefined, quarantineDir: path.join(dir, 'quarantine'),
    acks: { outbox, clock: fixedClock('2024-03-20T08:00:00Z') },
  });
  const acks = await Promise.all((outcome.acks ?? []).map(async (a) => readAck(a, await readFile(a, 'utf8'))));
  const posted = await postedFrom(outcome.fileSha256);
  // Rejected -> not posted.
  for (const ack of acks) {
    const from = posted.filter((p) => p.isa13 === ack.isa13);
    if (ack.ta1Rejected) expect(from, `${label}: TA1 R for ${ack.isa13}, but it posted`).toEqual([]);
    for (const [gs06, g] of ack.groups) {
      const inGroup = from.filter((p) => p.gs06 === gs06);
      if (g.rejected) expect(inGroup, `${label}: AK9 R for ${ack.isa13}/${gs06}, but it posted`).toEqual([]);
      for (const [st02, ik5] of g.sets) {
        if (ik5 === 'R') expect(inGroup.filter((p) => p.st02 === st02), `${label}: IK5 R for ${ack.isa13}/${gs06}/${st02}, but it posted`).toEqual([]);
      }
    }
  }
  // Posted -> acknowledged and accepted.
  for (const p of posted) {
    const where = `${label}: posted ${p.isa13}/${p.gs06}/${p.st02}`;
    const mine = acks.filter((a) => a.isa13 === p.isa13);
    expect(mine.length, `${where} has no acknowledgement`).toBeGreaterThan(0);
    const accepted = mine.some((a) => {
      const g = a.groups.get(p.gs06);
      return !a.ta1Rejected && g !== undefined && !g.rejected && ['A', 'E'].includes(g.sets.get(p.st02) ?? '');
    });
    expect(accepted, `${where} is not accepted`).toBe(true);
  }
  return outcome.sets.filter((s) => s.status === 'posted').length;
}

const remit = (set: string, trace: string): GenRemittance => ({
  set, trace, payerId: '1000000017',
  claims: [{ pcn: `Q-${trace}`, lines: [{ code: '99213', chargeCents: 10000, adjustments: [{ group: 'CO', reason: '45', cents: 2000 }] }] }],
});

describe('acknowledgements agree with the ledger', () => {
  it('over every corpus file: what an ack rejects was not posted, what was posted is accepted', { timeout: 600_000 }, async () => {
    let postedSets = 0;
    for (const folder of (await readdir(corpus, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name).sort()) {
      for (const name of (await readdir(path.join(corpus, folder))).sort()) {
        postedSets += await ingestAndHold(path.join(corpus, folder, name), `${folder}/${name}`);
      }
    }
    // The check is not vacuous: 835s and 271s of the corpus post.
    expect(postedSets).toBeGreaterThan(10);
  });

  it('over files broken the ways real files are: cut short, trailers that disagree, a good interchange before a broken one', { timeout: 120_000 }, async () => {
    const whole = interchange([remit('0001', 'AG-1'), remit('0002', 'AG-2')], { isa13: '000001701', gs06: '1701' });
    const cases: Record<string, string> = {
      'cut-short': whole.slice(0, whole.indexOf('CLP*Q-AG-2')),
      'iea02': interchange([remit('0001', 'AG-3')], { isa13: '000001702', gs06: '1702' }).replace('IEA*1*000001702', 'IEA*1*000001799'),
      'ge01': interchange([remit('0001', 'AG-4')], { isa13: '000001703', gs06: '1703' }).replace('GE*1*1703', 'GE*3*1703'),
      'good-then-cut': interchange([remit('0001', 'AG-5')], { isa13: '000001704', gs06: '1704' }) + whole.replace(/000001701/g, '000001705').slice(0, whole.indexOf('SE*')),
    };
    let postedSets = 0;
    for (const [name, content] of Object.entries(cases)) postedSets += await ingestAndHold(await writeTemp(dir, `${name}.835`, content), name);
    expect(postedSets).toBe(1);
  });
});
