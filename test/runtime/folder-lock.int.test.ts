// The folder lock (src/runtime/folder-lock.ts, decision 0045) on a real server: one holder per folder and
// purpose, whatever path names the folder; a waiter gets it when the holder lets go; a holder whose
// connection is gone finds out before it acts on the folder.
import { mkdir, mkdtemp, realpath, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lockFolder, type FolderLockOptions } from '../../src/runtime/folder-lock.ts';
import { useTestDatabase } from '../support/db.ts';

const db = await useTestDatabase();
let dir: string;
const opts: FolderLockOptions = { purpose: 'claims-outbox', waitMs: 0, busyCode: 'OUTBOX_BUSY' };

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'folder-lock-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('lockFolder', () => {
  it('refuses a second holder of the same folder, also through a symlink, with the caller\'s code', async () => {
    const outbox = path.join(dir, 'a', 'outbox');
    const first = await lockFolder(db.pool, outbox, opts);
    expect(first.folder).toBe(await realpath(outbox));
    await symlink(outbox, path.join(dir, 'link'));
    const err = await lockFolder(db.pool, path.join(dir, 'link'), opts).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'OUTBOX_BUSY' });
    expect((err as Error).message).toContain(first.folder);
    // Another purpose, or another folder, is not in the way.
    const other = await lockFolder(db.pool, outbox, { ...opts, purpose: 'something-else' });
    const elsewhere = await lockFolder(db.pool, path.join(dir, 'b'), opts);
    await other.release();
    await elsewhere.release();
    await first.release();
    const again = await lockFolder(db.pool, path.join(dir, 'link'), opts);
    await again.release();
  });

  it('lets a waiter in as soon as the holder releases', async () => {
    const outbox = path.join(dir, 'wait');
    const holder = await lockFolder(db.pool, outbox, opts);
    const waiter = lockFolder(db.pool, outbox, { ...opts, waitMs: 30_000 });
    let got = false;
    void waiter.then(() => (got = true));
    await new Promise((r) => setTimeout(r, 500));
    expect(got).toBe(false);
    await holder.release();
    const lock = await waiter;
    await lock.verify();
    await lock.release();
  });

  it('gives up after its wait', async () => {
    const outbox = path.join(dir, 'timeout');
    const holder = await lockFolder(db.pool, outbox, opts);
    const started = Date.now();
    await expect(lockFolder(db.pool, outbox, { ...opts, waitMs: 400 })).rejects.toMatchObject({ code: 'OUTBOX_BUSY' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(400);
    await holder.release();
  });

  it('verify fails once the holding session is gone (its lock went with it), and a new holder gets in', async () => {
    await mkdir(path.join(dir, 'lost'));
    const holder = await lockFolder(db.pool, path.join(dir, 'lost'), opts);
    const { rows } = await db.pool.query<{ pid: number }>(
      "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND classid = x'666f6c64'::int::oid AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
    );
    expect(rows).toHaveLength(1);
    await db.pool.query('SELECT pg_terminate_backend($1)', [rows[0]!.pid]);
    await expect(holder.verify()).rejects.toMatchObject({ code: 'DATABASE_UNREACHABLE' });
    const next = await lockFolder(db.pool, path.join(dir, 'lost'), opts);
    await next.release();
    await holder.release();
  });
});
