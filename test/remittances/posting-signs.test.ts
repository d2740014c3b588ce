// Posting signs, case by case, against DOMAIN.md (835): a positive CAS or PLB reduces payment, a negative one
// adds to it; CO to contractual adjustment, PR to the next payer or the patient, OA/PI to other adjustment,
// OA-23 on a secondary not at all; PLB WO/72 tied to their claim, FB/CS/IR to provider adjustment, L6 to
// interest income; 22 the exact negation of the original; 25 nothing. Every expected line is written out by
// hand (ledger sign: debit positive). docs/decisions/0054.
import { describe, expect, it } from 'vitest';
import { remittanceEntries, type ClaimPostingContext } from '../../src/remittances/posting-rules.ts';
import { balanceRemittance } from '../../src/remittances/balance.ts';
import type { Adjustment, ProviderAdjustment, Remittance, RemittanceClaim } from '../../src/domain/remittance.ts';
import type { EntryLine } from '../../src/ledger/types.ts';

type Cas = [group: Adjustment['group'], reason: string, cents: bigint];
type Plb = [code: string, reference: string, cents: bigint];

function claimOf(status: string, chargeCents: bigint, cas: Cas[]): RemittanceClaim {
  const paidCents = chargeCents - cas.reduce((t, [, , c]) => t + c, 0n);
  return {
    patientControlNumber: 'K-1', status, chargeCents, paidCents, patientResponsibilityCents: null, filingIndicator: '12', payerClaimNumber: 'ICN',
    facilityType: null, frequency: null, patient: null, insured: null, crossoverCarrier: null, inpatient: null, outpatient: null,
    remarkCodes: [], amounts: [], statementFrom: null, statementTo: null, lines: [], segmentIndex: 5,
    adjustments: cas.map(([group, reason, amountCents]) => ({ group, reason, amountCents, quantity: null, segmentIndex: 6 })),
  };
}

function remittanceOf(claims: RemittanceClaim[], plb: Plb[]): Remittance {
  const providerAdjustments: ProviderAdjustment[] = plb.map(([reasonCode, reference, amountCents]) => ({ providerId: '1999999984', fiscalPeriodDate: null, reasonCode, reference, amountCents, segmentIndex: 9 }));
  const deposit = claims.reduce((t, c) => t + c.paidCents, 0n) - plb.reduce((t, [, , c]) => t + c, 0n);
  return {
    interchange: '1', group: '1', set: '0001', version: '005010X221A1', transactionHandling: 'I', paymentCents: deposit < 0n ? -deposit : deposit,
    creditDebit: deposit < 0n ? 'D' : 'C', paymentMethod: 'ACH', paymentDate: '2024-03-20', traceNumber: 'T', traceOriginator: '1', productionDate: null,
    payer: { name: 'P', idQualifier: '', id: '', refs: {} }, payee: { name: 'C', idQualifier: 'XX', id: '1999999984', refs: {} },
    claims, providerAdjustments, segmentIndex: 0, endSegmentIndex: 20,
  };
}

const line = (l: EntryLine): string => `${l.account.kind}:${l.account.payerId ?? ''}:${l.account.patientId ?? ''} ${l.amountCents} ${l.reason ?? ''}${l.claimId ? ` @${l.claimId}` : ''}`;

interface Case {
  name: string;
  claims?: { status: string; chargeCents: bigint; cas: Cas[]; ctx?: Partial<ClaimPostingContext> }[];
  plb?: Plb[];
  expected: string[];
}

const ORIGINAL: EntryLine[] = [
  { account: { kind: 'payer_clearing', payerId: 'P1' }, amountCents: 8000n, reason: 'payment', claimId: 'c-1' },
  { account: { kind: 'insurance_receivable', payerId: 'P1' }, amountCents: -8000n, reason: 'payment', claimId: 'c-1' },
  { account: { kind: 'contractual_adjustment', payerId: 'P1' }, amountCents: 2000n, reason: 'CO-45', claimId: 'c-1' },
  { account: { kind: 'insurance_receivable', payerId: 'P1' }, amountCents: -2000n, reason: 'CO-45', claimId: 'c-1' },
];

const CASES: Case[] = [
  { name: 'CO positive: written off, reduces payment', claims: [{ status: '1', chargeCents: 10000n, cas: [['CO', '45', 2000n]] }],
    expected: ['payer_clearing:P1: 8000 payment @c-1', 'insurance_receivable:P1: -8000 payment @c-1', 'contractual_adjustment:P1: 2000 CO-45 @c-1', 'insurance_receivable:P1: -2000 CO-45 @c-1'] },
  { name: 'CO negative: adds to payment, contractual credited', claims: [{ status: '1', chargeCents: 10000n, cas: [['CO', '45', -500n]] }],
    expected: ['payer_clearing:P1: 10500 payment @c-1', 'insurance_receivable:P1: -10500 payment @c-1', 'contractual_adjustment:P1: -500 CO-45 @c-1', 'insurance_receivable:P1: 500 CO-45 @c-1'] },
  { name: 'PR-1 deductible with no next payer: the patient', claims: [{ status: '1', chargeCents: 10000n, cas: [['PR', '1', 3000n]] }],
    expected: ['payer_clearing:P1: 7000 payment @c-1', 'insurance_receivable:P1: -7000 payment @c-1', 'patient_receivable::G-1 3000 PR-1 @c-1', 'insurance_receivable:P1: -3000 PR-1 @c-1'] },
  { name: 'PR-2 coinsurance with a secondary on file: the secondary, not the patient', claims: [{ status: '1', chargeCents: 10000n, cas: [['PR', '2', 2000n]], ctx: { nextPayerId: 'P2' } }],
    expected: ['payer_clearing:P1: 8000 payment @c-1', 'insurance_receivable:P1: -8000 payment @c-1', 'insurance_receivable:P2: 2000 PR-2 @c-1', 'insurance_receivable:P1: -2000 PR-2 @c-1'] },
  { name: 'PR-3 copay on a claim forwarded (19) with no next payer on file: the next-payer-unknown receivable', claims: [{ status: '19', chargeCents: 10000n, cas: [['PR', '3', 1500n]] }],
    expected: ['payer_clearing:P1: 8500 payment @c-1', 'insurance_receivable:P1: -8500 payment @c-1', 'insurance_receivable:next-payer-unknown:P1: 1500 PR-3 @c-1', 'insurance_receivable:P1: -1500 PR-3 @c-1'] },
  { name: 'OA-23 on a secondary is not posted again; OA-94 and PI-94 go to other adjustment', claims: [{ status: '2', chargeCents: 10000n, cas: [['OA', '23', 6000n], ['OA', '94', 500n], ['PI', '94', 1000n]], ctx: { coverageRank: 2 } }],
    expected: ['payer_clearing:P1: 2500 payment @c-1', 'insurance_receivable:P1: -2500 payment @c-1', 'other_adjustment:P1: 500 OA-94 @c-1', 'insurance_receivable:P1: -500 OA-94 @c-1', 'other_adjustment:P1: 1000 PI-94 @c-1', 'insurance_receivable:P1: -1000 PI-94 @c-1'] },
  { name: 'denied (4) with CO-50: zero pay, the whole charge written off', claims: [{ status: '4', chargeCents: 7500n, cas: [['CO', '50', 7500n]] }],
    expected: ['contractual_adjustment:P1: 7500 CO-50 @c-1', 'insurance_receivable:P1: -7500 CO-50 @c-1'] },
  { name: 'reversal (22) with its original found: the exact negation of the original lines', claims: [{ status: '22', chargeCents: -10000n, cas: [['CO', '45', -2000n]], ctx: { originalLines: ORIGINAL } }],
    expected: ['payer_clearing:P1: -8000 payment @c-1', 'insurance_receivable:P1: 8000 payment @c-1', 'contractual_adjustment:P1: -2000 CO-45 @c-1', 'insurance_receivable:P1: 2000 CO-45 @c-1'] },
  { name: 'predetermination (25): nothing', claims: [{ status: '25', chargeCents: 10000n, cas: [['CO', '45', 10000n]] }], expected: [] },
  { name: 'PLB WO positive: overpayment recovered, tied to the claim PLB03-2 names, reduces the deposit', plb: [['WO', 'K-OLD', 2500n]],
    expected: ['provider_adjustment:P1: 2500 PLB-WO @c-old', 'payer_clearing:P1: -2500 PLB-WO @c-old'] },
  { name: 'PLB WO negative: recovery deferred, adds to the deposit', plb: [['WO', 'K-OLD', -2500n]],
    expected: ['provider_adjustment:P1: -2500 PLB-WO @c-old', 'payer_clearing:P1: 2500 PLB-WO @c-old'] },
  { name: 'PLB 72 authorised return: tied to its claim', plb: [['72', 'K-OLD', 1000n]],
    expected: ['provider_adjustment:P1: 1000 PLB-72 @c-old', 'payer_clearing:P1: -1000 PLB-72 @c-old'] },
  { name: 'PLB FB negative: balance carried forward adds to this deposit; FB positive applied back reduces it', plb: [['FB', 'FWD-1', -4000n], ['FB', 'FWD-2', 3500n]],
    expected: ['provider_adjustment:P1: -4000 PLB-FB', 'payer_clearing:P1: 4000 PLB-FB', 'provider_adjustment:P1: 3500 PLB-FB', 'payer_clearing:P1: -3500 PLB-FB'] },
  { name: 'PLB L6 negative: interest increases the deposit and is income', plb: [['L6', '', -500n]],
    expected: ['interest_income:P1: -500 PLB-L6', 'payer_clearing:P1: 500 PLB-L6'] },
  { name: 'PLB CS and IR: provider adjustment, untied even when PLB03-2 is a claim number', plb: [['CS', 'K-OLD', 1500n], ['IR', '', 500n]],
    expected: ['provider_adjustment:P1: 1500 PLB-CS', 'payer_clearing:P1: -1500 PLB-CS', 'provider_adjustment:P1: 500 PLB-IR', 'payer_clearing:P1: -500 PLB-IR'] },
];

describe('posting signs, case by case', () => {
  for (const c of CASES) {
    it(c.name, () => {
      const claims = (c.claims ?? []).map((x) => claimOf(x.status, x.chargeCents, x.cas));
      const r = remittanceOf(claims, c.plb ?? []);
      expect(balanceRemittance(r).balanced).toBe(true);
      const { entries } = remittanceEntries(r, {
        keyPrefix: 'remit:S', payerId: 'P1', referencedClaimIds: new Map([['K-OLD', 'c-old']]), source: { fileSha256: 'ab' },
        claims: (c.claims ?? []).map((x) => ({ claimId: 'c-1', patientId: 'G-1', nextPayerId: null, coverageRank: 1, lineIds: [], recordChargeCents: null, originalLines: null, ...x.ctx })),
      });
      expect(entries.flatMap((e) => e.lines).map(line)).toEqual(c.expected);
      // Payer clearing always ends at the deposit, BPR02 signed by BPR03.
      const clearing = entries.flatMap((e) => e.lines).filter((l) => l.account.kind === 'payer_clearing').reduce((t, l) => t + l.amountCents, 0n);
      expect(clearing).toBe(r.creditDebit === 'D' ? -r.paymentCents : r.paymentCents);
    });
  }
});
