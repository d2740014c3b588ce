// Holds files: disputes and financial-assistance applications exported in bulk from the practice system,
// a CSV with a header row `account, kind, reason, date` (kind: dispute | assistance | resolve). A dispute or
// assistance row opens a hold from its date (freezing the statement cycle and referrals, and recalling a
// placed account on the next referrals run); a resolve row resolves the account's holds opened on or before
// its date. Each row takes effect exactly once, by what it states rather than by file: a dispute already
// recorded for the account and date (from any file or command), or a resolve with nothing left to resolve,
// is a duplicate, so the same export sent again, or tomorrow's overlapping export, changes nothing.
// Parsing is pure (holdsFileRows); importHoldsText applies the rows through holds.ts.
import type pg from 'pg';
import { sha256Hex } from '../common/content-hash.ts';
import { ClaimsError, toClaimsError, type Location } from '../common/errors.ts';
import { CsvReader } from '../common/csv-reader.ts';
import { controlCharacterAt, controlCharacterMessage } from '../common/input-text.ts';
import { isIsoDate } from '../common/dates.ts';
import { openAccountHold, resolveAccountHolds } from '../patients/holds.ts';
import type { HoldKind } from '../patients/holds.ts';
import { HOLD_OPENED_ON } from './sql.ts';

type Db = Pick<pg.ClientBase, 'query'>;

export const HOLD_FILE_KINDS = ['dispute', 'assistance', 'insurance', 'resolve'] as const;
export type HoldFileKind = (typeof HOLD_FILE_KINDS)[number];

export interface HoldRow {
  accountNumber: string;
  kind: HoldFileKind;
  reason: string;
  date: string;
  line: number;
}

const REQUIRED_COLUMNS = ['account', 'kind', 'reason', 'date'] as const;

/** YYYY-MM-DD, or MM/DD/YYYY as practice systems export it; undefined if neither (or not a calendar date). */
export function holdDate(text: string): string | undefined {
  const t = text.trim();
  const us = /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(t);
  const iso = us ? `${us[3]}-${us[1]}-${us[2]}` : t;
  return isIsoDate(iso) ? iso : undefined;
}

/**
 * Rows of a holds file, each validated on its own: a good row, or the error that rejects it (with its line).
 * A missing column rejects the whole file (one error at line 1).
 */
export function holdsFileRows(text: string, file: string): { rows: HoldRow[]; errors: ClaimsError[] } {
  const reader = new CsvReader();
  const records = [...reader.push(text), ...reader.end()].filter((r) => r.fields.some((f) => f.trim() !== ''));
  const [header, ...body] = records;
  if (!header) return { rows: [], errors: [] };
  const names = header.fields.map((f) => f.trim().toLowerCase());
  const missing = REQUIRED_COLUMNS.filter((c) => !names.includes(c));
  if (missing.length > 0) {
    return {
      rows: [],
      errors: [new ClaimsError({
        code: 'HOLDS_FILE_COLUMNS', message: `a holds file needs the columns ${REQUIRED_COLUMNS.join(', ')}; missing ${missing.join(', ')}`,
        location: { file, line: header.line }, expected: REQUIRED_COLUMNS.join(','), found: names.join(','),
      })],
    };
  }
  const rows: HoldRow[] = [];
  const errors: ClaimsError[] = [];
  for (const r of body) {
    const get = (name: string): string => (r.fields[names.indexOf(name)] ?? '').trim();
    const where: Location = { file, line: r.line };
    const bad = (field: string, expected: string, found: string): void => {
      errors.push(new ClaimsError({ code: 'HOLD_FIELD_INVALID', message: `${field}: expected ${expected}`, location: { ...where, field }, expected, found }));
    };
    const accountNumber = get('account');
    const kind = get('kind').toLowerCase();
    const reason = get('reason');
    const date = holdDate(get('date'));
    const before = errors.length;
    // The account and the reason are stored with the hold: a NUL would fail the insert and stop the file, a
    // control character in an account match nothing. The reason is free text: tabs and line breaks are kept.
    const controlIn = (field: string, value: string, freeText: boolean): void => {
      const at = controlCharacterAt(value, { freeText });
      if (at !== -1) errors.push(new ClaimsError({ code: 'HOLD_FIELD_CONTROL_CHARACTER', message: controlCharacterMessage(field, value, at), location: { ...where, field }, expected: 'text without control characters', found: value }));
    };
    controlIn('account', accountNumber, false);
    controlIn('reason', reason, true);
    if (accountNumber === '') bad('account', 'an account number', accountNumber);
    if (!(HOLD_FILE_KINDS as readonly string[]).includes(kind)) bad('kind', HOLD_FILE_KINDS.join(' | '), get('kind'));
    if (reason === '') bad('reason', 'why the hold is opened or resolved', reason);
    if (date === undefined) bad('date', 'YYYY-MM-DD or MM/DD/YYYY', get('date'));
    if (errors.length === before) rows.push({ accountNumber, kind: kind as HoldFileKind, reason, date: date!, line: r.line });
  }
  return { rows, errors };
}

export interface HoldsImportResult {
  fileSha256: string;
  opened: number;
  resolved: number;
  duplicate: number;
  rejected: ClaimsError[];
}

/**
 * Apply a holds file's rows in order. `today` is the run date: a row dated after it is rejected (a hold
 * cannot be opened in the future). A row naming an unknown account is rejected; the others still apply.
 */
export async function importHoldsText(db: Db, text: string, file: string, today: string): Promise<HoldsImportResult> {
  const fileSha256 = sha256Hex(text);
  const { rows, errors } = holdsFileRows(text.replace(/^\uFEFF/, ''), file);
  const result: HoldsImportResult = { fileSha256, opened: 0, resolved: 0, duplicate: 0, rejected: [...errors] };
  for (const row of rows) {
    const where = { file, line: row.line };
    try {
      if (row.date > today) {
        throw new ClaimsError({ code: 'HOLD_DATE_IN_FUTURE', message: `date ${row.date} is after the run date ${today}`, location: { ...where, field: 'date' }, found: row.date });
      }
      if (row.kind === 'resolve') {
        const done = await resolveAccountHolds(db, { accountNumber: row.accountNumber, resolvedOn: row.date, resolution: row.reason });
        if (done.length > 0) result.resolved += done.length;
        else result.duplicate++;
        continue;
      }
      const kind: HoldKind = row.kind;
      if ((await db.query(HOLD_OPENED_ON, [row.accountNumber, kind, row.date])).rowCount) {
        result.duplicate++;
        continue;
      }
      const opened = await openAccountHold(db, { accountNumber: row.accountNumber, kind, openedOn: row.date, reason: row.reason, source: `file:${fileSha256}:${row.line}` });
      // Already open since an earlier date: the account is frozen already; nothing changes.
      if (opened.status === 'opened') result.opened++;
      else result.duplicate++;
    } catch (err) {
      const e = toClaimsError(err, where);
      if (e.code === 'INTERNAL' || e.code.startsWith('DATABASE')) throw err;
      result.rejected.push(e);
    }
  }
  return result;
}
