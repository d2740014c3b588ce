// `claims ingest FILE`: read an X12 file's envelopes as a stream, hand each ST..SE to its registered
// handler (handlers.ts) one at a time, and settle the file: every set posted, a duplicate, or quarantined
// with located reasons. A file with any quarantined set (or an envelope problem) gets a copy in quarantine
// with FILE.error.json; the sets that posted stay posted. Memory is bounded by one set.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { ClaimsError, toClaimsError } from '../runtime/errors.ts';
import { readSegmentBatches } from '../x12/read.ts';
import { moveIntoFolder, writeOwnerOnly, OWNER_ONLY_DIR } from '../pipeline/folders.ts';
import type { Segment } from '../x12/segment.ts';
import { handlerFor, type IngestContext, type SetOutcome, type X12Set } from './handlers.ts';
import { isPaymentsFile } from '../patients/payments-ingest.ts';
import { ingestPaymentsFileOutcome } from '../patients/payments-file-outcome.ts';

/** A limit on one set's size: a runaway set (no SE) must not take the process's memory. */
export const SET_SEGMENTS_MAX = 3_000_000;

export type FileStatus = 'done' | 'duplicate' | 'partial' | 'quarantined';

export interface FileOutcome {
  file: string;
  fileSha256: string;
  status: FileStatus;
  sets: SetOutcome[];
  /** Problems outside any one set (tokenizer, envelope). */
  reasons: ClaimsError[];
  /** Where the quarantine copy and its report went, when there is one. */
  quarantined?: { path: string; reportPath: string };
}

export interface IngestFileOptions extends Omit<IngestContext, 'file' | 'fileName' | 'fileSha256'> {
  quarantineDir: string;
  /** Called after each set is settled (progress, outbox acknowledgements). */
  onSet?(outcome: SetOutcome): void | Promise<void>;
}

async function sha256Of(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

function element(s: Segment, n: number): string {
  return s.elements[n] ?? '';
}

/** Sets of a file, in order, each with its envelope. Problems outside sets go to `problems`. */
export async function* envelopeSets(file: string, fileName: string, problems: ClaimsError[]): AsyncGenerator<X12Set> {
  let isa: Segment | null = null;
  let gs: Segment | null = null;
  let current: X12Set | null = null;
  const located = (s: Segment) => ({ file: fileName, segmentIndex: s.index, segmentTag: s.tag, byteOffset: s.byteOffset });
  for await (const batch of readSegmentBatches(file)) {
    for (const s of batch) {
      if (current) {
        if (s.tag === 'ST' || s.tag === 'GE' || s.tag === 'IEA' || s.tag === 'ISA' || s.tag === 'GS') {
          problems.push(new ClaimsError({ code: 'X12_SE_MISSING', message: `set ST02 ${current.set} ends at ${s.tag} without SE`, location: { ...located(s), set: current.set }, ack: { ik5: '2' } }));
          current = null;
        } else {
          current.segments.push(s);
          if (s.tag === 'SE') {
            const done = current;
            current = null;
            yield done;
          } else if (current.segments.length > SET_SEGMENTS_MAX) {
            throw new ClaimsError({ code: 'X12_SET_TOO_LARGE', message: `set ST02 ${current.set} has more than ${SET_SEGMENTS_MAX} segments`, location: located(s) });
          }
          continue;
        }
      }
      switch (s.tag) {
        case 'ISA': isa = s; gs = null; break;
        case 'GS': gs = s; break;
        case 'GE': gs = null; break;
        case 'IEA': isa = null; gs = null; break;
        case 'ST':
          current = {
            interchange: isa ? element(isa, 13) : '', interchangeVersion: isa ? element(isa, 12) : '', sender: isa ? element(isa, 6).trim() : '',
            group: gs ? element(gs, 6) : '', functionalId: gs ? element(gs, 1) : '', version: gs ? element(gs, 8) : '',
            transactionSet: element(s, 1), set: element(s, 2), segments: [s],
          };
          break;
        default:
          problems.push(new ClaimsError({ code: 'X12_SEGMENT_OUTSIDE_SET', message: `${s.tag} outside a transaction set`, location: located(s), ack: { ik304: '2' } }));
      }
    }
  }
  if (current) problems.push(new ClaimsError({ code: 'X12_SE_MISSING', message: `the file ends inside set ST02 ${current.set}`, location: { file: fileName, set: current.set }, ack: { ik5: '2' } }));
}

function unsupported(set: X12Set, fileName: string): ClaimsError | null {
  const where = { file: fileName, interchange: set.interchange, group: set.group, set: set.set, segmentIndex: set.segments[0]!.index, segmentTag: 'ST' };
  if (set.interchange === '' || set.group === '') {
    return new ClaimsError({ code: 'X12_ENVELOPE_MISSING', message: 'transaction set without an ISA/GS envelope', location: where, expected: 'ISA and GS before ST' });
  }
  const handler = handlerFor(set.transactionSet);
  if (!handler) return new ClaimsError({ code: 'X12_SET_UNSUPPORTED', message: `transaction set ${set.transactionSet} is not ingested`, location: where, found: set.transactionSet, ack: { ik5: '6' } });
  if (set.functionalId !== handler.functionalId) {
    return new ClaimsError({ code: 'X12_GS01_MISMATCH', message: `GS01 ${set.functionalId} does not carry ${set.transactionSet} sets`, location: { ...where, segmentTag: 'GS', element: 1 }, expected: handler.functionalId, found: set.functionalId, ack: { ik5: '6' } });
  }
  if (!handler.versions.includes(set.version)) {
    return new ClaimsError({ code: 'X12_VERSION_UNSUPPORTED', message: `GS08 ${set.version} is not a supported version of ${set.transactionSet}`, location: { ...where, segmentTag: 'GS', element: 8 }, expected: handler.versions.join(' | '), found: set.version, ack: { ik5: '2' } });
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
  await writeOwnerOnly(reportPath, JSON.stringify(report, null, 2) + '\n', { replace: true });
  return { path: moved.path, reportPath };
}

export async function ingestFile(file: string, opts: IngestFileOptions): Promise<FileOutcome> {
  // Patient payments files (CSV/NDJSON recognised by their header row) are not X12: one outcome per row.
  if (await isPaymentsFile(file)) return ingestPaymentsFileOutcome(file, opts);
  const fileName = path.basename(file);
  const fileSha256 = await sha256Of(file);
  const ctx: IngestContext = { pool: opts.pool, file, fileName, fileSha256, logger: opts.logger, failpoint: opts.failpoint };
  const reasons: ClaimsError[] = [];
  const sets: SetOutcome[] = [];
  try {
    for await (const set of envelopeSets(file, fileName, reasons)) {
      const refusal = unsupported(set, fileName);
      const outcome: SetOutcome = refusal
        ? { set: set.set, transactionSet: set.transactionSet, status: 'quarantined', reasons: [refusal] }
        : await handlerFor(set.transactionSet)!.handleSet(set, ctx);
      sets.push(outcome);
      opts.logger.info({ file: fileName, set: outcome.set, status: outcome.status, codes: outcome.reasons.map((r) => r.code) }, 'transaction set settled');
      await opts.onSet?.(outcome);
      await opts.failpoint('ingest.between-sets');
    }
  } catch (err) {
    const e = toClaimsError(err, { file: fileName });
    if (e.code === 'INTERNAL' || e.code.startsWith('DATABASE') || e.code.startsWith('LEDGER')) throw err;
    reasons.push(e);
  }
  if (sets.length === 0 && reasons.length === 0) reasons.push(new ClaimsError({ code: 'X12_NO_SETS', message: 'no transaction set found', location: { file: fileName } }));
  const quarantinedSets = sets.filter((s) => s.status === 'quarantined');
  const posted = sets.some((s) => s.status === 'posted');
  let status: FileStatus;
  if (quarantinedSets.length === 0 && reasons.length === 0) status = posted || sets.length === 0 ? 'done' : 'duplicate';
  else status = posted || sets.some((s) => s.status === 'duplicate') ? 'partial' : 'quarantined';
  const outcome: FileOutcome = { file, fileSha256, status, sets, reasons };
  if (status === 'partial' || status === 'quarantined') {
    outcome.quarantined = await quarantineCopy(file, opts.quarantineDir, {
      file: fileName, sha256: fileSha256, status,
      errors: [...reasons, ...quarantinedSets.flatMap((s) => s.reasons.filter((r) => r.severity === 'error'))].map((r) => r.toJSON()),
      sets: sets.map((s) => ({ set: s.set, transactionSet: s.transactionSet, status: s.status, ...(s.detail && { detail: s.detail }) })),
    });
  }
  return outcome;
}
