// The submit service: claims export(s) in, 837 interchanges in the outbox, a rejection report, claims and
// charges recorded. Streams: records arrive in chunks, are validated and mapped synchronously, decided,
// checked against coverage and recorded in batches (a few statements per batch), and written to the payer's
// interchange as they come, so memory stays flat with the size of the export. With no store (the
// benchmark's core timing) nothing touches a database.
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
import type { Clock } from '../runtime/clock.ts';
import type { Logger } from '../runtime/logger.ts';
import { ClaimsError } from '../runtime/errors.ts';
import { readClaimsExportChunks } from './read-export.ts';
import { validateClaim, type Rejection } from './validate.ts';
import { mapClaim, type MappedClaim, type PayerDirectory } from './map.ts';
import { ChainBook } from './decide.ts';
import { Outbox, recoverReadyFiles, type OutboundFile } from './outbox.ts';
import { failpoint } from '../runtime/failpoints.ts';
import type { ControlNumbers } from './control-numbers.ts';
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
  mapped: MappedClaim;
  file: string;
  holdId: string | null;
}

export async function submitClaims(opts: SubmitOptions): Promise<SubmitSummary> {
  const today = opts.clock.today();
  const at = opts.clock.now();
  const batchSize = opts.batchSize ?? 1000;
  const report = new RejectionReport(opts.reportDir ?? `${opts.outDir}/reports`);
  const openedFiles: string[] = [];
  const outbox = new Outbox({
    dir: opts.outDir,
    clock: opts.clock,
    controlNumbers: opts.controlNumbers,
    ...(opts.claimsPerSetMax !== undefined && { claimsPerSetMax: opts.claimsPerSetMax }),
    ...(opts.delimiters !== undefined && { delimiters: opts.delimiters }),
    ...(opts.lineBreak !== undefined && { lineBreak: opts.lineBreak }),
    onOpen: async (f) => {
      openedFiles.push(f.fileName);
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
    const mappedOfBatch = items.map((b) => b.mapped);
    const existing = opts.store && items.length > 0 ? await opts.store.lookupChains(mappedOfBatch) : [];
    const verdicts = opts.coverage && items.length > 0 ? await opts.coverage.decide(mappedOfBatch) : null;
    const book = new ChainBook(existing);
    const sent: SentClaim[] = [];
    const resent: ResentClaim[] = [];
    const seen: MappedClaim[] = [];
    const duplicates: DuplicateClaim[] = [];
    const held: HeldClaim[] = [];
    for (let i = 0; i < items.length; i++) {
      const { mapped, file, holdId } = items[i]!;
      const d = book.decide(mapped, { resubmit: opts.resubmit ?? false });
      if (d.kind === 'reject') {
        await rejectAll([d.rejection], file, holdId);
        seen.push(mapped); // not sent, but the person's details in it are current
        continue;
      }
      if (d.kind === 'duplicate') {
        summary.duplicates++;
        seen.push(mapped);
        duplicates.push({ mapped, claimId: d.claimId === '' ? null : d.claimId });
        continue;
      }
      const verdict = verdicts?.[i];
      if (d.kind === 'send' && verdict?.action === 'hold') {
        book.forget(mapped);
        summary.held++;
        seen.push(mapped);
        held.push({ mapped, file, verdict });
        const row = holdRow(mapped, verdict);
        await report.add(several || holdId !== null ? { ...row, file } : row);
        continue;
      }
      if (verdict?.code === 'COVERAGE_INACTIVE_SENT_BY_POLICY') summary.sentOutsideCoverage++;
      if (holdId !== null) summary.heldReleased++;
      const p = outbox.add(mapped);
      const placement = p instanceof Promise ? await p : p;
      if (d.kind === 'send') {
        sent.push({ mapped, placement });
        summary.chargeCents += mapped.claim.totalChargeCents;
      } else resent.push({ mapped, placement, claimId: d.claimId, why: d.why });
    }
    summary.sent += sent.length;
    summary.resent += resent.length;
    if (opts.store) {
      const r = await opts.store.recordBatch({ sent, resent, seen, existing, duplicates, held, rejectedHolds, effectiveDate: today, at });
      summary.entriesPosted += r.entriesPosted;
    }
    rejectedHolds = [];
  };

  /**
   * Validate and map one record; a good one joins the batch. Synchronous (no promise, no microtask) unless
   * it rejects or fills the batch: then it returns the promise to wait for.
   */
  const take = (value: unknown, record: number, file: string, holdId: string | null): Promise<void> | undefined => {
    summary.records++;
    const v = validateClaim(value, record, today);
    if (!v.ok) return rejectAll(v.rejections, file, holdId);
    const m = mapClaim(v.claim, record, opts.payers);
    if (!m.ok) return rejectAll(m.rejections, file, holdId);
    batch.push({ mapped: m.mapped, file, holdId });
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
        await take(h.record, h.exportRecord, h.file, h.holdId);
      }
    }
    for (const input of opts.inputs) {
      for await (const chunk of readClaimsExportChunks(input)) {
        for (const item of chunk) {
          stopIfAborted();
          if ('error' in item) {
            summary.records++;
            await rejectAll([{ claimId: '', patientControlNumber: '', record: item.record, field: '', code: 'RECORD_NOT_JSON', message: item.error, expected: 'one JSON object per line', found: '(unparseable)' }], input, null);
            continue;
          }
          const pending = take(item.value, item.record, input, null);
          if (pending !== undefined) await pending;
        }
      }
    }
    await flush();
    summary.files = await outbox.finish();
    await opts.store?.completeFiles(summary.files, at);
    // Recorded sent, not yet in the outbox: the next run's recoverReadyFiles publishes them.
    failpoint('claims.files.before-publish');
    await outbox.publish(summary.files);
  } catch (err) {
    await outbox.abort();
    await opts.store?.abandonFiles(openedFiles).catch(() => undefined);
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
