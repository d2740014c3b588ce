// Reading the practice's claims export, NDJSON or one large JSON array, one record at a time, so that a
// multi-gigabyte export streams in constant memory. A JSON array goes through stream-json; NDJSON is split on
// newlines here (a line number is what an analyst needs to find a bad record). A line that is not JSON is
// yielded as a parse failure for that record; the rest of the export goes on.
import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { PassThrough, type Readable } from 'node:stream';
import streamArray from 'stream-json/streamers/stream-array.js';

export type ExportItem =
  | { record: number; value: unknown }
  | { record: number; error: string };

/** Records of one export file, in order; `record` is the NDJSON line number or the 1-based array index. */
export async function* readClaimsExport(file: string): AsyncGenerator<ExportItem> {
  const kind = await sniff(file);
  if (kind === 'array') yield* readArray(createReadStream(file));
  else yield* readNdjson(createReadStream(file));
}

async function sniff(file: string): Promise<'array' | 'ndjson'> {
  const stream = createReadStream(file, { start: 0, end: 4095 });
  let head = '';
  for await (const chunk of stream) head += (chunk as Buffer).toString('utf8');
  const first = head.replace(/^\uFEFF/, '').trimStart()[0];
  return first === '[' ? 'array' : 'ndjson';
}

export async function* readNdjson(input: Readable): AsyncGenerator<ExportItem> {
  let rest = '';
  let line = 0;
  let first = true;
  input.setEncoding('utf8');
  for await (const chunk of input) {
    let text = rest + (chunk as string);
    if (first) {
      text = text.replace(/^\uFEFF/, '');
      first = false;
    }
    let start = 0;
    let nl: number;
    while ((nl = text.indexOf('\n', start)) !== -1) {
      line++;
      const item = parseLine(text.slice(start, nl), line);
      if (item) yield item;
      start = nl + 1;
    }
    rest = text.slice(start);
  }
  if (rest.length > 0) {
    const item = parseLine(rest, line + 1);
    if (item) yield item;
  }
}

function parseLine(raw: string, line: number): ExportItem | null {
  const text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
  if (text.trim() === '') return null;
  try {
    return { record: line, value: JSON.parse(text) };
  } catch (err) {
    return { record: line, error: `not JSON: ${(err as Error).message}` };
  }
}

export async function* readArray(input: Readable): AsyncGenerator<ExportItem> {
  const items = new PassThrough({ objectMode: true, highWaterMark: 64 });
  // stream-json parses the array and assembles one element at a time; the PassThrough hands them over
  // with backpressure (the parser pauses while 64 records wait).
  const done = pipeline(input, streamArray.withParserAsStream(), items);
  let failure: unknown;
  done.catch((err: unknown) => {
    failure = err;
  });
  for await (const item of items) {
    const { key, value } = item as { key: number; value: unknown };
    yield { record: key + 1, value };
  }
  await done.catch(() => undefined);
  if (failure) throw failure;
}
