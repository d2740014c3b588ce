// `claims plans add|import|cancel|list`: create payment plans from the command line or from a plans file (CSV
// or NDJSON: account, amount, installments, start, frequency), cancel one, list them. Idempotent: the same
// file or the same command again creates nothing new. `--practice` acts for one practice: its accounts only,
// another practice's refused (PLAN_ACCOUNT_OF_OTHER_PRACTICE). Every plan created, cancelled or listed is
// recorded in the audit trail, one row per practice.
import fs from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { type Command, type CommandContext, UsageError } from '../command.ts';
import { openDatabase, type Database } from '../../runtime/database.ts';
import { checkPracticeOption } from '../../runtime/practices.ts';
import { recordAudit } from '../../runtime/audit.ts';
import { ExitCode, formatLocation } from '../../common/errors.ts';
import { isIsoDate } from '../../common/dates.ts';
import { cancelPlan, createPlan, importPlansText, listPlans, planFields } from '../../patients/plans-store.ts';
import { formatUsd } from '../../common/money.ts';
import { JSON_OPTION, takeJsonFlag, writeJson } from '../json-output.ts';

const HELP = `Usage: claims plans add ACCOUNT --amount AMOUNT --installments N --start DATE [--frequency F] [--created-on DATE] [--practice ID] [--json]
       claims plans import FILE... [--practice ID] [--json]
       claims plans cancel ACCOUNT [--date DATE] [--practice ID] [--json]
       claims plans list [--practice ID] [--json]

  add      Create a payment plan for a guarantor account: AMOUNT split into N installments (the last takes
           the remainder), the first due on DATE, then every week, two weeks or month (default monthly).
           Payments from --created-on (default today) count toward it.
  import   Create the plans in a plans file: CSV with a header row or NDJSON, fields account, amount,
           installments, start, frequency (and optionally created_on). Bad rows are rejected one by one.
  cancel   End the account's current plan from DATE (default today): the dunning cycle resumes from then,
           as after a default. Cancelling a cancelled plan changes nothing.
  list     Every payment plan (practice, account, total, installments, start, frequency, agreed, cancelled).

--practice ID acts for one practice: list shows its plans only; add, cancel and each import row refuse a
guarantor account of another practice (PLAN_ACCOUNT_OF_OTHER_PRACTICE, naming the account and both
practices). Without it, every practice's.

A plan in good standing stops the dunning cycle; missed installments (2 by default) default it.
--json prints one JSON document instead of text (amounts as integer cents: "totalCents": 30000 is $300.00).
Exit codes: 0 done, 1 failed, 2 usage, 3 some rows were rejected.

Examples:
  claims plans add G-1001 --amount 300.00 --installments 3 --start 2025-04-01
  claims plans import samples/plans/plans.csv
  claims plans list --practice northwind --json
`;

const PRACTICE_OPTION = { practice: { type: 'string' } } as const;

/** Open the database as the pipeline and check --practice against the registry. */
async function openFor(practiceOption: string | undefined, ctx: CommandContext): Promise<{ db: Database; practice: string | undefined }> {
  const db = await openDatabase({ migrate: true, logger: ctx.logger, actAs: 'pipeline' });
  try {
    return { db, practice: await checkPracticeOption(db.pool, practiceOption) };
  } catch (err) {
    await db.close();
    throw err;
  }
}

async function add(args: string[], ctx: CommandContext): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      options: { amount: { type: 'string' }, installments: { type: 'string' }, start: { type: 'string' }, frequency: { type: 'string' }, 'created-on': { type: 'string' }, ...PRACTICE_OPTION, ...JSON_OPTION },
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
  const { db, practice } = await openFor(parsed.values.practice, ctx);
  try {
    const r = await createPlan(db.pool, { ...fields, createdOn, planKey, ...(practice !== undefined && { practiceId: practice }) });
    if (r.outcome === 'created') await recordAudit(db.pool, { command: 'plans add', action: 'write', accounts: [fields.accountNumber], ...(practice !== undefined && { practice }) });
    if (parsed.values.json) writeJson(ctx, { planId: r.planId, outcome: r.outcome, ...fields, createdOn });
    else ctx.stdout.write(`plan ${r.planId} ${r.outcome}: ${fields.accountNumber} ${formatUsd(fields.totalCents)} in ${fields.installments} ${fields.frequency} installments from ${fields.startOn}\n`);
  } finally {
    await db.close();
  }
  return ExitCode.ok;
}

async function importFiles(args: string[], ctx: CommandContext): Promise<number> {
  const { json, rest } = takeJsonFlag(args);
  let parsed;
  try {
    parsed = parseArgs({ args: rest, options: PRACTICE_OPTION, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const files = parsed.positionals;
  if (files.length === 0) throw new UsageError('name at least one FILE');
  const { db, practice } = await openFor(parsed.values.practice, ctx);
  let exit: number = ExitCode.ok;
  const results: Record<string, unknown>[] = [];
  try {
    for (const file of files) {
      const text = await fs.readFile(file, 'utf8');
      const fileName = path.basename(file);
      const r = await importPlansText(db.pool, text, fileName, ctx.clock.today(), practice);
      await recordAudit(db.pool, { command: 'plans import', action: 'write', accounts: r.accounts, ...(practice !== undefined && { practice }) });
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
    parsed = parseArgs({ args, options: { date: { type: 'string' }, ...PRACTICE_OPTION, ...JSON_OPTION }, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const [account] = parsed.positionals;
  if (!account) throw new UsageError('name an ACCOUNT');
  const date = parsed.values.date ?? ctx.clock.today();
  if (!isIsoDate(date)) throw new UsageError(`--date ${date}: expected YYYY-MM-DD`);
  const { db, practice } = await openFor(parsed.values.practice, ctx);
  try {
    const r = await cancelPlan(db.pool, account, date, practice);
    if (r.outcome === 'cancelled') await recordAudit(db.pool, { command: 'plans cancel', action: 'write', accounts: [account], ...(practice !== undefined && { practice }) });
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

async function list(args: string[], ctx: CommandContext): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args, options: { ...PRACTICE_OPTION, ...JSON_OPTION }, allowPositionals: false, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const { db, practice } = await openFor(parsed.values.practice, ctx);
  try {
    const plans = await listPlans(db.pool, practice);
    await recordAudit(db.pool, { command: 'plans list', action: 'read', accounts: plans.map((p) => p.accountNumber), ...(practice !== undefined && { practice }) });
    if (parsed.values.json) writeJson(ctx, { plans });
    else if (plans.length === 0) ctx.stdout.write('no payment plans\n');
    else {
      for (const p of plans) {
        ctx.stdout.write(`${p.practiceId}  ${p.accountNumber}  plan ${p.planId}  ${formatUsd(p.totalCents)} in ${p.installments} ${p.frequency} from ${p.startOn}, agreed ${p.createdOn}${p.cancelledOn === null ? '' : `, cancelled from ${p.cancelledOn}`}\n`);
      }
    }
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
  if (sub === 'list') return list(rest, ctx);
  throw new UsageError(sub ? `unknown subcommand '${sub}'` : 'name a subcommand: add, import, cancel or list');
}

export const plansCommand: Command = {
  name: 'plans',
  summary: 'Create, cancel and list patient payment plans (--practice for one practice)',
  help: HELP,
  run,
};
