// Synthetic accounts for statement tests (invented names, ids and addresses).
import type { ClaimFigures, StatementInput } from '../../src/statements/model.ts';
import type { CycleDecision } from '../../src/statements/cycle.ts';

export function claim(over: Partial<ClaimFigures> & Pick<ClaimFigures, 'claimId'>): ClaimFigures {
  return {
    patientId: 'P-100',
    patientName: 'Avery Quill',
    provider: 'Dr. Rowan Vale',
    serviceDate: '2025-01-10',
    lines: [{ serviceDate: '2025-01-10', procedureCode: '99213', description: 'Office visit, established patient', chargeCents: 15000n }],
    chargeCents: 15000n,
    insurancePaidCents: 9000n,
    adjustmentsCents: 4000n,
    pendingInsuranceCents: 0n,
    patientResponsibilityCents: 2000n,
    state: 'patient',
    ...over,
  };
}

export const firstStatement: CycleDecision = { due: true, rule: 'FIRST_STATEMENT', kind: 'statement', sequence: 1, explanation: 'first' };

export function accountInput(over: Partial<StatementInput> = {}): StatementInput {
  return {
    accountNumber: 'G-2001',
    guarantor: { name: 'Morgan Quill', address: { line1: '42 Maple Row', line2: 'Apt 3', city: 'Lakeside', state: 'OR', postalCode: '97401' } },
    statementDate: '2025-03-01',
    decision: firstStatement,
    claims: [claim({ claimId: 'C-1' })],
    patientReceivableCents: 2000n,
    paymentsSinceLastStatement: [],
    ...over,
  };
}
