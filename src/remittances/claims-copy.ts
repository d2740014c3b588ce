// COPY text rows for `remittance_claims` (pure): one row per CLP of a posted remittance, in the column
// order of store.ts SQL.copyClaims. A remittance may hold thousands of claims; COPY writes them in one
// stream instead of an INSERT over seventeen parameter arrays.
import { copyField } from '../ledger/copy-format.ts';

export interface RemittanceClaimRow {
  claimIndex: number;
  patientControlNumber: string;
  payerClaimNumber: string;
  status: string;
  chargeCents: bigint;
  paidCents: bigint;
  patientResponsibilityCents: bigint | null;
  /** claims.id of the submitted claim, or null. */
  claimId: string | null;
  provisionalPatientId: string | null;
  ledgerClaimId: string;
  payerId: string;
  entryKey: string | null;
  reversesEntryKey: string | null;
  /** Plain lower-case flag names (posting-rules.ts PostingFlag, charge_recorded). */
  flags: readonly string[];
  linesMatched: number;
  linesUnmatched: number;
  segmentIndex: number;
}

const FLAG = /^[a-z_]+$/;

/** A text[] value in COPY text format; flags are identifiers, so no element needs quoting. */
function flagArray(flags: readonly string[]): string {
  for (const f of flags) if (!FLAG.test(f)) throw new Error(`flag ${JSON.stringify(f)} is not a plain identifier`);
  return `{${flags.join(',')}}`;
}

const optional = (v: bigint | string | null): string => (v === null ? '\\N' : String(v));

/** The rows as COPY text chunks of about `chunkChars` characters. */
export function* remittanceClaimCopyChunks(remittanceId: string, rows: Iterable<RemittanceClaimRow>, chunkChars = 256 * 1024): Generator<string> {
  let chunk = '';
  for (const r of rows) {
    chunk += `${remittanceId}\t${r.claimIndex}\t${copyField(r.patientControlNumber)}\t${copyField(r.payerClaimNumber)}\t${copyField(r.status)}\t` +
      `${r.chargeCents}\t${r.paidCents}\t${optional(r.patientResponsibilityCents)}\t${optional(r.claimId)}\t${optional(r.provisionalPatientId)}\t` +
      `${copyField(r.ledgerClaimId)}\t${copyField(r.payerId)}\t${copyField(r.entryKey)}\t${copyField(r.reversesEntryKey)}\t${flagArray(r.flags)}\t` +
      `${r.linesMatched}\t${r.linesUnmatched}\t${r.segmentIndex}\n`;
    if (chunk.length >= chunkChars) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk !== '') yield chunk;
}
