// Before a file's sets are read for posting: one fast pass over its bytes that takes the file's sha256 and
// checks every envelope (scanner and envelope checks only: no Segment per segment, no segment events), so
// the reading that posts knows from the first set which interchanges and groups are refused whole
// (x12/receipt.ts; docs/decisions/0094). It replaces the separate sha256 pass the intake made before, so the
// file is still read twice, as it was; the added cost is the scan (bench/README.md, 835 ingest).
import { open } from 'node:fs/promises';
import { ClaimsError } from '../common/errors.ts';
import { sha256Hasher } from '../common/content-hash.ts';
import { SegmentScanner } from '../x12/scanner.ts';
import { EnvelopeChecker } from '../x12/envelope.ts';
import { ReceiptCheck, type ReceiptPlan } from '../x12/receipt.ts';
import type { GroupInfo, InterchangeInfo } from '../x12/envelope-types.ts';
import { READ_CHUNK_BYTES } from './x12-read.ts';

export interface FileReceiptCheck {
  fileSha256: string;
  plan: ReceiptPlan;
}

/**
 * The file's sha256 and what of it is refused whole. `fileName` goes into the refusals' locations, as the
 * reading that posts puts it into its own (so the two find the same problems: x12/receipt.ts sameProblem).
 * A problem that stops the scan (no ISA, a broken ISA, UTF-16) ends the checks as it ends the reading
 * (an interchange still open is cut short); the rest of the file is still hashed.
 */
export async function checkReceipt(file: string, fileName: string, chunkBytes = READ_CHUNK_BYTES): Promise<FileReceiptCheck> {
  const hash = sha256Hasher();
  const receipt = new ReceiptCheck();
  const scanner = new SegmentScanner({ file: fileName });
  const checker = new EnvelopeChecker((e) => receipt.event(e), { file: fileName, segmentEvents: false });
  let scanning = true;
  const stop = (err: unknown): void => {
    if (!(err instanceof ClaimsError)) throw err;
    scanning = false;
    checker.end();
  };
  const handle = await open(file, 'r');
  try {
    let spare: Uint8Array | null = null;
    while (true) {
      const target = scanning ? scanner.reserve(chunkBytes) : (spare ??= new Uint8Array(chunkBytes));
      const { bytesRead } = await handle.read(target, 0, chunkBytes, null);
      if (bytesRead === 0) break;
      hash.update(target.subarray(0, bytesRead));
      if (!scanning) continue;
      try {
        checker.pushBatch(scanner.pushReserved(bytesRead));
      } catch (err) {
        stop(err);
      }
    }
  } finally {
    await handle.close();
  }
  if (scanning) {
    try {
      checker.pushBatch(scanner.end());
      checker.end();
    } catch (err) {
      stop(err);
    }
  }
  return { fileSha256: hash.hex(), plan: receipt.plan() };
}

/**
 * What a set is refused for by its interchange and group as wholes (by their ordinals in the file, as the
 * check counted them). The check read the same bytes: a refused interchange or group that starts elsewhere
 * means the file changed between the two readings, a failure (INTERNAL: the file stays for the next run).
 */
export function refusedWholly(plan: ReceiptPlan, interchange: number, group: number, s: { interchange: InterchangeInfo; group: GroupInfo }, fileName: string): ClaimsError[] {
  const i = plan.refusedInterchanges.get(interchange);
  const g = plan.refusedGroups.get(`${interchange}:${group}`);
  if (!i && !g) return [];
  if ((i && (i.byteOffset !== s.interchange.byteOffset || i.controlNumber !== s.interchange.controlNumber))
    || (g && (g.byteOffset !== s.group.byteOffset || g.controlNumber !== s.group.controlNumber))) {
    throw new ClaimsError({ code: 'INTERNAL', message: `${fileName} changed while it was read (its envelope check and its reading disagree at interchange ${s.interchange.controlNumber})`, location: { file: fileName } });
  }
  return [...(i?.reasons ?? []), ...(g?.reasons ?? [])];
}
