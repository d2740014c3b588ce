// Issue 16: real 271s arrive in a group whose GS01 is not HB (HS, echoing the 270's, or HC). ST01 and
// GS08/ST03 agree on what they are, so their coverage is stored, with a SET_GROUP_MISMATCH warning, and
// the 999 written back accepts them with errors noted (IK5 E 6, AK9 E) instead of losing them.
import { mkdirSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/common/clock.ts';
import { ingestFile } from '../../src/pipeline/ingest-input.ts';
import { createLogger } from '../../src/runtime/logger.ts';
import { useTestDatabase, type TestDatabase } from '../support/db.ts';
import { tempDir, writeTemp } from '../remittances/support/fixtures.ts';

const sample = readFileSync(fileURLToPath(new URL('../../samples/271/mixed-three-sets.x12', import.meta.url)), 'latin1');
let db: TestDatabase;
let dir: string;

beforeAll(async () => {
  db = await useTestDatabase();
  dir = await tempDir();
});

describe('a 271 in a group that does not say HB', () => {
  for (const [gs01, isa13] of [['HS', '000000611'], ['HC', '000000612']] as const) {
    it(`is stored with a warning in an ${gs01} group, and the 999 says so`, async () => {
      expect(sample).toContain('GS*HB*');
      // Its own trace numbers and member ids, so the second file is new content, not a redelivery.
      const text = sample.replace('GS*HB*', `GS*${gs01}*`).replaceAll('000000101', isa13).replaceAll('TRACE000', `TRACE${gs01}`).replaceAll('*MI*W', `*MI*${gs01}`);
      const outbox = path.join(dir, `outbox-${gs01}`);
      mkdirSync(outbox);
      const file = await writeTemp(dir, `in-${gs01}.271`, text);
      const out = await ingestFile(file, {
        pool: db.pool, logger: createLogger({ level: 'silent' }), failpoint: () => undefined, quarantineDir: path.join(dir, 'quarantine'),
        acks: { outbox, clock: fixedClock('2024-03-20T08:00:00Z') },
      });
      expect(out.sets.map((s) => s.status)).toEqual(['posted', 'posted', 'posted']);
      expect(out.status).toBe('done');
      for (const s of out.sets) {
        const w = s.reasons.find((r) => r.code === 'SET_GROUP_MISMATCH')!;
        expect([w.severity, w.location.segmentTag, w.location.element, w.found]).toEqual(['warning', 'ST', 1, JSON.stringify(gs01)]);
      }
      const stored = await db.pool.query(`SELECT count(*)::int AS n FROM eligibility_responses WHERE file_name = $1`, [`in-${gs01}.271`]);
      expect(stored.rows[0].n).toBeGreaterThan(0);
      const [ack] = readdirSync(outbox);
      const ack999 = readFileSync(path.join(outbox, ack!), 'latin1');
      expect(ack999).toContain(`AK1*${gs01}*101*005010X279A1~`);
      expect(ack999.match(/IK5\*E\*6~/g)).toHaveLength(3);
      expect(ack999).toContain('AK9*E*3*3*3~');
    });
  }
});
