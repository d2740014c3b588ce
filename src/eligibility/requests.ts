// 270 eligibility requests for upcoming appointments: read an appointments file (NDJSON, one visit a line),
// write one 270 interchange per payer with control numbers from the database, and record every request so
// its 271 can be traced back (TRN02 = appointment id). Used by `claims eligibility-requests` and by the
// pipeline's `eligibility-requests` stage; the stage also skips appointments requested before (same
// appointment id, payer, member and date), so an appointments export that overlaps yesterday's asks once.
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type pg from 'pg';
import { withTransaction } from '../runtime/database.ts';
import { postgresControlNumbers } from '../exchange/control-numbers.ts';
import type { PayerProfile } from '../domain/payer-profile.ts';
import type { EligibilityRequest } from '../transactions/eligibility-270.ts';
import { serializeInterchange } from '../x12/writer.ts';
import { Appointment, groupByPayer, interchangeOf, requestOf, type Planned270 } from './appointments.ts';
import { ELIGIBILITY_SQL } from './sql.ts';
import type { WallTime } from '../common/clock.ts';
import { OWNER_ONLY_DIR } from '../common/files.ts';
import type { ErrorCode } from '../common/error-codes.ts';
import { controlCharacterAt, controlCharacterMessage, inputExcerpt, storableText } from '../common/input-text.ts';

export interface AppointmentProblem {
  line: number;
  code: ErrorCode;
  message: string;
  /** The field at fault, dotted (`subscriber.lastName`), when one is. */
  field?: string;
  /** The value found there, as an excerpt (src/common/input-text.ts). */
  found?: string;
}

export interface PlannedRequest {
  profile: PayerProfile;
  request: EligibilityRequest;
}

export interface AppointmentsRead {
  items: PlannedRequest[];
  problems: AppointmentProblem[];
  /** Visits before today: nothing to ask. */
  past: number;
}

export interface Written270 {
  payerId: string;
  /** The interchange file: outDir joined with its name. */
  file: string;
  isa13: string;
  sets: number;
  requests: number;
}

/** Lines read for the first-record test: an appointments file says so on its first line. */
const FIRST_LINE_BYTES_MAX = 64 * 1024;

export async function readAppointments(file: string, profiles: Map<string, PayerProfile>, today: string): Promise<AppointmentsRead> {
  const items: PlannedRequest[] = [];
  const problems: AppointmentProblem[] = [];
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
      // JSON.parse quotes the line it refused: a NUL in it would make the run record unstorable.
      problems.push({ line, code: 'APPOINTMENT_NOT_JSON', message: storableText((err as Error).message) });
      continue;
    }
    const control = controlCharacterIn(json);
    if (control) {
      problems.push({ line, code: 'APPOINTMENT_FIELD_CONTROL_CHARACTER', ...control });
      continue;
    }
    const parsed = Appointment.safeParse(json);
    if (!parsed.success) {
      problems.push({ line, code: 'APPOINTMENT_INVALID', message: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') });
      continue;
    }
    const profile = profiles.get(parsed.data.payerId);
    if (!profile) {
      problems.push({ line, code: 'APPOINTMENT_PAYER_UNKNOWN', message: `no payer profile ${inputExcerpt(parsed.data.payerId)}`, field: 'payerId', found: inputExcerpt(parsed.data.payerId) });
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

/**
 * The first text in a record (a value at any depth, in the order written) holding a control character, NUL
 * or a lone surrogate (JSON's "\u0000", "\ud800"): one the 270 or the database cannot carry, found here so
 * the line is rejected with its field instead of the file failing where it is stored or reported.
 */
function controlCharacterIn(value: unknown, field = ''): { field: string; message: string; found: string } | null {
  if (typeof value === 'string') {
    const at = controlCharacterAt(value);
    return at === -1 ? null : { field, message: controlCharacterMessage(field || 'the record', value, at), found: inputExcerpt(value) };
  }
  if (value === null || typeof value !== 'object') return null;
  for (const [key, v] of Object.entries(value)) {
    const found = controlCharacterIn(v, Array.isArray(value) ? `${field}[${key}]` : field === '' ? key : `${field}.${key}`);
    if (found) return found;
  }
  return null;
}

/** An appointments file by its first record: a JSON object with an appointmentId (claims and payments have none). */
export async function looksLikeAppointmentsFile(file: string): Promise<boolean> {
  const handle = await fs.open(file, 'r');
  try {
    const { buffer, bytesRead } = await handle.read({ buffer: Buffer.alloc(FIRST_LINE_BYTES_MAX), position: 0 });
    const first = buffer.subarray(0, bytesRead).toString('utf8').replace(/^\uFEFF/, '').split('\n').find((l) => l.trim() !== '');
    if (first === undefined) return false;
    const record = JSON.parse(first) as unknown;
    return typeof record === 'object' && record !== null && !Array.isArray(record) && 'appointmentId' in record;
  } catch {
    return false; // not JSON on its first line (or longer than a visit can be): not an appointments file
  } finally {
    await handle.close();
  }
}

const requestKey = (traceNumber: string, payerId: string, memberId: string, date: string): string =>
  JSON.stringify([traceNumber, payerId, memberId, date]);

/** Split planned requests into those never asked and those recorded before (the same visit, asked already). */
export async function withoutRequestedBefore(pool: pg.Pool, items: readonly PlannedRequest[]): Promise<{ fresh: PlannedRequest[]; requestedBefore: number }> {
  if (items.length === 0) return { fresh: [], requestedBefore: 0 };
  const traces = [...new Set(items.map((i) => i.request.traceNumber))];
  const rows = (await pool.query<{ trace_number: string; payer_id: string; member_id: string; date_of_service: string }>(ELIGIBILITY_SQL.requestsByTrace, [traces])).rows;
  const asked = new Set(rows.map((r) => requestKey(r.trace_number, r.payer_id, r.member_id, r.date_of_service)));
  const fresh: PlannedRequest[] = [];
  const seen = new Set<string>();
  let requestedBefore = 0;
  for (const item of items) {
    const r = item.request;
    const key = requestKey(r.traceNumber, r.payerId, r.memberId, r.dateOfService);
    // A visit listed twice in one file is asked once too.
    if (asked.has(key) || seen.has(key)) requestedBefore++;
    else {
      seen.add(key);
      fresh.push(item);
    }
  }
  return { fresh, requestedBefore };
}

/**
 * One 270 interchange per payer into `outDir` (270-PAYER-ISA13.x12), control numbers from the database. Each
 * file is written under a hidden name and renamed only after its requests are recorded, so a crash leaves
 * no file that the database does not know.
 */
export async function writeEligibilityRequests(pool: pg.Pool, items: readonly PlannedRequest[], opts: { outDir: string; createdAt: WallTime }): Promise<Written270[]> {
  const written: Written270[] = [];
  if (items.length === 0) return written;
  // Owner-only like every folder of patient data: the 270s name patients, their birth dates and member ids.
  await fs.mkdir(opts.outDir, { recursive: true, mode: OWNER_ONLY_DIR });
  const numbers = postgresControlNumbers(pool);
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
    const target = path.join(opts.outDir, name);
    const tmp = path.join(opts.outDir, `.${name}.${process.pid}.tmp`);
    // Owner-only: the requests name patients and their member ids.
    const handle = await fs.open(tmp, 'wx', 0o600);
    try {
      for (const piece of serializeInterchange(interchangeOf(plan, opts.createdAt), { lineBreak: '\n' })) await handle.write(piece);
      await handle.sync();
    } finally {
      await handle.close();
    }
    const rows = plan.sets.flatMap((s) => s.requests.map((r) => ({
      trace_number: r.traceNumber, payer_id: r.payerId, provider_npi: r.provider.npi, member_id: r.memberId,
      date_of_service: r.dateOfService, service_types: r.serviceTypes, file_name: name, sender_id: sender,
      receiver_id: receiver, isa13, gs06: plan.groupControlNumber.toString(), st02: s.controlNumber.toString().padStart(4, '0'),
    })));
    await withTransaction(pool, (c) => c.query(ELIGIBILITY_SQL.insertRequests, [JSON.stringify(rows)]));
    await fs.rename(tmp, target);
    written.push({ payerId, file: target, isa13, sets: plan.sets.length, requests: rows.length });
  }
  return written;
}
