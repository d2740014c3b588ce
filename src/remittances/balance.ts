// Balancing an 835 at its three levels before anything posts (DOMAIN.md, 835; RFI 452, 2287):
//   line:        SVC02 - sum(line CAS) = SVC03
//   claim:       CLP03 - sum(claim CAS + line CAS) = CLP04
//   remittance:  sum(CLP04) - sum(PLB) = BPR02 (signed by BPR03)
// A failure is reported with the level, the claim and the amounts; nothing is ever "plugged". Where the
// reader could not read an amount (`unreadable`), that level is not judged; every other one still is.
import { depositCents, type Remittance, type RemittanceClaim, type RemittanceServiceLine } from '../domain/remittance.ts';
import { formatDecimal, sumCents, type Cents } from '../common/money.ts';
import { ClaimsError } from '../common/errors.ts';

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

/** What a set's reading problems left unknown (RemittanceReading.unreadable): those levels are not judged. */
export interface UnreadableAmounts {
  remittance: boolean;
  claims: ReadonlySet<RemittanceClaim>;
  lines: ReadonlySet<RemittanceServiceLine>;
}

const ALL_READ: UnreadableAmounts = { remittance: false, claims: new Set(), lines: new Set() };

export function balanceRemittance(r: Remittance, unreadable: UnreadableAmounts = ALL_READ): BalanceResult {
  const failures: BalanceFailure[] = [];
  r.claims.forEach((claim, claimIndex) => {
    let lineAdjustmentsCents = 0n;
    claim.lines.forEach((line, lineIndex) => {
      const lineCas = sumCents(line.adjustments.map((a) => a.amountCents));
      lineAdjustmentsCents += lineCas;
      const expected = line.chargeCents - lineCas;
      if (expected !== line.paidCents && !unreadable.lines.has(line)) {
        failures.push({
          level: 'line', set: r.set, claim: claim.patientControlNumber, claimIndex, lineIndex, segmentIndex: line.segmentIndex,
          expectedCents: expected, foundCents: line.paidCents,
          detail: { chargeCents: line.chargeCents, adjustmentsCents: lineCas, paidCents: line.paidCents },
        });
      }
    });
    const claimCas = sumCents(claim.adjustments.map((a) => a.amountCents));
    const expected = claim.chargeCents - claimCas - lineAdjustmentsCents;
    if (expected !== claim.paidCents && !unreadable.claims.has(claim)) {
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
  if (claimPaymentsCents - providerAdjustmentsCents !== deposit && !unreadable.remittance) {
    failures.push({
      level: 'remittance', set: r.set, segmentIndex: r.segmentIndex,
      expectedCents: claimPaymentsCents - providerAdjustmentsCents, foundCents: deposit,
      detail: { claimPaymentsCents, providerAdjustmentsCents, depositCents: deposit },
    });
  }
  const judgedWhole = !unreadable.remittance && unreadable.claims.size === 0 && unreadable.lines.size === 0;
  return { balanced: failures.length === 0 && judgedWhole, failures, claimPaymentsCents, providerAdjustmentsCents, depositCents: deposit };
}

/** A balance failure as a located error: the level, the claim, the element that disagrees and both amounts. */
export function balanceError(r: Remittance, f: BalanceFailure, file: string): ClaimsError {
  const what = { line: 'SVC02 - line CAS = SVC03', claim: 'CLP03 - all CAS = CLP04', remittance: 'sum(CLP04) - sum(PLB) = BPR02' }[f.level];
  // The element that disagrees: the paid amount the file states. BPR is the segment after ST (its position 2).
  const at = {
    line: { segmentIndex: f.segmentIndex, segmentTag: 'SVC', element: 3 },
    claim: { segmentIndex: f.segmentIndex, segmentTag: 'CLP', element: 4 },
    remittance: { segmentIndex: r.segmentIndex + 1, segmentPosition: 2, segmentTag: 'BPR', element: 2 },
  }[f.level];
  const element = `${at.segmentTag}${String(at.element).padStart(2, '0')}`;
  return new ClaimsError({
    code: 'REMIT_UNBALANCED',
    message: `remittance ST02 ${r.set} does not balance at ${f.level} level (${what})${f.claim !== undefined ? ` for claim ${f.claim}` : ''}: ${element} should be ${formatDecimal(f.expectedCents)}, the file says ${formatDecimal(f.foundCents)}`,
    location: { file, interchange: r.interchange, group: r.group, set: r.set, ...at, ...(f.claim !== undefined && { claim: f.claim }) },
    expected: String(f.expectedCents),
    found: String(f.foundCents),
  });
}
