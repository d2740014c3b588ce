// An output stream on a full disk (/dev/full answers every write with ENOSPC): the failure comes back
// from the writer's next write or close, with the file named, and never as an unhandled 'error' event.
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { toClaimsError } from '../../src/common/errors.ts';
import { closeOutput, openOutputStream, writeOutput } from '../../src/common/write-stream.ts';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe.skipIf(!existsSync('/dev/full'))('output streams on a full disk', () => {
  it('a write that was buffered fails at the next write, as DISK_FULL naming the file', async () => {
    const stream = openOutputStream('/dev/full');
    // Fits the buffer: write() returns true, and the disk says no only afterwards, with nobody waiting.
    await writeOutput(stream, 'ISA*00*');
    await sleep(50); // without a listener the process would have ended here
    const err = await writeOutput(stream, 'GS*HC*').then(() => null, (e: unknown) => e);
    expect((err as NodeJS.ErrnoException).code).toBe('ENOSPC');
    const e = toClaimsError(err);
    expect(e.code).toBe('DISK_FULL');
    expect(e.message).toContain('writing /dev/full');
  });

  it('close rejects when the last data cannot be written', async () => {
    const stream = openOutputStream('/dev/full');
    stream.write('IEA*1*000000001~');
    await expect(closeOutput(stream)).rejects.toMatchObject({ code: 'ENOSPC', path: '/dev/full' });
  });

  it('a write waiting for drain rejects instead of waiting for ever', async () => {
    const stream = openOutputStream('/dev/full');
    // Larger than the buffer: write() returns false and the writer waits on 'drain', which never comes.
    await expect(writeOutput(stream, 'x'.repeat(1 << 20))).rejects.toMatchObject({ code: 'ENOSPC' });
  });
});
