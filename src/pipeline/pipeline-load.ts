// Reading a pipeline file from disk: parse it (pipeline-file.ts), then resolve its folders against the
// file's own folder, so `claims run pipelines/nightly.json` means the same thing from any working directory.
// A folder written `$CLAIMS_HOME/...` resolves against the CLAIMS_HOME folder instead (the caller passes it in:
// this module reads no environment), so a demo's work folders follow the database's home, e.g. into a test's
// temporary folder. Folders are then checked where they really are (symlinks resolved): none may be a
// system folder or the program's own (folder-safety.ts), and no work folder may sit in a pickup source.
import fs from 'node:fs/promises';
import path from 'node:path';
import { sha256Hex } from '../common/content-hash.ts';
import { ClaimsError } from '../common/errors.ts';
import { parsePipelineText, PipelineInvalidError, type PipelineDefinition, type PipelineProblem } from './pipeline-file.ts';
import { isWithin, realFolder, unsafeFolderProblems } from './folder-safety.ts';
import type { Folders, Stage } from './stage.ts';
import { readPracticesFile } from '../runtime/practices.ts';
import type { Practice } from '../domain/practice.ts';

export interface LoadedPipeline {
  /** Absolute path of the pipeline file. */
  file: string;
  /** Its sha256, kept in the run record: which version of the pipeline ran. */
  sha256: string;
  definition: PipelineDefinition;
  folders: Folders;
  /** Absolute pickup folders (read-only drops), possibly none. */
  pickup: string[];
  /** The schedule's dates in order, each with its own extra pickup folders (absolute); empty without a schedule. */
  schedule: { asOf: string; pickup: string[] }[];
  /** The practices its file lists (registered at the start of every run), or null without a practices file. */
  practices: Practice[] | null;
}

export interface LoadOptions {
  /** Working directory the file name is relative to (default: the process's). */
  cwd?: string;
  /** What `$CLAIMS_HOME` in a folder means (default: `.claims` in cwd, as config() would say). */
  home?: string;
}

const HOME_PREFIX = /^\$CLAIMS_HOME(?=[/\\]|$)/;

/** A folder from the file: `$CLAIMS_HOME/x` under home, anything else relative to the file's folder. */
export function resolveFolder(base: string, home: string, folder: string): string {
  return HOME_PREFIX.test(folder) ? path.resolve(home, '.' + folder.replace(HOME_PREFIX, '')) : path.resolve(base, folder);
}

/** Problems a schema cannot see: folders that are the same place, or inside one another. */
function folderProblems(folders: Folders, pickup: string[], where = (i: number) => `$.folders.pickup[${i}]`): PipelineProblem[] {
  const problems: PipelineProblem[] = [];
  const named = Object.entries(folders) as [keyof Folders, string][];
  for (let i = 0; i < named.length; i++) {
    for (let j = i + 1; j < named.length; j++) {
      const [a, pa] = named[i]!;
      const [b, pb] = named[j]!;
      if (pa === pb) problems.push({ path: `$.folders.${b}`, message: `is the same folder as folders.${a}` });
    }
  }
  pickup.forEach((p, i) => {
    if (p === folders.inbox || p.startsWith(folders.inbox + path.sep)) {
      problems.push({ path: where(i), message: 'is the inbox or inside it: pickup folders are read-only sources' });
    }
    for (const [name, dir] of named) {
      if (name !== 'inbox' && p === dir) problems.push({ path: where(i), message: `is the same folder as folders.${name}` });
      // What the runner moves files into must not sit in a source that is only read (and may be mirrored over).
      if (name !== 'outbox' && dir !== p && isWithin(dir, p)) {
        problems.push({ path: where(i), message: `holds folders.${name}: pickup folders are read-only sources, keep the work folders out of them` });
      }
    }
  });
  return problems;
}

export async function loadPipeline(file: string, stages: readonly Stage[], opts: LoadOptions = {}): Promise<LoadedPipeline> {
  const cwd = opts.cwd ?? process.cwd();
  const home = opts.home ?? path.resolve(cwd, '.claims');
  const absolute = path.resolve(cwd, file);
  let text: string;
  try {
    text = await fs.readFile(absolute, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ClaimsError({
      code: code === 'ENOENT' ? 'PIPELINE_NOT_FOUND' : 'PIPELINE_UNREADABLE',
      message: code === 'ENOENT' ? `no pipeline file at ${file}` : `cannot read the pipeline file: ${(err as Error).message}`,
      location: { file },
      cause: err,
    });
  }
  const definition = parsePipelineText(text, file, stages);
  const base = path.dirname(absolute);
  const f = definition.folders;
  const resolve = (folder: string): string => resolveFolder(base, home, folder);
  const folders: Folders = {
    inbox: resolve(f.inbox),
    outbox: resolve(f.outbox),
    archive: resolve(f.archive),
    quarantine: resolve(f.quarantine),
  };
  const pickup = (f.pickup ?? []).map(resolve);
  const schedule = (definition.schedule ?? []).map((e) => ({ asOf: e.asOf, pickup: (e.pickup ?? []).map(resolve) }));
  // Compared where they really are: two names for one folder (a symlink) are one folder.
  const real = { inbox: await realFolder(folders.inbox), outbox: await realFolder(folders.outbox),
    archive: await realFolder(folders.archive), quarantine: await realFolder(folders.quarantine) };
  const reals = (dirs: string[]): Promise<string[]> => Promise.all(dirs.map(realFolder));
  const problems = folderProblems(real, await reals(pickup));
  for (const [n, e] of schedule.entries()) {
    const dated = folderProblems(real, await reals(e.pickup), (i) => `$.schedule[${n}].pickup[${i}]`);
    problems.push(...dated.filter((p) => p.path.startsWith('$.schedule')));
  }
  problems.push(...(await unsafeFolderProblems([
    ...(Object.keys(folders) as (keyof Folders)[]).map((k) => ({ where: `$.folders.${k}`, dir: folders[k] })),
    ...pickup.map((dir, i) => ({ where: `$.folders.pickup[${i}]`, dir })),
    ...schedule.flatMap((e, n) => e.pickup.map((dir, i) => ({ where: `$.schedule[${n}].pickup[${i}]`, dir }))),
  ])));
  let practices: Practice[] | null = null;
  if (definition.practices !== undefined) {
    try {
      practices = await readPracticesFile(path.resolve(base, definition.practices));
    } catch (err) {
      if (!(err instanceof ClaimsError)) throw err;
      problems.push({ path: '$.practices', message: err.message });
    }
  }
  if (problems.length > 0) throw new PipelineInvalidError(file, problems);
  const sha256 = sha256Hex(text);
  return { file: absolute, sha256, definition, folders, pickup, schedule, practices };
}
