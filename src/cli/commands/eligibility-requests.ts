// `claims eligibility-requests APPOINTMENTS.ndjson [--out DIR]`: 270 inquiries for upcoming visits, one
// interchange per payer, control numbers from the database, each request recorded so its 271 can be
// traced back (TRN02 = appointment id).
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { type Command, type CommandContext, UsageError } from '../command.ts';
import { openDatabase, withTransaction } from '../../runtime/database.ts';
import { ClaimsError, ExitCode } from '../../runtime/errors.ts';
import { loadPayerProfiles } from '../../payers/load.ts';
import type { PayerProfile } from '../../payers/profile.ts';
import { postgresControlNumbers } from '../../claims/control-numbers.ts';
import { serializeInterchange } from '../../x12/writer.ts';
import { Appointment, groupByPayer, interchangeOf, requestOf, type Planned270 } from '../../eligibility/appointments.ts';
import type { EligibilityRequest } from '../../transactions/eligibility-270.ts';
import { ELIGIBILITY_SQL } from '../../eligibility/sql.ts';

const HELP = `Usage: claims eligibility-requests APPOINTMENTS.ndjson [--out DIR] [--payers DIR] [--json]

Writes 270 eligibility inquiries (005010X279A1) for the upcoming visits in APPOINTMENTS.ndjson: one
interchange per payer (270-PAYER-ISA13.x12), one set per provider with at most 99 people, control numbers
from the database. Visits before today are skipped; invalid lines are reported and skipped (exit 3).

Each line: {"appointmentId", "date": "YYYY-MM-DD", "payerId" (a payer profile), "memberId",
  "provider": {"npi", "name"}, "subscriber": {"lastName", "firstName", "birthDate", "gender"},
  "dependent"?: {"lastName", "firstName", "birthDate", "relationship"}, "serviceTypes"?: ["30"]}

Options:
  --out DIR       Where the files go (default: outbox).
  --payers DIR    Payer profiles (default: samples/payers).
  --json          Print a JSON summary.
  -h, --help

Example:
  claims eligibility-requests samples/appointments/upcoming.ndjson --out outbox
`;

interface Problem {
  line: number;
  code: string;
  message: string;
}

async function readAppointments(file: string, profiles: Map<string, PayerProfile>, today: string): Promise<{ items: Array<{ profile: PayerProfile; request: EligibilityRequest }>; problems: Problem[]; past: number }> {
  const items: Array<{ profile: PayerProfile; request: EligibilityRequest }> = [];
  const problems: Problem[] = [];
  let past = 0;
  let line = 0;
  const rl = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
  for await (const text of rl) {
    line++;
    if (text.trim() === '') continue;
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (err) {
      problems.push({ line, code: 'APPOINTMENT_NOT_JSON', message: (err as Error).message });
      continue;
    }
    const parsed = Appointment.safeParse(json);
    if (!parsed.success) {
      problems.push({ line, code: 'APPOINTMENT_INVALID', message: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') });
      continue;
    }
    const profile = profiles.get(parsed.data.payerId);
    if (!profile) {
      problems.push({ line, code: 'APPOINTMENT_PAYER_UNKNOWN', message: `no payer profile ${parsed.data.payerId}` });
      continue;
    }
    if (parsed.data.date < today) {
      past++;
      continue;
    }
    items.push({ profile, request: requestOf(parsed.data, profile) });
  }
  return { items, problems, past };
}

async function run(args: string[], ctx: CommandContext): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args, allowPositionals: true, strict: true, options: { out: { type: 'string' }, payers: { type: 'string' }, json: { type: 'boolean', default: false } } });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const [file, ...extra] = parsed.positionals;
  if (!file) throw new UsageError('missing APPOINTMENTS.ndjson');
  if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0]}'`);
  const outDir = parsed.values.out ?? 'outbox';
  const profiles = await loadPayerProfiles(parsed.values.payers ?? 'samples/payers');
  const { items, problems, past } = await readAppointments(file, profiles, ctx.clock.today());
  for (const p of problems) ctx.logger.warn({ file: path.basename(file), line: p.line, code: p.code }, p.message);

  const written: Array<{ payerId: string; file: string; isa13: string; sets: number; requests: number }> = [];
  if (items.length > 0) {
    await fs.mkdir(outDir, { recursive: true });
    const db = await openDatabase({ logger: ctx.logger, migrate: true });
    try {
      const numbers = postgresControlNumbers(db.pool);
      const createdAt = ctx.clock.now();
      for (const [payerId, { profile, sets }] of groupByPayer(items)) {
        const sender = profile.submitter.interchangeId;
        const receiver = profile.receiver.interchangeId;
        const plan: Planned270 = {
          profile,
          interchangeControlNumber: await numbers.next(sender, receiver, 'ISA'),
          groupControlNumber: await numbers.next(sender, receiver, 'GS'),
          sets: [],
        };
        for (const requests of sets) plan.sets.push({ controlNumber: await numbers.next(sender, receiver, 'ST'), requests });
        const isa13 = plan.interchangeControlNumber.toString().padStart(9, '0');
        const name = `270-${payerId}-${isa13}.x12`;
        const target = path.join(outDir, name);
        const tmp = path.join(outDir, `.${name}.${process.pid}.tmp`);
        const handle = await fs.open(tmp, 'wx');
        try {
          for (const piece of serializeInterchange(interchangeOf(plan, createdAt), { lineBreak: '\n' })) await handle.write(piece);
          await handle.sync();
        } finally {
          await handle.close();
        }
        const rows = plan.sets.flatMap((s) => s.requests.map((r) => ({
          trace_number: r.traceNumber, payer_id: r.payerId, provider_npi: r.provider.npi, member_id: r.memberId,
          date_of_service: r.dateOfService, service_types: r.serviceTypes, file_name: name, sender_id: sender,
          receiver_id: receiver, isa13, gs06: plan.groupControlNumber.toString(), st02: s.controlNumber.toString().padStart(4, '0'),
        })));
        await withTransaction(db.pool, (c) => c.query(ELIGIBILITY_SQL.insertRequests, [JSON.stringify(rows)]));
        await fs.rename(tmp, target);
        written.push({ payerId, file: target, isa13, sets: plan.sets.length, requests: rows.length });
      }
    } catch (err) {
      throw err instanceof ClaimsError ? err : new ClaimsError({ code: 'ELIGIBILITY_REQUESTS_FAILED', message: (err as Error).message, cause: err });
    } finally {
      await db.close();
    }
  }
  const summary = { files: written, requests: items.length, skippedPast: past, rejected: problems };
  if (parsed.values.json) ctx.stdout.write(JSON.stringify(summary, null, 2) + '\n');
  else {
    for (const w of written) ctx.stdout.write(`${w.file}: ${w.requests} request(s) in ${w.sets} set(s), ISA13 ${w.isa13}\n`);
    ctx.stdout.write(`${items.length} request(s) written, ${past} past visit(s) skipped, ${problems.length} line(s) rejected\n`);
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
