import { describe, expect, it } from 'vitest';
import { planSchedule, planStanding, type PaymentPlan } from '../../src/patients/plans.ts';

const plan: PaymentPlan = {
  planId: 'PLAN-1', accountNumber: 'G-2001', totalCents: 10_000n, installments: 3,
  startOn: '2025-01-31', frequency: 'monthly', createdOn: '2025-01-20',
};
const rules = (asOf: string) => ({ asOf, missedInstallmentsToDefault: 2, graceDays: 10 });

describe('planSchedule', () => {
  it('splits evenly, the last installment takes the remainder, month ends clamp', () => {
    expect(planSchedule(plan)).toEqual([
      { number: 1, dueOn: '2025-01-31', amountCents: 3333n },
      { number: 2, dueOn: '2025-02-28', amountCents: 3333n },
      { number: 3, dueOn: '2025-03-31', amountCents: 3334n },
    ]);
  });
  it('weekly and biweekly step by 7 and 14 days', () => {
    expect(planSchedule({ ...plan, frequency: 'weekly' }).map((i) => i.dueOn)).toEqual(['2025-01-31', '2025-02-07', '2025-02-14']);
    expect(planSchedule({ ...plan, frequency: 'biweekly' }).map((i) => i.dueOn)).toEqual(['2025-01-31', '2025-02-14', '2025-02-28']);
  });
});

describe('planStanding', () => {
  it('is in good standing while installments are paid, and asks for the next one', () => {
    const s = planStanding(plan, [{ date: '2025-01-30', amountCents: 3333n }], rules('2025-02-15'));
    expect(s.status).toBe('good');
    expect(s.schedule.map((r) => r.status)).toEqual(['paid', 'upcoming', 'upcoming']);
    expect(s.nextDue).toEqual({ dueOn: '2025-02-28', amountCents: 3333n });
    expect(s.remainingCents).toBe(6667n);
  });

  it('one missed installment is arrears, not a default; the next statement asks for both', () => {
    const s = planStanding(plan, [], rules('2025-02-28'));
    expect(s.status).toBe('good');
    expect(s.missedCount).toBe(1);
    expect(s.nextDue).toEqual({ dueOn: '2025-02-28', amountCents: 6666n });
  });

  it('defaults the day after the grace period of the second missed installment', () => {
    // Installment 2 is due 2025-02-28; grace 10 days ends 2025-03-10; default on 2025-03-11.
    expect(planStanding(plan, [], rules('2025-03-10')).status).toBe('good');
    const s = planStanding(plan, [], rules('2025-03-11'));
    expect(s).toMatchObject({ status: 'defaulted', statusOn: '2025-03-11', missedCount: 2 });
    expect(s.nextDue).toBeUndefined();
  });

  it('catching up within the grace period keeps the plan good; paying late after a default does not undo it', () => {
    expect(planStanding(plan, [{ date: '2025-03-09', amountCents: 6666n }], rules('2025-03-20')).status).toBe('good');
    expect(planStanding(plan, [{ date: '2025-03-12', amountCents: 6666n }], rules('2025-03-20'))).toMatchObject({ status: 'defaulted', statusOn: '2025-03-11' });
  });

  it('completes when the total is paid, and ignores payments from before the plan', () => {
    const early = planStanding(plan, [{ date: '2025-01-10', amountCents: 10_000n }], rules('2025-02-01'));
    expect(early.paidCents).toBe(0n);
    const s = planStanding(plan, [{ date: '2025-01-31', amountCents: 4000n }, { date: '2025-02-20', amountCents: 6000n }], rules('2025-03-01'));
    expect(s).toMatchObject({ status: 'completed', statusOn: '2025-02-20', remainingCents: 0n });
  });
});
