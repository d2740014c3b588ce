// Small 1-based accessors that read like the guides: element(clp, 4) is CLP04, component(svc, 1, 2) is
// SVC01-2. Missing elements and components read as '' (X12 drops trailing empties, so absence is normal).
import { ClaimsError, type Location } from '../common/errors.ts';
import type { Segment } from './segment.ts';
import { encodeUtf8 } from './text.ts';

/** Element `n` (1-based) as raw text, '' when absent. */
export function element(segment: Segment, n: number): string {
  return segment.elements[n] ?? '';
}

/**
 * Element `n` without the trailing spaces that pad fixed-width fields (ISA06 `SENDER         `), '' when
 * absent. Only the right is trimmed: that is where the guides pad, so a leading space stays visible.
 */
export function trimmedElement(segment: Segment, n: number): string {
  return (segment.elements[n] ?? '').trimEnd();
}

/** Components of element `n`, split on the interchange's component separator. */
export function components(segment: Segment, n: number): string[] {
  const value = segment.elements[n];
  if (value === undefined || value === '') return [];
  return value.split(segment.delimiters.component);
}

/** Component `c` (1-based) of element `n`; for a simple element, component 1 is the element itself. */
export function component(segment: Segment, n: number, c: number): string {
  const value = segment.elements[n];
  if (value === undefined) return '';
  const sep = segment.delimiters.component;
  if (c === 1 && !value.includes(sep)) return value;
  return value.split(sep)[c - 1] ?? '';
}

/**
 * Repetitions of element `n`, split on ISA11. Without a repetition separator (4010, or ISA11 clashing
 * with another delimiter) the element is one repetition. An absent element has none.
 */
export function repetitions(segment: Segment, n: number): string[] {
  const value = segment.elements[n];
  if (value === undefined || value === '') return [];
  const sep = segment.delimiters.repetition;
  return sep === null ? [value] : value.split(sep);
}

/** Elements `n` to the last one sent, as raw text (e.g. elementsFrom(mia, 1) is MIA01 onwards). */
export function elementsFrom(segment: Segment, n: number): string[] {
  return segment.elements.slice(n);
}

/** Number of elements after the tag (trailing empties were dropped by the sender, so this is what was sent). */
export function elementCount(segment: Segment): number {
  return segment.elements.length - 1;
}

/**
 * The first element (1-based; 0 is the tag) holding a NUL, or -1. X12 text has no control characters and
 * the database cannot store a NUL in text, so a reader refuses the set (controlCharacterError). One search
 * of the text as received when the tokenizer kept it, which is nearly always: cheap enough for every segment.
 */
export function nulElement(segment: Segment): number {
  if (segment.raw !== undefined && segment.raw.indexOf('\u0000') === -1) return -1;
  const elements = segment.elements;
  for (let i = 0; i < elements.length; i++) if ((elements[i] as string).indexOf('\u0000') !== -1) return i;
  return -1;
}

/** X12_ELEMENT_CONTROL_CHARACTER for the element nulElement found, at the reader's `location` of it (999 IK403 6: invalid character). */
export function controlCharacterError(segment: Segment, location: Location): ClaimsError {
  const n = location.element ?? 0;
  return new ClaimsError({
    code: 'X12_ELEMENT_CONTROL_CHARACTER',
    message: `${elementName(segment.tag, n)} holds a NUL byte (0x00): X12 text has no control characters, and the value cannot be stored`,
    location, expected: 'X12 text without control characters', found: element(segment, n), ack: { ik403: '6' },
  });
}

/** `CLP04`-style name for element `n` of a segment. */
export function elementName(tag: string, n: number): string {
  return `${tag}${String(n).padStart(2, '0')}`;
}

function byteLength(text: string): number {
  // eslint-disable-next-line no-control-regex
  return /^[\x00-\x7f]*$/.test(text) ? text.length : encodeUtf8(text).length;
}

/** Byte offset in the file of element `n`'s first byte (n = 0 is the tag), for precise problem locations. */
export function elementByteOffset(segment: Segment, n: number): number {
  let offset = segment.byteOffset;
  const elements = segment.elements;
  for (let i = 0; i < n && i < elements.length; i++) offset += byteLength(elements[i] as string) + 1;
  return offset;
}
