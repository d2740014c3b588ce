// `claims plans add|import`: create payment plans from the command line or from a plans file (CSV or
// NDJSON: account, amount, installments, start, frequency). Idempotent: the same file or the same command
// again creates nothing new.
import fs from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { type Command, type CommandContext, UsageError } from '../command.ts';
import { openDatabase } from '../../runtime/database.ts';
import { ExitCode, formatLocation } from '../../common/errors.ts';
import { isIsoDate } from '../../common/dates.ts';
import { cancelPlan, createPlan, importPlansText, planFields } from '../../patients/plans-store.ts';
import { formatUsd } from '../../common/money.ts';
import { JSON_OPTION, takeJsonFlag, writeJson } from '../json-output.ts';

const HELP = `Usage: claims plans add ACCOUNT --amount AMOUNT --installments N --start DATE [--frequency F] [--created-on DATE] [--json]
       claims plans import FILE... [--json]
       claims plans cancel ACCOUNT [--date DATE] [--json]

  add      Create a payment plan for a guarantor account: AMOUNT split into N installments (the last takes
           the remainder), the first due on DATE, then every week, two weeks or month (default monthly).
           Payments from --created-on (default today) count toward it.
  import   Create the plans in a plans file: CSV with a header row or NDJSON, fields account, amount,
           installments, start, frequency (and optionally created_on). Bad rows are rejected one by one.
  cancel   End the account's current plan from DATE (default today): the dunning cycle resumes from then,
           as after a default. Cancelling a cancelled plan changes nothing.

A plan in good standing stops the dunning cycle; missed installments (2 by default) default it.
--json prints one JSON document instead of text (amounts as integer cents: "totalCents": 30000 is $300.00).
Exit codes: 0 done, 1 failed, 2 usage, 3 some rows were rejected.

Examples:
  claims plans add G-1001 --amount 300.00 --installments 3 --start 2025-04-01
  claims plans import samples/plans/plans.csv
`;

async function add(args: string[], ctx: CommandContext): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      options: { amount: { type: 'string' }, installments: { type: 'string' }, start: { type: 'string' }, frequency: { type: 'string' }, 'created-on': { type: 'string' }, ...JSON_OPTION },
      allowPositionals: true,
      strict: true,
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const [account] = parsed.positionals;
  if (!account) throw new UsageError('name an ACCOUNT');
  const createdOn = parsed.values['created-on'] ?? ctx.clock.today();
  if (!isIsoDate(createdOn)) throw new UsageError(`--created-on ${createdOn}: expected YYYY-MM-DD`);
  const fields = planFields({ account, amount: parsed.values.amount, installments: parsed.values.installments, start: parsed.values.start, frequency: parsed.values.frequency });
  const planKey = `command:${fields.accountNumber}:${fields.totalCents}:${fields.installments}:${fields.startOn}:${fields.frequency}:${createdOn}`;
  const db = await openDatabase({ migrate: true, logger: ctx.logger, actAs: 'pipeline' });
  try {
    const r = await createPlan(db.pool, { ...fields, createdOn, planKey });
    if (parsed.values.json) writeJson(ctx, { planId: r.planId, outcome: r.outcome, ...fields, createdOn });
    else ctx.stdout.write(`plan ${r.planId} ${r.outcome}: ${fields.accountNumber} ${formatUsd(fields.totalCents)} in ${fields.installments} ${fields.frequency} installments from ${fields.startOn}\n`);
  } finally {
    await db.close();
  }
  return ExitCode.ok;
}

async function importFiles(args: string[], ctx: CommandContext): Promise<number> {
  const { json, rest: files } = takeJsonFlag(args);
  const unknown = files.find((a) => a.startsWith('-'));
  if (unknown) throw new UsageError(`unknown option ${unknown}`);
  if (files.length === 0) throw new UsageError('name at least one FILE');
  const db = await openDatabase({ migrate: true, logger: ctx.logger, actAs: 'pipeline' });
  let exit: number = ExitCode.ok;
  const results: Record<string, unknown>[] = [];
  try {
    for (const file of files) {
      const text = await fs.readFile(file, 'utf8');
      const fileName = path.basename(file);
      const r = await importPlansText(db.pool, text, fileName, ctx.clock.today());
      const counts = { created: r.created, duplicate: r.duplicate, rejected: r.rejected.length };
      if (r.rejected.length > 0) exit = ExitCode.rejected;
      if (json) {
        results.push({ file: fileName, sha256: r.fileSha256, created: r.created, duplicate: r.duplicate, rejected: r.rejected.map((e) => e.toJSON()) });
        continue;
      }
      for (const e of r.rejected) ctx.stdout.write(`  ${e.code}: ${e.message} (${formatLocation(e.location)})\n`);
      ctx.stdout.write(`${fileName}: ${counts.created} created, ${counts.duplicate} duplicate, ${counts.rejected} rejected\n`);
    }
  } finally {
    await db.close();
  }
  if (json) writeJson(ctx, { files: results });
  return exit;
}

async function cancel(args: string[], ctx: CommandContext): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args, options: { date: { type: 'string' }, ...JSON_OPTION }, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const [account] = parsed.positionals;
  if (!account) throw new UsageError('name an ACCOUNT');
  const date = parsed.values.date ?? ctx.clock.today();
  if (!isIsoDate(date)) throw new UsageError(`--date ${date}: expected YYYY-MM-DD`);
  const db = await openDatabase({ migrate: true, logger: ctx.logger, actAs: 'pipeline' });
  try {
    const r = await cancelPlan(db.pool, account, date);
    if (parsed.values.json) writeJson(ctx, { accountNumber: account, date, ...r });
    else ctx.stdout.write(r.outcome === 'cancelled'
      ? `plan ${r.planId} of ${account} cancelled from ${date}: the dunning cycle resumes\n`
      : r.outcome === 'already_cancelled' ? `plan ${r.planId} of ${account} was already cancelled (from ${r.cancelledOn}); nothing changed\n`
        : `${account} has no plan agreed on or before ${date}; nothing changed\n`);
  } finally {
    await db.close();
  }
  return ExitCode.ok;
}

async function run(args: string[], ctx: CommandContext): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === 'add') return add(rest, ctx);
  if (sub === 'import') return importFiles(rest, ctx);
  if (sub === 'cancel') return cancel(rest, ctx);
  throw new UsageError(sub ? `unknown subcommand '${sub}'` : 'name a subcommand: add, import or cancel');
}

export const plansCommand: Command = {
  name: 'plans',
  summary: 'Create patient payment plans from the command line or a plans file',
  help: HELP,
  run,
};
