// One input file of `claims ingest` and the `ingest` stage, whatever it is: a patient payments file
// (CSV/NDJSON recognised by its header row: one outcome per row, src/pipeline/payments-file-outcome.ts) or
// an X12 file (each set to its handler: src/exchange/receive-file.ts, with the handlers of set-handlers.ts).
// The choice is made here, above both, so that the X12 intake knows nothing of payments files.
import { receiveFile, type FileOutcome, type IngestFileOptions } from '../exchange/receive-file.ts';
import { isPaymentsFile } from '../patients/payments-post.ts';
import { ingestPaymentsFileOutcome } from './payments-file-outcome.ts';
import { SET_HANDLERS } from './set-handlers.ts';

export type IngestInputOptions = Omit<IngestFileOptions, 'handlers'> & Partial<Pick<IngestFileOptions, 'handlers'>>;

export async function ingestFile(file: string, opts: IngestInputOptions): Promise<FileOutcome> {
  if (await isPaymentsFile(file)) return ingestPaymentsFileOutcome(file, opts);
  return receiveFile(file, { ...opts, handlers: opts.handlers ?? SET_HANDLERS });
}
