// Test helper: the shared corpus of real X12 files, read in place (never copied into the project).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const CORPUS_DIR = fileURLToPath(new URL('../../../shared/corpus/', import.meta.url));

export interface CorpusFile {
  /** Path relative to the corpus directory, e.g. `835/lfh__managed-care.x12`. */
  name: string;
  path: string;
  notes: string;
}

/** Every file listed in MANIFEST.tsv. */
export function corpusFiles(): CorpusFile[] {
  const manifest = readFileSync(CORPUS_DIR + 'MANIFEST.tsv', 'utf8').trim().split('\n').slice(1);
  return manifest.map((line) => {
    const cols = line.split('\t');
    const name = cols[0] as string;
    return { name, path: CORPUS_DIR + name, notes: cols[7] ?? '' };
  });
}

export function corpusBytes(name: string): Buffer {
  return readFileSync(CORPUS_DIR + name);
}
