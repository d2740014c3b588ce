import { describe, expect, it } from 'vitest';
import { claimState, describeClaimState, type ClaimCoverage, type RemittanceEvent } from '../../src/statements/claim-state.ts';

const primaryOnly: ClaimCoverage[] = [{ sequence: 1, payerId: 'PAYER-A' }];
const withSecondary: ClaimCoverage[] = [{ sequence: 2, payerId: 'PAYER-B' }, { sequence: 1, payerId: 'PAYER-A' }];
const opts = (asOf: string) => ({ asOf, nextPayerTimeoutDays: 45 });
const ev = (payerId: string, status: string, date: string, order = 0): RemittanceEvent => ({ payerId, status, date, order });

describe('claimState', () => {
  it('is with the primary until it answers', () => {
    const s = claimState(primaryOnly, [], opts('2025-03-01'));
    expect(s).toEqual({ kind: 'with_payer', payerId: 'PAYER-A', sequence: 1, adjudicated: [] });
  });

  it.each(['1', '2', '3', '4', '19', '20', '21'])('CLP02 %s from the only payer makes it the patient\'s', (status) => {
    const s = claimState(primaryOnly, [ev('PAYER-A', status, '2025-02-10')], opts('2025-03-01'));
    expect(s.kind).toBe('patient');
    expect(s.reason).toBe('last_payer_adjudicated');
    expect(s.since).toBe('2025-02-10');
  });

  it.each(['22', '23', '25'])('CLP02 %s alone does not adjudicate', (status) => {
    expect(claimState(primaryOnly, [ev('PAYER-A', status, '2025-02-10')], opts('2025-03-01')).kind).toBe('with_payer');
  });

  it('ignores remittances dated after the as-of date', () => {
    expect(claimState(primaryOnly, [ev('PAYER-A', '1', '2025-03-02')], opts('2025-03-01')).kind).toBe('with_payer');
  });

  it('a reversal reopens the claim and its correction closes it again', () => {
    const events = [ev('PAYER-A', '1', '2025-02-10', 1), ev('PAYER-A', '22', '2025-02-20', 2)];
    const reopened = claimState(primaryOnly, events, opts('2025-02-25'));
    expect(reopened).toMatchObject({ kind: 'with_payer', payerId: 'PAYER-A', since: '2025-02-20' });
    const corrected = claimState(primaryOnly, [...events, ev('PAYER-A', '1', '2025-02-20', 3)], opts('2025-02-25'));
    expect(corrected).toMatchObject({ kind: 'patient', since: '2025-02-20' });
  });

  it('a replacement or void sent after the adjudication puts the claim back with the payer until it answers', () => {
    const paid = [ev('PAYER-A', '1', '2025-02-10', 1)];
    const resent = { ...opts('2025-03-01'), resubmittedOn: '2025-02-15' };
    expect(claimState(primaryOnly, paid, resent)).toEqual({ kind: 'with_payer', payerId: 'PAYER-A', sequence: 1, adjudicated: [] });
    // The payer reverses the original and adjudicates the replacement on 2025-02-25: the patient's again.
    const answered = [...paid, ev('PAYER-A', '22', '2025-02-25', 2), ev('PAYER-A', '1', '2025-02-25', 3)];
    expect(claimState(primaryOnly, answered, resent)).toMatchObject({ kind: 'patient', reason: 'last_payer_adjudicated', since: '2025-02-25' });
    // A void answered by the reversal alone stays with the payer: nothing of it is the patient's.
    expect(claimState(primaryOnly, [...paid, ev('PAYER-A', '22', '2025-02-25', 2)], resent)).toEqual({ kind: 'with_payer', payerId: 'PAYER-A', sequence: 1, adjudicated: [] });
    // Sent before the adjudication (same day counts as after): the adjudication stands.
    expect(claimState(primaryOnly, paid, { ...opts('2025-03-01'), resubmittedOn: '2025-02-10' }).kind).toBe('patient');
  });

  it('waits on the secondary after the primary, then times out on day 45 exactly', () => {
    const events = [ev('PAYER-A', '1', '2025-01-15')];
    const day44 = claimState(withSecondary, events, opts('2025-02-28'));
    expect(day44).toMatchObject({ kind: 'waiting_next_payer', payerId: 'PAYER-B', sequence: 2, since: '2025-01-15', timeoutOn: '2025-03-01' });
    const day45 = claimState(withSecondary, events, opts('2025-03-01'));
    expect(day45).toMatchObject({ kind: 'patient', reason: 'next_payer_timeout', since: '2025-03-01', payerId: 'PAYER-B' });
  });

  it('becomes the patient\'s when the secondary answers (crossover status 19 from the primary counts)', () => {
    const events = [ev('PAYER-A', '19', '2025-01-15'), ev('PAYER-B', '2', '2025-01-30')];
    const s = claimState(withSecondary, events, opts('2025-02-01'));
    expect(s.kind).toBe('patient');
    expect(s.adjudicated).toEqual([
      { payerId: 'PAYER-A', sequence: 1, date: '2025-01-15', status: '19' },
      { payerId: 'PAYER-B', sequence: 2, date: '2025-01-30', status: '2' },
    ]);
  });

  it('a predetermination (25) from the secondary does not end the wait', () => {
    const events = [ev('PAYER-A', '1', '2025-01-15'), ev('PAYER-B', '25', '2025-01-20')];
    expect(claimState(withSecondary, events, opts('2025-02-01')).kind).toBe('waiting_next_payer');
  });

  it('a secondary reversal restarts its time to answer from the reversal date', () => {
    const events = [ev('PAYER-A', '1', '2025-01-01'), ev('PAYER-B', '2', '2025-01-20', 1), ev('PAYER-B', '22', '2025-02-10', 2)];
    const s = claimState(withSecondary, events, opts('2025-03-01'));
    expect(s).toMatchObject({ kind: 'waiting_next_payer', since: '2025-02-10', timeoutOn: '2025-03-27' });
  });

  it('self-pay claims are the patient\'s at once', () => {
    expect(claimState([], [], opts('2025-01-01'))).toMatchObject({ kind: 'patient', reason: 'no_coverage' });
  });

  it('describes each state in a sentence', () => {
    const s = claimState(withSecondary, [ev('PAYER-A', '1', '2025-01-15')], opts('2025-02-01'));
    expect(describeClaimState(s)).toBe('waiting for payer PAYER-B (coverage 2) since 2025-01-15; the patient\'s on 2025-03-01 if it does not answer');
  });
});
