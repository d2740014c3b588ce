// Built-in stage `ledger-snapshot`: writes the trial balance as of the run's date to the outbox as
// `trial-balance-YYYY-MM-DD.json` (the ledger's balances query: entries effective on or before that date), so the
// nightly run leaves a dated, diffable record of where the books stood. It proves the runner end to end:
// database, clock, outbox, outcome, run record.
import path from 'node:path';
import fs from 'node:fs/promises';
import { z } from 'zod';
import { balances, type TrialBalance } from '../../ledger/queries.ts';
import { centsNumber } from '../../common/json-text.ts';
import { writeOwnerOnly } from '../../common/files.ts';
import { defineStage } from '../stage.ts';

export interface TrialBalanceRow {
  kind: string;
  payerId: string | null;
  patientId: string | null;
  balanceCents: number;
}

export interface TrialBalanceSnapshot {
  asOf: string;
  accounts: TrialBalanceRow[];
  /** Always 0 in a sound ledger: every entry sums to zero. Reported so that drift would show. */
  totalCents: number;
}

/** Pure: the ledger's trial balance as the snapshot document. */
export function snapshotOf(asOf: string, trial: TrialBalance, includeZeroBalances: boolean): TrialBalanceSnapshot {
  const accounts = trial.accounts
    .filter((a) => includeZeroBalances || a.balanceCents !== 0n)
    .map((a) => ({ kind: a.kind, payerId: a.payerId, patientId: a.patientId, balanceCents: centsNumber(a.balanceCents, 'balanceCents') }));
  return { asOf, accounts, totalCents: centsNumber(trial.totalCents, 'totalCents') };
}

export const ledgerSnapshot = defineStage({
  name: 'ledger-snapshot',
  summary: 'Write the trial balance as of the run date to the outbox (trial-balance-YYYY-MM-DD.json).',
  settings: z.strictObject({
    includeZeroBalances: z.boolean().default(false).describe('Also list accounts that have entries but a zero balance.'),
  }),
  async *run(ctx) {
    const asOf = ctx.clock.today();
    const name = `trial-balance-${asOf}.json`;
    const file = path.join(ctx.folders.outbox, name);
    const snapshot = snapshotOf(asOf, await balances(ctx.db, { asOf }), ctx.settings.includeZeroBalances);
    const text = JSON.stringify(snapshot, null, 2) + '\n';
    let previous: string | undefined;
    try {
      previous = await fs.readFile(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    const counts = { accounts: snapshot.accounts.length };
    const detail = { outboxFile: name, totalCents: snapshot.totalCents };
    if (previous === text) {
      yield { input: name, status: 'duplicate', counts, detail };
      return;
    }
    // Patient account ids appear in it: owner-only, like every file about patients.
    await writeOwnerOnly(file, text, { replace: true });
    yield { input: name, status: 'done', counts, detail: { ...detail, replaced: previous !== undefined } };
  },
});
