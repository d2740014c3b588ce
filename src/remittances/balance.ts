// Balancing an 835 at its three levels before anything posts (DOMAIN.md, 835; RFI 452, 2287):
//   line:        SVC02 - sum(line CAS) = SVC03
//   claim:       CLP03 - sum(claim CAS + line CAS) = CLP04
//   remittance:  sum(CLP04) - sum(PLB) = BPR02 (signed by BPR03)
// A failure is reported with the level, the claim and the amounts; nothing is ever "plugged".
import { depositCents, type Remittance } from '../domain/remittance.ts';
import { sumCents, type Cents } from '../common/money.ts';

export type BalanceLevel = 'line' | 'claim' | 'remittance';

export interface BalanceFailure {
  level: BalanceLevel;
  set: string;
  /** CLP01 and the claim's 0-based position in the set (split claims share CLP01). */
  claim?: string;
  claimIndex?: number;
  /** 0-based position of the service line in its claim. */
  lineIndex?: number;
  segmentIndex: number;
  /** What the paid amount should be from the charge and adjustments, and what the file says. */
  expectedCents: Cents;
  foundCents: Cents;
  /** The terms, for the error report. */
  detail: Record<string, Cents>;
}

export interface BalanceResult {
  balanced: boolean;
  failures: BalanceFailure[];
  claimPaymentsCents: Cents;
  providerAdjustmentsCents: Cents;
  depositCents: Cents;
}

export function balanceRemittance(r: Remittance): BalanceResult {
  const failures: BalanceFailure[] = [];
  r.claims.forEach((claim, claimIndex) => {
    let lineAdjustmentsCents = 0n;
    claim.lines.forEach((line, lineIndex) => {
      const lineCas = sumCents(line.adjustments.map((a) => a.amountCents));
      lineAdjustmentsCents += lineCas;
      const expected = line.chargeCents - lineCas;
      if (expected !== line.paidCents) {
        failures.push({
          level: 'line', set: r.set, claim: claim.patientControlNumber, claimIndex, lineIndex, segmentIndex: line.segmentIndex,
          expectedCents: expected, foundCents: line.paidCents,
          detail: { chargeCents: line.chargeCents, adjustmentsCents: lineCas, paidCents: line.paidCents },
        });
      }
    });
    const claimCas = sumCents(claim.adjustments.map((a) => a.amountCents));
    const expected = claim.chargeCents - claimCas - lineAdjustmentsCents;
    if (expected !== claim.paidCents) {
      failures.push({
        level: 'claim', set: r.set, claim: claim.patientControlNumber, claimIndex, segmentIndex: claim.segmentIndex,
        expectedCents: expected, foundCents: claim.paidCents,
        detail: { chargeCents: claim.chargeCents, claimAdjustmentsCents: claimCas, lineAdjustmentsCents, paidCents: claim.paidCents },
      });
    }
  });
  const claimPaymentsCents = sumCents(r.claims.map((c) => c.paidCents));
  const providerAdjustmentsCents = sumCents(r.providerAdjustments.map((p) => p.amountCents));
  const deposit = depositCents(r);
  if (claimPaymentsCents - providerAdjustmentsCents !== deposit) {
    failures.push({
      level: 'remittance', set: r.set, segmentIndex: r.segmentIndex,
      expectedCents: claimPaymentsCents - providerAdjustmentsCents, foundCents: deposit,
      detail: { claimPaymentsCents, providerAdjustmentsCents, depositCents: deposit },
    });
  }
  return { balanced: failures.length === 0, failures, claimPaymentsCents, providerAdjustmentsCents, depositCents: deposit };
}
