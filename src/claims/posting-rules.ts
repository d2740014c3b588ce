// Posting rule for claims sent: the charge moves onto the primary payer's insurance receivable against
// revenue. A chain (billing NPI + CLM01) carries one posted charge: an original posts its total, a
// replacement (7) posts the difference from what the chain carries (moving it between payers if the primary
// changed), a void (8) takes the chain back to zero. Entry lines carry claims.id as their claim id, so the
// receivable moves from the chain's previous claim to the new one. Pure: claim and prior state in, a
// balanced entry out.
import type { Entry, EntryLine } from '../ledger/types.ts';
import type { Cents } from '../common/money.ts';
import type { MappedClaim } from '../domain/mapped-claim.ts';

/** What the ledger carries for a chain before this claim. */
export interface ChainState {
  postedChargeCents: Cents;
  /** The payer whose receivable holds it (null when nothing was posted). */
  payerId: string | null;
  /** The chain's latest claim (claims.id), whose per-claim receivable the charge sits on. */
  claimId: string | null;
}

export const NO_CHAIN: ChainState = { postedChargeCents: 0n, payerId: null, claimId: null };

export const chargeEntryKey = (mapped: MappedClaim): string => `claim.charge:${mapped.key}:${mapped.contentHash.slice(0, 16)}`;

const REASON: Record<string, string> = { '1': 'claim.charge', '7': 'claim.replacement', '8': 'claim.void' };

/** The chain's charge after this claim. */
export const postedAfter = (mapped: MappedClaim): Cents => (mapped.claim.record.frequency === '8' ? 0n : mapped.claim.totalChargeCents);

/** The entry for a claim, or null when it changes nothing (a replacement with the same total and payer). */
export function chargeEntry(mapped: MappedClaim, before: ChainState, effectiveDate: string, claimId: string, practiceId: string): Entry | null {
  const rec = mapped.claim.record;
  const after = postedAfter(mapped);
  const byAccount = new Map<string, EntryLine>();
  const add = (line: EntryLine): void => {
    const k = `${line.account.kind}|${line.account.payerId ?? ''}|${line.claimId ?? ''}`;
    const prev = byAccount.get(k);
    if (prev) prev.amountCents += line.amountCents;
    else byAccount.set(k, line);
  };
  // New payer's receivable up by the new charge, old payer's down by what it carried, revenue the difference.
  // A chain (original, replacements, void) stays in its practice's books: one billing NPI, one practice.
  add({ account: { kind: 'insurance_receivable', payerId: mapped.payer.payerId, patientId: null, practiceId }, amountCents: after, claimId });
  if (before.payerId !== null) {
    add({ account: { kind: 'insurance_receivable', payerId: before.payerId, patientId: null, practiceId }, amountCents: -before.postedChargeCents, claimId: before.claimId ?? claimId });
  }
  add({ account: { kind: 'revenue', payerId: null, patientId: null, practiceId }, amountCents: -(after - before.postedChargeCents), claimId });
  const lines = [...byAccount.values()].filter((l) => l.amountCents !== 0n);
  if (lines.length === 0) return null;
  return {
    key: chargeEntryKey(mapped),
    reason: REASON[rec.frequency]!,
    effectiveDate,
    memo: `${rec.claimType} claim ${rec.patientControlNumber} frequency ${rec.frequency}`,
    lines,
  };
}
