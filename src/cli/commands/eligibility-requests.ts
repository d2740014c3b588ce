// `claims eligibility-requests APPOINTMENTS.ndjson [--out DIR]`: 270 inquiries for upcoming visits, one
// interchange per payer, control numbers from the database, each request recorded so its 271 can be
// traced back (TRN02 = appointment id). The work is src/eligibility/requests.ts (shared with the
// pipeline's eligibility-requests stage); this module parses arguments and prints.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { type Command, type CommandContext, UsageError } from '../command.ts';
import { openDatabase } from '../../runtime/database.ts';
import { ClaimsError, ExitCode, toClaimsError } from '../../common/errors.ts';
import { systemFailureOf } from '../../common/system-failures.ts';
import { loadPayerProfiles } from '../../runtime/payer-profiles.ts';
import { readAppointments, writeEligibilityRequests, type Written270 } from '../../eligibility/requests.ts';
import { appointmentsOfPractice } from '../../eligibility/practice-scope.ts';
import { checkPracticeOption, loadPracticeDirectory } from '../../runtime/practices.ts';
import { recordAudit } from '../../runtime/audit.ts';
import { JSON_OPTION, jsonHelpLine, writeJson } from '../json-output.ts';

const HELP = `Usage: claims eligibility-requests APPOINTMENTS.ndjson [--out DIR] [--payers DIR] [--practice ID] [--json]

Writes 270 eligibility inquiries (005010X279A1) for the upcoming visits in APPOINTMENTS.ndjson: one
interchange per payer (270-PAYER-ISA13.x12), one set per provider with at most 99 people, control numbers
from the database. Visits before today are skipped; invalid lines are reported and skipped (exit 3).

Each line: {"appointmentId", "date": "YYYY-MM-DD", "payerId" (a payer profile), "memberId",
  "provider": {"npi", "name"}, "subscriber": {"lastName", "firstName", "birthDate", "gender"},
  "dependent"?: {"lastName", "firstName", "birthDate", "relationship"}, "serviceTypes"?: ["30"]}

Options:
  --out DIR       Where the files go (default: outbox).
  --payers DIR    Payer profiles (default: samples/payers).
  --practice ID   Only this practice's visits: those whose provider NPI is one of its NPIs, and those whose
                  NPI no practice has registered (the file is taken to be the practice's). Visits of other
                  practices' NPIs are skipped and counted. Default: every visit.
${jsonHelpLine(16)}
  -h, --help

Example:
  claims eligibility-requests samples/appointments/upcoming.ndjson --out outbox
  claims eligibility-requests samples/appointments/upcoming.ndjson --practice northwind
`;

async function run(args: string[], ctx: CommandContext): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args, allowPositionals: true, strict: true, options: { out: { type: 'string' }, payers: { type: 'string' }, practice: { type: 'string' }, ...JSON_OPTION } });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const [file, ...extra] = parsed.positionals;
  if (!file) throw new UsageError('missing APPOINTMENTS.ndjson');
  if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0]}'`);
  const outDir = parsed.values.out ?? 'outbox';
  const profiles = await loadPayerProfiles(parsed.values.payers ?? 'samples/payers');
  const read = await readAppointments(file, profiles, ctx.clock.today());
  const { problems, past } = read;
  for (const p of problems) ctx.logger.warn({ file: path.basename(file), line: p.line, code: p.code }, p.message);

  let written: Written270[] = [];
  let items = read.items;
  let otherPractice = 0;
  if (items.length > 0 || parsed.values.practice !== undefined) {
    const db = await openDatabase({ logger: ctx.logger, migrate: true, actAs: 'pipeline' });
    try {
      const practice = await checkPracticeOption(db.pool, parsed.values.practice);
      if (practice !== undefined) ({ items, otherPractice } = appointmentsOfPractice(items, await loadPracticeDirectory(db.pool), practice));
      written = await writeEligibilityRequests(db.pool, items, { outDir, createdAt: ctx.clock.wallTime() });
      await recordAudit(db.pool, { command: 'eligibility-requests', action: 'write', files: written.map((w) => w.file), ...(practice !== undefined && { practice }) });
    } catch (err) {
      // A lost database or a full disk keeps its own code (DATABASE_UNREACHABLE, DISK_FULL), as everywhere.
      if (err instanceof ClaimsError || systemFailureOf(err)) throw toClaimsError(err);
      throw new ClaimsError({ code: 'ELIGIBILITY_REQUESTS_FAILED', message: (err as Error).message, cause: err });
    } finally {
      await db.close();
    }
  }
  const summary = { files: written, requests: items.length, skippedPast: past, ...(parsed.values.practice !== undefined && { skippedOtherPractice: otherPractice }), rejected: problems };
  if (parsed.values.json) writeJson(ctx, summary);
  else {
    for (const w of written) ctx.stdout.write(`${w.file}: ${w.requests} request(s) in ${w.sets} set(s), ISA13 ${w.isa13}\n`);
    const others = parsed.values.practice === undefined ? '' : `, ${otherPractice} visit(s) of other practices skipped`;
    ctx.stdout.write(`${items.length} request(s) written, ${past} past visit(s) skipped${others}, ${problems.length} line(s) rejected\n`);
    for (const p of problems) ctx.stdout.write(`  line ${p.line}: ${p.code}: ${p.message}\n`);
  }
  return problems.length > 0 ? ExitCode.rejected : ExitCode.ok;
}

export const eligibilityRequestsCommand: Command = {
  name: 'eligibility-requests',
  summary: 'Write 270 eligibility inquiries for upcoming appointments, one interchange per payer',
  help: HELP,
  run,
};
