// The 271 reader and the coverage question against the X279A1 loops and what payers send (docs/decisions/0054):
// EB rows repeated per network and coverage level, EB03 repetitions, EB13 composite, III in 2110C, LS/LE
// with 2120 entities, INS, AAA at 2100A/2100B/2100C/2110C, MSG, EB08 fractions, DTP 291/292/295/307/346/347/356/357
// in D8 and RD8, a dependent with their own member id sent back as a subscriber. Values written out by hand.
import { describe, expect, it } from 'vitest';
import { read271, type Eligibility271Event } from '../../src/transactions/eligibility-271.ts';
import { answerCoverage, planWindow } from '../../src/eligibility/coverage.ts';
import { percentOf, type EligibilityResponse } from '../../src/domain/eligibility.ts';
import { segmentsOf } from '../eligibility/segments.ts';

function set(body: string[]): string {
  return [`ST*271*0001*005010X279A1`, ...body, `SE*${body.length + 2}*0001`].join('~') + '~';
}

const TEXT = set([
  'BHT*0022*11*REQ-1*20240305*1015',
  'HL*1**20*1', 'NM1*PR*2*SYNTHETIC HEALTH PLAN*****PI*SHP01', 'AAA*Y**42*R',
  'HL*2*1*21*1', 'NM1*1P*2*EXAMPLE CLINIC*****XX*1999999984', 'AAA*Y**43*C',
  'HL*3*2*22*0', 'TRN*2*TRACE-1*9999999999', 'NM1*IL*1*SAMPLE*CHILD****MI*DEP-OWN-ID', 'REF*6P*GRP-9*GROUP NINE',
  'N3*1 EXAMPLE WAY', 'N4*SPRINGFIELD*IL*62701', 'DMG*D8*20100415*F', 'INS*N*19', 'DTP*291*RD8*20240101-20241231', 'DTP*307*RD8*20240305-20240305',
  'AAA*Y**72*C',
  'EB*1*FAM*30^1^33*HM*GOLD PPO', 'DTP*292*RD8*20240101-20241231', 'MSG*PLAN RENEWS EACH JANUARY',
  'EB*C*IND*30***23*500*****Y', 'EB*C*IND*30***29*125.5*****Y', 'EB*C*IND*30***23*1500*****N',
  'EB*C*FAM*30***23*1000*****Y',
  'EB*A*IND*30***27**.2****Y', 'EB*A*IND*30***27**0.40****N',
  'EB*B*IND*98***27*25*****Y', 'III*ZZ*11',
  'EB*F*IND*AL***22***VS*12***HC:97110', 'DTP*295*D8*20240301',
  'EB*I**48', 'AAA*N**41*N',
  'EB*R**30*MB*SECOND PAYER', 'LS*2120', 'NM1*PR*2*OTHER PLAN*****PI*OP01', 'N3*9 OTHER ROAD', 'PER*IC**TE*5555550199', 'LE*2120',
  'EB*1**86', 'LS*2120', 'NM1*P3*1*DOCTOR*PAT****XX*1999999992', 'PRV*PC*PXC*207Q00000X', 'LE*2120', 'MSG*PCP ON FILE',
]);

function responsesOf(events: Iterable<Eligibility271Event>): { responses: EligibilityResponse[]; rejections: string[] } {
  const responses: EligibilityResponse[] = [];
  const rejections: string[] = [];
  for (const e of events) {
    if (e.kind === 'response') responses.push(e.response);
    else if (e.kind === 'rejection') rejections.push(`${e.rejection.rejection.loop}:${e.rejection.rejection.reason}:${e.rejection.rejection.followUp}`);
  }
  return { responses, rejections };
}

describe('271 reader against the X279A1 loops', () => {
  const { responses, rejections } = responsesOf(read271(segmentsOf(TEXT), { interchange: '1', group: '1', set: '0001' }));
  const r = responses[0]!;

  it('keeps AAA at 2100A and 2100B as set rejections, and at 2100C/2110C on the person (and the 2110 one on its row)', () => {
    expect(rejections).toEqual(['2100A:42:R', '2100B:43:C']);
    expect(r.rejections.map((x) => `${x.loop}:${x.reason}:${x.followUp}`)).toEqual(['2100C:72:C', '2110C:41:N']);
    expect(r.benefits.find((b) => b.type === 'I')!.rejections.map((x) => x.reason)).toEqual(['41']);
  });

  it('reads a dependent with their own member id as a subscriber, with INS relationship and DMG', () => {
    expect(responses).toHaveLength(1);
    expect(r.subject).toBe('subscriber');
    expect(r.person.id).toBe('DEP-OWN-ID');
    expect([r.relationship, r.birthDate, r.gender]).toEqual(['19', '2010-04-15', 'F']);
    expect(r.references).toEqual([{ qualifier: '6P', value: 'GRP-9', description: 'GROUP NINE' }]);
  });

  it('keeps every EB row, per coverage level and network, with EB03 repetitions, EB08 fractions and EB13 composite', () => {
    expect(r.benefits.map((b) => `${b.type}/${b.coverageLevel}/${b.serviceTypes.join(',')}/${b.period}/${b.amountCents ?? ''}/${b.percent ?? ''}/${b.network}`)).toEqual([
      '1/FAM/30,1,33////', 'C/IND/30/23/50000//Y', 'C/IND/30/29/12550//Y', 'C/IND/30/23/150000//N', 'C/FAM/30/23/100000//Y',
      'A/IND/30/27//.2/Y', 'A/IND/30/27//0.40/N', 'B/IND/98/27/2500//Y', 'F/IND/AL/22///', 'I//48////', 'R//30////', '1//86////',
    ]);
    expect(r.benefits.filter((b) => b.type === 'A').map((b) => percentOf(b.percent!))).toEqual(['20', '40']);
    const limit = r.benefits.find((b) => b.type === 'F')!;
    expect([limit.quantityQualifier, limit.quantity, limit.procedure]).toEqual(['VS', '12', 'HC:97110']);
    expect(limit.dates.map((d) => [d.qualifier, d.begin])).toEqual([['295', '2024-03-01']]);
    expect(r.benefits[0]!.messages).toEqual(['PLAN RENEWS EACH JANUARY']);
  });

  it('puts 2120 entities (NM1*PR other payer, NM1*P3 primary care) on their row, never on the person, and MSG after LE on the row', () => {
    const other = r.benefits.find((b) => b.type === 'R')!;
    expect(other.relatedEntities.map((e) => [e.entityCode, e.id])).toEqual([['PR', 'OP01']]);
    const pcp = r.benefits[r.benefits.length - 1]!;
    expect(pcp.relatedEntities.map((e) => [e.entityCode, e.lastName, e.id])).toEqual([['P3', 'DOCTOR', '1999999992']]);
    expect(pcp.messages).toEqual(['PCP ON FILE']);
    expect(r.person.lastName).toBe('SAMPLE');
  });

  it('reads the plan window from a DTP*291 RD8 at 2100C (307, the inquiry date, is not a plan end)', () => {
    expect(planWindow(r.dates)).toEqual({ begin: '2024-01-01', end: '2024-12-31' });
    expect(answerCoverage(r, '2024-06-30').active).toBe(true);
    expect(answerCoverage(r, '2025-01-02')).toMatchObject({ active: false, reason: 'AFTER_PLAN_END' });
    expect(answerCoverage(r, '2023-12-31')).toMatchObject({ active: false, reason: 'BEFORE_PLAN_BEGIN' });
  });
});

describe('271 from payers that leave out LS/LE around a 2120 entity', () => {
  const text = set([
    'BHT*0022*11*REQ-2*20240305*1015',
    'HL*1**20*1', 'NM1*PR*2*SYNTHETIC HEALTH PLAN*****PI*SHP01',
    'HL*2*1*21*1', 'NM1*1P*2*EXAMPLE CLINIC*****XX*1999999984',
    'HL*3*2*22*0', 'NM1*IL*1*SAMPLE*PAT****MI*M-1',
    'EB*1**30', 'EB*1**86', 'NM1*P3*1*DOCTOR*PAT****XX*1999999992', 'MSG*PCP ON FILE',
  ]);

  it('reads the NM1 after the EB as that benefit\'s related entity, with a located warning', () => {
    const events = [...read271(segmentsOf(text), { interchange: '1', group: '1', set: '0001' })];
    const { responses } = responsesOf(events);
    const pcp = responses[0]!.benefits[1]!;
    expect(pcp.relatedEntities.map((e) => [e.entityCode, e.lastName, e.id])).toEqual([['P3', 'DOCTOR', '1999999992']]);
    expect(pcp.messages).toEqual(['PCP ON FILE']);
    expect(responses[0]!.benefits[0]!.relatedEntities).toEqual([]);
    expect(responses[0]!.person.lastName).toBe('SAMPLE');
    const warnings = events.flatMap((e) => (e.kind === 'warning' ? [e.warning] : []));
    expect(warnings.map((w) => [w.code, w.location?.segmentTag, w.location?.element])).toEqual([['ELIGIBILITY_RELATED_ENTITY_WITHOUT_LS', 'NM1', 1]]);
  });

  it('still refuses a person\'s own NM1*IL inside a benefit loop', () => {
    const bad = set(['BHT*0022*11*REQ-3*20240305*1015', 'HL*1**20*1', 'NM1*PR*2*PLAN*****PI*SHP01', 'HL*2*1*21*1', 'NM1*1P*2*CLINIC*****XX*1999999984',
      'HL*3*2*22*0', 'NM1*IL*1*SAMPLE*PAT****MI*M-1', 'EB*1**30', 'NM1*IL*1*OTHER*PERSON****MI*M-2']);
    expect(() => [...read271(segmentsOf(bad), { interchange: '1', group: '1', set: '0001' })]).toThrow(/NM1 inside a 2110 loop without LS/);
  });
});
