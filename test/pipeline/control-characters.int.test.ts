// Text the database cannot store (a NUL, a lone surrogate) or an identifier with a control character in it
// is bad input like any other in every reader the runner feeds: an appointments file, a plans file, a holds
// file and an agency returns file each have one such row beside good ones. Each bad row is rejected with its
// file, line and field, the good rows take effect, every file leaves the inbox (quarantined with its
// report), the run records all of it, and the next run has nothing stuck to fail on.
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
import { jsonText } from '../../src/common/json-text.ts';

const PAYERS = fileURLToPath(new URL('../../samples/payers/', import.meta.url));
let db: TestDatabase;
let root: string;
let pipeline: LoadedPipeline;
const log = createLogger({ level: 'silent', pretty: false });
const work = (...p: string[]): string => path.join(root, 'work', ...p);

const visit = (id: string, payerId: string, lastName = 'EXAMPLE') => JSON.stringify({
  appointmentId: id, date: '2024-04-02', payerId, memberId: 'W1',
  provider: { npi: '1234567893', name: 'MAPLE FAMILY PRACTICE' },
  subscriber: { lastName, firstName: 'SAM', birthDate: '1980-01-01', gender: 'U' },
});

const run = () => runPipeline({
  pipeline, stages, store: createPgRunStore(db.pool), db, clock: fixedClock('2024-03-31'), logger: log, signal: new AbortController().signal,
});

interface Reason { code: string; location: Record<string, unknown>; found?: string; message: string }
const reasonsOf = async (name: string): Promise<Reason[]> => (JSON.parse(await fs.readFile(work('quarantine', `${name}.error.json`), 'utf8')) as { errors: Reason[] }).errors;
const where = (r: Reason): unknown[] => [r.code, r.location.file, r.location.line, r.location.field];

beforeAll(async () => {
  db = await useTestDatabase();
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'claims-control-chars-'));
  await db.pool.query(`INSERT INTO guarantor_accounts (practice_id, account_number, last_name, first_name, address_line1, city, state, postal_code)
    VALUES ('default', 'G-1', 'Testperson', 'Avery', '1 Example Way', 'Springfield', 'IL', '62701')`);
  const drop = path.join(root, 'drop');
  await fs.mkdir(drop);
  await fs.writeFile(path.join(drop, 'visits.ndjson'), [
    visit('V-1', 'ACME'),
    // Written as JSON's \u0000 escape: valid JSON, a NUL once parsed.
    visit('V-2', 'AC\u0000ME'),
    // An escape character in a name, and a lone surrogate (written "\ud800").
    visit('V-3', 'ACME', 'EXA\u001bMPLE'),
    visit('V-4', 'ACME', 'EXAMPLE\ud800'),
    // A raw NUL byte where JSON expects a value: JSON.parse quotes it in its message.
    '\u0000{"appointmentId":"V-5"}',
  ].join('\n') + '\n');
  await fs.writeFile(path.join(drop, 'a.plans.csv'), 'account,amount,installments,start,frequency\nG-1,300.00,3,2024-04-01,monthly\nG\u00001,10.00,1,2024-04-01,monthly\nG-1\u001b,10.00,1,2024-04-01,monthly\n');
  await fs.writeFile(path.join(drop, 'a.holds.csv'), 'account,kind,reason,date\nG-1,dispute,Disputes the bill,2024-03-30\nG-1,assistance,Applied\u0000 today,2024-03-30\nG\u00001,assistance,Applied,2024-03-30\n');
  await fs.writeFile(path.join(drop, 'a.returns.csv'), 'agency,account_number,referral_id,type,amount,date,reference\nAG-1,G-1,1,PAYMENT,5.00,2024-03-30,REF\u00001\nAG-1,G-1\u0007,1,PAYMENT,5.00,2024-03-30,REF-2\n');
  // A NUL in a header: not a returns file at all, quarantined like any other.
  await fs.writeFile(path.join(drop, 'b.returns.csv'), 'agen\u0000cy,account_number,referral_id,type,amount,date,reference\nAG-1,G-1,1,PAYMENT,5.00,2024-03-30,REF-3\n');
  const file = path.join(root, 'p.json');
  await fs.writeFile(file, JSON.stringify({
    name: 'control-chars',
    folders: { pickup: ['drop'], inbox: 'work/inbox', outbox: 'work/outbox', archive: 'work/archive', quarantine: 'work/quarantine' },
    stages: [
      { name: 'eligibility-requests', settings: { payers: PAYERS } },
      { name: 'statements', settings: { singlePdfs: false } },
      { name: 'referrals' },
    ],
  }));
  pipeline = await loadPipeline(file, stages);
});
afterAll(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

describe('control characters and unstorable text in the files a run reads', () => {
  it('rejects each such row with its file, line and field; the rest takes effect; nothing stays in the inbox', { timeout: 120_000 }, async () => {
    const first = await run();
    expect(first.error, jsonText(first.stages)).toBeUndefined();
    expect(first.status, jsonText(first.stages)).toBe('rejected');
    expect(await fs.readdir(work('inbox'))).toEqual([]);
    expect((await fs.readdir(work('quarantine'))).sort()).toEqual([
      'a.holds.csv', 'a.holds.csv.error.json', 'a.plans.csv', 'a.plans.csv.error.json',
      'a.returns.csv', 'a.returns.csv.error.json', 'b.returns.csv', 'b.returns.csv.error.json', 'visits.ndjson', 'visits.ndjson.error.json',
    ]);

    const visits = await reasonsOf('visits.ndjson');
    expect(visits.map(where)).toEqual([
      ['APPOINTMENT_FIELD_CONTROL_CHARACTER', 'visits.ndjson', 2, 'payerId'],
      ['APPOINTMENT_FIELD_CONTROL_CHARACTER', 'visits.ndjson', 3, 'subscriber.lastName'],
      ['APPOINTMENT_FIELD_CONTROL_CHARACTER', 'visits.ndjson', 4, 'subscriber.lastName'],
      ['APPOINTMENT_NOT_JSON', 'visits.ndjson', 5, undefined],
    ]);
    expect(visits[0]).toMatchObject({ found: 'AC\\u0000ME', message: 'payerId holds NUL (0x00) at character 3: it cannot be stored' });
    expect(visits[1]!.message).toBe('subscriber.lastName holds the control character U+001B at character 4: control characters are not accepted in it');
    expect(visits[2]).toMatchObject({ found: 'EXAMPLE\uFFFD' });
    expect(visits[3]!.message).toContain('\\u0000');
    // The good visit was asked.
    const asked = await db.pool.query<{ trace_number: string }>('SELECT trace_number FROM eligibility_requests');
    expect(asked.rows).toEqual([{ trace_number: 'V-1' }]);

    expect((await reasonsOf('a.plans.csv')).map(where)).toEqual([
      ['PLAN_FIELD_CONTROL_CHARACTER', 'a.plans.csv', 3, 'account'],
      ['PLAN_FIELD_CONTROL_CHARACTER', 'a.plans.csv', 4, 'account'],
    ]);
    const plans = await db.pool.query<{ account_number: string; total_cents: string }>('SELECT account_number, total_cents::text FROM payment_plans');
    expect(plans.rows).toEqual([{ account_number: 'G-1', total_cents: '30000' }]);

    expect((await reasonsOf('a.holds.csv')).map(where)).toEqual([
      ['HOLD_FIELD_CONTROL_CHARACTER', 'a.holds.csv', 3, 'reason'],
      ['HOLD_FIELD_CONTROL_CHARACTER', 'a.holds.csv', 4, 'account'],
    ]);
    const holds = await db.pool.query<{ kind: string; reason: string }>('SELECT kind, reason FROM account_holds');
    expect(holds.rows).toEqual([{ kind: 'dispute', reason: 'Disputes the bill' }]);

    expect((await reasonsOf('a.returns.csv')).map(where)).toEqual([
      ['RETURNS_FIELD_CONTROL_CHARACTER', 'a.returns.csv', 2, 'reference'],
      ['RETURNS_FIELD_CONTROL_CHARACTER', 'a.returns.csv', 3, 'account_number'],
    ]);
    expect(await reasonsOf('b.returns.csv')).toMatchObject([{ code: 'RETURNS_HEADER_INVALID', location: { file: 'b.returns.csv', line: 1 }, found: 'agen\\u0000cy,account_number,referral_id,type,amount,date,reference' }]);

    // The run record holds every reason (stored as jsonb: no NUL reached it).
    const recorded = await db.pool.query<{ input: string; status: string; codes: string[] }>(
      `SELECT input, status, (SELECT array_agg(r->>'code') FROM jsonb_array_elements(reasons) r) AS codes FROM run_inputs WHERE reasons <> '[]'::jsonb ORDER BY input`);
    expect(recorded.rows.map((r) => [r.input, r.status, r.codes.length])).toEqual([
      ['a.holds.csv', 'quarantined', 2], ['a.plans.csv', 'quarantined', 2], ['a.returns.csv', 'quarantined', 2], ['b.returns.csv', 'quarantined', 1],
      ['visits.ndjson', 'quarantined', 4],
    ]);

    const second = await run();
    expect(second.error, jsonText(second.stages)).toBeUndefined();
    expect(second.status).toBe('done');
  });
});
