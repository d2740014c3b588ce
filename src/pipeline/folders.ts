// Folder handling for stages and the runner: list the inbox, move a file to the archive only once its data
// is committed (the runner calls this after the stage's outcome), or to quarantine with a .error.json
// report beside it. Moves never overwrite: a name already taken by different content gets `~2`, `~3`.
// Files that may carry patient data (every input file, every report about one) are made owner-only (0600).
import fs from 'node:fs/promises';
import path from 'node:path';
import { isInputName, matchesAny } from './glob.ts';
import { OWNER_ONLY_DIR, exists, moveIntoFolder, writeOwnerOnly, type MovedFile } from '../common/files.ts';
import { jsonText } from '../common/json-text.ts';
import type { Folders, ReasonJson } from './stage.ts';


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
