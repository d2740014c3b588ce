// Pipeline folders that are system folders, the program's own, or inside a read-only pickup source are
// refused when the pipeline is loaded, every one at its JSON path, compared on real paths (symlinks).
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPipeline } from '../../src/pipeline/pipeline-load.ts';
import { PipelineInvalidError } from '../../src/pipeline/pipeline-file.ts';
import { stages } from '../../src/pipeline/stages/index.ts';
import { REPO_ROOT, runCli } from '../support/cli.ts';

const CHECKOUT = path.resolve(REPO_ROOT);
const ADVICE = 'the runner moves and changes files in its folders, give it a folder of its own';

let root: string;
beforeAll(async () => {
  root = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'claims-folder-safety-')));
  await fs.mkdir(path.join(root, 'work', 'inbox'), { recursive: true });
  await fs.symlink('/usr/share', path.join(root, 'share-link'));
  await fs.symlink(path.join(root, 'work', 'inbox'), path.join(root, 'mirror'));
});
afterAll(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

async function problemsOf(body: Record<string, unknown>): Promise<[string | undefined, string][]> {
  const file = path.join(root, 'p.json');
  await fs.writeFile(file, JSON.stringify({ name: 'p', stages: [{ name: 'ledger-snapshot' }], ...body }));
  try {
    await loadPipeline(file, stages, { cwd: root, home: path.join(root, 'home') });
  } catch (err) {
    if (!(err instanceof PipelineInvalidError)) throw err;
    return err.problems.map((p) => [p.location.field, p.message]);
  }
  return [];
}

describe('pipeline folders', () => {
  it('refuses system folders, also through a symlink, each at its JSON path', async () => {
    expect(await problemsOf({
      folders: { inbox: '/etc', outbox: '/usr/local/claims-out', archive: '/home', quarantine: '/var', pickup: ['/proc'] },
      schedule: [{ asOf: '2024-03-31', pickup: ['share-link'] }],
    })).toEqual([
      ['$.folders.inbox', `is /etc: a system folder; ${ADVICE}`],
      ['$.folders.outbox', `is /usr/local/claims-out: inside the system folder /usr; ${ADVICE}`],
      ['$.folders.archive', `is /home: a system folder (a folder of its own inside it is fine); ${ADVICE}`],
      ['$.folders.quarantine', `is /var: a system folder (a folder of its own inside it is fine); ${ADVICE}`],
      ['$.folders.pickup[0]', `is /proc: a system folder; ${ADVICE}`],
      ['$.schedule[0].pickup[0]', `is ${root}/share-link, which resolves to /usr/share: inside the system folder /usr; ${ADVICE}`],
    ]);
    // A folder of its own under /home or /var is fine, and so are work folders inside the checkout.
    expect(await problemsOf({
      folders: { inbox: '/home/billing/inbox', outbox: '/var/spool/claims/outbox', archive: path.join(CHECKOUT, '.claims', 'p', 'archive'), quarantine: 'q', pickup: [path.join(CHECKOUT, 'samples', '835')] },
    })).toEqual([]);
  });

  it('refuses the checkout, its src/ and a folder holding it', async () => {
    expect(await problemsOf({
      folders: { inbox: CHECKOUT, outbox: path.join(CHECKOUT, 'src', 'out'), archive: path.dirname(CHECKOUT), quarantine: 'q' },
    })).toEqual([
      ['$.folders.inbox', `is ${CHECKOUT}: the program's own checkout; ${ADVICE}`],
      ['$.folders.outbox', `is ${CHECKOUT}/src/out: inside the program's own folder ${CHECKOUT}/src; ${ADVICE}`],
      ['$.folders.archive', `is ${path.dirname(CHECKOUT)}: a folder holding the program (${CHECKOUT}); ${ADVICE}`],
    ]);
  });

  it('refuses an inbox, archive or quarantine inside a pickup source, and a pickup that is the inbox by another name', async () => {
    const held = 'pickup folders are read-only sources, keep the work folders out of them';
    expect(await problemsOf({
      folders: { inbox: 'drop/inbox', outbox: 'drop/outbox', archive: 'work/archive', quarantine: 'drop/q', pickup: ['drop', 'mirror'] },
      schedule: [{ asOf: '2024-03-31', pickup: ['work'] }],
    })).toEqual([
      ['$.folders.pickup[0]', `holds folders.inbox: ${held}`],
      ['$.folders.pickup[0]', `holds folders.quarantine: ${held}`],
      // mirror is a symlink to work/inbox, another folder than the inbox named here: only the archive case.
      ['$.schedule[0].pickup[0]', `holds folders.archive: ${held}`],
    ]);
    expect(await problemsOf({
      folders: { inbox: 'work/inbox', outbox: 'o', archive: 'a', quarantine: 'q', pickup: ['mirror'] },
    })).toEqual([['$.folders.pickup[0]', 'is the inbox or inside it: pickup folders are read-only sources']]);
  });

  it('stops `claims run` before anything starts: exit 2, every problem listed', { timeout: 60_000 }, async () => {
    const file = path.join(root, 'etc.json');
    await fs.writeFile(file, JSON.stringify({
      name: 'etc', folders: { inbox: '/etc', outbox: 'o', archive: 'a', quarantine: '/' }, stages: [{ name: 'ledger-snapshot' }],
    }));
    const res = await runCli(['run', file], { env: { DATABASE_URL: undefined, CLAIMS_HOME: path.join(root, 'home') } });
    expect(res.code, res.stderr).toBe(2);
    expect(res.stderr.split('\n').filter((l) => l.startsWith('claims run:') || l.startsWith('  '))).toEqual([
      'claims run: PIPELINE_INVALID: 2 problems in the pipeline file:',
      `  ${file}, field $.folders.inbox: is /etc: a system folder; ${ADVICE}`,
      `  ${file}, field $.folders.quarantine: is /: a system folder (a folder of its own inside it is fine); ${ADVICE}`,
    ]);
    // Nothing started: no database home, no work folders.
    await expect(fs.access(path.join(root, 'home'))).rejects.toThrow();
    await expect(fs.access(path.join(root, 'o'))).rejects.toThrow();
  });
});
