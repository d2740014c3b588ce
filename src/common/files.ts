// Files on disk that everything may write: owner-only writes that readers never see half done, moves
// that never overwrite (a name already taken by different content gets `~2`, `~3`), and a file's sha256
// in bounded memory. Files that may carry patient data are made owner-only (0600, folders 0700).
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { sha256Hasher, sha256Hex } from './content-hash.ts';
import { ClaimsError } from './errors.ts';

export const OWNER_ONLY_FILE = 0o600;
export const OWNER_ONLY_DIR = 0o700;
/** How many `~n` names to try before giving up: a limit, so a bug cannot loop for ever. */
const ALTERNATIVE_NAMES_MAX = 1000;

/** `remit.835` -> `remit~2.835`: the n-th name tried when `remit.835` is taken by different content. */
export function alternativeName(name: string, n: number): string {
  const dot = name.lastIndexOf('.');
  if (dot <= 0) return `${name}~${n}`;
  return `${name.slice(0, dot)}~${n}${name.slice(dot)}`;
}

const HASH_IN_ONE_READ_BYTES_MAX = 1024 * 1024;

export async function sha256File(file: string): Promise<string> {
  const handle = await fs.open(file, 'r');
  try {
    const { size } = await handle.stat();
    if (size <= HASH_IN_ONE_READ_BYTES_MAX) return sha256Hex(await handle.readFile());
  } finally {
    await handle.close();
  }
  // Large files (a clearinghouse's 835 batch) stream through the hash in bounded memory.
  const hash = sha256Hasher();
  for await (const chunk of createReadStream(file, { highWaterMark: HASH_IN_ONE_READ_BYTES_MAX })) hash.update(chunk as Buffer);
  return hash.hex();
}

export async function exists(p: string): Promise<boolean> {
  try {
    await fs.lstat(p);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

/**
 * Move `from` to `to` without ever replacing `to`: a hard link fails if `to` exists, and is atomic.
 * Across file systems (or where links are refused) copy exclusively, flush, then remove the source.
 * Returns false if `to` exists.
 */
async function moveNoClobber(from: string, to: string): Promise<boolean> {
  try {
    await fs.link(from, to);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'EXDEV' && code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP') throw err;
    try {
      await fs.copyFile(from, to, fs.constants.COPYFILE_EXCL);
    } catch (copyErr) {
      if ((copyErr as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw copyErr;
    }
    const handle = await fs.open(to, 'r+');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  }
  await fs.unlink(from);
  return true;
}

export interface MovedFile {
  /** Where the file is now. */
  path: string;
  sha256: string;
  /** True when an identical file was already there, so the inbox copy was simply removed. */
  alreadyPresent: boolean;
}

/**
 * Move a file into `dir` under its own name (or `opts.name`), or `name~2.ext`... when the name holds different content.
 * If the same content is already there under the name (a redelivery archived earlier), the source is
 * removed and the existing file kept: nothing is lost, nothing is stored twice.
 */
export async function moveIntoFolder(
  file: string, dir: string, opts: { ownerOnly: boolean; name?: string },
): Promise<MovedFile> {
  const sha256 = await sha256File(file);
  await fs.mkdir(dir, { recursive: true, mode: OWNER_ONLY_DIR });
  const name = opts.name ?? path.basename(file);
  for (let n = 1; n <= ALTERNATIVE_NAMES_MAX; n++) {
    const candidate = path.join(dir, n === 1 ? name : alternativeName(name, n));
    if (await moveNoClobber(file, candidate)) {
      if (opts.ownerOnly) await fs.chmod(candidate, OWNER_ONLY_FILE);
      return { path: candidate, sha256, alreadyPresent: false };
    }
    if ((await sha256File(candidate)) === sha256) {
      await fs.unlink(file);
      return { path: candidate, sha256, alreadyPresent: true };
    }
  }
  throw new ClaimsError({
    code: 'FOLDER_NAMES_EXHAUSTED',
    message: `more than ${ALTERNATIVE_NAMES_MAX} different files named ${name} in ${dir}`,
    location: { file },
  });
}

/**
 * Write a file readable by its owner only, atomically: readers of the folder (a transfer job picking up
 * the outbox) never see half a file. Fails if the name is taken, unless `replace` is set.
 */
export async function writeOwnerOnly(file: string, data: string | Uint8Array, opts: { replace?: boolean } = {}): Promise<void> {
  if (!opts.replace && (await exists(file))) {
    throw new ClaimsError({ code: 'FILE_EXISTS', message: `will not overwrite ${path.basename(file)}`, location: { file } });
  }
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  try {
    await fs.writeFile(tmp, data, { mode: OWNER_ONLY_FILE, flag: 'wx' });
    await fs.chmod(tmp, OWNER_ONLY_FILE);
    await fs.rename(tmp, file);
  } catch (err) {
    // A full disk fails the write part way: leave no half file behind for the next run to trip over.
    await fs.rm(tmp, { force: true }).catch(() => undefined);
    throw err;
  }
}

