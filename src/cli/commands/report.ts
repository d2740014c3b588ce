// `claims report NAME`: analyst reports, each a sub-report in the registry below. To add one (e.g.
// `eligibility`), write a SubReport and add one entry to `reports`.
import { parseArgs } from 'node:util';
import { type Command, type CommandContext, UsageError } from '../command.ts';
import { openDatabase, type Database } from '../../runtime/database.ts';
import { checkPracticeOption, loadPracticeDirectory } from '../../runtime/practices.ts';
import { recordAudit } from '../../runtime/audit.ts';
import { ExitCode } from '../../common/errors.ts';
import { remittanceReport, remittanceTable, unmatchedReport, unmatchedTable } from '../../remittances/reports.ts';
import { eligibilityReport, eligibilityTable } from '../../eligibility/report.ts';
import { eligibilityScope } from '../../eligibility/practice-scope.ts';
import { JSON_OPTION, jsonHelpLine, writeJson } from '../json-output.ts';
import { followUpCsv, followUpReport } from '../../statements/follow-up.ts';
import { creditBalanceCsv, creditBalanceReport } from '../../remittances/credit-balances.ts';

export interface ReportOptions {
  json: boolean;
  from?: string;
  to?: string;
  /** One practice's rows (checked against the registry). */
  practice?: string;
  /** The day a report is as of (follow-up; default today). */
  asOf?: string;
}

export interface SubReport {
  name: string;
  summary: string;
  /** Writes the report to ctx.stdout; returns the exit code. */
  run(db: Database, opts: ReportOptions, ctx: CommandContext): Promise<number>;
}

export const reports: SubReport[] = [
  {
    name: 'remittances',
    summary: 'per remittance: BPR02, claim payments, PLB total, balanced, matched/unmatched claims, posted or quarantined',
    async run(db, opts, ctx) {
      const rows = await remittanceReport(db.pool, { ...(opts.from && { from: opts.from }), ...(opts.to && { to: opts.to }), ...(opts.practice && { practice: opts.practice }) });
      if (opts.json) writeJson(ctx, rows);
      else ctx.stdout.write(remittanceTable(rows));
      return ExitCode.ok;
    },
  },
  {
    name: 'unmatched',
    summary: 'claims paid on an 835 that this system never submitted, under provisional patients awaiting an analyst',
    async run(db, opts, ctx) {
      const rows = await unmatchedReport(db.pool, opts.practice);
      if (opts.json) writeJson(ctx, rows);
      else ctx.stdout.write(unmatchedTable(rows));
      return ExitCode.ok;
    },
  },
  {
    name: 'eligibility',
    summary: 'current 271s needing attention: inactive or ended coverage, AAA rejections (with what to do), unmatched people, and 270s for visits ahead that no 271 has answered',
    async run(db, opts, ctx) {
      const scope = opts.practice === undefined ? undefined : eligibilityScope(await loadPracticeDirectory(db.pool), opts.practice);
      const rows = await eligibilityReport(db.pool, ctx.clock.today(), scope);
      await recordAudit(db.pool, { command: 'report eligibility', action: 'read', ...(opts.practice !== undefined && { practice: opts.practice }) });
      if (opts.json) writeJson(ctx, rows);
      else ctx.stdout.write(eligibilityTable(rows));
      return ExitCode.ok;
    },
  },
  {
    name: 'follow-up',
    summary: 'claims whose current payer has not answered (never billed to the patient for it unless the payer opts in): days waiting, amount, timely-filing deadline; CSV',
    async run(db, opts, ctx) {
      const rows = await followUpReport(db.pool, opts.asOf ?? ctx.clock.today(), opts.practice);
      if (opts.json) writeJson(ctx, rows);
      else ctx.stdout.write(followUpCsv(rows));
      return ExitCode.ok;
    },
  },
  {
    name: 'credit-balances',
    summary: 'money owed back to payers per claim (a void or replacement after payment, an overpayment): amount, identified on, refund due by, days left; CSV',
    async run(db, opts, ctx) {
      const rows = await creditBalanceReport(db.pool, { asOf: opts.asOf ?? ctx.clock.today(), ...(opts.practice !== undefined && { practice: opts.practice }) });
      if (opts.json) writeJson(ctx, rows);
      else ctx.stdout.write(creditBalanceCsv(rows));
      return ExitCode.ok;
    },
  },
];

function help(): string {
  const width = Math.max(...reports.map((r) => r.name.length));
  return `Usage: claims report NAME [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--practice ID] [--json]

Reports:
${reports.map((r) => `  ${r.name.padEnd(width)}  ${r.summary}`).join('\n')}

Options:
  --from, --to  Limit to payment dates in this range, inclusive (reports that have dates).
  --as-of DATE  follow-up, credit-balances: as of this day (default today).
  --practice ID One practice's rows; without it, every practice's. Remittances: posted to its books, or
                quarantined with its payee; unmatched: claims its remittances paid; eligibility: 271s of
                its patients (unmatched ones and 270s by its provider NPIs, an NPI no practice has by
                the member ids on its coverages).
${jsonHelpLine(14)}
  -h, --help

Examples:
  claims report remittances --from 2024-03-01 --to 2024-03-31
  claims report unmatched --json
  claims report eligibility --practice riverside
  claims report follow-up --as-of 2024-06-30 --practice riverside
  claims report credit-balances --as-of 2024-04-15 --json
`;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

async function run(args: string[], ctx: CommandContext): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args, options: { ...JSON_OPTION, from: { type: 'string' }, to: { type: 'string' }, practice: { type: 'string' }, 'as-of': { type: 'string' } }, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const [name, ...extra] = parsed.positionals;
  const report = reports.find((r) => r.name === name);
  if (!report) throw new UsageError(name === undefined ? `name a report: ${reports.map((r) => r.name).join(', ')}` : `unknown report '${name}'`);
  if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0]}'`);
  for (const k of ['from', 'to', 'as-of'] as const) {
    const v = parsed.values[k];
    if (v !== undefined && !DATE.test(v)) throw new UsageError(`--${k} must be YYYY-MM-DD, got '${v}'`);
  }
  const db = await openDatabase({ migrate: true, logger: ctx.logger });
  try {
    const practice = await checkPracticeOption(db.pool, parsed.values.practice);
    return await report.run(db, {
      json: parsed.values.json === true, ...(parsed.values.from && { from: parsed.values.from }), ...(parsed.values.to && { to: parsed.values.to }),
      ...(parsed.values['as-of'] && { asOf: parsed.values['as-of'] }),
      ...(practice !== undefined && { practice }),
    }, ctx);
  } finally {
    await db.close();
  }
}

export const reportCommand: Command = {
  name: 'report',
  summary: 'Analyst reports: remittances, unmatched, eligibility, follow-up, credit-balances (--practice for one practice)',
  get help() {
    return help();
  },
  run,
};
