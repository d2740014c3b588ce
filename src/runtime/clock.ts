// An injectable clock, so tests and reruns can fix "today" (CLAIMS_NOW or --as-of).
import { config } from './config.ts';

export interface Clock {
  now(): Date;
  /** Today's date as YYYY-MM-DD (UTC). */
  today(): string;
}

export function fixedClock(at: string | Date): Clock {
  const d = typeof at === 'string' ? new Date(at.length === 10 ? `${at}T00:00:00Z` : at) : at;
  if (Number.isNaN(d.getTime())) throw new Error(`invalid clock time: ${String(at)}`);
  return { now: () => new Date(d.getTime()), today: () => d.toISOString().slice(0, 10) };
}

export const systemClock: Clock = {
  now: () => new Date(),
  today: () => new Date().toISOString().slice(0, 10),
};

/** The process clock: fixed by CLAIMS_NOW when set, else the system clock. */
export function defaultClock(): Clock {
  const now = config().now;
  return now ? fixedClock(now) : systemClock;
}
