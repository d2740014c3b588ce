// An agency's returns file: what it collected (PAYMENT rows, posted to the account as cash against the placed
// balance) and the accounts it gives back as uncollectable (UNCOLLECTABLE rows, the rest written off to bad debt).
// CSV with a header: agency,account_number,referral_id,type,amount,date,reference. Each row once per agency and
// reference, in its own transaction under the account's lock; a redelivered file posts nothing, a reference seen
// with different content is rejected. `parseReturnsCsv` is pure.
import type pg from 'pg';
import { parseCents } from '../common/money.ts';
import { ClaimsError, toClaimsError } from '../common/errors.ts';
import { withTransaction } from '../runtime/database.ts';
import { postBatchInTransaction } from '../ledger/post.ts';
import { isIsoDate } from '../common/dates.ts';
import { CsvReader } from '../common/csv-reader.ts';
import { controlCharacterAt, controlCharacterMessage, inputExcerpt } from '../common/input-text.ts';
import { agencyPaymentEntry, badDebtEntry } from './posting-rules.ts';
import * as SQL from './sql.ts';

export interface ReturnRow {
  line: number;
  agencyId: string;
  accountNumber: string;
  referralId: string;
  type: 'PAYMENT' | 'UNCOLLECTABLE';
  amountCents: bigint;
  date: string;
  reference: string;
}

const COLUMNS = ['agency', 'account_number', 'referral_id', 'type', 'amount', 'date', 'reference'] as const;

export function parseReturnsCsv(text: string, fileName: string): { rows: ReturnRow[]; rejected: ClaimsError[] } {
  const reader = new CsvReader();
  const records = [...reader.push(text), ...reader.end()];
  const header = (records[0]?.fields ?? []).map((h) => h.trim().toLowerCase());
  const missing = COLUMNS.filter((c) => !header.includes(c));
  if (missing.length > 0) {
    throw new ClaimsError({ code: 'RETURNS_HEADER_INVALID', message: `not an agency returns file: missing ${missing.join(', ')}`, location: { file: fileName, line: 1 }, expected: COLUMNS.join(','), found: header.join(',') });
  }
  const at = (cells: string[], c: (typeof COLUMNS)[number]) => (cells[header.indexOf(c)] ?? '').trim();
  const rows: ReturnRow[] = [];
  const rejected: ClaimsError[] = [];
  records.slice(1).forEach(({ fields: cells, line }) => {
    if (cells.every((c) => c.trim() === '')) return;
    const where = (field: string) => ({ file: fileName, line, field });
    try {
      const type = at(cells, 'type').toUpperCase();
      if (type !== 'PAYMENT' && type !== 'UNCOLLECTABLE') throw new ClaimsError({ code: 'RETURNS_TYPE_INVALID', message: `type must be PAYMENT or UNCOLLECTABLE`, location: where('type'), found: type });
      const date = at(cells, 'date');
      if (!isIsoDate(date)) throw new ClaimsError({ code: 'RETURNS_DATE_INVALID', message: `not a date: ${inputExcerpt(date)}`, location: where('date'), expected: 'YYYY-MM-DD', found: date });
      const amountText = at(cells, 'amount');
      const amountCents = type === 'UNCOLLECTABLE' && amountText === '' ? 0n : parseCents(amountText, where('amount'));
      if (amountCents < 0n || (type === 'PAYMENT' && amountCents === 0n)) throw new ClaimsError({ code: 'RETURNS_AMOUNT_INVALID', message: 'a payment must be above zero', location: where('amount'), found: amountText });
      for (const c of ['agency', 'account_number', 'referral_id', 'reference'] as const) {
        const value = at(cells, c);
        if (value === '') throw new ClaimsError({ code: 'RETURNS_FIELD_MISSING', message: `${c} is empty`, location: where(c) });
        // Looked up and stored as text: a NUL would fail the query and stop the file, a control character match nothing.
        const bad = controlCharacterAt(value);
        if (bad !== -1) throw new ClaimsError({ code: 'RETURNS_FIELD_CONTROL_CHARACTER', message: controlCharacterMessage(c, value, bad), location: where(c), expected: 'text without control characters', found: value });
      }
      rows.push({ line, agencyId: at(cells, 'agency'), accountNumber: at(cells, 'account_number'), referralId: at(cells, 'referral_id'), type, amountCents, date, reference: at(cells, 'reference') });
    } catch (err) {
      rejected.push(toClaimsError(err, { file: fileName, line }));
    }
  });
  return { rows, rejected };
}

export type ReturnOutcome = 'posted' | 'duplicate';

/** Post one returns row (inside the caller's transaction). */
export async function postReturn(client: pg.ClientBase, row: ReturnRow, source: { sha256: string; fileName: string }): Promise<ReturnOutcome> {
  const where = { file: source.fileName, line: row.line };
  const kind = row.type === 'PAYMENT' ? 'agency_payment' : 'uncollectable';
  const prior = (await client.query<{ kind: string; amount_cents: string; event_on: string; referral_id: string }>(SQL.EXISTING_RETURN, [row.agencyId, row.reference])).rows[0];
  if (prior) {
    const same = prior.kind === kind && prior.event_on === row.date && prior.referral_id === row.referralId && (kind === 'uncollectable' || BigInt(prior.amount_cents) === row.amountCents);
    if (same) return 'duplicate';
    throw new ClaimsError({ code: 'RETURNS_REFERENCE_CONFLICT', message: `${row.agencyId} reference ${row.reference} was posted before with different content`, location: { ...where, field: 'reference' }, expected: `${prior.kind} ${prior.amount_cents} cents on ${prior.event_on}`, found: `${kind} ${row.amountCents} cents on ${row.date}` });
  }
  if (!/^\d{1,18}$/.test(row.referralId)) throw new ClaimsError({ code: 'RETURNS_REFERRAL_UNKNOWN', message: `no referral ${row.referralId}`, location: { ...where, field: 'referral_id' }, found: row.referralId });
  const ref = (await client.query<{ id: string; account_number: string; agency_id: string; status: string }>(SQL.REFERRAL_FOR_RETURN, [row.referralId])).rows[0];
  if (!ref || ref.account_number !== row.accountNumber || ref.agency_id !== row.agencyId) {
    throw new ClaimsError({ code: 'RETURNS_REFERRAL_UNKNOWN', message: `referral ${row.referralId} is not ${row.accountNumber}'s with ${row.agencyId}`, location: { ...where, field: 'referral_id' }, found: row.referralId });
  }
  if (ref.status !== 'placed') {
    throw new ClaimsError({ code: 'RETURNS_REFERRAL_CLOSED', message: `referral ${row.referralId} is ${ref.status}: an analyst must apply this row by hand`, location: { ...where, field: 'referral_id' }, found: ref.status });
  }
  await client.query(SQL.LOCK_ACCOUNT, [row.accountNumber]);
  const bal = (await client.query<{ kind: string; balance_cents: string }>(SQL.PATIENT_BALANCES, [row.accountNumber, '9999-12-31'])).rows;
  const collections = BigInt(bal.find((b) => b.kind === 'collections_receivable')?.balance_cents ?? '0');
  const amount = kind === 'uncollectable' ? collections : row.amountCents;
  if (amount > collections) {
    throw new ClaimsError({ code: 'RETURNS_AMOUNT_EXCEEDS_BALANCE', message: `the agency reports ${row.amountCents} cents collected but ${collections} cents are placed`, location: { ...where, field: 'amount' }, expected: `at most ${collections}`, found: row.amountCents.toString() });
  }
  const key = `collections-return:${row.agencyId}:${row.reference}`;
  const inserted = await client.query(SQL.INSERT_RETURN, [row.referralId, kind, row.date, amount.toString(), (collections - amount).toString(), kind === 'uncollectable' ? 'returned uncollectable' : null, amount > 0n ? key : null, row.reference, row.agencyId, source.sha256, source.fileName, row.line]);
  if (inserted.rowCount === 0) return 'duplicate';
  if (amount > 0n) {
    const entry = kind === 'agency_payment' ? agencyPaymentEntry(key, row.accountNumber, amount, row.date, row.agencyId) : badDebtEntry(key, row.accountNumber, amount, row.date, row.agencyId);
    await postBatchInTransaction(client, { key, entries: [entry] });
  }
  if (kind === 'uncollectable') await client.query(SQL.CLOSE_REFERRAL, [row.referralId, 'returned', row.date, 'returned uncollectable']);
  else if (amount === collections) await client.query(SQL.CLOSE_REFERRAL, [row.referralId, 'paid', row.date, 'paid in full to the agency']);
  return 'posted';
}

export interface ReturnsResult {
  posted: number;
  duplicates: number;
  rejected: ClaimsError[];
  collectedCents: bigint;
  writtenOffCents: bigint;
}

export async function ingestReturnsText(pool: pg.Pool, text: string, source: { sha256: string; fileName: string }): Promise<ReturnsResult> {
  const parsed = parseReturnsCsv(text, source.fileName);
  const result: ReturnsResult = { posted: 0, duplicates: 0, rejected: [...parsed.rejected], collectedCents: 0n, writtenOffCents: 0n };
  for (const row of parsed.rows) {
    try {
      const outcome = await withTransaction(pool, (client) => postReturn(client, row, source));
      if (outcome === 'duplicate') result.duplicates += 1;
      else {
        result.posted += 1;
        if (row.type === 'PAYMENT') result.collectedCents += row.amountCents;
        else {
          const r = await pool.query<{ amount_cents: string }>(SQL.RETURN_AMOUNT, [row.agencyId, row.reference]);
          result.writtenOffCents += BigInt(r.rows[0]?.amount_cents ?? '0');
        }
      }
    } catch (err) {
      const e = toClaimsError(err, { file: source.fileName, line: row.line });
      if (e.code === 'INTERNAL' || e.code.startsWith('DATABASE')) throw err;
      result.rejected.push(e);
    }
  }
  return result;
}
