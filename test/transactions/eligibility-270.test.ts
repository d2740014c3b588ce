import { describe, expect, it } from 'vitest';
import { build270Set, planSets, read270, type EligibilityRequest } from '../../src/transactions/eligibility-270.ts';
import { segmentsOf } from '../eligibility/segments.ts';
import { utcWallTime } from '../../src/common/clock.ts';

const provider = { npi: '1234567893', name: 'MAPLE FAMILY PRACTICE' };
const base = { payerId: '99001', payerName: 'SYNTHETIC HEALTH PLAN', provider, dateOfService: '2024-04-02', serviceTypes: ['30'] };
const jane: EligibilityRequest = { ...base, traceNumber: 'APPT-1', memberId: 'W100200300', subscriber: { lastName: 'DOE', firstName: 'JANE', birthDate: '1980-02-14', gender: 'F' } };
const lily: EligibilityRequest = {
  ...base, traceNumber: 'APPT-2', memberId: 'W555000111', serviceTypes: ['98', 'UC'],
  subscriber: { lastName: 'ROE', firstName: 'RICHARD' }, dependent: { lastName: 'ROE', firstName: 'LILY', birthDate: '2015-06-30', relationship: '19' },
};

function text(segs: string[][]): string {
  return segs.map((s) => s.join('*') + '~').join('');
}

describe('270 writer', () => {
  it('writes the loops and segments of the guide, with SE01 counting ST to SE', () => {
    const segs = build270Set([jane, lily], '0007', 'ELIG-0007', utcWallTime(new Date('2024-03-30T14:05:00Z')), '9MAPLEFP01');
    expect(text(segs)).toBe(
      'ST*270*0007*005010X279A1~BHT*0022*13*ELIG-0007*20240330*1405~' +
      'HL*1**20*1~NM1*PR*2*SYNTHETIC HEALTH PLAN*****PI*99001~HL*2*1*21*1~NM1*1P*2*MAPLE FAMILY PRACTICE*****XX*1234567893~' +
      'HL*3*2*22*0~TRN*1*APPT-1*9MAPLEFP01~NM1*IL*1*DOE*JANE****MI*W100200300~DMG*D8*19800214*F~DTP*291*D8*20240402~EQ*30~' +
      'HL*4*2*22*1~NM1*IL*1*ROE*RICHARD****MI*W555000111~HL*5*4*23*0~TRN*1*APPT-2*9MAPLEFP01~NM1*03*1*ROE*LILY~DMG*D8*20150630~INS*N*19~DTP*291*D8*20240402~EQ*98~EQ*UC~' +
      'SE*23*0007~');
  });

  it('reads back what it wrote', () => {
    const segs = build270Set([jane, lily], '0007', 'ELIG-0007', utcWallTime(new Date('2024-03-30T14:05:00Z')), '9MAPLEFP01');
    const back = read270(segmentsOf(text(segs)));
    expect(back.map((r) => [r.traceNumber, r.subscriber.id, r.dependent?.firstName ?? null, r.birthDate, r.dateOfService, r.serviceTypes])).toEqual([
      ['APPT-1', 'W100200300', null, '1980-02-14', '20240402', ['30']],
      ['APPT-2', 'W555000111', 'LILY', '2015-06-30', '20240402', ['98', 'UC']],
    ]);
    expect(back[0]!.payer.id).toBe('99001');
    expect(back[1]!.provider.id).toBe('1234567893');
  });

  it('plans one set per provider with at most 99 subscribers', () => {
    const many = Array.from({ length: 150 }, (_, i) => ({ ...jane, traceNumber: `A${i}` }));
    const other = { ...jane, traceNumber: 'B', provider: { npi: '1999999992', name: 'OTHER' } };
    expect(planSets([...many, other]).map((s) => s.length)).toEqual([99, 51, 1]);
  });
});

describe('270 values a validator checks (005010X279A1)', () => {
  const at = utcWallTime(new Date('2024-03-30T14:05:00Z'));
  it('leaves DMG03 out for an unknown gender and NM104 out for an organization provider', () => {
    const unknown: EligibilityRequest = { ...jane, subscriber: { ...jane.subscriber, gender: 'U' }, provider: { ...provider, entityType: '2', firstName: 'X' } };
    const out = text(build270Set([unknown], '0001', 'R1', at, '9MAPLEFP01'));
    expect(out).toContain('DMG*D8*19800214~');
    expect(out).toContain('NM1*1P*2*MAPLE FAMILY PRACTICE*****XX*1234567893~');
    const person: EligibilityRequest = { ...jane, provider: { npi: '1234567893', name: 'SMITH', firstName: 'ANNA', entityType: '1' } };
    expect(text(build270Set([person], '0001', 'R1', at, '9MAPLEFP01'))).toContain('NM1*1P*1*SMITH*ANNA****XX*1234567893~');
  });
});
