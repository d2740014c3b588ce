import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { answerCoverage, decideCoverage, planWindow } from '../../src/eligibility/coverage.ts';
import { read271 } from '../../src/transactions/eligibility-271.ts';
import { parseDtp, percentOf, type Benefit, type EligibilityResponse } from '../../src/domain/eligibility.ts';
import { segmentsOf, setOf } from './segments.ts';

const all = segmentsOf(readFileSync(new URL('../../samples/271/mixed-three-sets.x12', import.meta.url), 'latin1'));
function responseOf(n: number): EligibilityResponse {
  for (const e of read271(setOf(all, n))) if (e.kind === 'response') return e.response;
  throw new Error('no response');
}
const jane = responseOf(0);
const lily = responseOf(1);
const notFound = responseOf(2);

function eb(type: string, serviceTypes: string[], dates: Benefit['dates'] = []): Benefit {
  return {
    type, coverageLevel: 'IND', serviceTypes, insuranceType: '', planDescription: '', period: '', amountCents: null, percent: null,
    quantityQualifier: '', quantity: null, authorizationRequired: '', network: '', procedure: '', dates, messages: [],
    references: [], rejections: [], relatedEntities: [], segmentIndex: 0,
  };
}

describe('coverage question', () => {
  it('answers at the plan-date boundaries (DTP 346 begin and 347 end are inclusive)', () => {
    expect(planWindow(jane.dates)).toEqual({ begin: '2024-01-01', end: '2024-12-31' });
    expect(answerCoverage(jane, '2023-12-31').active).toBe(false);
    expect(answerCoverage(jane, '2023-12-31').reason).toBe('BEFORE_PLAN_BEGIN');
    expect(answerCoverage(jane, '2024-01-01').active).toBe(true);
    expect(answerCoverage(jane, '2024-12-31').active).toBe(true);
    expect(answerCoverage(jane, '2025-01-01').reason).toBe('AFTER_PLAN_END');
  });

  it('uses the latest begin and earliest end of plan (346/347) and eligibility (356/357) dates', () => {
    const dates = [parseDtp('346', 'D8', '20240101'), parseDtp('356', 'D8', '20240301'), parseDtp('357', 'D8', '20240930'), parseDtp('347', 'D8', '20241231')];
    const facts = { dates, benefits: [eb('1', ['30'])], rejections: [] };
    expect(planWindow(dates)).toEqual({ begin: '2024-03-01', end: '2024-09-30' });
    expect([answerCoverage(facts, '2024-02-29').active, answerCoverage(facts, '2024-03-01').active, answerCoverage(facts, '2024-09-30').active, answerCoverage(facts, '2024-10-01').active])
      .toEqual([false, true, true, false]);
  });

  it('answers a service type from its own rows, else from plan coverage 30', () => {
    expect(answerCoverage(jane, '2024-06-01', '98').active).toBe(true);
    const uc = answerCoverage(jane, '2024-06-01', 'UC');
    expect([uc.active, uc.reason]).toEqual([false, 'NOT_COVERED']);
    const office = answerCoverage(jane, '2024-06-01', '98');
    // Copays for 98 (in and out of network) and every plan-wide row apply; the UC/86 and 33/35 rows do not.
    expect(office.benefits.map((b) => `${b.type}:${b.serviceTypes.join('^')}:${b.network}`)).toEqual([
      'B:98:Y', 'B:98:N', '1:30:', 'A:30:Y', 'A:30:N', 'C:30:Y', 'C:30:Y', 'G:30:Y',
    ]);
  });

  it('reads an inactive dependent as not covered, and missing data as unknown', () => {
    expect(answerCoverage(lily, '2023-06-01').reason).toBe('INACTIVE');
    expect(answerCoverage(lily, '2023-06-01').active).toBe(false);
    expect(answerCoverage(lily, '2024-02-01').reason).toBe('AFTER_PLAN_END');
    const rejected = answerCoverage(notFound, '2024-02-01');
    expect([rejected.active, rejected.reason, rejected.rejections[0]?.reason]).toEqual([null, 'INQUIRY_REJECTED', '75']);
    expect(answerCoverage(null, '2024-02-01').active).toBeNull();
    expect(answerCoverage({ dates: [], benefits: [eb('B', ['98'])], rejections: [] }, '2024-02-01').reason).toBe('NO_STATUS_FOR_SERVICE');
  });

  it('honours a benefit row\'s own dates (RD8 range, D8 start)', () => {
    const facts = { dates: [], rejections: [], benefits: [eb('1', ['30'], [parseDtp('291', 'D8', '20150701')]), eb('6', ['30'], [parseDtp('292', 'RD8', '20200101-20200331')])] };
    expect(answerCoverage(facts, '2015-06-30').reason).toBe('OUTSIDE_BENEFIT_DATES');
    expect(answerCoverage(facts, '2015-07-01').active).toBe(true);
    expect(answerCoverage(facts, '2020-03-31').active).toBe(false);
    expect(answerCoverage(facts, '2020-04-01').active).toBe(true);
  });
});

describe('claim decision', () => {
  it('holds a claim with a date of service outside coverage, naming the date', () => {
    const d = decideCoverage(jane, ['2024-12-31', '2025-01-02']);
    expect([d.action, d.code, d.dateOfService]).toEqual(['hold', 'COVERAGE_INACTIVE', '2025-01-02']);
    expect(d.reason).toBe('not covered on 2025-01-02: date of service 2025-01-02 is after the plan ended on 2024-12-31');
  });
  it('sends when the payer profile says so, when covered, and when nothing is known', () => {
    expect(decideCoverage(jane, ['2025-01-02'], { policy: 'send' }).code).toBe('COVERAGE_INACTIVE_SENT_BY_POLICY');
    expect(decideCoverage(jane, ['2024-03-01', '2024-03-02']).code).toBe('COVERAGE_ACTIVE');
    expect(decideCoverage(null, ['2024-03-01'])).toMatchObject({ action: 'send', code: 'COVERAGE_UNKNOWN' });
    expect(decideCoverage(notFound, ['2024-03-01'])).toMatchObject({ action: 'send', code: 'COVERAGE_UNKNOWN' });
  });
});

describe('EB08 percent', () => {
  it('is a fraction of one, converted without floats', () => {
    expect(['0.2', '.4', '1', '0.125', '0.07', '1.00', '0'].map(percentOf)).toEqual(['20', '40', '100', '12.5', '7', '100', '0']);
    expect(percentOf('20%')).toBeNull();
  });
});
