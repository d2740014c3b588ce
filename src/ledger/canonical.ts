// The canonical text of a posting batch, from which its content hash is computed (pure).
//
// Canonical means the same meaning always gives the same text, and a different meaning a different
// text: every field in a fixed order (what sorting keys achieves for JSON), absent and null the same
// (`\N`), bigint cents as decimal digits, text escaped so no value can forge a separator. It is a
// tab-separated form rather than JSON because it is built and hashed for every line of million-line
// batches before anything is written: for the benchmark batch it is 71 million characters against 200
// million for sorted-key JSON of the same fields (docs/decisions/0003).
//
//   header:  `claims-pipeline ledger batch v1`
//   entry:   `E` key reason effectiveDate memo fileSha256 fileName isa13 gs06 st02 segmentIndex lineCount
//   account: `A` kind payerId patientId           (once, before the first line that uses it)
//   line:    `L` accountNumber amountCents reason claimId serviceLineId
//
// Accounts are numbered in order of first use, which depends only on the batch's content.
import { DEFAULT_PRACTICE, type AccountRef, type Entry, type EntryLine } from './types.ts';
import { copyField } from './copy-format.ts';

export const CANONICAL_HEADER = 'claims-pipeline ledger batch v1\n';

// The same escaping as COPY's text format: `\N` for null; backslash, tab, newline and CR escaped.
const textField = copyField;

function intField(value: number | null | undefined): string {
  return value === undefined || value === null ? '\\N' : String(value);
}

export function canonicalEntryRow(e: Entry): string {
  const s = e.source;
  return `E\t${textField(e.key)}\t${textField(e.reason)}\t${e.effectiveDate}\t${textField(e.memo)}\t` +
    `${textField(s?.fileSha256)}\t${textField(s?.fileName)}\t${textField(s?.interchange)}\t${textField(s?.group)}\t` +
    `${textField(s?.set)}\t${intField(s?.segmentIndex)}\t${e.lines.length}\n`;
}

/** The practice is written only when it is not 'default', so batches posted before practices existed keep their hash. */
export function canonicalAccountRow(a: AccountRef): string {
  const practice = a.practiceId === undefined || a.practiceId === null || a.practiceId === DEFAULT_PRACTICE ? '' : `\t${a.practiceId}`;
  return `A\t${a.kind}\t${textField(a.payerId)}\t${textField(a.patientId)}${practice}\n`;
}

export function canonicalLineRow(accountNumber: number, l: EntryLine): string {
  return `L\t${accountNumber}\t${l.amountCents}\t${textField(l.reason)}\t${textField(l.claimId)}\t${textField(l.serviceLineId)}\n`;
}
