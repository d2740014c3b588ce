// A silent later payer leaves its share to the patient only where its rules opt in (docs/decisions/0100).
import { describe, expect, it } from 'vitest';
import { claimState, describeClaimState, timeoutDays, type ClaimCoverage, type RemittanceEvent } from '../../src/statements/claim-state.ts';
import { timelyFilingDeadline } from '../../src/statements/follow-up.ts';
import { payerRules } from '../../src/domain/payer-profile.ts';

const ev = (payerId: string, status: string, date: string): RemittanceEvent => ({ payerId, status, date, order: 0 });
const primaryAnswered = [ev('MCR', '1', '2025-01-10')];

function coverages(secondaryDays: number | null): ClaimCoverage[] {
  return [{ sequence: 1, payerId: 'MCR', unansweredToPatientAfterDays: null }, { sequence: 2, payerId: 'SEC', unansweredToPatientAfterDays: secondaryDays }];
}

describe('a silent secondary', () => {
  it('whose rules never bill the patient: waiting for ever, no timeout day, on the follow-up list', () => {
    const s = claimState(coverages(null), primaryAnswered, { asOf: '2025-12-31', nextPayerTimeoutDays: 45 });
    expect(s).toEqual({ kind: 'waiting_next_payer', payerId: 'SEC', sequence: 2, since: '2025-01-10', adjudicated: [{ payerId: 'MCR', sequence: 1, date: '2025-01-10', status: '1' }] });
    expect(describeClaimState(s)).toContain('follow-up');
  });

  it('whose rules opt in at 45 days: the patient\'s on day 45 (2025-01-10 + 45 = 2025-02-24), not on day 44', () => {
    expect(claimState(coverages(45), primaryAnswered, { asOf: '2025-02-23', nextPayerTimeoutDays: 45 })).toMatchObject({ kind: 'waiting_next_payer', timeoutOn: '2025-02-24' });
    expect(claimState(coverages(45), primaryAnswered, { asOf: '2025-02-24', nextPayerTimeoutDays: 45 })).toMatchObject({ kind: 'patient', reason: 'next_payer_timeout', since: '2025-02-24' });
  });

  it('waits the longer of the payer\'s days and the practice\'s', () => {
    expect(timeoutDays({ sequence: 2, payerId: 'P', unansweredToPatientAfterDays: 30 }, 45)).toBe(45);
    expect(timeoutDays({ sequence: 2, payerId: 'P', unansweredToPatientAfterDays: 60 }, 45)).toBe(60);
    expect(timeoutDays({ sequence: 2, payerId: 'P', unansweredToPatientAfterDays: null }, 45)).toBeNull();
    expect(timeoutDays({ sequence: 2, payerId: 'P' }, 45)).toBe(45);
  });
});

describe('timely-filing deadline', () => {
  it('Medicare: 365 days from service; a payer counting from the prior payer\'s remittance; none where the rules state none', () => {
    expect(timelyFilingDeadline(payerRules('medicare', {}), '2025-01-06', null)).toBe('2026-01-06');
    expect(timelyFilingDeadline(payerRules('commercial', { timelyFilingDays: 90, timelyFilingFrom: 'prior_payer_remittance' }), '2025-01-06', '2025-02-01')).toBe('2025-05-02');
    expect(timelyFilingDeadline(payerRules('commercial', {}), '2025-01-06', null)).toBeNull();
  });
});
