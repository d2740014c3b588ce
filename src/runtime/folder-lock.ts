// Owns "one process at a time in this folder": a session advisory lock in the database keyed by a purpose
// and the folder's real path, held on a dedicated connection until released. Processes (two exports, two
// pipelines naming one folder through different paths or symlinks) meet on the key, not on a pipeline name;
// a process that dies loses its connection and with it the lock, so a crashed holder never blocks anyone.
// Decision 0045.
import { mkdir, realpath } from 'node:fs/promises';
import type { Pool, PoolClient } from 'pg';
import { ClaimsError } from '../common/errors.ts';
import type { ErrorCode } from '../common/error-codes.ts';
import type { Logger } from './logger.ts';
import { FOLDER_LOCK_SQL } from './sql.ts';

/** First key of the two-key advisory lock: the namespace "folders" ('fold' in ASCII; pipeline runs use 'runs'). */
const FOLDER_LOCK_NAMESPACE = 0x666f6c64;
const POLL_MS = 200;

export interface FolderLockOptions {
  /** Names what the holder does there (part of the key): 'claims-outbox'. Another purpose does not conflict. */
  purpose: string;
  /** How long to wait while another process holds it; 0 fails at once. */
  waitMs: number;
  /** The code of the error when the wait runs out. */
  busyCode: ErrorCode;
  logger?: Logger;
  signal?: AbortSignal;
}

export interface FolderLock {
  /** The folder's real path (the key). */
  readonly folder: string;
  /**
   * Throws unless the lock is still ours: its connection answers. Call right before a step that is safe
   * only under the lock (publishing files another process's recovery would otherwise treat as its own).
   */
  verify(): Promise<void>;
  release(): Promise<void>;
}

/** Create `dir` (owner-only) if need be, and take its lock for `purpose`, waiting at most `waitMs`. */
export async function lockFolder(pool: Pool, dir: string, opts: FolderLockOptions): Promise<FolderLock> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const folder = await realpath(dir);
  const key = `${opts.purpose}:${folder}`;
  const client = await pool.connect();
  // A broken connection emits 'error' on the checked-out client: without a listener that ends the process.
  let lost: Error | undefined;
  client.on('error', (err) => (lost = err));
  try {
    await acquire(client, key, folder, opts);
  } catch (err) {
    client.release(true);
    throw err;
  }
  let released = false;
  return {
    folder,
    async verify() {
      try {
        if (lost) throw lost;
        await client.query(FOLDER_LOCK_SQL.alive);
      } catch (err) {
        throw new ClaimsError({
          code: 'DATABASE_UNREACHABLE',
          message: `lost the database connection that holds the ${opts.purpose} lock on ${folder}: stopping before touching what the lock protects`,
          cause: err,
        });
      }
    },
    async release() {
      if (released) return;
      released = true;
      try {
        if (lost) throw lost;
        await client.query(FOLDER_LOCK_SQL.unlock, [FOLDER_LOCK_NAMESPACE, key]);
        client.release();
      } catch (err) {
        // The session is gone or unknown: its locks go with it; never hand the connection to anyone else.
        client.release(err as Error);
      }
    },
  };
}

async function acquire(client: PoolClient, key: string, folder: string, opts: FolderLockOptions): Promise<void> {
  const deadline = Date.now() + opts.waitMs;
  let told = false;
  for (;;) {
    const { rows } = await client.query<{ locked: boolean }>(FOLDER_LOCK_SQL.tryLock, [FOLDER_LOCK_NAMESPACE, key]);
    if (rows[0]?.locked) return;
    if (opts.signal?.aborted || Date.now() >= deadline) {
      throw new ClaimsError({
        code: opts.busyCode,
        message: `${folder} is in use by another process (${opts.purpose})${waited(opts.waitMs)}: try again when it has finished`,
      });
    }
    if (!told) {
      told = true;
      opts.logger?.warn({ folder, purpose: opts.purpose, waitMs: opts.waitMs }, 'folder in use by another process: waiting for it');
    }
    await new Promise((r) => setTimeout(r, Math.min(POLL_MS, Math.max(0, deadline - Date.now()))));
  }
}

function waited(ms: number): string {
  if (ms <= 0) return '';
  return ms >= 1000 ? `; waited ${Math.round(ms / 1000)} s` : `; waited ${ms} ms`;
}
