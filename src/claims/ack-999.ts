// 999s received for the 837s we sent: the payer's (or clearinghouse's) syntax verdict on each claim set.
// AK1 names our functional group (AK102 = the GS06 we wrote), each AK2 one of our sets (AK202 = ST02), its
// IK5 the verdict; AK9 the group's. A set accepted (IK5 A or E) moves its claims from submitted to accepted;
// a set rejected (R, M, W, X), or every set of a group rejected with no AK2 loops, moves them to rejected,
// which `claims submit --resubmit` may send again. Each change is a status-history row with source 999 and
// the envelope. Claims are found by the 999's sender (the receiver we addressed) with GS06 and ST02, which
// our counters keep unique per sender and receiver. Idempotent: a status only moves forward from
// submitted (or accepted, for a rejection), so the same 999 again changes nothing ('duplicate').
// A 999 for a group we did not send (another system's, or a 270's) is reported and skipped.
import type { PoolClient } from 'pg';
import { ClaimsError } from '../common/errors.ts';
import { withTransaction } from '../runtime/database.ts';
import type { SetHandler, SetOutcome, X12Set } from '../exchange/set-handler.ts';
import type { Segment } from '../x12/segment.ts';
import { controlCharacterError, element, elementsFrom, nulElement } from '../x12/access.ts';
import { moveClaims, nextStatus, type AckVerdict } from './ack-status.ts';
import { SQL } from './sql.ts';

export interface Ack999Set {
  transactionSet: string;
  controlNumber: string;
  /** IK501: A accepted, E accepted with errors, R/M/W/X rejected. */
  verdict: string;
  /** IK502..IK506 */
  codes: string[];
  segmentIndex: number;
}

export interface Ack999Group {
  functionalId: string;
  controlNumber: string;
  version: string;
  sets: Ack999Set[];
  /** AK901 */
  verdict: string;
  segmentIndex: number;
}

const ACCEPTED = new Set(['A', 'E']);
const REJECTED = new Set(['R', 'M', 'W', 'X']);

/** Read a 999's AK1/AK2/IK5/AK9 (IK3/IK4/CTX are kept only as counts of what the sender found). Pure. */
export function read999(set: Pick<X12Set, 'segments'> & { fileName: string; interchange: string; group: string; set: string }): Ack999Group {
  const where = (s: Segment, element?: number) => ({
    file: set.fileName, interchange: set.interchange, group: set.group, set: set.set, segmentIndex: s.index, segmentTag: s.tag, ...(element !== undefined && { element }),
  });
  let group: Ack999Group | null = null;
  let current: Ack999Set | null = null;
  for (const s of set.segments) {
    // Control numbers from here are looked up and stored: a NUL refuses the set (the database cannot take it).
    if (nulElement(s) !== -1) throw controlCharacterError(s, where(s, nulElement(s)));
    switch (s.tag) {
      case 'AK1':
        if (group) throw new ClaimsError({ code: 'ACK_999_AK1_REPEATED', message: 'a 999 acknowledges one functional group: a second AK1', location: where(s) });
        if (element(s, 1) === '' || element(s, 2) === '') throw new ClaimsError({ code: 'ACK_999_AK1_INVALID', message: 'AK1 needs the functional identifier (AK101) and the group control number (AK102)', location: where(s, element(s, 1) === '' ? 1 : 2), expected: 'AK1*HC*GS06', found: elementsFrom(s, 1).join('*') });
        group = { functionalId: element(s, 1), controlNumber: element(s, 2), version: element(s, 3), sets: [], verdict: '', segmentIndex: s.index };
        break;
      case 'AK2':
        if (!group) throw new ClaimsError({ code: 'ACK_999_SEGMENT_OUT_OF_PLACE', message: 'AK2 before AK1', location: where(s), expected: 'AK1' });
        if (element(s, 2) === '') throw new ClaimsError({ code: 'ACK_999_AK2_INVALID', message: 'AK2 needs the transaction set control number (AK202)', location: where(s, 2), expected: 'the ST02 acknowledged', found: '' });
        current = { transactionSet: element(s, 1), controlNumber: element(s, 2), verdict: '', codes: [], segmentIndex: s.index };
        group.sets.push(current);
        break;
      case 'IK5':
        if (!current) throw new ClaimsError({ code: 'ACK_999_SEGMENT_OUT_OF_PLACE', message: 'IK5 outside an AK2 loop', location: where(s), expected: 'AK2' });
        if (!ACCEPTED.has(element(s, 1)) && !REJECTED.has(element(s, 1))) throw new ClaimsError({ code: 'ACK_999_IK5_INVALID', message: `IK501 ${element(s, 1)} is not a 999 acknowledgment code`, location: where(s, 1), expected: 'A, E, M, R, W or X', found: element(s, 1) });
        current.verdict = element(s, 1);
        current.codes = elementsFrom(s, 2).filter((c) => c !== '');
        current = null;
        break;
      case 'AK9':
        if (!group) throw new ClaimsError({ code: 'ACK_999_SEGMENT_OUT_OF_PLACE', message: 'AK9 before AK1', location: where(s), expected: 'AK1' });
        if (!['A', 'E', 'M', 'P', 'R', 'W', 'X'].includes(element(s, 1))) throw new ClaimsError({ code: 'ACK_999_AK9_INVALID', message: `AK901 ${element(s, 1)} is not a 999 group acknowledgment code`, location: where(s, 1), expected: 'A, E, M, P, R, W or X', found: element(s, 1) });
        group.verdict = element(s, 1);
        break;
      default:
    }
  }
  const end = set.segments.at(-1)!;
  if (!group) throw new ClaimsError({ code: 'ACK_999_AK1_MISSING', message: 'the 999 has no AK1', location: where(end), expected: 'AK1' });
  if (group.verdict === '') throw new ClaimsError({ code: 'ACK_999_AK9_MISSING', message: 'the 999 has no AK9', location: where(end), expected: 'AK9' });
  const open = group.sets.find((x) => x.verdict === '');
  if (open) throw new ClaimsError({ code: 'ACK_999_IK5_MISSING', message: `AK2 ${open.controlNumber} has no IK5`, location: { ...where(end), segmentIndex: open.segmentIndex, segmentTag: 'AK2' }, expected: 'IK5' });
  return group;
}

/** Each of our sets' verdict: from its AK2 loop, or the group's when the 999 lists no sets. */
export function setVerdicts(g: Ack999Group): { accepted: string[]; rejected: string[]; groupWide: 'accepted' | 'rejected' | null } {
  if (g.sets.length === 0) {
    const groupWide = ACCEPTED.has(g.verdict) ? 'accepted' : g.verdict === 'R' || REJECTED.has(g.verdict) ? 'rejected' : null;
    return { accepted: [], rejected: [], groupWide };
  }
  const ours = g.sets.filter((x) => x.transactionSet === '837');
  return {
    accepted: ours.filter((x) => ACCEPTED.has(x.verdict)).map((x) => x.controlNumber),
    rejected: ours.filter((x) => REJECTED.has(x.verdict)).map((x) => x.controlNumber),
    groupWide: g.verdict === 'R' ? 'rejected' : null,
  };
}

interface ClaimRow { id: string; status: string; st02: string | null }

const sameNumber = (a: string | null, b: string): boolean => (a ?? '').replace(/^0+/, '') === b.replace(/^0+/, '');

export async function record999(client: PoolClient, sender: string, g: Ack999Group, note: string): Promise<{ matched: number; accepted: number; rejected: number }> {
  const rows = (await client.query<ClaimRow>(SQL.claimsOfGroup, [sender, g.controlNumber])).rows;
  const v = setVerdicts(g);
  const verdictOf = (r: ClaimRow): AckVerdict | null => {
    if (v.groupWide === 'rejected') return 'rejected';
    if (v.rejected.some((n) => sameNumber(r.st02, n))) return 'rejected';
    if (v.accepted.some((n) => sameNumber(r.st02, n))) return 'accepted';
    return v.groupWide;
  };
  let matched = 0;
  const moves: { id: string; to: AckVerdict; note: string }[] = [];
  for (const r of rows) {
    const verdict = verdictOf(r);
    if (verdict === null) continue;
    matched++;
    const to = nextStatus(r.status, verdict);
    if (to !== null) moves.push({ id: r.id, to, note });
  }
  await moveClaims(client, moves, '999');
  return { matched, accepted: moves.filter((m) => m.to === 'accepted').length, rejected: moves.filter((m) => m.to === 'rejected').length };
}

export const ack999Handler: SetHandler = {
  name: 'ack-999',
  transactionSet: '999',
  functionalId: 'FA',
  readsAnyGroup: true,
  versions: ['005010X231A1', '005010X231'],
  async handleSet(set: X12Set, ctx): Promise<SetOutcome> {
    const base = { set: set.set, transactionSet: '999' };
    let g: Ack999Group;
    try {
      g = read999({ segments: set.segments, fileName: ctx.fileName, interchange: set.interchange, group: set.group, set: set.set });
    } catch (err) {
      if (!(err instanceof ClaimsError)) throw err;
      return { ...base, status: 'quarantined', reasons: [err] };
    }
    const loc = { file: ctx.fileName, interchange: set.interchange, group: set.group, set: set.set, segmentIndex: g.segmentIndex, segmentTag: 'AK1' };
    if (g.functionalId !== 'HC') {
      return { ...base, status: 'skipped', reasons: [new ClaimsError({ code: 'ACK_999_NOT_CLAIMS', severity: 'warning', message: `this 999 acknowledges a ${g.functionalId} group, not claims: nothing to record`, location: { ...loc, element: 1 } })] };
    }
    const note = `999 ${ctx.fileName} ISA13 ${set.interchange} ST02 ${set.set}: AK9 ${g.verdict}`;
    const r = await withTransaction(ctx.pool, async (client) => {
      const result = await record999(client, set.sender, g, note);
      await ctx.inTransaction?.(client);
      return result;
    });
    const counts = { matchedClaims: r.matched, accepted: r.accepted, rejected: r.rejected };
    if (r.matched === 0) {
      return { ...base, status: 'skipped', counts, reasons: [new ClaimsError({ code: 'ACK_999_UNMATCHED', severity: 'warning', message: `no claims were sent to ${set.sender} in group GS06 ${g.controlNumber}: nothing to record`, location: { ...loc, element: 2 } })] };
    }
    const rejectedSets = setVerdicts(g).rejected;
    const reasons = rejectedSets.length > 0 || g.verdict === 'R'
      ? [new ClaimsError({ code: 'ACK_999_CLAIMS_REJECTED', severity: 'warning', message: `the receiver rejected ${g.verdict === 'R' && g.sets.length === 0 ? 'the whole group' : `set(s) ${rejectedSets.join(', ')}`} of GS06 ${g.controlNumber}: ${r.rejected} claim(s) marked rejected (fix and send with --resubmit)`, location: loc })]
      : [];
    return { ...base, status: r.accepted + r.rejected > 0 ? 'posted' : 'duplicate', counts, reasons };
  },
};
