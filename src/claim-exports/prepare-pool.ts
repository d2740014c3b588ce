// Claims prepared on worker threads. Parsing, validating, mapping, hashing and rendering a claim is about
// four fifths of submit's CPU time and depends on nothing but the claim, the payer profiles and today; a
// set's HL numbers, control numbers, the chain decisions and the database stay on the main thread, which
// takes the prepared claims back strictly in file order. So the files, reports and database rows are the
// same, byte for byte, with any number of threads (decision 0042, third and fourth sections).
//
// The main thread reads the export in blocks of whole NDJSON lines or JSON array elements, each in a buffer
// of its own (src/claim-exports/file-blocks.ts, array-blocks.ts), and hands each buffer over (transferred, not
// copied) to the next worker in turn (src/claim-exports/prepared-export.ts). At most two blocks a worker are out at
// once: when the main thread (or the database behind it) is slower than the workers, reading waits, so
// memory stays flat.
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { ClaimsError } from '../common/errors.ts';
import type { ErrorCode } from '../common/error-codes.ts';
import type { Delimiters } from '../x12/segment.ts';
import type { PayerDirectory } from '../domain/mapped-claim.ts';
import type { PracticeDirectory } from '../domain/practice.ts';
import type { BlockFailure, BlockReply, BlockRequest } from './prepare-block.ts';
import type { PrepareWorkerData } from './prepare-thread.ts';

export interface PoolOptions {
  threads: number;
  payers: PayerDirectory;
  practices?: PracticeDirectory;
  today: string;
  delimiters: Delimiters;
  lineBreak: string;
}

interface Waiting {
  resolve: (r: BlockReply) => void;
  reject: (e: unknown) => void;
}

export class PreparePool {
  private readonly workers: Worker[] = [];
  private readonly waiting = new Map<number, Waiting>();
  private nextId = 0;
  private failed: unknown = null;
  private closed = false;

  constructor(opts: PoolOptions) {
    const workerData: PrepareWorkerData = {
      payers: [...opts.payers], today: opts.today, delimiters: opts.delimiters, lineBreak: opts.lineBreak,
      ...(opts.practices !== undefined && { practices: [...opts.practices.practices] }),
    };
    for (let i = 0; i < opts.threads; i++) {
      const w = new Worker(new URL('./prepare-worker.mjs', import.meta.url), { workerData });
      w.on('message', (m: BlockReply | BlockFailure) => this.settle(m));
      w.on('error', (err) => this.fail(err));
      w.on('exit', (code) => {
        if (!this.closed) this.fail(new ClaimsError({ code: 'INTERNAL', message: `a claims worker thread stopped (exit code ${code})` }));
      });
      this.workers.push(w);
    }
  }

  get threads(): number {
    return this.workers.length;
  }

  /** Prepare one block on the next worker in turn; `block`'s memory moves to the worker. */
  prepare(block: Uint8Array, first: boolean, source: boolean, elements?: BlockRequest['elements']): Promise<BlockReply> {
    if (this.failed !== null) return Promise.reject(this.failed);
    const id = this.nextId++;
    const req: BlockRequest = { id, block, first, source, ...(elements && { elements }) };
    const reply = new Promise<BlockReply>((resolve, reject) => this.waiting.set(id, { resolve, reject }));
    this.workers[id % this.workers.length]!.postMessage(req, [block.buffer as ArrayBuffer]);
    return reply;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const w of this.waiting.values()) w.reject(new ClaimsError({ code: 'INTERNAL', message: 'the claims worker threads were closed' }));
    this.waiting.clear();
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  private settle(m: BlockReply | BlockFailure): void {
    const w = this.waiting.get(m.id);
    if (!w) return;
    this.waiting.delete(m.id);
    if ('failure' in m) {
      const f = m.failure;
      // A ClaimsError's code, as the worker sent it; unchecked, like any error's code the worker passes on.
      const err = f.code !== undefined ? new ClaimsError({ code: f.code as ErrorCode, message: f.message }) : new Error(f.message);
      if (f.stack !== undefined) err.stack = f.stack;
      w.reject(err);
    } else w.resolve(m);
  }

  private fail(err: unknown): void {
    if (this.failed !== null) return;
    this.failed = err;
    for (const w of this.waiting.values()) w.reject(err);
    this.waiting.clear();
  }
}

/** Worker threads by default: one a core, at most four; none on a single core (the main thread prepares). */
export function defaultThreads(cores = availableParallelism()): number {
  return cores < 2 ? 0 : Math.min(cores, 4);
}
