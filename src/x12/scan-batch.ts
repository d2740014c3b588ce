// What the boundary scanner (scanner.ts) hands over per chunk: segment boundaries and tag codes in
// typed arrays, and the means to turn a boundary into a Segment object when a consumer wants one. Also
// the tag codes themselves and the shared table of tag strings. Pure: no node:* imports.
import type { Delimiters } from './segment.ts';
import { TokenSegment } from './token-segment.ts';
import { latin1 } from './text.ts';

/**
 * Tag codes: a 2-character tag is `c0 << 8 | c1`, a 3-character one `1 << 24 | c0 << 16 | c1 << 8 | c2`.
 * Positive when the tag has the shape of a segment id ([A-Z][A-Z0-9]{1,2}), negated when it does not,
 * 0 for tags of any other length (empty, 1 or more than 3 characters). The six envelope tags also carry
 * ENVELOPE_TAG, so "content segment" is one range test: 0 < code < ENVELOPE_TAG.
 */
export const ENVELOPE_TAG = 1 << 30;
function code2(tag: string): number {
  return (tag.charCodeAt(0) << 8) | tag.charCodeAt(1);
}
function code3(tag: string): number {
  return 0x1000000 | (tag.charCodeAt(0) << 16) | (tag.charCodeAt(1) << 8) | tag.charCodeAt(2);
}
export const TAG_ISA = code3('ISA') | ENVELOPE_TAG;
export const TAG_IEA = code3('IEA') | ENVELOPE_TAG;
export const TAG_GS = code2('GS') | ENVELOPE_TAG;
export const TAG_GE = code2('GE') | ENVELOPE_TAG;
export const TAG_ST = code2('ST') | ENVELOPE_TAG;
export const TAG_SE = code2('SE') | ENVELOPE_TAG;

/** True for the six envelope tags (TA1 is handled with the strays). */
export function isEnvelopeTag(code: number): boolean {
  return code >= ENVELOPE_TAG;
}

const CAPACITY_START = 4096;
const EMPTY = new Uint8Array(0);
/**
 * Segment text is cut from strings of at most about this many bytes: V8 makes strings of 128 KiB or
 * more in its large-object space, which costs about ten times more per byte than a regular string.
 */
const TEXT_WINDOW_BYTES = 48 * 1024;

// Tag names by code, shared by every scanner: tags are a small, closed set, so one string per tag instead
// of one per segment. Open addressing in typed arrays (no Map, no string hashing); bounded.
const TAG_SLOTS = 8192;
const TAG_NAMES_MAX = 4096;
const tagKeys = new Int32Array(TAG_SLOTS);
const tagNames: string[] = new Array<string>(TAG_SLOTS).fill('');
let tagNameCount = 0;

function nameOfCode(code: number): string {
  const c = (code < 0 ? -code : code) & ~ENVELOPE_TAG;
  return c >= 0x1000000
    ? String.fromCharCode((c >> 16) & 0xff, (c >> 8) & 0xff, c & 0xff)
    : String.fromCharCode((c >> 8) & 0xff, c & 0xff);
}

/** The tag string of a (non-zero) tag code. */
export function tagName(code: number): string {
  let slot = Math.imul(code, 0x9e3779b1) >>> 19;
  while (true) {
    const key = tagKeys[slot] as number;
    if (key === code) return tagNames[slot] as string;
    if (key === 0) break;
    slot = (slot + 1) & (TAG_SLOTS - 1);
  }
  const name = nameOfCode(code);
  if (tagNameCount < TAG_NAMES_MAX) {
    tagKeys[slot] = code;
    tagNames[slot] = name;
    tagNameCount++;
  }
  return name;
}

/** The text between segments: almost always one of a few line breaks, so share those strings. */
function leadingText(bytes: Uint8Array, lead: number, start: number): string {
  const length = start - lead;
  const c = bytes[lead] as number;
  if (length === 1) {
    if (c === 0x0a) return '\n';
    if (c === 0x0d) return '\r';
  } else if (length === 2 && c === 0x0d && bytes[lead + 1] === 0x0a) {
    return '\r\n';
  }
  const between = latin1(bytes, lead, start);
  // Only a BOM (EF BB BF) is non-ASCII here; decode it to U+FEFF.
  return between.includes('\u00ef') ? between.replaceAll('\u00ef\u00bb\u00bf', '\ufeff') : between;
}

/** True when bytes[start, end) are all below 0x80; `words` views the same memory, 4 bytes at a time. */
function isAscii(bytes: Uint8Array, words: Int32Array, start: number, end: number): boolean {
  let i = start;
  while (i < end && (i & 3) !== 0) if ((bytes[i++] as number) >= 0x80) return false;
  let high = 0;
  const wordEnd = end >> 2;
  for (let w = i >> 2; w < wordEnd; w++) high |= words[w] as number;
  if ((high & 0x80808080) !== 0) return false;
  for (let k = Math.max(i, wordEnd << 2); k < end; k++) if ((bytes[k] as number) >= 0x80) return false;
  return true;
}

/**
 * The segments one chunk completed, as parallel arrays indexed 0..count-1. Valid until the next
 * push/end of its scanner (the arrays and bytes are reused); Segment objects made from it stay valid.
 * What precedes segment i (line breaks, a BOM) runs from the previous terminator to starts[i].
 */
export class ScanBatch {
  /** The bytes the offsets below index into (the chunk after the previous chunk's tail); only the first `length` are input. */
  bytes: Uint8Array = EMPTY;
  /** The same memory as `bytes`, four bytes at a time (its length is a multiple of 4). */
  words: Int32Array = new Int32Array(0);
  length = 0;
  /** File offset of bytes[0]. */
  byteOffset = 0;
  /** File-wide index of the first segment of the batch. */
  firstIndex = 0;
  count = 0;
  starts = new Int32Array(CAPACITY_START);
  /** Index of segment i's terminator (its end, exclusive). */
  ends = new Int32Array(CAPACITY_START);
  /** Tag codes, see TAG_ISA. */
  tags = new Int32Array(CAPACITY_START);
  /** True when the input ended inside the batch's last segment (only ever the last batch). */
  lastUnterminated = false;
  /** Delimiters in effect before the first segment; each ISA in the batch sets new ones. */
  delimitersBefore: Delimiters | null = null;
  /** Indexes of the ISAs in this batch, and the delimiters each one set. */
  readonly isaAt: number[] = [];
  readonly isaDelimiters: Delimiters[] = [];
  #text = '';
  #textStart = 0;
  #textEnd = 0;
  #textAscii = false;

  /** Forget the previous chunk. */
  reset(bytes: Uint8Array, words: Int32Array, length: number, byteOffset: number, firstIndex: number, delimiters: Delimiters | null): void {
    this.bytes = bytes;
    this.words = words;
    this.length = length;
    this.byteOffset = byteOffset;
    this.firstIndex = firstIndex;
    this.count = 0;
    this.lastUnterminated = false;
    this.delimitersBefore = delimiters;
    this.isaAt.length = 0;
    this.isaDelimiters.length = 0;
    this.#text = '';
    this.#textStart = 0;
    this.#textEnd = 0;
  }

  /** Room for more segments (arrays double when full). */
  grow(): void {
    const capacity = this.starts.length * 2;
    const widen = (from: Int32Array): Int32Array<ArrayBuffer> => {
      const to = new Int32Array(capacity);
      to.set(from);
      return to;
    };
    this.starts = widen(this.starts);
    this.ends = widen(this.ends);
    this.tags = widen(this.tags);
  }

  /** Delimiters of segment i: those of the last ISA at or before it. */
  delimitersOf(i: number): Delimiters {
    const at = this.isaAt;
    let lo = 0;
    let hi = at.length;
    // Binary search for the number of ISAs at or before i (usually none or one).
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((at[mid] as number) <= i) lo = mid + 1;
      else hi = mid;
    }
    return (lo === 0 ? this.delimitersBefore : this.isaDelimiters[lo - 1]) as Delimiters;
  }

  /** Segment i's tag as a string. */
  tag(i: number): string {
    const code = this.tags[i] as number;
    if (code !== 0) return tagName(code);
    const start = this.starts[i] as number;
    const end = this.ends[i] as number;
    const sep = this.delimitersOf(i).element.charCodeAt(0);
    let at = start;
    while (at < end && this.bytes[at] !== sep) at++;
    return latin1(this.bytes, start, at);
  }

  /**
   * Segment i as a Segment object (elements split on first access), for consumers that want a few
   * (the envelope segments): its text is copied out on its own. See segments() for all of them.
   */
  segment(i: number): TokenSegment {
    const start = this.starts[i] as number;
    const end = this.ends[i] as number;
    const lead = i === 0 ? 0 : (this.ends[i - 1] as number) + 1;
    return new TokenSegment(latin1(this.bytes, start, end), this.tag(i), this.firstIndex + i, this.byteOffset + start, this.delimitersOf(i),
      lead === start ? undefined : leadingText(this.bytes, lead, start),
      this.lastUnterminated && i === this.count - 1 ? true : undefined, false);
  }

  /**
   * Every segment of the batch as an object, in order. Segment text is cut from one string per
   * TEXT_WINDOW_BYTES (one native copy per window instead of one per segment).
   */
  segments(): TokenSegment[] {
    const count = this.count;
    const out = new Array<TokenSegment>(count);
    const { starts, ends, tags, bytes, isaAt, firstIndex, byteOffset } = this;
    let delimiters = this.delimitersBefore as Delimiters;
    let isa = 0;
    let nextIsa = isaAt.length > 0 ? isaAt[0] as number : count;
    let lead = 0;
    for (let i = 0; i < count; i++) {
      if (i === nextIsa) {
        delimiters = this.isaDelimiters[isa++] as Delimiters;
        nextIsa = isa < isaAt.length ? isaAt[isa] as number : count;
      }
      const start = starts[i] as number;
      const end = ends[i] as number;
      if (start < this.#textStart || end > this.#textEnd) this.#window(start, end);
      const code = tags[i] as number;
      out[i] = new TokenSegment(this.#text.substring(start - this.#textStart, end - this.#textStart),
        code !== 0 ? tagName(code) : this.tag(i), firstIndex + i, byteOffset + start, delimiters,
        lead === start ? undefined : leadingText(bytes, lead, start),
        this.lastUnterminated && i === count - 1 ? true : undefined, this.#textAscii);
      lead = end + 1;
    }
    return out;
  }

  /** Make the text window that segment text is cut from, starting at `start` and holding at least up to `end`. */
  #window(start: number, end: number): void {
    this.#textStart = start;
    this.#textEnd = Math.min(this.length, Math.max(end, start + TEXT_WINDOW_BYTES));
    this.#text = latin1(this.bytes, start, this.#textEnd);
    // One test per window spares one per segment: UTF-8 is only looked for in windows that hold a high byte.
    this.#textAscii = isAscii(this.bytes, this.words, start, this.#textEnd);
  }
}
