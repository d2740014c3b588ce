// A remittance's plan, made inside its transaction before anything is written: the payer it is posted for
// (learned from the payer key, taken from the remittance before it, or read off the submitted claims),
// each claim matched to what was submitted or given a provisional patient, what is still open on the
// unmatched ones, and the original posting each reversal negates. post-remittance.ts posts what it says.
import type { PoolClient } from 'pg';
import { sha256Hex } from '../common/content-hash.ts';
import { DEFAULT_PRACTICE } from '../domain/practice.ts';
import { payerKey, type Remittance, type RemittanceClaim } from '../domain/remittance.ts';
import { matchServiceLines } from './matching.ts';
import { unmatchedChargeCents, type ClaimPostingContext } from './posting-rules.ts';
import { reached, type EarlierRemittance } from './progress.ts';
import { protectionsFor, qmbSignal } from './protection.ts';
import { SQL, findSubmittedClaims, originalPostings, type SubmittedClaim } from './sql.ts';

/** Claim status -> the coverage rank the payer processed it as (1 primary ...), when the status says. */
const RANK_BY_STATUS: Record<string, number> = { '1': 1, '19': 1, '2': 2, '20': 2, '3': 3, '21': 3 };

export interface Plan {
  payerId: string;
  practiceId: string;
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
function provisionalKey(payerId: string, claim: RemittanceClaim, practiceId: string): { who: string[]; ledgerPatientId: string } {
  const person = claim.insured ?? claim.patient;
  // The practice joins the key only beside 'default', so a database from before practices names the same accounts.
  const who = [payerId, person?.id ?? '', person?.lastName ?? '', person?.firstName ?? '', ...(practiceId === DEFAULT_PRACTICE ? [] : [practiceId])];
  return { who, ledgerPatientId: `provisional:${sha256Hex(who.join('\u0000')).slice(0, 24)}` };
}

/** Sum of the receivable lines a posting moves for `payerId` (what it settles, negated). */
function receivableMoved(lines: readonly { account: { kind: string; payerId?: string | null }; amountCents: bigint }[], payerId: string): bigint {
  return lines.reduce((t, l) => (l.account.kind === 'insurance_receivable' && l.account.payerId === payerId ? t + l.amountCents : t), 0n);
}

/**
 * What a remittance will post, read inside its transaction: the payer, each claim matched to what was
 * submitted or to a provisional patient, the originals its reversals negate.
 */
export async function plan(client: PoolClient, r: Remittance, practiceId: string, earlier?: EarlierRemittance): Promise<Plan> {
  const references = r.providerAdjustments.filter((a) => a.reasonCode === 'WO' || a.reasonCode === '72').map((a) => a.reference).filter((x) => x !== '');
  const submitted = await findSubmittedClaims(client, [...new Set([...r.claims.map((c) => c.patientControlNumber), ...references])], practiceId);
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
    drafts.push({ index, ...provisionalKey(payerId, claim, practiceId), ledgerClaimId: unmatchedClaimId(payerId, claim.patientControlNumber, practiceId) });
  });
  const provisional = new Map<string, string>();
  const open = new Map<string, bigint>();
  if (drafts.length > 0) {
    const people = [...new Map(drafts.map((d) => [d.ledgerPatientId, d.who])).entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1));
    const cols = [0, 1, 2, 3].map((k) => people.map(([, who]) => who[k]!));
    const rows = await client.query(SQL.provisionalPatients, [...cols, people.map(([id]) => id)]);
    for (const row of rows.rows) provisional.set(row.ledger_patient_id, String(row.id));
    const ids = [...new Set(drafts.map((d) => d.ledgerClaimId))];
    const balances = await client.query(SQL.claimReceivables, [payerId, ids, practiceId]);
    for (const row of balances.rows) open.set(row.claim_id, BigInt(row.cents));
  }
  const draftAt = new Map(drafts.map((d) => [d.index, d]));

  // Every reversal's original in one round trip, paired in remittance order (each original once).
  const reversals = r.claims.filter((c) => c.status === '22');
  const lookups = await originalPostings(client, payerId, reversals.map((c) => ({ pcn: c.patientControlNumber, payerClaimNumber: c.payerClaimNumber, chargeCents: c.chargeCents, paidCents: c.paidCents })), practiceId);
  let reversalAt = 0;
  const reversedTwice: Plan['reversedTwice'] = [];

  // Protected patients (QMB, Medicaid): recorded from this remittance's remarks, then read for every claim.
  const protections = await protectionsFor(client, payerId, r.claims.map((c) => {
    const s = submitted.get(c.patientControlNumber);
    return { patientId: s?.patientId ?? null, payerIds: s?.payers ?? [], signal: qmbSignal(c) };
  }), r.paymentDate);
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
        lineIds: matches.map((m) => m.lineId), recordChargeCents: null, originalLines, protection: protections[index] ?? null,
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
      lineIds: claim.lines.map(() => null), recordChargeCents: recordCents === 0n ? null : recordCents, originalLines, protection: protections[index] ?? null,
    });
    rows.push({ claim, submitted: null, provisionalId, ledgerClaimId: d.ledgerClaimId, reverses, chargeRecorded: recordCents !== null && recordCents !== 0n, linesMatched: 0 });
  }
  return { payerId, practiceId, contexts, rows, submitted, reversedTwice, leansOnEarlier };
}

/** The ledger's claim id for a CLP01 this system never sent: per payer, and per practice beside 'default'. */
function unmatchedClaimId(payerId: string, pcn: string, practiceId: string): string {
  return practiceId === DEFAULT_PRACTICE ? `unmatched:${payerId}:${pcn}` : `unmatched:${practiceId}:${payerId}:${pcn}`;
}

/** Every claim id the remittance names (CLP01s and PLB references), as the ledger knows it. */
export function referenced(r: Remittance, p: Plan): Map<string, string> {
  const out = new Map<string, string>();
  for (const x of p.rows) out.set(x.claim.patientControlNumber, x.ledgerClaimId);
  for (const adj of r.providerAdjustments) {
    if (adj.reference === '' || out.has(adj.reference)) continue;
    const s = p.submitted.get(adj.reference);
    out.set(adj.reference, s ? s.id : unmatchedClaimId(p.payerId, adj.reference, p.practiceId));
  }
  return out;
}
