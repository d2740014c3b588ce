// The submit-stage coverage check: what the claims stage calls before it writes a claim into an 837.
// It finds the current 271 snapshot for the claim's patient and payer (by the same person key the ingest
// uses, so a 271 that arrived before the patient was known still counts) and applies decideCoverage.
import { keyName } from '../domain/eligibility.ts';
import { decideCoverage, type CoverageDecision, type InactiveCoveragePolicy } from './coverage.ts';
import { hydrateSnapshots, type Queryable, type StoredSnapshot } from './store.ts';
import { ELIGIBILITY_SQL as SQL } from './sql.ts';

export interface CoverageCheckInput {
  /** The payer as the 271 names it in 2100A NM109 (PI): a payer profile's `payerIdentifier`, not its `payerId`. */
  payerId: string;
  /** The subscriber's member id on that coverage. */
  memberId: string;
  /** The patient's relationship to the subscriber (coverages.relationship). */
  relationship: 'self' | 'spouse' | 'child' | 'other';
  /** A dependent's own member id: then payers answer about them as a subscriber. */
  patientMemberId?: string | null;
  patient: { lastName: string; firstName: string; birthDate: string | null };
  /** YYYY-MM-DD of every service line. */
  datesOfService: readonly string[];
  /** EB03 service type to ask about; 30 (health benefit plan coverage) by default. */
  serviceType?: string;
}

export interface CoverageCheckOptions {
  /** From the payer profile: hold (default) or send a claim outside known active coverage. */
  policy?: InactiveCoveragePolicy;
}

/**
 * The person key a 271 snapshot for this patient would carry (see coverageKey in the domain module). Names
 * in the key are in their X12 spelling: the 270 carried Nguyen for Nguyễn, and so does the payer's 271.
 */
export function coverageKeyFor(input: Pick<CoverageCheckInput, 'payerId' | 'memberId' | 'relationship' | 'patientMemberId' | 'patient'>): string {
  if (input.relationship === 'self') return `${input.payerId}|${input.memberId}|S`;
  if (input.patientMemberId) return `${input.payerId}|${input.patientMemberId}|S`;
  const p = input.patient;
  return `${input.payerId}|${input.memberId}|D|${keyName(p.lastName)}|${keyName(p.firstName)}|${p.birthDate ?? ''}`;
}

/** Current snapshots for many keys at once (one query plus two for their rows). */
export async function loadCurrentSnapshots(client: Queryable, keys: readonly string[]): Promise<Map<string, StoredSnapshot>> {
  const res = await client.query(SQL.currentByKeys, [[...new Set(keys)]]);
  const snapshots = await hydrateSnapshots(client, res.rows as Record<string, unknown>[]);
  return new Map(snapshots.map((s) => [s.coverageKey, s]));
}

/**
 * Hold or send one claim. No 271 on file, or one that says nothing about the dates, sends it: missing
 * data is not "not covered". For many claims, call loadCurrentSnapshots once and decideCoverage per claim.
 */
export async function checkCoverage(client: Queryable, input: CoverageCheckInput, options: CoverageCheckOptions = {}): Promise<CoverageDecision & { snapshotId: bigint | null }> {
  const key = coverageKeyFor(input);
  const snapshot = (await loadCurrentSnapshots(client, [key])).get(key) ?? null;
  const decision = decideCoverage(snapshot, input.datesOfService, {
    ...(input.serviceType !== undefined && { serviceType: input.serviceType }),
    ...(options.policy !== undefined && { policy: options.policy }),
  });
  return { ...decision, snapshotId: snapshot?.id ?? null };
}
