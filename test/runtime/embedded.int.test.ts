// The embedded server's lifecycle with real processes: start and stop, sharing between two commands,
// recovery after SIGKILL (of the owner alone, and of the owner and the server), simultaneous starts,
// a stale start lock, and a home under a folder the postgres user cannot enter.
// Each test has its own CLAIMS_HOME, hence its own server (not the run's shared test server).
import { type ChildProcessWithoutNullStreams, execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/runtime/database.ts';
import { shippedBinaries } from '../../src/runtime/embedded-layout.ts';
import { acquireEmbeddedServer } from '../../src/runtime/embedded-server.ts';
import { createLogger } from '../../src/runtime/logger.ts';

const FIXTURE = fileURLToPath(new URL('./fixtures/hold-database.ts', import.meta.url));
const isRoot = process.getuid?.() === 0;
const cleanup: string[] = [];
const serverPids = new Set<number>();

afterAll(async () => {
  // A failed test must not leave servers behind.
  for (const pid of serverPids) {
    try { process.kill(pid, 'SIGQUIT'); } catch { /* gone */ }
  }
  for (const dir of cleanup) await rm(dir, { recursive: true, force: true });
});

async function freshHome(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'claims-embedded-'));
  cleanup.push(dir);
  await chmod(dir, 0o755); // mkdtemp makes it 0700, which would send the cluster to the fallback
  return path.join(dir, 'home');
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    // A killed postmaster is reparented and may linger as a zombie: that is dead too.
    const stat = execFileSync('cat', [`/proc/${pid}/stat`], { encoding: 'utf8' });
    return !/\) Z /.test(stat);
  } catch {
    return false;
  }
}

async function waitDead(pid: number, ms = 10_000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (!alive(pid)) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

interface Holder {
  child: ChildProcessWithoutNullStreams;
  next(): Promise<Record<string, unknown>>;
  send(line: string): void;
  exited: Promise<number | null>;
  stderr(): string;
}

function hold(home: string): Holder {
  const env: NodeJS.ProcessEnv = { ...process.env, CLAIMS_HOME: home, CLAIMS_LOG_FORMAT: 'json' };
  delete env.DATABASE_URL;
  const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE], {
    env,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return {
    child,
    async next() {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`holder said nothing for 30 s; its stderr:\n${err}`)), 30_000);
      });
      const r = await Promise.race([lines.next(), timeout]).finally(() => clearTimeout(timer));
      if (r.done) throw new Error(`holder exited early: ${err}`);
      const msg = JSON.parse(r.value) as Record<string, unknown>;
      if (typeof msg.pid === 'number') serverPids.add(msg.pid);
      return msg;
    },
    send: (line) => child.stdin.write(line + '\n'),
    exited,
    stderr: () => err,
  };
}

async function closeHolder(h: Holder): Promise<void> {
  h.send('close');
  expect(await h.next()).toEqual({ event: 'closed' });
  expect(await h.exited).toBe(0);
}

describe('embedded server', () => {
  it('starts for a process and stops when it closes', async () => {
    const home = await freshHome();
    const db = await openDatabase({ home, embedded: true, logger: createLogger({ level: 'silent', pretty: false }) });
    const pid = db.server!.pid;
    serverPids.add(pid);
    expect(db.embedded).toBe(true);
    expect(db.server!.startedHere).toBe(true);
    const r = await db.pool.query('SELECT current_database() AS d, current_setting($1) AS listen', ['listen_addresses']);
    expect(r.rows).toEqual([{ d: 'claims', listen: '127.0.0.1' }]);
    expect(alive(pid)).toBe(true);
    await db.close();
    expect(await waitDead(pid)).toBe(true);
    expect(existsSync(path.join(home, 'pg', 'server.json'))).toBe(false);
    expect(readdirSync(path.join(home, 'pg', 'leases'))).toEqual([]);
  });

  it('is shared by a second process, and stopped by the last one out', async () => {
    const home = await freshHome();
    const first = hold(home);
    const a = await first.next();
    expect(a).toMatchObject({ event: 'open', startedHere: true });
    const second = hold(home);
    const b = await second.next();
    expect(b).toMatchObject({ event: 'open', startedHere: false, pid: a.pid, port: a.port });
    await closeHolder(first);
    // The first one out leaves the server running for the second.
    expect(alive(a.pid as number)).toBe(true);
    second.send('query');
    expect(await second.next()).toEqual({ event: 'query', n: 42 });
    await closeHolder(second);
    expect(await waitDead(a.pid as number)).toBe(true);
  });

  it('reuses the server of an owner killed with SIGKILL, then stops it', async () => {
    const home = await freshHome();
    const owner = hold(home);
    const a = await owner.next();
    owner.child.kill('SIGKILL');
    await owner.exited;
    expect(alive(a.pid as number)).toBe(true);
    const next = hold(home);
    const b = await next.next();
    expect(b).toMatchObject({ event: 'open', startedHere: false, pid: a.pid, port: a.port });
    await closeHolder(next);
    expect(await waitDead(a.pid as number)).toBe(true);
    expect(readdirSync(path.join(home, 'pg', 'leases'))).toEqual([]);
  });

  it('starts again after the owner and the server were both killed', async () => {
    const home = await freshHome();
    const owner = hold(home);
    const a = await owner.next();
    owner.child.kill('SIGKILL');
    process.kill(a.pid as number, 'SIGKILL');
    await owner.exited;
    expect(await waitDead(a.pid as number)).toBe(true);
    expect(existsSync(path.join(home, 'pg', 'data', 'postmaster.pid'))).toBe(true);
    const next = hold(home);
    const b = await next.next();
    expect(b).toMatchObject({ event: 'open', startedHere: true });
    expect(b.pid).not.toBe(a.pid);
    next.send('query');
    expect(await next.next()).toEqual({ event: 'query', n: 42 });
    await closeHolder(next);
    expect(await waitDead(b.pid as number)).toBe(true);
  });

  it('starts one server when two processes start at the same moment', async () => {
    const home = await freshHome();
    const [x, y] = [hold(home), hold(home)];
    const [a, b] = await Promise.all([x.next(), y.next()]);
    expect(a.pid).toBe(b.pid);
    expect([a.startedHere, b.startedHere].sort()).toEqual([false, true]);
    await Promise.all([closeHolder(x), closeHolder(y)]);
    expect(await waitDead(a.pid as number)).toBe(true);
  });

  it('stops the server when its only user is interrupted with SIGINT', async () => {
    const home = await freshHome();
    const h = hold(home);
    const a = await h.next();
    h.child.kill('SIGINT');
    await h.exited;
    expect(h.child.signalCode).toBe('SIGINT');
    expect(await waitDead(a.pid as number)).toBe(true);
    expect(readdirSync(path.join(home, 'pg', 'leases'))).toEqual([]);
    expect(existsSync(path.join(home, 'pg', 'server.json'))).toBe(false);
  });

  it('breaks a start lock left by a dead process', async () => {
    const home = await freshHome();
    await mkdir(path.join(home, 'pg'), { recursive: true });
    // pid 2^22+1 is above Linux's pid_max default ceiling: never a live process.
    await writeFile(path.join(home, 'pg', 'start.lock'), JSON.stringify({ pid: 4194305 }));
    const h = hold(home);
    const a = await h.next();
    expect(a).toMatchObject({ event: 'open', startedHere: true });
    await closeHolder(h);
    expect(existsSync(path.join(home, 'pg', 'start.lock'))).toBe(false);
  });
});

describe.runIf(isRoot)('embedded server under a folder the postgres user cannot enter', () => {
  it('moves the cluster and the binaries to the temp folder, and says so', async () => {
    const parent = await mkdtemp(path.join(os.tmpdir(), 'claims-private-'));
    cleanup.push(parent);
    await chmod(parent, 0o700);
    const home = path.join(parent, 'checkout', '.claims');
    // A copy of the binaries inside the private folder stands for node_modules of a private checkout.
    const privateNative = path.join(parent, 'checkout', 'native');
    await mkdir(path.dirname(privateNative), { recursive: true });
    execFileSync('cp', ['-a', (await shippedBinaries()).nativeDir, privateNative]);

    const lines: string[] = [];
    const log = createLogger({ level: 'info', destination: { write: (s: string) => void lines.push(s) } });
    const server = await acquireEmbeddedServer({ home, logger: log, nativeDir: privateNative });
    serverPids.add(server.pid);
    try {
      const messages = lines.map((l) => (JSON.parse(l) as { msg: string }).msg);
      expect(messages.some((m) => m.includes(`cannot enter ${parent}`))).toBe(true);
      expect(messages.some((m) => m.includes('cannot reach the shipped PostgreSQL binaries'))).toBe(true);
      expect(server.dataDir.startsWith(path.join(os.tmpdir(), 'claims-pg-'))).toBe(true);
      const ps = execFileSync('ps', ['-o', 'user=,args=', '-p', String(server.pid)], { encoding: 'utf8' });
      expect(ps).toMatch(/^postgres\s/);
      expect(ps).toContain(path.join(os.tmpdir(), 'claims-pg-bin-'));
    } finally {
      await server.release();
      await rm(path.dirname(server.dataDir), { recursive: true, force: true });
    }
    expect(await waitDead(server.pid)).toBe(true);
  });
});
