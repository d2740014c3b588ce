// Posting rules: a balanced Remittance plus what matching found -> balanced journal entries. Pure.
// The rules are the issue's, in the ledger's sign convention (debit positive, credit negative):
//   payment        payer_clearing(payer) +paid          / insurance_receivable(payer) -paid
//   CO             contractual_adjustment(payer) +amt   / insurance_receivable(payer) -amt
//   PR             next payer's insurance_receivable, or patient_receivable, +amt / insurance_receivable(payer) -amt
//                  (a protected patient: protected_adjustment(payer) instead, for what may not be billed; see below)
//   OA, PI         other_adjustment(payer) +amt         / insurance_receivable(payer) -amt  (OA-23 skipped on a secondary)
//   PLB            provider_adjustment(payer) (L6: interest_income) +amt / payer_clearing(payer) -amt
//                  (WO, 72 naming a claim with a payer credit: payer_credit(payer) first, claims/payer-credit.ts)
//   then per claim and payer whose receivable went below zero: the excess to payer_credit (claims/payer-credit.ts)
// so payer clearing ends at sum(CLP04) - sum(PLB) = BPR02. A reversal (CLP02 22) posts the exact negation of
// the original's lines when the original is known; 25 posts nothing.
import type { Remittance, RemittanceClaim, Adjustment } from '../domain/remittance.ts';
import type { AccountRef, Entry, EntryLine, SourceRef } from '../ledger/types.ts';
import type { Cents } from '../common/money.ts';
import { creditStep, recoupmentLines, type CreditState } from '../claims/payer-credit.ts';

/** What the adapter found out about one CLP before posting it. */
export interface ClaimPostingContext {
  /** The submitted (or provisional) claim this CLP is about. */
  claimId: string | null;
  /** Guarantor account (or provisional patient) whose receivable takes PR when no payer is next. */
  patientId: string;
  /** Payer id of the next coverage on the claim, when there is one. */
  nextPayerId: string | null;
  /** 1 when this payer is the claim's primary, 2 secondary, ...; null when unknown (unmatched claim). */
  coverageRank: number | null;
  /** Submitted service line per SVC (same order), null when the line posts at claim level. */
  lineIds: (string | null)[];
  /** Unmatched claim: record this charge from CLP03 (null: already recorded, or a matched claim). */
  recordChargeCents: Cents | null;
  /** For CLP02 22: the lines of the original posting to negate, when it was found. */
  originalLines: EntryLine[] | null;
  /** True for a claim this system never submitted (posted under a provisional patient). */
  unmatched?: boolean;
  /** What the patient may not be billed when PR falls to them (absent: no protection). */
  protection?: PatientProtection | null;
}

/**
 * A protected patient (docs/decisions/0100): PR that would reach patient_receivable goes to
 * protected_adjustment(payer) instead, keeping its reason (`PR-1`), except, for a Medicaid patient, PR-3
 * (the copay) up to `copayMaxCents` per claim. `qmb`: none of it is billed (a QMB's Medicare cost sharing).
 */
export interface PatientProtection {
  kind: 'medicaid' | 'qmb';
  /** medicaid: the most PR-3 billed to the patient on the claim (the payer's rules.medicaidCopayMaxCents); qmb: 0. */
  copayMaxCents: Cents;
}

export interface RemittancePostingContext {
  /** Prefix of every entry key: unique per remittance (payer + payee + TRN02). */
  keyPrefix: string;
  /** Ledger payer id of the remittance's payer. */
  payerId: string;
  claims: ClaimPostingContext[];
  /** PLB03-2 reference -> claim id, for WO and 72. */
  referencedClaimIds: ReadonlyMap<string, string>;
  /**
   * What the ledger holds for the claims at each payer before this remittance (claims/payer-credit-store.ts),
   * keyed by pairKey: with it, a step after the claims keeps every receivable they moved at zero or above and
   * the PLB WO/72 naming a claim clears its credit first (docs/decisions/0100). Absent: no step.
   */
  creditStates?: ReadonlyMap<string, CreditState>;
  source: SourceRef;
}

export type PostingFlag = 'claim_unmatched' | 'line_ambiguous' | 'reversal_original_missing' | 'forwarded' | 'next_payer_unknown' | 'predetermination' | 'prior_payer_not_posted';

/**
 * Where PR goes when the payer forwarded the claim (CLP02 19/20/21) but no next coverage is on file: a
 * receivable per remitting payer, named so a billing team sees it is waiting for a payer to be named
 * (the crossover carrier's NM1*PR id is the payer's own code, not one of ours). Flagged next_payer_unknown
 * and listed by `claims report unmatched` (docs/decisions/0051).
 */
export function unknownNextPayerId(payerId: string): string {
  return `next-payer-unknown:${payerId}`;
}

export interface PostingResult {
  entries: Entry[];
  flags: { claimIndex: number; flag: PostingFlag }[];
}

const FORWARDED = new Set(['19', '20', '21']);
const PROCESSED_AS_LATER_PAYER = new Set(['2', '3', '20', '21']);

/** The secondary (or later) payer's OA-23 restates the primary's decision, which is already posted. */
export function isPriorPayerRestatement(adj: Adjustment, claim: RemittanceClaim, rank: number | null): boolean {
  if (adj.group !== 'OA' || adj.reason !== '23') return false;
  return (rank !== null && rank > 1) || PROCESSED_AS_LATER_PAYER.has(claim.status);
}

/**
 * A debit and its credit (nothing for zero), pushed in place: a 1,000,000-line 835 writes about 6,000,000
 * ledger lines, so every line has one shape, with no spread and no temporary array.
 */
function pushPair(into: EntryLine[], debit: AccountRef, credit: AccountRef, amountCents: Cents, reason: string, claimId: string | null, serviceLineId: string | null): void {
  if (amountCents === 0n) return;
  into.push(
    { account: debit, amountCents, reason, claimId, serviceLineId },
    { account: credit, amountCents: -amountCents, reason, claimId, serviceLineId },
  );
}

/** The lines of an entry that is one pair, at claim level. */
function pairOf(debit: AccountRef, credit: AccountRef, amountCents: Cents, reason: string, claimId: string | null): EntryLine[] {
  const lines: EntryLine[] = [];
  pushPair(lines, debit, credit, amountCents, reason, claimId, null);
  return lines;
}

/** `CO-45` and the like: a handful of distinct reasons, made once each. */
const adjustmentReasons = new Map<string, Map<string, string>>();
function adjustmentReason(group: string, reason: string): string {
  let byReason = adjustmentReasons.get(group);
  if (byReason === undefined) adjustmentReasons.set(group, (byReason = new Map()));
  let text = byReason.get(reason);
  if (text === undefined) {
    text = `${group}-${reason}`;
    if (byReason.size < 1000) byReason.set(reason, text);
  }
  return text;
}

/** Every CAS of a claim, claim level first then line by line (no concatenated copies). */
function someAdjustment(claim: RemittanceClaim, test: (adj: Adjustment) => boolean): boolean {
  for (const adj of claim.adjustments) if (test(adj)) return true;
  for (const line of claim.lines) for (const adj of line.adjustments) if (test(adj)) return true;
  return false;
}

function claimLines(claim: RemittanceClaim, ctx: ClaimPostingContext, payerId: string): EntryLine[] {
  const receivable: AccountRef = { kind: 'insurance_receivable', payerId };
  const clearing: AccountRef = { kind: 'payer_clearing', payerId };
  const claimId = ctx.claimId;
  const lines: EntryLine[] = [];
  // Payment per service line when the lines carry the whole payment, else at claim level (RFI 452).
  let linePaidCents = 0n;
  for (const l of claim.lines) linePaidCents += l.paidCents;
  if (claim.lines.length > 0 && linePaidCents === claim.paidCents) {
    for (let i = 0; i < claim.lines.length; i++) pushPair(lines, clearing, receivable, claim.lines[i]!.paidCents, 'payment', claimId, ctx.lineIds[i] ?? null);
  } else {
    pushPair(lines, clearing, receivable, claim.paidCents, 'payment', claimId, null);
  }
  let responsible: AccountRef;
  if (ctx.nextPayerId !== null) responsible = { kind: 'insurance_receivable', payerId: ctx.nextPayerId };
  else if (FORWARDED.has(claim.status)) responsible = { kind: 'insurance_receivable', payerId: unknownNextPayerId(payerId) };
  else responsible = { kind: 'patient_receivable', patientId: ctx.patientId };
  let contractual: AccountRef | null = null;
  let other: AccountRef | null = null;
  // Only PR the patient would be billed is protected: PR moving on to a next payer stays as it is.
  const protection = responsible.kind === 'patient_receivable' ? (ctx.protection ?? null) : null;
  let protectedAccount: AccountRef | null = null;
  let copayLeftCents = protection === null ? 0n : protection.copayMaxCents;
  const adjust = (adj: Adjustment, serviceLineId: string | null): void => {
    if (isPriorPayerRestatement(adj, claim, ctx.coverageRank)) return;
    let debit: AccountRef;
    const reason = adjustmentReason(adj.group, adj.reason);
    if (adj.group === 'CO') debit = contractual ??= { kind: 'contractual_adjustment', payerId };
    else if (adj.group !== 'PR') debit = other ??= { kind: 'other_adjustment', payerId };
    else if (protection === null) debit = responsible;
    else {
      // The patient's part: a Medicaid copay (PR-3) while the claim's cap lasts; the rest is written off.
      let billedCents = 0n;
      if (protection.kind === 'medicaid' && adj.reason === '3' && copayLeftCents > 0n && adj.amountCents > 0n) {
        billedCents = adj.amountCents < copayLeftCents ? adj.amountCents : copayLeftCents;
        copayLeftCents -= billedCents;
      }
      pushPair(lines, responsible, receivable, billedCents, reason, claimId, serviceLineId);
      protectedAccount ??= { kind: 'protected_adjustment', payerId };
      pushPair(lines, protectedAccount, receivable, adj.amountCents - billedCents, reason, claimId, serviceLineId);
      return;
    }
    pushPair(lines, debit, receivable, adj.amountCents, reason, claimId, serviceLineId);
  };
  for (const adj of claim.adjustments) adjust(adj, null);
  for (let i = 0; i < claim.lines.length; i++) {
    const serviceLineId = ctx.lineIds[i] ?? null;
    for (const adj of claim.lines[i]!.adjustments) adjust(adj, serviceLineId);
  }
  return lines;
}

export function remittanceEntries(r: Remittance, ctx: RemittancePostingContext): PostingResult {
  const entries: Entry[] = [];
  const flags: PostingResult['flags'] = [];
  const effectiveDate = r.paymentDate;
  r.claims.forEach((claim, claimIndex) => {
    const c = ctx.claims[claimIndex];
    if (!c) throw new Error(`no posting context for claim ${claimIndex}`);
    const source: SourceRef = { ...ctx.source, segmentIndex: claim.segmentIndex };
    const unmatched = c.unmatched === true || c.claimId === null || c.recordChargeCents !== null;
    if (unmatched) flags.push({ claimIndex, flag: 'claim_unmatched' });
    else if (c.lineIds.some((id) => id === null)) flags.push({ claimIndex, flag: 'line_ambiguous' });
    if (claim.status === '25') {
      flags.push({ claimIndex, flag: 'predetermination' });
      return;
    }
    if (FORWARDED.has(claim.status)) {
      flags.push({ claimIndex, flag: 'forwarded' });
      if (c.nextPayerId === null && claim.status !== '22') flags.push({ claimIndex, flag: 'next_payer_unknown' });
    }
    if (c.recordChargeCents !== null && c.recordChargeCents !== 0n) {
      entries.push({
        key: `${ctx.keyPrefix}:charge:${claimIndex}`, reason: 'remit.charge_from_remittance', effectiveDate, source,
        memo: 'charge taken from CLP03 of a claim this system did not submit',
        lines: pairOf({ kind: 'insurance_receivable', payerId: ctx.payerId }, { kind: 'revenue' }, c.recordChargeCents, 'charge', c.claimId),
      });
    }
    let lines: EntryLine[];
    let reason = 'remit.claim';
    if (claim.status === '22' && c.originalLines !== null) {
      lines = c.originalLines.map((l) => ({ ...l, amountCents: -l.amountCents }));
      reason = 'remit.reversal';
    } else {
      if (claim.status === '22') flags.push({ claimIndex, flag: 'reversal_original_missing' });
      if (claim.status === '22') reason = 'remit.reversal';
      lines = claimLines(claim, c, ctx.payerId);
    }
    if (someAdjustment(claim, (a) => isPriorPayerRestatement(a, claim, c.coverageRank))) {
      flags.push({ claimIndex, flag: 'prior_payer_not_posted' });
    }
    if (lines.length > 0) entries.push({ key: `${ctx.keyPrefix}:claim:${claimIndex}`, reason, effectiveDate, source, lines });
  });
  // After every claim's lines: the receivables they moved settled (payer credits), one entry per claim and payer.
  const credit = ctx.creditStates === undefined ? null
    : creditStep(ctx.creditStates, entries, { keyOf: (c, payer) => `${ctx.keyPrefix}:credit:${c}:${payer}`, effectiveDate, source: ctx.source });
  if (credit !== null) entries.push(...credit.entries);
  r.providerAdjustments.forEach((p, i) => {
    if (p.amountCents === 0n) return;
    const tiedClaim = p.reasonCode === 'WO' || p.reasonCode === '72' ? (ctx.referencedClaimIds.get(p.reference) ?? null) : null;
    const recouped = credit === null || tiedClaim === null ? null : recoupmentLines(credit.after, ctx.payerId, tiedClaim, p.amountCents, `PLB-${p.reasonCode}`);
    const target: AccountRef = p.reasonCode === 'L6' ? { kind: 'interest_income', payerId: ctx.payerId } : { kind: 'provider_adjustment', payerId: ctx.payerId };
    entries.push({
      key: `${ctx.keyPrefix}:plb:${i}`, reason: `plb.${p.reasonCode}`, effectiveDate,
      source: { ...ctx.source, segmentIndex: p.segmentIndex },
      ...(p.reference !== '' && { memo: `PLB03-2 ${p.reference}` }),
      lines: recouped ?? pairOf(target, { kind: 'payer_clearing', payerId: ctx.payerId }, p.amountCents, `PLB-${p.reasonCode}`, tiedClaim),
    });
  });
  return { entries, flags };
}

/**
 * The charge to record for a claim this system never submitted: CLP03, less what a prior payer's
 * adjudication (OA-23 on a secondary) already settled, so this payer's receivable nets to zero.
 */
export function unmatchedChargeCents(claim: RemittanceClaim): Cents {
  let prior = 0n;
  someAdjustment(claim, (adj) => {
    if (isPriorPayerRestatement(adj, claim, null)) prior += adj.amountCents;
    return false;
  });
  return claim.chargeCents - prior;
}
