// Protected patients in the posting rules (docs/decisions/0100): figures written out by hand.
import { describe, expect, it } from 'vitest';
import { readRemittance } from '../../src/transactions/remittance-835.ts';
import { remittanceEntries, type ClaimPostingContext, type PatientProtection, type RemittancePostingContext } from '../../src/remittances/posting-rules.ts';
import { claimProtection, qmbSignal } from '../../src/remittances/protection.ts';
import { payerRules, type PayerRules } from '../../src/domain/payer-profile.ts';
import type { Entry } from '../../src/ledger/types.ts';
import type { Remittance } from '../../src/domain/remittance.ts';
import { segmentsOf } from './support/segments.ts';
import { remittanceSegments, type GenRemittance } from './support/generate-835.ts';

function read(spec: GenRemittance): Remittance {
  return readRemittance(segmentsOf(remittanceSegments(spec).join('~') + '~'), { interchange: '000000001', group: '1', version: '005010X221A1' });
}

function ctxFor(r: Remittance, claims: Partial<ClaimPostingContext>[]): RemittancePostingContext {
  return {
    keyPrefix: 'remit:T', payerId: 'P1', referencedClaimIds: new Map(), source: { fileSha256: 'ab' },
    claims: r.claims.map((c, i) => ({ claimId: `c-${i}`, patientId: `g-${i}`, nextPayerId: null, coverageRank: 1, lineIds: c.lines.map((_, j) => `l-${i}-${j}`), recordChargeCents: null, originalLines: null, ...claims[i] })),
  };
}

/** Net per `kind:payer:patient:reason`, zero dropped. */
function byReason(entries: Entry[]): Record<string, bigint> {
  const out: Record<string, bigint> = {};
  for (const e of entries) for (const l of e.lines) {
    if (l.account.kind === 'insurance_receivable' || l.account.kind === 'payer_clearing') continue;
    const k = `${l.account.kind}:${l.account.payerId ?? ''}:${l.account.patientId ?? ''}:${l.reason}`;
    out[k] = (out[k] ?? 0n) + l.amountCents;
  }
  for (const k of Object.keys(out)) if (out[k] === 0n) delete out[k];
  return out;
}

// One claim, two lines: PR-1 20.00, PR-3 3.00 and PR-2 5.00 on line 1; PR-3 4.00 on line 2; CO-45 10.00.
const CLAIM: GenRemittance = {
  set: '1', trace: 'T', claims: [{ pcn: 'A', lines: [
    { code: '99214', chargeCents: 15000, adjustments: [{ group: 'CO', reason: '45', cents: 1000 }, { group: 'PR', reason: '1', cents: 2000 }, { group: 'PR', reason: '3', cents: 300 }, { group: 'PR', reason: '2', cents: 500 }] },
    { code: '81002', chargeCents: 5000, adjustments: [{ group: 'PR', reason: '3', cents: 400 }] },
  ] }],
};

describe('protected patients in the posting rules', () => {
  it('Medicaid: only PR-3 up to the cap per claim (5.00 of 7.00) reaches the patient; the rest goes to protected_adjustment with its reason', () => {
    const r = read(CLAIM);
    const protection: PatientProtection = { kind: 'medicaid', copayMaxCents: 500n };
    const { entries } = remittanceEntries(r, ctxFor(r, [{ protection }]));
    for (const e of entries) expect(e.lines.reduce((t, l) => t + l.amountCents, 0n)).toBe(0n);
    expect(byReason(entries)).toEqual({
      'contractual_adjustment:P1::CO-45': 1000n,
      'protected_adjustment:P1::PR-1': 2000n,
      // Line 1's PR-3 3.00 fits the cap; line 2's PR-3 4.00 only 2.00 of it (the cap is per claim).
      'patient_receivable::g-0:PR-3': 500n,
      'protected_adjustment:P1::PR-3': 200n,
      'protected_adjustment:P1::PR-2': 500n,
    });
  });

  it('QMB: none of the PR reaches the patient (all 32.00 to protected_adjustment)', () => {
    const r = read(CLAIM);
    const { entries } = remittanceEntries(r, ctxFor(r, [{ protection: { kind: 'qmb', copayMaxCents: 0n } }]));
    const got = byReason(entries);
    expect(Object.keys(got).some((k) => k.startsWith('patient_receivable'))).toBe(false);
    expect(got).toEqual({ 'contractual_adjustment:P1::CO-45': 1000n, 'protected_adjustment:P1::PR-1': 2000n, 'protected_adjustment:P1::PR-3': 700n, 'protected_adjustment:P1::PR-2': 500n });
  });

  it('a protected patient\'s PR moving on to a next payer (Medicaid after Medicare) stays a receivable of that payer', () => {
    const r = read(CLAIM);
    const { entries } = remittanceEntries(r, ctxFor(r, [{ nextPayerId: 'MCD', protection: { kind: 'qmb', copayMaxCents: 0n } }]));
    // All 32.00 of PR (20.00 + 3.00 + 5.00 + 4.00) waits on Medicaid.
    const receivables = entries.flatMap((e) => e.lines).filter((l) => l.account.kind === 'insurance_receivable' && l.account.payerId === 'MCD');
    expect(receivables.reduce((t, l) => t + l.amountCents, 0n)).toBe(3200n);
    expect(entries.flatMap((e) => e.lines).some((l) => l.account.kind === 'protected_adjustment')).toBe(false);
  });

  it('QMB signals: N781-N783 remarks and CO-303, not OA-209', () => {
    const r = read({ set: '1', trace: 'T', claims: [
      { pcn: 'A', remarks: ['N782'], lines: [{ code: '99213', chargeCents: 100, adjustments: [{ group: 'PR', reason: '2', cents: 100 }] }] },
      { pcn: 'B', lines: [{ code: '99213', chargeCents: 100, adjustments: [{ group: 'CO', reason: '303', cents: 100 }] }] },
      { pcn: 'C', lines: [{ code: '99213', chargeCents: 100, adjustments: [{ group: 'OA', reason: '209', cents: 100 }] }] },
    ] });
    expect(r.claims.map(qmbSignal)).toEqual(['remark', 'carc', null]);
  });

  it('claimProtection: Medicaid (remitting or on the claim) before QMB; a QMB coverage counts on a Medicare payer or one of unknown kind', () => {
    const rules = new Map<string, PayerRules>([
      ['MCR', payerRules('medicare', {})], ['MCD', payerRules('medicaid', { medicaidCopayMax: '3.00' })], ['BLUE', payerRules('commercial', {})],
    ]);
    const cache = new Map<string, PatientProtection>();
    const none = new Set<string>();
    expect(claimProtection('MCD', ['MCD', null], rules, none, false, cache)).toEqual({ kind: 'medicaid', copayMaxCents: 300n });
    expect(claimProtection('BLUE', ['BLUE', 'MCD'], rules, none, false, cache)).toEqual({ kind: 'medicaid', copayMaxCents: 300n });
    expect(claimProtection('MCR', ['MCR', null], rules, new Set(['MCR']), false, cache)).toEqual({ kind: 'qmb', copayMaxCents: 0n });
    expect(claimProtection('MCR', ['MCR', null], rules, none, true, cache)).toEqual({ kind: 'qmb', copayMaxCents: 0n });
    expect(claimProtection('X', ['X', null], rules, new Set(['X']), false, cache)).toEqual({ kind: 'qmb', copayMaxCents: 0n });
    // A protection recorded on a commercial coverage is not Medicare cost sharing.
    expect(claimProtection('BLUE', ['BLUE', null], rules, new Set(['BLUE']), false, cache)).toBeNull();
    expect(claimProtection('MCR', ['MCR', 'BLUE'], rules, none, false, cache)).toBeNull();
  });
});
