// The submit service: claims export(s) in, 837 interchanges in the outbox, a rejection report, claims and
// charges recorded. Streams: records arrive in chunks, are prepared (validated, mapped, hashed and their 837
// body rendered: src/claim-exports/prepare-claim.ts, on worker threads for a large export), then decided, checked
// against coverage and recorded in batches (a few statements per batch), and written to the payer's
// interchange in file order, so memory stays flat with the size of the export and the output does not
// depend on the threads. With no store (the benchmark's core timing) nothing touches a database.
//
// Eligibility (issue 6): a claim whose date of service falls outside coverage a 271 on file reports is held
// (not sent, not posted; listed in the report with outcome 'held') unless the payer profile says to send
// anyway. Held claims are kept with their record, and each later run re-checks them first.
//
// Crash safety: a claim is recorded 'pending' with its file before the file is complete; at the end the file
// is completed into a hidden ready folder, its claims become 'submitted', and only then is it renamed into the
// outbox, so a file a transport can pick up is always one the database knows was sent. A run that dies before
// that commit leaves pending claims the next run sends again (posting nothing twice); one that dies after it
// leaves a ready file the next run publishes before anything else.
//
// One writer per outbox (decision 0045): with a database, a submit holds the outbox's folder lock for its
// whole run, recovery included, so the recovery of one process never takes the ready files of another that
// is publishing them, and two submits into one outbox (two exports, two pipelines) take turns.
import { ClaimsError } from '../common/errors.ts';
import type { Rejection } from '../domain/claim-validate.ts';
import type { MappedClaim } from '../domain/mapped-claim.ts';
import { prepareRecord, rebuildMapped, type PrepareContext, type PreparedClaim } from '../claim-exports/prepare-claim.ts';
import { preparedExport, type PreparedItem } from '../claim-exports/prepared-export.ts';
import { sniff } from '../claim-exports/read-export.ts';
import { arrayBlocks } from '../claim-exports/array-blocks.ts';
import { defaultThreads, PreparePool } from '../claim-exports/prepare-pool.ts';
import { SegmentText } from '../transactions/claim-837-text.ts';
import { ClaimRenderer } from '../transactions/claim-837-render.ts';
import { DEFAULT_DELIMITERS } from '../x12/writer.ts';
import { stat } from 'node:fs/promises';
import { ChainBook, type Decision } from './decide.ts';
import { Outbox, recoverReadyFiles, type Placement } from './outbox.ts';
import { failpoint } from '../runtime/failpoints.ts';
import type { ClaimStore, DuplicateClaim, HeldClaim, ResentClaim, SentClaim } from './store.ts';
import { otherPractice, practicesFor } from './claim-practice.ts';
import { holdRow, type CoverageVerdict } from './coverage-gate.ts';
import { RejectionReport } from './report.ts';
import type { Delimiters } from '../x12/segment.ts';
import type { FolderLock } from '../runtime/folder-lock.ts';

import type { SubmitOptions, SubmitSummary } from './submit-options.ts';
export type { SubmitOptions, SubmitSummary } from './submit-options.ts';

/** One record to submit: from an export file, or a claim held by an earlier run. */
interface Item {
  prepared: PreparedClaim;
  /** The whole claim: there whenever a database or the coverage check needs it. */
  mapped: MappedClaim | null;
  file: string;
  holdId: string | null;
}

const THREADS_FROM_BYTES = 16 << 20;
const OUTBOX_WAIT_MS = 10 * 60_000;

export async function submitClaims(opts: SubmitOptions): Promise<SubmitSummary> {
  if (opts.store && opts.practices === undefined) opts = { ...opts, practices: await practicesFor(opts.store, opts.payers) };
  // What statements and reports need to know of each payer (its kind and rules), as of this submit's profiles.
  await opts.store?.recordPayers(opts.payers.values());
  const lock = opts.store
    ? await opts.store.lockOutbox(opts.outDir, { waitMs: opts.outboxWaitMs ?? OUTBOX_WAIT_MS, ...(opts.logger && { logger: opts.logger }), ...(opts.signal && { signal: opts.signal }) })
    : null;
  try {
    const run = new SubmitRun(opts, lock);
    if (opts.store) await finishInterruptedRun(opts.store, opts);
    try {
      // Earlier holds first, in the order they were held: a newer 271 may have settled them.
      if (opts.store && (opts.retryHeld ?? true)) await run.recheckHeld(opts.store);
      await run.readExports();
      await run.flush();
      await run.publish();
    } catch (err) {
      await run.abandon();
      throw err;
    }
    return await run.close();
  } finally {
    await lock?.release();
  }
}

/** A run that died between recording its files sent and renaming them into the outbox left them ready. */
async function finishInterruptedRun(store: ClaimStore, opts: SubmitOptions): Promise<void> {
  const recovered = await recoverReadyFiles(opts.outDir, (names) => store.fileStates(names));
  if (recovered.published.length + recovered.dropped.length > 0) {
    opts.logger?.warn(recovered, 'finished the files an interrupted run left ready: published those recorded sent, dropped the others (their claims are sent again)');
  }
}

/** What one batch hands the store, filled as its claims are settled. */
interface BatchOutcome {
  sent: SentClaim[];
  resent: ResentClaim[];
  seen: MappedClaim[];
  duplicates: DuplicateClaim[];
  held: HeldClaim[];
}

type SendDecision = Extract<Decision, { kind: 'send' | 'resend' }>;

/**
 * One run's state: the batch being filled, the outbox, the report and the totals. The per-record steps
 * return a promise only when there is something to wait for, so a claim that just joins the batch and the
 * open set costs no microtask.
 */
class SubmitRun {
  readonly summary: SubmitSummary;
  private readonly opts: SubmitOptions;
  private readonly today: string;
  private readonly at: Date;
  private readonly batchSize: number;
  private readonly delimiters: Delimiters;
  private readonly lineBreak: string;
  private readonly ctx: PrepareContext;
  /** The database and the coverage check read the whole claim; the files need only the prepared one. */
  private readonly needMapped: boolean;
  private readonly threads: number;
  private readonly report: RejectionReport;
  private readonly openedFiles = new Set<string>();
  private readonly outbox: Outbox;
  private batch: Item[] = [];
  /** Held claims of earlier runs refused this time (validation, mapping, a conflict): they stop being held. */
  private rejectedHolds: string[] = [];

  constructor(opts: SubmitOptions, private readonly lock: FolderLock | null = null) {
    this.opts = opts;
    this.today = opts.clock.today();
    this.at = opts.clock.now();
    this.batchSize = opts.batchSize ?? 1000;
    this.delimiters = opts.delimiters ?? DEFAULT_DELIMITERS;
    this.lineBreak = opts.lineBreak ?? '';
    this.ctx = {
      today: this.today, payers: opts.payers, renderer: new ClaimRenderer(new SegmentText(this.delimiters, this.lineBreak)),
      ...(opts.practices !== undefined && { practices: opts.practices }),
    };
    this.needMapped = opts.store !== null || (opts.coverage ?? null) !== null;
    this.threads = opts.threads ?? (opts.store === null ? defaultThreads() : 0);
    this.report = new RejectionReport(opts.reportDir ?? `${opts.outDir}/reports`);
    this.outbox = new Outbox({
      dir: opts.outDir,
      clock: opts.clock,
      controlNumbers: opts.controlNumbers,
      ...(opts.claimsPerSetMax !== undefined && { claimsPerSetMax: opts.claimsPerSetMax }),
      ...(opts.delimiters !== undefined && { delimiters: opts.delimiters }),
      ...(opts.lineBreak !== undefined && { lineBreak: opts.lineBreak }),
      onOpen: async (f) => {
        this.openedFiles.add(f.fileName);
        await opts.store?.openFile(f);
      },
    });
    this.summary = {
      records: 0, sent: 0, resent: 0, duplicates: 0, rejectedClaims: 0, rejectionRows: 0, held: 0, heldRechecked: 0, heldReleased: 0,
      sentOutsideCoverage: 0, entriesPosted: 0, chargeCents: 0n, files: [], report: { csv: this.report.csvPath, json: this.report.jsonPath },
    };
  }

  async recheckHeld(store: ClaimStore): Promise<void> {
    for (const h of await store.heldClaims(this.opts.practiceId)) {
      this.stopIfAborted();
      this.summary.heldRechecked++;
      this.summary.records++;
      const p = prepareRecord(h.record, h.exportRecord, this.ctx);
      await (p.ok ? this.take(p.prepared, p.mapped, h.file, h.holdId) : this.rejectAll(p.rejections, h.file, h.holdId));
    }
  }

  async readExports(): Promise<void> {
    let pool: PreparePool | null = null;
    try {
      for (const input of this.opts.inputs) {
        if (this.opts.store && (await sniff(input)) === 'array') {
          // A JSON array's structure is known only at its end: check it all before anything is recorded,
          // so that an export cut short records and posts nothing (NDJSON lines stand on their own).
          for await (const block of arrayBlocks(input)) void block;
        }
        pool ??= await this.poolFor(input);
        for await (const chunk of preparedExport(input, { ctx: this.ctx, pool, source: this.needMapped })) {
          for (const item of chunk) {
            const pending = this.takeRecord(item, input);
            if (pending !== undefined) await pending;
          }
        }
      }
    } finally {
      // The workers go as soon as the exports are read (or reading failed).
      await pool?.close();
    }
  }

  /** Workers for an export large enough to be worth starting them; null: prepare on this thread. */
  private async poolFor(input: string): Promise<PreparePool | null> {
    if (this.threads > 0 && (await stat(input)).size >= (this.opts.threadsFromBytes ?? THREADS_FROM_BYTES)) {
      const threads = this.threads;
      const pool = new PreparePool({
        threads, payers: this.opts.payers, today: this.today, delimiters: this.delimiters, lineBreak: this.lineBreak,
        ...(this.opts.practices !== undefined && { practices: this.opts.practices }),
      });
      this.opts.logger?.info({ threads, file: input }, 'preparing claims on worker threads');
      return pool;
    }
    return null;
  }

  /** One record of an export: refused into the report, or into the batch. */
  private takeRecord(item: PreparedItem, input: string): Promise<void> | undefined {
    this.stopIfAborted();
    this.summary.records++;
    if ('error' in item) {
      return this.rejectAll([{ claimId: '', patientControlNumber: '', record: item.record, field: '', code: 'RECORD_NOT_JSON', message: item.error, expected: 'one JSON object per line', found: '(unparseable)' }], input, null);
    }
    if ('rejections' in item) return this.rejectAll(item.rejections, input, null);
    const mapped = this.needMapped && item.mapped === null ? rebuildMapped(item.source!, item.prepared.head, this.ctx) : item.mapped;
    return this.take(item.prepared, mapped, input, null);
  }

  /** A prepared claim joins the batch; the promise to wait for when it fills the batch. */
  private take(prepared: PreparedClaim, mapped: MappedClaim | null, file: string, holdId: string | null): Promise<void> | undefined {
    this.batch.push({ prepared, mapped, file, holdId });
    return this.batch.length >= this.batchSize ? this.flush() : undefined;
  }

  private async rejectAll(rows: Rejection[], file: string, holdId: string | null): Promise<void> {
    this.summary.rejectedClaims++;
    if (holdId !== null) this.rejectedHolds.push(holdId);
    for (const r of rows) await this.report.add({ ...r, file });
  }

  private stopIfAborted(): void {
    if (this.opts.signal?.aborted) throw new ClaimsError({ code: 'SUBMIT_ABORTED', message: 'stopped by a signal before the batch completed; nothing was sent' });
  }

  /** Decide the batch's claims against their chains and coverage, place those sent, and record it all. */
  async flush(): Promise<void> {
    if (this.batch.length === 0 && this.rejectedHolds.length === 0) return;
    const { store, coverage } = this.opts;
    let items = this.batch;
    this.batch = [];
    if (store && items.length > 0) {
      // A claim goes into its billing provider's practice's books; one that names none, or whose patient is
      // another practice's, is refused before anything of it is decided, sent or recorded.
      const verdicts = await store.practicesOf(items.map((b) => b.mapped!));
      const kept: Item[] = [];
      for (let i = 0; i < items.length; i++) {
        const v = otherPractice(verdicts[i]!, this.opts.practiceId);
        const it = items[i]!;
        if (v.ok) kept.push(it);
        else {
          const { head } = it.prepared;
          await this.rejectAll([{ claimId: head.claimId, patientControlNumber: head.patientControlNumber, record: head.record, field: v.field, code: v.code, message: v.message, expected: v.expected, found: v.found }], it.file, it.holdId);
        }
      }
      items = kept;
    }
    const mappedOfBatch = this.needMapped ? items.map((b) => b.mapped!) : [];
    const existing = store && items.length > 0 ? await store.lookupChains(mappedOfBatch) : [];
    const verdicts = coverage && items.length > 0 ? await coverage.decide(mappedOfBatch) : null;
    const book = new ChainBook(existing, this.openedFiles);
    const out: BatchOutcome = { sent: [], resent: [], seen: [], duplicates: [], held: [] };
    for (let i = 0; i < items.length; i++) {
      const pending = this.settle(items[i]!, verdicts?.[i], book, out);
      if (pending !== undefined) await pending;
    }
    if (store) {
      const { sent, resent, seen, duplicates, held } = out;
      const r = await store.recordBatch({ sent, resent, seen, existing, duplicates, held, rejectedHolds: this.rejectedHolds, effectiveDate: this.today, at: this.at });
      this.summary.entriesPosted += r.entriesPosted;
    }
    this.rejectedHolds = [];
  }

  /** One claim of a batch: rejected as a conflict, skipped as a duplicate, held on coverage, or placed. */
  private settle(item: Item, verdict: CoverageVerdict | undefined, book: ChainBook, out: BatchOutcome): Promise<void> | undefined {
    const { prepared, mapped, file, holdId } = item;
    const { head } = prepared;
    const d = book.decide(head, { resubmit: this.opts.resubmit ?? false });
    if (d.kind === 'reject') {
      if (mapped) out.seen.push(mapped); // not sent, but the person's details in it are current
      return this.rejectAll([d.rejection], file, holdId);
    }
    if (d.kind === 'duplicate') {
      this.summary.duplicates++;
      if (mapped) {
        out.seen.push(mapped);
        out.duplicates.push({ mapped, claimId: d.claimId === '' ? null : d.claimId });
      }
      return undefined;
    }
    if (d.kind === 'send' && verdict?.action === 'hold') {
      book.forget(head);
      this.summary.held++;
      out.seen.push(mapped!);
      out.held.push({ mapped: mapped!, file, verdict });
      const row = holdRow(mapped!, verdict);
      return this.report.add({ ...row, file });
    }
    if (verdict?.code === 'COVERAGE_INACTIVE_SENT_BY_POLICY') this.summary.sentOutsideCoverage++;
    if (holdId !== null) this.summary.heldReleased++;
    const p = this.outbox.add(prepared, this.opts.payers.get(head.payerId)!);
    if (p instanceof Promise) return p.then((placement) => this.countSent(d, item, placement, out));
    this.countSent(d, item, p, out);
    return undefined;
  }

  private countSent(d: SendDecision, { prepared, mapped }: Item, placement: Placement, out: BatchOutcome): void {
    if (d.kind === 'send') {
      this.summary.sent++;
      this.summary.chargeCents += prepared.head.totalChargeCents;
      if (mapped) out.sent.push({ mapped, placement });
    } else {
      this.summary.resent++;
      if (mapped) out.resent.push({ mapped, placement, claimId: d.claimId, why: d.why });
    }
  }

  /** Complete the files, record them sent, then move them into the outbox (the order crash safety needs). */
  async publish(): Promise<void> {
    this.summary.files = await this.outbox.finish();
    // Complete and ready, not yet recorded sent: what another process's recovery would drop without the lock.
    failpoint('claims.files.before-complete');
    // Recorded sent only while the outbox is still ours: a lost lock means another recovery may act on them.
    await this.lock?.verify();
    await this.opts.store?.completeFiles(this.summary.files, this.at);
    // Recorded sent, not yet in the outbox: the next run's recoverReadyFiles publishes them.
    failpoint('claims.files.before-publish');
    await this.outbox.publish(this.summary.files);
  }

  async abandon(): Promise<void> {
    await this.outbox.abort();
    await this.opts.store?.abandonFiles([...this.openedFiles]).catch(() => undefined);
    await this.report.close().catch(() => undefined);
  }

  async close(): Promise<SubmitSummary> {
    const summary = this.summary;
    await this.report.close();
    summary.rejectionRows = this.report.rows;
    this.opts.logger?.info(
      {
        records: summary.records, sent: summary.sent, resent: summary.resent, duplicates: summary.duplicates, rejected: summary.rejectedClaims,
        held: summary.held, heldReleased: summary.heldReleased, files: summary.files.map((f) => f.fileName),
      },
      'claims submitted',
    );
    return summary;
  }
}
