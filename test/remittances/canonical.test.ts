// The exactly-once content hash covers what a remittance says, not how it was written or enveloped:
// re-enveloped or re-formatted copies hash alike; any change to an amount, code or id does not.
import { describe, expect, it } from 'vitest';
import { readRemittance } from '../../src/transactions/remittance-835.ts';
import { canonicalRemittance, normalDecimal } from '../../src/remittances/canonical.ts';
import { remittanceContentSha256 } from '../../src/remittances/handler.ts';
import type { Remittance } from '../../src/domain/remittance.ts';
import { setsOf } from './support/segments.ts';

/** A small 835 written by hand; `v` swaps in the parts a test varies. */
function text(v: { isa13?: string; gs06?: string; st02?: string; produced?: string; paid?: string; charge?: string; units?: string; trace?: string; coAmount?: string } = {}): string {
  const st02 = v.st02 ?? '0001';
  const segs = [
    `ISA*00*          *00*          *ZZ*SYNTHPAYER     *ZZ*SYNTHCLINIC    *240315*1200*^*00501*${v.isa13 ?? '000000001'}*0*P*:`,
    `GS*HP*SYNTHPAYER*SYNTHCLINIC*20240315*1200*${v.gs06 ?? '1'}*X*005010X221A1`,
    `ST*835*${st02}`,
    `BPR*I*${v.paid ?? '75'}*C*ACH*CCP*01*999999999*DA*123456*1999999999**01*999988880*DA*98765*20240315`,
    `TRN*1*${v.trace ?? 'EFT-1'}*1999999999`,
    `DTM*405*${v.produced ?? '20240315'}`,
    'N1*PR*SYNTHETIC HEALTH PLAN',
    'N1*PE*EXAMPLE FAMILY CLINIC*XX*1999999984',
    'LX*1',
    `CLP*PCN-1*1*${v.charge ?? '100'}*${v.paid ?? '75'}**12*PAYERCLAIM1`,
    'NM1*QC*1*SAMPLE*PAT****MI*MBR1',
    `SVC*HC:99213*${v.charge ?? '100'}*${v.paid ?? '75'}**${v.units ?? '1'}`,
    'DTM*472*20240301',
    `CAS*CO*45*${v.coAmount ?? '25'}`,
    'REF*6R*LINE-1',
  ];
  segs.push(`SE*${segs.length - 1}*${st02}`, `GE*1*${v.gs06 ?? '1'}`, `IEA*1*${v.isa13 ?? '000000001'}`);
  return segs.join('~\n') + '~\n';
}

function read(t: string): Remittance {
  const [set] = setsOf(t);
  return readRemittance(set!.segments, { interchange: set!.interchange, group: set!.group, version: set!.version });
}

describe('normalDecimal', () => {
  it('writes one text per number', () => {
    expect(['138018.40', '138018.4', '0138018.400'].map(normalDecimal)).toEqual(['138018.4', '138018.4', '138018.4']);
    expect(['1', '1.0', '01', '-0', '-0.00', '-2.50', '.5'].map(normalDecimal)).toEqual(['1', '1', '1', '0', '0', '-2.5', '0.5']);
    expect(['A1', '', '1.2.3'].map(normalDecimal)).toEqual(['A1', '', '1.2.3']);
  });
});

describe('remittance content hash', () => {
  const original = remittanceContentSha256(read(text()));

  it('is the same for a re-enveloped, re-dated, re-formatted copy', () => {
    const copy = read(text({ isa13: '000000777', gs06: '42', st02: '9001', produced: '20240402', paid: '75.00', charge: '100.0', units: '1.0', coAmount: '25.00' }));
    expect(copy.set).toBe('9001');
    expect(remittanceContentSha256(copy)).toBe(original);
  });

  it('differs when an amount, the trace number or a code changes', () => {
    // Paid 74, CO 26: still balanced, but a different remittance.
    expect(remittanceContentSha256(read(text({ paid: '74', coAmount: '26' })))).not.toBe(original);
    expect(remittanceContentSha256(read(text({ trace: 'EFT-2' })))).not.toBe(original);
    expect(remittanceContentSha256(read(text({ units: '2' })))).not.toBe(original);
  });

  it('leaves out the envelope and file positions, and keeps amounts as cents', () => {
    const canonical = JSON.parse(canonicalRemittance(read(text({ isa13: '000000555', st02: '0555' }))));
    const flat = JSON.stringify(canonical);
    expect(flat).not.toContain('000000555');
    expect(flat).not.toContain('0555');
    expect(flat).not.toContain('segmentIndex');
    expect(canonical.payment).toBe('7500');
    expect(canonical.claims[0].lines[0].adjustments).toEqual([['CO', '45', '2500', null]]);
  });
});
