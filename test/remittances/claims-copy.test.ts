// COPY rows for remittance_claims: column order, NULLs, escaping and the text[] of flags, written out by hand.
import { describe, expect, it } from 'vitest';
import { remittanceClaimCopyChunks, type RemittanceClaimRow } from '../../src/remittances/claims-copy.ts';

const row = (over: Partial<RemittanceClaimRow> = {}): RemittanceClaimRow => ({
  claimIndex: 0, patientControlNumber: 'PCN-1', payerClaimNumber: 'ICN9', status: '1', chargeCents: 12000n, paidCents: -7500n,
  patientResponsibilityCents: null, claimId: '42', provisionalPatientId: null, ledgerClaimId: '42', payerId: 'PAYER-A',
  entryKey: 'remit:k:claim:0', reversesEntryKey: null, flags: [], linesMatched: 2, linesUnmatched: 1, segmentIndex: 17, ...over,
});

describe('remittanceClaimCopyChunks', () => {
  it('writes one tab-separated row per claim in the COPY column order, \\N for nulls and {} for no flags', () => {
    expect([...remittanceClaimCopyChunks('7', [row()])]).toEqual([
      '7\t0\tPCN-1\tICN9\t1\t12000\t-7500\t\\N\t42\t\\N\t42\tPAYER-A\tremit:k:claim:0\t\\N\t{}\t2\t1\t17\n',
    ]);
  });

  it('escapes backslash and tab in text fields and writes flags as an array literal', () => {
    const text = [...remittanceClaimCopyChunks('8', [row({ patientControlNumber: 'A\\B\tC', claimId: null, provisionalPatientId: '3', flags: ['claim_unmatched', 'charge_recorded'], patientResponsibilityCents: 900n })])].join('');
    expect(text).toBe('8\t0\tA\\\\B\\tC\tICN9\t1\t12000\t-7500\t900\t\\N\t3\t42\tPAYER-A\tremit:k:claim:0\t\\N\t{claim_unmatched,charge_recorded}\t2\t1\t17\n');
  });

  it('refuses a flag that would need quoting rather than write a broken array', () => {
    expect(() => [...remittanceClaimCopyChunks('1', [row({ flags: ['a,b'] })])]).toThrow(/not a plain identifier/);
  });

  it('splits into chunks at the size asked for without splitting a row', () => {
    const rows = Array.from({ length: 5 }, (_, i) => row({ claimIndex: i }));
    const chunks = [...remittanceClaimCopyChunks('1', rows, 100)];
    const oneRow = [...remittanceClaimCopyChunks('1', [row()])][0]!.length;
    expect(oneRow).toBeGreaterThan(50);
    expect(chunks.length).toBe(3); // two rows pass 100 characters, so rows go 2 + 2 + 1
    expect(chunks.join('').split('\n').filter((l) => l !== '').map((l) => l.split('\t')[1])).toEqual(['0', '1', '2', '3', '4']);
  });
});
