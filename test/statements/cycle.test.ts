import { describe, expect, it } from 'vitest';
import { whyNextStatement, type CycleInput, type SentStatement } from '../../src/statements/cycle.ts';
import { addDays, addMonths, daysBetween } from '../../src/common/dates.ts';
import type { PlanStanding } from '../../src/patients/plans.ts';

const rules = { intervalDays: 30, statementsBeforeFinal: 3, smallBalanceCents: 500n };
const input = (over: Partial<CycleInput>): CycleInput => ({ asOf: '2025-03-01', balanceDueCents: 12_345n, statements: [], ...over });
const st = (date: string, sequence: number, kind: SentStatement['kind'] = 'statement'): SentStatement => ({ date, sequence, kind });

describe('dates', () => {
  it('counts whole days and clamps month ends', () => {
    expect(daysBetween('2024-02-01', '2024-03-01')).toBe(29);
    expect(addDays('2024-12-31', 1)).toBe('2025-01-01');
    expect(addMonths('2025-01-31', 1)).toBe('2025-02-28');
    expect(addMonths('2024-01-31', 1)).toBe('2024-02-29');
    expect(addMonths('2025-01-31', 2)).toBe('2025-03-31');
    expect(() => addDays('2025-02-30', 1)).toThrow(/not a calendar date/);
  });
});

describe('whyNextStatement', () => {
  it('starts the cycle with the first statement when a balance appears', () => {
    const d = whyNextStatement(input({}), rules);
    expect(d).toMatchObject({ due: true, rule: 'FIRST_STATEMENT', kind: 'statement', sequence: 1, nextOn: '2025-03-01' });
  });

  it('after the final notice: nothing more, unless a balance was added after it, which gets a statement of its own', () => {
    const statements = [st('2025-01-01', 1), st('2025-01-31', 2), st('2025-03-02', 3), st('2025-04-01', 4, 'final_notice')];
    const at = (receivableIncreasedOn: string[]) => whyNextStatement(input({ asOf: '2025-04-20', statements, receivableIncreasedOn }), rules);
    expect(at([])).toMatchObject({ due: false, rule: 'FINAL_NOTICE_SENT' });
    // Increases on or before the notice were on it.
    expect(at(['2024-12-20', '2025-04-01'])).toMatchObject({ due: false, rule: 'FINAL_NOTICE_SENT' });
    expect(at(['2024-12-20', '2025-04-10'])).toMatchObject({ due: true, rule: 'NEW_BALANCE_AFTER_FINAL_NOTICE', kind: 'statement', sequence: 1 });
    // Not after the as-of date.
    expect(at(['2025-04-21'])).toMatchObject({ due: false, rule: 'FINAL_NOTICE_SENT' });
  });

  it('is not due on day 29 and is due on day 30 after the last statement', () => {
    const statements = [st('2025-01-30', 1)];
    const day29 = whyNextStatement(input({ asOf: '2025-02-28', statements }), rules);
    expect(day29).toMatchObject({ due: false, rule: 'INTERVAL_NOT_ELAPSED', nextOn: '2025-03-01', cycleStartedOn: '2025-01-30' });
    const day30 = whyNextStatement(input({ asOf: '2025-03-01', statements }), rules);
    expect(day30).toMatchObject({ due: true, rule: 'NEXT_STATEMENT', sequence: 2, kind: 'statement' });
  });

  it('sends the final notice after the third statement, then stops', () => {
    const three = [st('2025-01-01', 1), st('2025-01-31', 2), st('2025-03-02', 3)];
    const final = whyNextStatement(input({ asOf: '2025-04-01', statements: three }), rules);
    expect(final).toMatchObject({ due: true, rule: 'FINAL_NOTICE', kind: 'final_notice', sequence: 4, cycleStartedOn: '2025-01-01' });
    const after = whyNextStatement(input({ asOf: '2025-06-01', statements: [...three, st('2025-04-01', 4, 'final_notice')] }), rules);
    expect(after).toMatchObject({ due: false, rule: 'FINAL_NOTICE_SENT' });
  });

  it('a balance paid off and a new one later starts a new cycle', () => {
    const old = [st('2025-01-01', 1), st('2025-01-31', 2)];
    const d = whyNextStatement(input({ asOf: '2025-02-10', statements: old, balanceClearedOn: '2025-02-05' }), rules);
    expect(d).toMatchObject({ due: true, rule: 'FIRST_STATEMENT', sequence: 1 });
    expect(d.cycleStartedOn).toBeUndefined();
  });

  it('no balance, a credit and a small balance are not mailed', () => {
    expect(whyNextStatement(input({ balanceDueCents: 0n }), rules).rule).toBe('NO_BALANCE');
    expect(whyNextStatement(input({ balanceDueCents: -100n }), rules).explanation).toMatch(/credit/);
    expect(whyNextStatement(input({ balanceDueCents: 499n }), rules)).toMatchObject({ due: false, rule: 'SMALL_BALANCE' });
    expect(whyNextStatement(input({ balanceDueCents: 500n }), rules)).toMatchObject({ due: true, rule: 'FIRST_STATEMENT' });
  });

  it('a dispute freezes the cycle, and its days push the next statement out', () => {
    const statements = [st('2025-01-01', 1)];
    const disputes = [{ openedOn: '2025-01-10', resolvedOn: '2025-01-20' }];
    const during = whyNextStatement(input({ asOf: '2025-01-15', statements, disputes }), rules);
    expect(during).toMatchObject({ due: false, rule: 'DISPUTE_FROZEN' });
    // 30 days + 10 frozen: 2025-02-10.
    expect(whyNextStatement(input({ asOf: '2025-02-09', statements, disputes }), rules)).toMatchObject({ due: false, nextOn: '2025-02-10' });
    expect(whyNextStatement(input({ asOf: '2025-02-10', statements, disputes }), rules)).toMatchObject({ due: true, sequence: 2 });
  });

  const goodPlan: PlanStanding = { status: 'good', paidCents: 0n, remainingCents: 30_000n, missedCount: 0, schedule: [] };

  it('a plan in good standing stops escalation: plan statements only, never a final notice', () => {
    const three = [st('2025-01-01', 1), st('2025-01-31', 2), st('2025-03-02', 3)];
    const d = whyNextStatement(input({ asOf: '2025-04-01', statements: three, plan: goodPlan }), rules);
    expect(d).toMatchObject({ due: true, rule: 'PLAN_IN_GOOD_STANDING', kind: 'plan', sequence: 0 });
    const next = whyNextStatement(input({ asOf: '2025-04-20', statements: [...three, st('2025-04-01', 0, 'plan')], plan: goodPlan }), rules);
    expect(next).toMatchObject({ due: false, rule: 'PLAN_IN_GOOD_STANDING', nextOn: '2025-05-01' });
  });

  it('a defaulted plan resumes the cycle where it stopped', () => {
    const statements = [st('2025-01-01', 1), st('2025-02-01', 0, 'plan'), st('2025-03-03', 0, 'plan')];
    const defaulted: PlanStanding = { ...goodPlan, status: 'defaulted', statusOn: '2025-03-20' };
    const d = whyNextStatement(input({ asOf: '2025-03-20', statements, plan: defaulted }), rules);
    expect(d).toMatchObject({ due: true, rule: 'NEXT_STATEMENT', sequence: 2, lastStatementOn: '2025-03-03' });
    expect(d.explanation).toMatch(/plan defaulted on 2025-03-20/);
  });

  it('holds a due statement for an address that cannot be mailed', () => {
    expect(whyNextStatement(input({ hold: 'returned_mail' }), rules)).toMatchObject({ due: true, held: 'returned_mail' });
    expect(whyNextStatement(input({ hold: 'returned_mail', balanceDueCents: 0n }), rules).held).toBeUndefined();
  });
});
