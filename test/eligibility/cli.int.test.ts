// End to end through the binary: 271s in with `claims ingest`, answers out with `claims eligibility`
// and `claims report eligibility`, 270s written by `claims eligibility-requests` and read back.
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase, type TestDatabase } from '../support/db.ts';
import { runCli, REPO_ROOT } from '../support/cli.ts';
import { tokenize } from '../../src/x12/tokenizer.ts';
import { read270 } from '../../src/transactions/eligibility-270.ts';
import type { Segment } from '../../src/x12/segment.ts';

const sample = path.join(REPO_ROOT, 'samples/271/mixed-three-sets.x12');
const corpus = (p: string): string => path.join(REPO_ROOT, '../shared/corpus', p);

describe('eligibility through the CLI', () => {
  let db: TestDatabase;
  let env: Record<string, string>;
  let scratch: string;
  beforeAll(async () => {
    db = await useTestDatabase();
    scratch = mkdtempSync(path.join(os.tmpdir(), 'claims-elig-'));
    env = { DATABASE_URL: db.url, CLAIMS_NOW: '2024-03-30', CLAIMS_LOG_LEVEL: 'warn', CLAIMS_HOME: scratch };
    await db.pool.query(`INSERT INTO guarantor_accounts (practice_id, account_number, last_name, first_name, address_line1, city, state, postal_code)
      VALUES ('default', 'A-1', 'DOE', 'JANE', '1 INVENTED LANE', 'NOWHERE', 'ZZ', '00000')`);
    await db.pool.query(`INSERT INTO patients (patient_id, account_number, last_name, first_name, birth_date, sex, address_line1, city, state, postal_code)
      VALUES ('P-JANE', 'A-1', 'Doe', 'Jane', '1980-02-14', 'F', '1 INVENTED LANE', 'NOWHERE', 'ZZ', '00000')`);
    await db.pool.query(`INSERT INTO coverages (patient_id, coverage_order, payer_id, member_id, relationship) VALUES ('P-JANE', 1, 'ACME', 'W100200300', 'self')`);
  });

  it('ingests a 271 once; the second time adds nothing', async () => {
    const first = await runCli(['ingest', '--json', sample], { env });
    expect(first.code, first.stderr).toBe(0);
    const sets = JSON.parse(first.stdout).files[0].sets as Array<{ set: string; status: string; counts: Record<string, number>; reasons: Array<{ code: string }> }>;
    expect(sets.map((s) => [s.set, s.status, s.counts.responsesInserted, s.counts.unmatched])).toEqual([['0001', 'posted', 1, 0], ['0002', 'posted', 1, 1], ['0003', 'posted', 1, 1]]);
    expect(sets[1]!.reasons.map((r) => r.code)).toEqual(['ELIGIBILITY_UNMATCHED']);
    const again = await runCli(['ingest', '--json', sample], { env });
    expect(again.code, again.stderr).toBe(0);
    expect((JSON.parse(again.stdout).files[0].sets as Array<{ status: string }>).map((s) => s.status)).toEqual(['duplicate', 'duplicate', 'duplicate']);
    const n = await db.pool.query('SELECT (SELECT count(*) FROM eligibility_responses)::int AS r, (SELECT count(*) FROM eligibility_benefits)::int AS b');
    expect(n.rows[0]).toEqual({ r: 3, b: 11 });
  });

  it('answers `claims eligibility` with benefits and figures for a date and service type', async () => {
    const res = await runCli(['eligibility', 'W100200300', '--date', '2024-06-01', '--service-type', '98', '--json'], { env });
    expect(res.code, res.stderr).toBe(0);
    const j = JSON.parse(res.stdout);
    expect([j.memberId, j.payerId, j.active, j.reason, j.planBegin, j.planEnd, j.person.patientId]).toEqual(['W100200300', '99001', true, 'ACTIVE', '2024-01-01', '2024-12-31', 'P-JANE']);
    const copay = j.benefits.filter((b: { type: string }) => b.type === 'B');
    expect(copay.map((b: { amountCents: number; network: string; period: string }) => [b.amountCents, b.network, b.period])).toEqual([[2500, 'Y', '27'], [5000, 'N', '27']]);
    expect(copay[0]).not.toHaveProperty('amount');
    const coinsurance = j.benefits.find((b: { type: string; network: string }) => b.type === 'A' && b.network === 'Y');
    expect([coinsurance.percent, coinsurance.percentage]).toEqual(['0.2', '20']);
    expect(j.rejections).toEqual([]);

    const after = JSON.parse((await runCli(['eligibility', 'W100200300', '--date', '2025-01-01', '--json'], { env })).stdout);
    expect([after.active, after.reason]).toEqual([false, 'AFTER_PLAN_END']);
    const lily = JSON.parse((await runCli(['eligibility', 'W555000111', '--dependent', 'lily', '--date', '2023-05-01', '--json'], { env })).stdout);
    expect([lily.active, lily.reason, lily.person.subject]).toEqual([false, 'INACTIVE', 'dependent']);
    const unknown = JSON.parse((await runCli(['eligibility', 'NOBODY', '--json'], { env })).stdout);
    expect([unknown.active, unknown.reason, unknown.benefits, unknown.rejections]).toEqual([null, 'NO_RESPONSE_ON_FILE', [], []]);
    const rejected = JSON.parse((await runCli(['eligibility', 'W999999999', '--json'], { env })).stdout);
    expect([rejected.active, rejected.rejections]).toEqual([null, [{ reason: '75', reasonText: 'subscriber/insured not found', followUp: 'C', followUpText: 'please correct and resubmit', loop: '2100C' }]]);
  });

  it('lists inactive coverage, rejections and unmatched people in `claims report eligibility`', async () => {
    const res = await runCli(['report', 'eligibility', '--json'], { env });
    expect(res.code, res.stderr).toBe(0);
    const rows = JSON.parse(res.stdout) as Array<{ problem: string; memberId: string; subject: string; rejections: Array<{ reason: string }>; action: string }>;
    expect(rows.map((r) => [r.problem, r.memberId, r.subject, r.rejections.map((j) => j.reason).join()])).toEqual([
      ['inactive', 'W555000111', 'dependent', ''],
      ['unmatched', 'W555000111', 'dependent', ''],
      ['rejected', 'W999999999', 'subscriber', '75'],
      ['unmatched', 'W999999999', 'subscriber', '75'],
    ]);
    expect(rows[2]!.action).toBe('correct the request (member id, name, birth date, provider) and resubmit the 270');
  });

  it('ingests every corpus 271 or rejects it with a precise reason', async () => {
    const dir = corpus('271');
    const outcomes: Record<string, string> = {};
    for (const f of readdirSync(dir).sort()) {
      const res = await runCli(['ingest', '--json', path.join(dir, f)], { env });
      const o = JSON.parse(res.stdout).files[0];
      const codes = [...o.reasons, ...o.sets.flatMap((s: { reasons: unknown[] }) => s.reasons)].map((r: { code: string; severity: string }) => `${r.severity === 'warning' ? '~' : ''}${r.code}`);
      outcomes[f] = `${res.code} ${o.status} ${[...new Set(codes)].join(' ')}`.trim();
    }
    // Envelope faults are refused by the X12 core's checks before the 271 handler sees the set, each with its
    // code: an SE02 that differs from ST02, missing GE/IEA, GS01 XX or HS for a 271, GS08 005010X279
    // (without A1). The lfh files share ISA13 000000907 and sender: after the first, a reuse warning.
    expect(outcomes).toEqual({
      'badx12__error-not-eligible-for-inquiries.x12': '0 done',
      'badx12__response-subscriber.x12': '3 quarantined VERSION_UNSUPPORTED ~INTERCHANGE_CONTROL_NUMBER_REUSED',
      'lfh__dependent.x12': '0 done ~ELIGIBILITY_UNMATCHED',
      'lfh__subscriber-error-aaa.x12': '3 quarantined ~INTERCHANGE_CONTROL_NUMBER_REUSED SE_CONTROL_NUMBER_MISMATCH',
      'lfh__subscriber.x12': '0 done ~INTERCHANGE_CONTROL_NUMBER_REUSED ~ELIGIBILITY_UNMATCHED',
      // GS01 HS for a 271 whose ST03 names X279A1: only a warning (decision 0093); the missing trailers refuse it.
      'nodex12__271.x12': '3 quarantined GE_MISSING IEA_MISSING ~SET_GROUP_MISMATCH',
      'oopf__example-3.2.2.x12': '3 quarantined ~ISA_REPETITION_SEPARATOR_UNUSABLE GS_FUNCTIONAL_ID_UNSUPPORTED VERSION_UNSUPPORTED SET_GROUP_MISMATCH',
      'oopf__from-georgiosd.x12': '0 done ~ELIGIBILITY_UNMATCHED',
      'oopf__validation-on-all-tab-indented.x12': '3 quarantined ~ISA_REPETITION_SEPARATOR_UNUSABLE GS_FUNCTIONAL_ID_UNSUPPORTED VERSION_UNSUPPORTED ~INTERCHANGE_CONTROL_NUMBER_REUSED SET_GROUP_MISMATCH SE_SEGMENT_COUNT',
    });
    // The AAA-only file stores its 2100B rejection (reason 50, provider ineligible for inquiries).
    const aboveAnyPerson = await db.pool.query(`SELECT loop, reason, follow_up, file_name FROM eligibility_rejections WHERE response_id IS NULL AND reason = '50' ORDER BY file_name`);
    expect(aboveAnyPerson.rows).toEqual([
      { loop: '2100B', reason: '50', follow_up: 'N', file_name: 'badx12__error-not-eligible-for-inquiries.x12' },
    ]);
    const people = await db.pool.query(`SELECT file_name, subject, last_name, (SELECT count(*)::int FROM eligibility_benefits b WHERE b.response_id = r.id) AS benefits
      FROM eligibility_responses r WHERE position('__' in file_name) > 0 ORDER BY file_name`);
    expect(people.rows).toEqual([
      { file_name: 'lfh__dependent.x12', subject: 'dependent', last_name: 'SMITH', benefits: 5 },
      { file_name: 'lfh__subscriber.x12', subject: 'subscriber', last_name: 'SMITH', benefits: 5 },
      { file_name: 'oopf__from-georgiosd.x12', subject: 'subscriber', last_name: 'BB', benefits: 1 },
    ]);
  });

  it('quarantines a malformed 271 with a positioned error and stores nothing of it', async () => {
    const bad = readFileSync(sample, 'latin1').replace('EB*C*IND*30*PR**23*1500*****Y~', 'EB*C*IND*30*PR**23*1500.005*****Y~');
    const file = path.join(scratch, 'bad-amount.x12');
    writeFileSync(file, bad);
    const before = await db.pool.query('SELECT count(*)::int AS n FROM eligibility_responses');
    const res = await runCli(['ingest', '--json', '--quarantine', path.join(scratch, 'quarantine'), file], { env });
    expect(res.code, res.stderr).toBe(3);
    const o = JSON.parse(res.stdout).files[0];
    const set1 = o.sets.find((s: { set: string }) => s.set === '0001');
    expect(set1.status).toBe('quarantined');
    // Line 23 of the file, segment index 22 (ISA = 0), is the deductible EB; EB07 is the amount.
    expect([set1.reasons[0].code, set1.reasons[0].location.segmentIndex, set1.reasons[0].location.segmentTag, set1.reasons[0].location.element])
      .toEqual(['MONEY_PRECISION', 22, 'EB', 7]);
    expect(o.sets.filter((s: { status: string }) => s.status === 'duplicate').map((s: { set: string }) => s.set)).toEqual(['0002', '0003']);
    const after = await db.pool.query('SELECT count(*)::int AS n FROM eligibility_responses');
    expect(after.rows[0].n).toBe(before.rows[0].n);
  });

  it('writes 270s per payer with control numbers from the database, which read back', async () => {
    const out = path.join(scratch, 'outbox');
    const res = await runCli(['eligibility-requests', path.join(REPO_ROOT, 'samples/appointments/upcoming.ndjson'), '--out', out, '--json'], { env });
    expect(res.code, res.stderr).toBe(3);
    const summary = JSON.parse(res.stdout);
    expect([summary.requests, summary.skippedPast, summary.rejected.map((p: { line: number; code: string }) => `${p.line}:${p.code}`)]).toEqual([4, 1, ['6:APPOINTMENT_PAYER_UNKNOWN', '7:APPOINTMENT_INVALID']]);
    // ACME and BLUE share one clearinghouse (sender NWB001, receiver BRIDGEWAY): one counter, so 1 then 2.
    expect(readdirSync(out).sort()).toEqual(['270-ACME-000000001.x12', '270-BLUE-000000002.x12']);
    // The folder it made holds patient data: owner-only, like the files in it.
    expect((statSync(out).mode & 0o777).toString(8)).toBe('700');
    const segs = tokenize(readFileSync(path.join(out, '270-ACME-000000001.x12')));
    expect(segs.map((s) => s.tag).filter((t) => ['ISA', 'GS', 'ST', 'SE', 'GE', 'IEA'].includes(t))).toEqual(['ISA', 'GS', 'ST', 'SE', 'ST', 'SE', 'GE', 'IEA']);
    const gs = segs.find((s) => s.tag === 'GS')!;
    expect([gs.elements[1], gs.elements[8]]).toEqual(['HS', '005010X279A1']);
    const sets: Segment[][] = [];
    for (const s of segs) {
      if (s.tag === 'ST') sets.push([]);
      if (sets.length > 0 && !['GE', 'IEA'].includes(s.tag)) sets[sets.length - 1]!.push(s);
    }
    expect(sets.map((s) => [s[0]!.elements[2], s[s.length - 1]!.elements[1], String(s.length)])).toEqual([['0001', String(sets[0]!.length), String(sets[0]!.length)], ['0002', String(sets[1]!.length), String(sets[1]!.length)]]);
    const requests = sets.flatMap((s) => read270(s));
    expect(requests.map((r) => [r.payer.id, r.provider.id, r.traceNumber, r.subscriber.id, r.dependent?.firstName ?? null, r.dateOfService, r.serviceTypes.join()])).toEqual([
      ['60054', '1234567893', 'APPT-24001', 'W100200300', null, '20240402', '30,98'],
      ['60054', '1234567893', 'APPT-24002', 'W555000111', 'LILY', '20240402', '30'],
      ['60054', '1999999992', 'APPT-24003', 'W222333444', null, '20240403', '30'],
    ]);
    // A second run gets the next control numbers: never a repeat.
    const again = await runCli(['eligibility-requests', path.join(REPO_ROOT, 'samples/appointments/upcoming.ndjson'), '--out', out, '--json'], { env });
    expect(JSON.parse(again.stdout).files.map((f: { isa13: string }) => f.isa13)).toEqual(['000000003', '000000004']);
    const stored = await db.pool.query(`SELECT trace_number, isa13, st02 FROM eligibility_requests WHERE payer_id = '60054' AND isa13 = '000000001' ORDER BY id`);
    expect(stored.rows).toEqual([
      { trace_number: 'APPT-24001', isa13: '000000001', st02: '0001' },
      { trace_number: 'APPT-24002', isa13: '000000001', st02: '0001' },
      { trace_number: 'APPT-24003', isa13: '000000001', st02: '0002' },
    ]);
  });

  it('reports the 270s no 271 has answered yet, and drops one once a 271 echoes its trace', async () => {
    const unanswered = async (): Promise<string[]> => {
      const res = await runCli(['report', 'eligibility', '--json'], { env });
      expect(res.code, res.stderr).toBe(0);
      const rows = JSON.parse(res.stdout) as Array<{ problem: string; payerId: string; memberId: string; request?: { traceNumber: string; dateOfService: string } }>;
      return rows.filter((r) => r.problem === 'unanswered').map((r) => `${r.request!.traceNumber} ${r.payerId} ${r.memberId} ${r.request!.dateOfService}`);
    };
    // The four visits asked about above (each asked twice: listed once), all after "today" (2024-03-30),
    // by visit date (samples/appointments/upcoming.ndjson; payer ids are the profiles' 270 payer ids).
    expect(await unanswered()).toEqual([
      'APPT-24001 60054 W100200300 2024-04-02',
      'APPT-24002 60054 W555000111 2024-04-02',
      'APPT-24003 60054 W222333444 2024-04-03',
      'APPT-24004 94036 XB9988776 2024-04-05',
    ]);
    // A 271 whose TRN02 echoes APPT-24002 closes that request.
    const answer = path.join(scratch, 'answer-24002.x12');
    writeFileSync(answer, readFileSync(sample, 'latin1').replace('TRN*2*TRACE0002*', 'TRN*2*APPT-24002*'));
    const ingested = await runCli(['ingest', '--json', answer], { env });
    expect(ingested.code, ingested.stderr).toBe(0);
    expect(await unanswered()).toEqual([
      'APPT-24001 60054 W100200300 2024-04-02',
      'APPT-24003 60054 W222333444 2024-04-03',
      'APPT-24004 94036 XB9988776 2024-04-05',
    ]);
  });
});
