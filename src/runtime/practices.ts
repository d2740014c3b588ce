// The practices registry in the database (schemas/db/0015_practices.sql): read into a PracticeDirectory, and
// registered from a practices file (`claims practices register FILE`, or a pipeline's "practices" setting).
// Registering is idempotent: the same file again changes nothing.
import { readFile } from 'node:fs/promises';
import type pg from 'pg';
import { z } from 'zod';
import { ClaimsError } from '../common/errors.ts';
import { isValidNpi } from '../domain/npi.ts';
import { DEFAULT_PRACTICE, PRACTICE_ID_PATTERN, PracticeDirectory, normalizeTaxId, type Practice } from '../domain/practice.ts';

type Queryable = Pick<pg.ClientBase, 'query'>;

export const PracticeEntrySchema = z.strictObject({
  id: z.string().regex(PRACTICE_ID_PATTERN, 'lower-case letters, digits, - and _, at most 40, starting with a letter or digit')
    .describe('The practice\'s key in every table, report and command (--practice).'),
  name: z.string().min(1).max(200).describe('The practice\'s name for people (reports, statements).'),
  taxId: z.string().regex(/^[0-9]{2}-?[0-9]{7}$/, 'nine digits, as 123456789 or 12-3456789').optional()
    .describe('The practice\'s tax id (EIN): an 835 whose payee is named by tax id only is routed by it.'),
  npis: z.array(z.string().regex(/^[0-9]{10}$/, 'ten digits')).describe('The practice\'s billing NPIs: a claim\'s billing provider and an 835 payee (N1*PE*..*XX) name it by one of them.'),
});

export const PracticesFileSchema = z.strictObject({
  practices: z.array(PracticeEntrySchema).min(1),
}).describe('The practices a billing office keeps books for: each claim and each 835 goes to the practice its NPI or tax id names.');

export type PracticesFile = z.infer<typeof PracticesFileSchema>;

const LIST = 'SELECT id, name, tax_id, npis FROM practices ORDER BY id COLLATE "C"';

/** Every registered practice ('default' included once it exists). */
export async function loadPracticeDirectory(db: Queryable): Promise<PracticeDirectory> {
  const { rows } = await db.query<{ id: string; name: string; tax_id: string | null; npis: string[] }>(LIST);
  return new PracticeDirectory(rows.map((r) => ({ id: r.id, name: r.name, taxId: r.tax_id, npis: r.npis })));
}

/** Parse a practices file; every problem is reported at once, naming the file and the field. */
export async function readPracticesFile(file: string): Promise<Practice[]> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ClaimsError({
      code: 'PRACTICES_FILE_INVALID',
      message: code === 'ENOENT' ? `practices file ${file} does not exist` : `practices file ${file} is not JSON: ${(err as Error).message}`,
      location: { file },
    });
  }
  return parsePracticesFile(json, file);
}

export function parsePracticesFile(json: unknown, file: string): Practice[] {
  const parsed = PracticesFileSchema.safeParse(json);
  const problems = parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
  const practices: Practice[] = [];
  if (parsed.success) {
    const ids = new Set<string>();
    const npiOwner = new Map<string, string>();
    parsed.data.practices.forEach((p, i) => {
      if (ids.has(p.id)) problems.push(`practices.${i}.id: ${p.id} is listed twice`);
      ids.add(p.id);
      p.npis.forEach((npi, j) => {
        if (!isValidNpi(npi)) problems.push(`practices.${i}.npis.${j}: ${npi} fails the NPI check digit`);
        const owner = npiOwner.get(npi);
        if (owner !== undefined) problems.push(`practices.${i}.npis.${j}: NPI ${npi} is already ${owner}'s: an NPI names one practice`);
        npiOwner.set(npi, p.id);
      });
      practices.push({ id: p.id, name: p.name, taxId: normalizeTaxId(p.taxId), npis: [...new Set(p.npis)].sort() });
    });
  }
  if (problems.length > 0) {
    throw new ClaimsError({ code: 'PRACTICES_FILE_INVALID', message: `invalid practices file ${file}:\n  ${problems.join('\n  ')}`, location: { file } });
  }
  return practices;
}

export interface RegisterResult {
  added: string[];
  updated: string[];
  unchanged: string[];
}

/**
 * Add or update practices (a practice not in the list is left as it is). Refused as a whole, naming the NPI:
 * an NPI registered to another practice, or one whose claims are already in another practice's books (the
 * chain of a claim, its replacements and its remittances stay in one practice's books).
 */
export async function registerPractices(client: pg.ClientBase, practices: readonly Practice[]): Promise<RegisterResult> {
  const result: RegisterResult = { added: [], updated: [], unchanged: [] };
  await client.query('LOCK TABLE practices IN SHARE ROW EXCLUSIVE MODE');
  const current = await loadPracticeDirectory(client);
  const problems: string[] = [];
  for (const p of practices) {
    for (const npi of p.npis) {
      const other = current.practices.find((q) => q.id !== p.id && q.npis.includes(npi) && !practices.some((r) => r.id === q.id && !r.npis.includes(npi)));
      if (other !== undefined) problems.push(`NPI ${npi} of ${p.id} is registered to practice ${other.id}`);
    }
    const { rows } = await client.query<{ practice_id: string; n: string }>(
      'SELECT practice_id, count(*)::text AS n FROM claims WHERE billing_npi = ANY($1::text[]) AND practice_id <> $2 GROUP BY practice_id', [p.npis, p.id]);
    for (const r of rows) {
      problems.push(`${p.id}'s NPIs already bill ${r.n} claim(s) in practice ${r.practice_id}'s books` +
        (r.practice_id === DEFAULT_PRACTICE ? ` (a database from before practices: register this practice with the id "${DEFAULT_PRACTICE}" and its own name)` : ''));
    }
  }
  if (problems.length > 0) {
    throw new ClaimsError({ code: 'PRACTICE_NPI_TAKEN', message: `practices not registered:\n  ${problems.join('\n  ')}` });
  }
  for (const p of practices) {
    const before = current.get(p.id);
    if (before !== undefined && before.name === p.name && before.taxId === p.taxId && before.npis.join() === p.npis.join()) {
      result.unchanged.push(p.id);
      continue;
    }
    await client.query(
      `INSERT INTO practices (id, name, tax_id, npis) VALUES ($1, $2, $3, $4)
       ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, tax_id = EXCLUDED.tax_id, npis = EXCLUDED.npis, updated_at = now()`,
      [p.id, p.name, p.taxId, p.npis]);
    (before === undefined ? result.added : result.updated).push(p.id);
  }
  return result;
}

/** A --practice option checked against the registry: PRACTICE_UNKNOWN names the practices there are. */
export async function checkPracticeOption(db: Queryable, practiceId: string | undefined): Promise<string | undefined> {
  if (practiceId === undefined) return undefined;
  const dir = await loadPracticeDirectory(db);
  if (dir.get(practiceId) === undefined) {
    throw new ClaimsError({
      code: 'PRACTICE_UNKNOWN',
      message: `practice ${JSON.stringify(practiceId)} is not registered (practices: ${dir.practices.map((p) => p.id).join(', ') || 'none'})`,
      expected: 'a registered practice id', found: practiceId,
    });
  }
  return practiceId;
}
