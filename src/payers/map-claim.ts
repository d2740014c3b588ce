// Mapping a valid claim to what one payer receives: the payer profile of the primary coverage, the other
// coverages' profiles (2320/2330 loops), every line's code, modifiers and units through that payer's
// crosswalk, the crosswalk version used, the idempotency key and the content hash; the payer order checked
// (src/payers/payer-order.ts). Pure.
import { profileForPractice, type PayerProfile } from '../domain/payer-profile.ts';
import { mapLineCodes } from './crosswalk.ts';
import { payerOrderProblems } from './payer-order.ts';
import { ClaimsError } from '../common/errors.ts';
import type { ErrorCode } from '../common/error-codes.ts';
import { canonicalJson, contentHash, sha256Hex } from '../common/content-hash.ts';
import type { Rejection, ValidClaim } from '../domain/claim-validate.ts';
import type { CrosswalkVersion, MappedClaim, MappedLine, PayerDirectory } from '../domain/mapped-claim.ts';

export type MappingResult = { ok: true; mapped: MappedClaim } | { ok: false; rejections: Rejection[] };

const versions = new WeakMap<PayerProfile, CrosswalkVersion>();

export function crosswalkVersionOf(profile: PayerProfile): CrosswalkVersion {
  let v = versions.get(profile);
  if (!v) {
    const sha256 = contentHash(profile.crosswalk);
    v = { payerId: profile.payerId, label: profile.crosswalk.version, sha256, id: `${profile.crosswalk.version}@${sha256.slice(0, 12)}` };
    versions.set(profile, v);
  }
  return v;
}

export const claimKey = (billingNpi: string, patientControlNumber: string, frequency: string): string =>
  `${billingNpi}:${patientControlNumber}:${frequency}`;

/** `practiceId`: the practice whose claim this is (its own terms with each payer: profile `practices`). */
export function mapClaim(claim: ValidClaim, record: number, payers: PayerDirectory, practiceId?: string): MappingResult {
  const rec = claim.record;
  const rejections: Rejection[] = [];
  const reject = (field: string, code: ErrorCode, message: string, expected: string, found: string): void => {
    rejections.push({ claimId: rec.claimId, patientControlNumber: rec.patientControlNumber, record, field, code, message, expected, found });
  };
  const profiles: PayerProfile[] = [];
  rec.coverages.forEach((c, i) => {
    const p = payers.get(c.payerId);
    if (!p) reject(`coverages[${i}].payerId`, 'PAYER_UNKNOWN', 'no payer profile for this payer', `one of: ${[...payers.keys()].sort().join(', ')}`, c.payerId);
    else profiles.push(profileForPractice(p, practiceId));
  });
  const payer = profiles[0];
  if (!payer || profiles.length !== rec.coverages.length) return { ok: false, rejections };

  // Payer order, Medicare Secondary Payer facts, subscriber rules, protections: rejected, never held (decision 0100).
  for (const o of payerOrderProblems(rec, profiles)) reject(o.field, o.code, o.message, o.expected, o.found);
  if (!payer.claimTypes.includes(rec.claimType)) {
    reject('claimType', 'CLAIM_TYPE_NOT_ACCEPTED', `payer ${payer.payerId} does not take ${rec.claimType} claims`, payer.claimTypes.join(' or '), rec.claimType);
  }
  if (rec.patientControlNumber.length > payer.patientControlNumberMax) {
    reject('patientControlNumber', 'PATIENT_CONTROL_NUMBER_TOO_LONG', `payer ${payer.payerId} keeps at most ${payer.patientControlNumberMax} characters of CLM01`, `at most ${payer.patientControlNumberMax} characters`, rec.patientControlNumber);
  }

  const lines: MappedLine[] = [];
  claim.lines.forEach((line, i) => {
    try {
      const m = mapLineCodes(payer.crosswalk, line);
      lines.push({
        lineControlNumber: line.lineControlNumber, procedureCode: line.procedureCode, modifiers: line.modifiers, units: line.units,
        chargeCents: line.chargeCents, serviceDate: line.serviceDate, diagnosisPointers: line.diagnosisPointers, revenueCode: line.revenueCode,
        sentProcedureCode: m.procedureCode, sentModifiers: m.modifiers, sentUnits: m.units, crosswalkEntry: m.entryIndex,
      });
    } catch (err) {
      if (!(err instanceof ClaimsError)) throw err;
      reject(`lines[${i}].procedureCode`, err.code, err.message, err.expected ?? '', err.found ?? line.procedureCode);
    }
  });
  if (rejections.length > 0) return { ok: false, rejections };

  return {
    ok: true,
    mapped: {
      claim,
      record,
      payer,
      otherPayers: profiles.slice(1),
      lines,
      crosswalk: crosswalkVersionOf(payer),
      key: claimKey(rec.billingProvider.npi, rec.patientControlNumber, rec.frequency),
      // The fast path's records have sorted keys: the native stringify is their canonical JSON.
      contentHash: sha256Hex(claim.sortedKeys === true ? JSON.stringify(rec) : canonicalJson(rec)),
    },
  };
}
