// `claims schemas write|check`: publish the JSON Schemas of input files (src/pipeline/schema-registry.ts)
// under schemas/, or check that what is published matches the zod source (CI fails on drift).
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ExitCode } from '../../common/errors.ts';
import { publishedSchemas, renderSchema, schemaDrift } from '../../pipeline/schema-registry.ts';
import { UsageError, type Command } from '../command.ts';
import { JSON_OPTION, jsonHelpLine, writeJson } from '../json-output.ts';

/** The project root, from this file's place in it: schemas are part of the source tree, wherever we run. */
const PROJECT_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

async function readIfExists(file: string): Promise<string | undefined> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

async function publishedFilesOnDisk(root: string): Promise<string[]> {
  const dir = path.join(root, 'schemas');
  const names = await fs.readdir(dir).catch(() => [] as string[]);
  return names.filter((n) => n.endsWith('.schema.json')).sort().map((n) => `schemas/${n}`);
}

export const schemasCommand: Command = {
  name: 'schemas',
  summary: 'Publish the JSON Schemas of input files (write), or check them for drift (check)',
  help: [
    'Usage: claims schemas write [--root DIR] [--json]',
    '       claims schemas check [--root DIR] [--json]',
    '',
    'The JSON Schemas under schemas/ (pipeline files, and the input formats other modules register) are',
    'generated from their zod definitions. `write` regenerates them; `check` exits 1 and names every file',
    'that is missing, differs, or is no longer published, without changing anything.',
    '',
    'Options:',
    '  --root DIR  project root (default: the project this binary belongs to)',
    jsonHelpLine(10),
  ].join('\n'),
  async run(args, ctx) {
    let parsed;
    try {
      parsed = parseArgs({ args, allowPositionals: true, strict: true, options: { root: { type: 'string' }, ...JSON_OPTION } });
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    const [verb, ...extra] = parsed.positionals;
    if ((verb !== 'write' && verb !== 'check') || extra.length > 0) throw new UsageError('expected `write` or `check`');
    const root = path.resolve(parsed.values.root ?? PROJECT_ROOT);
    const json = parsed.values.json;
    if (verb === 'write') {
      const files: { file: string; status: 'wrote' | 'unchanged' }[] = [];
      for (const entry of publishedSchemas) {
        const file = path.join(root, entry.file);
        const text = renderSchema(entry);
        const before = await readIfExists(file);
        await fs.mkdir(path.dirname(file), { recursive: true });
        if (before !== text) await fs.writeFile(file, text);
        files.push({ file: entry.file, status: before === text ? 'unchanged' : 'wrote' });
      }
      if (json) writeJson(ctx, { files });
      else for (const f of files) ctx.stdout.write(`${f.status}  ${f.file}\n`);
      return ExitCode.ok;
    }
    const onDisk = new Map<string, string | undefined>();
    for (const entry of publishedSchemas) onDisk.set(entry.file, await readIfExists(path.join(root, entry.file)));
    const drift = schemaDrift(publishedSchemas, onDisk, await publishedFilesOnDisk(root));
    if (json) writeJson(ctx, { upToDate: drift.length === 0, schemas: publishedSchemas.map((e) => e.file), drift });
    else if (drift.length === 0) ctx.stdout.write(`${publishedSchemas.length} schema${publishedSchemas.length === 1 ? '' : 's'} up to date\n`);
    if (drift.length === 0) return ExitCode.ok;
    for (const d of drift) ctx.stderr.write(`schema drift: ${d.file}: ${d.problem}\n`);
    ctx.stderr.write('run `claims schemas write` and commit the result\n');
    return ExitCode.failed;
  },
};
