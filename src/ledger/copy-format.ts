// COPY text format rows for the ledger tables (pure): the posting API streams these into Postgres.
// Text format, not binary: bigint cents and small ints are shorter as digits than as 8-byte fields, and
// only four characters ever need escaping (backslash, tab, newline, carriage return), which real ids
// and reason codes almost never contain, so the common case is one regex test per text field.
import type { PreparedBatch } from './types.ts';

/** Column lists, in the order the row builders below write them. */
export const ENTRY_COPY_COLUMNS = [
  'batch_id', 'ordinal', 'line_count', 'effective_date', 'source_segment_index', 'key', 'reason', 'memo',
  'source_file_sha256', 'source_file_name', 'source_isa13', 'source_gs06', 'source_st02',
] as const;
export const LINE_COPY_COLUMNS = [
  'batch_id', 'account_id', 'amount_cents', 'entry_ordinal', 'line_no', 'reason', 'claim_id', 'service_line_id',
] as const;

/** Characters of a COPY chunk; big enough that per-chunk overhead vanishes, small enough to stream. */
export const COPY_CHUNK_CHARS = 256 * 1024;

const NEEDS_ESCAPE = /[\\\t\n\r]/;
const ESCAPABLE = /[\\\t\n\r]/g;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/** One text field: `\N` for null, escaped only when needed. */
export function copyField(value: string | null | undefined): string {
  if (value === undefined || value === null) return '\\N';
  return NEEDS_ESCAPE.test(value) ? value.replace(ESCAPABLE, (c) => ESCAPES[c]!) : value;
}

function optionalInt(value: number | null | undefined): string {
  return value === undefined || value === null ? '\\N' : String(value);
}

/** Rows for `entries`, in chunks of about `chunkChars` characters. */
export function* entryCopyChunks(batchId: string, prepared: PreparedBatch, chunkChars = COPY_CHUNK_CHARS): Generator<string> {
  const entries = prepared.batch.entries;
  let chunk = '';
  for (let ordinal = 0; ordinal < entries.length; ordinal++) {
    const e = entries[ordinal]!;
    const s = e.source;
    chunk += `${batchId}\t${ordinal}\t${e.lines.length}\t${e.effectiveDate}\t${optionalInt(s?.segmentIndex)}\t` +
      `${copyField(e.key)}\t${copyField(e.reason)}\t${copyField(e.memo)}\t${copyField(s?.fileSha256)}\t` +
      `${copyField(s?.fileName)}\t${copyField(s?.interchange)}\t${copyField(s?.group)}\t${copyField(s?.set)}\n`;
    if (chunk.length >= chunkChars) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk !== '') yield chunk;
}

/** Rows for `entry_lines`; `accountIds[n]` is the database id of account number n (`prepared.accounts[n]`). */
export function* lineCopyChunks(
  batchId: string,
  prepared: PreparedBatch,
  accountIds: readonly string[],
  chunkChars = COPY_CHUNK_CHARS,
): Generator<string> {
  const entries = prepared.batch.entries;
  const accountOf = prepared.lineAccount;
  let at = 0;
  let chunk = '';
  for (let ordinal = 0; ordinal < entries.length; ordinal++) {
    const lines = entries[ordinal]!.lines;
    for (let lineNo = 0; lineNo < lines.length; lineNo++) {
      const l = lines[lineNo]!;
      chunk += `${batchId}\t${accountIds[accountOf[at++]!]}\t${l.amountCents}\t${ordinal}\t${lineNo}\t` +
        `${copyField(l.reason)}\t${copyField(l.claimId)}\t${copyField(l.serviceLineId)}\n`;
    }
    if (chunk.length >= chunkChars) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk !== '') yield chunk;
}
