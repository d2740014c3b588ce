// Matching an 835 claim's service lines to the lines this system submitted. Pure.
// Order (DOMAIN.md, 835; RFI 1917, 2224): REF*6R equal to the 837 line's REF*6R; then a REF*6R that is
// the line number (payers that echo LX); then procedure (as paid or as submitted, SVC06) + service date +
// charge when exactly one submitted line fits. Never by position alone: payers re-code and re-order lines.
// A line that fits several, or none, posts at claim level and is flagged.
import type { RemittanceServiceLine } from '../domain/remittance.ts';
import type { Cents } from '../common/money.ts';

export interface SubmittedLine {
  id: string;
  /** 1-based LX number in the 837. */
  lineNumber: number;
  /** The 837 line's REF*6R. */
  lineControlNumber: string | null;
  procedureCode: string;
  serviceDate: string | null;
  chargeCents: Cents;
}

export type LineMatchMethod = 'line_control_number' | 'line_number' | 'procedure_date_charge' | 'ambiguous' | 'none';

export interface LineMatch {
  lineId: string | null;
  method: LineMatchMethod;
}

export function matchServiceLines(remitLines: readonly RemittanceServiceLine[], submitted: readonly SubmittedLine[]): LineMatch[] {
  const taken = new Set<string>();
  const out: LineMatch[] = remitLines.map(() => ({ lineId: null, method: 'none' }));
  const byControl = new Map<string, SubmittedLine[]>();
  for (const s of submitted) {
    if (s.lineControlNumber === null) continue;
    const list = byControl.get(s.lineControlNumber) ?? [];
    list.push(s);
    byControl.set(s.lineControlNumber, list);
  }
  // Pass 1: REF*6R. A control number shared by two submitted lines is not an answer.
  remitLines.forEach((l, i) => {
    if (l.lineControlNumber === null || l.lineControlNumber === '') return;
    const hits = byControl.get(l.lineControlNumber);
    if (hits && hits.length === 1 && !taken.has(hits[0]!.id)) {
      out[i] = { lineId: hits[0]!.id, method: 'line_control_number' };
      taken.add(hits[0]!.id);
    }
  });
  // Pass 2: a REF*6R that is a plain line number.
  remitLines.forEach((l, i) => {
    if (out[i]!.lineId !== null || l.lineControlNumber === null || !/^\d{1,3}$/.test(l.lineControlNumber)) return;
    const n = Number(l.lineControlNumber);
    const hit = submitted.find((s) => s.lineNumber === n && !taken.has(s.id));
    if (hit) {
      out[i] = { lineId: hit.id, method: 'line_number' };
      taken.add(hit.id);
    }
  });
  // Pass 3: procedure + date + charge, only when exactly one untaken line fits.
  remitLines.forEach((l, i) => {
    if (out[i]!.lineId !== null) return;
    const codes = new Set([l.procedure.code, l.submittedProcedure?.code].filter((c): c is string => !!c));
    const fits = submitted.filter(
      (s) => !taken.has(s.id) && codes.has(s.procedureCode) && s.chargeCents === l.chargeCents &&
        (l.serviceDate === null || s.serviceDate === null || s.serviceDate === l.serviceDate),
    );
    if (fits.length === 1) {
      out[i] = { lineId: fits[0]!.id, method: 'procedure_date_charge' };
      taken.add(fits[0]!.id);
    } else if (fits.length > 1) {
      out[i] = { lineId: null, method: 'ambiguous' };
    }
  });
  return out;
}

/** A reversal (CLP02 22) to pair with the posting it negates. */
export interface WantedReversal {
  pcn: string;
  payerClaimNumber: string;
  /** The reversal's CLP03 and CLP04 (negative, as received). */
  chargeCents: Cents;
  paidCents: Cents;
}

/** A posting of the same CLP01 by the same payer that a reversal could negate (newest first). */
export interface ReversalCandidate {
  entryKey: string;
  chargeCents: Cents;
  paidCents: Cents;
  /** True when an earlier remittance already reversed it. */
  reversed: boolean;
}

export type ReversalPick = { kind: 'original'; entryKey: string } | { kind: 'already_reversed'; entryKey: string } | { kind: 'missing' };

/**
 * Pair each reversal with one original, in remittance order, each original at most once. Among the
 * unreversed candidates the one whose CLP03/CLP04 the reversal negates exactly wins (a split claim's two
 * parts share CLP01, RFI 1076), else the newest. A reversal whose every candidate is already reversed
 * (earlier, or by another reversal of this remittance) is a second reversal of the same payment: it must
 * not post (DOMAIN.md trap 2). With no candidate at all the payer reverses a payment this system never
 * posted (another system paid it): it posts from its own amounts.
 */
export function pickReversalOriginals(wanted: readonly WantedReversal[], candidates: readonly (readonly ReversalCandidate[])[]): ReversalPick[] {
  const taken = new Set<string>();
  return wanted.map((w, i) => {
    const all = candidates[i] ?? [];
    const open = all.filter((c) => !c.reversed && !taken.has(c.entryKey));
    const pick = open.find((c) => c.chargeCents === -w.chargeCents && c.paidCents === -w.paidCents) ?? open[0];
    if (pick) {
      taken.add(pick.entryKey);
      return { kind: 'original', entryKey: pick.entryKey };
    }
    if (all.length > 0) return { kind: 'already_reversed', entryKey: all[0]!.entryKey };
    return { kind: 'missing' };
  });
}
