import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { acquireStartLock, identityOf, isAlive, pruneLeases, selfIdentity, writeLease } from '../../src/runtime/embedded-lock.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'claims-lock-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The pid of a process that has exited (and been reaped). */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
}

describe('isAlive', () => {
  it('knows this process, and not an exited one', () => {
    expect(isAlive(selfIdentity())).toBe(true);
    expect(isAlive({ pid: deadPid() })).toBe(false);
  });
  it.runIf(process.platform === 'linux')('treats a live pid with another start time as a different process', () => {
    const me = identityOf(process.pid);
    expect(me.startTime).toMatch(/^\d+$/);
    expect(isAlive({ pid: process.pid, startTime: String(Number(me.startTime) + 1) })).toBe(false);
  });
});

describe('start lock', () => {
  it('is exclusive: a second taker waits until the first releases', async () => {
    const lock = path.join(dir, 'a.lock');
    const release = await acquireStartLock(lock);
    let second = false;
    const waiting = acquireStartLock(lock).then((r) => {
      second = true;
      return r;
    });
    await new Promise((r) => setTimeout(r, 150));
    expect(second).toBe(false);
    release();
    const releaseSecond = await waiting;
    expect(second).toBe(true);
    expect(JSON.parse(readFileSync(lock, 'utf8')).pid).toBe(process.pid);
    releaseSecond();
    expect(existsSync(lock)).toBe(false);
  });

  it('breaks a lock whose holder is dead', async () => {
    const lock = path.join(dir, 'b.lock');
    writeFileSync(lock, JSON.stringify({ pid: deadPid() }));
    const release = await acquireStartLock(lock, { timeoutMs: 2_000 });
    expect(JSON.parse(readFileSync(lock, 'utf8')).pid).toBe(process.pid);
    release();
  });

  it('times out on a live holder, naming it', async () => {
    const lock = path.join(dir, 'c.lock');
    writeFileSync(lock, JSON.stringify(selfIdentity()));
    const err = await acquireStartLock(lock, { timeoutMs: 300 }).catch((e: unknown) => e);
    expect((err as { code: string }).code).toBe('EMBEDDED_LOCK_TIMEOUT');
    expect((err as { found: string }).found).toBe(`held by pid ${process.pid}`);
  });
});

describe('leases', () => {
  it('prunes leases of dead processes and counts the live ones', () => {
    const folder = path.join(dir, 'leases');
    mkdirSync(folder);
    const mine = writeLease(folder);
    writeFileSync(path.join(folder, '1-1.lease'), JSON.stringify({ pid: deadPid() }));
    expect(pruneLeases(folder)).toBe(1);
    expect(readdirSync(folder)).toEqual([path.basename(mine)]);
  });
});
