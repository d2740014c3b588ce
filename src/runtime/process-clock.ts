// The process clock: fixed by CLAIMS_NOW when set (src/runtime/config.ts), else the system clock. The
// clock itself (src/common/clock.ts) knows nothing of the environment.
import { fixedClock, systemClock, type Clock } from '../common/clock.ts';
import { config } from './config.ts';

export function defaultClock(): Clock {
  const now = config().now;
  return now ? fixedClock(now) : systemClock;
}
