// The 271 handler for the ingest dispatcher: a set's segments -> eligibility responses -> coverage
// snapshots, in one transaction per set. A malformed set is quarantined with its located error and nothing
// of it is stored; a set already ingested adds nothing (status 'duplicate'); a person who matches no
// known patient is stored and reported as unmatched (a warning naming the HL segment).
import { ClaimsError, toClaimsError } from '../common/errors.ts';
import { withTransaction } from '../runtime/database.ts';
import { Eligibility271Reader } from '../transactions/eligibility-271.ts';
import type { EligibilityResponse, EligibilitySetRejection } from '../domain/eligibility.ts';
import type { IngestContext, SetHandler, SetOutcome, X12Set } from '../exchange/set-handler.ts';
import { storeEligibility, type StoreResult } from './store.ts';

/** Responses stored per statement batch: bounds one round trip's parameter size. */
export const RESPONSES_PER_BATCH = 500;

export interface EligibilityIngestCounts extends StoreResult {
  responses: number;
  setRejections: number;
  benefits: number;
}

export const eligibilityHandler: SetHandler = {
  name: 'eligibility-271',
  transactionSet: '271',
  functionalId: 'HB',
  readsAnyGroup: true,
  versions: ['005010X279A1', '005010X279'],
  async handleSet(set: X12Set, ctx: IngestContext): Promise<SetOutcome> {
    const base = { set: set.set, transactionSet: '271' };
    const where = { file: ctx.fileName, interchange: set.interchange, group: set.group, set: set.set };
    const reader = new Eligibility271Reader({ fileName: ctx.fileName, fileSha256: ctx.fileSha256, interchange: set.interchange, group: set.group, set: set.set });
    const warnings: ClaimsError[] = [];
    const responses: EligibilityResponse[] = [];
    const setRejections: EligibilitySetRejection[] = [];
    try {
      for (const s of set.segments) {
        for (const e of reader.push(s)) {
          if (e.kind === 'response') responses.push(e.response);
          else if (e.kind === 'rejection') setRejections.push(e.rejection);
          else warnings.push(e.warning.at(where));
        }
      }
      for (const e of reader.end()) if (e.kind === 'response') responses.push(e.response);
    } catch (err) {
      const read = toClaimsError(err, where);
      if (read.code === 'INTERNAL') throw err;
      // A 271 the reader refuses breaks the guide's structure: the 999 rejects the set (IK502 I5,
      // implementation: one or more segments in error) unless the reader gave a more precise code.
      const e = read.ack !== undefined ? read : new ClaimsError({
        code: read.code, message: read.message, severity: read.severity, location: read.location,
        ...(read.expected !== undefined && { expected: read.expected }), ...(read.found !== undefined && { found: read.found }), ack: { ik5: 'I5' },
      });
      return { ...base, status: 'quarantined', reasons: [e, ...warnings] };
    }
    const counts = await withTransaction(ctx.pool, async (client) => {
      const total: EligibilityIngestCounts = {
        responses: responses.length, setRejections: setRejections.length, benefits: 0,
        responsesInserted: 0, responsesDuplicate: 0, rejectionsInserted: 0, unmatched: 0, superseded: 0,
      };
      for (let i = 0; i < responses.length || (i === 0 && setRejections.length > 0); i += RESPONSES_PER_BATCH) {
        const batch = responses.slice(i, i + RESPONSES_PER_BATCH);
        const r = await storeEligibility(client, batch, i === 0 ? setRejections : [], { fileName: ctx.fileName, fileSha256: ctx.fileSha256 });
        total.responsesInserted += r.responsesInserted;
        total.responsesDuplicate += r.responsesDuplicate;
        total.rejectionsInserted += r.rejectionsInserted;
        total.unmatched += r.unmatched;
        total.superseded += r.superseded;
      }
      total.benefits = responses.reduce((n, r) => n + r.benefits.length, 0);
      await ctx.failpoint('eligibility.before-commit');
      return total;
    });
    const reasons = [...warnings];
    if (counts.unmatched > 0) {
      reasons.push(new ClaimsError({
        code: 'ELIGIBILITY_UNMATCHED', severity: 'warning',
        message: `${counts.unmatched} of ${counts.responsesInserted} new responses match no known patient: stored, listed by \`claims report eligibility\``,
        location: where,
      }));
    }
    const added = counts.responsesInserted + counts.rejectionsInserted;
    return {
      ...base,
      status: added > 0 ? 'posted' : 'duplicate',
      reasons,
      counts: { ...counts },
    };
  },
};
