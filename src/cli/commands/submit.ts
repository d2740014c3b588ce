// `claims submit CLAIMS... [--out DIR]`: validate and map a claims export, check coverage against 271s on
// file, write one 837 interchange per payer into the outbox, record claims and post their charges. Exit 3
// when any claim was rejected (held claims are not rejections: later runs re-check them).
import { parseArgs } from 'node:util';
import { stat } from 'node:fs/promises';
import { type Command, type CommandContext, UsageError } from '../command.ts';
import { openDatabase } from '../../runtime/database.ts';
import { ExitCode, formatLocation, toClaimsError } from '../../common/errors.ts';
import { isBrokenExport } from '../../claim-exports/array-blocks.ts';
import { fixedClock } from '../../common/clock.ts';
import { formatDecimal } from '../../common/money.ts';
import { loadPayerProfiles } from '../../runtime/payer-profiles.ts';
import { checkPracticeOption } from '../../runtime/practices.ts';
import { submitClaims } from '../../claims/submit.ts';
import { postgresClaimStore } from '../../claims/store.ts';
import { memoryControlNumbers, postgresControlNumbers } from '../../exchange/control-numbers.ts';
import { postgresCoverageGate } from '../../claims/coverage-gate.ts';
import { JSON_OPTION, jsonHelpLine, writeJson } from '../json-output.ts';

const HELP = `Usage: claims submit CLAIMS... [--out DIR] [--payers DIR] [--report DIR] [--resubmit] [--practice ID] [--no-eligibility] [--as-of DATE] [--threads N] [--outbox-wait SECONDS] [--json]

Validate each claim of a claims export (NDJSON, or one JSON array), map its codes through the primary
payer's crosswalk, and write one 837 interchange per payer (837P and 837I in their own groups, at most
5,000 claims per transaction set). Claims, patients, guarantors and coverages are recorded, and the
charges posted to the ledger, exactly once: the same claim again is skipped.

A claim whose date of service falls outside coverage that a 271 on file reports is held, not sent (it is
listed in the report with outcome "held"), unless the payer profile has eligibility.whenInactive "send".
Claims held by earlier runs are re-checked first and go out once a newer 271 shows coverage. A patient
with no 271 on file is sent.

Options:
  --out DIR       Outbox for the 837 files (default: outbox)
  --payers DIR    Folder of payer profiles, one JSON file per payer (default: payers)
  --report DIR    Where rejections.csv and rejections.json go (default: OUT/reports)
  --resubmit      Send again claims that a payer rejected
  --practice ID   Only this practice's claims: another practice's are refused (CLAIM_OF_OTHER_PRACTICE) and
                  its held claims wait for its own run. Each claim is mapped with its practice's terms with
                  the payer (payer profile "practices") either way.
  --no-eligibility  Do not check coverage (send every valid claim; held claims stay held)
  --as-of DATE    "Today" (YYYY-MM-DD or ISO time): dates in the envelopes, the entries' date
  --dry-run       No database: validate, map and write files with control numbers from 1 (testing only)
  --threads N     Worker threads that prepare the claims of a large NDJSON export (0: none). Default: one a
                  core (at most 4) with --dry-run; none with the database, which is then the bottleneck
  --outbox-wait SECONDS  While another submit writes into the same outbox, wait this long for it, then fail
                  with OUTBOX_BUSY (0: fail at once; default 600)
${jsonHelpLine(16)}
  -h, --help

Exit codes: 0 all claims sent, already sent or held, 3 some claims rejected (see the report), 1 failed.

Examples:
  claims submit samples/claims/01-export.ndjson --payers samples/payers --out outbox
  claims submit export.json --resubmit
`;

async function run(args: string[], ctx: CommandContext): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      options: {
        out: { type: 'string', default: 'outbox' },
        payers: { type: 'string', default: 'payers' },
        report: { type: 'string' },
        resubmit: { type: 'boolean', default: false },
        practice: { type: 'string' },
        'no-eligibility': { type: 'boolean', default: false },
        'as-of': { type: 'string' },
        'dry-run': { type: 'boolean', default: false },
        threads: { type: 'string' },
        'outbox-wait': { type: 'string' },
        ...JSON_OPTION,
      },
      allowPositionals: true,
      strict: true,
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const inputs = parsed.positionals;
  if (inputs.length === 0) throw new UsageError('name at least one claims export');
  const v = parsed.values;
  let clock = ctx.clock;
  if (v['as-of'] !== undefined) {
    try {
      clock = fixedClock(v['as-of']);
    } catch {
      throw new UsageError(`--as-of ${v['as-of']} is not a date`);
    }
  }
  const payers = await loadPayerProfiles(v.payers!).catch((err: unknown) => {
    if ((err as { code?: string }).code === 'ENOENT') throw new UsageError(`no payer profiles folder '${v.payers}' (use --payers DIR)`);
    throw err;
  });

  let threads: number | undefined;
  if (v.threads !== undefined) {
    if (!/^\d{1,2}$/.test(v.threads)) throw new UsageError(`--threads ${v.threads} is not a number of threads (0 to 99)`);
    threads = Number(v.threads);
  }
  let outboxWaitMs: number | undefined;
  if (v['outbox-wait'] !== undefined) {
    if (!/^\d{1,5}$/.test(v['outbox-wait'])) throw new UsageError(`--outbox-wait ${v['outbox-wait']} is not a number of seconds (0 to 99999)`);
    outboxWaitMs = Number(v['outbox-wait']) * 1000;
  }
  for (const input of inputs) {
    const s = await stat(input).catch(() => null);
    if (s === null || !s.isFile()) throw new UsageError(`${input}: no such claims export (not a file, or not readable)`);
  }
  if (v['dry-run'] && v.practice !== undefined) throw new UsageError('--practice needs the database (not with --dry-run)');
  const db = v['dry-run'] ? null : await openDatabase({ logger: ctx.logger, migrate: true, actAs: 'pipeline' });
  try {
    const practiceId = db ? await checkPracticeOption(db.pool, v.practice) : undefined;
    const summary = await submitClaims({
      inputs,
      outDir: v.out!,
      ...(v.report !== undefined && { reportDir: v.report }),
      payers,
      clock,
      controlNumbers: db ? postgresControlNumbers(db.pool) : memoryControlNumbers(),
      store: db ? postgresClaimStore(db.pool) : null,
      coverage: db && !v['no-eligibility'] ? postgresCoverageGate(db.pool) : null,
      retryHeld: !v['no-eligibility'],
      resubmit: v.resubmit === true,
      ...(practiceId !== undefined && { practiceId }),
      ...(threads !== undefined && { threads }),
      ...(outboxWaitMs !== undefined && { outboxWaitMs }),
      logger: ctx.logger,
      signal: ctx.signal,
    });
    if (v.json) {
      writeJson(ctx, summary);
    } else {
      const lines = [
        `records ${summary.records}: sent ${summary.sent}, sent again ${summary.resent}, already sent ${summary.duplicates}, rejected ${summary.rejectedClaims}, held on coverage ${summary.held}`,
        ...(summary.heldRechecked > 0 ? [`held by earlier runs: ${summary.heldRechecked} re-checked, ${summary.heldReleased} sent now`] : []),
        `charges on claims sent: ${formatDecimal(summary.chargeCents)}; ledger entries posted: ${summary.entriesPosted}`,
        ...summary.files.map((f) => `  ${f.path}  ${f.payerId}  ISA13 ${f.isa13}  ${f.claimCount} claims`),
        summary.rejectionRows > 0 ? `rejections and holds: ${summary.report.csv} (${summary.rejectionRows} rows)` : 'no rejections or holds',
      ];
      ctx.stdout.write(lines.join('\n') + '\n');
    }
    return summary.rejectedClaims > 0 ? ExitCode.rejected : ExitCode.ok;
  } catch (err) {
    if (!isBrokenExport(err)) throw err;
    // Bad input, not a failure: nothing of the export was sent (exit 3, as for rejected claims).
    const e = toClaimsError(err);
    ctx.stderr.write(`claims submit: ${e.code}: ${e.message} (${formatLocation(e.location)})\n`);
    return ExitCode.rejected;
  } finally {
    await db?.close();
  }
}

export const submitCommand: Command = {
  name: 'submit',
  summary: 'Validate a claims export and write 837P/837I files per payer; post the charges',
  help: HELP,
  run,
};
