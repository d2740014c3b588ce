// Built-in stage `ledger-snapshot`: writes the trial balance as of the run's date to the outbox as
// `trial-balance-YYYY-MM-DD.json`, one row per account with a non-zero balance (or every account), so the
// nightly run leaves a dated, diffable record of where the books stood. It proves the runner end to end:
// database, clock, outbox, outcome, run record.
import path from 'node:path';
import fs from 'node:fs/promises';
import { z } from 'zod';
import { ClaimsError } from '../../runtime/errors.ts';
import { writeOwnerOnly } from '../folders.ts';
import { defineStage } from '../stage.ts';

/** Balances of every account from entries effective on or before $1, in a stable order. */
export const TRIAL_BALANCE_SQL = `
SELECT a.kind, a.payer_id, a.patient_id, coalesce(sum(l.amount_cents), 0)::text AS balance_cents
FROM accounts a
LEFT JOIN (
  entry_lines l JOIN entries e ON e.batch_id = l.batch_id AND e.ordinal = l.entry_ordinal AND e.effective_date <= $1::date
) ON l.account_id = a.id
GROUP BY a.id, a.kind, a.payer_id, a.patient_id
ORDER BY a.kind, a.payer_id NULLS FIRST, a.patient_id NULLS FIRST`;

export interface TrialBalanceRow {
  kind: string;
  payerId: string | null;
  patientId: string | null;
  balanceCents: number;
}

export interface TrialBalance {
  asOf: string;
  accounts: TrialBalanceRow[];
  /** Always 0 in a sound ledger: every entry sums to zero. */
  totalCents: number;
}

function centsToNumber(text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n)) {
    throw new ClaimsError({ code: 'AMOUNT_TOO_LARGE', message: `balance ${text} cents does not fit a JSON number exactly` });
  }
  return n;
}

/** Pure: rows from the query to the snapshot document (totals summed as bigint, never floats). */
export function trialBalanceOf(
  asOf: string, rows: { kind: string; payer_id: string | null; patient_id: string | null; balance_cents: string }[],
  includeZeroBalances: boolean,
): TrialBalance {
  let total = 0n;
  const accounts: TrialBalanceRow[] = [];
  for (const r of rows) {
    const cents = BigInt(r.balance_cents);
    total += cents;
    if (cents === 0n && !includeZeroBalances) continue;
    accounts.push({ kind: r.kind, payerId: r.payer_id, patientId: r.patient_id, balanceCents: centsToNumber(r.balance_cents) });
  }
  return { asOf, accounts, totalCents: centsToNumber(total.toString()) };
}

export const ledgerSnapshot = defineStage({
  name: 'ledger-snapshot',
  summary: 'Write the trial balance as of the run date to the outbox (trial-balance-YYYY-MM-DD.json).',
  settings: z.strictObject({
    includeZeroBalances: z.boolean().default(false).describe('List accounts whose balance is zero too.'),
  }),
  async *run(ctx) {
    const asOf = ctx.clock.today();
    const name = `trial-balance-${asOf}.json`;
    const file = path.join(ctx.folders.outbox, name);
    const { rows } = await ctx.db.pool.query<{ kind: string; payer_id: string | null; patient_id: string | null; balance_cents: string }>(
      TRIAL_BALANCE_SQL, [asOf],
    );
    const snapshot = trialBalanceOf(asOf, rows, ctx.settings.includeZeroBalances);
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
