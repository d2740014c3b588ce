// The remittance ingest service: one balanced 835 remittance -> one database transaction that claims its
// key (payer + payee + TRN02, one row), matches its claims, and posts its entries through the ledger's
// COPY writer. Unbalanced or conflicting remittances are recorded as rejections and never touch the
// ledger. Failpoints mark the crash-test boundaries: before, after the COPY (before commit), after commit.
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Pool, PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { formatDecimal } from '../common/money.ts';
import { ClaimsError } from '../common/errors.ts';
import { withTransaction } from '../runtime/database.ts';
import { payeeKey, payerKey, type Remittance, type RemittanceClaim } from '../domain/remittance.ts';
import type { PostingBatch, PostingOutcome, SourceRef } from '../ledger/types.ts';
import { balanceRemittance, type BalanceFailure, type BalanceResult } from './balance.ts';
import { matchServiceLines } from './matching.ts';
import { remittanceEntries, unmatchedChargeCents, type ClaimPostingContext, type PostingFlag } from './posting-rules.ts';
import { SQL, findSubmittedClaims, originalPostings, type SubmittedClaim } from './sql.ts';
import { remittanceClaimCopyChunks, type RemittanceClaimRow } from './claims-copy.ts';

export interface RemittanceSource {
  fileName: string;
  fileSha256: string;
  /** sha256 of the set's content (ST..SE), for exactly-once. */
  contentSha256: string;
}

export interface RemittanceDeps {
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
  earlier?: { progress: RemittanceProgress; settled: Promise<unknown> };
}

/** The payer a remittance's plan settled on, and whether its commit teaches it for the payer key. */
export interface PlannedPayer {
  payerKey: string;
  payerId: string;
  learns: boolean;
}

/**
 * How far a remittance has gone, for the next remittance of the file to overlap it safely: `planned`
 * once its plan-time writes (provisional patients) are done, `posted` once its ledger lines are written,
 * `payer` once its payer is final; each also resolves when the remittance ends without getting there
 * (`payer` with null: a remittance that leaned on the one before it teaches nothing that one does not).
 */
export class RemittanceProgress {
  readonly planned: Promise<void>;
  readonly posted: Promise<void>;
  /** null: it ended without a plan of its own (a duplicate, quarantined or failed before planning, or it leaned). */
  readonly payer: Promise<PlannedPayer | null>;
  status: RemittanceStatus | null = null;
  private readonly marks: { planned: () => void; posted: () => void; payer: (p: PlannedPayer | null) => void };

  constructor() {
    let planned!: () => void;
    let posted!: () => void;
    let payer!: (p: PlannedPayer | null) => void;
    this.planned = new Promise((resolve) => { planned = resolve; });
    this.posted = new Promise((resolve) => { posted = resolve; });
    this.payer = new Promise((resolve) => { payer = resolve; });
    this.marks = { planned, posted, payer };
  }

  /** The plan is made, and final (a plan that leaned on an earlier remittance marks nothing). */
  markPlanned(payer: PlannedPayer): void {
    this.marks.planned();
    this.marks.payer(payer);
  }

  markPosted(): void {
    this.marks.posted();
  }

  /** The remittance ended (posted, duplicate, quarantined; null: it failed). */
  finish(status: RemittanceStatus | null): void {
    this.status = status;
    this.marks.planned();
    this.marks.posted();
    this.marks.payer(null);
  }
}

/** The earlier remittance did not post as this one's plan assumed: plan again, after it. */
class EarlierNotPosted extends Error {}

type Earlier = NonNullable<RemittanceDeps['earlier']>;

/** A milestone of the earlier remittance, or its end if it ends without reaching it (or never settles it). */
function reached<T>(earlier: Earlier, milestone: (p: RemittanceProgress) => Promise<T>, otherwise: T): Promise<T> {
  return Promise.race([milestone(earlier.progress), earlier.settled.then(() => otherwise, () => otherwise)]);
}

export type RemittanceStatus = 'posted' | 'duplicate' | 'quarantined';

export interface RemittanceOutcome {
  status: RemittanceStatus;
  set: string;
  traceNumber: string;
  reasons: ClaimsError[];
  counts: { claims: number; matchedClaims: number; unmatchedClaims: number; entries: number; entryLines: number; paymentCents: bigint };
  flags: { claim: string; claimIndex: number; flag: PostingFlag }[];
}

/** Claim status -> the coverage rank the payer processed it as (1 primary ...), when the status says. */
const RANK_BY_STATUS: Record<string, number> = { '1': 1, '19': 1, '2': 2, '20': 2, '3': 3, '21': 3 };

export function remittanceKeyHash(r: Remittance): string {
  return createHash('sha256').update(`${payerKey(r)}\u0000${payeeKey(r)}\u0000${r.traceNumber}`).digest('hex').slice(0, 32);
}

function balanceError(r: Remittance, f: BalanceFailure, file: string): ClaimsError {
  const what = { line: 'SVC02 - line CAS = SVC03', claim: 'CLP03 - all CAS = CLP04', remittance: 'sum(CLP04) - sum(PLB) = BPR02' }[f.level];
  // The element that disagrees: the paid amount the file states. BPR is the segment after ST (its position 2).
  const at = {
    line: { segmentIndex: f.segmentIndex, segmentTag: 'SVC', element: 3 },
    claim: { segmentIndex: f.segmentIndex, segmentTag: 'CLP', element: 4 },
    remittance: { segmentIndex: r.segmentIndex + 1, segmentPosition: 2, segmentTag: 'BPR', element: 2 },
  }[f.level];
  const element = `${at.segmentTag}${String(at.element).padStart(2, '0')}`;
  return new ClaimsError({
    code: 'REMIT_UNBALANCED',
    message: `remittance ST02 ${r.set} does not balance at ${f.level} level (${what})${f.claim !== undefined ? ` for claim ${f.claim}` : ''}: ${element} should be ${formatDecimal(f.expectedCents)}, the file says ${formatDecimal(f.foundCents)}`,
    location: { file, interchange: r.interchange, group: r.group, set: r.set, ...at, ...(f.claim !== undefined && { claim: f.claim }) },
    expected: String(f.expectedCents),
    found: String(f.foundCents),
  });
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

/** Thrown out of the transaction (nothing written) when a reversal would negate an already reversed payment. */
class ReversedTwice extends Error {
  readonly claims: Plan['reversedTwice'];
  constructor(claims: Plan['reversedTwice']) {
    super('reversal of an already reversed payment');
    this.claims = claims;
  }
}

interface Plan {
  payerId: string;
  contexts: ClaimPostingContext[];
  submitted: Map<string, SubmittedClaim>;
  /** Reversals whose original was already reversed: the remittance must not post (it would reverse twice). */
  reversedTwice: { claimIndex: number; patientControlNumber: string; entryKey: string; segmentIndex: number }[];
  rows: { claim: RemittanceClaim; submitted: SubmittedClaim | null; provisionalId: string | null; ledgerClaimId: string; reverses: string | null; chargeRecorded: boolean; linesMatched: number }[];
  /** The payer was taken from the earlier remittance still settling (RemittanceDeps.earlier). */
  leansOnEarlier: boolean;
}

interface UnmatchedDraft { index: number; who: string[]; ledgerPatientId: string; ledgerClaimId: string }

/** The provisional patient id of a person named by an unmatched claim: derived from the key, so reruns name the same account. */
function provisionalKey(payerId: string, claim: RemittanceClaim): { who: string[]; ledgerPatientId: string } {
  const person = claim.insured ?? claim.patient;
  const who = [payerId, person?.id ?? '', person?.lastName ?? '', person?.firstName ?? ''];
  return { who, ledgerPatientId: `provisional:${createHash('sha256').update(who.join('\u0000')).digest('hex').slice(0, 24)}` };
}

/** Sum of the receivable lines a posting moves for `payerId` (what it settles, negated). */
function receivableMoved(lines: readonly { account: { kind: string; payerId?: string | null }; amountCents: bigint }[], payerId: string): bigint {
  return lines.reduce((t, l) => (l.account.kind === 'insurance_receivable' && l.account.payerId === payerId ? t + l.amountCents : t), 0n);
}

async function plan(client: PoolClient, r: Remittance, earlier?: Earlier): Promise<Plan> {
  const references = r.providerAdjustments.filter((a) => a.reasonCode === 'WO' || a.reasonCode === '72').map((a) => a.reference).filter((x) => x !== '');
  const submitted = await findSubmittedClaims(client, [...new Set([...r.claims.map((c) => c.patientControlNumber), ...references])]);
  const learned = await client.query(SQL.learnedPayer, [payerKey(r)]);
  let payerId: string | undefined = learned.rows[0]?.payer_id;
  let leansOnEarlier = false;
  if (!payerId && earlier) {
    // The earlier remittance, still settling, may teach this payer key its payer (not visible until it
    // commits): take what it will teach, and check before committing that it did.
    const taught = await reached(earlier, (p) => p.payer, null);
    if (taught && taught.learns && taught.payerKey === payerKey(r)) {
      payerId = taught.payerId;
      leansOnEarlier = true;
    }
  }
  if (!payerId) {
    for (const c of r.claims) {
      const s = submitted.get(c.patientControlNumber);
      const rank = RANK_BY_STATUS[c.status];
      if (s && rank && s.payers[rank - 1]) { payerId = s.payers[rank - 1]!; break; }
    }
  }
  payerId ??= `835:${payerKey(r)}`;

  // Claims this system never sent: their provisional patients and what is still open on each, in one
  // statement each for the whole remittance (a remittance may hold thousands of claims).
  const drafts: UnmatchedDraft[] = [];
  r.claims.forEach((claim, index) => {
    if (submitted.has(claim.patientControlNumber)) return;
    drafts.push({ index, ...provisionalKey(payerId, claim), ledgerClaimId: `unmatched:${payerId}:${claim.patientControlNumber}` });
  });
  const provisional = new Map<string, string>();
  const open = new Map<string, bigint>();
  if (drafts.length > 0) {
    const people = [...new Map(drafts.map((d) => [d.ledgerPatientId, d.who])).entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1));
    const cols = [0, 1, 2, 3].map((k) => people.map(([, who]) => who[k]!));
    const rows = await client.query(SQL.provisionalPatients, [...cols, people.map(([id]) => id)]);
    for (const row of rows.rows) provisional.set(row.ledger_patient_id, String(row.id));
    const ids = [...new Set(drafts.map((d) => d.ledgerClaimId))];
    const balances = await client.query(SQL.claimReceivables, [payerId, ids]);
    for (const row of balances.rows) open.set(row.claim_id, BigInt(row.cents));
  }
  const draftAt = new Map(drafts.map((d) => [d.index, d]));

  // Every reversal's original in one round trip, paired in remittance order (each original once).
  const reversals = r.claims.filter((c) => c.status === '22');
  const lookups = await originalPostings(client, payerId, reversals.map((c) => ({ pcn: c.patientControlNumber, payerClaimNumber: c.payerClaimNumber, chargeCents: c.chargeCents, paidCents: c.paidCents })));
  let reversalAt = 0;
  const reversedTwice: Plan['reversedTwice'] = [];

  const contexts: ClaimPostingContext[] = [];
  const rows: Plan['rows'] = [];
  for (const [index, claim] of r.claims.entries()) {
    const s = submitted.get(claim.patientControlNumber) ?? null;
    let reverses: string | null = null;
    let originalLines: ClaimPostingContext['originalLines'] = null;
    if (claim.status === '22') {
      const found = lookups[reversalAt++]!;
      if (found.kind === 'original') {
        reverses = found.original.entryKey;
        originalLines = found.original.lines;
      } else if (found.kind === 'already_reversed') {
        reversedTwice.push({ claimIndex: index, patientControlNumber: claim.patientControlNumber, entryKey: found.entryKey, segmentIndex: claim.segmentIndex });
      }
    }
    if (s) {
      const at = s.payers.indexOf(payerId);
      const rank = at >= 0 ? at + 1 : (RANK_BY_STATUS[claim.status] ?? 1);
      const matches = matchServiceLines(claim.lines, s.lines);
      contexts.push({
        claimId: s.id, patientId: s.accountNumber, nextPayerId: s.payers[rank] ?? null, coverageRank: rank,
        lineIds: matches.map((m) => m.lineId), recordChargeCents: null, originalLines,
      });
      rows.push({ claim, submitted: s, provisionalId: null, ledgerClaimId: s.id, reverses, chargeRecorded: false, linesMatched: matches.filter((m) => m.lineId !== null).length });
      continue;
    }
    const d = draftAt.get(index)!;
    const provisionalId = provisional.get(d.ledgerPatientId);
    if (provisionalId === undefined) throw new Error(`provisional patient ${d.ledgerPatientId} was not returned`);
    // The charge recorded from CLP03 is what makes this payer's receivable for the claim net to zero once
    // the claim posts: what the claim settles less what is already open (an earlier charge that a reversal
    // re-opened, or a part recorded earlier in this remittance). A correction whose CLP03 differs from
    // the reversed original records only the difference (negative when the charge went down).
    const openCents = open.get(d.ledgerClaimId) ?? 0n;
    let recordCents: bigint | null = null;
    if (claim.status === '22') {
      open.set(d.ledgerClaimId, openCents - (originalLines ? receivableMoved(originalLines, payerId) : unmatchedChargeCents(claim)));
    } else if (claim.status !== '25') {
      const settles = unmatchedChargeCents(claim);
      recordCents = settles - openCents;
      open.set(d.ledgerClaimId, 0n);
    }
    contexts.push({
      unmatched: true, claimId: d.ledgerClaimId, patientId: d.ledgerPatientId, nextPayerId: null, coverageRank: null,
      lineIds: claim.lines.map(() => null), recordChargeCents: recordCents === 0n ? null : recordCents, originalLines,
    });
    rows.push({ claim, submitted: null, provisionalId, ledgerClaimId: d.ledgerClaimId, reverses, chargeRecorded: recordCents !== null && recordCents !== 0n, linesMatched: 0 });
  }
  return { payerId, contexts, rows, submitted, reversedTwice, leansOnEarlier };
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
    const reasons = balance.failures.map((f) => balanceError(r, f, src.fileName));
    await recordRejection(pool, r, src, 'REMIT_UNBALANCED', balance.failures[0]!.level, balance, { failures: balance.failures });
    return { ...base, status: 'quarantined', reasons, counts: emptyCounts(r) };
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
      const p = await plan(client, r, earlier);
      const matched = p.rows.filter((x) => x.submitted !== null).length;
      // A plan that leans on the earlier remittance marks nothing until it is final (the next one waits).
      if (!p.leansOnEarlier) deps.progress?.markPlanned({ payerKey: payerKey(r), payerId: p.payerId, learns: matched > 0 });
      if (p.reversedTwice.length > 0) throw new ReversedTwice(p.reversedTwice);
      const source: SourceRef = { fileSha256: src.fileSha256, fileName: src.fileName, interchange: r.interchange, group: r.group, set: r.set };
      const { entries, flags } = remittanceEntries(r, { keyPrefix: batchKey, payerId: p.payerId, claims: p.contexts, referencedClaimIds: referenced(r, p), source });
      const lineCount = entries.reduce((t, e) => t + e.lines.length, 0);
      const claimed = await client.query(SQL.claimKey, [
        payerKey(r), payeeKey(r), r.traceNumber, src.contentSha256, p.payerId, batchKey, r.payer.name, r.payee.name,
        r.transactionHandling, r.paymentCents, r.creditDebit, r.paymentMethod, r.paymentDate, balance.claimPaymentsCents, balance.providerAdjustmentsCents,
        r.claims.length, matched, r.claims.length - matched, entries.length, lineCount,
        src.fileSha256, src.fileName, r.interchange, r.group, r.set, r.segmentIndex,
      ]);
      if (claimed.rowCount === 0) throw new KeyTaken();
      const remittanceId = claimed.rows[0].id;
      await deps.failpoint('remit.before_copy');
      // The earlier remittance's accounts first: this one may create the same ones (it then waits for that
      // commit), never the other way round.
      if (earlier) await reached(earlier, (p) => p.posted, undefined);
      await deps.post(client, { key: batchKey, entries });
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

function referenced(r: Remittance, p: Plan): Map<string, string> {
  const out = new Map<string, string>();
  for (const x of p.rows) out.set(x.claim.patientControlNumber, x.ledgerClaimId);
  for (const adj of r.providerAdjustments) {
    if (adj.reference === '' || out.has(adj.reference)) continue;
    const s = p.submitted.get(adj.reference);
    out.set(adj.reference, s ? s.id : `unmatched:${p.payerId}:${adj.reference}`);
  }
  return out;
}
