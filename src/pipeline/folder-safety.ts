// Owns "which folders a pipeline may work in": never a system folder and never the program's own folders.
// The runner creates, chmods, moves and archives what it finds in its folders, so a slip such as
// `"inbox": "/etc"` or `"archive": "."` next to the checkout must stop the pipeline at load, before anything
// starts. Folders are compared on their real paths (symlinks resolved as far as the folder exists), so a
// link to /etc is refused like /etc itself.
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The checkout this program runs from: this module is src/pipeline/, two levels down. */
export const PROGRAM_ROOT = path.resolve(fileURLToPath(new URL('../../', import.meta.url)));

/** Trees the operating system and its packages own: nothing of ours belongs there, at any depth. */
const SYSTEM_TREES = ['/etc', '/usr', '/bin', '/sbin', '/lib', '/lib32', '/lib64', '/boot', '/proc', '/sys'];
/**
 * Folders shared by everything below them: refused themselves, while a folder inside may be ours
 * (/home/billing/inbox, /var/spool/claims). /tmp and /dev hold other users' files and devices.
 */
const SYSTEM_ROOTS = ['/', '/dev', '/var', '/root', '/home', '/tmp'];
/** The program's own folders inside its checkout: its code, binaries, schemas and dependencies. */
const PROGRAM_FOLDERS = ['src', 'bin', 'schemas', 'node_modules'];

/**
 * The real path of a folder that may not exist yet: the deepest existing ancestor resolved through its
 * symlinks, the rest appended as written.
 */
export async function realFolder(dir: string): Promise<string> {
  const rest: string[] = [];
  let at = path.resolve(dir);
  for (;;) {
    try {
      return path.join(await fs.realpath(at), ...rest);
    } catch {
      // Missing, or not ours to resolve (EACCES): resolve what we can above it.
      const parent = path.dirname(at);
      if (parent === at) return path.resolve(dir);
      rest.unshift(path.basename(at));
      at = parent;
    }
  }
}

/** `dir` is `parent` or inside it (both absolute and normalized). */
export function isWithin(dir: string, parent: string): boolean {
  return dir === parent || dir.startsWith(parent.endsWith(path.sep) ? parent : parent + path.sep);
}

/** A folder the pipeline file names, with the JSON path it is named at. */
export interface NamedFolder {
  where: string;
  dir: string;
}

async function bothPaths(dirs: readonly string[]): Promise<string[]> {
  // /bin may be a link to /usr/bin: match the name as written and where it leads.
  const out = new Set<string>();
  for (const d of dirs) {
    out.add(d);
    out.add(await realFolder(d));
  }
  return [...out];
}

/** Why `real` must not be a work folder, or undefined when it may be. */
function unsafeReason(real: string, trees: string[], roots: string[], program: string, programFolders: string[]): string | undefined {
  const tree = trees.find((t) => isWithin(real, t));
  if (tree !== undefined) return real === tree ? 'a system folder' : `inside the system folder ${tree}`;
  if (roots.includes(real)) return 'a system folder (a folder of its own inside it is fine)';
  if (real === program) return 'the program\'s own checkout';
  if (isWithin(program, real)) return `a folder holding the program (${program})`;
  const own = programFolders.find((f) => isWithin(real, f));
  if (own !== undefined) return `inside the program's own folder ${own}`;
  return undefined;
}

/**
 * Problems with folders that are system folders or hold the program, each at its JSON path. Not on
 * Windows, whose system folders are another list; the checks on the program's own folders apply there too.
 */
export async function unsafeFolderProblems(
  folders: readonly NamedFolder[], programRoot: string = PROGRAM_ROOT,
): Promise<{ path: string; message: string }[]> {
  const posix = path.sep === '/';
  const trees = posix ? await bothPaths(SYSTEM_TREES) : [];
  const roots = posix ? await bothPaths(SYSTEM_ROOTS) : [];
  const program = await realFolder(programRoot);
  const programFolders = await Promise.all(PROGRAM_FOLDERS.map((f) => realFolder(path.join(programRoot, f))));
  const problems: { path: string; message: string }[] = [];
  for (const { where, dir } of folders) {
    const real = await realFolder(dir);
    const why = unsafeReason(real, trees, roots, program, programFolders);
    if (why === undefined) continue;
    const shown = real === dir ? dir : `${dir}, which resolves to ${real}`;
    problems.push({ path: where, message: `is ${shown}: ${why}; the runner moves and changes files in its folders, give it a folder of its own` });
  }
  return problems;
}
