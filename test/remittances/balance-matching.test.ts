import { describe, expect, it } from 'vitest';
import { readRemittance } from '../../src/transactions/remittance-835.ts';
import { balanceRemittance } from '../../src/remittances/balance.ts';
import { matchServiceLines, type SubmittedLine } from '../../src/remittances/matching.ts';
import type { RemittanceServiceLine } from '../../src/domain/remittance.ts';
import { segmentsOf } from './support/segments.ts';
import { remittanceSegments, type GenRemittance } from './support/generate-835.ts';

const read = (g: GenRemittance) => readRemittance(segmentsOf(remittanceSegments(g).join('~') + '~'), { interchange: '1', group: '1', version: '005010X221A1' });
const base = (over: Partial<GenRemittance['claims'][number]> = {}, r: Partial<GenRemittance> = {}): GenRemittance => ({
  set: '0007', trace: 'T',
  claims: [{ pcn: 'A', lines: [{ code: '99213', chargeCents: 10000, adjustments: [{ group: 'CO', reason: '45', cents: 2000 }] }], ...over }],
  ...r,
});

describe('balanceRemittance', () => {
  it('accepts a balanced remittance and totals it', () => {
    const b = balanceRemittance(read(base({}, { plb: [{ code: 'L6', cents: -125 }] })));
    expect(b).toMatchObject({ balanced: true, failures: [], claimPaymentsCents: 8000n, providerAdjustmentsCents: -125n, depositCents: 8125n });
  });

  it('names the line level with its amounts', () => {
    const b = balanceRemittance(read(base({ lines: [{ code: '99213', chargeCents: 10000, paidCents: 7900, adjustments: [{ group: 'CO', reason: '45', cents: 2000 }] }], paidCents: 7900 })));
    expect(b.failures[0]).toMatchObject({ level: 'line', set: '0007', claim: 'A', claimIndex: 0, lineIndex: 0, expectedCents: 8000n, foundCents: 7900n });
    // 10000 - 2000 (line CAS) = 8000 is what CLP04 should be; it says 7900.
    expect(b.failures[1]).toMatchObject({ level: 'claim', expectedCents: 8000n, foundCents: 7900n });
  });

  it('names the claim level when CLP04 disagrees with charge less all CAS', () => {
    const b = balanceRemittance(read(base({ paidCents: 8100 })));
    // BPR02 was generated from the (wrong) CLP04, so only the claim level fails.
    expect(b.failures).toHaveLength(1);
    expect(b.failures[0]).toMatchObject({ level: 'claim', claim: 'A', expectedCents: 8000n, foundCents: 8100n });
  });

  it('names the remittance level: sum CLP04 - PLB vs BPR02, and honours a debit BPR03', () => {
    const b = balanceRemittance(read(base({}, { paymentCents: 7999 })));
    expect(b.failures).toEqual([{ level: 'remittance', set: '0007', segmentIndex: 0, expectedCents: 8000n, foundCents: 7999n, detail: { claimPaymentsCents: 8000n, providerAdjustmentsCents: 0n, depositCents: 7999n } }]);
    // A recoupment bigger than the payments: the payer debits the provider 20.00.
    const debit = read(base({}, { plb: [{ code: 'WO', reference: 'OLD', cents: 10000 }] }));
    expect(debit.creditDebit).toBe('D');
    expect(debit.paymentCents).toBe(2000n);
    expect(balanceRemittance(debit).balanced).toBe(true);
  });
});

function line(code: string, chargeCents: bigint, ref: string | null, date = '2024-03-01', submitted?: string): RemittanceServiceLine {
  return {
    procedure: { qualifier: 'HC', code, modifiers: [] }, submittedProcedure: submitted ? { qualifier: 'HC', code: submitted, modifiers: [] } : null,
    chargeCents, paidCents: 0n, revenueCode: null, units: '1', submittedUnits: null, lineControlNumber: ref, serviceDate: date, serviceDateEnd: null,
    adjustments: [], remarkCodes: [], amounts: [], segmentIndex: 0,
  };
}

describe('matchServiceLines', () => {
  const submitted: SubmittedLine[] = [
    { id: 's1', lineNumber: 1, lineControlNumber: 'CLM1-1', procedureCode: '99214', serviceDate: '2024-03-01', chargeCents: 15000n },
    { id: 's2', lineNumber: 2, lineControlNumber: 'CLM1-2', procedureCode: '81002', serviceDate: '2024-03-01', chargeCents: 5000n },
    { id: 's3', lineNumber: 3, lineControlNumber: null, procedureCode: '36415', serviceDate: '2024-03-01', chargeCents: 2000n },
    { id: 's4', lineNumber: 4, lineControlNumber: null, procedureCode: '36415', serviceDate: '2024-03-01', chargeCents: 2000n },
  ];

  it('matches by REF*6R even when the payer re-coded and re-ordered the lines', () => {
    const m = matchServiceLines([line('81003', 5000n, 'CLM1-2'), line('99213', 15000n, 'CLM1-1')], submitted);
    expect(m).toEqual([{ lineId: 's2', method: 'line_control_number' }, { lineId: 's1', method: 'line_control_number' }]);
  });

  it('falls back to a line number in REF*6R, then to procedure (or SVC06) + date + charge', () => {
    const m = matchServiceLines([line('99999', 1n, '2'), line('99213', 15000n, null, '2024-03-01', '99214')], submitted);
    expect(m).toEqual([{ lineId: 's2', method: 'line_number' }, { lineId: 's1', method: 'procedure_date_charge' }]);
  });

  it('flags two identical candidates as ambiguous and a stranger as none, never guessing by position', () => {
    const m = matchServiceLines([line('36415', 2000n, null), line('97110', 4000n, null)], submitted);
    expect(m).toEqual([{ lineId: null, method: 'ambiguous' }, { lineId: null, method: 'none' }]);
  });
});
