// Agency flags on a guarantor account (account_flags): set and cleared by `claims account ACCOUNT flag`, read
// by the referral rules as of a date (placement.ts), and bankruptcy also as a hold (patients/holds.ts).
import type pg from 'pg';
import { CLEAR_FLAG, SET_FLAG } from './sql.ts';

/** The flags the table's CHECK allows. */
export const ACCOUNT_FLAGS: readonly string[] = ['deceased', 'bankruptcy', 'attorney', 'workers_comp', 'accident'];

/** Set from `setOn`; the same flag set on the same date again changes nothing. */
export async function setAccountFlag(pool: pg.Pool, accountNumber: string, flag: string, setOn: string, note: string | null): Promise<void> {
  await pool.query(SET_FLAG, [accountNumber, flag, setOn, note]);
}

/** Clear it from `clearedOn`; a setting dated after `clearedOn` stays. */
export async function clearAccountFlag(pool: pg.Pool, accountNumber: string, flag: string, clearedOn: string): Promise<void> {
  await pool.query(CLEAR_FLAG, [accountNumber, flag, clearedOn]);
}
