import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase, type TestDatabase } from '../support/db.ts';
import { withTransaction } from '../../src/runtime/database.ts';
import { read271 } from '../../src/transactions/eligibility-271.ts';
import { storeEligibility, currentSnapshotsForMember } from '../../src/eligibility/store.ts';
import { checkCoverage } from '../../src/eligibility/check.ts';
import type { EligibilityResponse, EligibilitySetRejection } from '../../src/domain/eligibility.ts';
import { segmentsOf, setOf } from './segments.ts';

const sampleText = readFileSync(new URL('../../samples/271/mixed-three-sets.x12', import.meta.url), 'latin1');

function parse(text: string): { responses: EligibilityResponse[]; rejections: EligibilitySetRejection[] } {
  const all = segmentsOf(text);
  const responses: EligibilityResponse[] = [];
  const rejections: EligibilitySetRejection[] = [];
  const setCount = all.filter((s) => s.tag === 'ST').length;
  for (let n = 0; n < setCount; n++) {
    for (const e of read271(setOf(all, n), { interchange: '000000101', set: String(n + 1).padStart(4, '0') })) {
      if (e.kind === 'response') responses.push(e.response);
      if (e.kind === 'rejection') rejections.push(e.rejection);
    }
  }
  return { responses, rejections };
}

/** Jane's answer again, sent later (BHT04 2024-07-01) with the plan ending 2024-06-30. */
const janeLater = sampleText
  .split('ST*271*0002')[0]!
  .replace('BHT*0022*11*REQ0001*20240315*093012~', 'BHT*0022*11*REQ0100*20240701*080000~')
  .replace('DTP*347*D8*20241231~', 'DTP*347*D8*20240630~') + 'GE*1*101~IEA*1*000000101~';
/** And an answer older than the first one (2024-01-05), arriving last. */
const janeEarlier = janeLater.replace('REQ0100*20240701*080000', 'REQ0050*20240105*080000').replace('DTP*347*D8*20240630~', 'DTP*347*D8*20231231~');

async function count(db: TestDatabase, table: string): Promise<number> {
  const res = await db.pool.query(`SELECT count(*)::int AS n FROM ${table}`);
  return res.rows[0].n as number;
}

describe('eligibility store', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await useTestDatabase();
    await db.pool.query(`INSERT INTO guarantor_accounts (practice_id, account_number, last_name, first_name, address_line1, city, state, postal_code)
      VALUES ('default', 'A-1', 'DOE', 'JANE', '1 INVENTED LANE', 'NOWHERE', 'ZZ', '00000'), ('default', 'A-2', 'ROE', 'RICHARD', '2 INVENTED LANE', 'NOWHERE', 'ZZ', '00000')`);
    await db.pool.query(`INSERT INTO patients (patient_id, account_number, last_name, first_name, birth_date, sex, address_line1, city, state, postal_code)
      VALUES ('P-JANE', 'A-1', 'Doe', 'Jane', '1980-02-14', 'F', '1 INVENTED LANE', 'NOWHERE', 'ZZ', '00000'),
             ('P-LILY', 'A-2', 'Roe', 'Lily', '2015-06-30', 'F', '2 INVENTED LANE', 'NOWHERE', 'ZZ', '00000')`);
    await db.pool.query(`INSERT INTO coverages (patient_id, coverage_order, payer_id, member_id, relationship)
      VALUES ('P-JANE', 1, '99001', 'W100200300', 'self'), ('P-LILY', 1, '99001', 'W555000111', 'child')`);
  });

  it('stores responses, benefits and rejections, matches patients, and reports the unmatched', async () => {
    const { responses } = parse(sampleText);
    const result = await withTransaction(db.pool, (c) => storeEligibility(c, responses, [], { fileName: 'mixed-three-sets.x12' }));
    expect(result).toEqual({ responsesInserted: 3, responsesDuplicate: 0, rejectionsInserted: 1, unmatched: 1, superseded: 0 });
    const rows = await db.pool.query('SELECT member_id, subject, first_name, patient_id, plan_begin::text, plan_end::text FROM eligibility_responses ORDER BY id');
    expect(rows.rows).toEqual([
      { member_id: 'W100200300', subject: 'subscriber', first_name: 'JANE', patient_id: 'P-JANE', plan_begin: '2024-01-01', plan_end: '2024-12-31' },
      { member_id: 'W555000111', subject: 'dependent', first_name: 'LILY', patient_id: 'P-LILY', plan_begin: '2023-01-01', plan_end: '2023-12-31' },
      { member_id: 'W999999999', subject: 'subscriber', first_name: 'PAT', patient_id: null, plan_begin: null, plan_end: null },
    ]);
    const benefits = await db.pool.query(`SELECT benefit_type, service_types, amount_cents, percent, network FROM eligibility_benefits ORDER BY response_id, ordinal LIMIT 5`);
    expect(benefits.rows).toEqual([
      { benefit_type: '1', service_types: ['30'], amount_cents: null, percent: null, network: '' },
      { benefit_type: 'B', service_types: ['98'], amount_cents: 2500n, percent: null, network: 'Y' },
      { benefit_type: 'B', service_types: ['98'], amount_cents: 5000n, percent: null, network: 'N' },
      { benefit_type: 'A', service_types: ['30'], amount_cents: null, percent: '0.2', network: 'Y' },
      { benefit_type: 'A', service_types: ['30'], amount_cents: null, percent: '.4', network: 'N' },
    ]);
    expect(await count(db, 'eligibility_benefits')).toBe(11);
  });

  it('adds nothing when the same 271 is ingested again', async () => {
    const before = [await count(db, 'eligibility_responses'), await count(db, 'eligibility_benefits'), await count(db, 'eligibility_rejections')];
    const { responses } = parse(sampleText);
    const result = await withTransaction(db.pool, (c) => storeEligibility(c, responses));
    expect(result).toEqual({ responsesInserted: 0, responsesDuplicate: 3, rejectionsInserted: 0, unmatched: 0, superseded: 0 });
    expect([await count(db, 'eligibility_responses'), await count(db, 'eligibility_benefits'), await count(db, 'eligibility_rejections')]).toEqual(before);
  });

  it('stores a rejection above any person once', async () => {
    const text = 'ST*271*0009*005010X279A1~BHT*0022*11*R9*20240102*0800~HL*1**20*1~NM1*PR*2*SYNTHETIC HEALTH PLAN*****PI*99001~HL*2*1*21*0~NM1*1P*2*MAPLE*****XX*1234567893~AAA*N**43*C~SE*8*0009~';
    const { rejections } = parse(text);
    expect((await withTransaction(db.pool, (c) => storeEligibility(c, [], rejections))).rejectionsInserted).toBe(1);
    expect((await withTransaction(db.pool, (c) => storeEligibility(c, [], rejections))).rejectionsInserted).toBe(0);
    const row = await db.pool.query(`SELECT loop, reason, follow_up, payer_id, provider_id FROM eligibility_rejections WHERE response_id IS NULL`);
    expect(row.rows).toEqual([{ loop: '2100B', reason: '43', follow_up: 'C', payer_id: '99001', provider_id: '1234567893' }]);
  });

  it('supersedes by response time, keeping the history, whatever the arrival order', async () => {
    const later = await withTransaction(db.pool, (c) => storeEligibility(c, parse(janeLater).responses));
    expect([later.responsesInserted, later.superseded]).toEqual([1, 1]);
    const earlier = await withTransaction(db.pool, (c) => storeEligibility(c, parse(janeEarlier).responses));
    expect([earlier.responsesInserted, earlier.superseded]).toEqual([1, 1]);
    const current = await currentSnapshotsForMember(db.pool, 'W100200300');
    expect(current.map((s) => [s.planEnd, s.responseAt, s.patientId])).toEqual([['2024-06-30', '2024-07-01T08:00:00.000Z', 'P-JANE']]);
    const history = await db.pool.query(`SELECT plan_end::text, (superseded_by IS NULL) AS current FROM eligibility_responses WHERE member_id = 'W100200300' ORDER BY response_at`);
    expect(history.rows).toEqual([
      { plan_end: '2023-12-31', current: false },
      { plan_end: '2024-12-31', current: false },
      { plan_end: '2024-06-30', current: true },
    ]);
    expect(current[0]!.benefits).toHaveLength(10);
    expect(current[0]!.benefits[3]!.percent).toBe('0.2');
  });

  it('holds claims outside known active coverage, sends the rest', async () => {
    const jane = { payerId: '99001', memberId: 'W100200300', relationship: 'self' as const, patient: { lastName: 'Doe', firstName: 'Jane', birthDate: '1980-02-14' } };
    const held = await checkCoverage(db.pool, { ...jane, datesOfService: ['2024-06-30', '2024-07-01'] });
    expect([held.action, held.code, held.dateOfService, held.reason]).toEqual(['hold', 'COVERAGE_INACTIVE', '2024-07-01', 'not covered on 2024-07-01: date of service 2024-07-01 is after the plan ended on 2024-06-30']);
    expect((await checkCoverage(db.pool, { ...jane, datesOfService: ['2024-07-01'] }, { policy: 'send' })).action).toBe('send');
    expect((await checkCoverage(db.pool, { ...jane, datesOfService: ['2024-06-30'] })).code).toBe('COVERAGE_ACTIVE');
    const lily = await checkCoverage(db.pool, { payerId: '99001', memberId: 'W555000111', relationship: 'child', patient: { lastName: 'Roe', firstName: 'Lily', birthDate: '2015-06-30' }, datesOfService: ['2023-05-01'] });
    expect([lily.action, lily.code]).toEqual(['hold', 'COVERAGE_INACTIVE']);
    const nobody = await checkCoverage(db.pool, { payerId: '99001', memberId: 'NOPE', relationship: 'self', patient: { lastName: 'X', firstName: 'Y', birthDate: null }, datesOfService: ['2024-01-01'] });
    expect([nobody.action, nobody.code, nobody.snapshotId]).toEqual(['send', 'COVERAGE_UNKNOWN', null]);
  });
});
