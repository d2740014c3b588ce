// A claim as one payer receives it: the valid claim, the payer profiles of its coverages, every line's
// code, modifiers and units as sent (after that payer's crosswalk), the crosswalk version used, the
// idempotency key and the content hash. The contract between mapping (src/payers/map-claim.ts) and the
// 837 writers (src/transactions), written once here so that neither imports the other.
import type { PayerProfile } from './payer-profile.ts';
import type { ValidClaim, ValidLine } from './claim-validate.ts';

export type PayerDirectory = ReadonlyMap<string, PayerProfile>;

/** The crosswalk a claim was mapped with: label plus content hash, so a later edit is a new version. */
export interface CrosswalkVersion {
  payerId: string;
  label: string;
  sha256: string;
  /** `label@first-12-hex`: what claims record. */
  id: string;
}

export interface MappedLine extends ValidLine {
  /** As sent (after the crosswalk). */
  sentProcedureCode: string;
  sentModifiers: string[];
  sentUnits: string;
  crosswalkEntry: number | null;
}

export interface MappedClaim {
  claim: ValidClaim;
  /** 1-based record number in the export. */
  record: number;
  payer: PayerProfile;
  /** Profiles of coverages[1..], in order. */
  otherPayers: PayerProfile[];
  lines: MappedLine[];
  crosswalk: CrosswalkVersion;
  /** Billing NPI + CLM01 + frequency: the idempotency key of the claim and of its ledger entry. */
  key: string;
  /** SHA-256 of the claim record's canonical JSON. */
  contentHash: string;
}
