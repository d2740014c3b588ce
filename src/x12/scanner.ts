// The boundary scanner: the allocation-free layer under the tokenizer. Per chunk it records where each
// segment starts and ends and its tag as an integer, in typed arrays reused from chunk to chunk
// (scan-batch.ts). Nothing is made per segment: the envelope checks read tag codes and only ask for a
// Segment object where they need elements; the Tokenizer asks for every one. Delimiters come from each
// ISA. Chunk boundaries are handled once per chunk: the unfinished tail of a chunk is kept at the front
// of a reused work buffer and the next chunk is copied in after it. Pure: no node:* imports.
import { ClaimsError } from '../common/errors.ts';
import type { ErrorCode } from '../common/error-codes.ts';
import type { Delimiters } from './segment.ts';
import { ENVELOPE_TAG, ScanBatch, TAG_GE, TAG_GS, TAG_IEA, TAG_ISA, TAG_SE, TAG_ST } from './scan-batch.ts';
import { excerpt, latin1 } from './text.ts';

export { ENVELOPE_TAG, ScanBatch, TAG_GE, TAG_GS, TAG_IEA, TAG_ISA, TAG_SE, TAG_ST, isEnvelopeTag, tagName } from './scan-batch.ts';

// The envelope tags as the scan computes them, before it marks them.
const ST = TAG_ST & ~ENVELOPE_TAG;
const SE = TAG_SE & ~ENVELOPE_TAG;
const GS = TAG_GS & ~ENVELOPE_TAG;
const GE = TAG_GE & ~ENVELOPE_TAG;
const IEA = TAG_IEA & ~ENVELOPE_TAG;

const SEGMENT_BYTES_MAX = 1 << 20;
/** An ISA is 105 bytes when padded; unpadded ones are shorter. Anything longer is not an ISA. */
const ISA_BYTES_MAX = 256;
const WORK_BYTES_MIN = 1024;
/** The word-at-a-time search assumes the first byte in memory is the lowest in the word. */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

function isAlphanumeric(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
}
function isUpper(code: number): boolean {
  return code >= 65 && code <= 90;
}
function isUpperOrDigit(code: number): boolean {
  return (code >= 65 && code <= 90) || (code >= 48 && code <= 57);
}

export interface ScannerOptions {
  /** File name for error locations. */
  file?: string;
  /** Longest segment accepted, in bytes; bounds memory on input that never terminates a segment. */
  segmentBytesMax?: number;
}


/**
 * Incremental boundary scanner. `push(chunk)` scans a chunk and returns the batch of segments it
 * completed; `end()` returns the rest. Throws a located ClaimsError when the input cannot be split at
 * all (no ISA, a broken ISA, UTF-16, a segment longer than `segmentBytesMax`).
 */
export class SegmentScanner {
  readonly batch = new ScanBatch();
  readonly #file: string | undefined;
  readonly #segmentBytesMax: number;
  /**
   * Holds the chunk being scanned, after the previous chunk's unfinished tail (`#carryLength` bytes), and
   * always one spare byte past the input for the terminator sentinel.
   */
  #work: Uint8Array = new Uint8Array(8);
  /** The work buffer read four bytes at a time (same memory). */
  #words = new Int32Array(this.#work.buffer);
  #carryStart = 0;
  #carryLength = 0;
  /** File offset of `#work[0]`. */
  #carryOffset = 0;
  #delimiters: Delimiters | null = null;
  #ended = false;
  #trailing = '';

  constructor(options: ScannerOptions = {}) {
    this.#file = options.file;
    this.#segmentBytesMax = options.segmentBytesMax ?? SEGMENT_BYTES_MAX;
  }

  /** Segments scanned so far. */
  get segmentCount(): number {
    return this.batch.firstIndex + this.batch.count;
  }

  /** Whitespace after the last segment (known after `end()`), for byte-exact round trips. */
  get trailing(): string {
    return this.#trailing;
  }

  push(chunk: Uint8Array): ScanBatch {
    // The one copy per chunk: into a work buffer reused from chunk to chunk, after the previous chunk's
    // unfinished tail. Scanning one kind of array (never a Buffer here, a Uint8Array there) keeps the hot
    // loop's element loads monomorphic.
    this.reserve(chunk.length).set(chunk);
    return this.pushReserved(chunk.length);
  }

  /**
   * Room for up to `bytes` more input, to read into directly (a file read, saving push's copy); then
   * `pushReserved(n)` scans the n bytes written. The previous batch is no longer valid after this call.
   */
  reserve(bytes: number): Uint8Array {
    if (this.#ended) throw new Error('SegmentScanner.push after end');
    this.#moveCarry();
    const carry = this.#carryLength;
    // Room for the input, the sentinel and the rest of the sentinel's 4-byte word.
    if (carry + bytes + 8 > this.#work.length) {
      const work = new Uint8Array(Math.max(carry + bytes + 8, this.#work.length * 2, WORK_BYTES_MIN) & ~3);
      work.set(this.#work.subarray(0, carry));
      this.#work = work;
      this.#words = new Int32Array(work.buffer);
    }
    return this.#work.subarray(carry, carry + bytes);
  }

  /** Scan the `bytes` written into the region `reserve` returned. */
  pushReserved(bytes: number): ScanBatch {
    if (this.#ended) throw new Error('SegmentScanner.push after end');
    const length = this.#carryLength + bytes;
    const batch = this.batch;
    batch.reset(this.#work, this.#words, bytes === 0 ? 0 : length, this.#carryOffset, this.segmentCount, this.#delimiters);
    if (bytes > 0) this.#scan(this.#work, this.#words, length, false);
    return batch;
  }

  end(): ScanBatch {
    const index = this.segmentCount;
    if (this.#ended) {
      this.batch.reset(this.#work, this.#words, 0, this.#carryOffset, index, this.#delimiters);
      return this.batch;
    }
    this.#ended = true;
    this.#moveCarry();
    this.batch.reset(this.#work, this.#words, this.#carryLength, this.#carryOffset, index, this.#delimiters);
    this.#scan(this.#work, this.#words, this.#carryLength, true);
    return this.batch;
  }

  #moveCarry(): void {
    if (this.#carryStart > 0 && this.#carryLength > 0) {
      this.#work.copyWithin(0, this.#carryStart, this.#carryStart + this.#carryLength);
    }
    this.#carryStart = 0;
  }

  // eslint-disable-next-line max-lines-per-function -- the scanner's hot loop: one function keeps V8's locals in registers (docs/decisions/0090-layers-and-the-dependency-rule.md)
  #scan(bytes: Uint8Array, words: Int32Array, length: number, final: boolean): void {
    const batch = this.batch;
    const segmentBytesMax = this.#segmentBytesMax;
    let delimiters = this.#delimiters;
    let terminator = delimiters === null ? -1 : delimiters.segment.charCodeAt(0);
    let terminators = Math.imul(terminator, 0x01010101);
    let separator = delimiters === null ? -1 : delimiters.element.charCodeAt(0);
    // The sentinel: a terminator just past the input, so the hot loop needs no bounds test.
    if (terminator >= 0) bytes[length] = terminator;
    let { starts, ends, tags } = batch;
    let capacity = starts.length;
    let count = 0;
    let p = 0;
    let keepFrom: number;
    while (true) {
      const lead = p;
      let c0 = bytes[p] as number;
      // Usually a segment starts right here (or after one line feed), with room for a tag; otherwise skip
      // whitespace and a BOM between segments (they are kept as `leading`), and stop at the end of input.
      if (c0 === 0x0a && p + 5 <= length) c0 = bytes[++p] as number;
      if (c0 <= 0x20 || c0 === 0xef || p + 4 > length) {
        while (p < length) {
          const c = bytes[p] as number;
          if (c > 0x20 && c !== 0xef) break;
          if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) p++;
          else if (c === 0xef && (final || p + 3 <= length) && bytes[p + 1] === 0xbb && bytes[p + 2] === 0xbf) p += 3;
          else break;
        }
        if (p >= length || (!final && bytes[p] === 0xef && p + 3 > length)) {
          keepFrom = lead;
          break;
        }
        if (!final && length - p < 4) {
          keepFrom = lead;
          break;
        }
        c0 = bytes[p] as number;
      }
      if (count === capacity) {
        batch.grow();
        ({ starts, ends, tags } = batch);
        capacity = starts.length;
      }
      if (c0 === 73 && bytes[p + 1] === 83 && bytes[p + 2] === 65 && p + 3 < length && !isAlphanumeric(bytes[p + 3] as number)) {
        batch.count = count;
        const end = this.#readIsa(bytes, length, p, final);
        if (end < 0) {
          keepFrom = lead;
          break;
        }
        delimiters = this.#delimiters as Delimiters;
        terminator = delimiters.segment.charCodeAt(0);
        terminators = Math.imul(terminator, 0x01010101);
        separator = delimiters.element.charCodeAt(0);
        bytes[length] = terminator;
        starts[count] = p;
        ends[count] = end;
        tags[count] = TAG_ISA;
        batch.isaAt.push(count);
        batch.isaDelimiters.push(delimiters);
        count++;
        p = end + 1;
        continue;
      }
      if (delimiters === null) {
        batch.count = count;
        throw this.#noEnvelope(bytes, length, p);
      }
      // The hot loop: find the terminator; the sentinel stops it at the end of the input. Four bytes at
      // a time (SWAR): in a word XOR four terminators, a byte is zero exactly where the terminator is, and
      // ~(((x & 0x7f7f7f7f) + 0x7f7f7f7f) | x) & 0x80808080 sets the high bit of each zero byte (no carry
      // crosses bytes). The first word is masked to the bytes from p on.
      let q: number;
      if (LITTLE_ENDIAN) {
        let w = p >> 2;
        let x = (words[w] as number) ^ terminators;
        let zero = ~(((x & 0x7f7f7f7f) + 0x7f7f7f7f) | x) & (0x80808080 << ((p & 3) << 3));
        while (zero === 0) {
          x = (words[++w] as number) ^ terminators;
          zero = ~(((x & 0x7f7f7f7f) + 0x7f7f7f7f) | x) & 0x80808080;
        }
        q = (w << 2) + ((31 - Math.clz32(zero & -zero)) >> 3);
      } else {
        q = p;
        while (bytes[q] !== terminator) q++;
      }
      const size = q - p;
      if (size > segmentBytesMax) {
        batch.count = count;
        throw this.#tooLong(p);
      }
      if (q === length && !final) {
        keepFrom = lead;
        break;
      }
      // Tag code from the first bytes (see TAG_ISA); the separator or the end of the segment ends the tag.
      let tag = 0;
      if (size >= 2) {
        const c1 = bytes[p + 1] as number;
        const c2 = size > 2 ? bytes[p + 2] as number : separator;
        if (c0 === separator || c1 === separator) tag = 0;
        else if (c2 === separator) {
          tag = (c0 << 8) | c1;
          if (!(isUpper(c0) && isUpperOrDigit(c1))) tag = -tag;
          else if ((c0 === 0x53 || c0 === 0x47) && (tag === ST || tag === SE || tag === GS || tag === GE)) tag |= ENVELOPE_TAG;
        } else if (size === 3 || bytes[p + 3] === separator) {
          tag = 0x1000000 | (c0 << 16) | (c1 << 8) | c2;
          if (!(isUpper(c0) && isUpperOrDigit(c1) && isUpperOrDigit(c2))) tag = -tag;
          else if (tag === IEA) tag |= ENVELOPE_TAG;
        }
      }
      starts[count] = p;
      ends[count] = q;
      tags[count++] = tag;
      if (q === length) {
        batch.lastUnterminated = true;
        keepFrom = length;
        break;
      }
      p = q + 1;
    }
    batch.count = count;
    if (final) {
      this.#trailing = latin1(bytes, keepFrom, length);
      this.#carryLength = 0;
      this.#carryOffset += length;
    } else {
      // The unfinished tail moves to the front of the work buffer at the next push (the batch still
      // points into these bytes until then).
      this.#carryStart = keepFrom;
      this.#carryLength = length - keepFrom;
      this.#carryOffset += keepFrom;
    }
  }

  /**
   * Read the delimiters of the ISA at `p` and return the index of its terminator, or -1 when more input
   * is needed. The element separator is the byte after `ISA`; ISA16 follows the 16th separator and the
   * terminator follows ISA16, which also works for ISAs whose fields are not padded.
   */
  #readIsa(bytes: Uint8Array, length: number, p: number, final: boolean): number {
    const sep = bytes[p + 3] as number;
    let separators = 1;
    let at = p + 3;
    let isa11Start = 0;
    let isa11End = 0;
    while (separators < 16) {
      at++;
      const limit = Math.min(length, p + ISA_BYTES_MAX + 1);
      while (at < limit && bytes[at] !== sep) at++;
      if (at >= limit) {
        if (!final && length - p <= ISA_BYTES_MAX) return -1;
        throw this.#isaError('ISA_INVALID', p, 'an ISA with 16 elements', `${separators} element separators`);
      }
      separators++;
      if (separators === 11) isa11Start = at + 1;
      else if (separators === 12) isa11End = at;
    }
    if (at + 2 >= length) {
      if (!final) return -1;
      throw this.#isaError('ISA_TRUNCATED', p, 'ISA16 and a segment terminator', 'end of input');
    }
    const element = String.fromCharCode(sep);
    const component = String.fromCharCode(bytes[at + 1] as number);
    const segment = String.fromCharCode(bytes[at + 2] as number);
    if ([sep, bytes[at + 1] as number, bytes[at + 2] as number].some(isAlphanumeric) || new Set([element, component, segment]).size !== 3) {
      throw this.#isaError('ISA_DELIMITERS_INVALID', p,
        'distinct, non-alphanumeric element, component and segment delimiters',
        `element ${JSON.stringify(element)}, component ${JSON.stringify(component)}, segment ${JSON.stringify(segment)}`);
    }
    // ISA11 is the repetition separator in 5010; in 4010 it is the standards id `U` (no repetition).
    const isa11 = latin1(bytes, isa11Start, isa11End);
    const usable = isa11.length === 1 && !isAlphanumeric(isa11.charCodeAt(0))
      && isa11 !== element && isa11 !== component && isa11 !== segment;
    this.#delimiters = { element, component, repetition: usable ? isa11 : null, segment };
    return at + 2;
  }

  #location(p: number): { file?: string; segmentIndex: number; byteOffset: number } {
    return {
      ...(this.#file !== undefined && { file: this.#file }),
      segmentIndex: this.segmentCount,
      byteOffset: this.#carryOffset + p,
    };
  }

  #isaError(code: ErrorCode, p: number, expected: string, found: string): ClaimsError {
    return new ClaimsError({
      code,
      message: `cannot read the interchange header: expected ${expected}, found ${found}`,
      location: { ...this.#location(p), segmentTag: 'ISA' },
      expected,
      found,
      ack: { ta1: code === 'ISA_TRUNCATED' ? '023' : '024' },
    });
  }

  #noEnvelope(bytes: Uint8Array, length: number, p: number): ClaimsError {
    const head = latin1(bytes, p, Math.min(length, p + 16));
    if (head.substring(0, 8).includes('\u0000') || /^[\u00fe\u00ff]{2}/.test(head)) {
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
      found: excerpt(head, 16),
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
