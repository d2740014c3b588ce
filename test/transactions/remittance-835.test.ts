import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readRemittance, splitComposite } from '../../src/transactions/remittance-835.ts';
import { segmentsOf, setsOf } from '../remittances/support/segments.ts';
import { thrown } from '../support/thrown.ts';

const corpus = new URL('../../../shared/corpus/835/', import.meta.url);
const read = (name: string): string => readFileSync(new URL(name, corpus), 'latin1');

function only(text: string) {
  const [set] = setsOf(text);
  if (!set) throw new Error('no set');
  return readRemittance(set.segments, { interchange: set.interchange, group: set.group, version: set.version, file: 'x.835' });
}

const ST = 'ST*835*0001~BPR*I*80*C*ACH*CCP*01*999999999*DA*123456*1512345678**01*999988880*DA*98765*20240301~TRN*1*EFT0001*1512345678~';
const PARTIES = 'N1*PR*SYNTHETIC HEALTH PLAN~REF*2U*SHP01~N1*PE*EXAMPLE CLINIC*XX*1999999984~';

describe('readRemittance', () => {
  it('reads the guide example "dollars and data sent together" field by field', () => {
    const r = only(read('badx12__dollars-and-data-sent-together.x12'));
    expect(r.interchange).toBe('000010216');
    expect(r.group).toBe('20213');
    expect(r.set).toBe('1234');
    expect(r.transactionHandling).toBe('C');
    expect(r.paymentCents).toBe(15_000_000n);
    expect(r.creditDebit).toBe('C');
    expect(r.paymentMethod).toBe('ACH');
    expect(r.paymentDate).toBe('2002-09-13');
    expect(r.traceNumber).toBe('12345');
    expect(r.traceOriginator).toBe('1512345678');
    expect(r.productionDate).toBe('2002-09-16');
    expect(r.payer.name).toBe('INSURANCE COMPANY OF TIMBUCKTU');
    expect(r.payer.refs['2U']).toBe('999');
    expect(r.payee).toMatchObject({ name: 'REGIONAL HOPE HOSPITAL', idQualifier: 'XX', id: '6543210903' });
    expect(r.claims).toHaveLength(2);
    const [a, b] = r.claims;
    expect(a).toMatchObject({ patientControlNumber: '666123', status: '1', chargeCents: 21_136_697n, paidCents: 13_801_840n, patientResponsibilityCents: null, filingIndicator: 'MA', payerClaimNumber: '1999999444444', facilityType: '11', frequency: '1', statementFrom: '2002-08-16', statementTo: '2002-08-24' });
    expect(a!.adjustments).toEqual([{ group: 'CO', reason: '45', amountCents: 7_334_857n, quantity: null, segmentIndex: 16 }]);
    expect(a!.patient).toEqual({ lastName: 'JONES', firstName: 'SAM', middleName: 'O', idQualifier: 'HN', id: '666666666A' });
    expect(a!.inpatient?.[3]).toBe('138018.4');
    expect(b!.outpatient).toEqual(['', '', 'MA02']);
    expect(b!.remarkCodes).toEqual(['MA02']);
    expect(r.providerAdjustments).toEqual([{ providerId: '6543210903', fiscalPeriodDate: '2002-12-31', reasonCode: 'CV', reference: 'CP', amountCents: -127n, segmentIndex: 29 }]);
  });

  it('reads service lines: composite with another separator, REF*6R, DTM*472, line CAS with all triplets', () => {
    const text = ST + PARTIES +
      'LX*1~CLP*PCN-1*1*100*80*15*12*PAYER-CN-1~NM1*QC*1*DOE*JANE****MI*M001~NM1*IL*1*DOE*JOHN****MI*M000~' +
      'SVC*HC>99213>25>59*100*80**1**2~DTM*472*20240215~CAS*CO*45*2*1*253*3**97*0~CAS*PR*3*15~REF*6R*L-1~LQ*HE*N130~AMT*B6*98~SE*18*0001~';
    const r = readRemittance(segmentsOf(text), { interchange: '1', group: '1', version: '005010X221A1' });
    const line = r.claims[0]!.lines[0]!;
    expect(line.procedure).toEqual({ qualifier: 'HC', code: '99213', modifiers: ['25', '59'] });
    expect(line.chargeCents).toBe(10_000n);
    expect(line.paidCents).toBe(8_000n);
    expect(line.units).toBe('1');
    expect(line.submittedUnits).toBe('2');
    expect(line.serviceDate).toBe('2024-02-15');
    expect(line.lineControlNumber).toBe('L-1');
    expect(line.remarkCodes).toEqual(['N130']);
    expect(line.amounts).toEqual([{ qualifier: 'B6', amountCents: 9_800n }]);
    expect(line.adjustments.map((a) => [a.group, a.reason, a.amountCents, a.quantity])).toEqual([
      ['CO', '45', 200n, '1'], ['CO', '253', 300n, null], ['CO', '97', 0n, null], ['PR', '3', 1_500n, null],
    ]);
    expect(r.claims[0]!.insured?.id).toBe('M000');
    expect(r.claims[0]!.patientResponsibilityCents).toBe(1_500n);
  });

  it('rejects a 5010-dropped CR group with the segment and element', () => {
    const text = ST + PARTIES + 'LX*1~CLP*PCN-1*1*100*80~CAS*CR*45*20~SE*8*0001~';
    const e = thrown(() => readRemittance(segmentsOf(text), { interchange: '1', group: '1', version: 'v', file: 'f.835' }));
    expect(e.code).toBe('REMIT_ADJUSTMENT_GROUP_INVALID');
    expect(e.location).toMatchObject({ file: 'f.835', set: '0001', segmentTag: 'CAS', segmentIndex: 8, element: 1, claim: 'PCN-1', segmentPosition: 9, loop: '2100' });
    expect(e.found).toBe('CR');
  });

  it('names the loop of a failing segment (the 999 IK303): header none, 1000A/B, 2110, summary none', () => {
    const loopOf = (text: string): string | undefined => thrown(() => readRemittance(segmentsOf(text), { interchange: '1', group: '1', version: 'v' })).location.loop;
    expect(loopOf(ST + PARTIES + 'LX*1~CLP*PCN-1*1*100*80~SVC*HC:99213*100*80~CAS*CR*45*20~SE*9*0001~')).toBe('2110');
    expect(loopOf(ST + PARTIES + 'LX*1~CLP*PCN-1*1*100.001*80~SE*7*0001~')).toBe('2100');
    expect(loopOf(ST + PARTIES + 'PLB*1234567893*20241231*L6:X*1.001~SE*7*0001~')).toBeUndefined();
  });

  it('rejects a wrong SE01 with both counts', () => {
    const e = thrown(() => readRemittance(segmentsOf(ST + PARTIES + 'SE*9*0001~'), { interchange: '1', group: '1', version: 'v' }));
    expect(e.code).toBe('REMIT_SE_COUNT');
    expect(e.expected).toBe('7');
    expect(e.found).toBe('9');
  });

  it('rejects a third decimal, a missing BPR16 and a missing SE', () => {
    const money = thrown(() => readRemittance(segmentsOf(ST + PARTIES + 'LX*1~CLP*P*1*100.001*80~SE*7*0001~'), { interchange: '1', group: '1', version: 'v' }));
    expect(money.code).toBe('MONEY_PRECISION');
    expect(money.location).toMatchObject({ segmentTag: 'CLP', element: 3 });
    const noDate = thrown(() => readRemittance(segmentsOf('ST*835*1~BPR*I*1*C*CHK~TRN*1*T*1~SE*4*1~'), { interchange: '1', group: '1', version: 'v' }));
    expect(noDate.code).toBe('REMIT_ELEMENT_MISSING');
    expect(noDate.location).toMatchObject({ segmentTag: 'BPR', element: 16 });
    const noSe = thrown(() => readRemittance(segmentsOf(ST + PARTIES), { interchange: '1', group: '1', version: 'v' }));
    expect(noSe.code).toBe('REMIT_SE_MISSING');
  });

  it('splits composites on ISA16 or on the sender\'s own separator', () => {
    expect(splitComposite('HC:99213:25', ':')).toEqual(['HC', '99213', '25']);
    expect(splitComposite('HC>55669', ':')).toEqual(['HC', '55669']);
    expect(splitComposite('WO', ':')).toEqual(['WO']);
  });
});
