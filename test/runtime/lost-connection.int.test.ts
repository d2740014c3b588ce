// A pool client checked out (a transaction, the run lock's session) when its server dies: pg emits 'error'
// on it, and pg-pool listens only on idle clients, so without a listener of our own that error ends the
// process. Here it must not (vitest fails the file on an uncaught exception) and the next query must fail
// as DATABASE_UNREACHABLE. On a server of the test's own (its own CLAIMS_HOME), embedded pass only.
import { execFileSync } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { toClaimsError } from '../../src/common/errors.ts';
import { openDatabase, type Database } from '../../src/runtime/database.ts';
import { createLogger } from '../../src/runtime/logger.ts';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function alive(pid: number): boolean {
  try {
    // A killed postmaster may linger as a zombie: that is dead too.
    return !/\) Z /.test(execFileSync('cat', [`/proc/${pid}/stat`], { encoding: 'utf8' }));
  } catch {
    return false;
  }
}

describe.skipIf(!!process.env.DATABASE_URL)('a checked-out connection whose server dies', () => {
  let dir: string | undefined;
  let db: Database | undefined;

  afterAll(async () => {
    await db?.close().catch(() => undefined);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('does not end the process; its next query fails as DATABASE_UNREACHABLE', { timeout: 120_000 }, async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'claims-lost-conn-'));
    await chmod(dir, 0o755); // the server's own user must reach its cluster under HOME
    db = await openDatabase({ home: path.join(dir, 'home'), embedded: true, logger: createLogger({ level: 'silent', pretty: false }) });
    const client = await db.pool.connect();
    await client.query('BEGIN');
    const pid = db.server!.pid;
    process.kill(pid, 'SIGKILL');
    for (let i = 0; i < 200 && alive(pid); i++) await sleep(50);
    expect(alive(pid)).toBe(false);
    // The backend tells its idle client that the postmaster is gone (57P01) and hangs up: give the
    // client's 'error' event time to fire while nothing is waiting on it.
    await sleep(500);
    const err = await client.query('SELECT 1').then(() => null, (e: unknown) => e);
    client.release(true);
    expect(err).not.toBeNull();
    expect(toClaimsError(err).code).toBe('DATABASE_UNREACHABLE');
  });
});
