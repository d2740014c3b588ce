// Owns "can this run write its folders": a check before the first stage starts, and the translation of a
// refused write (EACCES, EROFS, EPERM) into FOLDER_NOT_WRITABLE naming the folder. Without them a read-only
// outbox surfaced half-way through a stage as a raw errno, or as ENOENT from a recursive mkdir, after some
// inputs had already been posted.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { ClaimsError, toClaimsError, type Location } from '../common/errors.ts';

const REFUSED = new Set(['EACCES', 'EROFS', 'EPERM']);

/** FOLDER_NOT_WRITABLE for `folder`; `file` when the refused write was to a file in it that may not be overwritten. */
function notWritable(folder: string, code: string, cause: unknown, file?: string): ClaimsError {
  const why = code === 'EROFS' ? 'it is on a read-only file system' : 'permission denied';
  const what = file === undefined ? `to the folder ${folder}` : `${file} in the folder ${folder}`;
  return new ClaimsError({
    code: 'FOLDER_NOT_WRITABLE',
    message: `cannot write ${what} (${code}: ${why}): give the user running claims write access to it, or name another folder`,
    location: { file: folder },
    cause,
  });
}

const allowed = (p: string, mode: number): Promise<boolean> => fs.access(p, mode).then(() => true, () => false);

/**
 * A write the system refused, as FOLDER_NOT_WRITABLE naming its folder: the folder cannot be written, or a
 * file in it can be read but not written (a report left by another user). Also when a writer had wrapped the
 * refusal as INTERNAL (its cause). Anything else, and a refusal in a writable folder of a file that cannot be
 * read either (a read may have failed: an input we may not open), comes back as it was.
 */
export async function explainWriteError(err: unknown): Promise<unknown> {
  if (err instanceof ClaimsError) {
    if (err.code !== 'INTERNAL' || err.cause === undefined) return err;
    const explained = await explainWriteError(err.cause);
    return explained instanceof ClaimsError ? explained.at(err.location) : err;
  }
  const e = err as NodeJS.ErrnoException & { dest?: string };
  if (typeof e?.code !== 'string' || !REFUSED.has(e.code) || typeof e.path !== 'string') return err;
  // The refused entry is a file or folder being made, renamed or removed in its parent: the parent is what
  // cannot be written (a recursive mkdir names the first folder it could not create).
  const target = e.dest ?? e.path;
  const folder = path.dirname(target);
  if (!(await allowed(folder, fs.constants.W_OK | fs.constants.X_OK))) return notWritable(folder, e.code, err);
  if ((await allowed(target, fs.constants.R_OK)) && !(await allowed(target, fs.constants.W_OK))) {
    return notWritable(folder, e.code, err, path.basename(target));
  }
  return err;
}

/**
 * What a stage reports for an input that failed: a refused write as FOLDER_NOT_WRITABLE (explainWriteError),
 * anything else as toClaimsError makes it; `location` fills in what the error does not say.
 */
export async function inputFailure(err: unknown, location: Location = {}): Promise<ClaimsError> {
  return toClaimsError(await explainWriteError(err), location);
}

/**
 * Create a probe file in each folder and remove it: the one test that sees permissions, ACLs, read-only
 * mounts and root squash alike (access(2) misses some). Hidden, so no stage ever takes it for an input.
 */
export async function assertWritable(dirs: readonly string[]): Promise<void> {
  for (const dir of dirs) {
    const probe = path.join(dir, `.claims-write-check.${process.pid}.${randomBytes(4).toString('hex')}`);
    try {
      await (await fs.open(probe, 'wx', 0o600)).close();
      await fs.unlink(probe);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (typeof code === 'string' && REFUSED.has(code)) throw notWritable(dir, code, err);
      throw err;
    }
  }
}
