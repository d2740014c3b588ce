// A patient payments file settled the way `claims ingest` and the `ingest` stage settle an X12 file: the
// same FileOutcome, one entry per row in place of one per transaction set (`set` is `line N`,
// `transactionSet` is `payments`), and a quarantine copy with FILE.error.json when any row was rejected.
// The rows that posted stay posted; a rerun of the file posts only what is new (each reference once).
import path from 'node:path';
import { toClaimsError, type ClaimsError } from '../common/errors.ts';
import type { FileOutcome, FileStatus, IngestFileOptions } from '../exchange/receive-file.ts';
import { quarantineCopy } from '../exchange/receive-file.ts';
import { sha256File } from '../common/files.ts';
import type { SetOutcome } from '../exchange/set-handler.ts';
import { ingestPaymentsFile, type PaymentRowOutcome } from '../patients/payments-post.ts';

type PaymentsFileOptions = Omit<IngestFileOptions, 'handlers'>;

export const PAYMENTS_TRANSACTION = 'payments';

function rowOutcome(row: PaymentRowOutcome): SetOutcome {
  const set = `line ${row.line}`;
  if (row.status === 'rejected') return { set, transactionSet: PAYMENTS_TRANSACTION, status: 'quarantined', reasons: [row.error] };
  // Counts are JSON numbers in run records: cents of one payment are far below 2^53.
  return {
    set, transactionSet: PAYMENTS_TRANSACTION, status: row.status, reasons: [],
    counts: { payments: 1, amountCents: Number(row.amountCents), creditCents: Number(row.creditCents) },
  };
}

/** Pure: the file's status from its rows (and problems outside any row, such as an unreadable header). */
export function paymentsFileStatus(sets: SetOutcome[], problems: ClaimsError[]): FileStatus {
  const rejected = sets.some((s) => s.status === 'quarantined');
  const posted = sets.some((s) => s.status === 'posted');
  const duplicates = sets.some((s) => s.status === 'duplicate');
  if (!rejected && problems.length === 0) return posted || !duplicates ? 'done' : 'duplicate';
  return posted || duplicates ? 'partial' : 'quarantined';
}

export async function ingestPaymentsFileOutcome(file: string, opts: PaymentsFileOptions): Promise<FileOutcome> {
  const fileName = path.basename(file);
  const sets: SetOutcome[] = [];
  const reasons: ClaimsError[] = [];
  let fileSha256: string;
  try {
    const result = await ingestPaymentsFile(opts.pool, file, opts.logger, {
      onRow: async (row) => {
        const outcome = rowOutcome(row);
        sets.push(outcome);
        await opts.onSet?.(outcome);
      },
    });
    fileSha256 = result.fileSha256;
  } catch (err) {
    const e = toClaimsError(err, { file: fileName });
    if (e.code === 'INTERNAL' || e.code.startsWith('DATABASE') || e.code.startsWith('LEDGER')) throw err;
    reasons.push(e);
    fileSha256 = await sha256File(file);
  }
  const status = paymentsFileStatus(sets, reasons);
  const outcome: FileOutcome = { file, fileSha256, status, sets, reasons };
  if ((status === 'partial' || status === 'quarantined') && opts.quarantineCopy !== false) {
    const rejected = sets.filter((s) => s.status === 'quarantined');
    outcome.quarantined = await quarantineCopy(file, opts.quarantineDir, {
      file: fileName, sha256: fileSha256, status,
      errors: [...reasons, ...rejected.flatMap((s) => s.reasons)].map((r) => r.toJSON()),
      rows: {
        posted: sets.filter((s) => s.status === 'posted').length,
        duplicate: sets.filter((s) => s.status === 'duplicate').length,
        rejected: rejected.length,
        postedAmountCents: sets.reduce((t, s) => t + (s.status === 'posted' ? (s.counts?.amountCents ?? 0) : 0), 0),
      },
    });
  }
  return outcome;
}
