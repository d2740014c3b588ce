// Owns "can this run write its folders": a check before the first stage starts, and the translation of a
// refused write (EACCES, EROFS, EPERM) into FOLDER_NOT_WRITABLE naming the folder. Without them a read-only
// outbox surfaced half-way through a stage as a raw errno, or as ENOENT from a recursive mkdir, after some
// inputs had already been posted.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { ClaimsError } from '../common/errors.ts';

const REFUSED = new Set(['EACCES', 'EROFS', 'EPERM']);

function notWritable(folder: string, code: string, cause: unknown): ClaimsError {
  const why = code === 'EROFS' ? 'it is on a read-only file system' : 'permission denied';
  return new ClaimsError({
    code: 'FOLDER_NOT_WRITABLE',
    message: `cannot write to the folder ${folder} (${code}: ${why}): give the user running claims write access to it, or name another folder`,
    location: { file: folder },
    cause,
  });
}

/**
 * A write the system refused, as FOLDER_NOT_WRITABLE naming its folder; anything else (and a refusal whose
 * folder turns out writable: a file we could not read, say) comes back as it was.
 */
export async function explainWriteError(err: unknown): Promise<unknown> {
  if (err instanceof ClaimsError) return err;
  const e = err as NodeJS.ErrnoException & { dest?: string };
  if (typeof e?.code !== 'string' || !REFUSED.has(e.code) || typeof e.path !== 'string') return err;
  // The refused entry is a file or folder being made, renamed or removed in its parent: the parent is what
  // cannot be written (a recursive mkdir names the first folder it could not create).
  const folder = path.dirname(e.dest ?? e.path);
  try {
    await fs.access(folder, fs.constants.W_OK | fs.constants.X_OK);
    return err;
  } catch {
    return notWritable(folder, e.code, err);
  }
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
