// Owns input file names that cannot pass through the pipeline as they are: a name holding a control
// character (newline, tab, NUL's neighbours, DEL, the C1 codes) or a Unicode line separator. A stage's glob
// does not match across a newline, so such a file used to sit in the inbox unseen, run after run; and a name
// that breaks a line breaks every log line, summary and report quoting it. The runner gives such a file a
// safe name when it picks it up or finds it in the inbox (each unsafe character written as %XX of its UTF-8
// bytes, so the original can be read back) and says so; the content is never touched.
import fs from 'node:fs/promises';
import path from 'node:path';
import { moveIntoFolder } from '../common/files.ts';
import { isInputName } from './glob.ts';

const UNSAFE = /[\p{Cc}\u2028\u2029]/u;
const UNSAFE_ALL = /[\p{Cc}\u2028\u2029]/gu;

export function hasUnsafeCharacter(name: string): boolean {
  return UNSAFE.test(name);
}

/** `era\n0301.835` -> `era%0A0301.835`; a name with nothing unsafe is returned as it is. */
export function safeInputName(name: string): string {
  return name.replace(UNSAFE_ALL, (c) => encodeURIComponent(c));
}

/** A file renamed so it could be processed: the name as found (control characters and all) and the new one. */
export interface RenamedInput {
  from: string;
  to: string;
}

/**
 * Give every input file in `dir` whose name is unsafe a safe one, without overwriting anything (a name
 * already taken by other content gets `~2`). Hidden and partial files are not inputs and are left alone.
 */
export async function renameUnsafeInputs(dir: string): Promise<RenamedInput[]> {
  const renamed: RenamedInput[] = [];
  const entries = await fs.readdir(dir, { withFileTypes: true });
  for (const e of entries) {
    if (!e.isFile() || !isInputName(e.name) || !hasUnsafeCharacter(e.name)) continue;
    const moved = await moveIntoFolder(path.join(dir, e.name), dir, { ownerOnly: true, name: safeInputName(e.name) });
    renamed.push({ from: e.name, to: path.basename(moved.path) });
  }
  return renamed;
}
