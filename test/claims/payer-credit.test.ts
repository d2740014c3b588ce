// The payer-credit rule (src/claims/payer-credit.ts) and the credit-balances arithmetic, with no database:
// figures by hand.
import { describe, expect, it } from 'vitest';
import { creditStep, NO_CREDIT_STATE, pairKey, recoupmentLines, settle, type CreditState } from '../../src/claims/payer-credit.ts';
import { creditBalances } from '../../src/remittances/credit-balances.ts';
import type { Entry } from '../../src/ledger/types.ts';

const state = (s: Partial<CreditState>): CreditState => ({ ...NO_CREDIT_STATE, ...s });

describe('settle', () => {
  it('moves a receivable below zero to the payer credit as far as the payer\'s money reaches, the rest without a charge', () => {
    // Paid 80.00 with CO 20.00, then voided: receivable -100.00.
    expect(settle(state({ receivableCents: -10000n, clearingCents: 8000n }))).toEqual({ toCreditCents: 8000n, toBeyondCents: 2000n });
    // Overpaid by 15.00 of money: all of it owed back.
    expect(settle(state({ receivableCents: -1500n, clearingCents: 11500n }), 11500n)).toEqual({ toCreditCents: 1500n, toBeyondCents: 0n });
    // A duplicate payment (80.00 + CO 20.00 again): only what it just paid is owed.
    expect(settle(state({ receivableCents: -10000n, clearingCents: 16000n }), 8000n)).toEqual({ toCreditCents: 8000n, toBeyondCents: 2000n });
    // Money already owed or refunded is not counted twice.
    expect(settle(state({ receivableCents: -10000n, clearingCents: 16000n, owedCents: 8000n }))).toEqual({ toCreditCents: 8000n, toBeyondCents: 2000n });
    expect(settle(state({ receivableCents: -10000n, clearingCents: 8000n, refundedCents: 8000n }))).toEqual({ toCreditCents: 0n, toBeyondCents: 10000n });
  });

  it('brings a credit back when the receivable reopens (the credit first), and leaves a settled claim alone', () => {
    expect(settle(state({ receivableCents: 10000n, owedCents: 8000n, beyondChargeCents: 2000n }))).toEqual({ toCreditCents: -8000n, toBeyondCents: -2000n });
    expect(settle(state({ receivableCents: 5000n, owedCents: 8000n, beyondChargeCents: 2000n }))).toEqual({ toCreditCents: -5000n, toBeyondCents: 0n });
    expect(settle(state({ receivableCents: 10000n }))).toEqual({ toCreditCents: 0n, toBeyondCents: 0n });
    expect(settle(state({ owedCents: 8000n }))).toEqual({ toCreditCents: 0n, toBeyondCents: 0n });
  });
});

describe('creditStep and recoupmentLines', () => {
  const payment: Entry = { key: 'r:claim:0', reason: 'remit.claim', effectiveDate: '2024-03-15', lines: [
    { account: { kind: 'payer_clearing', payerId: 'MEDB' }, amountCents: 12000n, claimId: '7' },
    { account: { kind: 'insurance_receivable', payerId: 'MEDB' }, amountCents: -12000n, claimId: '7' },
  ] };
  const before = new Map([[pairKey('7', 'MEDB'), state({ receivableCents: 10000n })]]);

  it('writes one entry per claim and payer below zero, and the state after it', () => {
    const step = creditStep(before, [payment], { keyOf: (c, p) => `r:credit:${c}:${p}`, effectiveDate: '2024-03-15' });
    expect(step.entries).toEqual([{
      key: 'r:credit:7:MEDB', reason: 'payer_credit.identified', effectiveDate: '2024-03-15', memo: expect.any(String) as string, lines: [
        { account: { kind: 'insurance_receivable', payerId: 'MEDB' }, amountCents: 2000n, reason: 'payer-credit', claimId: '7', serviceLineId: null },
        { account: { kind: 'payer_credit', payerId: 'MEDB' }, amountCents: -2000n, reason: 'payer-credit', claimId: '7', serviceLineId: null },
      ],
    }]);
    expect(step.after.get(pairKey('7', 'MEDB'))).toEqual(state({ receivableCents: 0n, owedCents: 2000n, clearingCents: 12000n }));
    // The caller's map is left as it was.
    expect(before.get(pairKey('7', 'MEDB'))).toEqual(state({ receivableCents: 10000n }));

    // A WO of 30.00 naming the claim: 20.00 of its credit, 10.00 a provider adjustment as before.
    const lines = recoupmentLines(step.after, 'MEDB', '7', 3000n, 'PLB-WO')!;
    expect(lines.map((l) => `${l.account.kind} ${l.amountCents}`)).toEqual(['payer_credit 2000', 'payer_clearing -2000', 'provider_adjustment 1000', 'payer_clearing -1000']);
    expect(step.after.get(pairKey('7', 'MEDB'))!.owedCents).toBe(0n);
    expect(recoupmentLines(step.after, 'MEDB', '7', 3000n, 'PLB-WO')).toBeNull();
    expect(recoupmentLines(step.after, 'MEDB', null, 3000n, 'PLB-WO')).toBeNull();
  });
});

describe('creditBalances', () => {
  const m = (effectiveDate: string, amountCents: bigint, claimId = '7') => ({ practiceId: 'default', payerId: 'MEDB', claimId, effectiveDate, amountCents });

  it('dates a credit from the day it went from nothing owed to owing, with the payer\'s deadline', () => {
    // Owed 80.00 on 03-20, recouped on 04-01, owed again 10.00 on 04-05: identified 04-05.
    const rows = creditBalances([m('2024-03-20', -8000n), m('2024-04-01', 8000n), m('2024-04-05', -1000n), m('2024-03-22', -500n, '8')], () => 60, '2024-04-10');
    expect(rows).toEqual([
      { practice: 'default', payer: 'MEDB', claim: '7', amountCents: 1000n, identifiedOn: '2024-04-05', refundDueBy: '2024-06-04', daysLeft: 55 },
      { practice: 'default', payer: 'MEDB', claim: '8', amountCents: 500n, identifiedOn: '2024-03-22', refundDueBy: '2024-05-21', daysLeft: 41 },
    ]);
    expect(creditBalances([m('2024-03-20', -8000n)], () => null, '2024-04-10')).toEqual([
      { practice: 'default', payer: 'MEDB', claim: '7', amountCents: 8000n, identifiedOn: '2024-03-20', refundDueBy: null, daysLeft: null },
    ]);
    expect(creditBalances([m('2024-03-20', -8000n), m('2024-03-21', 8000n)], () => 60, '2024-04-10')).toEqual([]);
  });
});
