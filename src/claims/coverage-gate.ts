// The submit stage's eligibility check (issue 6): before a claim goes into an 837, the newest 271 on file
// for its patient and primary payer decides whether it is sent or held. Held when a date of service falls
// outside known active coverage, unless the payer profile says `eligibility.whenInactive: "send"`; sent when
// covered or when nothing is known (no 271 on file is not "not covered"). The coverage rules themselves are
// the eligibility module's (src/eligibility/coverage.ts); this module asks the question for a batch of claims
// with one lookup, and turns a hold into a row of the rejection/hold report.
import type { Pool } from 'pg';
import { coverageKeyFor, loadCurrentSnapshots, type CoverageCheckInput } from '../eligibility/check.ts';
import { decideCoverage, type CoverageDecision } from '../eligibility/coverage.ts';
import type { MappedClaim } from '../domain/mapped-claim.ts';
import type { Rejection } from '../domain/claim-validate.ts';

export type CoverageVerdict = CoverageDecision & { snapshotId: bigint | null };

export interface CoverageGate {
  /** One verdict per claim, in order, from one lookup for the whole batch. */
  decide(claims: readonly MappedClaim[]): Promise<CoverageVerdict[]>;
}

/**
 * The coverage question for a claim: its primary coverage, asked of the payer as the 271 names it (the
 * profile's payerIdentifier, 2010BB NM109), over every line's date of service.
 */
export function coverageQuestion(mapped: MappedClaim): CoverageCheckInput {
  const rec = mapped.claim.record;
  const coverage = rec.coverages[0]!;
  return {
    payerId: mapped.payer.payerIdentifier,
    memberId: coverage.memberId,
    relationship: coverage.relationship,
    patientMemberId: coverage.patientMemberId ?? null,
    patient: { lastName: rec.patient.lastName, firstName: rec.patient.firstName, birthDate: rec.patient.birthDate },
    datesOfService: mapped.claim.lines.map((l) => l.serviceDate),
  };
}

/** Postgres: the current snapshots of a batch's people in one query (plus two for their rows). */
export function postgresCoverageGate(pool: Pool): CoverageGate {
  return {
    async decide(claims) {
      if (claims.length === 0) return [];
      const questions = claims.map(coverageQuestion);
      const keys = questions.map(coverageKeyFor);
      const snapshots = await loadCurrentSnapshots(pool, keys);
      return claims.map((mapped, i) => {
        const snapshot = snapshots.get(keys[i]!) ?? null;
        const decision = decideCoverage(snapshot, questions[i]!.datesOfService, { policy: mapped.payer.eligibility.whenInactive });
        return { ...decision, snapshotId: snapshot?.id ?? null };
      });
    },
  };
}

/** The report row of a held claim: what the 271 said, and what would let it go. */
export function holdRow(mapped: MappedClaim, verdict: CoverageVerdict): Rejection {
  const rec = mapped.claim.record;
  const decisive = verdict.answers.find((a) => a.dateOfService === verdict.dateOfService)?.answer;
  return {
    outcome: 'held',
    claimId: rec.claimId,
    patientControlNumber: rec.patientControlNumber,
    record: mapped.record,
    field: 'coverages[0]',
    code: verdict.code,
    message: `held, not sent: ${verdict.reason}`,
    expected: `active coverage with ${mapped.payer.payerId} on every date of service (a newer 271), or eligibility.whenInactive "send" in the payer profile`,
    found: decisive ? `${decisive.reason} on ${verdict.dateOfService}` : verdict.code,
  };
}
