// What goes into an interchange's content hash (redelivery detection, received.ts): each segment's bytes
// and its terminator, without the line breaks between segments. Bytes are gathered into one buffer and
// handed to the hasher in few calls (a hasher call per segment would cost more than the hashing). Pure.
import type { ContentHasher } from './envelope-types.ts';
import type { Segment } from './segment.ts';
import type { TokenSegment } from './token-segment.ts';
import { latin1 } from './text.ts';

const BUFFER_BYTES = 1 << 16;
/** Ranges at least this long go to the hasher as they are, without the copy. */
const DIRECT_BYTES = 4096;
/** Below this length a byte loop is cheaper than a native copy and its view object. */
const NATIVE_COPY_BYTES = 24;

export class ContentHashBuffer {
  /** Made on first use: most checkers hash nothing. */
  #buffer: Uint8Array | undefined;
  #length = 0;

  /** Add input bytes[start, end) as they are (segments with their terminators, nothing between them). */
  range(hasher: ContentHasher, bytes: Uint8Array, start: number, end: number): void {
    const length = end - start;
    if (length >= DIRECT_BYTES && hasher.updateBytes !== undefined) {
      this.flush(hasher);
      hasher.updateBytes(bytes.subarray(start, end));
      return;
    }
    const buffer = this.#room(hasher, length);
    if (length > NATIVE_COPY_BYTES) {
      buffer.set(bytes.subarray(start, end), this.#length);
      this.#length += length;
    } else {
      let at = this.#length;
      for (let k = start; k < end; k++) buffer[at++] = bytes[k] as number;
      this.#length = at;
    }
  }

  /** Add a segment's bytes and then a terminator (the last segment of an input may lack its own). */
  terminated(hasher: ContentHasher, bytes: Uint8Array, start: number, end: number, terminator: number): void {
    const buffer = this.#room(hasher, end - start + 1);
    let at = this.#length;
    for (let k = start; k < end; k++) buffer[at++] = bytes[k] as number;
    buffer[at++] = terminator;
    this.#length = at;
  }

  /** The same for a segment object (a tokenizer segment's raw text is one char per byte). */
  segment(hasher: ContentHasher, segment: Segment): void {
    const text = (segment as TokenSegment).raw ?? segment.elements.join(segment.delimiters.element);
    const buffer = this.#room(hasher, text.length + 1);
    let at = this.#length;
    // Chars above 0xff (only from hand-made segments) keep their low byte, as a latin1 encoding does.
    for (let k = 0; k < text.length; k++) buffer[at++] = text.charCodeAt(k) & 0xff;
    buffer[at++] = segment.delimiters.segment.charCodeAt(0) & 0xff;
    this.#length = at;
  }

  /** Hand what is gathered to the hasher. */
  flush(hasher: ContentHasher): void {
    if (this.#length === 0) return;
    const pending = (this.#buffer as Uint8Array).subarray(0, this.#length);
    if (hasher.updateBytes !== undefined) hasher.updateBytes(pending);
    else hasher.update(latin1(pending));
    this.#length = 0;
  }

  /** The buffer, with room for `length` more bytes (flushed first, or grown for one long segment). */
  #room(hasher: ContentHasher, length: number): Uint8Array {
    let buffer = this.#buffer ??= new Uint8Array(BUFFER_BYTES);
    if (this.#length + length > buffer.length) {
      this.flush(hasher);
      if (length > buffer.length) buffer = this.#buffer = new Uint8Array(length);
    }
    return buffer;
  }
}
