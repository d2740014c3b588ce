// The remittance record contract: one 835 transaction set (ST..SE) read into plain data, before any
// balancing, matching or posting. Amounts are bigint cents with the sign as received; codes and ids are
// the raw element text. Each record keeps the segment index it came from so errors and ledger sources can
// point back into the file.
import type { Cents } from '../common/money.ts';

/** 5010 allows only these four adjustment groups (CR is gone, RFI 1147). */
export const ADJUSTMENT_GROUPS = ['CO', 'PR', 'OA', 'PI'] as const;
export type AdjustmentGroup = (typeof ADJUSTMENT_GROUPS)[number];

/** One CAS triplet (reason, amount, quantity) with the group of its segment. */
export interface Adjustment {
  group: AdjustmentGroup;
  /** CARC, e.g. `45`, `1` (deductible), `2` (coinsurance), `3` (copay), `23` (prior payer). */
  reason: string;
  /** Positive reduces payment, negative adds to it. */
  amountCents: Cents;
  /** Raw quantity text, or null when absent. */
  quantity: string | null;
  segmentIndex: number;
}

/** A party named by an NM1 (patient QC, insured IL, crossover carrier PR, ...). Raw text. */
export interface PersonName {
  lastName: string;
  firstName: string;
  middleName: string;
  /** NM108 (MI member id, HN, ...). */
  idQualifier: string;
  /** NM109 */
  id: string;
}

export interface MonetaryAmount {
  /** AMT01, e.g. `I` interest, `AU` coverage amount, `B6` allowed. */
  qualifier: string;
  amountCents: Cents;
}

/** SVC01 / SVC06: `HC:99213:25` -> qualifier HC, code 99213, modifiers [25]. */
export interface Procedure {
  qualifier: string;
  code: string;
  modifiers: string[];
}

export interface RemittanceServiceLine {
  procedure: Procedure;
  /** SVC06 when the payer re-coded the line: the procedure as submitted. */
  submittedProcedure: Procedure | null;
  /** SVC02 */
  chargeCents: Cents;
  /** SVC03 */
  paidCents: Cents;
  /** SVC04 (NUBC revenue code) */
  revenueCode: string | null;
  /** SVC05 raw (units paid); SVC07 original units. */
  units: string | null;
  submittedUnits: string | null;
  /** REF*6R: echoes the 837 line's REF*6R. */
  lineControlNumber: string | null;
  /** DTM*472 (or DTM*150 when only a period is given), YYYY-MM-DD. */
  serviceDate: string | null;
  serviceDateEnd: string | null;
  adjustments: Adjustment[];
  /** LQ*HE remark codes. */
  remarkCodes: string[];
  amounts: MonetaryAmount[];
  segmentIndex: number;
}

export interface RemittanceClaim {
  /** CLP01: the 837's CLM01. Not unique: split claims reuse it (RFI 1076). */
  patientControlNumber: string;
  /** CLP02: 1/2/3 primary/secondary/tertiary, 4 denied, 19/20/21 forwarded, 22 reversal, 23, 25. */
  status: string;
  chargeCents: Cents;
  paidCents: Cents;
  /** CLP05, null when absent. */
  patientResponsibilityCents: Cents | null;
  /** CLP06 claim filing indicator (MC, MB, 12, 13, ...). */
  filingIndicator: string;
  /** CLP07: the payer's claim number (REF*F8 on a corrected claim). */
  payerClaimNumber: string;
  facilityType: string | null;
  frequency: string | null;
  patient: PersonName | null;
  insured: PersonName | null;
  /** NM1*TT in 2100: the crossover carrier the claim was forwarded to (required with CLP02 19/20/21). */
  crossoverCarrier: PersonName | null;
  /** NM1*PR in 2100: the corrected priority payer (the payer the claim should have gone to first). */
  correctedPriorityPayer?: PersonName | null;
  /** MIA / MOA raw elements (without the tag). */
  inpatient: string[] | null;
  outpatient: string[] | null;
  /** MOA03-07 remark codes (and MIA05, MIA20-23; MIA24 is an amount). */
  remarkCodes: string[];
  amounts: MonetaryAmount[];
  statementFrom: string | null;
  statementTo: string | null;
  adjustments: Adjustment[];
  lines: RemittanceServiceLine[];
  segmentIndex: number;
}

/** One PLB reason/amount pair. Positive reduces the deposit, negative adds to it. */
export interface ProviderAdjustment {
  /** PLB01 provider id, PLB02 fiscal period date (YYYY-MM-DD). */
  providerId: string;
  fiscalPeriodDate: string | null;
  /** PLB03-1: WO, 72, FB, L6, CS, IR, J1, ... */
  reasonCode: string;
  /** PLB03-2: the claim (CLP01) or other reference; empty when absent. */
  reference: string;
  amountCents: Cents;
  segmentIndex: number;
}

export interface RemittanceParty {
  name: string;
  /** N103 / N104 */
  idQualifier: string;
  id: string;
  /** Extra ids (REF*2U payer id, REF*TJ tax id, REF*PQ, ...) by qualifier. */
  refs: Record<string, string>;
}

export interface Remittance {
  /** Envelope of the set: ISA13, GS06, ST02, GS08. */
  interchange: string;
  group: string;
  set: string;
  version: string;
  /** BPR01: I remittance + payment, H notification only, C payment only, ... */
  transactionHandling: string;
  /** BPR02 as received (always non-negative in the guide). */
  paymentCents: Cents;
  /** BPR03: C credit to the payee, D debit. */
  creditDebit: 'C' | 'D';
  /** BPR04: ACH, CHK, FWT, BOP, NON. */
  paymentMethod: string;
  /** BPR16: the payment (effective) date, YYYY-MM-DD. */
  paymentDate: string;
  /** TRN02: check or EFT trace number; TRN03 the payer's originating id. */
  traceNumber: string;
  traceOriginator: string;
  /** DTM*405 production date. */
  productionDate: string | null;
  payer: RemittanceParty;
  payee: RemittanceParty;
  claims: RemittanceClaim[];
  providerAdjustments: ProviderAdjustment[];
  /** Index of ST and SE in the file. */
  segmentIndex: number;
  endSegmentIndex: number;
}

/** BPR02 signed the way balancing needs it: a debit (BPR03 = D) takes money from the payee. */
export function depositCents(r: Pick<Remittance, 'paymentCents' | 'creditDebit'>): Cents {
  return r.creditDebit === 'D' ? -r.paymentCents : r.paymentCents;
}

/** The stable name of the payer for keys and provisional records: TRN03, else N1*PR N104, else REF*2U, else the name. */
export function payerKey(r: Pick<Remittance, 'traceOriginator' | 'payer'>): string {
  return r.traceOriginator || r.payer.id || r.payer.refs['2U'] || r.payer.name;
}

/** The stable name of the payee: N1*PE N104 (NPI or tax id), else REF*TJ, else the name. */
export function payeeKey(r: Pick<Remittance, 'payee'>): string {
  return r.payee.id || r.payee.refs['TJ'] || r.payee.name;
}
