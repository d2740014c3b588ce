// 277CA claim acknowledgements (005010X214) for the 837s we sent: per claim, whether the payer took it into
// adjudication or refused it at the front door. Each patient loop (HL ..PT) names one claim by the
// patient control number we sent (TRN02, our CLM01) under its billing provider (HL ..19, NM1*85 NM109 the
// NPI); its STC01-1 is the claim status category: A0 forwarded, A1 received, A2 accepted, A5 split are
// acceptances; A3 returned as unprocessable, A4 not found, A6 rejected for missing information, A7 for
// invalid information, A8 for a relational error are rejections (`claims submit --resubmit` after a fix).
// The claim is the chain's newest non-void one sent to that NPI with that control number; it moves from
// submitted to accepted, or from submitted or accepted to rejected, with a history row (source 277CA).
// Statuses only move forward: the same 277CA again changes nothing. A claim we never sent, or a category
// that is neither (E0-E4 response not possible, DR data reporting), is reported (warning) and changes
// nothing; a loop without its control number or status is a located error (quarantine).
import type { PoolClient } from 'pg';
import { ClaimsError } from '../common/errors.ts';
import { withTransaction } from '../runtime/database.ts';
import type { SetHandler, SetOutcome, X12Set } from '../exchange/set-handler.ts';
import type { Segment } from '../x12/segment.ts';
import { components, controlCharacterError, element, nulElement } from '../x12/access.ts';
import { idLabel } from '../x12/id-qualifiers.ts';
import { SQL } from './sql.ts';
import { moveClaims, nextStatus, type AckVerdict } from './ack-status.ts';

export interface ClaimAck {
  /** NM109 of the billing provider (NM1*85): an NPI when billingIdQualifier is XX. */
  billingNpi: string;
  /** NM108: XX NPI, FI tax id, ... (what the id is, for messages). */
  billingIdQualifier: string;
  patientControlNumber: string;
  /** STC01-1 of the first STC (the claim's current status). */
  category: string;
  /** STC01-2 status code (e.g. 20 accepted for processing, 562 entity's NPI). */
  statusCode: string;
  /** REF*1K: the payer's claim control number, when given. */
  payerClaimNumber: string | null;
  segmentIndex: number;
}

const ACCEPTED = new Set(['A0', 'A1', 'A2', 'A5']);
const REJECTED = new Set(['A3', 'A4', 'A6', 'A7', 'A8']);

/** The claim-level acknowledgements of a 277CA set. Pure. */
export function read277ca(set: { segments: Segment[]; fileName: string; interchange: string; group: string; set: string }): ClaimAck[] {
  const where = (s: Segment, element?: number) => ({
    file: set.fileName, interchange: set.interchange, group: set.group, set: set.set, segmentIndex: s.index, segmentTag: s.tag, ...(element !== undefined && { element }),
  });
  const out: ClaimAck[] = [];
  let level = '';
  let npi = '';
  let qualifier = '';
  let claim: (Omit<ClaimAck, 'category' | 'statusCode'> & { category: string | null; statusCode: string; hl: Segment }) | null = null;
  const close = (): void => {
    if (!claim) return;
    if (claim.patientControlNumber === '') throw new ClaimsError({ code: 'ACK_277CA_TRN_MISSING', message: 'a patient loop (HL PT) has no TRN*2 with the claim\'s control number', location: where(claim.hl), expected: 'TRN*2*CLM01' });
    if (claim.category === null) throw new ClaimsError({ code: 'ACK_277CA_STC_MISSING', message: `claim ${claim.patientControlNumber} has no STC status`, location: where(claim.hl), expected: 'STC' });
    const { hl: _hl, category, ...rest } = claim;
    out.push({ ...rest, category });
    claim = null;
  };
  for (const s of set.segments) {
    // Control numbers from here are looked up and stored: a NUL refuses the set (the database cannot take it).
    if (nulElement(s) !== -1) throw controlCharacterError(s, where(s, nulElement(s)));
    if (s.tag === 'HL') {
      close();
      level = element(s, 3);
      if (level === '19') npi = qualifier = '';
      if (level === 'PT') claim = { billingNpi: npi, billingIdQualifier: qualifier, patientControlNumber: '', category: null, statusCode: '', payerClaimNumber: null, segmentIndex: s.index, hl: s };
      continue;
    }
    if (level === '19' && s.tag === 'NM1' && element(s, 1) === '85') {
      npi = element(s, 9);
      qualifier = element(s, 8);
    }
    if (!claim) continue;
    if (s.tag === 'TRN' && element(s, 1) === '2') claim.patientControlNumber = element(s, 2);
    else if (s.tag === 'STC' && claim.category === null) {
      const [category = '', status = ''] = components(s, 1);
      if (!/^[A-Z][A-Z0-9]{1,2}$/.test(category)) {
        throw new ClaimsError({ code: 'ACK_277CA_CATEGORY_INVALID', message: `STC01-1 ${JSON.stringify(category)} is not a claim status category code`, location: { ...where(s, 1), component: 1 }, expected: 'a category code such as A2 or A7', found: category });
      }
      claim.category = category;
      claim.statusCode = status;
    } else if (s.tag === 'REF' && element(s, 1) === '1K') claim.payerClaimNumber = element(s, 2);
  }
  close();
  return out;
}

export async function record277ca(client: PoolClient, acks: readonly ClaimAck[], note: string): Promise<{ matched: number; accepted: number; rejected: number; unmatched: ClaimAck[]; other: ClaimAck[] }> {
  const result = { matched: 0, accepted: 0, rejected: 0, unmatched: [] as ClaimAck[], other: [] as ClaimAck[] };
  // One lookup for the whole set; the moves are applied together at the end.
  const found = await client.query<{ billing_npi: string; patient_control_number: string; id: string; status: string }>(SQL.latestClaims, [acks.map((a) => a.billingNpi), acks.map((a) => a.patientControlNumber)]);
  const claimOf = new Map(found.rows.map((r) => [`${r.billing_npi}|${r.patient_control_number}`, r]));
  const moves: { id: string; to: AckVerdict; note: string }[] = [];
  for (const a of acks) {
    const row = claimOf.get(`${a.billingNpi}|${a.patientControlNumber}`);
    if (!row) {
      result.unmatched.push(a);
      continue;
    }
    result.matched++;
    // Other categories (E0-E4 response not possible, DR data reporting, masked codes) change nothing.
    if (!ACCEPTED.has(a.category) && !REJECTED.has(a.category)) {
      result.other.push(a);
      continue;
    }
    const to = nextStatus(row.status, ACCEPTED.has(a.category) ? 'accepted' : 'rejected');
    if (to === null) continue;
    // A later loop naming the same claim starts from the status this one gave it.
    row.status = to;
    moves.push({ id: row.id, to, note: `${note}: STC ${a.category}:${a.statusCode}${a.payerClaimNumber ? ` payer claim ${a.payerClaimNumber}` : ''}` });
    if (to === 'accepted') result.accepted++;
    else result.rejected++;
  }
  await moveClaims(client, moves, '277CA');
  return result;
}

export const ack277caHandler: SetHandler = {
  name: 'ack-277ca',
  transactionSet: '277',
  functionalId: 'HN',
  readsAnyGroup: true,
  versions: ['005010X214'],
  async handleSet(set: X12Set, ctx): Promise<SetOutcome> {
    const base = { set: set.set, transactionSet: '277' };
    let acks: ClaimAck[];
    try {
      acks = read277ca({ segments: set.segments, fileName: ctx.fileName, interchange: set.interchange, group: set.group, set: set.set });
    } catch (err) {
      if (!(err instanceof ClaimsError)) throw err;
      return { ...base, status: 'quarantined', reasons: [err] };
    }
    const note = `277CA ${ctx.fileName} ISA13 ${set.interchange} ST02 ${set.set}`;
    const r = await withTransaction(ctx.pool, async (client) => {
      const result = await record277ca(client, acks, note);
      await ctx.inTransaction?.(client);
      return result;
    });
    const loc = { file: ctx.fileName, interchange: set.interchange, group: set.group, set: set.set };
    const reasons: ClaimsError[] = [];
    if (r.unmatched.length > 0) {
      reasons.push(new ClaimsError({ code: 'ACK_277CA_UNMATCHED', severity: 'warning', message: `${r.unmatched.length} claim(s) acknowledged that this system did not send (first: ${r.unmatched[0]!.patientControlNumber} for ${idLabel(r.unmatched[0]!.billingIdQualifier)} ${r.unmatched[0]!.billingNpi})`, location: { ...loc, segmentIndex: r.unmatched[0]!.segmentIndex, segmentTag: 'HL' } }));
    }
    if (r.other.length > 0) {
      reasons.push(new ClaimsError({ code: 'ACK_277CA_CATEGORY_OTHER', severity: 'warning', message: `${r.other.length} claim(s) with a status category that neither accepts nor rejects (first: ${r.other[0]!.category} for ${r.other[0]!.patientControlNumber}): status unchanged`, location: { ...loc, segmentIndex: r.other[0]!.segmentIndex, segmentTag: 'HL' } }));
    }
    if (r.rejected > 0) {
      reasons.push(new ClaimsError({ code: 'ACK_277CA_CLAIMS_REJECTED', severity: 'warning', message: `${r.rejected} claim(s) rejected by the payer: marked rejected (fix and send with --resubmit)`, location: loc }));
    }
    const counts = { claims: acks.length, matchedClaims: r.matched, accepted: r.accepted, rejected: r.rejected };
    const status = r.accepted + r.rejected > 0 ? 'posted' : r.matched > 0 ? 'duplicate' : 'skipped';
    return { ...base, status, counts, reasons };
  },
};
