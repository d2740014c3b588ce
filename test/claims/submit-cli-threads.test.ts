// The `claims` binary with worker threads, as a user runs it (the workers load the sources through their
// own entry, not vitest's): an export above the 16 MiB threshold gives the same files with --threads 2 as
// with --threads 0; a bad --threads or a missing export is a usage error.
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, runCli } from '../support/cli.ts';
import { syntheticClaim } from './support/synthetic.ts';

const work = mkdtempSync(path.join(tmpdir(), 'claims-cli-threads-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const payers = path.join(REPO_ROOT, 'samples', 'payers');

describe('claims submit --threads', () => {
  it('writes the same files with worker threads as without', { timeout: 120_000 }, async () => {
    const exportFile = path.join(work, 'export.ndjson');
    writeFileSync(exportFile, Array.from({ length: 13_000 }, (_, i) => JSON.stringify(syntheticClaim(i))).join('\n') + '\n');
    expect(statSync(exportFile).size).toBeGreaterThan(16 << 20);
    const files = async (threads: string): Promise<Map<string, string>> => {
      const out = path.join(work, `out-${threads}`);
      const r = await runCli(['submit', exportFile, '--dry-run', '--threads', threads, '--payers', payers, '--out', out, '--as-of', '2024-09-01T12:00:00Z', '--json'], {
        env: { CLAIMS_LOG_LEVEL: 'info', CLAIMS_LOG_FORMAT: 'json' }, timeoutMs: 110_000,
      });
      expect(r.code).toBe(0);
      // Only the threaded run says it used workers.
      expect(r.stderr.includes('preparing claims on worker threads')).toBe(threads !== '0');
      expect(JSON.parse(r.stdout).sent).toBe(13_000);
      return new Map(readdirSync(out).filter((n) => n.endsWith('.x12')).map((n) => [n, readFileSync(path.join(out, n), 'latin1')]));
    };
    const here = await files('0');
    const there = await files('2');
    expect([...there.keys()]).toEqual([...here.keys()]);
    for (const [name, text] of here) expect(there.get(name) === text, name).toBe(true);
  });

  it('refuses an export that is not there (exit 2), before anything starts', async () => {
    const r = await runCli(['submit', path.join(work, 'missing.ndjson'), '--dry-run', '--payers', payers, '--out', path.join(work, 'never')], { env: { CLAIMS_LOG_LEVEL: 'warn' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/missing\.ndjson: no such claims export/);
    expect(readdirSync(work)).not.toContain('never');
  });

  it('exits 3 on a JSON array export that is cut short, naming the file and the byte', async () => {
    const cut = path.join(work, 'cut.json');
    writeFileSync(cut, JSON.stringify([syntheticClaim(1), syntheticClaim(2)]).slice(0, -40));
    const r = await runCli(['submit', cut, '--dry-run', '--payers', payers, '--out', path.join(work, 'cut-out')], { env: { CLAIMS_LOG_LEVEL: 'warn' } });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/EXPORT_NOT_JSON_ARRAY: .*cut short.*cut\.json, byte \d+/);
    expect(readdirSync(path.join(work, 'cut-out')).filter((n) => n.endsWith('.x12'))).toEqual([]);
  });

  it('refuses a --threads that is not a number (exit 2)', async () => {
    const r = await runCli(['submit', 'x.ndjson', '--dry-run', '--threads', 'many', '--payers', payers], { env: { CLAIMS_LOG_LEVEL: 'warn' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--threads many is not a number/);
  });
});
