// Acting as a database role in tests of roles and row-level security: one connection, SET ROLE, back after.
import type pg from 'pg';

/** Run `fn` on one connection of `pool` acting as `role` (SET ROLE), then back to the connecting user. */
export async function asRole<T>(pool: pg.Pool, role: string, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
  const c = await pool.connect();
  try {
    await c.query(`SET ROLE ${c.escapeIdentifier(role)}`);
    return await fn(c);
  } finally {
    await c.query('RESET ROLE').catch(() => undefined);
    c.release();
  }
}
