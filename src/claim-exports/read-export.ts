// Reading the practice's claims export, NDJSON or one large JSON array, in chunks of records, so that a
// multi-gigabyte export streams in constant memory and the caller pays for one await per chunk, not per
// record. NDJSON is split on newlines here (a line number is what an analyst needs to find a bad record); a
// JSON array is split into its elements by src/claim-exports/array-blocks.ts (it replaced stream-json, which was
// the bottleneck: docs/decisions/0042), and each element is parsed as a line is. A line or element that is
// not JSON is yielded as a parse failure for that record; the rest of the export goes on.
import { createReadStream } from 'node:fs';
import { arrayBlocks } from './array-blocks.ts';
import { BLOCK_BYTES, lineBlocks } from './file-blocks.ts';
import { storableText } from '../common/input-text.ts';

export type ExportItem =
  | { record: number; value: unknown }
  | { record: number; error: string };


/** Records of one export file, in order; `record` is the NDJSON line number or the 1-based array index. */
export async function* readClaimsExport(file: string): AsyncGenerator<ExportItem> {
  for await (const chunk of readClaimsExportChunks(file)) yield* chunk;
}

/**
 * The same records, a chunk (array) at a time: a block of whole lines or elements (`chunkBytes` of the
 * file; src/claim-exports/file-blocks.ts, array-blocks.ts), each record read as the worker threads read them.
 */
export async function* readClaimsExportChunks(file: string, chunkBytes = BLOCK_BYTES): AsyncGenerator<ExportItem[]> {
  const chunkOf = (bytes: Buffer, shape: BlockShape, before: number): { chunk: ExportItem[]; count: number } => {
    const chunk: ExportItem[] = [];
    const count = eachRecordText(bytes, shape, (text, n) => {
      const item = parseLine(text, before + n);
      if (item) chunk.push(item);
    });
    return { chunk, count };
  };
  if ((await sniff(file)) === 'array') {
    for await (const b of arrayBlocks(file, chunkBytes)) yield chunkOf(b.bytes, { fileStart: false, elements: b }, b.first - 1).chunk;
    return;
  }
  let lines = 0;
  for await (const block of lineBlocks(file, chunkBytes)) {
    const { chunk, count } = chunkOf(Buffer.from(block.buffer, block.byteOffset, block.byteLength), { fileStart: lines === 0 }, lines);
    lines += count;
    yield chunk;
  }
}

export async function sniff(file: string): Promise<'array' | 'ndjson'> {
  const stream = createReadStream(file, { start: 0, end: 4095 });
  let head = '';
  for await (const chunk of stream) head += (chunk as Buffer).toString('utf8');
  const first = head.replace(/^\uFEFF/, '').trimStart()[0];
  return first === '[' ? 'array' : 'ndjson';
}

/** Where a block's records are: its lines (NDJSON), or its elements' offsets (a JSON array). */
export interface BlockShape {
  /** The file's first block: a byte order mark before its first line is dropped. */
  fileStart: boolean;
  elements?: { starts: number[]; ends: number[] };
}

/**
 * Each record's text in a block, numbered from 1 within it: its lines (found in the bytes: a newline byte
 * never occurs inside a UTF-8 sequence, and each line is decoded on its own) or its array elements.
 * Returns how many there were, blank lines included.
 */
export function eachRecordText(bytes: Buffer, shape: BlockShape, each: (text: string, n: number) => void): number {
  if (shape.elements) {
    const { starts, ends } = shape.elements;
    for (let k = 0; k < starts.length; k++) each(bytes.toString('utf8', starts[k], ends[k]), k + 1);
    return starts.length;
  }
  let line = 0;
  let start = 0;
  while (start < bytes.length) {
    let end = bytes.indexOf(10, start);
    if (end === -1) end = bytes.length;
    line++;
    const text = bytes.toString('utf8', start, end);
    each(shape.fileStart && line === 1 && text.charCodeAt(0) === 0xfeff ? text.slice(1) : text, line);
    start = end + 1;
  }
  return line;
}

export function parseLine(raw: string, line: number): ExportItem | null {
  const text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
  if (text.trim() === '') return null;
  try {
    return { record: line, value: JSON.parse(text) };
  } catch (err) {
    // JSON.parse quotes the text it refused, a NUL included: made storable for the report and run record.
    return { record: line, error: `not JSON: ${storableText((err as Error).message)}` };
  }
}

/** Keys every claims export record has: what tells an export apart from other NDJSON/JSON in an inbox. */
const CLAIM_KEYS = ['"patientControlNumber"', '"claimType"'];

/**
 * Whether a file is a claims export, from its first record: an inbox also receives payment and appointment
 * files in NDJSON. Reads at most the first 64 KiB.
 */
export async function looksLikeClaimsExport(file: string): Promise<boolean> {
  const stream = createReadStream(file, { start: 0, end: 65535 });
  let head = '';
  for await (const chunk of stream) head += (chunk as Buffer).toString('utf8');
  head = head.replace(/^\uFEFF/, '').trimStart();
  if (head.startsWith('[')) return CLAIM_KEYS.every((k) => head.includes(k));
  const nl = head.indexOf('\n');
  if (nl === -1 && head.length >= 65535) return CLAIM_KEYS.every((k) => head.includes(k));
  try {
    const first = JSON.parse(nl === -1 ? head : head.slice(0, nl)) as unknown;
    return first !== null && typeof first === 'object' && !Array.isArray(first) && 'patientControlNumber' in first && 'claimType' in first;
  } catch {
    return false;
  }
}
