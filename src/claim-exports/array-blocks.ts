// A claims export written as one JSON array, in blocks of whole elements: the bytes are scanned for the
// array's structure only (strings skipped with indexOf, brackets counted outside them), and each element is
// left for JSON.parse, on this thread or a worker's, as an NDJSON line is. stream-json, which builds every
// value token by token in JavaScript, read 3,750 claims a second where this reads as fast as NDJSON
// (bench/README.md, claims out; docs/decisions/0042). Each block is a buffer of its own (it can be
// transferred) with the offsets of the elements it holds; an element cut by the block's end starts the
// next block. A file that is not one JSON array (nothing but whitespace around it, elements separated by
// commas) is refused with the byte where it goes wrong; what an element holds is JSON.parse's to judge, so
// a broken element is one bad record and the rest of the export goes on.
import { open } from 'node:fs/promises';
import { ClaimsError } from '../common/errors.ts';
import { BLOCK_BYTES, nextBuffer } from './file-blocks.ts';

export interface ArrayBlock {
  bytes: Buffer;
  /** Element i is bytes [starts[i], ends[i]). */
  starts: number[];
  ends: number[];
  /** The array index (1-based) of the block's first element. */
  first: number;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const isSpace = (c: number): boolean => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

/** Where the scan is between elements: before '[', before the first element or ']', after an element, after a comma, after ']'. */
type Expect = 'open' | 'first' | 'next' | 'element' | 'done';

/** The end of the string whose opening quote is at `at` (the index of its closing quote), or -1 if beyond `limit`. */
function stringEnd(buf: Buffer, at: number, limit: number): number {
  let q = at;
  for (;;) {
    q = buf.indexOf(QUOTE, q + 1);
    if (q === -1 || q >= limit) return -1;
    let k = q - 1;
    while (buf[k] === BACKSLASH) k--;
    if ((q - 1 - k) % 2 === 0) return q;
  }
}

/**
 * The end (exclusive) of the element starting at `at`: after the bracket or brace that closes it, after the
 * closing quote of a string, or (a number or literal) before the next ',', ']' or space. -1 when it runs
 * past `limit`. What is inside is JSON.parse's to check.
 */
function elementEnd(buf: Buffer, at: number, limit: number, where: (i: number) => number): number {
  const opener = buf[at]!;
  if (opener === QUOTE) {
    const q = stringEnd(buf, at, limit);
    return q === -1 ? -1 : q + 1;
  }
  if (opener !== OPEN_BRACE && opener !== OPEN_BRACKET) {
    for (let i = at; i < limit; i++) {
      const c = buf[i]!;
      if (c === COMMA || c === CLOSE_BRACKET || isSpace(c)) return i;
      if (c === OPEN_BRACE || c === OPEN_BRACKET || c === CLOSE_BRACE || c === QUOTE) throw notAnArray(where(i), `'${String.fromCharCode(c)}' inside a value`);
    }
    return -1;
  }
  let depth = 0;
  for (let i = at; i < limit; i++) {
    const c = buf[i]!;
    if (c === QUOTE) {
      const q = stringEnd(buf, i, limit);
      if (q === -1) return -1;
      i = q;
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) depth++;
    else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return -1;
}

/** The export itself is broken (bad input, not a failure): quarantined by the pipeline, exit 3 from the CLI. */
export const isBrokenExport = (err: unknown): boolean => err instanceof ClaimsError && err.code === 'EXPORT_NOT_JSON_ARRAY';

function notAnArray(byteOffset: number, what: string): ClaimsError {
  return new ClaimsError({
    code: 'EXPORT_NOT_JSON_ARRAY',
    message: `the claims export is not one JSON array of records: ${what}`,
    location: { byteOffset },
    expected: 'NDJSON (one record per line), or one JSON array of records',
  });
}

export async function* arrayBlocks(file: string, blockBytes = BLOCK_BYTES): AsyncGenerator<ArrayBlock> {
  const fh = await open(file, 'r');
  try {
    let expect: Expect = 'open';
    let carry: Buffer | null = null;
    /** File offset of the buffer's first byte. */
    let base = 0;
    let index = 1;
    let atStart = true;
    for (;;) {
      const { buf, filled, eof } = await nextBuffer(fh, carry, blockBytes);
      carry = null;
      const where = (i: number): number => base + i;
      const block: ArrayBlock = { bytes: buf, starts: [], ends: [], first: index };
      let i = 0;
      if (atStart && filled >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) i = 3;
      atStart = false;
      /** Where an element cut by the buffer's end begins (-1: none). */
      let cut = -1;
      while (i < filled) {
        const c = buf[i]!;
        if (isSpace(c)) {
          i++;
          continue;
        }
        if (expect === 'open') {
          if (c !== OPEN_BRACKET) throw notAnArray(where(i), `'${String.fromCharCode(c)}' where '[' opens the array`);
          expect = 'first';
          i++;
        } else if (expect === 'next') {
          if (c === COMMA) expect = 'element';
          else if (c === CLOSE_BRACKET) expect = 'done';
          else throw notAnArray(where(i), `'${String.fromCharCode(c)}' where ',' or ']' comes after an element`);
          i++;
        } else if (expect === 'done') {
          throw notAnArray(where(i), 'text after the array\'s closing \']\'');
        } else if (c === CLOSE_BRACKET) {
          if (expect === 'element') throw notAnArray(where(i), "']' after a ','");
          expect = 'done';
          i++;
        } else {
          const end = elementEnd(buf, i, filled, where);
          if (end === -1) {
            cut = i;
            break;
          }
          block.starts.push(i);
          block.ends.push(end);
          index++;
          expect = 'next';
          i = end;
        }
      }
      if (eof) {
        if (cut !== -1 || expect !== 'done') throw notAnArray(where(filled), 'the end of the file inside the array (is it cut short?)');
        if (block.starts.length > 0) yield block;
        return;
      }
      if (cut !== -1) {
        // The element continues in the next buffer; a buffer that is all one element grows.
        carry = cut === 0 ? buf.subarray(0, filled) : Buffer.from(buf.subarray(cut, filled));
        base += cut;
      } else base += filled;
      if (block.starts.length > 0) yield block;
    }
  } catch (err) {
    throw err instanceof ClaimsError ? err.at({ file }) : err;
  } finally {
    await fh.close();
  }
}
