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
import { DEFAULT_PRACTICE } from '../../ledger/types.ts';
import { JSON_OPTION, jsonHelpLine, writeJson } from '../json-output.ts';

const HELP = `Usage: claims ledger balances [--as-of DATE] [--practice ID] [--json]
       claims ledger post BATCH.json [--json]

  balances  The trial balance: one row per account (kind, payer, patient) with its balance, and the
            total, which is always 0.00 in a double-entry ledger. With --as-of, only entries effective
            on or before DATE count. Each practice's books are listed on their own, each with its total
            (always 0.00: an entry never crosses practices); --practice lists one practice's books.
  post      Post a batch file: {"key": ..., "entries": [{"key", "reason", "effectiveDate", "memo"?,
            "source"?, "lines": [{"account": {"kind", "payerId"?, "patientId"?}, "amountCents": "-1250",
            "reason"?, "claimId"?, "serviceLineId"?}]}]}. Amounts are strings of cents; every entry's lines
            must sum to zero. The batch is posted all or nothing, exactly once: posting the same key and
            content again changes nothing ("duplicate"); the same key with other content fails with
            LEDGER_KEY_CONFLICT. Corrections are new entries (a reversal), never edits.

Options:
  --as-of DATE  YYYY-MM-DD (balances only).
  --practice ID One practice's books (balances only); without it, every practice.
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
    `    {"practiceId": ${JSON.stringify(a.practiceId)}, "kind": ${JSON.stringify(a.kind)}, "payerId": ${JSON.stringify(a.payerId)}, "patientId": ${JSON.stringify(a.patientId)}, "balanceCents": ${a.balanceCents}}`);
  const practices = [...tb.practiceTotals].map(([id, total]) => `    {"practiceId": ${JSON.stringify(id)}, "totalCents": ${total}}`);
  return `{\n  "asOf": ${JSON.stringify(tb.asOf)},\n  "practiceId": ${JSON.stringify(tb.practiceId)},\n` +
    `  "accounts": [${rows.length ? `\n${rows.join(',\n')}\n  ` : ''}],\n` +
    `  "practices": [${practices.length ? `\n${practices.join(',\n')}\n  ` : ''}],\n  "totalCents": ${tb.totalCents}\n}\n`;
}

function accountsTable(title: string, accounts: TrialBalance['accounts'], totalCents: bigint): string[] {
  const rows = accounts.map((a) => [a.kind, a.payerId ?? '', a.patientId ?? '', formatDecimal(a.balanceCents)]);
  const header = ['ACCOUNT', 'PAYER', 'PATIENT', 'BALANCE'];
  const footer = ['TOTAL', '', '', formatDecimal(totalCents)];
  const all = [header, ...rows, footer];
  const widths = header.map((_, i) => Math.max(...all.map((r) => r[i]!.length)));
  const line = (r: string[]): string => r.map((c, i) => (i === 3 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ');
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [title, '', line(header), rule, ...rows.map(line), rule, line(footer)];
}

/**
 * A table for people: text columns left-aligned, amounts right-aligned with two decimals. One table per
 * practice, each with its total; the books of the practice 'default' alone keep the single-practice title.
 */
export function trialBalanceTable(tb: TrialBalance): string {
  const when = tb.asOf === null ? '(all entries)' : `as of ${tb.asOf}`;
  const practices = [...tb.practiceTotals.keys()];
  if (practices.length === 0 || (practices.length === 1 && practices[0] === DEFAULT_PRACTICE && tb.practiceId === null)) {
    return accountsTable(`Trial balance ${when}`, tb.accounts, tb.totalCents).join('\n') + '\n';
  }
  const out: string[] = [];
  for (const id of practices) {
    if (out.length > 0) out.push('');
    out.push(...accountsTable(`Trial balance of practice ${id} ${when}`, tb.accounts.filter((a) => a.practiceId === id), tb.practiceTotals.get(id)!));
  }
  if (practices.length > 1) out.push('', `All practices: ${practices.length}, total ${formatDecimal(tb.totalCents)}`);
  return out.join('\n') + '\n';
}

function parse(args: string[]) {
  try {
    return parseArgs({ args, allowPositionals: true, strict: true, options: { 'as-of': { type: 'string' }, practice: { type: 'string' }, ...JSON_OPTION } });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

async function runBalances(positionals: string[], values: { 'as-of'?: string; practice?: string; json?: boolean }, ctx: CommandContext): Promise<number> {
  if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`);
  const asOf = values['as-of'];
  if (asOf !== undefined && !isIsoDate(asOf)) throw new UsageError(`--as-of ${asOf}: expected a date YYYY-MM-DD`);
  const db = await openDatabase({ migrate: true, logger: ctx.logger });
  try {
    const tb = await balances(db, { ...(asOf !== undefined && { asOf }), ...(values.practice !== undefined && { practiceId: values.practice }) });
    ctx.stdout.write(values.json ? trialBalanceJson(tb) : trialBalanceTable(tb));
    return ExitCode.ok;
  } finally {
    await db.close();
  }
}

async function runPost(positionals: string[], values: { 'as-of'?: string; practice?: string; json?: boolean }, ctx: CommandContext): Promise<number> {
  if (positionals.length !== 1) throw new UsageError('post takes exactly one batch file');
  if (values['as-of'] !== undefined) throw new UsageError('--as-of applies to balances only');
  if (values.practice !== undefined) throw new UsageError('--practice applies to balances only: a batch file names its practice ("practiceId")');
  const file = positionals[0]!;
  const batch = parsePostingBatchFile(await fs.readFile(file, 'utf8'), file);
  const lines = batch.entries.reduce((n, e) => n + e.lines.length, 0);
  const db = await openDatabase({ migrate: true, logger: ctx.logger, actAs: 'pipeline' });
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
