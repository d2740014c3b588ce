// Reading the practice's claims export, NDJSON or one large JSON array, in chunks of records, so that a
// multi-gigabyte export streams in constant memory and the caller pays for one await per chunk, not per
// record. NDJSON is split on newlines here (a line number is what an analyst needs to find a bad record); a
// JSON array is split into its elements by src/claims/array-blocks.ts (it replaced stream-json, which was
// the bottleneck: docs/decisions/0042), and each element is parsed as a line is. A line or element that is
// not JSON is yielded as a parse failure for that record; the rest of the export goes on.
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { arrayBlocks } from './array-blocks.ts';

export type ExportItem =
  | { record: number; value: unknown }
  | { record: number; error: string };

/** NDJSON is read in chunks of this many bytes: about 700 records of a typical export per chunk. */
const CHUNK_BYTES = 1 << 20;

/** Records of one export file, in order; `record` is the NDJSON line number or the 1-based array index. */
export async function* readClaimsExport(file: string): AsyncGenerator<ExportItem> {
  for await (const chunk of readClaimsExportChunks(file)) yield* chunk;
}

/** The same records, a chunk (array) at a time; `chunkBytes`: how much of the file a chunk reads. */
export async function* readClaimsExportChunks(file: string, chunkBytes = CHUNK_BYTES): AsyncGenerator<ExportItem[]> {
  const kind = await sniff(file);
  if (kind === 'ndjson') {
    yield* readNdjsonChunks(createReadStream(file, { highWaterMark: chunkBytes }));
    return;
  }
  for await (const block of arrayBlocks(file, chunkBytes)) {
    const chunk: ExportItem[] = [];
    for (let k = 0; k < block.starts.length; k++) {
      const item = parseLine(block.bytes.toString('utf8', block.starts[k], block.ends[k]), block.first + k);
      if (item) chunk.push(item);
    }
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

export async function* readNdjson(input: Readable): AsyncGenerator<ExportItem> {
  for await (const chunk of readNdjsonChunks(input)) yield* chunk;
}

/**
 * Lines are found in the bytes (a newline byte never occurs inside a UTF-8 sequence) and each is decoded
 * on its own: no decoder over the whole stream, no megabyte strings joined and scanned, and no line that
 * keeps its chunk's text alive. A line split across chunks is joined from its pieces once.
 */
export async function* readNdjsonChunks(input: Readable): AsyncGenerator<ExportItem[]> {
  let pieces: Buffer[] = [];
  let line = 0;
  const parse = (text: string): ExportItem | null => {
    line++;
    return parseLine(line === 1 && text.charCodeAt(0) === 0xfeff ? text.slice(1) : text, line);
  };
  for await (const data of input) {
    const chunk = typeof data === 'string' ? Buffer.from(data, 'utf8') : (data as Buffer);
    const items: ExportItem[] = [];
    let start = 0;
    let nl = chunk.indexOf(10);
    if (pieces.length > 0 && nl !== -1) {
      pieces.push(chunk.subarray(0, nl));
      const item = parse(Buffer.concat(pieces).toString('utf8'));
      if (item) items.push(item);
      pieces = [];
      start = nl + 1;
      nl = chunk.indexOf(10, start);
    }
    while (nl !== -1) {
      const item = parse(chunk.toString('utf8', start, nl));
      if (item) items.push(item);
      start = nl + 1;
      nl = chunk.indexOf(10, start);
    }
    if (start < chunk.length) pieces.push(chunk.subarray(start));
    if (items.length > 0) yield items;
  }
  if (pieces.length > 0) {
    const item = parse(Buffer.concat(pieces).toString('utf8'));
    if (item) yield [item];
  }
}

export function parseLine(raw: string, line: number): ExportItem | null {
  const text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
  if (text.trim() === '') return null;
  try {
    return { record: line, value: JSON.parse(text) };
  } catch (err) {
    return { record: line, error: `not JSON: ${(err as Error).message}` };
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
