// The 835 reader against the X221A1 loop structure (pyx12's 835.5010.X221.A1 map, LinuxForHealth's 835
// models): every situational segment of the header, 1000A/B, 2000, 2100 and 2110 loops in one synthetic
// remittance, each value checked where it must land (and not where it must not). docs/decisions/0054.
import { describe, expect, it } from 'vitest';
import { readRemittance } from '../../src/transactions/remittance-835.ts';
import { balanceRemittance } from '../../src/remittances/balance.ts';
import { segmentsOf } from '../remittances/support/segments.ts';
import { thrown } from '../support/thrown.ts';

const env = { interchange: '000000001', group: '1', version: '005010X221A1', file: 'conformance.835' };

/** Segments without ST/SE; the helper adds them with the right SE01. */
function set(body: string[], control = '0001'): string {
  return [`ST*835*${control}`, ...body, `SE*${body.length + 2}*${control}`].join('~') + '~';
}

/** A BPR with BPR16 in its place: BPR05-15 empty. */
const bpr = (handling: string, amount: string, creditDebit: string, method: string): string => ['BPR', handling, amount, creditDebit, method, ...Array<string>(11).fill(''), '20240301'].join('*');

const HEADER = [
  'BPR*I*895.00*C*ACH*CCP*01*999999999*DA*123456*1512345678**01*999988880*DA*98765*20240301',
  'TRN*1*EFT-CONF-1*1512345678', 'CUR*PR*USD', 'REF*EV*RECEIVER01', 'REF*F2*VERSION7', 'DTM*405*20240302',
  'N1*PR*SYNTHETIC HEALTH PLAN', 'N3*1 PAYER WAY', 'N4*SPRINGFIELD*IL*62701', 'REF*2U*SHP01', 'REF*NF*NAIC01',
  'PER*CX*CLAIMS DESK*TE*5555550100', 'PER*BL*EDI DESK*TE*5555550101*EM*EDI@EXAMPLE.INVALID', 'PER*IC**UR*WWW.EXAMPLE.INVALID',
  'N1*PE*EXAMPLE CLINIC*XX*1999999984', 'N3*2 CLINIC ROAD', 'N4*SPRINGFIELD*IL*62701', 'REF*TJ*999999999', 'RDM*BM*BILLING',
];

// Claim A (LX 1, professional): claim-level CAS only (no service lines), every 2100 NM1, MIA with MIA24 an amount.
const CLAIM_A = [
  'LX*1', 'TS3*1999999984*11*20241231*2*500', 'TS2*100',
  'CLP*PCN-A*19*500*300*100*12*PAYERCN-A*11*1',
  'CAS*CO*45*50*1*253*10', 'CAS*PR*1*100', 'CAS*OA*23*0', 'CAS*PI*94*40',
  'NM1*QC*1*SAMPLE*PAT****MI*M-001', 'NM1*IL*1*SAMPLE*SUB****MI*M-000', 'NM1*74*1*SAMPLER*PAT****C*M-001X',
  'NM1*82*1*DOCTOR*ANNE****XX*1999999992', 'NM1*TT*2*NEXT PLAN*****PI*NEXT01', 'NM1*PR*2*RIGHT PLAN*****PI*RIGHT01',
  'NM1*GB*1*OTHER*SUB****MI*O-001',
  ['MIA', '0', '', '', '12.5', 'MA01', ...Array<string>(14).fill(''), 'MA02', 'MA03', 'MA04', 'N1', '77.25'].join('*'),
  'REF*1L*GROUP-1', 'REF*EA*MRN-1', 'DTM*232*20240201', 'DTM*233*20240203', 'DTM*050*20240210',
  'PER*CX*PROVIDER SVC*TE*5555550102', 'AMT*AU*450', 'AMT*I*1.25', 'QTY*CA*3',
];

// Claim B (LX 2, institutional): revenue-code line, a re-coded HCPCS line with a service period, line AMT/QTY/LQ/REF.
const CLAIM_B = [
  'LX*2', 'TS3*1999999984*13*20241231*1*900',
  'CLP*PCN-B*1*900*790**MA*PAYERCN-B*13*1',
  'NM1*QC*1*SAMPLE*KID****MI*M-002', 'MOA***MA130*MA01', 'DTM*232*20240205', 'DTM*233*20240209',
  'SVC*NU:0450*400*350*0450*1', 'DTM*150*20240205', 'DTM*151*20240206', 'CAS*CO*45*50', 'REF*6R*B-1', 'REF*LU*OUTPT', 'AMT*B6*350', 'QTY*ZK*1',
  'SVC*HC:99285:25*500*440*0450*2*HC:99284*3', 'DTM*472*20240207', 'CAS*CO*45*40*1*253*20', 'REF*6R*B-2', 'REF*0K*POLICY-9', 'AMT*B6*460', 'LQ*HE*N19', 'LQ*RX*70',
];

// Claim C: a reversal (CLP02 22) with negated amounts and a zero-pay denial, both in LX 3.
const CLAIM_C = [
  'LX*3',
  'CLP*PCN-C*22*-200*-150*-20*12*PAYERCN-C', 'CAS*CO*45*-30', 'CAS*PR*3*-20', 'NM1*QC*1*SAMPLE*OLD****MI*M-003',
  'CLP*PCN-D*4*75*0**12*PAYERCN-D', 'CAS*CO*50*75', 'NM1*QC*1*SAMPLE*NEW****MI*M-004',
];

// PLB: six pairs in one segment and a second PLB (repetition), every sign the guide uses.
const PLB = [
  'PLB*1999999984*20241231*WO:PCN-OLD*25*72:PCN-X*10*FB:FWD-1*-40*L6*-5*CS:ADJ1*15*IR*5',
  'PLB*1999999984*20241231*FB:FWD-2*35',
];

describe('835 reader against the X221A1 loops', () => {
  const r = readRemittance(segmentsOf(set([...HEADER, ...CLAIM_A, ...CLAIM_B, ...CLAIM_C, ...PLB])), env);

  it('reads the header and 1000A/1000B without letting N3/N4/PER/RDM or header REFs land on a party', () => {
    expect(r).toMatchObject({ transactionHandling: 'I', paymentCents: 89_500n, creditDebit: 'C', paymentMethod: 'ACH', paymentDate: '2024-03-01', traceNumber: 'EFT-CONF-1', traceOriginator: '1512345678', productionDate: '2024-03-02' });
    expect(r.payer).toEqual({ name: 'SYNTHETIC HEALTH PLAN', idQualifier: '', id: '', refs: { '2U': 'SHP01', NF: 'NAIC01' } });
    expect(r.payee).toEqual({ name: 'EXAMPLE CLINIC', idQualifier: 'XX', id: '1999999984', refs: { TJ: '999999999' } });
  });

  it('reads claim-level CAS only, every 2100 NM1 in its own place (TT is the crossover carrier, PR the corrected priority payer)', () => {
    const a = r.claims[0]!;
    expect(a).toMatchObject({ patientControlNumber: 'PCN-A', status: '19', chargeCents: 50_000n, paidCents: 30_000n, patientResponsibilityCents: 10_000n, statementFrom: '2024-02-01', statementTo: '2024-02-03' });
    expect(a.lines).toEqual([]);
    expect(a.adjustments.map((x) => `${x.group}-${x.reason}:${x.amountCents}`)).toEqual(['CO-45:5000', 'CO-253:1000', 'PR-1:10000', 'OA-23:0', 'PI-94:4000']);
    expect(a.patient?.id).toBe('M-001');
    expect(a.insured?.id).toBe('M-000');
    expect(a.crossoverCarrier).toEqual({ lastName: 'NEXT PLAN', firstName: '', middleName: '', idQualifier: 'PI', id: 'NEXT01' });
    expect(a.correctedPriorityPayer).toEqual({ lastName: 'RIGHT PLAN', firstName: '', middleName: '', idQualifier: 'PI', id: 'RIGHT01' });
    // MIA05 and MIA20-23 are remark codes; MIA24 (77.25) is the PPS-capital exception amount.
    expect(a.remarkCodes).toEqual(['MA01', 'MA02', 'MA03', 'MA04', 'N1']);
    expect(a.inpatient?.[23]).toBe('77.25');
    expect(a.amounts).toEqual([{ qualifier: 'AU', amountCents: 45_000n }, { qualifier: 'I', amountCents: 125n }]);
  });

  it('reads 2110 lines: revenue-code composite, a re-coded line, DTM*150/151 as a period, line REF/AMT/LQ in place', () => {
    const b = r.claims[1]!;
    expect(b.remarkCodes).toEqual(['MA130', 'MA01']);
    expect(b.adjustments).toEqual([]);
    const [l1, l2] = b.lines;
    expect(l1).toMatchObject({ procedure: { qualifier: 'NU', code: '0450', modifiers: [] }, revenueCode: '0450', units: '1', chargeCents: 40_000n, paidCents: 35_000n, serviceDate: '2024-02-05', serviceDateEnd: '2024-02-06', lineControlNumber: 'B-1' });
    expect(l1!.amounts).toEqual([{ qualifier: 'B6', amountCents: 35_000n }]);
    expect(l2).toMatchObject({ procedure: { qualifier: 'HC', code: '99285', modifiers: ['25'] }, submittedProcedure: { qualifier: 'HC', code: '99284', modifiers: [] }, units: '2', submittedUnits: '3', serviceDate: '2024-02-07', serviceDateEnd: null, lineControlNumber: 'B-2', remarkCodes: ['N19'] });
    expect(l2!.adjustments.map((x) => x.amountCents)).toEqual([4_000n, 2_000n]);
    // Claim B's statement dates stay on the claim; line DTMs never move to it.
    expect([b.statementFrom, b.statementTo]).toEqual(['2024-02-05', '2024-02-09']);
  });

  it('reads a reversal with negative amounts and a zero-pay denial in the same LX', () => {
    const [c, d] = [r.claims[2]!, r.claims[3]!];
    expect([c.status, c.chargeCents, c.paidCents, c.patientResponsibilityCents]).toEqual(['22', -20_000n, -15_000n, -2_000n]);
    expect(c.adjustments.map((x) => x.amountCents)).toEqual([-3_000n, -2_000n]);
    expect([d.status, d.paidCents, d.adjustments[0]!.amountCents]).toEqual(['4', 0n, 7_500n]);
  });

  it('reads every PLB pair, repeated PLB segments, and the PLB03-2 reference', () => {
    expect(r.providerAdjustments.map((p) => [p.reasonCode, p.reference, p.amountCents])).toEqual([
      ['WO', 'PCN-OLD', 2_500n], ['72', 'PCN-X', 1_000n], ['FB', 'FWD-1', -4_000n], ['L6', '', -500n], ['CS', 'ADJ1', 1_500n], ['IR', '', 500n],
      ['FB', 'FWD-2', 3_500n],
    ]);
  });

  it('balances at all three levels: by hand 300 + 790 - 150 + 0 = 940 paid, PLB 25+10-40-5+15+5+35 = 45, deposit 895', () => {
    const b = balanceRemittance(r);
    expect(b.failures).toEqual([]);
    expect([b.claimPaymentsCents, b.providerAdjustmentsCents]).toEqual([94_000n, 4_500n]);
    expect(b.depositCents).toBe(89_500n);
  });
});

describe('835 reader: BPR variants and structure', () => {
  it('reads BPR01 H (notification only, BPR02 0) and BPR03 D (a debit balances against a negative total)', () => {
    const h = readRemittance(segmentsOf(set([bpr('H', '0', 'C', 'NON'), 'TRN*1*ZERO-1*1512345678', 'N1*PR*P', 'N1*PE*C*XX*1999999984',
      'LX*1', 'CLP*Z-1*4*100*0**12*CN', 'CAS*CO*50*100'])), env);
    expect([h.transactionHandling, h.paymentCents, h.paymentMethod]).toEqual(['H', 0n, 'NON']);
    expect(balanceRemittance(h).balanced).toBe(true);
    const d = readRemittance(segmentsOf(set(['BPR*I*30*D*ACH*CCP*01*999999999*DA*1*1512345678**01*999988880*DA*2*20240301', 'TRN*1*DEBIT-1*1512345678',
      'N1*PR*P', 'N1*PE*C*XX*1999999984', 'LX*1', 'CLP*R-1*22*-100*-30**12*CN', 'CAS*CO*45*-70'])), env);
    expect(d.creditDebit).toBe('D');
    expect(balanceRemittance(d)).toMatchObject({ balanced: true, depositCents: -3_000n, claimPaymentsCents: -3_000n });
  });

  it('refuses a claim or line after PLB rather than reading it into the remittance', () => {
    const e = thrown(() => readRemittance(segmentsOf(set([bpr('I', '0', 'C', 'NON'), 'TRN*1*T-1*1', 'N1*PR*P', 'N1*PE*C*XX*1',
      'PLB*1*20241231*L6*-1', 'CLP*LATE*1*1*1**12*CN'])), env));
    expect(e.code).toBe('REMIT_SEGMENT_OUT_OF_PLACE');
    expect(e.location).toMatchObject({ segmentTag: 'CLP' });
  });
});
