// A write the system refuses becomes FOLDER_NOT_WRITABLE naming the folder, but only when the folder really
// cannot be written: a refusal in a writable folder (a file we may not read) stays what it was.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClaimsError } from '../../src/common/errors.ts';
import { assertWritable, explainWriteError } from '../../src/pipeline/folder-access.ts';

let root: string;
beforeAll(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'claims-folder-access-'));
});
afterAll(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

const errno = (code: string, syscall: string, p: string): NodeJS.ErrnoException =>
  Object.assign(new Error(`${code}: ${syscall} '${p}'`), { code, syscall, path: p });

describe('explainWriteError', () => {
  it('names the folder a refused file or folder was to be made in', async () => {
    const open = (await explainWriteError(errno('EACCES', 'open', '/nonexistent-claims/out/trial-balance.json'))) as ClaimsError;
    expect(open).toBeInstanceOf(ClaimsError);
    expect([open.code, open.location, open.message]).toEqual([
      'FOLDER_NOT_WRITABLE', { file: '/nonexistent-claims/out' },
      'cannot write to the folder /nonexistent-claims/out (EACCES: permission denied): give the user running claims write access to it, or name another folder',
    ]);
    const mkdir = (await explainWriteError(errno('EROFS', 'mkdir', '/nonexistent-claims/out/reports'))) as ClaimsError;
    expect([mkdir.code, mkdir.location.file, mkdir.message.split(':')[0]]).toEqual([
      'FOLDER_NOT_WRITABLE', '/nonexistent-claims/out', 'cannot write to the folder /nonexistent-claims/out (EROFS',
    ]);
  });

  it('finds the refusal a writer wrapped as INTERNAL, and keeps what the wrapper knew of the location', async () => {
    const cause = errno('EACCES', 'mkdir', '/nonexistent-claims/out/reports/export.ndjson');
    const wrapped = new ClaimsError({ code: 'INTERNAL', message: cause.message, location: { file: 'export.ndjson', line: 3 }, cause });
    const explained = (await explainWriteError(wrapped)) as ClaimsError;
    expect([explained.code, explained.location]).toEqual(['FOLDER_NOT_WRITABLE', { file: '/nonexistent-claims/out/reports', line: 3 }]);
    const other = new ClaimsError({ code: 'INTERNAL', message: 'boom', cause: new Error('boom') });
    expect(await explainWriteError(other)).toBe(other);
    const input = new ClaimsError({ code: 'CLAIM_FIELD_INVALID', message: 'bad', cause });
    expect(await explainWriteError(input)).toBe(input);
  });

  it('leaves other errors, and refusals in a folder that can be written, as they were', async () => {
    const notFound = errno('ENOENT', 'open', '/nonexistent-claims/x');
    expect(await explainWriteError(notFound)).toBe(notFound);
    const unreadable = errno('EACCES', 'open', path.join(root, 'secret.835'));
    expect(await explainWriteError(unreadable)).toBe(unreadable);
  });
});

describe('assertWritable', () => {
  it('passes a writable folder and leaves no probe behind', async () => {
    await assertWritable([root]);
    expect(await fs.readdir(root)).toEqual([]);
  });
});
