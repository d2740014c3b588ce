// Input file names holding control characters get a safe, readable name (each such character as %XX of
// its UTF-8 bytes); other names, letters outside ASCII included, are left as they are.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasUnsafeCharacter, renameUnsafeInputs, safeInputName } from '../../src/pipeline/input-names.ts';
import { summaryText } from '../../src/pipeline/summary.ts';
import type { RunRecord } from '../../src/pipeline/run-record.ts';

let root: string;
beforeAll(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'claims-input-names-'));
});
afterAll(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

describe('input names', () => {
  it('escapes control characters and line separators, and nothing else', () => {
    expect(safeInputName('era\n0301.835')).toBe('era%0A0301.835');
    expect(safeInputName('a\rb\tc\x00d\x7fe\u0085f\u2028g.x12')).toBe('a%0Db%09c%00d%7Fe%C2%85f%E2%80%A8g.x12');
    expect(safeInputName('Łukasz 100% ễ.835')).toBe('Łukasz 100% ễ.835');
    expect([hasUnsafeCharacter('Łukasz 100% ễ.835'), hasUnsafeCharacter('a\tb'), hasUnsafeCharacter('a\u2029b')]).toEqual([false, true, true]);
  });

  it('renames unsafe inputs in a folder without overwriting, and leaves hidden files and safe names alone', async () => {
    await fs.writeFile(path.join(root, 'a\nb.835'), 'new content');
    await fs.writeFile(path.join(root, 'a%0Ab.835'), 'other content');
    await fs.writeFile(path.join(root, '.hidden\n.pickup'), 'staging');
    await fs.writeFile(path.join(root, 'ok.835'), 'ok');
    expect(await renameUnsafeInputs(root)).toEqual([{ from: 'a\nb.835', to: 'a%0Ab~2.835' }]);
    expect((await fs.readdir(root)).sort()).toEqual(['.hidden\n.pickup', 'a%0Ab.835', 'a%0Ab~2.835', 'ok.835']);
    expect(await fs.readFile(path.join(root, 'a%0Ab~2.835'), 'utf8')).toBe('new content');
    expect((await fs.stat(path.join(root, 'a%0Ab~2.835'))).mode & 0o777).toBe(0o600);
  });

  it('the run summary shows the name as found escaped, on one line', () => {
    const run: RunRecord = {
      runId: '7', pipeline: 'p', pipelineFile: '/p/p.json', asOf: '2024-03-31', status: 'done', abandonedRuns: [], leftInInbox: [],
      pickup: { copied: ['era%0A0301.835'], alreadyPickedUp: 0, renamed: [{ from: 'era\n0301.835', to: 'era%0A0301.835' }] },
      stages: [],
    };
    expect(summaryText(run, { relativeTo: (p) => p }).split('\n').slice(0, 3)).toEqual([
      'Run 7 of p, as of 2024-03-31: done',
      'Picked up 1 new file (0 picked up before)',
      'Renamed "era\\n0301.835" to era%0A0301.835: its name held control characters',
    ]);
  });
});
