import { describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import { inspectCommand } from '../../src/cli/commands/inspect.ts';
import type { CommandContext } from '../../src/cli/command.ts';
import { fixedClock } from '../../src/common/clock.ts';
import { CORPUS_DIR } from '../x12/corpus.ts';

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d) => (out += d));
  stderr.on('data', (d) => (err += d));
  const ctx = { stdout, stderr, logger: undefined as never, clock: fixedClock('2024-01-05T10:00:00Z'), signal: new AbortController().signal } as unknown as CommandContext;
  const code = await inspectCommand.run(args, ctx);
  return { code, out, err };
}

describe('claims inspect', () => {
  it('exits 0 for a sound file and lists its structure', async () => {
    const r = await run([`${CORPUS_DIR}835/lfh__managed-care.x12`]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('ISA13 000000907  30:000000005 -> 30:12345');
    expect(r.out).toContain('ST02 112233  835 (835)  26 segments  accepted');
  });

  it('exits 3 and locates problems, as JSON', async () => {
    const r = await run(['--json', `${CORPUS_DIR}other/badx12__835-validation-errors.x12`]);
    expect(r.code).toBe(3);
    const doc = JSON.parse(r.out) as { files: { problems: { code: string; location: Record<string, unknown>; expected?: string; found?: string }[] }[] };
    const se = doc.files[0]?.problems.find((p) => p.code === 'SE_SEGMENT_COUNT');
    expect(se).toMatchObject({ expected: '27', found: '"30"', location: { interchange: '000010216', set: '112233', segmentIndex: 28, element: 1, byteOffset: 826 } });
  });

  it('exits 1 when a file cannot be read, and 2-style usage errors throw', async () => {
    expect((await run(['/nonexistent/file.x12'])).code).toBe(1);
    await expect(run([])).rejects.toThrow('name at least one file');
  });
});
