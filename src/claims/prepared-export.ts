// A claims export as prepared claims, in file order, a chunk at a time: on worker threads when a pool is
// given and the export is NDJSON (src/claims/prepare-pool.ts), else on this thread. Either way the items,
// their order and their record numbers are the same.
import { readClaimsExportChunks, sniff } from './read-export.ts';
import { prepareRecord, type PrepareContext, type PreparedClaim } from './prepare.ts';
import { fromWire, type BlockReply } from './prepare-block.ts';
import { lineBlocks, type PreparePool } from './prepare-pool.ts';
import type { MappedClaim } from './map.ts';
import type { Rejection } from './validate.ts';

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
  if (opts.pool !== null && (await sniff(file)) === 'ndjson') {
    yield* onWorkers(file, opts.pool, opts.source, opts.blockBytes);
    return;
  }
  for await (const chunk of readClaimsExportChunks(file)) {
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

async function* onWorkers(file: string, pool: PreparePool, source: boolean, blockBytes?: number): AsyncGenerator<PreparedItem[]> {
  // Two blocks a worker: one being prepared while the other's reply waits to be taken.
  const inFlight: Promise<BlockReply>[] = [];
  const max = pool.threads * 2;
  let base = 0;
  let first = true;
  const take = (reply: BlockReply): PreparedItem[] => {
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
    base += reply.lines;
    return items;
  };
  for await (const block of lineBlocks(file, blockBytes)) {
    const reply = pool.prepare(block, first, source);
    // Its failure is met when it is awaited, in order; until then it is not an unhandled rejection.
    reply.catch(() => undefined);
    inFlight.push(reply);
    first = false;
    if (inFlight.length >= max) yield take(await inFlight.shift()!);
  }
  while (inFlight.length > 0) yield take(await inFlight.shift()!);
}
