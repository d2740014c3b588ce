// The Segment the tokenizer makes: raw text kept as received, elements split (and UTF-8 decoded, only
// when the segment holds a non-ASCII byte) on first access. Kept small: one object and one string per
// segment until someone reads its elements.
import type { Delimiters, Segment } from './segment.ts';
import { decodeSegmentText } from './text.ts';

/**
 * `text.split(separator)` for a one-character separator, written out: counting first gives an array of
 * the exact size, and short indexOf/substring calls beat the built-in split on segments this short.
 */
export function splitElements(text: string, separator: string): string[] {
  let count = 1;
  for (let at = text.indexOf(separator); at !== -1; at = text.indexOf(separator, at + 1)) count++;
  const out = new Array<string>(count);
  let from = 0;
  for (let k = 0; k < count - 1; k++) {
    const at = text.indexOf(separator, from);
    out[k] = text.substring(from, at);
    from = at + 1;
  }
  out[count - 1] = text.substring(from);
  return out;
}

export class TokenSegment implements Segment {
  readonly tag: string;
  readonly index: number;
  readonly byteOffset: number;
  readonly delimiters: Delimiters;
  /** Segment text as received, one char per byte, terminator excluded. */
  readonly raw: string;
  readonly leading: string | undefined;
  readonly unterminated: boolean | undefined;
  #elements: string[] | undefined;
  /** False when the text may hold UTF-8 to decode; true when it is known to be ASCII. */
  readonly #ascii: boolean;

  constructor(raw: string, tag: string, index: number, byteOffset: number, delimiters: Delimiters,
    leading: string | undefined, unterminated: boolean | undefined, ascii = false) {
    this.raw = raw;
    this.tag = tag;
    this.index = index;
    this.byteOffset = byteOffset;
    this.delimiters = delimiters;
    this.leading = leading;
    this.unterminated = unterminated;
    this.#elements = undefined;
    this.#ascii = ascii;
  }

  /** Length in bytes of the segment text, terminator excluded. */
  get byteLength(): number {
    return this.raw.length;
  }

  get elements(): string[] {
    this.#elements ??= splitElements(this.#ascii ? this.raw : decodeSegmentText(this.raw), this.delimiters.element);
    return this.#elements;
  }

  set elements(value: string[]) {
    this.#elements = value;
  }

  toJSON(): Record<string, unknown> {
    return {
      tag: this.tag, elements: this.elements, index: this.index, byteOffset: this.byteOffset,
      ...(this.leading !== undefined && { leading: this.leading }),
      ...(this.unterminated && { unterminated: true }),
    };
  }
}
