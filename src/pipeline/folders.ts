// Folder handling for stages and the runner: list the inbox, move a file to the archive only once its data
// is committed (the runner calls this after the stage's outcome), or to quarantine with a .error.json
// report beside it. Moves never overwrite: a name already taken by different content gets `~2`, `~3`.
// Files that may carry patient data (every input file, every report about one) are made owner-only (0600).
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { ClaimsError } from '../common/errors.ts';
import { alternativeName, isInputName, matchesAny } from './glob.ts';
import { jsonText } from '../common/json-text.ts';
import type { Folders, ReasonJson } from './stage.ts';

export const OWNER_ONLY_FILE = 0o600;
export const OWNER_ONLY_DIR = 0o700;
/** How many `~n` names to try before giving up: a limit, so a bug cannot loop for ever. */
const ALTERNATIVE_NAMES_MAX = 1000;

/** Create the drop folders (owner-only: they hold claims and remittances). */
export async function ensureFolders(folders: Folders): Promise<void> {
  for (const dir of [folders.inbox, folders.outbox, folders.archive, folders.quarantine]) {
    await fs.mkdir(dir, { recursive: true, mode: OWNER_ONLY_DIR });
  }
}

/**
 * Drop folders that group or others can read or enter. The runner only warns: an existing folder's mode
 * may be deliberate (a transfer agent in the group), but a billing office should know.
 */
export async function foldersOpenToOthers(folders: Folders): Promise<string[]> {
  const open: string[] = [];
  for (const dir of [folders.inbox, folders.outbox, folders.archive, folders.quarantine]) {
    if (((await fs.stat(dir)).mode & 0o077) !== 0) open.push(dir);
  }
  return open;
}

/** Regular input files in a folder, sorted by name (code-unit order, so runs are repeatable). */
export async function listInputFiles(dir: string, patterns?: readonly string[]): Promise<string[]> {
  const entries = await fs.readdir(dir, { withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && isInputName(e.name) && matchesAny(e.name, patterns))
    .map((e) => e.name)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .map((name) => path.join(dir, name));
}

/** Files up to this size are hashed from one read: a stream costs more to set up than a small file to read. */
const HASH_IN_ONE_READ_BYTES_MAX = 1024 * 1024;

export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  const handle = await fs.open(file, 'r');
  try {
    const { size } = await handle.stat();
    if (size <= HASH_IN_ONE_READ_BYTES_MAX) return hash.update(await handle.readFile()).digest('hex');
  } finally {
    await handle.close();
  }
  // Large files (a clearinghouse's 835 batch) stream through the hash in bounded memory.
  await pipeline(createReadStream(file), hash);
  return hash.digest('hex');
}

async function exists(p: string): Promise<boolean> {
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
  await fs.writeFile(tmp, data, { mode: OWNER_ONLY_FILE, flag: 'wx' });
  await fs.chmod(tmp, OWNER_ONLY_FILE);
  await fs.rename(tmp, file);
}

/**
 * Archive an input whose data is committed: into `archive/AS_OF/`, with a `NAME.sha256` beside it in
 * `sha256sum -c` format, so an analyst can prove later that the archived file is the one that was posted.
 */
export async function archiveFile(file: string, folders: Pick<Folders, 'archive'>, asOf: string): Promise<MovedFile> {
  const dir = path.join(folders.archive, asOf);
  const moved = await moveIntoFolder(file, dir, { ownerOnly: true });
  const sidecar = `${moved.path}.sha256`;
  if (!(await exists(sidecar))) {
    await writeOwnerOnly(sidecar, `${moved.sha256}  ${path.basename(moved.path)}\n`);
  }
  return moved;
}

export interface QuarantineReport {
  /** The original name in the inbox. */
  file: string;
  sha256: string;
  pipeline: string;
  runId: string;
  stage: string;
  asOf: string;
  errors: ReasonJson[];
}

/**
 * Move a rejected input to quarantine and write `NAME.error.json` beside it with every error (code,
 * message, location). Both owner-only: the file is patient data and the errors quote it.
 */
export async function quarantineFile(
  file: string,
  folders: Pick<Folders, 'quarantine'>,
  report: Omit<QuarantineReport, 'file' | 'sha256'>,
): Promise<MovedFile & { reportPath: string }> {
  const moved = await moveIntoFolder(file, folders.quarantine, { ownerOnly: true });
  const reportPath = `${moved.path}.error.json`;
  const body: QuarantineReport = { file: path.basename(file), sha256: moved.sha256, ...report };
  // A redelivered copy of a file already in quarantine gets a fresh report: the reasons may differ now.
  await writeOwnerOnly(reportPath, jsonText(body, 2) + '\n', { replace: true });
  return { ...moved, reportPath };
}
