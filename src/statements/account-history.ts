// The account view behind `claims account`: the guarantor account's ledger history, its claims and their
// states, statements sent, plan, credit, and why the next statement is or is not due, assembled from the
// same snapshot and assessment the statement run uses. Plain data, rendered as text or JSON.
import type pg from 'pg';
import { formatUsd } from '../common/money.ts';
import { describeClaimState } from './claim-state.ts';
import { assessAccount, type AccountAssessment, type AccountSnapshot } from './account.ts';
import { accountsByNumber, loadSnapshots } from './load.ts';
import type { StatementSettings } from './settings.ts';
import { ACCOUNT_LEDGER_HISTORY, CLAIMS_SENT_ON, STATEMENTS_OF_ACCOUNT } from './sql.ts';
import { claimTurns, type ClaimTurns } from './payer-turns.ts';

export interface AccountView {
  accountNumber: string;
  asOf: string;
  snapshot: AccountSnapshot;
  assessment: AccountAssessment;
  ledger: { date: string; key: string; reason: string; kind: string; payerId: string | null; claimId: string | null; lineReason: string | null; amountCents: bigint }[];
  /** Each claim's payers in turn, then the patient (same order as assessment.claimStates). */
  turns: ClaimTurns[];
  statements: { date: string; kind: string; sequence: number; status: string; heldReason: string | null; rule: string; balanceCents: bigint; amountDueCents: bigint; dueOn: string; pdfFile: string | null }[];
}

export async function loadAccountView(pool: pg.Pool, accountNumber: string, asOf: string, settings: StatementSettings): Promise<AccountView | null> {
  const rows = await accountsByNumber(pool, [accountNumber]);
  if (rows.length === 0) return null;
  const [snapshot] = await loadSnapshots(pool, rows, asOf, settings);
  if (!snapshot) return null;
  const claimIds = snapshot.claims.flatMap((c) => c.chainIds);
  const ledger = await pool.query<{ date: string; key: string; reason: string; kind: string; payer_id: string | null; claim_id: string | null; line_reason: string | null; amount_cents: string }>(ACCOUNT_LEDGER_HISTORY, [accountNumber, claimIds]);
  const statements = await pool.query<{ date: string; kind: string; sequence: number; status: string; held_reason: string | null; rule: string; balance_cents: string; amount_due_cents: string; due_on: string; pdf_file: string | null }>(STATEMENTS_OF_ACCOUNT, [accountNumber]);
  const sent = await pool.query<{ claim_id: string; date: string }>(CLAIMS_SENT_ON, [claimIds]);
  const sentOn = new Map(sent.rows.map((r) => [r.claim_id, r.date]));
  const assessment = assessAccount(snapshot, settings, asOf);
  const turns = snapshot.claims.map((c) => {
    const state = assessment.claimStates.find((s) => s.claimId === c.claimId)!.state;
    // The chain's first sending: its original (the lowest id) in practice, whatever was sent later.
    const billedOn = c.chainIds.map((id) => sentOn.get(id)).filter((d): d is string => d !== undefined).sort()[0] ?? null;
    return claimTurns(c, state, billedOn, asOf);
  });
  return {
    accountNumber,
    asOf,
    snapshot,
    assessment,
    turns,
    ledger: ledger.rows.map((r) => ({ date: r.date, key: r.key, reason: r.reason, kind: r.kind, payerId: r.payer_id, claimId: r.claim_id, lineReason: r.line_reason, amountCents: BigInt(r.amount_cents) })),
    statements: statements.rows.map((r) => ({ date: r.date, kind: r.kind, sequence: r.sequence, status: r.status, heldReason: r.held_reason, rule: r.rule, balanceCents: BigInt(r.balance_cents), amountDueCents: BigInt(r.amount_due_cents), dueOn: r.due_on, pdfFile: r.pdf_file })),
  };
}

/** The view as the JSON document `claims account --json` prints (its bigint cents go out through jsonText). */
export function accountViewDocument(v: AccountView): Record<string, unknown> {
  const { snapshot, assessment } = v;
  return {
    accountNumber: v.accountNumber,
    practiceId: snapshot.practiceId,
    asOf: v.asOf,
    receivableCents: assessment.receivableCents,
    waitingOnPayersCents: assessment.waitingOnPayersCents,
    creditCents: assessment.creditCents,
    claims: assessment.claimStates.map((s, i) => ({
      claimId: s.claimId, patientControlNumber: s.patientControlNumber, state: s.state, description: describeClaimState(s.state),
      payers: v.turns[i]?.payers ?? [], patientCents: v.turns[i]?.patientCents ?? 0n, protectedCents: v.turns[i]?.protectedCents ?? 0n,
    })),
    nextStatement: assessment.decision,
    pendingActions: assessment.balanceActions,
    pendingTimeouts: assessment.timeoutMoves,
    plan: assessment.plan,
    payments: snapshot.payments,
    statements: v.statements,
    ledger: v.ledger,
  };
}

export function accountViewText(v: AccountView): string {
  const a = v.assessment;
  const out: string[] = [];
  out.push(`Account ${v.accountNumber} as of ${v.asOf} (practice ${v.snapshot.practiceId})`);
  const waiting = a.waitingOnPayersCents > 0n ? ` (${formatUsd(a.waitingOnPayersCents)} of it on claims still with a payer, not billed yet)` : '';
  out.push(`  patient balance ${formatUsd(a.receivableCents)}${waiting}   credit ${formatUsd(a.creditCents)}`);
  out.push('', 'Claims:');
  if (a.claimStates.length === 0) out.push('  (none)');
  const voided = new Set(v.snapshot.claims.filter((c) => c.voided).map((c) => c.claimId));
  a.claimStates.forEach((s, i) => {
    out.push(`  ${s.patientControlNumber} (claim ${s.claimId}${voided.has(s.claimId) ? ', voided' : ''}): ${describeClaimState(s.state)}`);
    const t = v.turns[i];
    if (t !== undefined) out.push(...turnLines(t));
  });
  out.push('', 'Next statement:');
  out.push(`  ${a.decision.due ? 'DUE' : 'not due'} [${a.decision.rule}] ${a.decision.explanation}${a.decision.held ? ` (held: ${a.decision.held})` : ''}`);
  for (const m of a.timeoutMoves) out.push(`  pending: ${m.undo ? 'undo' : 'move'} ${formatUsd(m.amountCents)} of claim ${m.claimId} ${m.undo ? 'back to' : 'from'} payer ${m.payerId}`);
  for (const act of a.balanceActions) {
    if (act.kind === 'refund_due') out.push(`  refund due: ${formatUsd(act.amountCents)} credit since ${act.creditSince} (${act.days} days)`);
    else out.push(`  pending: ${act.kind.replace(/_/g, ' ')} ${formatUsd(act.amountCents)}`);
  }
  out.push('', 'Plan:');
  if (!a.plan) out.push('  (none)');
  else {
    out.push(`  ${a.plan.status}${a.plan.statusOn ? ` on ${a.plan.statusOn}` : ''}; paid ${formatUsd(a.plan.paidCents)}, remaining ${formatUsd(a.plan.remainingCents)}, missed ${a.plan.missedCount}`);
    for (const r of a.plan.schedule) out.push(`    ${r.dueOn}  ${formatUsd(r.amountCents).padStart(10)}  ${r.status}`);
  }
  out.push('', 'Statements:');
  if (v.statements.length === 0) out.push('  (none)');
  for (const s of v.statements) {
    out.push(`  ${s.date} ${s.kind} #${s.sequence} ${s.status}${s.heldReason ? ` (${s.heldReason})` : ''}: balance ${formatUsd(s.balanceCents)}, due ${formatUsd(s.amountDueCents)} by ${s.dueOn}`);
  }
  out.push('', 'Ledger history:');
  if (v.ledger.length === 0) out.push('  (none)');
  for (const l of v.ledger) {
    const who = [l.payerId && `payer ${l.payerId}`, l.claimId && `claim ${l.claimId}`, l.lineReason].filter(Boolean).join(', ');
    out.push(`  ${l.date}  ${l.reason.padEnd(28)} ${l.kind.padEnd(24)} ${formatUsd(l.amountCents).padStart(12)}${who ? `  (${who})` : ''}`);
  }
  return out.join('\n') + '\n';
}

/** One line per payer in turn, then the patient's share: what `claims account` shows under each claim. */
function turnLines(t: ClaimTurns): string[] {
  const lines = t.payers.map((p) => {
    const parts = [p.billedOn ? `billed ${p.billedOn}` : 'not billed'];
    if (p.adjudicatedOn) parts.push(`adjudicated ${p.adjudicatedOn}`);
    parts.push(`paid ${formatUsd(p.paidCents)}`);
    if (p.waitingSince) parts.push(`waiting since ${p.waitingSince} (${p.waitingDays} days) for ${formatUsd(p.leftCents)}`);
    else if (p.leftCents !== 0n) parts.push(`left ${formatUsd(p.leftCents)}`);
    if (p.creditCents !== 0n) parts.push(`owed back to the payer ${formatUsd(p.creditCents)}`);
    return `      ${p.sequence}. ${p.payerId.padEnd(8)} ${parts.join(', ')}`;
  });
  const patient = [`patient ${formatUsd(t.patientCents)}`];
  if (t.protectedCents !== 0n) patient.push(`written off for a protected patient ${formatUsd(t.protectedCents)}`);
  lines.push(`      ${patient.join(', ')}`);
  return lines;
}
