// `claims referrals --as-of DATE [--out DIR] [--practice ID]`: the collections run (src/collections/run.ts): balance updates and
// recalls for accounts with an agency, new placements, 501(r) notices, the files to each agency. Also
// `claims referrals recall ACCOUNT` and `claims referrals returns FILE`; and, through the account command's
// registries, `claims account ACCOUNT dispute|assistance|resolve|flag` and the account view's referral section.
import fs from 'node:fs/promises';
import path from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { type Command, type CommandContext, UsageError } from '../command.ts';
import { accountSubcommands, accountViewSections } from './account.ts';
import { openDatabase } from '../../runtime/database.ts';
import { checkPracticeOption } from '../../runtime/practices.ts';
import { config } from '../../runtime/config.ts';
import { sha256Hex } from '../../common/content-hash.ts';
import { ClaimsError, ExitCode } from '../../common/errors.ts';
import { formatUsd } from '../../common/money.ts';
import { isIsoDate } from '../../common/dates.ts';
import { DEFAULT_PRACTICE } from '../../domain/practice.ts';
import { explainReferral, explanationText } from '../../collections/explain.ts';
import { openAccountHold, resolveAccountHolds } from '../../patients/holds.ts';
import { ingestReturnsText } from '../../collections/returns.ts';
import { ACCOUNT_FLAGS, clearAccountFlag, setAccountFlag } from '../../collections/flags.ts';
import { requestRecall, runReferrals, type ReferralRunResult } from '../../collections/run.ts';
import { referralSettingsOf } from '../../pipeline/stages/referrals.ts';
import { mergeAgenciesFile, parseReferralSettings, type ReferralSettings } from '../../collections/settings.ts';
import { JSON_OPTION, jsonHelpLine, writeJson } from '../json-output.ts';

const HELP = `Usage: claims referrals --as-of DATE [--out DIR] [--settings FILE] [--account NUMBER]... [--practice ID] [--json]
       claims referrals recall ACCOUNT --reason TEXT [--date DATE] [--json]
       claims referrals returns FILE [--json]

  Runs collections for DATE. Accounts with an agency first: payments and adjustments posted since placement
  are applied and listed in updates-AGENCY-DATE.csv; accounts paid to zero, disputed, in assistance review
  or recalled by command go in recalls-AGENCY-DATE.csv and their balance comes back. Then accounts past
  their final notice, 120 days (configurable) after the FIRST STATEMENT, at or over the minimum balance,
  without a plan in good standing, a dispute, an assistance review or a provisional patient, and never
  referred for this balance, are placed: placements-AGENCY-DATE.csv (owner-only; demographics, dates and
  balances, never diagnoses or procedure codes) and a ledger move to collections receivable. Non-profit
  mode (IRS 501(r)) writes eca-notices-DATE.csv and waits 30 days after it. Rerunning a date does nothing new.
  The creditor is the practice, not the billing office: each practice's rows go in files of their own,
  named placements-AGENCY-PRACTICE-DATE.csv (and so on) once practices are registered (\`claims practices\`),
  and placements carry the practice's name and tax id.

  recall    asks for an account's recall; the next run writes it and moves the balance back.
  returns   posts an agency's returns file (agency,account_number,referral_id,type,amount,date,reference;
            type PAYMENT or UNCOLLECTABLE): collections as cash, uncollectable accounts to bad debt.

Options:
  --as-of DATE       Run date, YYYY-MM-DD (default: today, or CLAIMS_NOW).
  --out DIR          Output folder (default: CLAIMS_HOME/referrals).
  --settings FILE    JSON referral settings (days, minimum, nonProfit, agencies or agenciesFile, practices); see src/collections/settings.ts.
  --account NUMBER   Only this guarantor account (repeatable).
  --practice ID      Only this practice's accounts (placed and new) and files (settings "practices" may
                     name the agencies each practice places with).
${jsonHelpLine(19)}
                     Also on recall, returns, and \`claims account ACCOUNT dispute|assistance|insurance|resolve|flag\`.

Examples:
  claims referrals --as-of 2025-06-01 --settings samples/agencies/referrals.json
  claims referrals --as-of 2025-06-01 --practice riverside
  claims referrals recall G-1001 --reason "patient called: paying the practice directly"
  claims account G-1001 dispute --reason "No Surprises Act dispute" --date 2025-05-02
`;

export async function loadReferralSettingsFile(file: string | undefined): Promise<ReferralSettings> {
  if (!file) return parseReferralSettings({});
  const read = async (f: string): Promise<unknown> => {
    try {
      return JSON.parse(await fs.readFile(f, 'utf8'));
    } catch (err) {
      throw new UsageError(`${f}: not readable JSON (${(err as Error).message})`);
    }
  };
  const raw = (await read(file)) as Record<string, unknown>;
  const agenciesFile = typeof raw.agenciesFile === 'string' ? path.resolve(path.dirname(file), raw.agenciesFile) : null;
  return parseReferralSettings(agenciesFile ? mergeAgenciesFile(raw, await read(agenciesFile)) : raw);
}

const ofPractice = (practiceId: string): string => (practiceId === DEFAULT_PRACTICE ? '' : ` (${practiceId})`);

function resultText(r: ReferralRunResult): string {
  const lines = [`Referrals for ${r.asOf}: ${r.candidates} candidates, ${r.placed.length} placed, ${r.updates.length} balance updates, ${r.recalls.length} recalls, ${r.notices.length} 501(r) notices`];
  for (const p of r.placed) lines.push(`  placed   ${p.accountNumber}${ofPractice(p.practiceId)} with ${p.agencyId}: ${formatUsd(p.amountCents)} (referral ${p.referralId})`);
  for (const u of r.updates) lines.push(`  update   ${u.accountNumber} ${u.kind} ${formatUsd(u.amountCents)}, balance ${formatUsd(u.balanceCents)}`);
  for (const c of r.recalls) lines.push(`  recalled ${c.accountNumber} (${c.reason}) ${formatUsd(c.amountCents)} back to the practice`);
  for (const n of r.notices) lines.push(`  notice   ${n.accountNumber}: no referral before ${n.ecaNotBefore}`);
  for (const [rule, n] of Object.entries(r.notReferred)) lines.push(`  not referred: ${n} ${rule}`);
  for (const f of r.files) lines.push(`  wrote ${f}`);
  return lines.join('\n') + '\n';
}

function parse(args: string[], options: NonNullable<ParseArgsConfig['options']>, positionals = false) {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: positionals });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

function dateOption(value: unknown, ctx: CommandContext, name: string): string {
  const date = typeof value === 'string' ? value : ctx.clock.today();
  if (!isIsoDate(date)) throw new UsageError(`--${name} ${date}: expected YYYY-MM-DD`);
  return date;
}

async function withDb<T>(ctx: CommandContext, fn: (pool: import('pg').Pool) => Promise<T>): Promise<T> {
  const db = await openDatabase({ migrate: true, logger: ctx.logger, actAs: 'pipeline' });
  try {
    return await fn(db.pool);
  } finally {
    await db.close();
  }
}

async function recall(args: string[], ctx: CommandContext): Promise<number> {
  const p = parse(args, { reason: { type: 'string' }, date: { type: 'string' }, ...JSON_OPTION }, true);
  const [account] = p.positionals;
  if (!account) throw new UsageError('recall names an ACCOUNT');
  const reason = p.values.reason;
  if (typeof reason !== 'string' || reason.trim() === '') throw new UsageError('recall needs --reason');
  const date = dateOption(p.values.date, ctx, 'date');
  const r = await withDb(ctx, (pool) => requestRecall(pool, account, date, reason));
  if (!r) throw new ClaimsError({ code: 'REFERRAL_NOT_ACTIVE', message: `account ${account} has no active referral (or its recall was asked for already)`, found: account });
  if (p.values.json) writeJson(ctx, { accountNumber: account, date, ...r });
  else ctx.stdout.write(`recall of ${account} from ${r.agencyId} (referral ${r.referralId}) recorded for ${date}; the next referrals run writes it\n`);
  return ExitCode.ok;
}

async function returns(args: string[], ctx: CommandContext): Promise<number> {
  const p = parse(args, { ...JSON_OPTION }, true);
  const [file] = p.positionals;
  if (!file) throw new UsageError('returns names a FILE');
  const bytes = await fs.readFile(file);
  const source = { sha256: sha256Hex(bytes), fileName: path.basename(file) };
  const r = await withDb(ctx, (pool) => ingestReturnsText(pool, bytes.toString('utf8'), source));
  if (p.values.json) writeJson(ctx, { file: source.fileName, ...r, rejected: r.rejected.map((e) => e.toJSON()) });
  else {
    ctx.stdout.write(`returns ${source.fileName}: ${r.posted} posted, ${r.duplicates} already posted, ${r.rejected.length} rejected; collected ${formatUsd(r.collectedCents)}, written off ${formatUsd(r.writtenOffCents)}\n`);
    for (const e of r.rejected) ctx.stdout.write(`  line ${e.location.line ?? '?'}: ${e.code} ${e.message}\n`);
  }
  return r.rejected.length > 0 ? ExitCode.rejected : ExitCode.ok;
}

async function run(args: string[], ctx: CommandContext): Promise<number> {
  if (args[0] === 'recall') return recall(args.slice(1), ctx);
  if (args[0] === 'returns') return returns(args.slice(1), ctx);
  const p = parse(args, { 'as-of': { type: 'string' }, out: { type: 'string' }, settings: { type: 'string' }, account: { type: 'string', multiple: true }, practice: { type: 'string' }, ...JSON_OPTION });
  const asOf = dateOption(p.values['as-of'], ctx, 'as-of');
  const settings = await loadReferralSettingsFile(p.values.settings as string | undefined);
  const outDir = path.resolve((p.values.out as string | undefined) ?? path.join(config().home, 'referrals'));
  const accounts = p.values.account as string[] | undefined;
  const result = await withDb(ctx, async (pool) => {
    const practiceId = await checkPracticeOption(pool, p.values.practice as string | undefined);
    return runReferrals(pool, { asOf, outDir, settings, logger: ctx.logger, signal: ctx.signal, ...(accounts && { accounts }), ...(practiceId !== undefined && { practiceId }) });
  });
  if (p.values.json) writeJson(ctx, result);
  else ctx.stdout.write(resultText(result));
  return ExitCode.ok;
}

export const referralsCommand: Command = {
  name: 'referrals',
  summary: 'Collections: place accounts with agencies, balance updates, recalls, agency returns',
  help: HELP,
  run,
};

// `claims account ACCOUNT dispute|assistance|resolve|flag`: holds freeze the statement cycle and referrals.
function holdCommand(kind: 'dispute' | 'assistance' | 'insurance') {
  return async (accountNumber: string, args: string[], ctx: CommandContext): Promise<number> => {
    const p = parse(args, { reason: { type: 'string' }, date: { type: 'string' }, ...JSON_OPTION });
    const reason = p.values.reason;
    if (typeof reason !== 'string' || reason.trim() === '') throw new UsageError(`${kind} needs --reason`);
    const openedOn = dateOption(p.values.date, ctx, 'date');
    const r = await withDb(ctx, (pool) => openAccountHold(pool, { accountNumber, kind, openedOn, reason, source: 'command' }));
    if (p.values.json) writeJson(ctx, { accountNumber, kind, openedOn, ...r });
    else ctx.stdout.write(r.status === 'opened'
      ? `${kind} opened on ${accountNumber} from ${openedOn}: statements and referrals are frozen; an account with an agency is recalled by the next referrals run\n`
      : `a ${kind} is already open on ${accountNumber} since ${r.openedOn} (${r.reason}); nothing changed\n`);
    return ExitCode.ok;
  };
}

async function resolve(accountNumber: string, args: string[], ctx: CommandContext): Promise<number> {
  const p = parse(args, { reason: { type: 'string' }, date: { type: 'string' }, kind: { type: 'string' }, ...JSON_OPTION });
  const reason = p.values.reason;
  if (typeof reason !== 'string' || reason.trim() === '') throw new UsageError('resolve needs --reason');
  const kind = p.values.kind;
  if (kind !== undefined && kind !== 'dispute' && kind !== 'assistance' && kind !== 'insurance') throw new UsageError('--kind is dispute, assistance or insurance');
  const resolvedOn = dateOption(p.values.date, ctx, 'date');
  const r = await withDb(ctx, (pool) => resolveAccountHolds(pool, { accountNumber, kind: kind ?? null, resolvedOn, resolution: reason }));
  if (p.values.json) writeJson(ctx, { accountNumber, resolvedOn, resolved: r });
  else ctx.stdout.write(r.length === 0 ? `no open hold on ${accountNumber}; nothing changed\n` : `resolved on ${resolvedOn}: ${r.map((h) => h.kind).join(', ')}; the cycle resumes\n`);
  return ExitCode.ok;
}

async function flag(accountNumber: string, args: string[], ctx: CommandContext): Promise<number> {
  const p = parse(args, { date: { type: 'string' }, note: { type: 'string' }, clear: { type: 'boolean', default: false }, ...JSON_OPTION }, true);
  const [name] = p.positionals;
  if (!name || !ACCOUNT_FLAGS.includes(name)) throw new UsageError(`flag is one of ${ACCOUNT_FLAGS.join(', ')}`);
  const date = dateOption(p.values.date, ctx, 'date');
  await withDb(ctx, (pool) => (p.values.clear ? clearAccountFlag(pool, accountNumber, name, date) : setAccountFlag(pool, accountNumber, name, date, (p.values.note as string | undefined) ?? null)));
  if (p.values.json) writeJson(ctx, { accountNumber, flag: name, outcome: p.values.clear ? 'cleared' : 'set', date });
  else ctx.stdout.write(`${name} ${p.values.clear ? 'cleared' : 'set'} on ${accountNumber} from ${date}\n`);
  return ExitCode.ok;
}

accountSubcommands.push(
  { name: 'dispute', summary: 'Open a dispute (--reason, --date): freezes statements and referrals; recalls from an agency', run: holdCommand('dispute') },
  { name: 'assistance', summary: 'Record a financial-assistance application (--reason, --date): pauses collections', run: holdCommand('assistance') },
  { name: 'insurance', summary: 'Insurance may still pay (new coverage reported, appeal in progress; --reason, --date): freezes statements and referrals; recalls from an agency', run: holdCommand('insurance') },
  { name: 'resolve', summary: 'Resolve the open dispute, application or insurance hold (--reason, --date, [--kind])', run: resolve },
  { name: 'flag', summary: 'Set or --clear an agency flag: deceased, bankruptcy (freezes statements and referrals, recalls from an agency), attorney, workers_comp, accident', run: flag },
);

accountViewSections.push({
  name: 'referral',
  title: 'Collections referral',
  async load(pool, accountNumber, asOf, options) {
    // As the pipeline's referrals stage would decide (its minimum, days, agencies), or with the defaults.
    const stageSettings = options.stageSettings('referrals');
    const settings = stageSettings
      ? await referralSettingsOf(stageSettings as Parameters<typeof referralSettingsOf>[0], options.resolvePath)
      : parseReferralSettings({});
    const x = await explainReferral(pool, accountNumber, asOf, settings);
    return x ? { json: x, text: explanationText(x) } : null;
  },
});
