// Whose claims these are (issue 17): the practice of each claim by its billing provider, which must also own
// its patient and guarantor account; the claims of one practice only, for a submit or a pipeline bound to it;
// the payer profiles' per-practice terms checked against the registered practices.
import type pg from 'pg';
import { ClaimsError } from '../common/errors.ts';
import type { MappedClaim, PayerDirectory } from '../domain/mapped-claim.ts';
import type { PracticeDirectory } from '../domain/practice.ts';
import { unknownProfilePractices } from '../runtime/payer-profiles.ts';
import { SQL } from './sql.ts';

/** Whose books a claim goes into: its billing provider's practice, which must also own its patient and account. */
export type PracticeVerdict =
  | { ok: true; practiceId: string }
  | { ok: false; code: 'CLAIM_PRACTICE_UNKNOWN' | 'PATIENT_OF_OTHER_PRACTICE' | 'CLAIM_OF_OTHER_PRACTICE'; field: string; message: string; expected: string; found: string };

/** practicesOf: each claim's practice, or why it has none (the directory and the owners of its people). */
export async function practiceVerdicts(pool: pg.Pool, directory: PracticeDirectory, claims: readonly MappedClaim[], practiceOf: WeakMap<MappedClaim, string>): Promise<PracticeVerdict[]> {
  const accounts = claims.map((m) => m.claim.record.guarantor.accountNumber);
  const patients = claims.map((m) => m.claim.record.patient.patientId);
  const [a, p] = await Promise.all([
    pool.query<{ k: string; practice_id: string }>(SQL.accountPractices, [accounts]),
    pool.query<{ k: string; practice_id: string }>(SQL.patientPractices, [patients]),
  ]);
  const accountOwner = new Map(a.rows.map((r) => [r.k, r.practice_id]));
  const patientOwner = new Map(p.rows.map((r) => [r.k, r.practice_id]));
  return claims.map((m): PracticeVerdict => {
    const rec = m.claim.record;
    const found = directory.resolve({ npi: rec.billingProvider.npi, taxId: rec.billingProvider.taxId });
    if (!found.ok) {
      return { ok: false, code: 'CLAIM_PRACTICE_UNKNOWN', field: 'billingProvider.npi', message: `the claim's billing provider belongs to no practice: ${found.reason}`, expected: 'the NPI of a registered practice', found: rec.billingProvider.npi };
    }
    const practiceId = found.practiceId;
    const owners: [string, string, Map<string, string>, string][] = [
      ['guarantor.accountNumber', rec.guarantor.accountNumber, accountOwner, 'guarantor account'],
      ['patient.patientId', rec.patient.patientId, patientOwner, 'patient'],
    ];
    for (const [field, key, owner, what] of owners) {
      const other = owner.get(key);
      if (other !== undefined && other !== practiceId) {
        return {
          ok: false, code: 'PATIENT_OF_OTHER_PRACTICE', field,
          message: `${what} ${key} belongs to practice ${other}, and this claim bills for practice ${practiceId}: patient ids and account numbers are one office-wide namespace, so give this practice's patients their own ids (for example a prefix)`,
          expected: `a ${what} of practice ${practiceId} or a new one`, found: key,
        };
      }
    }
    // Later claims of this batch see the owners this one makes.
    accountOwner.set(rec.guarantor.accountNumber, practiceId);
    patientOwner.set(rec.patient.patientId, practiceId);
    practiceOf.set(m, practiceId);
    return { ok: true, practiceId };
  });
}

/** Held claims of one practice, by the billing provider of their record; one whose practice cannot be told is kept (it is refused with the reason). */
export function heldOfPractice<R extends { record: unknown }>(rows: readonly R[], directory: PracticeDirectory, practiceId: string): R[] {
  return rows.filter((r) => {
    const bp = (r.record as { billingProvider?: { npi?: string; taxId?: string } }).billingProvider;
    const found = directory.resolve({ npi: bp?.npi ?? null, taxId: bp?.taxId ?? null });
    return !found.ok || found.practiceId === practiceId;
  });
}

/** With `--practice P`, a claim of another practice is refused: that practice's own run sends it. */
export function otherPractice(v: PracticeVerdict, only: string | undefined): PracticeVerdict {
  if (!v.ok || only === undefined || v.practiceId === only) return v;
  return {
    ok: false, code: 'CLAIM_OF_OTHER_PRACTICE', field: 'billingProvider.npi',
    message: `the claim's billing provider belongs to practice ${v.practiceId}, and this submit is for practice ${only} only`,
    expected: `a billing provider of practice ${only}`, found: v.practiceId,
  };
}

/** The registered practices, once every practice a payer profile has terms for is one of them. */
export async function practicesFor(store: { practiceDirectory(): Promise<PracticeDirectory> }, payers: PayerDirectory): Promise<PracticeDirectory> {
  const directory = await store.practiceDirectory();
  const unknown = unknownProfilePractices(payers.values(), new Set(directory.practices.map((p) => p.id)));
  if (unknown.length > 0) {
    throw new ClaimsError({ code: 'PAYER_PROFILE_INVALID', message: `payer profiles name practices that are not registered (claims practices register):\n  ${unknown.join('\n  ')}` });
  }
  return directory;
}

