// The trial balance snapshot document (stage ledger-snapshot): every practice's books in one file, each
// account naming its practice, a total per practice beside the office's total.
import { describe, expect, it } from 'vitest';
import { snapshotOf } from '../../src/pipeline/stages/ledger-snapshot.ts';
import type { AccountBalance, TrialBalance } from '../../src/ledger/queries.ts';

function trial(accounts: AccountBalance[]): TrialBalance {
  const practiceTotals = new Map<string, bigint>();
  for (const a of accounts) practiceTotals.set(a.practiceId, (practiceTotals.get(a.practiceId) ?? 0n) + a.balanceCents);
  return { asOf: '2024-03-31', practiceId: null, accounts, totalCents: accounts.reduce((t, a) => t + a.balanceCents, 0n), practiceTotals };
}

const row = (practiceId: string, kind: AccountBalance['kind'], balanceCents: bigint, payerId: string | null = null, patientId: string | null = null): AccountBalance =>
  ({ practiceId, kind, payerId, patientId, balanceCents });

describe('snapshotOf', () => {
  // Riverside: a 100.00 charge to ACME, 70.00 paid and 30.00 CO; Northwind: 50.00 charged, 20.00 of it the patient's.
  // The accounts keep the order they come in; the practices are listed by id whatever that order.
  const tb = trial([
    row('riverside', 'payer_clearing', 7000n, 'ACME'),
    row('riverside', 'insurance_receivable', 0n, 'ACME'),
    row('riverside', 'revenue', -10000n),
    row('riverside', 'contractual_adjustment', 3000n, 'ACME'),
    row('northwind', 'insurance_receivable', 3000n, 'ACME'),
    row('northwind', 'patient_receivable', 2000n, null, 'A1'),
    row('northwind', 'revenue', -5000n),
  ]);

  it('names the practice on every account and totals each practice, zero balances left out by default', () => {
    expect(snapshotOf('2024-03-31', tb, false)).toEqual({
      asOf: '2024-03-31',
      accounts: [
        { practiceId: 'riverside', kind: 'payer_clearing', payerId: 'ACME', patientId: null, balanceCents: 7000 },
        { practiceId: 'riverside', kind: 'revenue', payerId: null, patientId: null, balanceCents: -10000 },
        { practiceId: 'riverside', kind: 'contractual_adjustment', payerId: 'ACME', patientId: null, balanceCents: 3000 },
        { practiceId: 'northwind', kind: 'insurance_receivable', payerId: 'ACME', patientId: null, balanceCents: 3000 },
        { practiceId: 'northwind', kind: 'patient_receivable', payerId: null, patientId: 'A1', balanceCents: 2000 },
        { practiceId: 'northwind', kind: 'revenue', payerId: null, patientId: null, balanceCents: -5000 },
      ],
      practices: [{ practiceId: 'northwind', totalCents: 0 }, { practiceId: 'riverside', totalCents: 0 }],
      totalCents: 0,
    });
  });

  it('lists zero balances when asked; a practice whose books do not balance shows, though the office total is 0', () => {
    expect(snapshotOf('2024-03-31', tb, true).accounts).toHaveLength(7);
    // An entry whose lines crossed practices: each practice is off, the office is not.
    const crossed = trial([row('northwind', 'revenue', -500n), row('riverside', 'payer_clearing', 500n, 'ACME')]);
    expect(snapshotOf('2024-03-31', crossed, false)).toMatchObject({
      practices: [{ practiceId: 'northwind', totalCents: -500 }, { practiceId: 'riverside', totalCents: 500 }],
      totalCents: 0,
    });
  });

  it('an empty ledger: no accounts, no practices', () => {
    expect(snapshotOf('2024-03-31', trial([]), false)).toEqual({ asOf: '2024-03-31', accounts: [], practices: [], totalCents: 0 });
  });
});
