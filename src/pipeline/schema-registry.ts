// Published JSON Schemas: every input file format a user writes by hand or exports (pipeline files, and
// later claims and payer profiles) is defined once in zod and published under schemas/ for editors and
// other systems. `claims schemas write` regenerates the files; `claims schemas check` fails on drift (CI).
// To publish a schema, add one entry to `publishedSchemas`. Pure: the command does the file I/O.
import { z } from 'zod';
import { pipelineFileSchema } from './pipeline-file.ts';
import { stages } from './stages/index.ts';
import { ClaimRecord } from '../domain/claim.ts';
import { PayerProfile } from '../domain/payer-profile.ts';
import { PracticesFileSchema } from '../runtime/practices.ts';

export interface PublishedSchema {
  /** Short name for messages: `pipeline`, `claim`, `payer-profile`. */
  name: string;
  /** Where it is published, relative to the project root: `schemas/NAME.schema.json`. */
  file: string;
  /** Built on demand, so a registry entry costs nothing until the schemas command runs. */
  schema: () => z.ZodType;
}

export const publishedSchemas: PublishedSchema[] = [
  { name: 'pipeline', file: 'schemas/pipeline.schema.json', schema: () => pipelineFileSchema(stages) },
  { name: 'claim', file: 'schemas/claim.schema.json', schema: () => ClaimRecord },
  { name: 'payer-profile', file: 'schemas/payer-profile.schema.json', schema: () => PayerProfile },
  { name: 'practices', file: 'schemas/practices.schema.json', schema: () => PracticesFileSchema },
];

/**
 * The published text of a schema: JSON Schema 2020-12 of what may be written in the file (zod's input
 * side, so fields with defaults are optional), with a title, pretty-printed, newline at the end.
 */
export function renderSchema(entry: PublishedSchema): string {
  const json = z.toJSONSchema(entry.schema(), { io: 'input', target: 'draft-2020-12' }) as Record<string, unknown>;
  const { $schema, ...rest } = json;
  const ordered = { $schema, title: `claims-pipeline ${entry.name} file`, ...rest };
  return JSON.stringify(ordered, null, 2) + '\n';
}

export type SchemaDrift = { file: string; problem: 'missing' | 'differs' | 'not published' };

/** Compare what is on disk with what the registry renders. `onDisk` maps file -> text (undefined: absent). */
export function schemaDrift(
  entries: readonly PublishedSchema[],
  onDisk: ReadonlyMap<string, string | undefined>,
  schemaFilesOnDisk: readonly string[],
): SchemaDrift[] {
  const drift: SchemaDrift[] = [];
  for (const entry of entries) {
    const text = onDisk.get(entry.file);
    if (text === undefined) drift.push({ file: entry.file, problem: 'missing' });
    else if (text !== renderSchema(entry)) drift.push({ file: entry.file, problem: 'differs' });
  }
  const published = new Set(entries.map((e) => e.file));
  for (const file of schemaFilesOnDisk) {
    if (!published.has(file)) drift.push({ file, problem: 'not published' });
  }
  return drift;
}
