// Every pipeline file shipped in pipelines/ must load against the stages that exist: a stage renamed or
// a setting changed without updating them fails here, not at 2 a.m.
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadPipeline } from '../../src/pipeline/pipeline-load.ts';
import { stages } from '../../src/pipeline/stages/index.ts';

const PIPELINES = fileURLToPath(new URL('../../pipelines/', import.meta.url));

describe('pipelines/*.json', () => {
  it('every shipped pipeline is valid, and the nightly demo picks up only from samples', async () => {
    const dir = PIPELINES;
    const files = (await fs.readdir(dir)).filter((n) => n.endsWith('.json'));
    expect(files).toContain('nightly.json');
    for (const name of files) {
      const loaded = await loadPipeline(path.join(dir, name), stages);
      expect(loaded.definition.name).toBe(name.replace(/\.json$/, ''));
    }
    const nightly = await loadPipeline(path.join(dir, 'nightly.json'), stages);
    const repo = path.resolve(dir, '..');
    for (const p of nightly.pickup) expect(path.relative(repo, p)).toMatch(/^samples\//);
    // The demo's work folders are under .claims (git-ignored), never inside samples.
    for (const f of Object.values(nightly.folders)) expect(path.relative(repo, f)).toMatch(/^\.claims\/nightly\//);
  });

  it('the demo reads only samples, on dates in order, and works under CLAIMS_HOME', async () => {
    const home = path.join(PIPELINES, '..', 'some-home');
    const demo = await loadPipeline(path.join(PIPELINES, 'demo.json'), stages, { home });
    const repo = path.resolve(PIPELINES, '..');
    for (const p of [...demo.pickup, ...demo.schedule.flatMap((d) => d.pickup)]) expect(path.relative(repo, p)).toMatch(/^samples\//);
    for (const f of Object.values(demo.folders)) expect(path.relative(home, f)).toMatch(/^demo\//);
    expect(demo.schedule.map((d) => d.asOf)).toEqual(['2024-03-31', '2024-04-30', '2024-05-31', '2024-06-30', '2024-07-31', '2024-08-15']);
    // Each dated drop exists, so the demo cannot silently lose a date's input.
    for (const d of demo.schedule) for (const p of d.pickup) expect((await fs.stat(p)).isDirectory()).toBe(true);
  });
});
