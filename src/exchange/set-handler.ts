// The set-handler contract: what the receiving side (receive-file.ts) hands a handler for one X12
// transaction set, and what it gets back. The handlers themselves live with their flow (remittances,
// eligibility, claims acknowledgements); the list of them is assembled above, by whoever runs the intake
// (src/pipeline/set-handlers.ts), so this contract imports no flow and no flow forms a cycle with it.
import type { Pool, PoolClient } from 'pg';
import type { Logger } from '../runtime/logger.ts';
import type { ClaimsError } from '../common/errors.ts';
import type { Segment } from '../x12/segment.ts';

/** One transaction set with its envelope, as the dispatcher found it. Segments ST..SE inclusive. */
export interface X12Set {
  interchange: string;
  /** ISA12 */
  interchangeVersion: string;
  /** ISA06 (trimmed), the sender. */
  sender: string;
  group: string;
  /** GS01 functional identifier code (HP, HB, ...). */
  functionalId: string;
  /** GS08 */
  version: string;
  /** ST01, ST02 */
  transactionSet: string;
  set: string;
  segments: Segment[];
}

/** A set's envelope without its segments: what a streaming handler knows at ST. */
export type X12SetHeader = Omit<X12Set, 'segments'>;

/**
 * A set read while it streams: the dispatcher pushes every segment from ST to SE as the tokenizer yields
 * it (none is kept), then settles it once it knows whether the set ends its interchange. `push` never
 * throws for bad input: the handler keeps its problems (every one, bounded) and reports them from `settle`.
 */
export interface StreamingSet {
  push(segment: Segment): void;
  settle(ctx: IngestContext): Promise<SetOutcome>;
  /**
   * Whether this set may start settling while `earlier` (the set just before it in the file) is still
   * settling: nothing this set reads can be changed by what `earlier` writes. The dispatcher then passes
   * `ctx.earlier`, and the handler must not commit before `earlier` has settled, nor take a lock that
   * `earlier` may still want. Absent, or false: the set settles after `earlier` has.
   */
  mayOverlap?(earlier: StreamingSet): boolean;
}

/** The set before this one in the file, still settling (see StreamingSet.mayOverlap). */
export interface EarlierSet {
  set: StreamingSet;
  /** Settles when `set` has settled (and its outcome is reported); rejects when it failed. */
  settled: Promise<unknown>;
}

export interface IngestContext {
  pool: Pool;
  /** Path as given, and its base name (what reports and errors name). */
  file: string;
  fileName: string;
  fileSha256: string;
  logger: Logger;
  failpoint(name: string): void | Promise<void>;
  /** Only this practice's data (`--practice`, a pipeline's "practice"): a set for another practice is quarantined. */
  practiceId?: string;
  /**
   * Run inside the set's database transaction, just before it commits (the dispatcher records the
   * interchange received there when this set is its last). A handler that commits data should call it;
   * when none is called the dispatcher records the interchange in a transaction of its own afterwards.
   */
  inTransaction?(client: PoolClient): Promise<void>;
  /** Only for a set whose mayOverlap said yes: the set before it, which may still be settling. */
  earlier?: EarlierSet;
}

export type SetStatus = 'posted' | 'duplicate' | 'quarantined' | 'skipped';

export interface SetOutcome {
  set: string;
  transactionSet: string;
  status: SetStatus;
  reasons: ClaimsError[];
  counts?: Record<string, number>;
  detail?: Record<string, unknown>;
}

export interface SetHandler {
  name: string;
  /** ST01 this handler takes, and the GS01 that must carry it. */
  transactionSet: string;
  functionalId: string;
  /**
   * Read the set in a group of another GS01 too, when ST01 and GS08/ST03 agree on its guide (the envelope
   * check then warns SET_GROUP_MISMATCH and the 999 accepts it with errors noted): informational sets
   * (271, 277CA, 999), never money (docs/decisions/0093-gs01-mismatch-informational-sets-read.md).
   */
  readsAnyGroup?: boolean;
  /** GS08 values accepted; anything else is reported as unsupported, never guessed at. */
  versions: readonly string[];
  handleSet(set: X12Set, ctx: IngestContext): Promise<SetOutcome>;
  /** Optional streaming form of handleSet: memory then follows the handler's record, not the set's segments. */
  openSet?(set: X12SetHeader, fileName: string): StreamingSet;
}

/** Whether `handler` takes its sets from a group whose GS01 is `functionalId`. */
export function takesGroup(handler: Pick<SetHandler, 'functionalId' | 'readsAnyGroup'>, functionalId: string): boolean {
  return functionalId === handler.functionalId || handler.readsAnyGroup === true;
}

/** The handler registered for an ST01, if any. */
export function handlerFor(handlers: readonly SetHandler[], transactionSet: string): SetHandler | undefined {
  return handlers.find((h) => h.transactionSet === transactionSet);
}
