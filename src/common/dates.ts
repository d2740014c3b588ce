// Calendar dates as YYYY-MM-DD strings, with whole-day arithmetic in UTC. Statement cycles, plan
// schedules and secondary timeouts count days, never hours, so time zones must not move a boundary.
import { ClaimsError, type Location } from './errors.ts';

export type IsoDate = string;

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 86_400_000;

/** Days since 1970-01-01 for a valid YYYY-MM-DD; throws DATE_INVALID otherwise. */
export function dayNumber(date: IsoDate, location: Location = {}): number {
  const m = ISO_DATE.exec(date);
  if (m) {
    const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
    const ms = Date.UTC(y, mo - 1, d);
    const back = new Date(ms);
    if (back.getUTCFullYear() === y && back.getUTCMonth() === mo - 1 && back.getUTCDate() === d) return ms / DAY_MS;
  }
  throw new ClaimsError({
    code: 'DATE_INVALID',
    message: `not a calendar date: ${JSON.stringify(date)}`,
    location,
    expected: 'YYYY-MM-DD',
    found: date,
  });
}

export function isIsoDate(text: string): boolean {
  try {
    dayNumber(text);
    return true;
  } catch {
    return false;
  }
}

export function fromDayNumber(day: number): IsoDate {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

export function addDays(date: IsoDate, days: number): IsoDate {
  return fromDayNumber(dayNumber(date) + days);
}

/** Whole days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: IsoDate, to: IsoDate): number {
  return dayNumber(to) - dayNumber(from);
}

/**
 * The same day `months` later, clamped to the month's last day (Jan 31 + 1 month = Feb 28/29), always
 * counted from the anchor date so a schedule does not drift after a short month.
 */
export function addMonths(date: IsoDate, months: number): IsoDate {
  dayNumber(date);
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const index = y * 12 + (m - 1) + months;
  const year = Math.floor(index / 12);
  const month = index % 12;
  const last = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  return fromDayNumber(Date.UTC(year, month, Math.min(d, last)) / DAY_MS);
}

export function maxDate(a: IsoDate, b: IsoDate): IsoDate {
  return a >= b ? a : b;
}
