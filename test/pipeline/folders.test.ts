import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { archiveFile, listInputFiles, quarantineFile } from '../../src/pipeline/folders.ts';
import { moveIntoFolder, sha256File, writeOwnerOnly } from '../../src/common/files.ts';

// sha256 of the ASCII texts, from `printf %s TEXT | sha256sum`.
const SHA_ABC = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';
const SHA_HELLO = '2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824';

let root: string;
let inbox: string;
let archive: string;
let quarantine: string;

beforeEach(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'claims-folders-'));
  inbox = path.join(root, 'inbox');
  archive = path.join(root, 'archive');
  quarantine = path.join(root, 'quarantine');
  await fs.mkdir(inbox);
});
afterEach(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

const mode = async (p: string): Promise<number> => (await fs.stat(p)).mode & 0o777;
const drop = async (name: string, text: string): Promise<string> => {
  const p = path.join(inbox, name);
  await fs.writeFile(p, text, { mode: 0o644 });
  return p;
};

describe('listInputFiles', () => {
  it('lists regular input files by name, leaving out hidden, partial and report files', async () => {
    for (const n of ['b.835', 'a.835', 'A.X12', '.hidden', 'c.835.part', 'x.error.json', 'y.tmp', 'notes.txt']) await drop(n, 'x');
    await fs.mkdir(path.join(inbox, 'sub.835'));
    const names = (await listInputFiles(inbox)).map((p) => path.basename(p));
    expect(names).toEqual(['A.X12', 'a.835', 'b.835', 'notes.txt']);
    const only835 = (await listInputFiles(inbox, ['*.835', '*.x12'])).map((p) => path.basename(p));
    expect(only835).toEqual(['A.X12', 'a.835', 'b.835']);
  });
});

describe('archiveFile', () => {
  it('moves the file under archive/AS_OF with a sha256sum line beside it, owner-only', async () => {
    const file = await drop('remit.835', 'abc');
    const moved = await archiveFile(file, { archive }, '2024-03-01');
    expect(moved).toEqual({ path: path.join(archive, '2024-03-01', 'remit.835'), sha256: SHA_ABC, alreadyPresent: false });
    await expect(fs.access(file)).rejects.toThrow();
    expect(await fs.readFile(moved.path, 'utf8')).toBe('abc');
    expect(await fs.readFile(`${moved.path}.sha256`, 'utf8')).toBe(`${SHA_ABC}  remit.835\n`);
    expect(await mode(moved.path)).toBe(0o600);
    expect(await mode(`${moved.path}.sha256`)).toBe(0o600);
  });

  it('never overwrites: different content under a taken name becomes name~2', async () => {
    await archiveFile(await drop('remit.835', 'abc'), { archive }, '2024-03-01');
    const second = await archiveFile(await drop('remit.835', 'hello'), { archive }, '2024-03-01');
    expect(path.basename(second.path)).toBe('remit~2.835');
    expect(await fs.readFile(path.join(archive, '2024-03-01', 'remit.835'), 'utf8')).toBe('abc');
    expect(await fs.readFile(second.path, 'utf8')).toBe('hello');
    expect(await fs.readFile(`${second.path}.sha256`, 'utf8')).toBe(`${SHA_HELLO}  remit~2.835\n`);
  });

  it('keeps one copy of a redelivered identical file', async () => {
    await archiveFile(await drop('remit.835', 'abc'), { archive }, '2024-03-01');
    const again = await drop('remit.835', 'abc');
    const moved = await archiveFile(again, { archive }, '2024-03-01');
    expect(moved.alreadyPresent).toBe(true);
    expect(path.basename(moved.path)).toBe('remit.835');
    await expect(fs.access(again)).rejects.toThrow();
    expect((await fs.readdir(path.join(archive, '2024-03-01'))).sort()).toEqual(['remit.835', 'remit.835.sha256']);
  });
});

describe('quarantineFile', () => {
  it('moves the file and writes NAME.error.json with every error, both 0600', async () => {
    const file = await drop('bad.835', 'abc');
    const errors = [
      { code: 'REMIT_UNBALANCED', message: 'claim level does not balance', location: { file: 'bad.835', segmentIndex: 12, segmentTag: 'CLP', element: 4 } },
      { code: 'SE_COUNT', message: 'SE01 says 20, counted 21', location: { segmentTag: 'SE' }, expected: '21', found: '20' },
    ];
    const moved = await quarantineFile(file, { quarantine }, { pipeline: 'nightly', runId: '7', stage: 'ingest', asOf: '2024-03-01', errors });
    expect(moved.path).toBe(path.join(quarantine, 'bad.835'));
    expect(moved.reportPath).toBe(path.join(quarantine, 'bad.835.error.json'));
    await expect(fs.access(file)).rejects.toThrow();
    expect(JSON.parse(await fs.readFile(moved.reportPath, 'utf8'))).toEqual({
      file: 'bad.835', sha256: SHA_ABC, pipeline: 'nightly', runId: '7', stage: 'ingest', asOf: '2024-03-01', errors,
    });
    expect(await mode(moved.path)).toBe(0o600);
    expect(await mode(moved.reportPath)).toBe(0o600);
  });
});

describe('sha256File', () => {
  it('hashes small files in one read and large ones streamed, the same way', async () => {
    expect(await sha256File(await drop('small', 'abc'))).toBe(SHA_ABC);
    const big = Buffer.alloc(3 * 1024 * 1024 + 7, 'abc');
    const file = path.join(root, 'big');
    await fs.writeFile(file, big);
    expect(await sha256File(file)).toBe(createHash('sha256').update(big).digest('hex'));
  });
});

describe('moveIntoFolder and writeOwnerOnly', () => {
  it('moves under a given name', async () => {
    const moved = await moveIntoFolder(await drop('.staging', 'abc'), inbox, { ownerOnly: true, name: 'era.835' });
    expect(moved.path).toBe(path.join(inbox, 'era.835'));
    expect(await sha256File(moved.path)).toBe(SHA_ABC);
  });

  it('writes owner-only and refuses to overwrite unless asked', async () => {
    const p = path.join(root, 'statement.pdf');
    await writeOwnerOnly(p, 'one');
    expect(await mode(p)).toBe(0o600);
    await expect(writeOwnerOnly(p, 'two')).rejects.toMatchObject({ code: 'FILE_EXISTS' });
    await writeOwnerOnly(p, 'three', { replace: true });
    expect(await fs.readFile(p, 'utf8')).toBe('three');
    expect((await fs.readdir(root)).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });
});
