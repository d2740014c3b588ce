// The remittance ingest service: one balanced 835 remittance -> one database transaction that claims its
// key (payer + payee + TRN02, one row), matches its claims (plan.ts), and posts its entries through the
// ledger's COPY writer. Unbalanced or conflicting remittances are recorded as rejections and never touch the
// ledger. Failpoints mark the crash-test boundaries: before, after the COPY (before commit), after commit.
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Pool, PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { sha256Hex } from '../common/content-hash.ts';
import { ClaimsError } from '../common/errors.ts';
import { withTransaction } from '../runtime/database.ts';
import { payeeKey, payerKey, type Remittance } from '../domain/remittance.ts';
import type { PracticeDirectory, PracticeResolution } from '../domain/practice.ts';
import type { PostingBatch, PostingOutcome, SourceRef } from '../ledger/types.ts';
import { balanceError, balanceRemittance, type BalanceResult } from './balance.ts';
import { boundedReasons } from './set-problems.ts';
import { remittanceEntries, type PostingFlag, type RemittancePostingContext } from './posting-rules.ts';
import { SQL } from './sql.ts';
import { remittanceClaimCopyChunks, type RemittanceClaimRow } from './claims-copy.ts';
import { plan, referenced, type Plan } from './plan.ts';
import { creditStates } from '../claims/payer-credit-store.ts';
import { reached, type EarlierRemittance, type RemittanceProgress, type RemittanceStatus } from './progress.ts';

export interface RemittanceSource {
  fileName: string;
  fileSha256: string;
  /** sha256 of the set's content (ST..SE), for exactly-once. */
  contentSha256: string;
}

export interface RemittanceDeps {
  /** The practices registry: the payee (N1*PE NPI or tax id, REF*TJ) names the practice whose claims and books this is. */
  practices: Promise<PracticeDirectory>;
  /** Only this practice's remittances: one paying another practice is quarantined (REMIT_OF_OTHER_PRACTICE), nothing posted. */
  onlyPractice?: string;
  /** The ledger's posting call inside the caller's transaction (ledger/post.ts postBatchInTransaction). */
  post(client: PoolClient, batch: PostingBatch): Promise<PostingOutcome>;
  /** Named crash points (runtime/failpoints.ts); a no-op outside tests. */
  failpoint(name: string): void | Promise<void>;
  /** Extra work in the remittance's transaction, after its rows and entries, before COMMIT. */
  beforeCommit?(client: PoolClient): Promise<void>;
  /** This remittance's progress, for the one after it in the file to follow (see RemittanceProgress). */
  progress?: RemittanceProgress;
  /**
   * The remittance before this one in the file, still settling. The caller has checked that they share
   * no key and no patient control number (handler.ts), so nothing this one reads can change when that one
   * commits. This one plans after that one's plan, writes its ledger lines after that one's, and commits
   * after that one settles: it never holds a lock the earlier one wants, and commits in file order.
   */
  earlier?: EarlierRemittance;
}

/** The earlier remittance did not post as this one's plan assumed: plan again, after it. */
class EarlierNotPosted extends Error {}

export interface RemittanceOutcome {
  status: RemittanceStatus;
  set: string;
  traceNumber: string;
  reasons: ClaimsError[];
  counts: { claims: number; matchedClaims: number; unmatchedClaims: number; entries: number; entryLines: number; paymentCents: bigint };
  flags: { claim: string; claimIndex: number; flag: PostingFlag }[];
}

/**
 * The practice a remittance pays: N1*PE names the payee by NPI (N103 XX) or tax id (FI), and REF*TJ may add
 * the tax id. Pure.
 */
export function payeePractice(practices: PracticeDirectory, r: Remittance): PracticeResolution {
  const q = r.payee.idQualifier;
  return practices.resolve({ npi: q === 'XX' ? r.payee.id : null, taxId: q === 'FI' ? r.payee.id : r.payee.refs['TJ'] ?? null });
}

function payeeUnknown(r: Remittance, src: RemittanceSource, reason: string): ClaimsError {
  return new ClaimsError({
    code: 'REMIT_PAYEE_UNKNOWN',
    message: `remittance TRN02 ${r.traceNumber} pays ${r.payee.name || 'a payee'} (${payeeKey(r)}), which is no registered practice's: ${reason}; nothing of it was posted`,
    location: { file: src.fileName, interchange: r.interchange, group: r.group, set: r.set, segmentIndex: r.segmentIndex },
    expected: 'N1*PE with the NPI (XX) or tax id (FI) of a registered practice', found: `${r.payee.idQualifier || '(no qualifier)'} ${r.payee.id || '(no id)'}`,
  });
}

function otherPractice(r: Remittance, src: RemittanceSource, practiceId: string, only: string): ClaimsError {
  return new ClaimsError({
    code: 'REMIT_OF_OTHER_PRACTICE',
    message: `remittance TRN02 ${r.traceNumber} pays practice ${practiceId}, and this ingest is for practice ${only} only; nothing of it was posted`,
    location: { file: src.fileName, interchange: r.interchange, group: r.group, set: r.set, segmentIndex: r.segmentIndex },
    expected: `N1*PE of practice ${only}`, found: `${r.payee.idQualifier || '(no qualifier)'} ${r.payee.id || '(no id)'}`,
  });
}

export function remittanceKeyHash(r: Remittance): string {
  return sha256Hex(`${payerKey(r)}\u0000${payeeKey(r)}\u0000${r.traceNumber}`).slice(0, 32);
}

function emptyCounts(r: Remittance): RemittanceOutcome['counts'] {
  return { claims: r.claims.length, matchedClaims: 0, unmatchedClaims: 0, entries: 0, entryLines: 0, paymentCents: r.paymentCents };
}

async function recordRejection(pool: Pool, r: Remittance, src: RemittanceSource, code: string, level: string | null, balance: BalanceResult | null, detail: unknown): Promise<void> {
  await pool.query(SQL.insertRejection, [
    code, level, payerKey(r), payeeKey(r), r.traceNumber, src.contentSha256, r.paymentCents,
    balance?.claimPaymentsCents ?? null, balance?.providerAdjustmentsCents ?? null, r.claims.length,
    JSON.stringify(detail, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)),
    src.fileSha256, src.fileName, r.interchange, r.group, r.set, r.segmentIndex,
  ]);
}

class KeyTaken extends Error {}

/**
 * Thrown out of the transaction (nothing written) when a reversal would negate an already reversed payment.
 * Its own class so the catch below can find it and the claims it carries (reported one reason per claim);
 * never reported itself.
 */
class ReversedTwice extends ClaimsError {
  readonly claims: Plan['reversedTwice'];
  constructor(claims: Plan['reversedTwice']) {
    super({ code: 'REMIT_REVERSAL_DUPLICATE', message: 'reversal of an already reversed payment' });
    this.claims = claims;
  }
}

/**
 * What the posting rules need besides the remittance, with what the ledger holds before it for every claim it
 * can move (its CLPs', the originals its reversals negate, its PLBs'), which the payer-credit step reads.
 */
async function postingContext(client: PoolClient, r: Remittance, p: Plan, keyPrefix: string, source: SourceRef): Promise<RemittancePostingContext> {
  const referencedClaimIds = referenced(r, p);
  const ids = new Set<string>(referencedClaimIds.values());
  for (const c of p.contexts) {
    if (c.claimId !== null) ids.add(c.claimId);
    for (const l of c.originalLines ?? []) if (l.claimId != null) ids.add(l.claimId);
  }
  return { keyPrefix, payerId: p.payerId, claims: p.contexts, referencedClaimIds, creditStates: await creditStates(client, ids, p.practiceId), source };
}

/** Balance, then post one remittance exactly once. Never throws for bad input: it reports it. */
export async function ingestRemittance(pool: Pool, r: Remittance, src: RemittanceSource, deps: RemittanceDeps): Promise<RemittanceOutcome> {
  let status: RemittanceStatus | null = null;
  try {
    const outcome = await settleRemittance(pool, r, src, deps);
    status = outcome.status;
    return outcome;
  } finally {
    deps.progress?.finish(status);
  }
}

async function settleRemittance(pool: Pool, r: Remittance, src: RemittanceSource, deps: RemittanceDeps): Promise<RemittanceOutcome> {
  const earlier = deps.earlier;
  const base = { set: r.set, traceNumber: r.traceNumber, flags: [] as RemittanceOutcome['flags'] };
  const balance = balanceRemittance(r);
  if (!balance.balanced) {
    const reasons = boundedReasons(balance.failures.map((f) => balanceError(r, f, src.fileName)), 0, { file: src.fileName, interchange: r.interchange, group: r.group, set: r.set });
    await recordRejection(pool, r, src, 'REMIT_UNBALANCED', balance.failures[0]!.level, balance, { failures: balance.failures });
    return { ...base, status: 'quarantined', reasons, counts: emptyCounts(r) };
  }
  const routed = payeePractice(await deps.practices, r);
  if (!routed.ok) {
    await recordRejection(pool, r, src, 'REMIT_PAYEE_UNKNOWN', 'remittance', balance, { payee: payeeKey(r) });
    return { ...base, status: 'quarantined', reasons: [payeeUnknown(r, src, routed.reason)], counts: emptyCounts(r) };
  }
  const practiceId = routed.practiceId;
  if (deps.onlyPractice !== undefined && practiceId !== deps.onlyPractice) {
    // Not bad data: the other practice's own run posts it (nothing is recorded, so a redelivery there posts).
    return { ...base, status: 'quarantined', reasons: [otherPractice(r, src, practiceId, deps.onlyPractice)], counts: emptyCounts(r) };
  }
  const keyHash = remittanceKeyHash(r);
  const batchKey = `remit:${keyHash}`;
  const checkExisting = async (): Promise<RemittanceOutcome | null> => {
    const existing = await pool.query(SQL.findByKey, [payerKey(r), payeeKey(r), r.traceNumber]);
    const row = existing.rows[0];
    if (!row) return null;
    if (row.content_sha256 === src.contentSha256) return { ...base, status: 'duplicate', reasons: [], counts: emptyCounts(r) };
    const conflict = new ClaimsError({
      code: 'REMIT_CONFLICT',
      message: `remittance TRN02 ${r.traceNumber} from payer ${payerKey(r)} to payee ${payeeKey(r)} was already posted with different content`,
      location: { file: src.fileName, interchange: r.interchange, group: r.group, set: r.set, segmentIndex: r.segmentIndex },
      expected: row.content_sha256, found: src.contentSha256,
    });
    await recordRejection(pool, r, src, 'REMIT_CONFLICT', 'remittance', balance, { postedContentSha256: row.content_sha256 });
    return { ...base, status: 'quarantined', reasons: [conflict], counts: emptyCounts(r) };
  };
  // Overlapping the earlier remittance: its plan-time writes (provisional patients) come first.
  if (earlier) await reached(earlier, (p) => p.planned, undefined);
  const seen = await checkExisting();
  if (seen) return seen;

  try {
    const result = await withTransaction(pool, async (client) => {
      const p = await plan(client, r, practiceId, earlier);
      const matched = p.rows.filter((x) => x.submitted !== null).length;
      // A plan that leans on the earlier remittance marks nothing until it is final (the next one waits).
      if (!p.leansOnEarlier) deps.progress?.markPlanned({ payerKey: payerKey(r), payerId: p.payerId, learns: matched > 0 });
      if (p.reversedTwice.length > 0) throw new ReversedTwice(p.reversedTwice);
      const source: SourceRef = { fileSha256: src.fileSha256, fileName: src.fileName, interchange: r.interchange, group: r.group, set: r.set };
      const { entries, flags } = remittanceEntries(r, await postingContext(client, r, p, batchKey, source));
      const lineCount = entries.reduce((t, e) => t + e.lines.length, 0);
      const claimed = await client.query(SQL.claimKey, [
        payerKey(r), payeeKey(r), r.traceNumber, src.contentSha256, p.payerId, batchKey, r.payer.name, r.payee.name,
        r.transactionHandling, r.paymentCents, r.creditDebit, r.paymentMethod, r.paymentDate, balance.claimPaymentsCents, balance.providerAdjustmentsCents,
        r.claims.length, matched, r.claims.length - matched, entries.length, lineCount,
        src.fileSha256, src.fileName, r.interchange, r.group, r.set, r.segmentIndex, practiceId,
      ]);
      if (claimed.rowCount === 0) throw new KeyTaken();
      const remittanceId = claimed.rows[0].id;
      await deps.failpoint('remit.before_copy');
      // The earlier remittance's accounts first: this one may create the same ones (it then waits for that
      // commit), never the other way round.
      if (earlier) await reached(earlier, (p) => p.posted, undefined);
      await deps.post(client, { key: batchKey, entries, practiceId });
      if (!p.leansOnEarlier) deps.progress?.markPosted();
      await deps.failpoint('remit.after_copy');
      const postedKeys = new Set(entries.filter((e) => e.reason !== 'remit.charge_from_remittance').map((e) => e.key));
      const flagsAt = new Map<number, string[]>();
      for (const f of flags) {
        const list = flagsAt.get(f.claimIndex) ?? [];
        list.push(f.flag);
        flagsAt.set(f.claimIndex, list);
      }
      const claimRows = p.rows.map((x, i): RemittanceClaimRow => {
        const claimFlags = flagsAt.get(i) ?? [];
        if (x.chargeRecorded) claimFlags.push('charge_recorded');
        const key = `${batchKey}:claim:${i}`;
        return {
          claimIndex: i, patientControlNumber: x.claim.patientControlNumber, payerClaimNumber: x.claim.payerClaimNumber, status: x.claim.status,
          chargeCents: x.claim.chargeCents, paidCents: x.claim.paidCents, patientResponsibilityCents: x.claim.patientResponsibilityCents,
          claimId: x.submitted?.id ?? null, provisionalPatientId: x.provisionalId, ledgerClaimId: x.ledgerClaimId, payerId: p.payerId,
          entryKey: postedKeys.has(key) ? key : null, reversesEntryKey: x.reverses, flags: claimFlags,
          linesMatched: x.linesMatched, linesUnmatched: x.claim.lines.length - x.linesMatched, segmentIndex: x.claim.segmentIndex,
        };
      });
      await pipeline(Readable.from(remittanceClaimCopyChunks(String(remittanceId), claimRows), { highWaterMark: 1 }), client.query(copyFrom(SQL.copyClaims)));
      if (earlier) {
        // Commit in file order: after the earlier remittance settled (a failure there rolls this one back).
        await earlier.settled;
        if (p.leansOnEarlier && earlier.progress.status !== 'posted') throw new EarlierNotPosted();
      }
      if (matched > 0) await client.query(SQL.learnPayer, [payerKey(r), p.payerId]);
      await deps.beforeCommit?.(client);
      return {
        ...base, status: 'posted' as const, reasons: [],
        counts: { claims: r.claims.length, matchedClaims: matched, unmatchedClaims: r.claims.length - matched, entries: entries.length, entryLines: lineCount, paymentCents: r.paymentCents },
        flags: flags.map((f) => ({ ...f, claim: r.claims[f.claimIndex]!.patientControlNumber })),
      };
    });
    await deps.failpoint('remit.after_commit');
    return result;
  } catch (err) {
    // Another process claimed the key between our check and our insert: report what it posted.
    // The payer taken from the earlier remittance was not taught after all: plan again now it has settled.
    if (err instanceof EarlierNotPosted) return settleRemittance(pool, r, src, { ...deps, earlier: undefined });
    if (err instanceof KeyTaken) return (await checkExisting()) ?? { ...base, status: 'duplicate', reasons: [], counts: emptyCounts(r) };
    if (err instanceof ReversedTwice) {
      // Quarantined whole, like an unbalanced remittance: its deposit includes the reversal's money, so
      // posting the rest would leave payer clearing off BPR02; an analyst decides (docs/decisions/0054).
      const reasons = err.claims.map((c) => new ClaimsError({
        code: 'REMIT_REVERSAL_DUPLICATE',
        message: `reversal (CLP02 22) of claim ${c.patientControlNumber} in ST02 ${r.set}: the payment it reverses (${c.entryKey}) was already reversed; posting it would reverse twice`,
        location: { file: src.fileName, interchange: r.interchange, group: r.group, set: r.set, segmentIndex: c.segmentIndex, segmentTag: 'CLP', element: 2, claim: c.patientControlNumber },
        expected: 'one reversal per posted payment', found: 'a second reversal',
      }));
      await recordRejection(pool, r, src, 'REMIT_REVERSAL_DUPLICATE', 'claim', balance, { reversedTwice: err.claims });
      return { ...base, status: 'quarantined', reasons, counts: emptyCounts(r) };
    }
    throw err;
  }
}
