// Disputes and financial-assistance applications on a guarantor account (table account_holds): opened and
// resolved by `claims account ACCOUNT dispute|assistance|resolve`, read by the statement cycle (which freezes
// while one is open) and by the referral rules. `accountHolds` is the one read the statements code calls.
import type pg from 'pg';
import { ClaimsError } from '../common/errors.ts';
import type { IsoDate } from '../common/dates.ts';
import { ACCOUNT_EXISTS, HOLDS_OF, OPEN_HOLD, OPEN_HOLD_OF, RESOLVE_HOLDS } from './sql.ts';

/**
 * Holds freeze the statement cycle and referrals while open. `bankruptcy` comes from the account's
 * bankruptcy flag (the automatic stay: no billing, no collection, a placed account is recalled); the
 * others are opened and resolved by command or holds file.
 */
export type HoldKind = 'dispute' | 'assistance' | 'insurance' | 'bankruptcy';

export interface Hold {
  kind: HoldKind;
  openedOn: IsoDate;
  resolvedOn?: IsoDate | null;
  reason: string;
}

type Db = Pick<pg.ClientBase, 'query'>;

/**
 * Holds (open or resolved) of each account opened on or before `asOf`: for the statement cycle they are
 * all "disputes" (each freezes the cycle while open), for referrals each keeps its kind.
 */
export async function accountHolds(db: Db, accountNumbers: readonly string[], asOf: string): Promise<Map<string, Hold[]>> {
  const out = new Map<string, Hold[]>();
  if (accountNumbers.length === 0) return out;
  const rows = await db.query<{ account_number: string; kind: HoldKind; opened_on: string; resolved_on: string | null; reason: string }>(HOLDS_OF, [[...accountNumbers], asOf]);
  for (const r of rows.rows) {
    const list = out.get(r.account_number) ?? [];
    // A resolution after the as-of date is not known yet on that date.
    list.push({ kind: r.kind, openedOn: r.opened_on, resolvedOn: r.resolved_on !== null && r.resolved_on <= asOf ? r.resolved_on : null, reason: r.reason });
    out.set(r.account_number, list);
  }
  return out;
}

async function requireAccount(db: Db, accountNumber: string): Promise<void> {
  if ((await db.query(ACCOUNT_EXISTS, [accountNumber])).rowCount === 0) {
    throw new ClaimsError({ code: 'ACCOUNT_UNKNOWN', message: `no guarantor account ${accountNumber}`, found: accountNumber });
  }
}

export type OpenHoldOutcome = { status: 'opened'; holdId: string } | { status: 'already_open'; holdId: string; openedOn: string; reason: string };

/** Open a dispute or an assistance application. One open hold per kind: a second is reported, not added. */
export async function openAccountHold(db: Db, h: { accountNumber: string; kind: HoldKind; openedOn: string; reason: string; source: string }): Promise<OpenHoldOutcome> {
  await requireAccount(db, h.accountNumber);
  const inserted = await db.query<{ id: string }>(OPEN_HOLD, [h.accountNumber, h.kind, h.openedOn, h.reason, h.source]);
  const id = inserted.rows[0]?.id;
  if (id !== undefined) return { status: 'opened', holdId: id };
  const open = (await db.query<{ id: string; opened_on: string; reason: string }>(OPEN_HOLD_OF, [h.accountNumber, h.kind])).rows[0];
  if (!open) throw new ClaimsError({ code: 'HOLD_RACE', message: `hold on ${h.accountNumber} was neither inserted nor found; retry` });
  return { status: 'already_open', holdId: open.id, openedOn: open.opened_on, reason: open.reason };
}

/** Resolve the open holds of the account (of one kind, or all). Returns what was resolved. */
export async function resolveAccountHolds(db: Db, r: { accountNumber: string; kind?: HoldKind | null; resolvedOn: string; resolution: string }): Promise<{ holdId: string; kind: HoldKind }[]> {
  await requireAccount(db, r.accountNumber);
  const rows = await db.query<{ id: string; kind: HoldKind }>(RESOLVE_HOLDS, [r.accountNumber, r.kind ?? null, r.resolvedOn, r.resolution]);
  return rows.rows.map((x) => ({ holdId: x.id, kind: x.kind }));
}
