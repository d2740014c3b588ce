// The `claims` command's node flags are written in three places node is started from: bin/claims.mjs's
// first line, the npm scripts, and the test launcher (test/support/cli.ts imports the constant). They must
// not drift apart, and the binary must still run when started through its first line.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLAIMS_NODE_FLAGS } from '../../src/runtime/node-flags.ts';
import { REPO_ROOT } from '../support/cli.ts';

describe('the claims command node flags', () => {
  it('are the ones bin/claims.mjs starts node with', () => {
    const first = readFileSync(path.join(REPO_ROOT, 'bin', 'claims.mjs'), 'utf8').split('\n')[0];
    expect(first).toBe(`#!/usr/bin/env -S node ${CLAIMS_NODE_FLAGS.join(' ')}`);
  });

  it('are passed by every npm script that runs the binary', () => {
    const scripts = (JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    const runs = Object.entries(scripts).filter(([, cmd]) => cmd.includes('bin/claims.mjs'));
    expect(runs.length).toBeGreaterThan(0);
    for (const [name, cmd] of runs) expect([name, cmd]).toEqual([name, expect.stringContaining(`node ${CLAIMS_NODE_FLAGS.join(' ')} bin/claims.mjs`)]);
  });

  it('start the binary when it is run through its first line', () => {
    // Executed directly, as an installed `claims` is: `env -S` splits the first line into node and its flags.
    const out = execFileSync(path.join(REPO_ROOT, 'bin', 'claims.mjs'), ['--help'], { encoding: 'utf8' });
    expect(out).toMatch(/^Usage: claims COMMAND/);
  });
});
