import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { publishedSchemas, renderSchema, schemaDrift } from '../../src/pipeline/schema-registry.ts';
import { REPO_ROOT, runCli } from '../support/cli.ts';

describe('renderSchema', () => {
  it('publishes the input side of a zod schema, titled, with a newline at the end', () => {
    const text = renderSchema({ name: 'demo', file: 'schemas/demo.schema.json', schema: () => z.strictObject({ a: z.string(), b: z.number().default(1) }) });
    expect(JSON.parse(text)).toEqual({
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      title: 'claims-pipeline demo file',
      type: 'object',
      properties: { a: { type: 'string' }, b: { type: 'number', default: 1 } },
      required: ['a'],
      additionalProperties: false,
    });
    expect(text.endsWith('}\n')).toBe(true);
  });

  it('finds missing, differing and unpublished files', () => {
    const entries = [
      { name: 'a', file: 'schemas/a.schema.json', schema: () => z.string() },
      { name: 'b', file: 'schemas/b.schema.json', schema: () => z.number() },
    ];
    const onDisk = new Map([['schemas/a.schema.json', '{}\n'], ['schemas/b.schema.json', undefined]]);
    expect(schemaDrift(entries, onDisk, ['schemas/a.schema.json', 'schemas/old.schema.json'])).toEqual([
      { file: 'schemas/a.schema.json', problem: 'differs' },
      { file: 'schemas/b.schema.json', problem: 'missing' },
      { file: 'schemas/old.schema.json', problem: 'not published' },
    ]);
  });
});

// These spawn the binary (about 1-3 s each on a busy machine): a limit that fits that, not a benchmark.
describe('claims schemas', { timeout: 60_000 }, () => {
  let root: string;
  beforeAll(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'claims-schemas-'));
  });
  afterAll(async () => {
    await fs.rm(root, { recursive: true, force: true });
  });

  it('the committed schemas match their zod source', async () => {
    const r = await runCli(['schemas', 'check']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    for (const entry of publishedSchemas) {
      expect(await fs.readFile(path.join(REPO_ROOT, entry.file), 'utf8')).toBe(renderSchema(entry));
    }
  });

  it('check fails on drift and names the file; write repairs it', async () => {
    await fs.mkdir(path.join(root, 'schemas'));
    // Every published schema as committed, then one made stale: only that one is reported and rewritten.
    for (const entry of publishedSchemas) {
      await fs.copyFile(path.join(REPO_ROOT, entry.file), path.join(root, entry.file));
    }
    await fs.writeFile(path.join(root, 'schemas', 'pipeline.schema.json'), '{"stale": true}\n');
    const drift = await runCli(['schemas', 'check', '--root', root]);
    expect(drift.code).toBe(1);
    expect(drift.stderr).toContain('schema drift: schemas/pipeline.schema.json: differs');
    const write = await runCli(['schemas', 'write', '--root', root]);
    expect(write.code).toBe(0);
    const written = write.stdout.split('\n').filter((l) => l.startsWith('wrote'));
    expect(written).toEqual(['wrote  schemas/pipeline.schema.json']);
    const clean = await runCli(['schemas', 'check', '--root', root]);
    expect(clean.code).toBe(0);
  });
});
