// The dependency rule bites: `npm run deps` (dependency-cruiser with .dependency-cruiser.cjs) passes on the
// tree as it is, and fails on a scratch copy of src/ into which one wrong-way import has been planted: a
// layer reaching up, a type-only import reaching up (types count), the pure core touching the disk, and a
// cycle inside one folder.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CRUISER = path.join(ROOT, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');
const scratchDirs: string[] = [];

function cruise(cwd: string): { status: number | null; out: string } {
  const r = spawnSync(process.execPath, [CRUISER, 'src', '--config', '.dependency-cruiser.cjs', '--output-type', 'err'], { cwd, encoding: 'utf8' });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

/** A copy of the project's src/ and rule files with `plant` appended to one file. */
function scratchWith(file: string, plant: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'claims-deps-'));
  scratchDirs.push(dir);
  fs.cpSync(path.join(ROOT, 'src'), path.join(dir, 'src'), { recursive: true });
  for (const f of ['.dependency-cruiser.cjs', 'tsconfig.json', 'package.json']) fs.copyFileSync(path.join(ROOT, f), path.join(dir, f));
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
  fs.appendFileSync(path.join(dir, file), `\n${plant}\n`);
  return dir;
}

afterAll(() => {
  for (const d of scratchDirs) fs.rmSync(d, { recursive: true, force: true });
});

// Each check spawns dependency-cruiser over the whole tree (about 2 s alone, much more on a busy machine).
describe('the dependency rule', { timeout: 120_000 }, () => {
  it('passes on the tree as it is', () => {
    const r = cruise(ROOT);
    expect(r.out).toContain('no dependency violations');
    expect(r.status).toBe(0);
  });

  it.each([
    ['a flow importing the pipeline above it', 'src/claims/decide.ts', "import { jsonText } from '../pipeline/summary.ts';\nvoid jsonText;", 'layer-claims'],
    ['a type-only import reaching up from the X12 core', 'src/x12/segment.ts', "import type { Command } from '../cli/command.ts';\nexport type _Planted = Command;", 'layer-x12'],
    ['statements importing collections (patients -> statements -> collections)', 'src/statements/cycle.ts', "import type { ReferralFacts } from '../collections/rules.ts';\nexport type _Planted = ReferralFacts;", 'layer-statements'],
    ['the pure core reading files', 'src/domain/claim.ts', "import { readFileSync } from 'node:fs';\nvoid readFileSync;", 'pure-core-no-io'],
    ['the ground floor importing a layer', 'src/common/money.ts', "import type { Segment } from '../x12/segment.ts';\nexport type _Planted = Segment;", 'ground-floor-imports-nothing-of-ours'],
    ['a cycle inside one folder', 'src/ledger/types.ts', "import type { LEDGER_LIMITS } from './prepare.ts';\nexport type _Planted = typeof LEDGER_LIMITS;", 'no-cycles'],
  ])('fails on %s', (_what, file, plant, rule) => {
    const r = cruise(scratchWith(file, plant));
    expect(r.status).not.toBe(0);
    expect(r.out).toContain(rule);
    expect(r.out).toContain(file);
  });
});
