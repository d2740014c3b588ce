// Run the `claims` binary as a child process, the way a user or a scheduler would: for exit codes,
// stdout/stderr contracts and crash tests (spawnCli gives the process, to kill it at a failpoint).
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLAIMS_NODE_FLAGS } from '../../src/runtime/node-flags.ts';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const CLI_BIN = path.join(REPO_ROOT, 'bin', 'claims.mjs');

export interface CliOptions {
  /** Added to (or, with undefined, removed from) this process's environment. Pass DATABASE_URL here. */
  env?: Record<string, string | undefined>;
  /** Working directory (default: the repository root). */
  cwd?: string;
  /** Written to stdin, which is then closed. */
  input?: string | Uint8Array;
  /** Kill the child with SIGKILL after this long (default 60 s). */
  timeoutMs?: number;
}

export interface CliResult {
  /** Exit code; null when the process died from a signal. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function childEnv(extra: CliOptions['env']): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const [k, v] of Object.entries(extra ?? {})) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

/** Start `node FLAGS bin/claims.mjs ...args` (the flags the command's own first line gives) and return the process (stdin left open unless `input` is given). */
export function spawnCli(args: string[], opts: CliOptions = {}): ChildProcessWithoutNullStreams {
  const child = spawn(process.execPath, [...CLAIMS_NODE_FLAGS, CLI_BIN, ...args], {
    cwd: opts.cwd ?? REPO_ROOT,
    env: childEnv(opts.env),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  if (opts.input !== undefined) child.stdin.end(opts.input);
  return child;
}

/** Collect a spawned process's output and wait for it to end. */
export function collect(child: ChildProcessWithoutNullStreams, timeoutMs = 60_000): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** Run the CLI to completion: `const r = await runCli(['db', 'status', '--json'], { env: { DATABASE_URL: db.url } })`. */
export function runCli(args: string[], opts: CliOptions = {}): Promise<CliResult> {
  const child = spawnCli(args, { ...opts, input: opts.input ?? '' });
  return collect(child, opts.timeoutMs);
}
