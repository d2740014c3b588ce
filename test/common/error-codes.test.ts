// The code list against the source: tsc checks that every code raised is in the list; these check the
// other way round (nothing in the list that nothing raises) and the places tsc cannot see.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../src/common/error-codes.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const LIST_FILE = path.join('src', 'common', 'error-codes.ts');

function filesUnder(dir: string, ext: string): string[] {
  return readdirSync(path.join(ROOT, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith(ext))
    .map((f) => path.join(dir, f))
    .sort();
}

/** Every source file but the list itself, as text, by path relative to the repository. */
function sources(): Map<string, string> {
  const out = new Map<string, string>();
  for (const file of filesUnder('src', '.ts')) {
    if (file !== LIST_FILE) out.set(file, readFileSync(path.join(ROOT, file), 'utf8'));
  }
  return out;
}

/** The ledger's triggers raise their codes as a message prefix, `RAISE EXCEPTION 'LEDGER_...: ...'`. */
function schemaText(): string {
  return filesUnder(path.join('schemas', 'db'), '.sql').map((f) => readFileSync(path.join(ROOT, f), 'utf8')).join('\n');
}

/**
 * Codes of `codes` that no source raises: quoted whole in TypeScript (so SE_MISSING is not found inside
 * REMIT_SE_MISSING, nor a code in a comment), or opening a RAISE EXCEPTION message in the schema.
 */
function unraised(codes: readonly string[], ts: Iterable<string>, sql: string): string[] {
  const found = new Set<string>();
  for (const text of ts) {
    for (const m of text.matchAll(/(['"`])([A-Z][A-Z0-9_]*)\1/g)) found.add(m[2]!);
  }
  for (const m of sql.matchAll(/RAISE EXCEPTION '([A-Z][A-Z0-9_]*):/g)) found.add(m[1]!);
  return codes.filter((code) => !found.has(code));
}

describe('error codes', () => {
  it('are unique and UPPER_SNAKE_CASE', () => {
    const seen = new Set<string>();
    const repeated = ERROR_CODES.filter((c) => (seen.has(c) ? true : (seen.add(c), false)));
    expect(repeated).toEqual([]);
    expect(ERROR_CODES.filter((c) => !/^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$/.test(c))).toEqual([]);
  });

  it('are each raised somewhere in src (or by the ledger schema), so the list cannot keep dead codes', () => {
    expect(unraised(ERROR_CODES, sources().values(), schemaText())).toEqual([]);
  });

  it('finds a code that nothing raises, and does not take a longer code or a comment for it', () => {
    const ts = ["throw new ClaimsError({ code: 'REMIT_SE_MISSING', message: 'x' });", '// SE_MISSING is the envelope one'];
    expect(unraised(['REMIT_SE_MISSING', 'SE_MISSING', 'LEDGER_IMMUTABLE'], ts, "RAISE EXCEPTION 'LEDGER_IMMUTABLE: %'")).toEqual(['SE_MISSING']);
  });

  it('hold every `code: \'...\'` written in src, including reasons tsc does not check (ReasonJson)', () => {
    const listed = new Set<string>(ERROR_CODES);
    const unlisted: string[] = [];
    for (const [file, text] of sources()) {
      for (const m of text.matchAll(/\bcode: '([A-Z][A-Z0-9_]*)'/g)) {
        if (!listed.has(m[1]!)) unlisted.push(`${file}: ${m[1]}`);
      }
    }
    expect(unlisted).toEqual([]);
  });
});
