// "Where to look" at the end of `claims run`: what the pipeline's outbox and quarantine hold, by kind, so a
// new user (or an operator after a night's run) knows which folder has the 837s, the statements or the agency
// files without reading the stage docs. listOutputs reads the folders; outputsText is pure.
import type { Dirent } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Folders } from './stage.ts';

export interface OutputGroup {
  /** Absolute folder. */
  dir: string;
  /** What is in it, for people. */
  what: string;
  files: number;
}

/** Outbox files by name, as the stages write them (first match wins). */
const OUTBOX_FILE_KINDS: { test: RegExp; what: string }[] = [
  { test: /^837-/, what: '837 claim files, one per payer and batch' },
  { test: /^270-/, what: '270 eligibility requests for upcoming appointments' },
  { test: /^ack-/, what: '999/TA1 acknowledgements of the files received' },
  { test: /^trial-balance-/, what: 'trial balances, one per business date' },
];

const OUTBOX_FOLDERS: Record<string, string> = {
  statements: 'patient statements: batch PDFs, print-vendor CSV, held and refund reports',
  referrals: 'collection agency files: placements, balance updates, recalls',
  reports: 'claims rejected or held, one report folder per claims export',
};

async function entries(dir: string): Promise<Dirent[]> {
  try {
    return await fs.readdir(dir, { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

/** Regular files under a folder, at any depth, not counting hidden ones (partial writes). */
async function countFiles(dir: string): Promise<number> {
  let n = 0;
  for (const e of await entries(dir)) {
    if (e.name.startsWith('.')) continue;
    if (e.isDirectory()) n += await countFiles(path.join(dir, e.name));
    else if (e.isFile()) n++;
  }
  return n;
}

export async function listOutputs(folders: Pick<Folders, 'outbox' | 'quarantine'>): Promise<OutputGroup[]> {
  const groups: OutputGroup[] = [];
  const root = (await entries(folders.outbox)).filter((e) => !e.name.startsWith('.'));
  const byKind = new Map<string, number>();
  for (const e of root.filter((x) => x.isFile())) {
    const what = OUTBOX_FILE_KINDS.find((k) => k.test.test(e.name))?.what ?? 'other files';
    byKind.set(what, (byKind.get(what) ?? 0) + 1);
  }
  for (const k of [...OUTBOX_FILE_KINDS.map((x) => x.what), 'other files']) {
    const files = byKind.get(k);
    if (files) groups.push({ dir: folders.outbox, what: k, files });
  }
  const subfolders = root.filter((e) => e.isDirectory()).map((e) => e.name).sort();
  for (const name of subfolders) {
    const files = await countFiles(path.join(folders.outbox, name));
    if (files > 0) groups.push({ dir: path.join(folders.outbox, name), what: OUTBOX_FOLDERS[name] ?? 'stage output', files });
  }
  const quarantined = (await entries(folders.quarantine)).filter((e) => e.isFile() && !e.name.startsWith('.') && !e.name.endsWith('.error.json')).length;
  if (quarantined > 0) groups.push({ dir: folders.quarantine, what: 'rejected inputs, each with NAME.error.json saying why', files: quarantined });
  return groups;
}

export function outputsText(groups: readonly OutputGroup[], relativeTo: (absolute: string) => string): string {
  if (groups.length === 0) return '';
  const rows = groups.map((g) => [relativeTo(g.dir) || '.', String(g.files), g.what]);
  const w0 = Math.max(...rows.map((r) => r[0]!.length));
  const w1 = Math.max(...rows.map((r) => r[1]!.length));
  // A folder is named once, on its first kind of file.
  const lines = rows.map(([dir, n, what], i) => `  ${(i > 0 && rows[i - 1]![0] === dir ? '' : dir!).padEnd(w0)}  ${n!.padStart(w1)}  ${what}`);
  return ['Where to look (files so far):', ...lines].join('\n') + '\n';
}
