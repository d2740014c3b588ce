// The X12 tokenizer: bytes in, segments out. Pure and incremental: feed chunks of any size (a segment,
// an ISA, a UTF-8 BOM may be split at any byte) and it yields the same segments as for the whole buffer.
// Delimiters come from each ISA, so one file may hold interchanges with different delimiters.
// It only splits; envelope rules (counts, control numbers, versions) live in envelope.ts.
import { ClaimsError } from '../runtime/errors.ts';
import type { Delimiters, Segment } from './segment.ts';
import { decodeSegmentText, excerpt, latin1 } from './text.ts';

export interface TokenizerOptions {
  /** File name for error locations. */
  file?: string;
  /** Longest segment accepted, in bytes; bounds memory on input that never terminates a segment. */
  segmentBytesMax?: number;
}

const SEGMENT_BYTES_MAX = 1 << 20;
/** An ISA is 105 bytes when padded; unpadded ones are shorter. Anything longer is not an ISA. */
const ISA_BYTES_MAX = 256;
const BOM = '\u00ef\u00bb\u00bf';

/** A segment as the tokenizer makes it: elements are split (and UTF-8 decoded) on first access. */
export class TokenSegment implements Segment {
  readonly tag: string;
  readonly index: number;
  readonly byteOffset: number;
  readonly delimiters: Delimiters;
  /** Segment text as received, one char per byte, terminator excluded. */
  readonly raw: string;
  readonly byteLength: number;
  readonly leading: string | undefined;
  readonly unterminated: boolean | undefined;
  #elements: string[] | undefined;

  constructor(raw: string, tag: string, index: number, byteOffset: number, delimiters: Delimiters,
    leading: string | undefined, unterminated: boolean | undefined) {
    this.raw = raw;
    this.tag = tag;
    this.index = index;
    this.byteOffset = byteOffset;
    this.delimiters = delimiters;
    this.byteLength = raw.length;
    this.leading = leading;
    this.unterminated = unterminated;
  }

  get elements(): string[] {
    this.#elements ??= decodeSegmentText(this.raw).split(this.delimiters.element);
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

function isAlphanumeric(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
}

/** The text between segments: almost always one of a few line breaks, so share those strings. */
function leadingText(text: string, lead: number, start: number): string {
  const length = start - lead;
  if (length === 1) {
    const c = text.charCodeAt(lead);
    if (c === 0x0a) return '\n';
    if (c === 0x0d) return '\r';
  } else if (length === 2 && text.charCodeAt(lead) === 0x0d && text.charCodeAt(lead + 1) === 0x0a) {
    return '\r\n';
  }
  const between = text.substring(lead, start);
  // Only a BOM (EF BB BF) is non-ASCII here; decode it to U+FEFF.
  return between.includes('\u00ef') ? decodeSegmentText(between) : between;
}

function isWhitespace(code: number): boolean {
  return code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09;
}

/**
 * Incremental tokenizer. `push(chunk)` returns the segments completed by that chunk; `end()` returns the
 * rest. Throws a located ClaimsError when the input cannot be split at all (no ISA, a broken ISA, UTF-16,
 * a segment longer than `segmentBytesMax`); everything else is left to the envelope checks.
 */
export class Tokenizer {
  readonly #file: string | undefined;
  readonly #segmentBytesMax: number;
  /** Unconsumed input (latin1), starting at byte `#carryOffset` of the whole input. */
  #carry = '';
  #carryOffset = 0;
  #delimiters: Delimiters | null = null;
  #index = 0;
  #ended = false;
  #trailing = '';

  constructor(options: TokenizerOptions = {}) {
    this.#file = options.file;
    this.#segmentBytesMax = options.segmentBytesMax ?? SEGMENT_BYTES_MAX;
  }

  /** Segments yielded so far. */
  get segmentCount(): number {
    return this.#index;
  }

  /** Whitespace after the last segment (known after `end()`), for byte-exact round trips. */
  get trailing(): string {
    return this.#trailing;
  }

  push(chunk: Uint8Array): Segment[] {
    if (this.#ended) throw new Error('Tokenizer.push after end');
    if (chunk.length === 0) return [];
    const text = latin1(chunk);
    this.#carry = this.#carry === '' ? text : this.#carry + text;
    const out: Segment[] = [];
    this.#scan(false, out);
    return out;
  }

  end(): Segment[] {
    if (this.#ended) return [];
    this.#ended = true;
    const out: Segment[] = [];
    this.#scan(true, out);
    return out;
  }

  #scan(final: boolean, out: Segment[]): void {
    const text = this.#carry;
    const length = text.length;
    let p = 0;
    let keepFrom: number;
    while (true) {
      const lead = p;
      // Whitespace and a BOM between segments are not data: skip them, keep them as `leading`.
      while (p < length) {
        const c = text.charCodeAt(p);
        if (isWhitespace(c)) p++;
        else if (c === 0xef && (final || p + 3 <= length) && text.startsWith(BOM, p)) p += 3;
        else break;
      }
      if (p >= length || (!final && text.charCodeAt(p) === 0xef && p + 3 > length)) {
        keepFrom = lead;
        break;
      }
      if (!final && length - p < 4) {
        keepFrom = lead;
        break;
      }
      if (text.charCodeAt(p) === 73 && text.charCodeAt(p + 1) === 83 && text.charCodeAt(p + 2) === 65
        && p + 3 < length && !isAlphanumeric(text.charCodeAt(p + 3))) {
        const end = this.#readIsa(text, p, final);
        if (end < 0) {
          keepFrom = lead;
          break;
        }
        this.#emit(out, text, lead, p, end, false);
        p = end + 1;
        continue;
      }
      const delimiters = this.#delimiters;
      if (delimiters === null) throw this.#noEnvelope(text, p);
      const q = text.indexOf(delimiters.segment, p);
      if (q === -1) {
        if (length - p > this.#segmentBytesMax) throw this.#tooLong(p);
        if (!final) {
          keepFrom = lead;
          break;
        }
        this.#emit(out, text, lead, p, length, true);
        keepFrom = length;
        break;
      }
      if (q - p > this.#segmentBytesMax) throw this.#tooLong(p);
      this.#emit(out, text, lead, p, q, false);
      p = q + 1;
    }
    if (final) {
      this.#trailing = text.substring(keepFrom);
      this.#carry = '';
    } else {
      this.#carry = keepFrom === 0 ? text : text.substring(keepFrom);
    }
    this.#carryOffset += final ? length : keepFrom;
  }

  #emit(out: Segment[], text: string, lead: number, start: number, end: number, unterminated: boolean): void {
    const delimiters = this.#delimiters as Delimiters;
    const raw = text.substring(start, end);
    out.push(new TokenSegment(raw, this.#tag(raw, delimiters.element), this.#index++, this.#carryOffset + start,
      delimiters, lead === start ? undefined : leadingText(text, lead, start), unterminated ? true : undefined));
  }

  /** Tags are few: reuse one string per tag instead of allocating one per segment. */
  readonly #tags = new Map<number, string>();

  #tag(raw: string, element: string): string {
    const sep = element.charCodeAt(0);
    const length = raw.length;
    const c0 = raw.charCodeAt(0);
    const c1 = length > 1 ? raw.charCodeAt(1) : sep;
    const c2 = length > 2 ? raw.charCodeAt(2) : sep;
    const c3 = length > 3 ? raw.charCodeAt(3) : sep;
    // Two- and three-character tags of one-byte chars are cached by their char codes.
    if (c1 !== sep && c2 === sep && c0 < 256 && c1 < 256) return this.#cached(c0 * 256 + c1, raw, 2);
    if (c1 !== sep && c2 !== sep && c3 === sep && c0 < 256 && c1 < 256 && c2 < 256) return this.#cached((c0 * 256 + c1) * 256 + c2 + 0x1000000, raw, 3);
    const tagEnd = raw.indexOf(element);
    return raw.substring(0, tagEnd === -1 ? length : tagEnd);
  }

  #cached(key: number, raw: string, length: number): string {
    let tag = this.#tags.get(key);
    if (tag === undefined) {
      tag = raw.substring(0, length);
      if (this.#tags.size < 4096) this.#tags.set(key, tag);
    }
    return tag;
  }

  /**
   * Read the delimiters of the ISA at `p` and return the index of its terminator, or -1 when more input
   * is needed. The element separator is the byte after `ISA`; ISA16 follows the 16th separator and the
   * terminator follows ISA16, which also works for ISAs whose fields are not padded.
   */
  #readIsa(text: string, p: number, final: boolean): number {
    const element = text[p + 3] as string;
    const separators: number[] = [p + 3];
    let at = p + 3;
    while (separators.length < 16) {
      at = text.indexOf(element, at + 1);
      if (at === -1 || at - p > ISA_BYTES_MAX) {
        if (!final && (at === -1 ? text.length - p <= ISA_BYTES_MAX : false)) return -1;
        throw this.#isaError('ISA_INVALID', p, 'an ISA with 16 elements', `${separators.length} element separators`);
      }
      separators.push(at);
    }
    if (at + 2 >= text.length) {
      if (!final) return -1;
      throw this.#isaError('ISA_TRUNCATED', p, 'ISA16 and a segment terminator', 'end of input');
    }
    const component = text[at + 1] as string;
    const segment = text[at + 2] as string;
    const codes = [element, component, segment].map((c) => c.charCodeAt(0));
    if (codes.some(isAlphanumeric) || new Set([element, component, segment]).size !== 3) {
      throw this.#isaError('ISA_DELIMITERS_INVALID', p,
        'distinct, non-alphanumeric element, component and segment delimiters',
        `element ${JSON.stringify(element)}, component ${JSON.stringify(component)}, segment ${JSON.stringify(segment)}`);
    }
    // ISA11 is the repetition separator in 5010; in 4010 it is the standards id `U` (no repetition).
    const isa11 = text.substring((separators[10] as number) + 1, separators[11] as number);
    const usable = isa11.length === 1 && !isAlphanumeric(isa11.charCodeAt(0))
      && isa11 !== element && isa11 !== component && isa11 !== segment;
    this.#delimiters = { element, component, repetition: usable ? isa11 : null, segment };
    return at + 2;
  }

  #location(p: number): { file?: string; segmentIndex: number; byteOffset: number } {
    return {
      ...(this.#file !== undefined && { file: this.#file }),
      segmentIndex: this.#index,
      byteOffset: this.#carryOffset + p,
    };
  }

  #isaError(code: string, p: number, expected: string, found: string): ClaimsError {
    return new ClaimsError({
      code,
      message: `cannot read the interchange header: expected ${expected}, found ${found}`,
      location: { ...this.#location(p), segmentTag: 'ISA' },
      expected,
      found,
      ack: { ta1: code === 'ISA_TRUNCATED' ? '023' : '024' },
    });
  }

  #noEnvelope(text: string, p: number): ClaimsError {
    const head = text.substring(p, p + 8);
    if (head.includes('\u0000') || /^[\u00fe\u00ff]{2}/.test(head)) {
      return new ClaimsError({
        code: 'ENCODING_UNSUPPORTED',
        message: 'input looks like UTF-16; X12 interchanges are read as ASCII/UTF-8 only',
        location: this.#location(p),
        expected: 'ASCII or UTF-8 bytes starting with ISA',
        found: 'UTF-16 (NUL bytes or a UTF-16 byte order mark)',
        ack: { ta1: '024' },
      });
    }
    return new ClaimsError({
      code: 'NO_ENVELOPE',
      message: 'input does not start with an ISA interchange header',
      location: this.#location(p),
      expected: 'ISA',
      found: excerpt(text.substring(p, p + 16), 16),
      ack: { ta1: '024' },
    });
  }

  #tooLong(p: number): ClaimsError {
    return new ClaimsError({
      code: 'SEGMENT_TOO_LONG',
      message: `no segment terminator within ${this.#segmentBytesMax} bytes`,
      location: this.#location(p),
      expected: `a segment terminator ${JSON.stringify(this.#delimiters?.segment ?? '~')}`,
      found: `more than ${this.#segmentBytesMax} bytes without one`,
    });
  }
}

/** Tokenize a whole buffer. */
export function tokenize(bytes: Uint8Array, options: TokenizerOptions = {}): Segment[] {
  const tokenizer = new Tokenizer(options);
  const out = tokenizer.push(bytes);
  for (const s of tokenizer.end()) out.push(s);
  return out;
}

/** Tokenize a sequence of chunks lazily (synchronous sources: arrays of chunks, test feeders). */
export function* tokenizeChunks(chunks: Iterable<Uint8Array>, options: TokenizerOptions = {}): Generator<Segment> {
  const tokenizer = new Tokenizer(options);
  for (const chunk of chunks) yield* tokenizer.push(chunk);
  yield* tokenizer.end();
}
