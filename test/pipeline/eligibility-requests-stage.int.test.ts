// The eligibility-requests stage through the runner on a real database: 270s for appointments files, once per
// appointment across overlapping files; bad lines quarantine the file after the good ones are asked; files
// that are not appointments stay for other stages. Synthetic visits (invented names and member ids).
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/common/clock.ts';
import { createLogger } from '../../src/runtime/logger.ts';
import { loadPipeline, type LoadedPipeline } from '../../src/pipeline/pipeline-load.ts';
import { createPgRunStore } from '../../src/pipeline/run-store-pg.ts';
import { runPipeline } from '../../src/pipeline/runner.ts';
import { stages } from '../../src/pipeline/stages/index.ts';
import { useTestDatabase, type TestDatabase } from '../support/db.ts';

const PAYERS = fileURLToPath(new URL('../../samples/payers/', import.meta.url));
let db: TestDatabase;
let root: string;
let pipeline: LoadedPipeline;
const log = createLogger({ level: 'silent', pretty: false });

const visit = (id: string, date: string, payerId: string, memberId: string) => JSON.stringify({
  appointmentId: id, date, payerId, memberId,
  provider: { npi: '1234567893', name: 'MAPLE FAMILY PRACTICE' },
  subscriber: { lastName: 'EXAMPLE', firstName: 'SAM', birthDate: '1980-01-01', gender: 'U' },
});

async function drop(name: string, lines: string[]): Promise<void> {
  await fs.writeFile(path.join(root, 'drop', name), lines.join('\n') + '\n');
}

const run = (asOf: string) => runPipeline({
  pipeline, stages, store: createPgRunStore(db.pool), db, clock: fixedClock(asOf), logger: log, signal: new AbortController().signal,
});

/** TRN02 of every 270 in the outbox, per file name. */
async function traces(): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  const dir = path.join(root, 'work', 'outbox');
  for (const name of (await fs.readdir(dir)).filter((n) => n.startsWith('270-')).sort()) {
    const text = await fs.readFile(path.join(dir, name), 'utf8');
    (out[name.replace(/-\d{9}\.x12$/, '')] ??= []).push(...[...text.matchAll(/TRN\*1\*([A-Z0-9-]+)\*/g)].map((m) => m[1]!));
  }
  return out;
}

beforeAll(async () => {
  db = await useTestDatabase();
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'claims-270-stage-'));
  await fs.mkdir(path.join(root, 'drop'));
  const file = path.join(root, 'p.json');
  await fs.writeFile(file, JSON.stringify({
    name: 'elig-test',
    folders: { pickup: ['drop'], inbox: 'work/inbox', outbox: 'work/outbox', archive: 'work/archive', quarantine: 'work/quarantine' },
    stages: [{ name: 'eligibility-requests', settings: { payers: PAYERS } }],
  }));
  pipeline = await loadPipeline(file, stages);
});
afterAll(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

describe('eligibility-requests stage', () => {
  it('asks each upcoming visit once, per payer, across overlapping appointments files', async () => {
    await drop('monday.ndjson', [
      visit('V-1', '2024-04-02', 'ACME', 'W1'), visit('V-2', '2024-04-03', 'BLUE', 'B2'),
      visit('V-0', '2024-03-01', 'ACME', 'W1'), visit('V-3', '2024-04-04', 'ACME', 'W3'),
    ]);
    // A claims export beside it is not this stage's: it stays in the inbox.
    await fs.writeFile(path.join(root, 'drop', 'claims.ndjson'), '{"claimId":"C1","claimType":"professional"}\n');
    const first = await run('2024-03-31');
    const stage = first.stages[0]!;
    expect(stage.inputs.map((i) => [i.input, i.status, i.counts])).toEqual([
      ['monday.ndjson', 'done', { appointments: 4, requested: 3, requestedBefore: 0, past: 1, rejected: 0, files: 2 }],
    ]);
    expect(await traces()).toEqual({ '270-ACME': ['V-1', 'V-3'], '270-BLUE': ['V-2'] });
    expect(first.leftInInbox).toEqual(['claims.ndjson']);
    const recorded = await db.pool.query('SELECT trace_number, member_id, date_of_service::text FROM eligibility_requests ORDER BY trace_number');
    expect(recorded.rows).toEqual([
      { trace_number: 'V-1', member_id: 'W1', date_of_service: '2024-04-02' },
      { trace_number: 'V-2', member_id: 'B2', date_of_service: '2024-04-03' },
      { trace_number: 'V-3', member_id: 'W3', date_of_service: '2024-04-04' },
    ]);

    // Tuesday's export repeats two visits, moves V-3 to another day (asked again: a new date of service) and adds V-4.
    await drop('tuesday.ndjson', [
      visit('V-1', '2024-04-02', 'ACME', 'W1'), visit('V-2', '2024-04-03', 'BLUE', 'B2'),
      visit('V-3', '2024-04-09', 'ACME', 'W3'), visit('V-4', '2024-04-05', 'ACME', 'W4'),
    ]);
    const second = await run('2024-04-01');
    expect(second.stages[0]!.inputs.map((i) => [i.input, i.status, i.counts.requested, i.counts.requestedBefore])).toEqual([
      ['tuesday.ndjson', 'done', 2, 2],
    ]);
    expect(await traces()).toEqual({ '270-ACME': ['V-1', 'V-3', 'V-3', 'V-4'], '270-BLUE': ['V-2'] });

    // The same visits under another file name: nothing new to ask, no new file.
    await drop('tuesday-again.ndjson', [visit('V-4', '2024-04-05', 'ACME', 'W4'), visit('V-1', '2024-04-02', 'ACME', 'W1')]);
    const third = await run('2024-04-01');
    expect(third.stages[0]!.inputs.map((i) => [i.input, i.status, i.counts.requested, i.counts.files])).toEqual([['tuesday-again.ndjson', 'duplicate', 0, 0]]);
    expect(Object.values(await traces()).flat()).toHaveLength(5);
  });

  it('asks the good lines of a file with bad ones, then quarantines it with each bad line named', async () => {
    await drop('wednesday.ndjson', [visit('V-5', '2024-04-10', 'ACME', 'W5'), visit('V-6', '2024-04-10', 'NOSUCH', 'Z9'), '{"appointmentId":"V 7"}']);
    const r = await run('2024-04-02');
    const input = r.stages[0]!.inputs[0]!;
    expect([input.input, input.status, input.counts.requested, input.counts.rejected]).toEqual(['wednesday.ndjson', 'quarantined', 1, 2]);
    expect(input.reasons.map((x) => [x.code, (x.location as { line: number }).line])).toEqual([['APPOINTMENT_PAYER_UNKNOWN', 2], ['APPOINTMENT_INVALID', 3]]);
    expect((await traces())['270-ACME']).toContain('V-5');
    expect(await fs.readdir(path.join(root, 'work', 'quarantine'))).toEqual(['wednesday.ndjson', 'wednesday.ndjson.error.json']);
  });
});
