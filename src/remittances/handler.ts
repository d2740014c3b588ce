// The 835 handler for the ingest dispatcher: a set's segments -> Remittance -> balanced, matched, posted
// once. Problems in the set become a quarantined outcome with located reasons; nothing here throws for
// bad input (database failures do throw: the file stays in the inbox and is retried).
import { createHash } from 'node:crypto';
import { ClaimsError, toClaimsError } from '../runtime/errors.ts';
import { postBatchInTransaction } from '../ledger/post.ts';
import { readRemittance } from '../transactions/remittance-835.ts';
import { formatX12Amount } from '../domain/money.ts';
import type { SetHandler, SetOutcome, X12Set, IngestContext } from '../ingest/handlers.ts';
import type { Segment } from '../x12/segment.ts';
import { ingestRemittance } from './ingest.ts';

/** Content of a set for exactly-once: every element of ST..SE, independent of the delimiters used. */
export function setContentSha256(segments: readonly Segment[]): string {
  const hash = createHash('sha256');
  let pending = '';
  for (const s of segments) {
    pending += s.elements.join('\u001f') + '\u001e';
    if (pending.length >= 65_536) {
      hash.update(pending);
      pending = '';
    }
  }
  hash.update(pending);
  return hash.digest('hex');
}

export const remittanceHandler: SetHandler = {
  name: 'remittance-835',
  transactionSet: '835',
  functionalId: 'HP',
  versions: ['005010X221A1'],
  async handleSet(set: X12Set, ctx: IngestContext): Promise<SetOutcome> {
    const base = { set: set.set, transactionSet: '835' };
    let remittance;
    try {
      remittance = readRemittance(set.segments, { file: ctx.fileName, interchange: set.interchange, group: set.group, version: set.version });
    } catch (err) {
      const e = toClaimsError(err, { file: ctx.fileName, interchange: set.interchange, group: set.group, set: set.set });
      if (e.code === 'INTERNAL') throw err;
      return { ...base, status: 'quarantined', reasons: [e] };
    }
    const outcome = await ingestRemittance(ctx.pool, remittance, {
      fileName: ctx.fileName, fileSha256: ctx.fileSha256, contentSha256: setContentSha256(set.segments),
    }, { post: postBatchInTransaction, failpoint: ctx.failpoint });
    const reasons: ClaimsError[] = [...outcome.reasons];
    for (const f of outcome.flags) {
      if (f.flag === 'claim_unmatched' || f.flag === 'line_ambiguous' || f.flag === 'reversal_original_missing') {
        reasons.push(new ClaimsError({
          code: `REMIT_${f.flag.toUpperCase()}`, severity: 'warning',
          message: { claim_unmatched: 'claim was not submitted by this system: posted under a provisional patient', line_ambiguous: 'a service line did not match one submitted line: posted at claim level', reversal_original_missing: 'reversal without a posted original: posted from its own amounts' }[f.flag],
          location: { file: ctx.fileName, interchange: set.interchange, group: set.group, set: set.set, claim: f.claim },
        }));
      }
    }
    return {
      ...base, status: outcome.status, reasons,
      counts: { claims: outcome.counts.claims, matchedClaims: outcome.counts.matchedClaims, unmatchedClaims: outcome.counts.unmatchedClaims, entries: outcome.counts.entries, entryLines: outcome.counts.entryLines },
      detail: { traceNumber: outcome.traceNumber, payment: formatX12Amount(outcome.counts.paymentCents) },
    };
  },
};
