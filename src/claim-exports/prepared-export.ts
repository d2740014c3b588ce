// A claims export as prepared claims, in file order, a chunk at a time: on worker threads when a pool is
// given (src/claim-exports/prepare-pool.ts), else on this thread. Either way the items, their order and their
// record numbers are the same.
import { readClaimsExportChunks, sniff } from './read-export.ts';
import { prepareRecord, type PrepareContext, type PreparedClaim } from './prepare-claim.ts';
import { fromWire, type BlockReply } from './prepare-block.ts';
import type { PreparePool } from './prepare-pool.ts';
import { lineBlocks } from './file-blocks.ts';
import { arrayBlocks } from './array-blocks.ts';
import type { MappedClaim } from '../domain/mapped-claim.ts';
import type { Rejection } from '../domain/claim-validate.ts';

export type PreparedItem =
  /** `mapped` is there when prepared on this thread; from a worker, `source` is the record's line when asked for. */
  | { record: number; prepared: PreparedClaim; mapped: MappedClaim | null; source: string | null }
  | { record: number; rejections: Rejection[] }
  | { record: number; error: string };

export interface PreparedExportOptions {
  ctx: PrepareContext;
  /** Workers to prepare on; null: this thread. */
  pool: PreparePool | null;
  /** Have workers send each claim's line back (to rebuild the mapped claim here). */
  source: boolean;
  /** Bytes per block handed to a worker (default BLOCK_BYTES). */
  blockBytes?: number;
}

export async function* preparedExport(file: string, opts: PreparedExportOptions): AsyncGenerator<PreparedItem[]> {
  if (opts.pool !== null) {
    yield* onWorkers(file, (await sniff(file)) === 'ndjson', opts.pool, opts.source, opts.blockBytes);
    return;
  }
  for await (const chunk of readClaimsExportChunks(file, opts.blockBytes)) {
    const items: PreparedItem[] = [];
    for (const item of chunk) {
      if ('error' in item) {
        items.push(item);
        continue;
      }
      const p = prepareRecord(item.value, item.record, opts.ctx);
      items.push(p.ok ? { record: item.record, prepared: p.prepared, mapped: p.mapped, source: null } : { record: item.record, rejections: p.rejections });
    }
    yield items;
  }
}

/** A reply taken back: records counted from the block's first, which is `base` + 1. */
function taken(reply: BlockReply, base: number): PreparedItem[] {
  const items: PreparedItem[] = [];
  let before: PreparedClaim | null = null;
  for (const w of reply.items) {
    if (Array.isArray(w)) {
      const { prepared, source: line } = fromWire(w, base, before);
      before = prepared;
      items.push({ record: prepared.head.record, prepared, mapped: null, source: line });
    } else if ('rejections' in w) {
      items.push({ record: base + w.record, rejections: w.rejections.map((r) => ({ ...r, record: base + r.record })) });
    } else items.push({ record: base + w.record, error: w.error });
  }
  return items;
}

async function* onWorkers(file: string, ndjson: boolean, pool: PreparePool, source: boolean, blockBytes?: number): AsyncGenerator<PreparedItem[]> {
  // Two blocks a worker: one being prepared while the other's reply waits to be taken. An array block's
  // first record is known when it is read; an NDJSON block's only when the lines before it are counted.
  const inFlight: { reply: Promise<BlockReply>; base: number | null }[] = [];
  const max = pool.threads * 2;
  let lines = 0;
  const next = async (): Promise<PreparedItem[]> => {
    const { reply, base } = inFlight.shift()!;
    const r = await reply;
    const items = taken(r, base ?? lines);
    lines += r.lines;
    return items;
  };
  const send = (reply: Promise<BlockReply>, base: number | null): void => {
    // Its failure is met when it is awaited, in order; until then it is not an unhandled rejection.
    reply.catch(() => undefined);
    inFlight.push({ reply, base });
  };
  if (ndjson) {
    let first = true;
    for await (const block of lineBlocks(file, blockBytes)) {
      send(pool.prepare(block, first, source), null);
      first = false;
      if (inFlight.length >= max) yield await next();
    }
  } else {
    for await (const b of arrayBlocks(file, blockBytes)) {
      send(pool.prepare(b.bytes, false, source, { starts: b.starts, ends: b.ends }), b.first - 1);
      if (inFlight.length >= max) yield await next();
    }
  }
  while (inFlight.length > 0) yield await next();
}
