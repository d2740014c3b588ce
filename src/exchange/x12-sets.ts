// Reading transaction sets from a file or byte stream: tokenizer + envelope checks behind three shapes.
//  - envelopeEvents: every event, in order (the lowest level; flat memory for any file);
//  - readTransactionSets: one array of segments per ST/SE (bounded by `setSegmentsMax`);
//  - streamTransactionSets: one object per set whose segments are themselves streamed, for a set of
//    a million lines. A fatal tokenizer error (no ISA, broken ISA, UTF-16) ends the input with a
//    located ClaimsError in `problem` events; readTransactionSets and streamTransactionSets throw it.
import { sha256Hasher as commonSha256Hasher } from '../common/content-hash.ts';
import { ClaimsError, toClaimsError } from '../common/errors.ts';
import type { Segment } from '../x12/segment.ts';
import type { TokenizerOptions } from '../x12/tokenizer.ts';
import { SegmentScanner } from '../x12/scanner.ts';
import { EnvelopeChecker, type EnvelopeOptions } from '../x12/envelope.ts';
import type { ContentHasher, EnvelopeEvent, GroupInfo, InterchangeInfo, SetInfo, SetSummary } from '../x12/envelope-types.ts';
import { scanBatches, type ByteSource } from './x12-read.ts';

export interface ReadOptions extends TokenizerOptions, Omit<EnvelopeOptions, 'file' | 'hasher'> {
  /** Compute a sha256 content hash per interchange (for redelivery detection). Default false. */
  hashContent?: boolean;
  /** Largest set readTransactionSets will hold in memory (segments). Use streamTransactionSets above it. */
  setSegmentsMax?: number;
}

/** A sha256 hasher over latin1 text (one char per byte, as the tokenizer sees the input). */
export function sha256Hasher(): ContentHasher {
  const hash = commonSha256Hasher();
  return {
    update: (text) => hash.update(text, 'latin1'),
    updateBytes: (bytes) => hash.update(bytes),
    digest: () => hash.hex(),
  };
}

/** Envelope events in batches (one batch per chunk read): the fast path. */
export async function* envelopeEventBatches(source: ByteSource, options: ReadOptions = {}): AsyncGenerator<EnvelopeEvent[]> {
  const file = options.file ?? (typeof source === 'string' ? source : undefined);
  const scanner = new SegmentScanner({
    ...(file !== undefined && { file }),
    ...(options.segmentBytesMax !== undefined && { segmentBytesMax: options.segmentBytesMax }),
  });
  let batch: EnvelopeEvent[] = [];
  const checker = new EnvelopeChecker((e) => batch.push(e), {
    ...(file !== undefined && { file }),
    ...(options.hashContent && { hasher: sha256Hasher }),
    ...(options.segmentEvents !== undefined && { segmentEvents: options.segmentEvents }),
  });
  try {
    for await (const scanned of scanBatches(source, scanner)) {
      checker.pushBatch(scanned);
      if (batch.length > 0) {
        yield batch;
        batch = [];
      }
    }
    checker.end();
  } catch (err) {
    const problem = toClaimsError(err, file !== undefined ? { file } : {});
    // Only the tokenizer's own ClaimsErrors are input problems; anything else (a read error) is ours.
    if (!(err instanceof ClaimsError)) throw err;
    checker.end();
    batch.push({ kind: 'problem', problem, fatal: true });
  }
  if (batch.length > 0) yield batch;
}

/** Envelope events one at a time. */
export async function* envelopeEvents(source: ByteSource, options: ReadOptions = {}): AsyncGenerator<EnvelopeEvent> {
  for await (const batch of envelopeEventBatches(source, options)) yield* batch;
}

export interface TransactionSet {
  interchange: InterchangeInfo;
  group: GroupInfo;
  set: SetInfo;
  st: Segment;
  /** Undefined when the set ended without SE (see summary.problems). */
  se: Segment | undefined;
  /** Segments between ST and SE, exclusive: segments[i] is at position i + 2 (ST is position 1). */
  segments: Segment[];
  summary: SetSummary;
  /** Errors already known on the enclosing ISA/GS (unsupported version, bad header). */
  envelopeErrors: ClaimsError[];
}

const SET_SEGMENTS_MAX = 2_000_000;

/** A fatal problem (the tokenizer could not go on) ends the input: throw it. */
function throwFatal(event: EnvelopeEvent): void {
  if (event.kind === 'problem' && event.fatal) throw event.problem;
}

/** One array of segments per transaction set, in file order. */
export async function* readTransactionSets(source: ByteSource, options: ReadOptions = {}): AsyncGenerator<TransactionSet> {
  const max = options.setSegmentsMax ?? SET_SEGMENTS_MAX;
  let open: { interchange: InterchangeInfo; group: GroupInfo; set: SetInfo; st: Segment; segments: Segment[] } | undefined;
  for await (const batch of envelopeEventBatches(source, options)) {
    for (const e of batch) {
      throwFatal(e);
      if (e.kind === 'setStart') {
        open = { interchange: e.interchange, group: e.group, set: e.set, st: e.segment, segments: [] };
      } else if (e.kind === 'segment' && open) {
        if (open.segments.length >= max) {
          throw new ClaimsError({
            code: 'SET_TOO_LARGE', message: `set ${open.set.controlNumber} has more than ${max} segments; read it with streamTransactionSets`,
            location: { ...(e.segment.index !== undefined && { segmentIndex: e.segment.index }), set: open.set.controlNumber, interchange: open.interchange.controlNumber, byteOffset: e.segment.byteOffset },
          });
        }
        open.segments.push(e.segment);
      } else if (e.kind === 'setEnd' && open) {
        yield { ...open, se: e.segment, summary: e.summary, envelopeErrors: e.envelopeErrors };
        open = undefined;
      }
    }
  }
}

export interface StreamedSet {
  interchange: InterchangeInfo;
  group: GroupInfo;
  set: SetInfo;
  st: Segment;
  /** The set's segments between ST and SE, streamed. Iterate at most once, before asking for the next set. */
  segments: AsyncIterable<Segment>;
  /** After `segments` is exhausted: the set's summary (counts, problems) and envelope errors. */
  end(): { summary: SetSummary; se: Segment | undefined; envelopeErrors: ClaimsError[] } | undefined;
}

/**
 * One object per set whose segments stream from the file: memory stays flat even for a single set of a
 * million segments. If the consumer does not read a set's segments, they are skipped.
 */
export async function* streamTransactionSets(source: ByteSource, options: ReadOptions = {}): AsyncGenerator<StreamedSet> {
  const events = envelopeEvents(source, options)[Symbol.asyncIterator]();
  try {
    while (true) {
      const next = await events.next();
      if (next.done) return;
      const start = next.value;
      throwFatal(start);
      if (start.kind !== 'setStart') continue;
      let finished = false;
      let ending: ReturnType<StreamedSet['end']>;
      async function* segments(): AsyncGenerator<Segment> {
        while (!finished) {
          const n = await events.next();
          if (n.done) {
            finished = true;
            return;
          }
          const e = n.value;
          throwFatal(e);
          if (e.kind === 'segment') yield e.segment;
          else if (e.kind === 'setEnd') {
            finished = true;
            ending = { summary: e.summary, se: e.segment, envelopeErrors: e.envelopeErrors };
          }
        }
      }
      const body = segments();
      yield { interchange: start.interchange, group: start.group, set: start.set, st: start.segment, segments: body, end: () => ending };
      // Skip what the consumer left unread so the next set starts at its ST.
      for await (const _ of body) { /* drain */ }
    }
  } finally {
    await events.return?.(undefined);
  }
}
