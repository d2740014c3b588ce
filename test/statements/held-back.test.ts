// PR on a claim still with a payer (here the secondary has not answered) is not the patient's yet: a
// credit is not applied to it, and it is not written off as a small balance. Amounts by hand.
import { describe, expect, it } from 'vitest';
import { assessAccount, type AccountSnapshot, type ClaimSnapshot } from '../../src/statements/account.ts';
import { parseStatementSettings } from '../../src/statements/settings.ts';

const settings = parseStatementSettings({});
const asOf = '2025-03-01';

function claim(id: string, prCents: bigint, coverages: ClaimSnapshot['coverages'], events: ClaimSnapshot['events']): ClaimSnapshot {
  return {
    claimId: id, chainIds: [id], patientControlNumber: `PCN-${id}`, voided: false, patientName: 'PAT', provider: 'DR',
    coverages, chargeCents: 10000n, serviceDate: '2025-01-10', lines: [], events, postedTimeouts: [],
    ledger: [{ kind: 'patient_receivable', payerId: null, amountCents: prCents }],
  };
}

function account(claims: ClaimSnapshot[], receivable: bigint, credit: bigint): AccountSnapshot {
  return {
    accountNumber: 'G-HB', practiceId: 'default', guarantor: { name: 'G', address: null }, claims,
    daily: [{ date: '2025-02-01', receivableCents: receivable, creditCents: credit }],
    payments: [], plan: null, statements: [], disputes: [], mailHold: false,
  };
}

// The primary paid on 2025-02-01 and the secondary (sequence 2) has not answered: PR waits for it.
const waiting = claim('1', 10000n, [{ sequence: 1, payerId: 'P1' }, { sequence: 2, payerId: 'P2' }], [{ payerId: 'P1', status: '1', date: '2025-02-01' }]);
// Only a primary, which paid: its PR is the patient's.
const own = (pr: bigint) => claim('2', pr, [{ sequence: 1, payerId: 'P1' }], [{ payerId: 'P1', status: '1', date: '2025-02-01' }]);

describe('held-back PR in the balance actions', () => {
  it('writes off a small patient balance beside PR still with a payer, and only that balance', () => {
    const a = assessAccount(account([waiting, own(300n)], 10300n, 0n), settings, asOf);
    expect(a.claimStates.map((c) => c.state.kind)).toEqual(['waiting_next_payer', 'patient']);
    expect(a.balanceActions).toEqual([{ kind: 'write_off_small_balance', amountCents: 300n }]);
  });

  it('applies a credit only to what the patient owes, not to PR a payer may still pay', () => {
    const a = assessAccount(account([waiting, own(2000n)], 12000n, 5000n), settings, asOf);
    expect(a.balanceActions.filter((x) => x.kind === 'apply_credit')).toEqual([{ kind: 'apply_credit', amountCents: 2000n }]);
  });

  it('says why nothing is due when the whole balance waits on a payer, and how much (the account never contradicts itself)', () => {
    // 100.00 of PR on a claim whose secondary has not answered: balance 100.00, of it 100.00 waiting, nothing due.
    const a = assessAccount(account([waiting], 10000n, 0n), settings, asOf);
    expect([a.receivableCents, a.waitingOnPayersCents]).toEqual([10000n, 10000n]);
    expect(a.decision).toMatchObject({ due: false, rule: 'NO_BALANCE', explanation: 'nothing is due from the patient yet: $100.00 of patient responsibility is on claims still with a payer' });
    // With nothing waiting, the plain sentence.
    const paid = assessAccount(account([own(0n)], 0n, 0n), settings, asOf);
    expect([paid.waitingOnPayersCents, paid.decision.explanation]).toEqual([0n, 'nothing is due from the patient']);
  });
});
