// Unit tests of the trial-balance renderings used by `claims ledger balances`.
import { describe, expect, it } from 'vitest';
import { trialBalanceJson, trialBalanceTable } from '../../src/cli/commands/ledger.ts';
import type { TrialBalance } from '../../src/ledger/queries.ts';

const tb: TrialBalance = {
  asOf: '2025-03-31',
  practiceId: null,
  totalCents: 0n,
  practiceTotals: new Map([['default', 0n]]),
  accounts: [
    { practiceId: 'default', kind: 'insurance_receivable', payerId: 'ACME', patientId: null, balanceCents: 9_007_199_254_740_993n },
    { practiceId: 'default', kind: 'patient_receivable', payerId: null, patientId: 'G-1', balanceCents: 2000n },
    { practiceId: 'default', kind: 'revenue', payerId: null, patientId: null, balanceCents: -9_007_199_254_742_993n },
  ],
};

describe('trial balance output', () => {
  it('JSON keeps cents exact as integers beyond 2^53', () => {
    const text = trialBalanceJson(tb);
    expect(text).toContain('"balanceCents": 9007199254740993}');
    expect(text).toContain('"balanceCents": -9007199254742993}');
    const parsed = JSON.parse(text) as { asOf: string; accounts: { kind: string; payerId: string | null; patientId: string | null }[]; totalCents: number };
    expect(parsed.asOf).toBe('2025-03-31');
    expect(parsed.totalCents).toBe(0);
    expect(parsed.accounts.map((a) => [a.kind, a.payerId, a.patientId])).toEqual([
      ['insurance_receivable', 'ACME', null], ['patient_receivable', null, 'G-1'], ['revenue', null, null],
    ]);
  });

  it('JSON of an empty ledger is an empty list and a zero total', () => {
    expect(JSON.parse(trialBalanceJson({ asOf: null, practiceId: null, accounts: [], totalCents: 0n, practiceTotals: new Map() })))
      .toEqual({ asOf: null, practiceId: null, accounts: [], practices: [], totalCents: 0 });
  });

  it('the table aligns text left and amounts right, with a total', () => {
    expect(trialBalanceTable(tb)).toBe([
      'Trial balance as of 2025-03-31',
      '',
      'ACCOUNT               PAYER  PATIENT' + ' '.repeat(13) + 'BALANCE',
      '--------------------  -----  -------  ------------------',
      'insurance_receivable  ACME' + ' '.repeat(13) + '90071992547409.93',
      'patient_receivable' + ' '.repeat(11) + 'G-1' + ' '.repeat(19) + '20.00',
      'revenue' + ' '.repeat(31) + '-90071992547429.93',
      '--------------------  -----  -------  ------------------',
      'TOTAL' + ' '.repeat(47) + '0.00',
      '',
    ].join('\n'));
  });

  it('one table per practice, each with its total, then the office', () => {
    const two: TrialBalance = {
      asOf: null, practiceId: null, totalCents: 0n,
      practiceTotals: new Map([['alpha', 0n], ['beta', 0n]]),
      accounts: [
        { practiceId: 'alpha', kind: 'insurance_receivable', payerId: 'ACME', patientId: null, balanceCents: 10000n },
        { practiceId: 'alpha', kind: 'revenue', payerId: null, patientId: null, balanceCents: -10000n },
        { practiceId: 'beta', kind: 'payer_clearing', payerId: 'ACME', patientId: null, balanceCents: 5000n },
        { practiceId: 'beta', kind: 'revenue', payerId: null, patientId: null, balanceCents: -5000n },
      ],
    };
    const text = trialBalanceTable(two);
    expect(text.split('\n').filter((l) => l.startsWith('Trial balance') || l.startsWith('TOTAL') || l.startsWith('All'))).toEqual([
      'Trial balance of practice alpha (all entries)', 'TOTAL' + ' '.repeat(36) + '0.00',
      'Trial balance of practice beta (all entries)', 'TOTAL' + ' '.repeat(30) + '0.00',
      'All practices: 2, total 0.00',
    ]);
    expect(text).toContain('payer_clearing  ACME');
    expect(JSON.parse(trialBalanceJson(two)).practices).toEqual([{ practiceId: 'alpha', totalCents: 0 }, { practiceId: 'beta', totalCents: 0 }]);
  });
});
