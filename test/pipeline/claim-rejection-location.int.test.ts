// A claim rejected at validation is found again from the quarantine report alone: each reason gives the
// record's place in the export, its line in NDJSON (blank lines counted, as an editor counts them) or its
// position in a JSON array, as the rejection report's `record` column does. A line that is not JSON, even
// one holding a raw NUL, is rejected the same way and its reason can be stored in the run record.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/common/clock.ts';
import { jsonText } from '../../src/common/json-text.ts';
import { createLogger } from '../../src/runtime/logger.ts';
import { loadPipeline, type LoadedPipeline } from '../../src/pipeline/pipeline-load.ts';
import { createPgRunStore } from '../../src/pipeline/run-store-pg.ts';
import { runPipeline } from '../../src/pipeline/runner.ts';
import { stages } from '../../src/pipeline/stages/index.ts';
import { useTestDatabase, type TestDatabase } from '../support/db.ts';
import { syntheticClaim } from '../claims/support/synthetic.ts';

const PAYERS = fileURLToPath(new URL('../../samples/payers/', import.meta.url));
let db: TestDatabase;
let root: string;
let pipeline: LoadedPipeline;
const log = createLogger({ level: 'silent', pretty: false });
const work = (...p: string[]): string => path.join(root, 'work', ...p);

interface Reason { code: string; location: Record<string, unknown>; message: string }
const reasonsOf = async (name: string): Promise<Reason[]> => (JSON.parse(await fs.readFile(work('quarantine', `${name}.error.json`), 'utf8')) as { errors: Reason[] }).errors;

beforeAll(async () => {
  db = await useTestDatabase();
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'claims-rejection-location-'));
  const drop = path.join(root, 'drop');
  await fs.mkdir(drop);
  // NDJSON: a blank line before the bad claim, so its line (4) is not its ordinal (3); then a raw NUL line.
  await fs.writeFile(path.join(drop, 'lines.ndjson'), [
    JSON.stringify(syntheticClaim(1)), JSON.stringify(syntheticClaim(2)), '', JSON.stringify({ ...syntheticClaim(3), claimId: 'C\u00003' }),
    '\u0000{"claimId":"C-5"}',
  ].join('\n') + '\n');
  // A JSON array: the bad claim is its second element.
  await fs.writeFile(path.join(drop, 'array.json'), JSON.stringify([syntheticClaim(11), { ...syntheticClaim(12), claimId: 'C\u000012' }, syntheticClaim(13)], null, 2));
  const file = path.join(root, 'p.json');
  await fs.writeFile(file, JSON.stringify({
    name: 'rejection-location',
    folders: { pickup: ['drop'], inbox: 'work/inbox', outbox: 'work/outbox', archive: 'work/archive', quarantine: 'work/quarantine' },
    stages: [{ name: 'submit', settings: { payers: PAYERS, eligibility: false } }],
  }));
  pipeline = await loadPipeline(file, stages);
});
afterAll(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

describe('a claim rejected at validation', () => {
  it('is located in the quarantine report by its NDJSON line or its JSON array position', { timeout: 120_000 }, async () => {
    const run = await runPipeline({
      pipeline, stages, store: createPgRunStore(db.pool), db, clock: fixedClock('2024-09-01'), logger: log, signal: new AbortController().signal,
    });
    expect(run.status, jsonText(run.stages)).toBe('rejected');
    expect(await fs.readdir(work('inbox'))).toEqual([]);

    const lines = await reasonsOf('lines.ndjson');
    expect(lines.map((r) => [r.code, r.location.file, r.location.line, r.location.record, r.location.field])).toEqual([
      ['CLAIMS_REJECTED', 'lines.ndjson', undefined, undefined, undefined],
      ['CLAIM_FIELD_CONTROL_CHARACTER', 'lines.ndjson', 4, undefined, 'claimId'],
      ['RECORD_NOT_JSON', 'lines.ndjson', 5, undefined, ''],
    ]);
    expect(lines[2]!.message).toContain('\\u0000');
    const rows = JSON.parse(await fs.readFile(work('outbox', 'reports', 'lines.ndjson', 'rejections.json'), 'utf8')) as { record: number; code: string }[];
    expect(rows.map((r) => [r.record, r.code])).toEqual([[4, 'CLAIM_FIELD_CONTROL_CHARACTER'], [5, 'RECORD_NOT_JSON']]);

    const array = await reasonsOf('array.json');
    expect(array.map((r) => [r.code, r.location.file, r.location.line, r.location.record, r.location.field])).toEqual([
      ['CLAIMS_REJECTED', 'array.json', undefined, undefined, undefined],
      ['CLAIM_FIELD_CONTROL_CHARACTER', 'array.json', undefined, 2, 'claimId'],
    ]);

    // The run record holds the same reasons (jsonb: no NUL reached it); the good claims were sent.
    const recorded = await db.pool.query<{ input: string; lines: (number | null)[] }>(
      `SELECT input, array_agg((r->'location'->>'line')::int ORDER BY ord) AS lines
         FROM run_inputs, jsonb_array_elements(reasons) WITH ORDINALITY AS x(r, ord) GROUP BY input ORDER BY input`);
    expect(recorded.rows).toEqual([{ input: 'array.json', lines: [null, null] }, { input: 'lines.ndjson', lines: [null, 4, 5] }]);
    const sent = await db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM claims');
    expect(sent.rows[0]!.n).toBe(4);
  });
});
