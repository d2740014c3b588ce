// Practices (tenants): a billing office keeps the books of many practices. A practice is known on the wire
// by its billing NPIs (837 2010AA NM109, 835 N1*PE*..*XX) and its tax id (837 REF*EI, 835 N1*PE*..*FI or
// REF*TJ). Pure: the directory is built from rows read elsewhere (runtime/practices.ts).

/** The practice that holds everything while no other practice is registered (schemas/db/0015_practices.sql). */
export const DEFAULT_PRACTICE = 'default';

export const PRACTICE_ID_PATTERN = /^[a-z0-9][a-z0-9_-]{0,39}$/;

export interface Practice {
  id: string;
  name: string;
  /** Nine digits, no dash; null when the practice is known by NPI only. */
  taxId: string | null;
  npis: readonly string[];
}

/** How a claim or a remittance names its practice. */
export interface PracticeIdentifiers {
  npi?: string | null;
  taxId?: string | null;
}

export type PracticeResolution =
  | { ok: true; practiceId: string; by: 'npi' | 'tax-id' | 'only-practice' }
  | { ok: false; reason: string };

/** A tax id as written on the wire (12-3456789 or 123456789) reduced to its nine digits; null if it is not one. */
export function normalizeTaxId(text: string | null | undefined): string | null {
  if (text === null || text === undefined) return null;
  const digits = text.replace(/-/g, '');
  return /^[0-9]{9}$/.test(digits) ? digits : null;
}

export class PracticeDirectory {
  private readonly byNpi = new Map<string, string>();
  private readonly byTaxId = new Map<string, string[]>();
  readonly practices: readonly Practice[];
  /**
   * True while no practice but 'default' is registered: everything is the default practice's, whatever NPI
   * or tax id it carries (a single-practice office never has to register itself).
   */
  readonly singlePractice: boolean;

  constructor(practices: readonly Practice[]) {
    this.practices = practices;
    for (const p of practices) {
      for (const npi of p.npis) this.byNpi.set(npi, p.id);
      if (p.taxId !== null) this.byTaxId.set(p.taxId, [...(this.byTaxId.get(p.taxId) ?? []), p.id]);
    }
    this.singlePractice = practices.every((p) => p.id === DEFAULT_PRACTICE);
  }

  get(id: string): Practice | undefined {
    return this.practices.find((p) => p.id === id);
  }

  /**
   * The practice named by an NPI first (one NPI belongs to one practice), else by a tax id that belongs to one
   * practice only (two practices under one tax id must be told apart by NPI).
   */
  resolve(ids: PracticeIdentifiers): PracticeResolution {
    if (this.singlePractice) return { ok: true, practiceId: DEFAULT_PRACTICE, by: 'only-practice' };
    const npi = ids.npi ?? null;
    if (npi !== null) {
      const found = this.byNpi.get(npi);
      if (found !== undefined) return { ok: true, practiceId: found, by: 'npi' };
    }
    const taxId = normalizeTaxId(ids.taxId);
    if (taxId !== null) {
      const found = this.byTaxId.get(taxId) ?? [];
      if (found.length === 1) return { ok: true, practiceId: found[0]!, by: 'tax-id' };
      if (found.length > 1) {
        return { ok: false, reason: `tax id ${taxId} belongs to ${found.length} practices (${found.join(', ')}) and ${npi === null ? 'no NPI' : `NPI ${npi}`} tells them apart: register the NPI with its practice` };
      }
    }
    const named = [npi !== null ? `NPI ${npi}` : null, taxId !== null ? `tax id ${taxId}` : null].filter((s) => s !== null);
    return {
      ok: false,
      reason: named.length === 0
        ? 'it names no NPI or tax id to find its practice by'
        : `no registered practice has ${named.join(' or ')} (practices: ${this.practices.map((p) => p.id).join(', ')})`,
    };
  }
}
