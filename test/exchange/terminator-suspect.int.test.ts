// Issue 16: an ISA that declares a line feed as its segment terminator while the segments end with `~`
// gives one clear reason for the file (was about 50 SEGMENT_OUTSIDE_GROUP), and posts nothing.
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase, type TestDatabase } from '../support/db.ts';
import { createLogger } from '../../src/runtime/logger.ts';
import { ingestFile } from '../../src/pipeline/ingest-input.ts';
import { interchange, type GenRemittance } from '../remittances/support/generate-835.ts';
import { tempDir, writeTemp } from '../remittances/support/fixtures.ts';

let db: TestDatabase;
let dir: string;
beforeAll(async () => {
  db = await useTestDatabase();
  dir = await tempDir();
});

describe('a segment terminator that looks wrong', () => {
  it('is named once for the file, and nothing posts', async () => {
    const claims = Array.from({ length: 8 }, (_, i) => ({ pcn: `T-${i}`, lines: [{ code: '99213', chargeCents: 10000 }] }));
    const r: GenRemittance = { set: '0001', trace: 'TERM-1', payerId: '5000000001', claims };
    // The generator writes `seg~\n`; moved to `seg\n~seg`, as the file behind the issue has it, with the ISA ending in ':\n'.
    const text = interchange([r]).split('~\n').filter((s) => s !== '').join('\n~') + '\n';
    expect(text).toMatch(/\*:\n~GS\*HP\*/);
    const out = await ingestFile(await writeTemp(dir, 'lf-terminator.835', text), { pool: db.pool, logger: createLogger({ level: 'silent' }), failpoint: () => undefined, quarantineDir: path.join(dir, 'q') });
    expect(out.status).toBe('quarantined');
    const errors = [...out.reasons, ...out.sets.flatMap((s) => s.reasons)].filter((e) => e.severity === 'error');
    expect(errors.map((e) => e.code)).toEqual(['SEGMENT_TERMINATOR_SUSPECT']);
    expect(errors[0]!.message).toContain("the segment terminator looks wrong: ISA declares '\\n' but segments end with '~'");
    expect(errors[0]!.location).toMatchObject({ file: 'lf-terminator.835', interchange: '000000001' });
    const posted = await db.pool.query(`SELECT count(*)::int AS n FROM remittances WHERE trace_number = 'TERM-1'`);
    expect(posted.rows[0].n).toBe(0);
  });
});
