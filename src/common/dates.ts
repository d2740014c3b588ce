// Calendar dates as YYYY-MM-DD strings, with whole-day arithmetic in UTC. Statement cycles, plan
// schedules and secondary timeouts count days, never hours, so time zones must not move a boundary.
//
// The one rule for what a date is, everywhere (claim records, pipeline files, the ledger, CLAIMS_NOW, X12
// envelopes and transactions): YYYY-MM-DD in ASCII digits naming a day of the proleptic Gregorian calendar,
// years 0001 to 9999. Years below 100 are those years, never 19xx: 0050-06-15 is in AD 50, and 0004-02-29
// exists. Date.UTC and the multi-argument Date constructor would read them as 1950 and 1904, so nothing here
// goes through those. Year 0000 is refused: PostgreSQL's date has no year zero (1 BC comes just before AD 1),
// so a date we accepted there could not be stored. X12 writes the same dates as CCYYMMDD (isoFromD8).
import { z } from 'zod';
import { ClaimsError, type Location } from './errors.ts';

/** A date that passed isIsoDate; as a value, the zod schema for one (claim records, payer profiles). */
export type IsoDate = string;

const DAY_MS = 86_400_000;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;
/** What JSON Schema can say of a date; the calendar part is the refinement on top. */
const ISO_DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/;

const isLeapYear = (year: number): boolean => year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);

function daysInMonth(year: number, month: number): number {
  return month === 2 && isLeapYear(year) ? 29 : (DAYS_IN_MONTH[month - 1] as number);
}

/**
 * The ASCII digits text[start..end) as a number, or -1 if any is something else. The ledger checks a date
 * per line of million-line batches, so this reads char codes instead of running a regex.
 */
function digitsAt(text: string, start: number, end: number): number {
  let n = 0;
  for (let i = start; i < end; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return -1;
    n = n * 10 + digit;
  }
  return n;
}

/** A -1 from digitsAt fails every comparison here, so malformed parts need no check of their own. */
function isCalendarDay(year: number, month: number, day: number): boolean {
  return year >= 1 && month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

/** True for a date by the rule in the header. */
export function isIsoDate(text: string): boolean {
  return text.length === 10 && text[4] === '-' && text[7] === '-'
    && isCalendarDay(digitsAt(text, 0, 4), digitsAt(text, 5, 7), digitsAt(text, 8, 10));
}

/** X12 CCYYMMDD (a D8 date, GS04, BPR16...) as YYYY-MM-DD, or null when it is not a date by the same rule. */
export function isoFromD8(text: string): IsoDate | null {
  if (text.length !== 8 || !isCalendarDay(digitsAt(text, 0, 4), digitsAt(text, 4, 6), digitsAt(text, 6, 8))) return null;
  return `${text.slice(0, 4)}-${text.slice(4, 6)}-${text.slice(6, 8)}`;
}

/**
 * The zod schema of a date. The format message is a parameter only because pipeline files have always
 * worded it differently ("expected a date as YYYY-MM-DD"); the rule is isIsoDate either way. Not
 * z.iso.date(): it accepts year 0000, and its JSON Schema (format, a long pattern) would change the
 * published schemas.
 */
export function isoDateSchema(formatMessage = 'expected a date YYYY-MM-DD') {
  return z.string().regex(ISO_DATE_PATTERN, formatMessage).refine(isIsoDate, 'not a calendar date');
}

export const IsoDate = isoDateSchema();

/** Milliseconds at UTC midnight; setUTCFullYear takes the year as given, where Date.UTC maps 0-99 to 19xx. */
function utcMidnight(year: number, month: number, day: number): number {
  const t = new Date(0);
  t.setUTCFullYear(year, month - 1, day);
  return t.getTime();
}

/** Days since 1970-01-01 for a valid YYYY-MM-DD; throws DATE_INVALID otherwise. */
export function dayNumber(date: IsoDate, location: Location = {}): number {
  if (isIsoDate(date)) return utcMidnight(digitsAt(date, 0, 4), digitsAt(date, 5, 7), digitsAt(date, 8, 10)) / DAY_MS;
  throw new ClaimsError({
    code: 'DATE_INVALID',
    message: `not a calendar date: ${JSON.stringify(date)}`,
    location,
    expected: 'YYYY-MM-DD',
    found: date,
  });
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
  const month = (index % 12) + 1;
  return fromDayNumber(utcMidnight(year, month, Math.min(d, daysInMonth(year, month))) / DAY_MS);
}

export function maxDate(a: IsoDate, b: IsoDate): IsoDate {
  return a >= b ? a : b;
}
