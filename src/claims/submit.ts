// The submit service: claims export(s) in, 837 interchanges in the outbox, a rejection report, claims and
// charges recorded. Streams: records are validated and mapped one at a time, decided and recorded in batches
// (one database round trip per batch), and written to the payer's interchange as they come, so memory stays
// flat with the size of the export. With no store (the benchmark's core timing) nothing touches a database.
//
// Crash safety: a claim is recorded 'pending' with its file before the file is complete; the file is renamed
// into the outbox only at the end, and only then do its claims become 'submitted'. A run that dies leaves
// pending claims whose file never completed: the next run sends them again (and posts nothing twice).
import type { Clock } from '../runtime/clock.ts';
import type { Logger } from '../runtime/logger.ts';
import { ClaimsError } from '../runtime/errors.ts';
import { readClaimsExport } from './read-export.ts';
import { validateClaim, type Rejection } from './validate.ts';
import { mapClaim, type MappedClaim, type PayerDirectory } from './map.ts';
import { ChainBook } from './decide.ts';
import { Outbox, type OutboundFile } from './outbox.ts';
import type { ControlNumbers } from './control-numbers.ts';
import type { ClaimStore, ResentClaim, SentClaim } from './store.ts';
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
  entriesPosted: number;
  chargeCents: bigint;
  files: OutboundFile[];
  report: { csv: string; json: string };
}

export async function submitClaims(opts: SubmitOptions): Promise<SubmitSummary> {
  const today = opts.clock.today();
  const at = opts.clock.now();
  const batchSize = opts.batchSize ?? 500;
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
    records: 0, sent: 0, resent: 0, duplicates: 0, rejectedClaims: 0, rejectionRows: 0, entriesPosted: 0, chargeCents: 0n,
    files: [], report: { csv: report.csvPath, json: report.jsonPath },
  };

  const rejectAll = async (rows: Rejection[], file: string): Promise<void> => {
    summary.rejectedClaims++;
    for (const r of rows) await report.add(opts.inputs.length > 1 ? { ...r, file } : r);
  };

  let batch: { mapped: MappedClaim; file: string }[] = [];
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    const items = batch;
    batch = [];
    const existing = opts.store ? await opts.store.lookupChains(items.map((b) => b.mapped)) : [];
    const book = new ChainBook(existing);
    const sent: SentClaim[] = [];
    const resent: ResentClaim[] = [];
    const seen: MappedClaim[] = [];
    for (const { mapped, file } of items) {
      const d = book.decide(mapped, { resubmit: opts.resubmit ?? false });
      if (d.kind === 'reject') {
        await rejectAll([d.rejection], file);
        seen.push(mapped); // not sent, but the person's details in it are current
      } else if (d.kind === 'duplicate') {
        summary.duplicates++;
        seen.push(mapped);
      } else {
        const placement = await outbox.add(mapped);
        if (d.kind === 'send') {
          sent.push({ mapped, placement });
          summary.chargeCents += mapped.claim.totalChargeCents;
        } else resent.push({ mapped, placement, claimId: d.claimId, why: d.why });
      }
    }
    summary.sent += sent.length;
    summary.resent += resent.length;
    if (opts.store) {
      const r = await opts.store.recordBatch({ sent, resent, seen, existing, effectiveDate: today, at });
      summary.entriesPosted += r.entriesPosted;
    }
  };

  try {
    for (const input of opts.inputs) {
      for await (const item of readClaimsExport(input)) {
        if (opts.signal?.aborted) throw new ClaimsError({ code: 'SUBMIT_ABORTED', message: 'stopped by a signal before the batch completed; nothing was sent' });
        summary.records++;
        if ('error' in item) {
          await rejectAll([{ claimId: '', patientControlNumber: '', record: item.record, field: '', code: 'RECORD_NOT_JSON', message: item.error, expected: 'one JSON object per line', found: '(unparseable)' }], input);
          continue;
        }
        const v = validateClaim(item.value, item.record, today);
        if (!v.ok) {
          await rejectAll(v.rejections, input);
          continue;
        }
        const m = mapClaim(v.claim, item.record, opts.payers);
        if (!m.ok) {
          await rejectAll(m.rejections, input);
          continue;
        }
        batch.push({ mapped: m.mapped, file: input });
        if (batch.length >= batchSize) await flush();
      }
    }
    await flush();
    summary.files = await outbox.finish();
    await opts.store?.completeFiles(summary.files, at);
  } catch (err) {
    await outbox.abort();
    await opts.store?.abandonFiles(openedFiles).catch(() => undefined);
    await report.close().catch(() => undefined);
    throw err;
  }
  await report.close();
  summary.rejectionRows = report.rows;
  opts.logger?.info(
    { records: summary.records, sent: summary.sent, resent: summary.resent, duplicates: summary.duplicates, rejected: summary.rejectedClaims, files: summary.files.map((f) => f.fileName) },
    'claims submitted',
  );
  return summary;
}
