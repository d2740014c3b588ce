// Segment text for the body of 837 claims: the same rules as the X12 core's serializeSegment (trailing
// empty elements and components dropped, a value holding a delimiter refused with WRITER_DELIMITER_IN_VALUE)
// but specialised for the claims hot path: one precompiled character-class test per value instead of a
// search per delimiter, no intermediate part arrays, and a running segment count so that the outbox can
// write a claim's ~25 segments as one string and still close the set with the right SE01. Envelope
// segments (ISA, GS, ST, SE, GE, IEA) stay with the core writer. Pure.
import { ClaimsError } from '../common/errors.ts';
import type { Delimiters } from '../x12/segment.ts';
import type { Element, SegmentValues } from './claim-837-common.ts';

const escapeClass = (c: string): string => c.replace(/[\\\]^-]/g, (m) => `\\${m}`);

export class SegmentText {
  /** Segments serialised so far (for SE01). */
  count = 0;
  private readonly element: string;
  private readonly component: string;
  private readonly terminator: string;
  private readonly forbidden: RegExp;

  constructor(d: Delimiters, lineBreak = '') {
    this.element = d.element;
    this.component = d.component;
    this.terminator = d.segment + lineBreak;
    const all = [d.element, d.component, d.segment, ...(d.repetition === null ? [] : [d.repetition])];
    this.forbidden = new RegExp(`[${all.map(escapeClass).join('')}]`);
  }

  /** The text of these segments, terminators (and line breaks) included; counts them. */
  segments(list: readonly SegmentValues[]): string {
    let out = '';
    for (let i = 0; i < list.length; i++) out += this.segment(list[i]!);
    return out;
  }

  segment(values: SegmentValues): string {
    const tag = values[0];
    let out = tag;
    // Separators owed to empty elements, written only when a non-empty element follows (trailing ones drop).
    let gap = '';
    for (let i = 1; i < values.length; i++) {
      const text = this.elementText(values[i]!, tag, i);
      if (text === '') {
        gap += this.element;
        continue;
      }
      out += gap + this.element + text;
      gap = '';
    }
    this.count++;
    return out + this.terminator;
  }

  private elementText(value: Element, tag: string, n: number): string {
    if (typeof value === 'string') {
      if (value !== '' && this.forbidden.test(value)) throw delimiterIn(tag, n);
      return value;
    }
    let out = '';
    let gap = '';
    for (let i = 0; i < value.length; i++) {
      const c = value[i]!;
      if (c === '') {
        if (i > 0) gap += this.component;
        continue;
      }
      if (this.forbidden.test(c)) throw delimiterIn(tag, n);
      out += i === 0 ? c : gap + this.component + c;
      gap = '';
    }
    return out;
  }
}

function delimiterIn(tag: string, element: number): ClaimsError {
  return new ClaimsError({
    code: 'WRITER_DELIMITER_IN_VALUE',
    message: `${tag}${String(element).padStart(2, '0')} contains a delimiter`,
    location: { segmentTag: tag, element },
  });
}
