// The 835 handler for the ingest dispatcher: a set's segments -> Remittance -> balanced, matched, posted
// once. The dispatcher uses the streaming form (openSet): segments are read as they come and not kept.
// Problems in the set become a quarantined outcome with located reasons, every one of them (bounded, see
// set-problems.ts), with balancing still judged on the amounts that could be read; nothing here throws for
// bad input (database failures do throw: the file stays in the inbox and is retried).
import { sha256Hex } from '../common/content-hash.ts';
import { ClaimsError, toClaimsError } from '../common/errors.ts';
import type { ErrorCode } from '../common/error-codes.ts';
import { postBatchInTransaction } from '../ledger/post.ts';
import { loadPracticeDirectory } from '../runtime/practices.ts';
import type { PracticeDirectory } from '../domain/practice.ts';
import { readRemittanceProblems, RemittanceReader } from '../transactions/remittance-835.ts';
import type { RemittanceReading } from '../transactions/remittance-835-reading.ts';
import type { SetHandler, SetOutcome, StreamingSet, X12Set, X12SetHeader, IngestContext } from '../exchange/set-handler.ts';
import type { Segment } from '../x12/segment.ts';
import { payeeKey, payerKey, type Remittance } from '../domain/remittance.ts';
import { canonicalRemittance } from './canonical.ts';
import { ingestRemittance, type RemittanceDeps, type RemittanceOutcome } from './post-remittance.ts';
import { RemittanceProgress } from './progress.ts';
import type { PostingFlag } from './posting-rules.ts';
import { readingReasons } from './set-problems.ts';

/** Content of a remittance for exactly-once: the sha256 of its canonical text (canonical.ts, decision 0050). */
export function remittanceContentSha256(r: Remittance): string {
  return sha256Hex(canonicalRemittance(r));
}

/** Located warnings kept per flag per remittance; the rest are counted in one summary warning. */
export const CLAIM_WARNINGS_PER_FLAG_MAX = 20;

// Each code is REMIT_ and the flag in capitals; written out so the code list can check them.
const WARNED: Partial<Record<PostingFlag, { code: ErrorCode; message: string }>> = {
  claim_unmatched: { code: 'REMIT_CLAIM_UNMATCHED', message: 'claim was not submitted by this system: posted under a provisional patient' },
  line_ambiguous: { code: 'REMIT_LINE_AMBIGUOUS', message: 'a service line did not match one submitted line: posted at claim level' },
  reversal_original_missing: { code: 'REMIT_REVERSAL_ORIGINAL_MISSING', message: 'reversal without a posted original: posted from its own amounts' },
  next_payer_unknown: { code: 'REMIT_NEXT_PAYER_UNKNOWN', message: 'forwarded to a next payer (CLP02 19/20/21) that is not on file: PR held on the next-payer-unknown receivable' },
};

/**
 * The claim-level warnings of one remittance, bounded: a payer's weekly 835 may hold thousands of claims
 * this system never sent, and a warning per claim would grow the file's outcome (and the run record, and
 * the CLI's output) with the file. The database keeps every one (`claims report unmatched`).
 */
export function claimWarnings(flags: RemittanceOutcome['flags'], file: string, set: Pick<X12Set, 'interchange' | 'group' | 'set'>): ClaimsError[] {
  const out: ClaimsError[] = [];
  const counted = new Map<PostingFlag, number>();
  for (const f of flags) {
    const warned = WARNED[f.flag];
    if (warned === undefined) continue;
    const n = (counted.get(f.flag) ?? 0) + 1;
    counted.set(f.flag, n);
    if (n > CLAIM_WARNINGS_PER_FLAG_MAX) continue;
    out.push(new ClaimsError({
      code: warned.code, severity: 'warning', message: warned.message,
      location: { file, interchange: set.interchange, group: set.group, set: set.set, claim: f.claim },
    }));
  }
  for (const [flag, n] of counted) {
    if (n <= CLAIM_WARNINGS_PER_FLAG_MAX) continue;
    const warned = WARNED[flag]!; // only warned flags are counted
    out.push(new ClaimsError({
      code: warned.code, severity: 'warning',
      message: `${n - CLAIM_WARNINGS_PER_FLAG_MAX} more claims of this remittance (${n} in all): ${warned.message}; \`claims report unmatched\` lists them`,
      location: { file, interchange: set.interchange, group: set.group, set: set.set },
    }));
  }
  return out;
}

/** The practices registry, read once per file (a file's remittances are routed by the same registry). */
const practicesByFile = new WeakMap<IngestContext, Promise<PracticeDirectory>>();
function practicesFor(ctx: IngestContext): Promise<PracticeDirectory> {
  let found = practicesByFile.get(ctx);
  if (found === undefined) practicesByFile.set(ctx, (found = loadPracticeDirectory(ctx.pool)));
  return found;
}

/** Balance, match and post one read remittance, as a set outcome. */
async function settleRemittance(
  remittance: Remittance, set: X12SetHeader, ctx: IngestContext, contentSha256 = remittanceContentSha256(remittance),
  overlap: Pick<RemittanceDeps, 'progress' | 'earlier'> = {},
): Promise<SetOutcome> {
  const outcome = await ingestRemittance(ctx.pool, remittance, {
    fileName: ctx.fileName, fileSha256: ctx.fileSha256, contentSha256,
  }, { post: postBatchInTransaction, failpoint: ctx.failpoint, practices: practicesFor(ctx), ...(ctx.practiceId !== undefined && { onlyPractice: ctx.practiceId }), ...(ctx.inTransaction && { beforeCommit: ctx.inTransaction }), ...overlap });
  const reasons: ClaimsError[] = [...outcome.reasons, ...claimWarnings(outcome.flags, ctx.fileName, set)];
  return {
    set: set.set, transactionSet: '835', status: outcome.status, reasons,
    counts: { claims: outcome.counts.claims, matchedClaims: outcome.counts.matchedClaims, unmatchedClaims: outcome.counts.unmatchedClaims, entries: outcome.counts.entries, entryLines: outcome.counts.entryLines },
    detail: { traceNumber: outcome.traceNumber, paymentCents: outcome.counts.paymentCents },
  };
}

function readProblem(err: unknown, fileName: string, set: X12SetHeader): ClaimsError {
  const e = toClaimsError(err, { file: fileName, interchange: set.interchange, group: set.group, set: set.set });
  if (e.code === 'INTERNAL') throw err;
  return e;
}

/** What the dispatcher may ask of a streaming 835 set about the set before it (mayOverlap). */
interface ReadRemittanceSet {
  remittance(): Remittance | null;
  progress: RemittanceProgress;
  /** Every patient control number it names (CLP01, and PLB references to claims). */
  controlNumbers(): ReadonlySet<string>;
}

const readSets = new WeakMap<StreamingSet, ReadRemittanceSet>();

/**
 * Whether a remittance may settle while the one before it in the file still does: both read whole, with
 * different keys (payer, payee, TRN02) and no patient control number in common. Then nothing the later
 * one reads (its claims' earlier postings for reversals, what is open on its unmatched claims) can be
 * changed by the earlier one's commit; the one thing they may share, the payer a payer key is learned as,
 * is handed over (ingest.ts, RemittanceProgress).
 */
function independent(later: ReadRemittanceSet, earlier: ReadRemittanceSet): boolean {
  const a = later.remittance();
  const b = earlier.remittance();
  if (a === null || b === null) return false;
  if (payerKey(a) === payerKey(b) && payeeKey(a) === payeeKey(b) && a.traceNumber === b.traceNumber) return false;
  const mine = later.controlNumbers();
  for (const pcn of earlier.controlNumbers()) if (mine.has(pcn)) return false;
  return true;
}

function controlNumbersOf(r: Remittance): Set<string> {
  const out = new Set<string>();
  for (const c of r.claims) out.add(c.patientControlNumber);
  for (const a of r.providerAdjustments) if (a.reference !== '') out.add(a.reference);
  return out;
}

/** A set whose reading found problems: quarantined with all of them and the balance failures beside them. */
function quarantinedReading(reading: RemittanceReading, fileName: string): SetOutcome {
  return { set: reading.remittance.set, transactionSet: '835', status: 'quarantined', reasons: readingReasons(reading, fileName) };
}

/**
 * The streaming form: each segment goes to the incremental reader as the tokenizer yields it, so what a
 * remittance holds before posting is its record (claims, lines, adjustments as plain data), never its
 * segments. A reading problem does not stop the reading: every one is reported when the set settles.
 */
function openRemittanceSet(set: X12SetHeader, fileName: string): StreamingSet {
  const reader = new RemittanceReader({ file: fileName, interchange: set.interchange, group: set.group, version: set.version });
  let remittance: Remittance | null = null;
  let reading: RemittanceReading | null = null;
  let contentSha256 = '';
  let last: Segment | null = null;
  let pcns: Set<string> | null = null;
  const read: ReadRemittanceSet = {
    remittance: () => (reading !== null && reading.problems.length === 0 ? remittance : null),
    progress: new RemittanceProgress(),
    controlNumbers: () => (pcns ??= remittance ? controlNumbersOf(remittance) : new Set()),
  };
  const streaming: StreamingSet = {
    push(segment: Segment): void {
      if (remittance !== null) return;
      last = segment;
      // The reader keeps bad input as problems (reading()); what it throws is ours.
      remittance = reader.push(segment);
      if (remittance !== null) {
        reading = reader.reading();
        // Hashed as soon as it is read: while the set before it may still be settling (ingest-file.ts).
        if (reading !== null && reading.problems.length === 0) contentSha256 = remittanceContentSha256(remittance);
      }
    },
    async settle(ctx: IngestContext): Promise<SetOutcome> {
      const base = { set: set.set, transactionSet: '835' };
      if (!remittance || !reading) {
        read.progress.finish('quarantined');
        const at: Segment | null = last;
        return { ...base, status: 'quarantined', reasons: [new ClaimsError({
          code: 'REMIT_SE_MISSING', message: 'the transaction set ended without SE',
          location: { file: fileName, interchange: set.interchange, group: set.group, set: set.set, ...(at && { segmentIndex: at.index, segmentTag: at.tag }) },
          ack: { ik5: '2' },
        })] };
      }
      if (reading.problems.length > 0) {
        read.progress.finish('quarantined');
        return { ...quarantinedReading(reading, fileName), set: set.set };
      }
      const earlier = ctx.earlier ? readSets.get(ctx.earlier.set) : undefined;
      return settleRemittance(remittance, set, ctx, contentSha256, {
        progress: read.progress,
        ...(earlier && ctx.earlier && { earlier: { progress: earlier.progress, settled: ctx.earlier.settled } }),
      });
    },
    mayOverlap(earlier: StreamingSet): boolean {
      const e = readSets.get(earlier);
      return e !== undefined && independent(read, e);
    },
  };
  readSets.set(streaming, read);
  return streaming;
}

export const remittanceHandler: SetHandler = {
  name: 'remittance-835',
  transactionSet: '835',
  functionalId: 'HP',
  versions: ['005010X221A1'],
  async handleSet(set: X12Set, ctx: IngestContext): Promise<SetOutcome> {
    let reading: RemittanceReading;
    try {
      reading = readRemittanceProblems(set.segments, { file: ctx.fileName, interchange: set.interchange, group: set.group, version: set.version });
    } catch (err) {
      return { set: set.set, transactionSet: '835', status: 'quarantined', reasons: [readProblem(err, ctx.fileName, set)] };
    }
    if (reading.problems.length > 0) return { ...quarantinedReading(reading, ctx.fileName), set: set.set };
    return settleRemittance(reading.remittance, set, ctx);
  },
  openSet: openRemittanceSet,
};
