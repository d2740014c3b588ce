import { describe, expect, it } from 'vitest';
import { buildStatement, allocateReductions } from '../../src/statements/model.ts';
import { parseStatementSettings } from '../../src/statements/settings.ts';
import { vendorCsvHeader, vendorCsvRow } from '../../src/statements/vendor-csv.ts';
import type { PlanStanding } from '../../src/patients/plans.ts';
import { accountInput, claim } from './fixtures.ts';

const settings = parseStatementSettings({});

// Three claims written out by hand:
//   C-1 2025-01-10 charge 150.00 = ins 90.00 + adj 40.00 + PR 20.00 (the patient's)
//   C-2 2025-02-02 charge 320.00 = ins 200.00 + adj 70.00 + PR 50.00 (the patient's)
//   C-3 2025-02-20 charge 200.00 = ins 120.00 + adj 30.00 + pending 50.00 (waiting on the secondary)
// The patient paid 15.00, so the receivable is 20 + 50 - 15 = 55.00.
const threeClaims = accountInput({
  claims: [
    claim({ claimId: 'C-1' }),
    claim({ claimId: 'C-2', patientName: 'Jules Quill', serviceDate: '2025-02-02', chargeCents: 32000n, insurancePaidCents: 20000n, adjustmentsCents: 7000n, patientResponsibilityCents: 5000n }),
    claim({ claimId: 'C-3', state: 'waiting_next_payer', serviceDate: '2025-02-20', chargeCents: 20000n, insurancePaidCents: 12000n, adjustmentsCents: 3000n, pendingInsuranceCents: 5000n, patientResponsibilityCents: 0n }),
  ],
  patientReceivableCents: 5500n,
  paymentsSinceLastStatement: [{ date: '2025-02-15', method: 'card', amountCents: 1500n }],
});

describe('buildStatement', () => {
  it('a voided claim back with its payer is neither listed nor asked for', () => {
    // C-1 as above (PR 20.00, the patient's); C-9 voided after the payer paid 86.00, CO 16.85 and PR 9.00 of
    // 111.85: charge 0 = 86.00 + 16.85 - 111.85 (the charge the void took back) + 9.00. Receivable 29.00.
    const input = accountInput({
      claims: [
        claim({ claimId: 'C-1' }),
        claim({ claimId: 'C-9', voided: true, state: 'with_payer', chargeCents: 0n, insurancePaidCents: 8600n, adjustmentsCents: 1685n, pendingInsuranceCents: -11185n, patientResponsibilityCents: 900n }),
      ],
      patientReceivableCents: 2900n,
    });
    const s = buildStatement(input, settings);
    expect(s.services.map((v) => v.claimId)).toEqual(['C-1']);
    expect([s.totals.balanceCents, s.totals.amountDueCents, s.held]).toEqual([2000n, 2000n, null]);
  });

  it('totals foot to the receivable and payments go to the oldest service first', () => {
    const s = buildStatement(threeClaims, settings);
    expect(s.totals).toEqual({
      chargesCents: 67000n, insurancePaidCents: 41000n, adjustmentsCents: 14000n, pendingInsuranceCents: 5000n,
      patientPaymentsCents: 1500n, balanceCents: 5500n, amountDueCents: 5500n,
    });
    expect(s.services.map((v) => [v.claimId, v.patientPaidCents, v.balanceCents])).toEqual([
      ['C-1', 1500n, 500n],
      ['C-2', 0n, 5000n],
      ['C-3', 0n, 0n],
    ]);
    expect(s).toMatchObject({ statementId: 'G-2001-2025-03-01', dueDate: '2025-03-26', patients: ['Avery Quill', 'Jules Quill'], held: null });
    expect(s.messages).toContain('Some services are still with your insurance. You will be billed for them only after insurance has paid its part.');
  });

  it('never asks for PR on a claim still waiting on a payer', () => {
    // C-9 has 30.00 of PR posted to the patient receivable while its secondary has not answered.
    const input = accountInput({
      claims: [claim({ claimId: 'C-1' }), claim({ claimId: 'C-9', state: 'waiting_next_payer', patientResponsibilityCents: 3000n, adjustmentsCents: 3000n })],
      patientReceivableCents: 5000n,
    });
    const s = buildStatement(input, settings);
    expect(s.totals.balanceCents).toBe(2000n);
    expect(s.services.find((v) => v.claimId === 'C-9')).toMatchObject({ pendingInsuranceCents: 3000n, balanceCents: 0n });
  });

  it('an overpaid account shows no balance, never a negative one', () => {
    const s = buildStatement(accountInput({ patientReceivableCents: -700n }), settings);
    expect(s.totals.balanceCents).toBe(0n);
    expect(s.totals.amountDueCents).toBe(0n);
    expect(s.services).toEqual([]);
  });

  it('on a plan asks for the installment due, and shows the schedule', () => {
    const plan: PlanStanding = {
      status: 'good', paidCents: 0n, remainingCents: 2000n, missedCount: 0,
      schedule: [{ number: 1, dueOn: '2025-03-15', amountCents: 1000n, status: 'upcoming' }, { number: 2, dueOn: '2025-04-15', amountCents: 1000n, status: 'upcoming' }],
      nextDue: { dueOn: '2025-03-15', amountCents: 1000n },
    };
    const s = buildStatement(accountInput({ plan, decision: { due: true, rule: 'PLAN_IN_GOOD_STANDING', kind: 'plan', sequence: 0, explanation: '' } }), settings);
    expect(s.totals).toMatchObject({ balanceCents: 2000n, amountDueCents: 1000n });
    expect(s.kind).toBe('plan');
    expect(s.plan?.schedule.map((r) => r.dueOn)).toEqual(['2025-03-15', '2025-04-15']);
  });

  it('a final notice says so', () => {
    const s = buildStatement(accountInput({ decision: { due: true, rule: 'FINAL_NOTICE', kind: 'final_notice', sequence: 4, explanation: '' } }), settings);
    expect(s.messages[0]).toBe('FINAL NOTICE: this balance is past due. Please pay by 2025-03-26 or call (555) 010-2000 to set up a payment plan or to apply for financial assistance.');
  });

  it('holds a statement whose claim figures do not add up', () => {
    const s = buildStatement(accountInput({ claims: [claim({ claimId: 'C-1', insurancePaidCents: 8999n })] }), settings);
    expect(s.held).toBe('figures_do_not_reconcile');
  });

  it('allocates no more than each claim\'s PR', () => {
    const m = allocateReductions([claim({ claimId: 'A', serviceDate: '2025-01-02' }), claim({ claimId: 'B', serviceDate: '2025-01-01' })], 2500n);
    expect([...m.entries()]).toEqual([['B', 2000n], ['A', 500n]]);
  });
});

describe('print-vendor CSV', () => {
  it('writes one row with the statement\'s figures', () => {
    const s = buildStatement(threeClaims, settings);
    expect(vendorCsvHeader().startsWith('statement_id,statement_date,kind,sequence,account_number,')).toBe(true);
    expect(vendorCsvRow(s, 'G-2001-2025-03-01.pdf')).toBe(
      'G-2001-2025-03-01,2025-03-01,statement,1,G-2001,Morgan Quill,42 Maple Row,Apt 3,Lakeside,OR,97401,Avery Quill; Jules Quill,3,' +
        '670.00,410.00,140.00,15.00,50.00,55.00,55.00,2025-03-26,,G-2001-2025-03-01.pdf\r\n',
    );
  });
  it('quotes and defuses fields', () => {
    const s = buildStatement(threeClaims, settings);
    const odd = { ...s, guarantor: { name: 'Quill, "Mo"', address: { ...s.guarantor.address!, line1: '=HYPERLINK(1)' } } };
    expect(vendorCsvRow(odd, 'x.pdf')).toContain(',"Quill, ""Mo""",\'=HYPERLINK(1),');
    expect(vendorCsvRow({ ...s, totals: { ...s.totals, balanceCents: -1250n } }, 'x.pdf')).toContain(',-12.50,');
  });
});
