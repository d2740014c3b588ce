// Formats of the code sets a claim carries (DOMAIN.md, Procedure and diagnosis codes). Format only: whether
// a code exists in this year's code set is the payer's business and comes back on a 277CA.

const CPT_I = /^\d{5}$/;
const CPT_II = /^\d{4}F$/;
const CPT_III = /^\d{4}T$/;
const HCPCS_II = /^[A-Z]\d{4}$/;
const MODIFIER = /^[A-Z0-9]{2}$/;
/** ICD-10-CM without the dot: a letter, a digit, then 1 to 5 letters or digits (3 to 7 in all). */
const ICD10 = /^[A-Z]\d[0-9A-Z]{1,5}$/;

export type ProcedureCodeKind = 'cpt1' | 'cpt2' | 'cpt3' | 'hcpcs2';

export function procedureCodeKind(code: string): ProcedureCodeKind | null {
  if (CPT_I.test(code)) return 'cpt1';
  if (CPT_II.test(code)) return 'cpt2';
  if (CPT_III.test(code)) return 'cpt3';
  if (HCPCS_II.test(code)) return 'hcpcs2';
  return null;
}

export const isModifier = (m: string): boolean => MODIFIER.test(m);

/**
 * The diagnosis code as an 837 carries it (no dot), or null when it is not ICD-10-CM shaped.
 * A dot is accepted only where ICD-10-CM puts it, after the third character (`E11.9` -> `E119`).
 */
export function normalizeIcd10(code: string): string | null {
  const dot = code.indexOf('.');
  if (dot !== -1 && (dot !== 3 || code.indexOf('.', dot + 1) !== -1 || code.length === 4)) return null;
  const bare = code.replace('.', '');
  return ICD10.test(bare) ? bare : null;
}
