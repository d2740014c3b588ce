// Which practice a 270 or a 271 is (issue 17, docs/decisions/0098-practices.md): neither carries a practice
// id, so `--practice` is read from what they do carry. A 271 snapshot matched to a patient is that patient's
// practice's; one matched to nobody, a 270 we sent and a rejection above the person are the practice whose
// billing NPIs include the provider (2100B); a provider NPI no practice has registered goes to the practice
// whose coverages hold the member id. Pure: the SQL applying it is in ./sql.ts.
import type { PracticeDirectory } from '../domain/practice.ts';

export interface EligibilityPracticeScope {
  practiceId: string;
  /** The practice's own NPIs. */
  npis: string[];
  /** Every other practice's NPIs: a provider named here is never this practice's. */
  otherNpis: string[];
}

/**
 * The scope of `--practice ID` (an id checked against the registry); undefined for every practice's rows, and
 * while no practice but 'default' is registered (everything is then the default practice's, whatever NPI).
 */
export function eligibilityScope(dir: PracticeDirectory, practiceId: string | undefined): EligibilityPracticeScope | undefined {
  if (practiceId === undefined || dir.singlePractice) return undefined;
  return {
    practiceId,
    npis: [...(dir.get(practiceId)?.npis ?? [])],
    otherNpis: dir.practices.filter((p) => p.id !== practiceId).flatMap((p) => p.npis),
  };
}

/** The SQL parameters of a scope, in the order the scoped statements of ./sql.ts take them. */
export function scopeParameters(scope: EligibilityPracticeScope | undefined): [string | null, string[], string[]] {
  return scope === undefined ? [null, [], []] : [scope.practiceId, scope.npis, scope.otherNpis];
}

/**
 * The appointments of one practice, for `claims eligibility-requests --practice`: those whose provider NPI is
 * the practice's, and those whose NPI no practice has (the file is taken to be that practice's, so the
 * practice is assigned). A visit whose NPI is another practice's is left out and counted.
 */
export function appointmentsOfPractice<T extends { request: { provider: { npi: string } } }>(
  items: readonly T[], dir: PracticeDirectory, practiceId: string,
): { items: T[]; otherPractice: number } {
  if (dir.singlePractice) return { items: [...items], otherPractice: 0 };
  const kept: T[] = [];
  let otherPractice = 0;
  for (const item of items) {
    const owner = dir.resolve({ npi: item.request.provider.npi });
    if (owner.ok && owner.practiceId !== practiceId) otherPractice++;
    else kept.push(item);
  }
  return { items: kept, otherPractice };
}
