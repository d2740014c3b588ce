// Reading a pipeline file from disk: parse it (pipeline-file.ts), then resolve its folders against the
// file's own folder, so `claims run pipelines/nightly.json` means the same thing from any working directory.
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { ClaimsError } from '../runtime/errors.ts';
import { parsePipelineText, PipelineInvalidError, type PipelineDefinition, type PipelineProblem } from './pipeline-file.ts';
import type { Folders, Stage } from './stage.ts';

export interface LoadedPipeline {
  /** Absolute path of the pipeline file. */
  file: string;
  /** Its sha256, kept in the run record: which version of the pipeline ran. */
  sha256: string;
  definition: PipelineDefinition;
  folders: Folders;
  /** Absolute pickup folders (read-only drops), possibly none. */
  pickup: string[];
}

/** Problems a schema cannot see: folders that are the same place, or inside one another. */
function folderProblems(folders: Folders, pickup: string[]): PipelineProblem[] {
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
      problems.push({ path: `$.folders.pickup[${i}]`, message: 'is the inbox or inside it: pickup folders are read-only sources' });
    }
    for (const [name, dir] of named) {
      if (name !== 'inbox' && p === dir) problems.push({ path: `$.folders.pickup[${i}]`, message: `is the same folder as folders.${name}` });
    }
  });
  return problems;
}

export async function loadPipeline(file: string, stages: readonly Stage[], cwd: string = process.cwd()): Promise<LoadedPipeline> {
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
  const folders: Folders = {
    inbox: path.resolve(base, f.inbox),
    outbox: path.resolve(base, f.outbox),
    archive: path.resolve(base, f.archive),
    quarantine: path.resolve(base, f.quarantine),
  };
  const pickup = (f.pickup ?? []).map((p) => path.resolve(base, p));
  const problems = folderProblems(folders, pickup);
  if (problems.length > 0) throw new PipelineInvalidError(file, problems);
  const sha256 = createHash('sha256').update(text).digest('hex');
  return { file: absolute, sha256, definition, folders, pickup };
}
