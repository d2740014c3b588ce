// Protected patients in the 835 posting (docs/decisions/0100): which claims of a remittance post their
// patient's PR to protected_adjustment instead of a statement, and the QMB status an 835 reveals (RARC N781,
// N782, N783; CARC CO-303), recorded on the patient's Medicare coverage in the posting's transaction. The
// decision per claim is pure (claimProtection); the adapter reads payer kinds and coverage protections
// once per remittance, so the posting rules see one field per claim and nothing per line.
import type { PoolClient } from 'pg';
import type { RemittanceClaim } from '../domain/remittance.ts';
import { isMedicaidKind, isMedicareKind, type PayerRules } from '../domain/payer-profile.ts';
import { loadPayerRules } from '../claims/payer-rules.ts';
import type { PatientProtection } from './posting-rules.ts';

type Queryable = Pick<PoolClient, 'query'>;

/** RARCs Medicare sends for a QMB patient: no deductible, coinsurance, copayment may be collected (CR 9911). */
export const QMB_REMARKS: ReadonlySet<string> = new Set(['N781', 'N782', 'N783']);

/**
 * The 835 says the patient is a QMB: a QMB remark on the claim or a line, or CO-303 (a later payer: the prior
 * payer's cost sharing is not covered for a Qualified Medicare Beneficiary). OA-209 is not taken: it says only
 * that a regulation or agreement bars collecting from the patient, QMB or not (it never reaches the patient).
 */
export function qmbSignal(claim: RemittanceClaim): 'remark' | 'carc' | null {
  for (const code of claim.remarkCodes) if (QMB_REMARKS.has(code)) return 'remark';
  for (const line of claim.lines) for (const code of line.remarkCodes) if (QMB_REMARKS.has(code)) return 'remark';
  for (const adj of claim.adjustments) if (adj.group === 'CO' && adj.reason === '303') return 'carc';
  for (const line of claim.lines) for (const adj of line.adjustments) if (adj.group === 'CO' && adj.reason === '303') return 'carc';
  return null;
}

const QMB: PatientProtection = Object.freeze({ kind: 'qmb', copayMaxCents: 0n });

/**
 * What the patient of one claim may not be billed. Medicaid first (the remitting payer is a Medicaid kind,
 * else the claim's first Medicaid payer): only PR-3 up to that payer's copay cap. Else QMB: a Medicare or
 * Medicare Advantage payer of the claim (or one with no kind on file) whose coverage says 'qmb' or 'dual', or
 * a QMB signal in this very remittance. Pure.
 */
export function claimProtection(
  remittingPayerId: string, claimPayerIds: readonly (string | null)[], rules: ReadonlyMap<string, PayerRules>,
  protectedPayerIds: ReadonlySet<string>, signalled: boolean, medicaidCache: Map<string, PatientProtection>,
): PatientProtection | null {
  let medicaid: string | null = null;
  const remitting = rules.get(remittingPayerId);
  if (remitting && isMedicaidKind(remitting.kind)) medicaid = remittingPayerId;
  else for (const p of claimPayerIds) if (p !== null && medicaid === null && isMedicaidKind(rules.get(p)?.kind ?? 'commercial')) medicaid = p;
  if (medicaid !== null) {
    let found = medicaidCache.get(medicaid);
    if (found === undefined) {
      found = Object.freeze({ kind: 'medicaid' as const, copayMaxCents: rules.get(medicaid)!.medicaidCopayMaxCents ?? 0n });
      medicaidCache.set(medicaid, found);
    }
    return found;
  }
  if (signalled) return QMB;
  for (const p of claimPayerIds) {
    if (p === null || !protectedPayerIds.has(p)) continue;
    const kind = rules.get(p)?.kind;
    if (kind === undefined || isMedicareKind(kind)) return QMB;
  }
  return null;
}

const PROTECTED_COVERAGES = `
SELECT patient_id, payer_id FROM coverages WHERE patient_id = ANY($1::text[]) AND protection IN ('qmb', 'dual')`;

// The patient's Medicare coverages (by the payers table), or, for a QMB remark, the remitting payer's own
// coverage when that payer has no kind on file. A protection already recorded (export, 271, earlier 835) stays.
const RECORD_QMB = `
UPDATE coverages c SET protection = 'qmb', protection_source = '835', protection_on = $3::date, updated_at = now()
FROM unnest($1::text[], $2::text[]) AS w(patient_id, remitting_payer_id)
WHERE c.patient_id = w.patient_id AND c.protection IS NULL
  AND (c.payer_id IN (SELECT p.payer_id FROM payers p WHERE p.kind IN ('medicare', 'medicare_advantage'))
       OR (c.payer_id = w.remitting_payer_id AND NOT EXISTS (SELECT 1 FROM payers p WHERE p.payer_id = w.remitting_payer_id)))`;

/** One matched claim of the remittance: its patient and payers, and whether the 835 says QMB. */
export interface ProtectionInput {
  patientId: string | null;
  payerIds: readonly (string | null)[];
  signal: 'remark' | 'carc' | null;
}

/**
 * Each claim's protection (same order as `claims`), after recording on their patients' coverages the QMB
 * status this remittance reveals (dated the remittance's payment date). Three statements per remittance.
 */
export async function protectionsFor(db: Queryable, remittingPayerId: string, claims: readonly ProtectionInput[], paymentDate: string): Promise<(PatientProtection | null)[]> {
  const signalled = claims.filter((c) => c.signal !== null && c.patientId !== null);
  if (signalled.length > 0) {
    const pairs = [...new Map(signalled.map((c) => [`${c.patientId}\u0000${c.signal}`, c])).values()].sort((a, b) => (a.patientId! < b.patientId! ? -1 : 1));
    await db.query(RECORD_QMB, [pairs.map((c) => c.patientId), pairs.map((c) => (c.signal === 'remark' ? remittingPayerId : null)), paymentDate === '' ? null : paymentDate]);
  }
  const payerIds = new Set<string>([remittingPayerId]);
  for (const c of claims) for (const p of c.payerIds) if (p !== null) payerIds.add(p);
  const rules = await loadPayerRules(db, [...payerIds]);
  const patients = [...new Set(claims.flatMap((c) => (c.patientId === null ? [] : [c.patientId])))];
  const protectedBy = new Map<string, Set<string>>();
  if (patients.length > 0) {
    const rows = await db.query<{ patient_id: string; payer_id: string }>(PROTECTED_COVERAGES, [patients]);
    for (const r of rows.rows) {
      let set = protectedBy.get(r.patient_id);
      if (set === undefined) protectedBy.set(r.patient_id, (set = new Set()));
      set.add(r.payer_id);
    }
  }
  const none = new Set<string>();
  const cache = new Map<string, PatientProtection>();
  return claims.map((c) => claimProtection(remittingPayerId, c.payerIds, rules, (c.patientId !== null && protectedBy.get(c.patientId)) || none, c.signal !== null, cache));
}
