import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { creditAppliedEntry, nextPayerTimeoutEntry, patientPaymentEntry, refundEntry, smallBalanceEntry } from '../../src/patients/posting-rules.ts';
import { balanceActions } from '../../src/patients/credits.ts';
import type { Entry } from '../../src/ledger/types.ts';

const payment = { accountNumber: 'G-2001', amountCents: 8000n, date: '2025-03-05', method: 'card' as const, reference: 'TX-9', line: 2 };
const byKind = (e: Entry) => e.lines.map((l) => [l.account.kind, l.amountCents]);

describe('patient entries', () => {
  it('a payment up to the balance reduces the receivable; the excess becomes a credit', () => {
    expect(byKind(patientPaymentEntry(payment, 10_000n))).toEqual([['cash', 8000n], ['patient_receivable', -8000n]]);
    expect(byKind(patientPaymentEntry(payment, 5000n))).toEqual([['cash', 8000n], ['patient_receivable', -5000n], ['patient_credit', -3000n]]);
    expect(byKind(patientPaymentEntry(payment, -200n))).toEqual([['cash', 8000n], ['patient_credit', -8000n]]);
    expect(patientPaymentEntry(payment, 0n)).toMatchObject({ key: 'patient-payment:TX-9', reason: 'patient.payment', effectiveDate: '2025-03-05' });
  });

  it('credit, refund, write-off and timeout entries move the right accounts', () => {
    expect(byKind(creditAppliedEntry('G-1', 300n, '2025-03-01'))).toEqual([['patient_credit', 300n], ['patient_receivable', -300n]]);
    expect(byKind(refundEntry('G-1', 300n, '2025-03-01', 'RF-1'))).toEqual([['patient_credit', 300n], ['cash', -300n]]);
    expect(byKind(smallBalanceEntry('G-1', 250n, '2025-03-01'))).toEqual([['small_balance_writeoff', 250n], ['patient_receivable', -250n]]);
    const t = nextPayerTimeoutEntry({ claimId: 'C-1', accountNumber: 'G-1', payerId: 'PAYER-B' }, 4200n, '2025-03-01');
    expect(t.lines.map((l) => [l.account.kind, l.account.payerId ?? null, l.amountCents, l.claimId])).toEqual([
      ['patient_receivable', null, 4200n, 'C-1'],
      ['insurance_receivable', 'PAYER-B', -4200n, 'C-1'],
    ]);
    const undo = nextPayerTimeoutEntry({ claimId: 'C-1', accountNumber: 'G-1', payerId: 'PAYER-B' }, 4200n, '2025-03-09', true);
    expect(undo.lines.map((l) => l.amountCents)).toEqual([-4200n, 4200n]);
    expect(undo.key).not.toBe(t.key);
  });

  it('every entry balances to zero for any amounts (seeded)', () => {
    const cents = fc.bigInt({ min: 1n, max: 10_000_000_00n });
    fc.assert(
      fc.property(cents, fc.bigInt({ min: -1_000_000n, max: 10_000_000_00n }), (amount, receivable) => {
        const entries = [
          patientPaymentEntry({ ...payment, amountCents: amount }, receivable),
          creditAppliedEntry('G-1', amount, '2025-01-01'),
          refundEntry('G-1', amount, '2025-01-01', 'R'),
          smallBalanceEntry('G-1', amount, '2025-01-01'),
          nextPayerTimeoutEntry({ claimId: 'C', accountNumber: 'G', payerId: 'P' }, amount, '2025-01-01', amount % 2n === 0n),
        ];
        for (const e of entries) expect(e.lines.reduce((s, l) => s + l.amountCents, 0n)).toBe(0n);
      }),
      { seed: 7070, numRuns: 300 },
    );
  });
});

describe('balanceActions', () => {
  const rules = { asOf: '2025-05-01', smallBalanceCents: 500n, creditRefundAfterDays: 60 };
  it('applies a credit to a new balance first, then writes off what is small', () => {
    expect(balanceActions({ accountNumber: 'G', receivableCents: 1000n, creditCents: 700n }, rules)).toEqual([
      { kind: 'apply_credit', amountCents: 700n },
      { kind: 'write_off_small_balance', amountCents: 300n },
    ]);
  });
  it('lists a credit for refund on day 60, not day 59', () => {
    expect(balanceActions({ accountNumber: 'G', receivableCents: 0n, creditCents: 900n, creditSince: '2025-03-03' }, rules)).toEqual([]);
    expect(balanceActions({ accountNumber: 'G', receivableCents: 0n, creditCents: 900n, creditSince: '2025-03-02' }, rules)).toEqual([
      { kind: 'refund_due', amountCents: 900n, creditSince: '2025-03-02', days: 60 },
    ]);
  });
  it('leaves a balance at the limit alone', () => {
    expect(balanceActions({ accountNumber: 'G', receivableCents: 500n, creditCents: 0n }, rules)).toEqual([]);
  });
});
