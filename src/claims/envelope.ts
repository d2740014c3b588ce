// Serialising claims' segments into an outbound 837 interchange: ISA/GS/ST headers, SE/GE/IEA trailers with
// their counts, fixed-width ISA fields and zero-padded control numbers. Pure: it returns text; the outbox
// (outbox.ts) decides where the text goes. One GroupWriter per functional group (837P and 837I need
// separate groups because GS08 names the guide); at most `claimsPerSetMax` claims per ST/SE.
//
// Kept in src/claims rather than src/x12 because the X12 core's writer was not there when this was written;
// the element contract is the same (`[tag, ...elements]`, an element being text or its components).
import type { PayerProfile } from '../payers/profile.ts';
import type { SegmentValues } from '../transactions/claim-837-common.ts';

export interface OutboundDelimiters {
  element: string;
  component: string;
  repetition: string;
  segment: string;
  /** Written after each segment terminator ('' or '\n'); not counted anywhere. */
  lineBreak: string;
}

export const DEFAULT_DELIMITERS: OutboundDelimiters = { element: '*', component: ':', repetition: '^', segment: '~', lineBreak: '' };

/** One segment as text, trailing empty elements and components dropped (X12 forbids trailing separators). */
export function serializeSegmentValues(values: SegmentValues, d: OutboundDelimiters): string {
  let end = values.length;
  while (end > 1 && isEmpty(values[end - 1]!)) end--;
  let out = values[0];
  for (let i = 1; i < end; i++) {
    const v = values[i]!;
    out += d.element;
    if (typeof v === 'string') out += v;
    else {
      let cEnd = v.length;
      while (cEnd > 0 && v[cEnd - 1] === '') cEnd--;
      for (let j = 0; j < cEnd; j++) out += (j === 0 ? '' : d.component) + v[j];
    }
  }
  return out + d.segment + d.lineBreak;
}

const isEmpty = (v: string | string[]): boolean => (typeof v === 'string' ? v === '' : v.every((c) => c === ''));

export const padControlNumber = (n: bigint | number, width: number): string => {
  const s = n.toString();
  if (s.length > width) throw new Error(`control number ${s} does not fit in ${width} digits`);
  return s.padStart(width, '0');
};

export interface InterchangeIds {
  isa13: string;
  createdAt: Date;
  payer: PayerProfile;
}

const yymmdd = (d: Date): string => d.toISOString().slice(2, 10).replaceAll('-', '');
const ccyymmdd = (d: Date): string => d.toISOString().slice(0, 10).replaceAll('-', '');
const hhmm = (d: Date): string => d.toISOString().slice(11, 16).replace(':', '');

export function isaSegment(ids: InterchangeIds, d: OutboundDelimiters): string {
  const { submitter, receiver } = ids.payer;
  // ISA is fixed width: every field padded, so the 4th byte is the element separator and the segment
  // terminator sits at byte 106 (DOMAIN.md, Envelopes). ISA14 0: no TA1 requested; the 999 is the ack.
  const fields = [
    'ISA', '00', ' '.repeat(10), '00', ' '.repeat(10),
    submitter.interchangeQualifier, submitter.interchangeId.padEnd(15),
    receiver.interchangeQualifier, receiver.interchangeId.padEnd(15),
    yymmdd(ids.createdAt), hhmm(ids.createdAt), d.repetition, '00501', ids.isa13, '0', ids.payer.usage, d.component,
  ];
  return fields.join(d.element) + d.segment + d.lineBreak;
}

export const ieaSegment = (groupCount: number, isa13: string, d: OutboundDelimiters): string =>
  ['IEA', String(groupCount), isa13].join(d.element) + d.segment + d.lineBreak;

/** Builds one functional group's text: GS, sets of at most `claimsPerSetMax` claims, GE. */
export class GroupWriter {
  private setOpen = false;
  private setSegments = 0;
  private setClaims = 0;
  private setControl = '';
  private sets = 0;
  private readonly d: OutboundDelimiters;

  constructor(
    readonly guide: string,
    readonly gs06: string,
    private readonly ids: InterchangeIds,
    readonly claimsPerSetMax: number,
    delimiters: OutboundDelimiters = DEFAULT_DELIMITERS,
  ) {
    this.d = delimiters;
  }

  header(): string {
    const { submitter, receiver } = this.ids.payer;
    return serializeSegmentValues(
      ['GS', 'HC', submitter.applicationId, receiver.applicationId, ccyymmdd(this.ids.createdAt), hhmm(this.ids.createdAt), this.gs06, 'X', this.guide],
      this.d,
    );
  }

  /** True when the next claim needs a new set (and so a new ST02). */
  needsSet(): boolean {
    return !this.setOpen || this.setClaims >= this.claimsPerSetMax;
  }

  /** Close the open set (if any) and open one with ST02 = `st02`; `header` is its ST..1000B segments. */
  openSet(st02: string, header: SegmentValues[]): string {
    let out = this.setOpen ? this.closeSet() : '';
    this.setOpen = true;
    this.setControl = st02;
    this.setSegments = 0;
    this.setClaims = 0;
    this.sets++;
    out += this.segments(header);
    return out;
  }

  claim(segments: SegmentValues[]): string {
    this.setClaims++;
    return this.segments(segments);
  }

  /** SE of the open set (if any), then GE. */
  trailer(): string {
    let out = this.setOpen ? this.closeSet() : '';
    out += serializeSegmentValues(['GE', String(this.sets), this.gs06], this.d);
    return out;
  }

  get setCount(): number {
    return this.sets;
  }

  private closeSet(): string {
    this.setOpen = false;
    // SE01 counts ST through SE inclusive.
    return serializeSegmentValues(['SE', String(this.setSegments + 1), this.setControl], this.d);
  }

  private segments(segs: SegmentValues[]): string {
    let out = '';
    for (const s of segs) out += serializeSegmentValues(s, this.d);
    this.setSegments += segs.length;
    return out;
  }
}
