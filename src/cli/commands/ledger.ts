// `claims ledger balances|post`: the trial balance of the double-entry ledger, and posting a batch file
// (manual corrections by analysts; crash tests). Arguments and output only: the work is in src/ledger.
import fs from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { type Command, type CommandContext, UsageError } from '../command.ts';
import { openDatabase } from '../../runtime/database.ts';
import { ExitCode } from '../../common/errors.ts';
import { formatDecimal } from '../../common/money.ts';
import { parsePostingBatchFile } from '../../ledger/batch-file.ts';
import { isIsoDate } from '../../common/dates.ts';
import { postBatch } from '../../ledger/post.ts';
import { balances, type TrialBalance } from '../../ledger/queries.ts';
import { JSON_OPTION, jsonHelpLine, writeJson } from '../json-output.ts';

const HELP = `Usage: claims ledger balances [--as-of DATE] [--json]
       claims ledger post BATCH.json [--json]

  balances  The trial balance: one row per account (kind, payer, patient) with its balance, and the
            total, which is always 0.00 in a double-entry ledger. With --as-of, only entries effective
            on or before DATE count.
  post      Post a batch file: {"key": ..., "entries": [{"key", "reason", "effectiveDate", "memo"?,
            "source"?, "lines": [{"account": {"kind", "payerId"?, "patientId"?}, "amountCents": "-1250",
            "reason"?, "claimId"?, "serviceLineId"?}]}]}. Amounts are strings of cents; every entry's lines
            must sum to zero. The batch is posted all or nothing, exactly once: posting the same key and
            content again changes nothing ("duplicate"); the same key with other content fails with
            LEDGER_KEY_CONFLICT. Corrections are new entries (a reversal), never edits.

Options:
  --as-of DATE  YYYY-MM-DD (balances only).
${jsonHelpLine(14)}
  -h, --help

Examples:
  claims ledger balances
  claims ledger balances --as-of 2025-03-31 --json
  claims ledger post corrections/2025-04-02-refund.json
`;

/** JSON with bigint cents written as integer literals (JSON.stringify cannot, and Number may round). */
export function trialBalanceJson(tb: TrialBalance): string {
  const rows = tb.accounts.map((a) =>
    `    {"kind": ${JSON.stringify(a.kind)}, "payerId": ${JSON.stringify(a.payerId)}, "patientId": ${JSON.stringify(a.patientId)}, "balanceCents": ${a.balanceCents}}`);
  return `{\n  "asOf": ${JSON.stringify(tb.asOf)},\n  "accounts": [${rows.length ? `\n${rows.join(',\n')}\n  ` : ''}],\n  "totalCents": ${tb.totalCents}\n}\n`;
}

/** A table for people: text columns left-aligned, amounts right-aligned with two decimals. */
export function trialBalanceTable(tb: TrialBalance): string {
  const rows = tb.accounts.map((a) => [a.kind, a.payerId ?? '', a.patientId ?? '', formatDecimal(a.balanceCents)]);
  const header = ['ACCOUNT', 'PAYER', 'PATIENT', 'BALANCE'];
  const footer = ['TOTAL', '', '', formatDecimal(tb.totalCents)];
  const all = [header, ...rows, footer];
  const widths = header.map((_, i) => Math.max(...all.map((r) => r[i]!.length)));
  const line = (r: string[]): string => r.map((c, i) => (i === 3 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ');
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  const title = tb.asOf === null ? 'Trial balance (all entries)' : `Trial balance as of ${tb.asOf}`;
  return [title, '', line(header), rule, ...rows.map(line), rule, line(footer)].join('\n') + '\n';
}

function parse(args: string[]) {
  try {
    return parseArgs({ args, allowPositionals: true, strict: true, options: { 'as-of': { type: 'string' }, ...JSON_OPTION } });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

async function runBalances(positionals: string[], values: { 'as-of'?: string; json?: boolean }, ctx: CommandContext): Promise<number> {
  if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`);
  const asOf = values['as-of'];
  if (asOf !== undefined && !isIsoDate(asOf)) throw new UsageError(`--as-of ${asOf}: expected a date YYYY-MM-DD`);
  const db = await openDatabase({ migrate: true, logger: ctx.logger });
  try {
    const tb = await balances(db, asOf === undefined ? {} : { asOf });
    ctx.stdout.write(values.json ? trialBalanceJson(tb) : trialBalanceTable(tb));
    return ExitCode.ok;
  } finally {
    await db.close();
  }
}

async function runPost(positionals: string[], values: { 'as-of'?: string; json?: boolean }, ctx: CommandContext): Promise<number> {
  if (positionals.length !== 1) throw new UsageError('post takes exactly one batch file');
  if (values['as-of'] !== undefined) throw new UsageError('--as-of applies to balances only');
  const file = positionals[0]!;
  const batch = parsePostingBatchFile(await fs.readFile(file, 'utf8'), file);
  const lines = batch.entries.reduce((n, e) => n + e.lines.length, 0);
  const db = await openDatabase({ migrate: true, logger: ctx.logger });
  try {
    const outcome = await postBatch(db, batch);
    ctx.logger.info({ batchKey: batch.key, outcome, entries: batch.entries.length, lines }, 'ledger batch file');
    if (values.json) {
      writeJson(ctx, { key: batch.key, outcome, entries: batch.entries.length, lines });
    } else {
      ctx.stdout.write(outcome === 'posted'
        ? `posted batch ${batch.key}: ${batch.entries.length} entries, ${lines} lines\n`
        : `duplicate: batch ${batch.key} was already posted with the same content; nothing written\n`);
    }
    return ExitCode.ok;
  } finally {
    await db.close();
  }
}

export const ledgerCommand: Command = {
  name: 'ledger',
  summary: 'The double-entry ledger: `claims ledger balances` (trial balance), `claims ledger post BATCH.json`',
  help: HELP,
  async run(args, ctx) {
    const { positionals, values } = parse(args);
    const [verb, ...rest] = positionals;
    if (verb === 'balances') return runBalances(rest, values, ctx);
    if (verb === 'post') return runPost(rest, values, ctx);
    throw new UsageError(verb === undefined ? 'missing sub-command: balances or post' : `unknown sub-command '${verb}': expected balances or post`);
  },
};
