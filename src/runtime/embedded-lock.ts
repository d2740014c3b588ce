// Coordination between processes sharing one embedded server, with nothing but files: a start lock taken
// with O_EXCL (only one process starts, adopts or stops the server at a time) and one lease file per
// process using it. A holder is identified by pid plus its kernel start time, so a recycled pid of a
// killed process does not look alive.
import { closeSync, openSync, readFileSync, readdirSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';
import { ClaimsError } from '../common/errors.ts';

export interface ProcessIdentity {
  pid: number;
  /** Kernel start time (clock ticks since boot, /proc/PID/stat field 22); absent off Linux. */
  startTime?: string;
}

function procStat(pid: number): { state: string; startTime: string } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces and parentheses: fields resume after the last ')'.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    const state = fields[0];
    const startTime = fields[19];
    if (state === undefined || startTime === undefined) return undefined;
    return { state, startTime };
  } catch {
    return undefined;
  }
}

export function identityOf(pid: number): ProcessIdentity {
  const st = procStat(pid);
  return st ? { pid, startTime: st.startTime } : { pid };
}

export function selfIdentity(): ProcessIdentity {
  return identityOf(process.pid);
}

/** Alive, not a zombie, and (where we can tell) the same process that wrote the identity. */
export function isAlive(id: ProcessIdentity): boolean {
  if (!Number.isInteger(id.pid) || id.pid <= 0) return false;
  try {
    process.kill(id.pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const st = procStat(id.pid);
  if (st === undefined) return true; // no /proc: the signal probe is all we have
  // Orphans are reaped by PID 1, which in a container may never do it: a zombie is dead.
  if (st.state === 'Z' || st.state === 'X') return false;
  return id.startTime === undefined || id.startTime === st.startTime;
}

/** The name of a process's executable (Linux), to tell a postmaster from a recycled pid. */
export function commandOf(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return undefined;
  }
}

function parseIdentity(text: string): ProcessIdentity | undefined {
  try {
    const v = JSON.parse(text) as Partial<ProcessIdentity>;
    if (typeof v.pid !== 'number') return undefined;
    return v.startTime === undefined ? { pid: v.pid } : { pid: v.pid, startTime: String(v.startTime) };
  } catch {
    return undefined;
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function tryCreateLock(lockFile: string, me: ProcessIdentity): boolean {
  let fd: number;
  try {
    fd = openSync(lockFile, 'wx', 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
  try {
    writeSync(fd, JSON.stringify(me));
  } finally {
    closeSync(fd);
  }
  return true;
}

/**
 * Break a lock whose holder is dead. Renaming first and re-reading what we renamed makes it safe against
 * two processes breaking the same stale lock: only one rename succeeds, and if what we moved aside turns
 * out to be a fresh lock (the holder changed between our read and our rename), we put it back.
 */
function breakStaleLock(lockFile: string, seen: string): void {
  const aside = `${lockFile}.stale-${process.pid}`;
  try {
    renameSync(lockFile, aside);
  } catch {
    return;
  }
  let moved = '';
  try {
    moved = readFileSync(aside, 'utf8');
  } catch {
    /* gone already */
  }
  if (moved === seen) {
    try { unlinkSync(aside); } catch { /* ignore */ }
    return;
  }
  try {
    renameSync(aside, lockFile);
  } catch {
    /* ignore */
  }
}

/** How old an unreadable (half-written) lock must be before it counts as stale. */
const EMPTY_LOCK_GRACE_MS = 5_000;

/** Take the start lock, waiting for a live holder and breaking a dead one's. Returns the release function. */
export async function acquireStartLock(lockFile: string, opts: { timeoutMs?: number } = {}): Promise<() => void> {
  const me = selfIdentity();
  const deadline = Date.now() + (opts.timeoutMs ?? 120_000);
  let firstEmptySeen: number | undefined;
  let delayMs = 20;
  for (;;) {
    if (tryCreateLock(lockFile, me)) {
      return () => {
        try {
          const text = readFileSync(lockFile, 'utf8');
          if (parseIdentity(text)?.pid === me.pid) unlinkSync(lockFile);
        } catch {
          /* already gone */
        }
      };
    }
    let text: string;
    try {
      text = readFileSync(lockFile, 'utf8');
    } catch {
      continue; // released between our attempt and our read: try again at once
    }
    const holder = parseIdentity(text);
    if (holder === undefined) {
      firstEmptySeen ??= Date.now();
      if (Date.now() - firstEmptySeen > EMPTY_LOCK_GRACE_MS) breakStaleLock(lockFile, text);
    } else if (!isAlive(holder)) {
      breakStaleLock(lockFile, text);
      continue;
    }
    if (Date.now() > deadline) {
      throw new ClaimsError({ code: 'EMBEDDED_LOCK_TIMEOUT', message: `timed out waiting for the embedded server's start lock ${lockFile}`, found: holder ? `held by pid ${holder.pid}` : 'unreadable lock file' });
    }
    await sleep(delayMs);
    delayMs = Math.min(delayMs * 2, 200);
  }
}

/** The same, for exit handlers that cannot await: a few quick attempts, then give up. */
export function tryStartLockSync(lockFile: string, attempts = 50): (() => void) | undefined {
  const me = selfIdentity();
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (let i = 0; i < attempts; i++) {
    if (tryCreateLock(lockFile, me)) {
      return () => {
        try { unlinkSync(lockFile); } catch { /* ignore */ }
      };
    }
    try {
      const text = readFileSync(lockFile, 'utf8');
      const holder = parseIdentity(text);
      if (holder && !isAlive(holder)) {
        breakStaleLock(lockFile, text);
        continue;
      }
    } catch {
      continue;
    }
    Atomics.wait(pause, 0, 0, 20);
  }
  return undefined;
}

let leaseCounter = 0;

/** Record that this process uses the server. Returns the lease file path. Call with the start lock held. */
export function writeLease(leasesDir: string): string {
  const me = selfIdentity();
  const file = path.join(leasesDir, `${me.pid}-${++leaseCounter}.lease`);
  const fd = openSync(file, 'w', 0o600);
  try {
    writeSync(fd, JSON.stringify(me));
  } finally {
    closeSync(fd);
  }
  return file;
}

/** Remove leases of dead processes; return how many live ones remain. Call with the start lock held. */
export function pruneLeases(leasesDir: string): number {
  let live = 0;
  let names: string[];
  try {
    names = readdirSync(leasesDir);
  } catch {
    return 0;
  }
  for (const name of names) {
    if (!name.endsWith('.lease')) continue;
    const file = path.join(leasesDir, name);
    let holder: ProcessIdentity | undefined;
    try {
      holder = parseIdentity(readFileSync(file, 'utf8'));
    } catch {
      continue;
    }
    if (holder && isAlive(holder)) {
      live++;
    } else {
      try { unlinkSync(file); } catch { /* ignore */ }
    }
  }
  return live;
}

export function removeLease(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    /* already gone */
  }
}
