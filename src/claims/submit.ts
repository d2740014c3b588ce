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
import type { Clock } from '../common/clock.ts';
import type { Logger } from '../runtime/logger.ts';
import { ClaimsError } from '../common/errors.ts';
import type { Rejection } from '../domain/claim-validate.ts';
import type { MappedClaim, PayerDirectory } from '../domain/mapped-claim.ts';
import { prepareRecord, rebuildMapped, type PrepareContext, type PreparedClaim } from '../claim-exports/prepare-claim.ts';
import { preparedExport } from '../claim-exports/prepared-export.ts';
import { sniff } from '../claim-exports/read-export.ts';
import { arrayBlocks } from '../claim-exports/array-blocks.ts';
import { defaultThreads, PreparePool } from '../claim-exports/prepare-pool.ts';
import { SegmentText } from '../transactions/claim-837-text.ts';
import { ClaimRenderer } from '../transactions/claim-837-render.ts';
import { DEFAULT_DELIMITERS } from '../x12/writer.ts';
import { stat } from 'node:fs/promises';
import { ChainBook } from './decide.ts';
import { Outbox, recoverReadyFiles, type OutboundFile } from './outbox.ts';
import { failpoint } from '../runtime/failpoints.ts';
import type { ControlNumbers } from '../exchange/control-numbers.ts';
import type { ClaimStore, DuplicateClaim, HeldClaim, ResentClaim, SentClaim } from './store.ts';
import { holdRow, type CoverageGate } from './coverage-gate.ts';
import { RejectionReport } from './report.ts';
import type { Delimiters } from '../x12/segment.ts';

export interface SubmitOptions {
  inputs: readonly string[];
  outDir: string;
  /** Where rejections.csv / rejections.json go (default: OUT/reports). */
  reportDir?: string;
  payers: PayerDirectory;
  clock: Clock;
  controlNumbers: ControlNumbers;
  /** null: no database (validation, mapping and writing only). */
  store: ClaimStore | null;
  /** The eligibility check; none: every claim is sent (no database, or the check switched off). */
  coverage?: CoverageGate | null;
  /** Re-check the claims held by earlier runs before the inputs (default: true when there is a store). */
  retryHeld?: boolean;
  /** Send again claims a payer rejected. */
  resubmit?: boolean;
  claimsPerSetMax?: number;
  /** Claims per database round trip. */
  batchSize?: number;
  /**
   * Worker threads that prepare (parse, validate, map, render) the claims of a large export; 0: this
   * thread. Default without a store: one a core, at most four, none on one core; with a store: none (the
   * database is the bottleneck, and a local server needs the cores: decision 0042).
   */
  threads?: number;
  /** Exports smaller than this are prepared on this thread: starting workers costs more (default 16 MiB). */
  threadsFromBytes?: number;
  delimiters?: Delimiters;
  /** Written after every segment terminator ('' or '\n'). */
  lineBreak?: string;
  logger?: Logger;
  signal?: AbortSignal;
}

export interface SubmitSummary {
  records: number;
  sent: number;
  resent: number;
  duplicates: number;
  /** Claims not sent (each may have several rejection rows). */
  rejectedClaims: number;
  rejectionRows: number;
  /** Claims held on coverage in this run (new holds and earlier holds still not covered). */
  held: number;
  /** Claims held by earlier runs that were re-checked, and how many of them went out now. */
  heldRechecked: number;
  heldReleased: number;
  /** Sent although a 271 says coverage was inactive, because the payer profile says so. */
  sentOutsideCoverage: number;
  entriesPosted: number;
  chargeCents: bigint;
  files: OutboundFile[];
  report: { csv: string; json: string };
}

/** One record to submit: from an export file, or a claim held by an earlier run. */
interface Item {
  prepared: PreparedClaim;
  /** The whole claim: there whenever a database or the coverage check needs it. */
  mapped: MappedClaim | null;
  file: string;
  holdId: string | null;
}

const THREADS_FROM_BYTES = 16 << 20;

export async function submitClaims(opts: SubmitOptions): Promise<SubmitSummary> {
  const today = opts.clock.today();
  const at = opts.clock.now();
  const batchSize = opts.batchSize ?? 1000;
  const delimiters = opts.delimiters ?? DEFAULT_DELIMITERS;
  const lineBreak = opts.lineBreak ?? '';
  const ctx: PrepareContext = { today, payers: opts.payers, renderer: new ClaimRenderer(new SegmentText(delimiters, lineBreak)) };
  /** The database and the coverage check read the whole claim; the files need only the prepared one. */
  const needMapped = opts.store !== null || (opts.coverage ?? null) !== null;
  const threads = opts.threads ?? (opts.store === null ? defaultThreads() : 0);
  const report = new RejectionReport(opts.reportDir ?? `${opts.outDir}/reports`);
  const openedFiles = new Set<string>();
  const outbox = new Outbox({
    dir: opts.outDir,
    clock: opts.clock,
    controlNumbers: opts.controlNumbers,
    ...(opts.claimsPerSetMax !== undefined && { claimsPerSetMax: opts.claimsPerSetMax }),
    ...(opts.delimiters !== undefined && { delimiters: opts.delimiters }),
    ...(opts.lineBreak !== undefined && { lineBreak: opts.lineBreak }),
    onOpen: async (f) => {
      openedFiles.add(f.fileName);
      await opts.store?.openFile(f);
    },
  });
  const summary: SubmitSummary = {
    records: 0, sent: 0, resent: 0, duplicates: 0, rejectedClaims: 0, rejectionRows: 0, held: 0, heldRechecked: 0, heldReleased: 0,
    sentOutsideCoverage: 0, entriesPosted: 0, chargeCents: 0n, files: [], report: { csv: report.csvPath, json: report.jsonPath },
  };
  const several = opts.inputs.length > 1;
  /** Held claims of earlier runs refused this time (validation, mapping, a conflict): they stop being held. */
  let rejectedHolds: string[] = [];

  const rejectAll = async (rows: Rejection[], file: string, holdId: string | null): Promise<void> => {
    summary.rejectedClaims++;
    if (holdId !== null) rejectedHolds.push(holdId);
    for (const r of rows) await report.add(several || holdId !== null ? { ...r, file } : r);
  };

  let batch: Item[] = [];
  const flush = async (): Promise<void> => {
    if (batch.length === 0 && rejectedHolds.length === 0) return;
    const items = batch;
    batch = [];
    const mappedOfBatch = needMapped ? items.map((b) => b.mapped!) : [];
    const existing = opts.store && items.length > 0 ? await opts.store.lookupChains(mappedOfBatch) : [];
    const verdicts = opts.coverage && items.length > 0 ? await opts.coverage.decide(mappedOfBatch) : null;
    const book = new ChainBook(existing, openedFiles);
    const sent: SentClaim[] = [];
    const resent: ResentClaim[] = [];
    const seen: MappedClaim[] = [];
    const duplicates: DuplicateClaim[] = [];
    const held: HeldClaim[] = [];
    for (let i = 0; i < items.length; i++) {
      const { prepared, mapped, file, holdId } = items[i]!;
      const { head } = prepared;
      const d = book.decide(head, { resubmit: opts.resubmit ?? false });
      if (d.kind === 'reject') {
        await rejectAll([d.rejection], file, holdId);
        if (mapped) seen.push(mapped); // not sent, but the person's details in it are current
        continue;
      }
      if (d.kind === 'duplicate') {
        summary.duplicates++;
        if (mapped) {
          seen.push(mapped);
          duplicates.push({ mapped, claimId: d.claimId === '' ? null : d.claimId });
        }
        continue;
      }
      const verdict = verdicts?.[i];
      if (d.kind === 'send' && verdict?.action === 'hold') {
        book.forget(head);
        summary.held++;
        seen.push(mapped!);
        held.push({ mapped: mapped!, file, verdict });
        const row = holdRow(mapped!, verdict);
        await report.add(several || holdId !== null ? { ...row, file } : row);
        continue;
      }
      if (verdict?.code === 'COVERAGE_INACTIVE_SENT_BY_POLICY') summary.sentOutsideCoverage++;
      if (holdId !== null) summary.heldReleased++;
      const p = outbox.add(prepared, opts.payers.get(head.payerId)!);
      const placement = p instanceof Promise ? await p : p;
      if (d.kind === 'send') {
        summary.sent++;
        summary.chargeCents += head.totalChargeCents;
        if (mapped) sent.push({ mapped, placement });
      } else {
        summary.resent++;
        if (mapped) resent.push({ mapped, placement, claimId: d.claimId, why: d.why });
      }
    }
    if (opts.store) {
      const r = await opts.store.recordBatch({ sent, resent, seen, existing, duplicates, held, rejectedHolds, effectiveDate: today, at });
      summary.entriesPosted += r.entriesPosted;
    }
    rejectedHolds = [];
  };

  /**
   * A prepared claim joins the batch. Synchronous (no promise, no microtask) unless it fills the batch: then
   * it returns the promise to wait for.
   */
  const take = (prepared: PreparedClaim, mapped: MappedClaim | null, file: string, holdId: string | null): Promise<void> | undefined => {
    batch.push({ prepared, mapped, file, holdId });
    return batch.length >= batchSize ? flush() : undefined;
  };
  const stopIfAborted = (): void => {
    if (opts.signal?.aborted) throw new ClaimsError({ code: 'SUBMIT_ABORTED', message: 'stopped by a signal before the batch completed; nothing was sent' });
  };

  if (opts.store) {
    // A run that died between recording its files sent and renaming them into the outbox left them ready.
    const store = opts.store;
    const recovered = await recoverReadyFiles(opts.outDir, (names) => store.fileStates(names));
    if (recovered.published.length + recovered.dropped.length > 0) {
      opts.logger?.warn(recovered, 'finished the files an interrupted run left ready: published those recorded sent, dropped the others (their claims are sent again)');
    }
  }

  try {
    if (opts.store && (opts.retryHeld ?? true)) {
      // Earlier holds first, in the order they were held: a newer 271 may have settled them.
      for (const h of await opts.store.heldClaims()) {
        stopIfAborted();
        summary.heldRechecked++;
        summary.records++;
        const p = prepareRecord(h.record, h.exportRecord, ctx);
        await (p.ok ? take(p.prepared, p.mapped, h.file, h.holdId) : rejectAll(p.rejections, h.file, h.holdId));
      }
    }
    let pool: PreparePool | null = null;
    try {
      for (const input of opts.inputs) {
        if (opts.store && (await sniff(input)) === 'array') {
          // A JSON array's structure is known only at its end: check it all before anything is recorded,
          // so that an export cut short records and posts nothing (NDJSON lines stand on their own).
          for await (const block of arrayBlocks(input)) void block;
        }
        if (pool === null && threads > 0 && (await stat(input)).size >= (opts.threadsFromBytes ?? THREADS_FROM_BYTES)) {
          pool = new PreparePool({ threads, payers: opts.payers, today, delimiters, lineBreak });
          opts.logger?.info({ threads, file: input }, 'preparing claims on worker threads');
        }
        for await (const chunk of preparedExport(input, { ctx, pool, source: needMapped })) {
          for (const item of chunk) {
            stopIfAborted();
            summary.records++;
            if ('error' in item) {
              await rejectAll([{ claimId: '', patientControlNumber: '', record: item.record, field: '', code: 'RECORD_NOT_JSON', message: item.error, expected: 'one JSON object per line', found: '(unparseable)' }], input, null);
            } else if ('rejections' in item) {
              await rejectAll(item.rejections, input, null);
            } else {
              const mapped = needMapped && item.mapped === null ? rebuildMapped(item.source!, item.prepared.head, ctx) : item.mapped;
              const pending = take(item.prepared, mapped, input, null);
              if (pending !== undefined) await pending;
            }
          }
        }
      }
    } finally {
      // The workers go as soon as the exports are read (or reading failed).
      await pool?.close();
    }
    await flush();
    summary.files = await outbox.finish();
    await opts.store?.completeFiles(summary.files, at);
    // Recorded sent, not yet in the outbox: the next run's recoverReadyFiles publishes them.
    failpoint('claims.files.before-publish');
    await outbox.publish(summary.files);
  } catch (err) {
    await outbox.abort();
    await opts.store?.abandonFiles([...openedFiles]).catch(() => undefined);
    await report.close().catch(() => undefined);
    throw err;
  }
  await report.close();
  summary.rejectionRows = report.rows;
  opts.logger?.info(
    {
      records: summary.records, sent: summary.sent, resent: summary.resent, duplicates: summary.duplicates, rejected: summary.rejectedClaims,
      held: summary.held, heldReleased: summary.heldReleased, files: summary.files.map((f) => f.fileName),
    },
    'claims submitted',
  );
  return summary;
}
