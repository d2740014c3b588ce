// The body of a claims-preparing worker thread: blocks of NDJSON lines in, prepared claims out
// (src/claim-exports/prepare-block.ts). Its payer profiles, today, delimiters and line break come once, as
// workerData, so every block is prepared as the main thread would prepare it.
import { parentPort, workerData } from 'node:worker_threads';
import { SegmentText } from '../transactions/claim-837-text.ts';
import type { PayerProfile } from '../domain/payer-profile.ts';
import { PracticeDirectory, type Practice } from '../domain/practice.ts';
import type { Delimiters } from '../x12/segment.ts';
import { prepareBlock, type BlockFailure, type BlockRequest } from './prepare-block.ts';
import type { PrepareContext } from './prepare-claim.ts';
import { ClaimRenderer } from '../transactions/claim-837-render.ts';

export interface PrepareWorkerData {
  payers: [string, PayerProfile][];
  /** The registered practices (none: every claim with the payers' own terms). */
  practices?: Practice[];
  today: string;
  delimiters: Delimiters;
  lineBreak: string;
}

const data = workerData as PrepareWorkerData;
const ctx: PrepareContext = {
  today: data.today, payers: new Map(data.payers), renderer: new ClaimRenderer(new SegmentText(data.delimiters, data.lineBreak)),
  ...(data.practices !== undefined && { practices: new PracticeDirectory(data.practices) }),
};
const port = parentPort!;

port.on('message', (req: BlockRequest) => {
  try {
    port.postMessage(prepareBlock(req, ctx));
  } catch (err) {
    const e = err as Error & { code?: string };
    const failure: BlockFailure = { id: req.id, failure: { name: e.name, message: e.message, ...(e.code !== undefined && { code: e.code }), ...(e.stack !== undefined && { stack: e.stack }) } };
    port.postMessage(failure);
  }
});
