import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { read271, type Eligibility271Event } from '../../src/transactions/eligibility-271.ts';
import { ClaimsError } from '../../src/common/errors.ts';
import type { EligibilityResponse } from '../../src/domain/eligibility.ts';
import { segmentsOf, setOf } from '../eligibility/segments.ts';

const sample = readFileSync(new URL('../../samples/271/mixed-three-sets.x12', import.meta.url), 'latin1');
const all = segmentsOf(sample);

function responses(events: Iterable<Eligibility271Event>): EligibilityResponse[] {
  return [...events].flatMap((e) => (e.kind === 'response' ? [e.response] : []));
}

describe('271 reader on the synthetic sample', () => {
  it('reads an active subscriber with every EB element', () => {
    const [r] = responses(read271(setOf(all, 0), { interchange: '000000101', group: '101', set: '0001' }));
    expect(r).toBeDefined();
    expect(r!.payer.id).toBe('99001');
    expect(r!.payer.lastName).toBe('SYNTHETIC HEALTH PLAN');
    expect(r!.provider.id).toBe('1234567893');
    expect(r!.subject).toBe('subscriber');
    expect(r!.person).toMatchObject({ lastName: 'DOE', firstName: 'JANE', middleName: 'Q', id: 'W100200300' });
    expect(r!.birthDate).toBe('1980-02-14');
    expect(r!.relationship).toBe('18');
    expect(r!.reference).toBe('REQ0001');
    expect(r!.responseAt).toBe('2024-03-15T09:30:12Z');
    expect(r!.traces).toEqual([{ type: '2', number: 'TRACE0001', originator: '9MAPLEFP01' }]);
    expect(r!.references).toEqual([{ qualifier: '6P', value: 'GRP4455', description: 'SILVER GROUP' }]);
    expect(r!.dates.map((d) => [d.qualifier, d.begin, d.end])).toEqual([
      ['346', '2024-01-01', '2024-01-01'],
      ['347', '2024-12-31', '2024-12-31'],
    ]);
    expect(r!.benefits).toHaveLength(10);
    const [active, copayIn, copayOut, coinsIn, coinsOut, deductible, remaining, oop, nonCovered, visits] = r!.benefits;
    expect(active).toMatchObject({ type: '1', coverageLevel: 'IND', serviceTypes: ['30'], insuranceType: 'PR', planDescription: 'SILVER PPO', amountCents: null, percent: null });
    expect(copayIn).toMatchObject({ type: 'B', serviceTypes: ['98'], period: '27', amountCents: 2500n, network: 'Y' });
    expect(copayOut).toMatchObject({ type: 'B', amountCents: 5000n, network: 'N' });
    expect(coinsIn).toMatchObject({ type: 'A', percent: '0.2', amountCents: null, network: 'Y' });
    expect(coinsOut).toMatchObject({ type: 'A', percent: '.4', network: 'N' });
    expect(deductible).toMatchObject({ type: 'C', period: '23', amountCents: 150000n });
    expect(remaining).toMatchObject({ type: 'C', period: '29', amountCents: 31250n });
    expect(remaining!.dates).toEqual([{ qualifier: '292', format: 'RD8', raw: '20240101-20241231', begin: '2024-01-01', end: '2024-12-31' }]);
    expect(oop).toMatchObject({ type: 'G', amountCents: 600000n });
    expect(nonCovered).toMatchObject({ type: 'I', serviceTypes: ['UC', '86'], messages: ['URGENT CARE AND EMERGENCY BILLED UNDER SEPARATE RIDER'] });
    expect(visits).toMatchObject({ type: '1', serviceTypes: ['33', '35'], quantityQualifier: 'VS', quantity: '12', authorizationRequired: 'Y' });
    expect(visits!.relatedEntities).toEqual([{ entityCode: 'P3', entityType: '1', lastName: 'TESTER', firstName: 'PAULA', idQualifier: 'XX', id: '1999999992' }]);
    expect(r!.source).toEqual({ interchange: '000000101', group: '101', set: '0001', segmentIndex: 8 });
  });

  it('reads a dependent under its subscriber, and skips the subscriber header that has nothing of its own', () => {
    const rs = responses(read271(setOf(all, 1)));
    expect(rs).toHaveLength(1);
    const d = rs[0]!;
    expect(d.subject).toBe('dependent');
    expect(d.subscriber).toMatchObject({ lastName: 'ROE', firstName: 'RICHARD', id: 'W555000111' });
    expect(d.person).toMatchObject({ entityCode: '03', lastName: 'ROE', firstName: 'LILY' });
    expect(d.dependent).toBe(d.person);
    expect(d.birthDate).toBe('2015-06-30');
    expect(d.relationship).toBe('19');
    expect(d.benefits.map((b) => [b.type, b.serviceTypes])).toEqual([['6', ['30']]]);
  });

  it('keeps an AAA rejection at the subscriber loop', () => {
    const rs = responses(read271(setOf(all, 2)));
    expect(rs).toHaveLength(1);
    expect(rs[0]!.rejections).toEqual([{ loop: '2100C', validRequest: 'N', reason: '75', followUp: 'C', segmentIndex: 60 }]);
    expect(rs[0]!.benefits).toEqual([]);
  });

  it('yields a rejection event for an AAA above any person', () => {
    const text = 'ST*271*9*005010X279A1~BHT*0022*11*R9*20240102*0800~HL*1**20*1~NM1*PR*2*PLAN*****PI*77~AAA*Y**42*W~HL*2*1*21*0~NM1*1P*2*CLINIC*****XX*1234567893~AAA*N**43*C~SE*9*9~';
    const events = [...read271(segmentsOf(text))];
    const rejections = events.flatMap((e) => (e.kind === 'rejection' ? [e.rejection] : []));
    expect(rejections.map((r) => [r.rejection.loop, r.rejection.reason, r.rejection.followUp, r.payer?.id ?? null, r.provider?.id ?? null])).toEqual([
      ['2100A', '42', 'W', '77', null],
      ['2100B', '43', 'C', '77', '1234567893'],
    ]);
  });

  it('rejects malformed input with a positioned error', () => {
    const bad = (text: string): ClaimsError => {
      try {
        Array.from(read271(segmentsOf(text)));
      } catch (e) {
        return e as ClaimsError;
      }
      throw new Error('expected an error');
    };
    const head = 'ST*271*1*005010X279A1~BHT*0022*11*R*20240102*0800~HL*1**20*1~NM1*PR*2*P*****PI*1~HL*2*1*21*1~NM1*1P*2*C*****XX*1~HL*3*2*22*0~NM1*IL*1*A*B****MI*M1~';
    const money = bad(head + 'EB*C*IND*30***23*10.005~SE*10*1~');
    expect([money.code, money.location.segmentIndex, money.location.element]).toEqual(['MONEY_PRECISION', 8, 7]);
    const pct = bad(head + 'EB*A*IND*30***27**20%~SE*10*1~');
    expect([pct.code, pct.location.segmentTag, pct.location.element, pct.found]).toEqual(['ELIGIBILITY_PERCENT_INVALID', 'EB', 8, '20%']);
    const date = bad(head + 'DTP*346*D8*20240230~SE*10*1~');
    expect([date.code, date.location.segmentIndex]).toEqual(['ELIGIBILITY_DATE_INVALID', 8]);
    expect(bad('ST*270*1*005010X279A1~').code).toBe('ELIGIBILITY_NOT_271');
    expect(bad('ST*271*1*004010X092A1~').code).toBe('ELIGIBILITY_VERSION_UNSUPPORTED');
    expect(bad('ST*271*1*005010X279A1~HL*1**20*1~HL*2*1*22*0~').code).toBe('ELIGIBILITY_HL_ORDER');
    expect(bad(head.replace('NM1*IL*1*A*B****MI*M1~', '') + 'EB*1~SE*8*1~').code).toBe('ELIGIBILITY_NAME_MISSING');
  });
});
