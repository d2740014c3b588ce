// A claim's 837 body rendered on its own, apart from the set it will go into: everything but the HL
// numbers, which depend on the claims placed before it in the set (a 2000A is opened only when the billing
// provider changes, and HL01 counts up through the set). The text is cut at each HL segment; `placeClaim`
// writes the HL segments with the set's numbers and joins the pieces. This is what lets claims be
// rendered on worker threads (src/claim-exports/prepare-pool.ts) while the outbox, on the main thread, only
// numbers and joins them, and it gives the same text as rendering in place.
import type { MappedClaim } from '../domain/mapped-claim.ts';
import { Hierarchy, type SegmentValues } from './claim-837-common.ts';
import { professionalClaimSegments } from './claim-837p.ts';
import { institutionalClaimSegments } from './claim-837i.ts';
import type { SegmentText } from './claim-837-text.ts';
import { ClaimsError } from '../common/errors.ts';

export interface RenderedClaim {
  /** The billing provider as sent: a claim with the key of the claim before it shares its 2000A. */
  billingKey: string;
  /** 2000A after its HL (PRV, 2010AA, 2010AB), and how many segments that is. */
  billing: string;
  billingSegments: number;
  /** 2000B after its HL: SBR, 2010BA, 2010BB, then (when there is no 2000C) the claim. */
  subscriber: string;
  /** 2000C after its HL (PAT, 2010CA) and the claim; null when the patient is the subscriber. */
  patient: string | null;
  /** Segments in `subscriber` and `patient`. */
  segments: number;
}

/**
 * Renders claims one after another with `text` (its delimiters and line break; its count is left alone).
 * The 2000A text is rendered only when the billing provider differs from the claim before (most exports
 * send runs of one provider's claims): the same billing key always gives the same text.
 */
export class ClaimRenderer {
  /** Opens (renders) a 2000A only when the billing key changes, as in a set. */
  private hierarchy = new Hierarchy();
  private billing = '';
  private billingSegments = 0;

  constructor(private readonly text: SegmentText) {}

  render(mapped: MappedClaim): RenderedClaim {
    try {
      return this.renderText(mapped);
    } catch (err) {
      // The hierarchy may have taken the new key without its text being kept: start afresh.
      this.hierarchy = new Hierarchy();
      throw err;
    }
  }

  private renderText(mapped: MappedClaim): RenderedClaim {
    const segs = mapped.claim.record.claimType === 'professional'
      ? professionalClaimSegments(mapped, this.hierarchy)
      : institutionalClaimSegments(mapped, this.hierarchy);
    // Segment texts are joined once per piece: a flat string, not a rope of every segment's parts, which
    // would outlive the young generation (a claim waits for its batch) and cost the collector dearly.
    const pieces: string[][] = [[], [], []];
    const counts = [0, 0, 0];
    let at = -1;
    let patient = false;
    const text = this.text;
    const before = text.count;
    for (let i = 0; i < segs.length; i++) {
      const s: SegmentValues = segs[i]!;
      if (s[0] === 'HL') {
        const level = s[3];
        at = level === '20' ? 0 : level === '22' ? 1 : level === '23' ? 2 : -1;
        if (at === 2) patient = true;
        if (at === -1) throw internal(`HL03 ${String(level)}`);
        continue;
      }
      if (at === -1) throw internal(`${s[0]} before the first HL`);
      pieces[at]!.push(text.segment(s));
      counts[at]!++;
    }
    text.count = before;
    if (counts[0]! > 0) {
      this.billing = pieces[0]!.join('');
      this.billingSegments = counts[0]!;
    }
    return {
      billingKey: this.hierarchy.currentBillingKey,
      billing: this.billing,
      billingSegments: this.billingSegments,
      subscriber: pieces[1]!.join(''),
      patient: patient ? pieces[2]!.join('') : null,
      segments: counts[1]! + counts[2]!,
    };
  }
}

/**
 * The claim's text in its set: the HL segments numbered by `hierarchy` (a 2000A only when the billing
 * provider changed), written and counted by `text`, with the rendered pieces between them.
 */
export function placeClaim(r: RenderedClaim, hierarchy: Hierarchy, text: SegmentText): string {
  const hl = hierarchy.number(r.billingKey, r.patient !== null);
  let out = '';
  if (hl.newBilling) {
    out += text.segment(['HL', String(hl.billing), '', '20', '1']) + r.billing;
    text.count += r.billingSegments;
  }
  out += text.segment(['HL', String(hl.subscriber), String(hl.billing), '22', r.patient === null ? '0' : '1']) + r.subscriber;
  if (r.patient !== null) out += text.segment(['HL', String(hl.patient), String(hl.subscriber), '23', '0']) + r.patient;
  text.count += r.segments;
  return out;
}

const internal = (what: string): ClaimsError =>
  new ClaimsError({ code: 'INTERNAL', message: `837 claim rendering met an unexpected ${what}` });
