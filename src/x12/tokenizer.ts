// The X12 tokenizer: bytes in, Segment objects out. Pure and incremental: feed chunks of any size (a
// segment, an ISA, a UTF-8 BOM may be split at any byte) and it yields the same segments as for the whole
// buffer. Delimiters come from each ISA, so one file may hold interchanges with different delimiters.
// The splitting itself is scanner.ts (boundaries in typed arrays); this module turns every boundary into
// a Segment for consumers that want objects. Envelope rules live in envelope.ts.
import type { Segment } from './segment.ts';
import { SegmentScanner, type ScanBatch, type ScannerOptions } from './scanner.ts';

export { TokenSegment } from './token-segment.ts';

export type TokenizerOptions = ScannerOptions;

/** Every segment of a scanned batch as an object. */
export function batchSegments(batch: ScanBatch): Segment[] {
  return batch.segments();
}

/**
 * Incremental tokenizer. `push(chunk)` returns the segments completed by that chunk; `end()` returns the
 * rest. Throws a located ClaimsError when the input cannot be split at all (no ISA, a broken ISA, UTF-16,
 * a segment longer than `segmentBytesMax`); everything else is left to the envelope checks.
 */
export class Tokenizer {
  readonly #scanner: SegmentScanner;
  #ended = false;

  constructor(options: TokenizerOptions = {}) {
    this.#scanner = new SegmentScanner(options);
  }

  /** Segments yielded so far. */
  get segmentCount(): number {
    return this.#scanner.segmentCount;
  }

  /** Whitespace after the last segment (known after `end()`), for byte-exact round trips. */
  get trailing(): string {
    return this.#scanner.trailing;
  }

  push(chunk: Uint8Array): Segment[] {
    if (this.#ended) throw new Error('Tokenizer.push after end');
    if (chunk.length === 0) return [];
    return batchSegments(this.#scanner.push(chunk));
  }

  end(): Segment[] {
    if (this.#ended) return [];
    this.#ended = true;
    return batchSegments(this.#scanner.end());
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
