// An injectable clock, so tests and reruns can fix "today" (CLAIMS_NOW or --as-of).
// "Today" is the office's calendar date: for the system clock the local date (TZ), for a fixed clock
// the date as written (`2024-02-29T23:10:00-05:00` is the 29th, although it is already March 1st in UTC).
// A nightly run started at 11 pm must not be dated tomorrow, and neither must the envelopes of the files it
// writes (`wallTime`: ISA09/ISA10, GS04/GS05, BHT04/BHT05 are the sender's local date and time).

export interface Clock {
  now(): Date;
  /** Today's date as YYYY-MM-DD: the business date runs, statements and postings use. */
  today(): string;
  /** Now on the office's wall clock: the date and time X12 envelopes and BHT carry. */
  wallTime(): WallTime;
}

/** A date and time as a wall clock shows them, in X12's forms. */
export interface WallTime {
  /** CCYYMMDD */
  date: string;
  /** HHMM */
  time: string;
}

/** The wall time of an instant in UTC (what a fixed clock given a Date, not text, shows). */
export function utcWallTime(d: Date): WallTime {
  return { date: `${pad(d.getUTCFullYear(), 4)}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}`, time: `${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}` };
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
  // Text is taken as written, in its own offset: `2024-02-29T23:10:00-05:00` is 23:10 on the 29th.
  const m = typeof at === 'string' ? /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2}))?/.exec(at) : null;
  const today = m ? `${m[1]}-${m[2]}-${m[3]}` : d.toISOString().slice(0, 10);
  const wall: WallTime = m ? { date: `${m[1]}${m[2]}${m[3]}`, time: `${m[4] ?? '00'}${m[5] ?? '00'}` } : utcWallTime(d);
  return { now: () => new Date(d.getTime()), today: () => today, wallTime: () => ({ ...wall }) };
}

export const systemClock: Clock = {
  now: () => new Date(),
  today: () => localDate(new Date()),
  wallTime: () => {
    const d = new Date();
    return { date: localDate(d).replaceAll('-', ''), time: `${pad(d.getHours())}${pad(d.getMinutes())}` };
  },
};
