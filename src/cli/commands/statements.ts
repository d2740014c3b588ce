// `claims statements --as-of DATE [--out DIR]`: run the patient statement cycle for a date (see
// src/statements/run.ts). Prints what was issued, held and is due for refund; exits 0 when done.
import fs from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { type Command, type CommandContext, UsageError } from '../command.ts';
import { checkPracticeOption } from '../../runtime/practices.ts';
import { openDatabase } from '../../runtime/database.ts';
import { config } from '../../runtime/config.ts';
import { ExitCode } from '../../common/errors.ts';
import { formatUsd } from '../../common/money.ts';
import { isIsoDate } from '../../common/dates.ts';
import { parseStatementSettings, type StatementSettings } from '../../statements/settings.ts';
import { heldReportCsv, heldStatementsOn, refundReportCsv, runStatements, type StatementRunResult } from '../../statements/run.ts';
import { OWNER_ONLY_DIR, writeOwnerOnly } from '../../common/files.ts';
import { JSON_OPTION, jsonHelpLine, writeJson } from '../json-output.ts';

const HELP = `Usage: claims statements --as-of DATE [--out DIR] [--settings FILE] [--account NUMBER]... [--no-single-pdfs | --csv-only] [--json]

  Runs the patient statement cycle for DATE: moves a silent secondary's share to the patient after the
  timeout, applies credits to new balances, writes off small balances, then issues one statement per
  guarantor account that is due one (every 30 days, 3 statements then a final notice, by default; a plan
  in good standing gets plan statements instead). Writes a PDF per statement, batch PDFs and the
  print-vendor CSV to DIR, refunds-DATE.csv when credits are due for refund, and held-DATE.csv
  listing statements held (address, returned mail, figures) and provisional patients' balances. Running the same date
  again issues nothing new. Statements for an address that cannot be mailed are held and listed.

Options:
  --as-of DATE       Statement date, YYYY-MM-DD (default: today, or CLAIMS_NOW).
  --out DIR          Output folder (default: CLAIMS_HOME/statements).
  --settings FILE    JSON statement settings (cycle, thresholds, practice details); see src/statements/settings.ts.
  --account NUMBER   Only this guarantor account (repeatable).
  --practice ID      Only this practice's accounts (each practice's statements carry its own letterhead:
                     settings "practices", else "practice").
  --no-single-pdfs   Write only the batch PDFs and the CSV, not one PDF per statement.
  --csv-only         Write only the print-vendor CSV (for a vendor that composes its own pages).
${jsonHelpLine(19)}
  -h, --help

Examples:
  claims statements --as-of 2025-03-01 --out out/statements
  claims statements --as-of 2025-03-01 --account G-1001 --json
`;

export async function loadSettingsFile(file: string | undefined): Promise<StatementSettings> {
  if (!file) return parseStatementSettings({});
  const text = await fs.readFile(file, 'utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`--settings ${file}: not JSON (${(err as Error).message})`);
  }
  return parseStatementSettings(json);
}

function resultText(r: StatementRunResult): string {
  const lines = [`Statements for ${r.asOf}: ${r.accounts} accounts, ${r.issued.length} issued, ${r.held.length} held`];
  for (const s of r.issued) lines.push(`  issued ${s.accountNumber} ${s.kind} ${formatUsd(s.amountDueCents)} ${s.pdfFile}`);
  for (const h of r.held) lines.push(`  held   ${h.accountNumber} (${h.reason}) ${formatUsd(h.amountDueCents)}`);
  for (const p of r.provisional) lines.push(`  held   ${p.patientId} (provisional patient) ${formatUsd(p.amountCents)}`);
  for (const f of r.refundsDue) lines.push(`  refund ${f.accountNumber} ${formatUsd(f.amountCents)} (credit since ${f.creditSince})`);
  const l = r.ledger;
  lines.push(`  ledger: ${l.timeouts} secondary timeouts, ${l.timeoutsUndone} undone, ${l.creditsApplied} credits applied, ${l.smallBalances} small balances written off`);
  for (const f of r.files) lines.push(`  wrote ${f}`);
  return lines.join('\n') + '\n';
}

async function run(args: string[], ctx: CommandContext): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      options: {
        'as-of': { type: 'string' }, out: { type: 'string' }, settings: { type: 'string' },
        account: { type: 'string', multiple: true }, practice: { type: 'string' }, ...JSON_OPTION, 'no-single-pdfs': { type: 'boolean', default: false }, 'csv-only': { type: 'boolean', default: false },
      },
      allowPositionals: false,
      strict: true,
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const asOf = parsed.values['as-of'] ?? ctx.clock.today();
  if (!isIsoDate(asOf)) throw new UsageError(`--as-of ${asOf}: expected YYYY-MM-DD`);
  const settings = await loadSettingsFile(parsed.values.settings);
  const outDir = path.resolve(parsed.values.out ?? path.join(config().home, 'statements'));
  const db = await openDatabase({ migrate: true, logger: ctx.logger, actAs: 'pipeline' });
  try {
    const practiceId = await checkPracticeOption(db.pool, parsed.values.practice);
    const result = await runStatements(db.pool, {
      asOf, outDir, settings, logger: ctx.logger, signal: ctx.signal, perStatementPdf: !parsed.values['no-single-pdfs'], batchPdf: !parsed.values['csv-only'],
      ...(parsed.values.account && { accounts: parsed.values.account }),
      ...(practiceId !== undefined && { practiceId }),
    });
    await fs.mkdir(outDir, { recursive: true, mode: OWNER_ONLY_DIR });
    if (result.refundsDue.length > 0) {
      const file = path.join(outDir, `refunds-${asOf}.csv`);
      await writeOwnerOnly(file, refundReportCsv(result.refundsDue), { replace: true });
      result.files.push(file);
    }
    const held = await heldStatementsOn(db.pool, asOf);
    if (held.length > 0 || result.provisional.length > 0) {
      const file = path.join(outDir, `held-${asOf}.csv`);
      await writeOwnerOnly(file, heldReportCsv(held, result.provisional), { replace: true });
      result.files.push(file);
    }
    if (parsed.values.json) writeJson(ctx, result);
    else ctx.stdout.write(resultText(result));
  } finally {
    await db.close();
  }
  return ExitCode.ok;
}

export const statementsCommand: Command = {
  name: 'statements',
  summary: 'Issue patient statements for a date (PDFs, batch PDF, print-vendor CSV)',
  help: HELP,
  run,
};
