// An injectable clock, so tests and reruns can fix "today" (CLAIMS_NOW or --as-of).
// "Today" is the office's calendar date: for the system clock the local date (TZ), for a fixed clock
// the date as written (`2024-02-29T23:10:00-05:00` is the 29th, although it is already March 1st in UTC).
// A nightly run started at 11 pm must not be dated tomorrow.
import { config } from './config.ts';

export interface Clock {
  now(): Date;
  /** Today's date as YYYY-MM-DD: the business date runs, statements and postings use. */
  today(): string;
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** The local calendar date of an instant (the process's TZ). */
export function localDate(d: Date): string {
  return `${pad(d.getFullYear(), 4)}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

export function fixedClock(at: string | Date): Clock {
  const d = typeof at === 'string' ? new Date(at.length === 10 ? `${at}T00:00:00Z` : at) : at;
  if (Number.isNaN(d.getTime())) throw new Error(`invalid clock time: ${String(at)}`);
  const written = typeof at === 'string' && /^\d{4}-\d{2}-\d{2}/.test(at) ? at.slice(0, 10) : undefined;
  const today = written ?? d.toISOString().slice(0, 10);
  return { now: () => new Date(d.getTime()), today: () => today };
}

export const systemClock: Clock = {
  now: () => new Date(),
  today: () => localDate(new Date()),
};

/** The process clock: fixed by CLAIMS_NOW when set, else the system clock. */
export function defaultClock(): Clock {
  const now = config().now;
  return now ? fixedClock(now) : systemClock;
}
