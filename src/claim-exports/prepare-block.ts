// One block of NDJSON lines prepared on a worker thread, and the message that carries it back. A block is
// whole lines (it ends at a newline, or at the end of the file). Claims come back as flat arrays of
// strings and numbers: the structured clone of a whole mapped claim costs the receiving thread more than
// parsing its JSON did (about 35 us against 14 us a claim, measured), while strings are copied as they are.
// Record numbers in a reply count from the block's first line; the pool adds the lines before the block.
import type { Rejection } from '../domain/claim-validate.ts';
import { ClaimsError } from '../common/errors.ts';
import { prepareRecord, type PrepareContext, type PreparedClaim } from './prepare-claim.ts';
import { eachRecordText, parseLine } from './read-export.ts';

export interface BlockRequest {
  id: number;
  block: Uint8Array;
  /** The file's first block: a byte order mark before its first line is dropped. */
  first: boolean;
  /** Send each claim's line back too (the main thread rebuilds the mapped claim for the database). */
  source: boolean;
  /** A block of a JSON array export: its elements' offsets in `block` (src/claim-exports/array-blocks.ts). */
  elements?: { starts: number[]; ends: number[] };
}

/**
 * A prepared claim on the wire: [record, head..., rendered..., line]. The billing provider's 2000A text is
 * sent only when its key differs from the claim before in the block (runs of one provider's claims are
 * the rule); the receiver takes it from that claim.
 */
export type WireClaim = [
  record: number, claimId: string, billingNpi: string, patientControlNumber: string, frequency: string, contentHash: string,
  payerId: string, claimType: 'professional' | 'institutional', totalChargeCents: bigint,
  billingKey: string, billing: string | null, billingSegments: number, subscriber: string, patient: string | null, segments: number,
  source: string | null,
];

export type WireItem = WireClaim | { record: number; rejections: Rejection[] } | { record: number; error: string };

export interface BlockReply {
  id: number;
  /** Lines (or array elements) in the block, blank lines included (the next block's first record follows from it). */
  lines: number;
  items: WireItem[];
}

export interface BlockFailure {
  id: number;
  failure: { name: string; message: string; code?: string; stack?: string };
}

export function prepareBlock(req: BlockRequest, ctx: PrepareContext): BlockReply {
  const bytes = Buffer.from(req.block.buffer, req.block.byteOffset, req.block.byteLength);
  const items: WireItem[] = [];
  let lastKey: string | null = null;
  const take = (text: string, record: number): void => {
    const item = parseLine(text, record);
    if (item === null) return;
    if ('error' in item) {
      items.push(item);
      return;
    }
    const p = prepareRecord(item.value, record, ctx);
    if (!p.ok) {
      items.push({ record, rejections: p.rejections });
      return;
    }
    items.push(toWire(p.prepared, req.source ? text : null, lastKey));
    lastKey = p.prepared.rendered.billingKey;
  };
  const lines = eachRecordText(bytes, { fileStart: req.first, ...(req.elements && { elements: req.elements }) }, take);
  return { id: req.id, lines, items };
}

function toWire(p: PreparedClaim, source: string | null, lastKey: string | null): WireClaim {
  const h = p.head;
  const r = p.rendered;
  return [
    h.record, h.claimId, h.billingNpi, h.patientControlNumber, h.frequency, h.contentHash, h.payerId, h.claimType, h.totalChargeCents,
    r.billingKey, r.billingKey === lastKey ? null : r.billing, r.billingSegments, r.subscriber, r.patient, r.segments, source,
  ];
}

/** A wire claim back as a prepared claim; `before`: the block's claim before it (null for the first). */
export function fromWire(w: WireClaim, base: number, before: PreparedClaim | null): { prepared: PreparedClaim; source: string | null } {
  const billing = w[10] ?? before?.rendered.billing;
  if (billing === undefined) throw new ClaimsError({ code: 'INTERNAL', message: 'a prepared claim came without its billing provider text' });
  return {
    prepared: {
      head: {
        record: base + w[0], claimId: w[1], billingNpi: w[2], patientControlNumber: w[3], frequency: w[4], contentHash: w[5], payerId: w[6],
        claimType: w[7], totalChargeCents: w[8],
      },
      rendered: { billingKey: w[9], billing, billingSegments: w[11], subscriber: w[12], patient: w[13], segments: w[14] },
    },
    source: w[15],
  };
}
