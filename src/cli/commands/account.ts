// `claims account ACCOUNT [--json]`: one guarantor account: ledger history, claims and their states,
// statements sent, plan, credits, and why the next statement is or is not due. Subcommands
// (`claims account ACCOUNT SUBCOMMAND ...`) are registered in `accountSubcommands`, so other areas
// (disputes, financial assistance, collections) add theirs without touching the view.
import path from 'node:path';
import { parseArgs } from 'node:util';
import type pg from 'pg';
import { loadPipeline } from '../../pipeline/pipeline-load.ts';
import { stages } from '../../pipeline/stages/index.ts';
import { parseStatementSettings, type StatementSettings } from '../../statements/settings.ts';
import { type Command, type CommandContext, UsageError } from '../command.ts';
import { config } from '../../runtime/config.ts';
import { openDatabase } from '../../runtime/database.ts';
import { recordAudit } from '../../runtime/audit.ts';
import { ClaimsError, ExitCode } from '../../common/errors.ts';
import { isIsoDate } from '../../common/dates.ts';
import { accountViewDocument, accountViewText, loadAccountView } from '../../statements/account-history.ts';
import { loadSettingsFile } from './statements.ts';
import { recordRefund } from '../../patients/refunds.ts';
import { formatUsd, parseCents } from '../../common/money.ts';
import { JSON_OPTION, jsonHelpLine, writeJson } from '../json-output.ts';

export interface AccountSubcommand {
  name: string;
  summary: string;
  run(accountNumber: string, args: string[], ctx: CommandContext): Promise<number>;
}

const REFUND_HELP = `Usage: claims account ACCOUNT refund --amount AMOUNT --reference REF [--date DATE] [--json]

  Records a refund paid out of the account's credit (the refund report lists credits due back): the
  amount leaves the patient credit and cash, once per REF (the check number or card-refund id). The same
  command again changes nothing; the same REF with another amount, date or account is refused, and so is
  a refund larger than the credit.

Options:
  --amount AMOUNT   Refunded amount (e.g. 10.00).
  --reference REF   Check number or card-refund id.
  --date DATE       Day the refund was paid (default: today, or CLAIMS_NOW).
${jsonHelpLine(18)}
`;

async function refund(accountNumber: string, args: string[], ctx: CommandContext): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args, options: { amount: { type: 'string' }, reference: { type: 'string' }, date: { type: 'string' }, help: { type: 'boolean', short: 'h' }, ...JSON_OPTION }, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (parsed.values.help) {
    ctx.stdout.write(REFUND_HELP);
    return ExitCode.ok;
  }
  const { amount, reference } = parsed.values;
  if (!amount) throw new UsageError('refund needs --amount');
  if (!reference) throw new UsageError('refund needs --reference');
  const date = parsed.values.date ?? ctx.clock.today();
  if (!isIsoDate(date)) throw new UsageError(`--date ${date}: expected YYYY-MM-DD`);
  const amountCents = parseCents(amount.trim().replace(/^\$/, ''), { field: 'amount' });
  const db = await openDatabase({ migrate: true, logger: ctx.logger, actAs: 'pipeline' });
  try {
    const r = await recordRefund(db.pool, { accountNumber, amountCents, date, reference });
    if (r.outcome === 'posted') await recordAudit(db.pool, { command: 'account refund', action: 'write', accounts: [accountNumber] });
    const what = r.outcome === 'posted' ? 'recorded' : 'already recorded';
    if (parsed.values.json) writeJson(ctx, { accountNumber, reference, date, amountCents, outcome: r.outcome, creditLeftCents: r.creditLeftCents });
    else ctx.stdout.write(`refund ${reference} ${what}: ${formatUsd(amountCents)} from account ${accountNumber} on ${date}; credit left ${formatUsd(r.creditLeftCents)}\n`);
  } finally {
    await db.close();
  }
  return ExitCode.ok;
}

/** Subcommands of `claims account ACCOUNT`; `show` (the default) is the view below. */
export const accountSubcommands: AccountSubcommand[] = [
  { name: 'refund', summary: 'Record a refund paid out of the account\'s credit (once per --reference)', run: refund },
];

/**
 * Extra sections of the account view, from other areas (collections: why the account was or was not
 * referred). Shown after the view in text, and as a top-level key of the JSON. `null`: nothing to show.
 */
export interface AccountViewSection {
  name: string;
  title: string;
  load(pool: pg.Pool, accountNumber: string, asOf: string, options: AccountViewOptions): Promise<{ json: unknown; text: string[] } | null>;
}

/** What the view was asked with: a pipeline's stage settings (`--pipeline`), so it decides as that pipeline's runs do. */
export interface AccountViewOptions {
  /** The settings a named stage has in the pipeline (parsed by the stage's schema), or undefined (defaults apply). */
  stageSettings(name: string): Record<string, unknown> | undefined;
  /** Resolves a path written in the pipeline file (relative to it). */
  resolvePath(relative: string): string;
}
export const accountViewSections: AccountViewSection[] = [];

const HELP = `Usage: claims account ACCOUNT [--as-of DATE] [--pipeline FILE | --settings FILE] [--json]
       claims account ACCOUNT SUBCOMMAND [OPTIONS]

  Shows one guarantor account: its ledger history, its claims and the state of each (with a payer,
  waiting for the next payer, or the patient's), statements sent or held, payment plan and its standing,
  credit, pending ledger moves, and why the next statement is or is not due (the rule and the dates).

Options:
  --as-of DATE      Evaluate as of DATE (default: today, or CLAIMS_NOW).
  --pipeline FILE   Decide with the settings of this pipeline's statements and referrals stages (cycle,
                    thresholds, referral minimum and days, agencies), as its runs do.
  --settings FILE   Statement settings (cycle, thresholds), as for \`claims statements\`; referrals use
                    their defaults.
${jsonHelpLine(18)}
  -h, --help

Examples:
  claims account G-1001
  claims account G-1001 --as-of 2025-04-01 --json
  claims account A00000005 --as-of 2024-07-31 --pipeline pipelines/demo.json
  claims account G-1001 refund --amount 10.00 --reference CHK-20417
`;

async function show(accountNumber: string, args: string[], ctx: CommandContext): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args, options: { 'as-of': { type: 'string' }, settings: { type: 'string' }, pipeline: { type: 'string' }, ...JSON_OPTION }, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const asOf = parsed.values['as-of'] ?? ctx.clock.today();
  if (!isIsoDate(asOf)) throw new UsageError(`--as-of ${asOf}: expected YYYY-MM-DD`);
  if (parsed.values.settings && parsed.values.pipeline) throw new UsageError('give --pipeline or --settings, not both');
  const { settings, options } = parsed.values.pipeline
    ? await pipelineOptions(parsed.values.pipeline)
    : { settings: await loadSettingsFile(parsed.values.settings), options: NO_PIPELINE };
  const db = await openDatabase({ migrate: true, logger: ctx.logger, actAs: 'pipeline' });
  try {
    const view = await loadAccountView(db.pool, accountNumber, asOf, settings);
    if (!view) throw new ClaimsError({ code: 'ACCOUNT_UNKNOWN', message: `no guarantor account ${accountNumber}`, found: accountNumber });
    await recordAudit(db.pool, { command: 'account', action: 'read', accounts: [accountNumber] });
    const sections: [AccountViewSection, { json: unknown; text: string[] }][] = [];
    for (const section of accountViewSections) {
      const value = await section.load(db.pool, accountNumber, asOf, options);
      if (value) sections.push([section, value]);
    }
    if (parsed.values.json) {
      const json = accountViewDocument(view);
      for (const [section, value] of sections) json[section.name] = value.json;
      writeJson(ctx, json);
    } else {
      ctx.stdout.write(accountViewText(view) + sections.map(([section, value]) => `\n${section.title}:\n${value.text.join('\n')}\n`).join(''));
    }
  } finally {
    await db.close();
  }
  return ExitCode.ok;
}

const NO_PIPELINE: AccountViewOptions = { stageSettings: () => undefined, resolvePath: (p) => p };

/** The statements stage's settings less its own keys (PDF and plans-file options) are statement settings. */
async function pipelineOptions(file: string): Promise<{ settings: StatementSettings; options: AccountViewOptions }> {
  const pipeline = await loadPipeline(file, stages, { home: config().home });
  const byName = new Map(pipeline.definition.stages.map((s) => [s.name, (s.settings ?? {}) as Record<string, unknown>]));
  const statements = byName.get('statements');
  const base = path.dirname(pipeline.file);
  let settings: StatementSettings;
  if (statements) {
    // Already parsed by the stage's schema (defaults filled, cents as bigint), as the stage runs with it.
    const { singlePdfs: _pdfs, plansPatterns: _plans, ...statementSettings } = statements;
    settings = statementSettings as unknown as StatementSettings;
  } else {
    settings = parseStatementSettings({});
  }
  return {
    settings,
    options: { stageSettings: (name) => byName.get(name), resolvePath: (p) => path.resolve(base, p) },
  };
}

async function run(args: string[], ctx: CommandContext): Promise<number> {
  const [accountNumber, maybeSub, ...rest] = args;
  if (!accountNumber || accountNumber.startsWith('-')) throw new UsageError('name an ACCOUNT');
  const sub = maybeSub && !maybeSub.startsWith('-') ? accountSubcommands.find((s) => s.name === maybeSub) : undefined;
  if (maybeSub && !maybeSub.startsWith('-') && !sub) throw new UsageError(`unknown subcommand '${maybeSub}'`);
  if (sub) return sub.run(accountNumber, rest, ctx);
  return show(accountNumber, maybeSub ? [maybeSub, ...rest] : rest, ctx);
}

export const accountCommand: Command = {
  name: 'account',
  summary: 'Show a guarantor account: each payer\'s turn on its claims, ledger, statements, plan, credit, next statement',
  get help() {
    const subs = accountSubcommands.map((s) => `  ${s.name.padEnd(12)} ${s.summary}`);
    return subs.length ? `${HELP}\nSubcommands:\n${subs.join('\n')}\n` : HELP;
  },
  run,
};
