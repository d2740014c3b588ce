import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readRemittance } from '../../src/transactions/remittance-835.ts';
import { balanceRemittance } from '../../src/remittances/balance.ts';
import { remittanceEntries, unmatchedChargeCents, type ClaimPostingContext, type RemittancePostingContext } from '../../src/remittances/posting-rules.ts';
import type { Entry } from '../../src/ledger/types.ts';
import type { Remittance } from '../../src/domain/remittance.ts';
import { segmentsOf } from './support/segments.ts';
import { remittanceSegments, totals, type GenRemittance, type GenAdjustment } from './support/generate-835.ts';

function read(spec: GenRemittance): Remittance {
  return readRemittance(segmentsOf(remittanceSegments(spec).join('~') + '~'), { interchange: '000000001', group: '1', version: '005010X221A1' });
}

function ctxFor(r: Remittance, claims: Partial<ClaimPostingContext>[]): RemittancePostingContext {
  return {
    keyPrefix: 'remit:T', payerId: 'P1', referencedClaimIds: new Map([['A-OLD', 'c-old']]), source: { fileSha256: 'ab' },
    claims: r.claims.map((c, i) => ({ claimId: `c-${i}`, patientId: `g-${i}`, nextPayerId: null, coverageRank: 1, lineIds: c.lines.map((_, j) => `l-${i}-${j}`), recordChargeCents: null, originalLines: null, ...claims[i] })),
  };
}

/** Net amount per account name `kind:payer:patient`, zero balances dropped. */
function balances(entries: Entry[]): Record<string, bigint> {
  const out: Record<string, bigint> = {};
  for (const e of entries) for (const l of e.lines) {
    const k = `${l.account.kind}:${l.account.payerId ?? ''}:${l.account.patientId ?? ''}`;
    out[k] = (out[k] ?? 0n) + l.amountCents;
  }
  for (const k of Object.keys(out)) if (out[k] === 0n) delete out[k];
  return out;
}

const PRIMARY_AND_SECONDARY: GenRemittance = {
  set: '0001', trace: 'EFT-1', paymentDate: '20240320',
  claims: [
    { pcn: 'A', lines: [
      { code: '99214', chargeCents: 15000, adjustments: [{ group: 'CO', reason: '45', cents: 3000 }, { group: 'PR', reason: '1', cents: 2000 }] },
      { code: '81002', chargeCents: 5000, adjustments: [{ group: 'PR', reason: '3', cents: 1000 }] },
    ] },
    { pcn: 'B', status: '2', lines: [{ code: '99213', chargeCents: 10000, adjustments: [{ group: 'OA', reason: '23', cents: 7000 }, { group: 'OA', reason: '94', cents: -500 }] }] },
  ],
  plb: [{ code: 'WO', reference: 'A-OLD', cents: 1000 }, { code: 'L6', cents: -250 }],
};

describe('remittanceEntries', () => {
  it('posts payment, CO, PR to the patient, OA (not OA-23 on a secondary) and PLB, to the cent', () => {
    const r = read(PRIMARY_AND_SECONDARY);
    expect(balanceRemittance(r).balanced).toBe(true);
    expect(r.paymentCents).toBe(16750n);
    const { entries, flags } = remittanceEntries(r, ctxFor(r, [{}, { coverageRank: 2 }]));
    for (const e of entries) expect(e.lines.reduce((t, l) => t + l.amountCents, 0n)).toBe(0n);
    expect(entries.every((e) => e.effectiveDate === '2024-03-20')).toBe(true);
    // Written out by hand from the spec above.
    expect(balances(entries)).toEqual({
      'payer_clearing:P1:': 16750n,
      'insurance_receivable:P1:': -23000n,
      'contractual_adjustment:P1:': 3000n,
      'patient_receivable::g-0': 3000n,
      'other_adjustment:P1:': -500n,
      'provider_adjustment:P1:': 1000n,
      'interest_income:P1:': -250n,
    });
    expect(entries.map((e) => e.reason)).toEqual(['remit.claim', 'remit.claim', 'plb.WO', 'plb.L6']);
    const wo = entries[2]!.lines.find((l) => l.account.kind === 'provider_adjustment');
    expect(wo).toMatchObject({ claimId: 'c-old', reason: 'PLB-WO' });
    const co = entries[0]!.lines.find((l) => l.reason === 'CO-45');
    expect(co).toMatchObject({ serviceLineId: 'l-0-0', claimId: 'c-0', amountCents: 3000n });
    expect(flags).toEqual([{ claimIndex: 1, flag: 'prior_payer_not_posted' }]);
  });

  it('moves PR to the next coverage, and to the next-payer-unknown receivable when forwarded (19) with none on file', () => {
    const r = read({ set: '1', trace: 'T', claims: [
      { pcn: 'A', lines: [{ code: '99213', chargeCents: 10000, adjustments: [{ group: 'PR', reason: '2', cents: 2000 }] }] },
      { pcn: 'B', status: '19', lines: [{ code: '99213', chargeCents: 10000, adjustments: [{ group: 'PR', reason: '1', cents: 4000 }] }] },
    ] });
    const { entries, flags } = remittanceEntries(r, ctxFor(r, [{ nextPayerId: 'P2' }, {}]));
    expect(balances(entries)).toEqual({
      'payer_clearing:P1:': 14000n,
      'insurance_receivable:P1:': -20000n,
      'insurance_receivable:P2:': 2000n,
      // Forwarded without a known next coverage: a receivable named for the wait, per remitting payer.
      'insurance_receivable:next-payer-unknown:P1:': 4000n,
    });
    expect(flags).toEqual([{ claimIndex: 1, flag: 'forwarded' }, { claimIndex: 1, flag: 'next_payer_unknown' }]);
    // With a next coverage on file, a forwarded claim's PR goes there and is not flagged.
    const known = remittanceEntries(r, ctxFor(r, [{ nextPayerId: 'P2' }, { nextPayerId: 'P3' }]));
    expect(balances(known.entries)['insurance_receivable:P3:']).toBe(4000n);
    expect(known.flags).toEqual([{ claimIndex: 1, flag: 'forwarded' }]);
  });

  it('reverses by exact negation of the original lines, and posts nothing for 25', () => {
    const original = read({ set: '1', trace: 'T1', claims: [{ pcn: 'A', lines: [{ code: '99213', chargeCents: 10000, adjustments: [{ group: 'CO', reason: '45', cents: 2500 }] }] }] });
    const first = remittanceEntries(original, ctxFor(original, [{}])).entries;
    const reversal = read({ set: '2', trace: 'T2', claims: [
      { pcn: 'A', status: '22', negate: true, lines: [{ code: '99213', chargeCents: 10000, adjustments: [{ group: 'CO', reason: '45', cents: 2500 }] }] },
      { pcn: 'A', status: '1', lines: [{ code: '99213', chargeCents: 10000, adjustments: [{ group: 'CO', reason: '45', cents: 3000 }] }] },
      { pcn: 'Z', status: '25', lines: [{ code: '99213', chargeCents: 10000, adjustments: [{ group: 'CO', reason: '45', cents: 10000 }] }] },
    ] });
    expect(balanceRemittance(reversal).balanced).toBe(true);
    const second = remittanceEntries(reversal, ctxFor(reversal, [{ claimId: 'c-0', originalLines: first[0]!.lines }, { claimId: 'c-0', lineIds: ['l-0-0'] }, {}]));
    expect(second.entries.map((e) => e.reason)).toEqual(['remit.reversal', 'remit.claim']);
    expect(second.entries[0]!.lines).toEqual(first[0]!.lines.map((l) => ({ ...l, amountCents: -l.amountCents })));
    // Reversal + correction nets to the correction alone.
    expect(balances([...first, ...second.entries])).toEqual({ 'payer_clearing:P1:': 7000n, 'insurance_receivable:P1:': -10000n, 'contractual_adjustment:P1:': 3000n });
    expect(second.flags).toContainEqual({ claimIndex: 2, flag: 'predetermination' });
  });

  it('records the charge of an unmatched claim from CLP03, less a prior payer\'s OA-23', () => {
    const r = read({ set: '1', trace: 'T', claims: [{ pcn: 'X', status: '2', lines: [{ code: '99213', chargeCents: 10000, adjustments: [{ group: 'OA', reason: '23', cents: 8000 }] }] }] });
    expect(unmatchedChargeCents(r.claims[0]!)).toBe(2000n);
    const { entries, flags } = remittanceEntries(r, ctxFor(r, [{ claimId: 'prov-1', coverageRank: null, lineIds: [null], recordChargeCents: 2000n }]));
    expect(entries.map((e) => e.reason)).toEqual(['remit.charge_from_remittance', 'remit.claim']);
    expect(balances(entries)).toEqual({ 'payer_clearing:P1:': 2000n, 'revenue::': -2000n });
    expect(flags[0]).toEqual({ claimIndex: 0, flag: 'claim_unmatched' });
  });

  it('property: balanced entries, payer clearing = BPR02, PR = patient receivable, reversal nets to zero', () => {
    const adj = fc.record({ group: fc.constantFrom('CO', 'PR', 'OA', 'PI'), reason: fc.constantFrom('1', '2', '3', '45', '97', '253'), cents: fc.integer({ min: -500, max: 5000 }) }) as fc.Arbitrary<GenAdjustment>;
    const line = fc.record({ code: fc.constantFrom('99213', '99214', '81002'), chargeCents: fc.integer({ min: 0, max: 100000 }), adjustments: fc.array(adj, { maxLength: 4 }) });
    const claim = fc.record({ pcn: fc.stringMatching(/^[A-Z0-9]{1,8}$/), lines: fc.array(line, { minLength: 1, maxLength: 4 }), adjustments: fc.array(adj, { maxLength: 2 }) });
    const spec = fc.record({ claims: fc.array(claim, { minLength: 1, maxLength: 5 }), plb: fc.array(fc.record({ code: fc.constantFrom('WO', 'FB', 'L6', 'CS'), cents: fc.integer({ min: -1000, max: 1000 }) }), { maxLength: 3 }) });
    fc.assert(fc.property(spec, (s) => {
      const g: GenRemittance = { set: '1', trace: 'T', ...s };
      const r = read(g);
      expect(balanceRemittance(r).balanced).toBe(true);
      const expected = totals([g]);
      const { entries } = remittanceEntries(r, ctxFor(r, []));
      for (const e of entries) expect(e.lines.reduce((t, l) => t + l.amountCents, 0n)).toBe(0n);
      const net = (kind: string) => entries.flatMap((e) => e.lines).filter((l) => l.account.kind === kind).reduce((t, l) => t + l.amountCents, 0n);
      expect(net('payer_clearing')).toBe(BigInt(expected.paymentCents));
      expect(net('patient_receivable')).toBe(BigInt(expected.byGroupCents['PR'] ?? 0));
      expect(net('contractual_adjustment')).toBe(BigInt(expected.byGroupCents['CO'] ?? 0));
      expect(net('insurance_receivable')).toBe(-BigInt(expected.chargeCents));
      const reversal = remittanceEntries(
        { ...r, claims: r.claims.map((c) => ({ ...c, status: '22' })), providerAdjustments: [] },
        ctxFor(r, entries.filter((e) => e.reason === 'remit.claim').map((e) => ({ originalLines: e.lines }))),
      ).entries;
      const claimEntries = entries.filter((e) => e.reason === 'remit.claim');
      expect(balances([...claimEntries, ...reversal])).toEqual({});
    }), { seed: 5005, numRuns: 150 });
  });
});
