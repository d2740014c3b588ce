// The 999 answers for every set ingest refused, not only for the ones the envelope checks caught: a set
// no handler reads (an 837 sent to us: IK5 R 1, "transaction set not supported") and a 271 the reader refuses (IK5 R I5,
// implementation: segments in error). Before, both went out as IK5 A while the sets sat in quarantine.
// Expected acknowledgement lines are written out by hand from the inputs.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase, type TestDatabase } from '../support/db.ts';
import { createLogger } from '../../src/runtime/logger.ts';
import { fixedClock } from '../../src/common/clock.ts';
import { ingestFile } from '../../src/pipeline/ingest-input.ts';

let db: TestDatabase;
let dir: string;
const logger = createLogger({ level: 'silent' });
const REPO = path.resolve(import.meta.dirname, '../..');

beforeAll(async () => {
  db = await useTestDatabase();
  dir = mkdtempSync(path.join(os.tmpdir(), 'claims-acks-refused-'));
});

async function ackOf(name: string, text: string): Promise<{ status: string; lines: string[] }> {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  const outbox = mkdtempSync(path.join(dir, 'outbox-'));
  const out = await ingestFile(file, { pool: db.pool, logger, failpoint: () => undefined, quarantineDir: path.join(dir, 'quarantine'), acks: { outbox, clock: fixedClock('2024-03-20T08:00:00Z') } });
  expect(out.acks?.length).toBe(1);
  return { status: out.status, lines: readFileSync(out.acks![0]!, 'utf8').split('\n') };
}

describe('999 for sets ingest refused', () => {
  it('rejects a 271 set the reader refuses, and accepts the sound ones beside it', async () => {
    // The first set's subscriber DMG02 is not a date: ELIGIBILITY_DATE_INVALID, the set quarantined.
    const text = readFileSync(path.join(REPO, 'samples/271/mixed-three-sets.x12'), 'latin1')
      .replaceAll('000000101', '000000431').replace('DMG*D8*19800214*F~', 'DMG*D8*19801314*F~');
    const { status, lines } = await ackOf('bad-271.x12', text);
    expect(status).toBe('partial');
    const body = lines.slice(lines.findIndex((l) => l.startsWith('AK1')), lines.findIndex((l) => l.startsWith('SE')));
    expect(body).toEqual(['AK1*HB*101*005010X279A1~', 'AK2*271*0001*005010X279A1~', 'IK5*R*I5~', 'AK2*271*0002*005010X279A1~', 'IK5*A~', 'AK2*271*0003*005010X279A1~', 'IK5*A~', 'AK9*P*3*3*2~']);
  });

  it('rejects a set no handler reads with IK502 1 (not supported)', async () => {
    const text = [
      'ISA*00*          *00*          *ZZ*SYNTHPAYER01   *ZZ*MAPLEFP        *240315*0930*^*00501*000000432*0*T*:~',
      'GS*HC*SYNTHPAYER01*MAPLEFP*20240315*0930*55*X*005010X222A1~',
      'ST*837*0001*005010X222A1~', 'BHT*0019*00*B1*20240315*0930*CH~', 'SE*3*0001~',
      'GE*1*55~', 'IEA*1*000000432~', '',
    ].join('\n');
    const { status, lines } = await ackOf('an-837.x12', text);
    expect(status).toBe('quarantined');
    const body = lines.slice(lines.findIndex((l) => l.startsWith('AK1')), lines.findIndex((l) => l.startsWith('SE')));
    expect(body).toEqual(['AK1*HC*55*005010X222A1~', 'AK2*837*0001*005010X222A1~', 'IK5*R*1~', 'AK9*R*1*1*0~']);
  });
});
