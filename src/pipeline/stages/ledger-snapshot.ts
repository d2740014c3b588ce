// Built-in stage `ledger-snapshot`: writes the trial balance as of the run's date to the outbox as
// `trial-balance-YYYY-MM-DD.json` (the ledger's balances query: entries effective on or before that date), so the
// nightly run leaves a dated, diffable record of where the books stood. Every practice's books are in it: each
// account names its practice, and each practice has its own total (0 in sound books: an entry never leaves its
// practice), beside the office's total. It proves the runner end to end: database, clock, outbox, outcome, run record.
import path from 'node:path';
import fs from 'node:fs/promises';
import { z } from 'zod';
import { balances, type TrialBalance } from '../../ledger/queries.ts';
import { centsNumber } from '../../common/json-text.ts';
import { writeOwnerOnly } from '../../common/files.ts';
import { defineStage } from '../stage.ts';

export interface TrialBalanceRow {
  /** The practice whose books hold the account ('default' while no other practice is registered). */
  practiceId: string;
  kind: string;
  payerId: string | null;
  patientId: string | null;
  balanceCents: number;
}

export interface PracticeTotal {
  practiceId: string;
  /** Always 0 in a sound ledger: every entry sums to zero within one practice's books. */
  totalCents: number;
}

export interface TrialBalanceSnapshot {
  asOf: string;
  /** By practice, then in the ledger's account order. */
  accounts: TrialBalanceRow[];
  /** One per practice with entries by the date (zero-balance accounts count, though they are not listed). */
  practices: PracticeTotal[];
  /** Always 0 in a sound ledger: every entry sums to zero. Reported so that drift would show. */
  totalCents: number;
}

/** Pure: the ledger's trial balance as the snapshot document. */
export function snapshotOf(asOf: string, trial: TrialBalance, includeZeroBalances: boolean): TrialBalanceSnapshot {
  const accounts = trial.accounts
    .filter((a) => includeZeroBalances || a.balanceCents !== 0n)
    .map((a) => ({ practiceId: a.practiceId, kind: a.kind, payerId: a.payerId, patientId: a.patientId, balanceCents: centsNumber(a.balanceCents, 'balanceCents') }));
  const practices = [...trial.practiceTotals]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([practiceId, total]) => ({ practiceId, totalCents: centsNumber(total, 'totalCents') }));
  return { asOf, accounts, practices, totalCents: centsNumber(trial.totalCents, 'totalCents') };
}

export const ledgerSnapshot = defineStage({
  name: 'ledger-snapshot',
  summary: 'Write the trial balance as of the run date to the outbox (trial-balance-YYYY-MM-DD.json): every practice\'s, or the pipeline\'s practice\'s only.',
  settings: z.strictObject({
    includeZeroBalances: z.boolean().default(false).describe('Also list accounts that have entries but a zero balance.'),
  }),
  async *run(ctx) {
    const asOf = ctx.clock.today();
    const name = `trial-balance-${asOf}.json`;
    const file = path.join(ctx.folders.outbox, name);
    const snapshot = snapshotOf(asOf, await balances(ctx.db, { asOf, ...(ctx.practiceId !== undefined && { practiceId: ctx.practiceId }) }), ctx.settings.includeZeroBalances);
    const text = JSON.stringify(snapshot, null, 2) + '\n';
    let previous: string | undefined;
    try {
      previous = await fs.readFile(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    const counts = { accounts: snapshot.accounts.length };
    // A practice whose books do not sum to zero is named (the office's total can hide it).
    const unbalanced = snapshot.practices.filter((p) => p.totalCents !== 0).map((p) => p.practiceId);
    const detail = { outboxFile: name, totalCents: snapshot.totalCents, ...(unbalanced.length > 0 && { unbalancedPractices: unbalanced }) };
    if (previous === text) {
      yield { input: name, status: 'duplicate', counts, detail };
      return;
    }
    // Patient account ids appear in it: owner-only, like every file about patients.
    await writeOwnerOnly(file, text, { replace: true });
    yield { input: name, status: 'done', counts, detail: { ...detail, replaced: previous !== undefined } };
  },
});
