// Stream adapters for the tokenizer: a file path or a byte stream to segments. Pull-based, so a slow
// consumer pauses the file read (backpressure) and memory stays flat whatever the file size.
import { createReadStream } from 'node:fs';
import { Transform, type TransformCallback } from 'node:stream';
import type { Segment } from './segment.ts';
import { Tokenizer, type TokenizerOptions } from './tokenizer.ts';

export type ByteSource = string | AsyncIterable<Uint8Array> | Iterable<Uint8Array>;

/** Read size for files: large enough to amortise per-chunk work, small enough to keep memory flat. */
export const READ_CHUNK_BYTES = 256 * 1024;

/** Chunks of a file path, or the source itself when it already yields bytes. */
export function byteChunks(source: ByteSource): AsyncIterable<Uint8Array> | Iterable<Uint8Array> {
  if (typeof source === 'string') return createReadStream(source, { highWaterMark: READ_CHUNK_BYTES });
  return source;
}

/** Segments of a file or byte stream, in order. The file name (when a path is given) goes into error locations. */
export async function* readSegments(source: ByteSource, options: TokenizerOptions = {}): AsyncGenerator<Segment> {
  const tokenizer = new Tokenizer({ ...(typeof source === 'string' && { file: source }), ...options });
  for await (const chunk of byteChunks(source)) {
    yield* tokenizer.push(chunk);
  }
  yield* tokenizer.end();
}

/**
 * Segments of a file or byte stream in batches (one array per chunk read): the fast path for consumers
 * that handle many segments per await, such as the envelope checks and the benchmark.
 */
export async function* readSegmentBatches(source: ByteSource, options: TokenizerOptions = {}): AsyncGenerator<Segment[]> {
  const tokenizer = new Tokenizer({ ...(typeof source === 'string' && { file: source }), ...options });
  for await (const chunk of byteChunks(source)) {
    const batch = tokenizer.push(chunk);
    if (batch.length > 0) yield batch;
  }
  const rest = tokenizer.end();
  if (rest.length > 0) yield rest;
}

/**
 * A Transform from bytes to Segment objects, for `pipeline(source, segmentStream(), consumer)`. A chunk
 * is only accepted once the segments of the previous one fit the readable buffer (Transform semantics).
 */
export function segmentStream(options: TokenizerOptions = {}): Transform {
  const tokenizer = new Tokenizer(options);
  return new Transform({
    readableObjectMode: true,
    transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
      try {
        for (const segment of tokenizer.push(chunk)) this.push(segment);
        callback();
      } catch (err) {
        callback(err as Error);
      }
    },
    flush(callback: TransformCallback) {
      try {
        for (const segment of tokenizer.end()) this.push(segment);
        callback();
      } catch (err) {
        callback(err as Error);
      }
    },
  });
}
