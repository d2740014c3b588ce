// A patient's coverages as the claims export states them, replacing what was stored, with their protection
// (QMB, dual eligible; decision 0100): the export setting one wins and is dated the submit's date; an export
// that says nothing keeps one a 271 or an 835 set on the same payer's coverage, and drops one only an earlier
// export had set (the export is the practice's current word for its own source).
import type pg from 'pg';
import type { Coverage, Protection } from '../domain/claim.ts';
import { SQL } from './sql.ts';

export interface CoverageProtection {
  protection: Protection;
  source: 'export' | '271' | '835';
  /** When it was set (ISO date). */
  on: string;
}

/** The protection a coverage keeps: the export's (dated `today`), else a 271's or an 835's it had. Pure. */
export function protectionOf(coverage: Coverage, had: CoverageProtection | undefined, today: string): CoverageProtection | null {
  if (coverage.protection !== undefined) return { protection: coverage.protection, source: 'export', on: today };
  if (had !== undefined && had.source !== 'export') return had;
  return null;
}

const opt = <T>(v: T | undefined): T | null => (v === undefined ? null : v);

/** Replaces the patients' coverages (inside the caller's transaction); `today` is the submit's date. */
export async function replaceCoverages(
  client: pg.PoolClient,
  patients: readonly { patientId: string; coverages: readonly Coverage[] }[],
  today: string,
): Promise<void> {
  const { rows } = await client.query<{ patient_id: string; payer_id: string; protection: Protection | null; protection_source: CoverageProtection['source'] | null; protection_on: string | null }>(
    SQL.deleteCoverages, [patients.map((x) => x.patientId)],
  );
  const had = new Map<string, CoverageProtection>();
  for (const r of rows) {
    if (r.protection !== null) had.set(`${r.patient_id}\u0000${r.payer_id}`, { protection: r.protection, source: r.protection_source!, on: r.protection_on! });
  }
  const cov = patients.flatMap((x) => x.coverages.map((c, i) => ({
    patientId: x.patientId, order: i + 1, c, p: protectionOf(c, had.get(`${x.patientId}\u0000${c.payerId}`), today),
  })));
  await client.query(SQL.insertCoverages, [
    cov.map((x) => x.patientId), cov.map((x) => x.order), cov.map((x) => x.c.payerId), cov.map((x) => x.c.memberId),
    cov.map((x) => opt(x.c.groupNumber)), cov.map((x) => x.c.relationship), cov.map((x) => opt(x.c.patientMemberId)),
    cov.map((x) => opt(x.c.subscriber?.lastName)), cov.map((x) => opt(x.c.subscriber?.firstName)),
    cov.map((x) => opt(x.c.subscriber?.birthDate)), cov.map((x) => opt(x.c.claimFilingIndicator)),
    cov.map((x) => x.p?.protection ?? null), cov.map((x) => x.p?.source ?? null), cov.map((x) => x.p?.on ?? null),
  ]);
}
