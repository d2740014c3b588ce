// `claims ingest FILE` and the `ingest` stage: read an X12 file through the X12 core (tokenizer and
// envelope checks: counts, control numbers, GS01 vs ST01, versions), hand each ST..SE to its registered
// handler (handlers.ts) in file order, and settle the file: every set posted, a duplicate, or quarantined
// with located reasons. The interchange is the unit of receipt: a fast check of every envelope runs first
// (receipt-check.ts), and no set of an interchange or group refused whole (cut short, trailers that
// disagree) goes to a handler; its TA1 or 999 rejects it (docs/decisions/0094). Each interchange is
// recorded as received (x12/received.ts) inside the transaction of its last set when that set posts,
// else right after its sets settle, so a crash never leaves a false "seen before". Acknowledgements
// (acks.ts) are written after that. Memory is bounded by the sets in hand:
// one being read and at most two settling (a set may settle while the one before it still does, when its
// handler says they are independent); for a handler that reads while the set streams (openSet: the
// 835's), by that handler's record of each, never by the sets' segments.
import fs from 'node:fs/promises';
import path from 'node:path';
import type { PoolClient } from 'pg';
import { ClaimsError, toClaimsError } from '../common/errors.ts';
import { withTransaction } from '../runtime/database.ts';
import { envelopeEventBatches } from './x12-sets.ts';
import { recordInterchange, type ReceivedResult } from './received.ts';
import type { EnvelopeEvent, GroupInfo, InterchangeInfo, InterchangeSummary, SetInfo, SetSummary } from '../x12/envelope-types.ts';
import { moveIntoFolder, writeOwnerOnly, OWNER_ONLY_DIR } from '../common/files.ts';
import { jsonText } from '../common/json-text.ts';
import type { Segment } from '../x12/segment.ts';
import { handlerFor, takesGroup, type IngestContext, type SetHandler, type SetOutcome, type StreamingSet, type X12Set, type X12SetHeader } from './set-handler.ts';
import { ackProblems, writeAcks, type AckOptions, type ReaderProblems } from './acks.ts';
import { checkReceipt, refusedWholly } from './receipt-check.ts';
import { sameProblem, type ReceiptPlan } from '../x12/receipt.ts';

/** A limit on one set's size: a runaway set (no SE) must not take the process's memory. */
export const SET_SEGMENTS_MAX = 3_000_000;
/** The same for a set read while it streams (no segment is kept, only the handler's record of it). */
export const STREAMED_SET_SEGMENTS_MAX = 30_000_000;

export type FileStatus = 'done' | 'duplicate' | 'partial' | 'quarantined';

export interface FileOutcome {
  file: string;
  fileSha256: string;
  status: FileStatus;
  sets: SetOutcome[];
  /** Problems outside any one set (tokenizer, envelope trailers, interchange redelivered or reused). */
  reasons: ClaimsError[];
  /** Where the quarantine copy and its report went, when there is one. */
  quarantined?: { path: string; reportPath: string };
  /** Acknowledgement files written (TA1/999), when asked for. */
  acks?: string[];
}

export interface IngestFileOptions extends Omit<IngestContext, 'file' | 'fileName' | 'fileSha256' | 'inTransaction'> {
  /** The handlers sets go to, by ST01 (assembled by the caller: src/pipeline/set-handlers.ts). */
  handlers: readonly SetHandler[];
  quarantineDir: string;
  /** false: do not copy the file to quarantine (the pipeline runner moves it itself). Default true. */
  quarantineCopy?: boolean;
  /** Write TA1/999 acknowledgements into this outbox. */
  acks?: AckOptions;
  /** Called after each set is settled (progress). */
  onSet?(outcome: SetOutcome): void | Promise<void>;
}

/**
 * A complete set waiting to be handled, with what the envelope checks said about it: its segments, or,
 * for a handler that reads while the set streams, that handler's reading of it (no segments kept).
 */
interface ReadSet {
  interchange: InterchangeInfo;
  group: GroupInfo;
  info: SetInfo;
  segments: Segment[];
  streaming: StreamingSet | null;
  segmentCount: number;
  summary: SetSummary;
  envelopeErrors: ClaimsError[];
  /** Why it is not handed to a handler: the envelope's errors, or else no handler for its ST01/GS01/GS08. */
  refused: ClaimsError[];
  refusal: ClaimsError | null;
}

/** A set whose settling has started, and its end. */
interface InFlight {
  set: ReadSet;
  done: Promise<boolean>;
}

/** A set that goes to its handler (a refused one is quarantined by the dispatcher, its handler never settles it). */
const handedOver = (s: ReadSet): boolean => s.refused.length === 0 && s.refusal === null;

function setHeader(s: Pick<ReadSet, 'interchange' | 'group' | 'info'>): X12SetHeader {
  return {
    interchange: s.interchange.controlNumber, interchangeVersion: s.interchange.version, sender: s.interchange.senderId,
    group: s.group.controlNumber, functionalId: s.group.functionalId, version: s.group.version,
    transactionSet: s.info.id, set: s.info.controlNumber,
  };
}

function x12Set(s: ReadSet): X12Set {
  return { ...setHeader(s), segments: s.segments };
}

/**
 * Why a set will not go to a handler: its envelope errors, those its interchange or group is refused for
 * as a whole (`wholly`, from the receipt check: found at their trailers, after this set), or else no
 * handler, or one that does not read its version (computed once, when the set is complete).
 */
function refusalsOf(handlers: readonly SetHandler[], s: Pick<ReadSet, 'interchange' | 'group' | 'info'>, summary: SetSummary, envelopeErrors: ClaimsError[], wholly: readonly ClaimsError[], fileName: string): Pick<ReadSet, 'refused' | 'refusal'> {
  const refused = [...summary.problems.filter((p) => p.severity === 'error'), ...envelopeErrors];
  for (const r of wholly) if (!refused.some((p) => sameProblem(p, r))) refused.push(r);
  return { refused, refusal: refused.length > 0 ? null : unsupported(handlers, s, fileName) };
}

function unsupported(handlers: readonly SetHandler[], s: Pick<ReadSet, 'interchange' | 'group' | 'info'>, fileName: string): ClaimsError | null {
  const where = { file: fileName, interchange: s.interchange.controlNumber, group: s.group.controlNumber, set: s.info.controlNumber, segmentIndex: s.info.segmentIndex, segmentTag: 'ST' };
  const handler = handlerFor(handlers, s.info.id);
  if (!handler) return new ClaimsError({ code: 'X12_SET_UNSUPPORTED', message: `transaction set ${s.info.id} is not ingested`, location: where, found: s.info.id, ack: { ik5: '1' } });
  if (!takesGroup(handler, s.group.functionalId)) {
    return new ClaimsError({ code: 'X12_GS01_MISMATCH', message: `GS01 ${s.group.functionalId} does not carry ${s.info.id} sets`, location: { ...where, segmentTag: 'GS', element: 1 }, expected: handler.functionalId, found: s.group.functionalId, ack: { ik5: '6' } });
  }
  if (!handler.versions.includes(s.group.version)) {
    return new ClaimsError({ code: 'X12_VERSION_UNSUPPORTED', message: `GS08 ${s.group.version} is not a version of ${s.info.id} we ingest`, location: { ...where, segmentTag: 'GS', element: 8 }, expected: handler.versions.join(' | '), found: s.group.version, ack: { ik5: '2' } });
  }
  return null;
}

/** A copy of `file` in quarantine (never overwriting a different file) with its report beside it. */
export async function quarantineCopy(file: string, quarantineDir: string, report: Record<string, unknown>): Promise<{ path: string; reportPath: string }> {
  await fs.mkdir(quarantineDir, { recursive: true, mode: OWNER_ONLY_DIR });
  const tmp = path.join(quarantineDir, `.${path.basename(file)}.${process.pid}.copy`);
  await fs.copyFile(file, tmp);
  const moved = await moveIntoFolder(tmp, quarantineDir, { ownerOnly: true, name: path.basename(file) });
  const reportPath = `${moved.path}.error.json`;
  await writeOwnerOnly(reportPath, jsonText(report, 2) + '\n', { replace: true });
  return { path: moved.path, reportPath };
}

/** Pure: the file's status from its sets and the problems outside them. */
export function fileStatus(sets: readonly SetOutcome[], reasons: readonly ClaimsError[]): FileStatus {
  const quarantined = sets.some((s) => s.status === 'quarantined') || reasons.some((r) => r.severity === 'error');
  const posted = sets.some((s) => s.status === 'posted');
  // Only duplicates: a redelivery. Sets skipped (a 999 for something we did not send) are not duplicates.
  const duplicatesOnly = sets.length > 0 && sets.every((s) => s.status === 'duplicate');
  if (!quarantined) return posted || !duplicatesOnly ? 'done' : 'duplicate';
  return posted || sets.some((s) => s.status === 'duplicate') ? 'partial' : 'quarantined';
}

/**
 * Every error that made the file partial or quarantined, each once (envelope errors are shared by sets;
 * a trailer's error is found both by the receipt check, which a set refused for it carries, and by the reading).
 */
export function fileErrors(outcome: Pick<FileOutcome, 'sets' | 'reasons'>): ClaimsError[] {
  const seen: ClaimsError[] = [];
  const all = [...outcome.reasons, ...outcome.sets.filter((s) => s.status === 'quarantined').flatMap((s) => s.reasons)];
  return all.filter((r) => r.severity === 'error' && !seen.some((p) => p === r || sameProblem(p, r)) && (seen.push(r), true));
}

function receivedWarning(r: ReceivedResult, i: InterchangeInfo, fileName: string): ClaimsError | null {
  const location = { file: fileName, interchange: i.controlNumber, segmentIndex: i.segmentIndex, segmentTag: 'ISA', element: 13 };
  if (r.status === 'redelivery') {
    return new ClaimsError({ code: 'INTERCHANGE_REDELIVERED', severity: 'warning', message: `interchange ${i.controlNumber} from ${i.senderId} was received before${r.firstFile ? ` (${r.firstFile})` : ''}: its sets are duplicates`, location, ack: { ta1: '025' } });
  }
  if (r.status === 'control_number_reused') {
    return new ClaimsError({ code: 'INTERCHANGE_CONTROL_NUMBER_REUSED', severity: 'warning', message: `ISA13 ${i.controlNumber} from ${i.senderId} was received before with different content (payers reuse control numbers): read as a new interchange`, location });
  }
  return null;
}

export async function receiveFile(file: string, opts: IngestFileOptions): Promise<FileOutcome> {
  const fileName = path.basename(file);
  const { fileSha256, plan } = await checkReceipt(file, fileName);
  const receipt = new FileReceipt(file, fileName, fileSha256, plan, opts);
  await receipt.read();
  return receipt.outcome();
}

/** A set between its ST and its SE: what the envelope checks say about it comes with the SE. */
type OpenSet = Omit<ReadSet, 'summary' | 'envelopeErrors' | 'refused' | 'refusal'>;

/** A handler that reads while the set streams gets each segment as it comes; none is kept. */
function openSet(handlers: readonly SetHandler[], e: Extract<EnvelopeEvent, { kind: 'setStart' }>, fileName: string): OpenSet {
  const head = { interchange: e.interchange, group: e.group, info: e.set };
  const streaming = handlerFor(handlers, e.set.id)?.openSet?.(setHeader(head), fileName) ?? null;
  const open = { ...head, segments: streaming ? [] : [e.segment], streaming, segmentCount: 1 };
  streaming?.push(e.segment);
  return open;
}

/** One file being received: its sets read in order, settled (at most two at once), and what came of them. */
class FileReceipt {
  private readonly reasons: ClaimsError[] = [];
  private readonly sets: SetOutcome[] = [];
  private readonly acks: string[] = [];
  private readonly readerProblems: ReaderProblems = new Map();
  private readonly receivedAt = new Date();
  // A complete set settles while the next one is read: the reading (tokenizer, envelope checks, the
  // handler's reader) runs while the settling set waits on the database. At most two sets settle at once:
  // the newest starts when the one before the previous has settled, and overlaps the previous only when
  // its handler says they touch nothing in common (a set may depend on what the previous one posted: a
  // reversal of a claim paid just before); outcomes are reported and committed in file order.
  private inFlight: InFlight | null = null;
  private before: Promise<unknown> | null = null;

  constructor(
    private readonly file: string,
    private readonly fileName: string,
    private readonly fileSha256: string,
    private readonly plan: ReceiptPlan,
    private readonly opts: IngestFileOptions,
  ) {}

  /** Read the file's events and settle its sets; a problem that stops the reading becomes one of the file's reasons. */
  async read(): Promise<void> {
    const { opts, fileName } = this;
    // Locals, not fields: the segment case runs for every segment of the file.
    let open: OpenSet | null = null;
    let pending: ReadSet | null = null;
    // Ordinals of the interchange and group being read, as the receipt check counted them.
    let interchange = -1;
    let group = -1;
    try {
      for await (const batch of envelopeEventBatches(this.file, { file: fileName, hashContent: true })) {
        for (const e of batch) {
          switch (e.kind) {
            case 'interchangeStart':
              interchange++;
              group = -1;
              break;
            case 'groupStart':
              group++;
              break;
            case 'setStart':
              if (pending) {
                await this.settleInBackground(pending);
                pending = null;
              }
              open = openSet(opts.handlers, e, fileName);
              break;
            case 'segment': {
              if (!open) break;
              const max = open.streaming ? STREAMED_SET_SEGMENTS_MAX : SET_SEGMENTS_MAX;
              if (open.segmentCount >= max) {
                throw new ClaimsError({ code: 'X12_SET_TOO_LARGE', message: `set ST02 ${open.info.controlNumber} has more than ${max} segments`, location: { file: fileName, interchange: open.interchange.controlNumber, set: open.info.controlNumber, segmentIndex: e.segment.index, byteOffset: e.segment.byteOffset } });
              }
              open.segmentCount++;
              if (open.streaming) open.streaming.push(e.segment);
              else open.segments.push(e.segment);
              break;
            }
            case 'setEnd':
              if (!open) break;
              if (e.segment) {
                if (open.streaming) open.streaming.push(e.segment);
                else open.segments.push(e.segment);
              }
              pending = { ...open, summary: e.summary, envelopeErrors: e.envelopeErrors, ...refusalsOf(opts.handlers, open, e.summary, e.envelopeErrors, refusedWholly(this.plan, interchange, group, open, fileName), fileName) };
              open = null;
              break;
            case 'interchangeEnd':
              await this.settled();
              await this.closeInterchange(pending, e.summary);
              pending = null;
              break;
            case 'problem':
              // Problems inside a set travel with its summary; the rest belong to the file.
              if (e.problem.location.set === undefined || e.fatal) this.reasons.push(e.problem);
              break;
            default:
          }
        }
      }
      await this.settled();
      if (pending) await this.settle(pending, null);
      if (interchange + 1 !== this.plan.interchanges) {
        throw new ClaimsError({ code: 'INTERNAL', message: `${fileName} changed while it was read (the envelope check found ${this.plan.interchanges} interchanges, the reading ${interchange + 1})`, location: { file: fileName } });
      }
    } catch (err) {
      // A set still settling finishes (or fails) before the file's outcome is decided.
      await this.settled();
      const e = toClaimsError(err, { file: fileName });
      if (!(err instanceof ClaimsError) || e.code === 'INTERNAL' || e.code.startsWith('DATABASE') || e.code.startsWith('LEDGER')) throw err;
      this.reasons.push(e);
    }
  }

  /** The file's status from its sets, and a quarantine copy when it is not all done. */
  async outcome(): Promise<FileOutcome> {
    const { file, fileName, fileSha256, sets, reasons, acks, opts } = this;
    if (sets.length === 0 && !reasons.some((r) => r.severity === 'error')) {
      reasons.push(new ClaimsError({ code: 'X12_NO_SETS', message: 'no transaction set found', location: { file: fileName } }));
    }
    const status = fileStatus(sets, reasons);
    const outcome: FileOutcome = { file, fileSha256, status, sets, reasons, ...(acks.length > 0 && { acks }) };
    if ((status === 'partial' || status === 'quarantined') && opts.quarantineCopy !== false) {
      outcome.quarantined = await quarantineCopy(file, opts.quarantineDir, {
        file: fileName, sha256: fileSha256, status,
        errors: fileErrors(outcome).map((r) => r.toJSON()),
        sets: sets.map((s) => ({ set: s.set, transactionSet: s.transactionSet, status: s.status, ...(s.detail && { detail: s.detail }) })),
      });
    }
    return outcome;
  }

  /**
   * Handle one complete set; `last` is its interchange's summary when it is the interchange's last set.
   * `earlier` is the set before it, when that one may still be settling: this set overlaps it when its
   * handler says nothing it reads can be changed by the earlier one (StreamingSet.mayOverlap), else it
   * waits for it. Either way its outcome is reported after the earlier one's, in file order.
   */
  private async settle(s: ReadSet, last: InterchangeSummary | null, earlier: InFlight | null = null): Promise<boolean> {
    const { opts, file, fileName, fileSha256, receivedAt } = this;
    let recorded = false;
    const record = async (client: PoolClient): Promise<void> => {
      if (last === null || recorded) return;
      const r = await recordInterchange(client, last, { fileName, fileSha256, receivedAt });
      recorded = true;
      const w = receivedWarning(r, last.interchange, fileName);
      if (w) this.reasons.push(w);
    };
    const warnings = s.summary.problems.filter((p) => p.severity !== 'error');
    const { refused, refusal } = s;
    // Both sets go to their handler (nothing could wait on a refused set: its handler never settles it).
    const overlaps = earlier !== null && handedOver(earlier.set) && handedOver(s) && s.streaming?.mayOverlap !== undefined
      && earlier.set.streaming !== null && s.streaming.mayOverlap(earlier.set.streaming);
    if (earlier && !overlaps) await earlier.done;
    const ctx: IngestContext = {
      pool: opts.pool, file, fileName, fileSha256, logger: opts.logger, failpoint: opts.failpoint, inTransaction: record,
      ...(opts.practiceId !== undefined && { practiceId: opts.practiceId }),
      ...(overlaps && { earlier: { set: earlier.set.streaming!, settled: earlier.done } }),
    };
    let outcome: SetOutcome;
    // What the 999 adds to the envelope's own problems (which the group summary already carries): the
    // reason a set was not handed to a handler, or what the handler's reader found.
    let located: ClaimsError[];
    if (refused.length > 0 || refusal) {
      outcome = { set: s.info.controlNumber, transactionSet: s.info.id, status: 'quarantined', reasons: [...refused, ...(refusal ? [refusal] : []), ...warnings] };
      located = refusal ? ackProblems([refusal]) : [];
    } else {
      outcome = s.streaming ? await s.streaming.settle(ctx) : await handlerFor(opts.handlers, s.info.id)!.handleSet(x12Set(s), ctx);
      if (warnings.length > 0) outcome = { ...outcome, reasons: [...outcome.reasons, ...warnings] };
      located = ackProblems(outcome.reasons.filter((r) => r.severity === 'error'));
    }
    if (overlaps) await earlier.done;
    if (located.length > 0) {
      const group = this.readerProblems.get(s.group.controlNumber) ?? new Map<string, ClaimsError[]>();
      group.set(s.info.controlNumber, [...(group.get(s.info.controlNumber) ?? []), ...located]);
      this.readerProblems.set(s.group.controlNumber, group);
    }
    this.sets.push(outcome);
    opts.logger.info({ file: fileName, interchange: s.interchange.controlNumber, set: outcome.set, status: outcome.status, codes: outcome.reasons.map((r) => r.code) }, 'transaction set settled');
    await opts.onSet?.(outcome);
    await opts.failpoint('ingest.between-sets');
    return recorded;
  }

  /** An interchange ended: its last set (if any) settles with the interchange recorded, then its acks. */
  private async closeInterchange(pending: ReadSet | null, summary: InterchangeSummary): Promise<void> {
    const { opts, fileName, fileSha256, receivedAt } = this;
    const canRecord = summary.contentHash !== undefined && summary.interchange.senderId !== '' && summary.interchange.controlNumber !== '';
    let recorded = false;
    if (pending) recorded = await this.settle(pending, canRecord ? summary : null);
    if (canRecord && !recorded) {
      const r = await withTransaction(opts.pool, (client) => recordInterchange(client, summary, { fileName, fileSha256, receivedAt }));
      const w = receivedWarning(r, summary.interchange, fileName);
      if (w) this.reasons.push(w);
    }
    if (opts.acks) {
      const written = await writeAcks(opts.pool, summary, this.readerProblems, opts.acks);
      if (written) this.acks.push(written);
    }
    this.readerProblems.clear();
  }

  /** Every set still settling, settled; the first failure (in file order) is thrown after all are done. */
  private async settled(): Promise<void> {
    const all = [this.before, this.inFlight?.done].filter((p): p is Promise<unknown> => p != null);
    this.before = null;
    this.inFlight = null;
    for (const r of await Promise.allSettled(all)) if (r.status === 'rejected') throw r.reason;
  }

  private async settleInBackground(s: ReadSet): Promise<void> {
    if (this.before) {
      const b = this.before;
      this.before = null;
      await b;
    }
    const earlier = this.inFlight;
    const done = this.settle(s, null, earlier);
    // Awaited by a later `settled()` or by the next set; until then a rejection is held, not reported as unhandled.
    done.catch(() => undefined);
    this.before = earlier?.done ?? null;
    this.inFlight = { set: s, done };
  }
}
