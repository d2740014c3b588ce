// Stream adapters for the tokenizer: a file path or a byte stream to segments. Pull-based, so a slow
// consumer pauses the file read (backpressure) and memory stays flat whatever the file size.
import { open } from 'node:fs/promises';
import { Transform, type TransformCallback } from 'node:stream';
import type { Segment } from '../x12/segment.ts';
import { Tokenizer, type TokenizerOptions } from '../x12/tokenizer.ts';
import { SegmentScanner, type ScanBatch } from '../x12/scanner.ts';

export type ByteSource = string | AsyncIterable<Uint8Array> | Iterable<Uint8Array>;

/** Read size for files: large enough to amortise per-chunk work, small enough to keep memory flat. */
export const READ_CHUNK_BYTES = 256 * 1024;

/**
 * Chunks of a file read into one buffer, reused from read to read: each chunk is valid only until the
 * next one is asked for. A reused buffer instead of a stream's fresh Buffer per chunk saves most of the
 * read's CPU time and much of its peak RSS (bench/README.md, X12); the scanner copies what it keeps.
 */
export async function* fileChunks(path: string, chunkBytes = READ_CHUNK_BYTES): AsyncGenerator<Uint8Array> {
  const file = await open(path, 'r');
  try {
    const buffer = new Uint8Array(chunkBytes);
    while (true) {
      const { bytesRead } = await file.read(buffer, 0, chunkBytes, null);
      if (bytesRead === 0) return;
      yield buffer.subarray(0, bytesRead);
    }
  } finally {
    await file.close();
  }
}

/**
 * Chunks of a file path (see fileChunks: reused, valid until the next), or the source itself when it
 * already yields bytes.
 */
export function byteChunks(source: ByteSource): AsyncIterable<Uint8Array> | Iterable<Uint8Array> {
  if (typeof source === 'string') return fileChunks(source);
  return source;
}

/**
 * Scanned batches of a file or byte stream (see scanner.ts), the last one from `scanner.end()`. A file is
 * read straight into the scanner's work buffer: no chunk is allocated or copied. Each batch is valid until
 * the next is asked for.
 */
export async function* scanBatches(source: ByteSource, scanner: SegmentScanner, chunkBytes = READ_CHUNK_BYTES): AsyncGenerator<ScanBatch> {
  if (typeof source === 'string') {
    const file = await open(source, 'r');
    try {
      while (true) {
        const target = scanner.reserve(chunkBytes);
        const { bytesRead } = await file.read(target, 0, chunkBytes, null);
        if (bytesRead === 0) break;
        yield scanner.pushReserved(bytesRead);
      }
    } finally {
      await file.close();
    }
  } else {
    for await (const chunk of source) yield scanner.push(chunk);
  }
  yield scanner.end();
}

/** Segments of a file or byte stream, in order. The file name (when a path is given) goes into error locations. */
export async function* readSegments(source: ByteSource, options: TokenizerOptions = {}): AsyncGenerator<Segment> {
  const scanner = new SegmentScanner({ ...(typeof source === 'string' && { file: source }), ...options });
  for await (const batch of scanBatches(source, scanner)) yield* batch.segments();
}

/**
 * Segments of a file or byte stream in batches (one array per chunk read): the fast path for consumers
 * that handle many segments per await.
 */
export async function* readSegmentBatches(source: ByteSource, options: TokenizerOptions = {}): AsyncGenerator<Segment[]> {
  const scanner = new SegmentScanner({ ...(typeof source === 'string' && { file: source }), ...options });
  for await (const batch of scanBatches(source, scanner)) {
    if (batch.count > 0) yield batch.segments();
  }
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
