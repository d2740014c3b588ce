// The CLI convention, through the binary, for what runs without a database: `claims --version`, `--json` on
// every command that prints (one JSON document on stdout, logs on stderr), money as integer cents.
// DATABASE_URL names a port nothing listens on, so a command that reached for a database would fail here.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, runCli } from '../support/cli.ts';
import { moneyConventionProblems } from '../support/json-money.ts';
import { commands } from '../../src/cli/commands/index.ts';

let dir: string;
let env: Record<string, string>;
beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'cli-json-'));
  env = { DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none', CLAIMS_HOME: path.join(dir, 'home'), CLAIMS_LOG_LEVEL: 'error' };
});
afterAll(async () => {
  if (dir) await fs.rm(dir, { recursive: true, force: true });
});

const sample = (p: string): string => path.join(REPO_ROOT, 'samples', p);
// Each case starts the binary (tsx compiling on the fly): slow on a busy machine.
const SLOW = { timeout: 180_000 };

/** Runs the command and returns its stdout parsed: it must be one JSON document and nothing else. */
async function jsonOf(args: string[], expectedCode: number, extraEnv: Record<string, string> = {}): Promise<unknown> {
  const r = await runCli(args, { env: { ...env, ...extraEnv }, timeoutMs: 170_000 });
  expect(r.code, r.stderr).toBe(expectedCode);
  expect(r.stdout.endsWith('}\n') || r.stdout.endsWith(']\n'), r.stdout.slice(-200)).toBe(true);
  const doc = JSON.parse(r.stdout) as unknown;
  expect(moneyConventionProblems(doc)).toEqual([]);
  return doc;
}

describe('claims --version', SLOW, () => {
  it('prints the package version and exits 0, without a database', async () => {
    const pkg = JSON.parse(await fs.readFile(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
    for (const flag of ['--version', '-V']) {
      const r = await runCli([flag], { env, timeoutMs: 80_000 });
      expect([r.code, r.stdout, r.stderr]).toEqual([0, `claims-pipeline ${pkg.version}\n`, '']);
    }
    // Nothing was started under CLAIMS_HOME (an embedded server would have made its folder).
    await expect(fs.access(env.CLAIMS_HOME!)).rejects.toThrow();
  });

  it('is listed in `claims --help`', async () => {
    const r = await runCli(['--help'], { env, timeoutMs: 170_000 });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('-V, --version');
  });
});

describe('--json', SLOW, () => {
  it('is in the help of every command', () => {
    for (const c of commands) expect(c.help, c.name).toContain('--json');
  });

  it('claims inspect: one document for all the files', async () => {
    const doc = await jsonOf(['inspect', '--json', sample('835/acme-2024-03-08.x12'), sample('271/mixed-three-sets.x12')], 0) as { files: { file: string }[] };
    expect(doc.files).toHaveLength(2);
  });

  it('claims submit --dry-run: the summary, charges as integer cents', async () => {
    const doc = await jsonOf(['submit', sample('claims/01-export.ndjson'), '--dry-run', '--threads', '0', '--payers', sample('payers'),
      '--out', path.join(dir, 'outbox'), '--as-of', '2024-03-31T12:00:00Z', '--json'], 3) as { sent: number; chargeCents: unknown };
    expect(doc.sent).toBe(12);
    expect(Number.isSafeInteger(doc.chargeCents)).toBe(true);
    expect(doc.chargeCents).toBeGreaterThan(0);
  });

  it('claims eligibility-requests: the summary, even when no visit is ahead (no database needed then)', async () => {
    const doc = await jsonOf(['eligibility-requests', sample('appointments/upcoming.ndjson'), '--out', path.join(dir, 'outbox'), '--json'], 3,
      { CLAIMS_NOW: '2099-01-01T00:00:00Z' }) as { requests: number; skippedPast: number };
    expect([doc.requests, doc.skippedPast]).toEqual([0, 5]);
  });

  it('claims run: an invalid pipeline file is reported as JSON, exit 2', async () => {
    const file = path.join(dir, 'broken.json');
    await fs.writeFile(file, '{"name": "x", "stages": 3}');
    const doc = await jsonOf(['run', file, '--json'], 2) as { status: string; errors: unknown[] };
    expect(doc.status).toBe('invalid');
    expect(doc.errors.length).toBeGreaterThan(0);
  });

  it('claims schemas check: whether the published schemas are up to date', async () => {
    const doc = await jsonOf(['schemas', 'check', '--json'], 0) as { upToDate: boolean; drift: unknown[] };
    expect([doc.upToDate, doc.drift]).toEqual([true, []]);
  });

  it('claims schemas write: what it wrote, into another root', async () => {
    const root = path.join(dir, 'root');
    const doc = await jsonOf(['schemas', 'write', '--root', root, '--json'], 0) as { files: { status: string }[] };
    expect(new Set(doc.files.map((f) => f.status))).toEqual(new Set(['wrote']));
  });
});
