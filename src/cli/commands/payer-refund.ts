// `claims payer-refund`: record a refund sent to a payer out of one claim's payer credit (the credit-balances
// report lists them with their refund deadline). Parses arguments and calls remittances/payer-refund.ts.
import { parseArgs } from 'node:util';
import { type Command, type CommandContext, UsageError } from '../command.ts';
import { openDatabase } from '../../runtime/database.ts';
import { checkPracticeOption } from '../../runtime/practices.ts';
import { ExitCode } from '../../common/errors.ts';
import { isIsoDate } from '../../common/dates.ts';
import { formatUsd, parseCents } from '../../common/money.ts';
import { creditPractices, recordPayerRefund } from '../../remittances/payer-refund.ts';
import { JSON_OPTION, jsonHelpLine, writeJson } from '../json-output.ts';

const HELP = `Usage: claims payer-refund --payer PAYER --claim CLAIM --amount AMOUNT --reference REF [--date DATE] [--practice ID] [--json]

  Records a refund sent to a payer out of a claim's payer credit (money owed back after a void, a replacement
  or an overpayment; \`claims report credit-balances\` lists them with the refund deadline): the amount leaves
  the payer credit and cash, once per payer and REF (the check number or refund id). The same REF again is
  a duplicate (exit 0, nothing posted); with another claim, amount or date it is refused, as is a refund
  larger than the claim's credit. A payer's recoupment (PLB WO or 72 naming the claim on an 835) clears a
  credit without this command.

Options:
  --payer PAYER     The payer owed (the report's PAYER).
  --claim CLAIM     The claim (the report's CLAIM: the ledger's claim id).
  --amount AMOUNT   Refunded amount (e.g. 80.00).
  --reference REF   Check number or refund id.
  --date DATE       Day the refund was sent (default: today, or CLAIMS_NOW).
  --practice ID     The practice whose books hold the credit (default: the one that does).
${jsonHelpLine(18)}
  -h, --help

Examples:
  claims payer-refund --payer MEDB --claim 42 --amount 80.00 --reference CHK-3301
`;

async function run(args: string[], ctx: CommandContext): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args, strict: true,
      options: { payer: { type: 'string' }, claim: { type: 'string' }, amount: { type: 'string' }, reference: { type: 'string' }, date: { type: 'string' }, practice: { type: 'string' }, help: { type: 'boolean', short: 'h' }, ...JSON_OPTION },
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (parsed.values.help) {
    ctx.stdout.write(HELP);
    return ExitCode.ok;
  }
  const { payer, claim, amount, reference } = parsed.values;
  for (const [name, v] of [['payer', payer], ['claim', claim], ['amount', amount], ['reference', reference]] as const) {
    if (!v) throw new UsageError(`payer-refund needs --${name}`);
  }
  const date = parsed.values.date ?? ctx.clock.today();
  if (!isIsoDate(date)) throw new UsageError(`--date ${date}: expected YYYY-MM-DD`);
  const amountCents = parseCents(amount!.trim().replace(/^\$/, ''), { field: 'amount' });
  const db = await openDatabase({ migrate: true, logger: ctx.logger, actAs: 'pipeline' });
  try {
    const named = await checkPracticeOption(db.pool, parsed.values.practice);
    const holding = await creditPractices(db.pool, claim!, payer!);
    if (named === undefined && holding.length > 1) throw new UsageError(`claim ${claim} has a credit of ${payer} in practices ${holding.join(', ')}: name one with --practice`);
    const practiceId = named ?? holding[0] ?? 'default';
    const r = await recordPayerRefund(db.pool, { practiceId, payerId: payer!, claimId: claim!, amountCents, date, reference: reference! });
    const what = r.outcome === 'posted' ? 'recorded' : 'already recorded';
    if (parsed.values.json) writeJson(ctx, { practice: practiceId, payer, claim, reference, date, amountCents, outcome: r.outcome, creditLeftCents: r.creditLeftCents });
    else ctx.stdout.write(`refund ${reference} to ${payer} ${what}: ${formatUsd(amountCents)} of claim ${claim}'s credit on ${date}; credit left ${formatUsd(r.creditLeftCents)}\n`);
  } finally {
    await db.close();
  }
  return ExitCode.ok;
}

export const payerRefundCommand: Command = {
  name: 'payer-refund',
  summary: 'Record a refund sent to a payer out of a claim\'s payer credit (once per --reference)',
  help: HELP,
  run,
};
