// Control numbers (ISA13, GS06, ST02) come from the database: unique per sender and receiver for ever, also
// when two processes submit at once (DOMAIN.md, Envelopes). Each allocation is its own short statement in
// autocommit, so a long submit never holds the counter row's lock and a crashed run leaves a gap, not a repeat.
import type { Pool } from 'pg';
import { ClaimsError } from '../common/errors.ts';
import { NEXT_CONTROL_NUMBER } from './sql.ts';

export type ControlNumberKind = 'ISA' | 'GS' | 'ST';

export interface ControlNumbers {
  next(senderId: string, receiverId: string, kind: ControlNumberKind): Promise<bigint>;
}

const CONTROL_NUMBER_MAX = 999_999_999n;

export function postgresControlNumbers(pool: Pool): ControlNumbers {
  return {
    async next(senderId, receiverId, kind) {
      try {
        const { rows } = await pool.query<{ value: string }>(NEXT_CONTROL_NUMBER, [senderId, receiverId, kind]);
        return BigInt(rows[0]!.value);
      } catch (err) {
        // The CHECK on last_value refuses the billionth number: say so instead of wrapping around.
        if ((err as { code?: string }).code === '23514') {
          throw new ClaimsError({
            code: 'CONTROL_NUMBERS_EXHAUSTED',
            message: `${kind} control numbers from ${senderId} to ${receiverId} are used up`,
            expected: `at most ${CONTROL_NUMBER_MAX}`,
            cause: err,
          });
        }
        throw err;
      }
    },
  };
}

/** In memory, for the benchmark's core timing and unit tests: unique within the process only. */
export function memoryControlNumbers(start: Partial<Record<ControlNumberKind, bigint>> = {}): ControlNumbers {
  const counters = new Map<string, bigint>();
  return {
    async next(senderId, receiverId, kind) {
      const key = `${senderId}\u0000${receiverId}\u0000${kind}`;
      const value = (counters.get(key) ?? start[kind] ?? 0n) + 1n;
      if (value > CONTROL_NUMBER_MAX) throw new ClaimsError({ code: 'CONTROL_NUMBERS_EXHAUSTED', message: `${kind} control numbers are used up` });
      counters.set(key, value);
      return value;
    },
  };
}
