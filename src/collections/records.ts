// The rows that go to a collection agency, as plain data, and the catalogue of their fields (each with its
// type and default column name). Minimum necessary (HIPAA): demographics, dates and balances only; there is
// deliberately no field that could carry a diagnosis, a procedure code or a note, so no layout can ask for one.

export type FieldType = 'text' | 'date' | 'cents' | 'flag';

/** One placement (DOMAIN.md, Collections referral: the placement file fields). */
export interface PlacementRecord {
  accountNumber: string;
  referralId: string;
  placedOn: string;
  guarantorLastName: string;
  guarantorFirstName: string;
  guarantorAddressLine1: string;
  guarantorAddressLine2: string;
  guarantorCity: string;
  guarantorState: string;
  guarantorPostalCode: string;
  guarantorPhone: string;
  guarantorEmail: string;
  guarantorBirthDate: string;
  patientLastName: string;
  patientFirstName: string;
  patientRelationship: string;
  lastServiceDate: string;
  originalBalanceCents: bigint;
  currentBalanceCents: bigint;
  lastPaymentDate: string;
  lastPaymentCents: bigint;
  itemizationDate: string;
  itemizationBalanceCents: bigint;
  interestSinceCents: bigint;
  feesSinceCents: bigint;
  paymentsSinceCents: bigint;
  creditsSinceCents: bigint;
  deceased: boolean;
  bankruptcy: boolean;
  attorney: boolean;
  dispute: boolean;
  workersCompOrAccident: boolean;
  /** The credit bureaus' medical-debt policy (DOMAIN.md): nothing under $500 (configurable) is reported... */
  creditReportable: boolean;
  /** ...and nothing before a year after delinquency, counted here from the final notice. */
  creditReportNotBefore: string;
  /** The creditor: the practice whose account this is (its name and tax id in `claims practices`), not the billing office. */
  creditorName: string;
  /** The creditor's tax id (EIN), nine digits; empty when the practice has none registered. */
  creditorTaxId: string;
}

/** A balance update: a payment or adjustment posted to the practice after placement. */
export interface UpdateRecord {
  accountNumber: string;
  referralId: string;
  transactionDate: string;
  transactionType: 'PAYMENT' | 'ADJUSTMENT';
  amountCents: bigint;
  balanceCents: bigint;
  lastPaymentDate: string;
}

export type RecallReason = 'ZERO_BALANCE' | 'BANKRUPTCY' | 'DISPUTE' | 'INSURANCE_PENDING' | 'ASSISTANCE' | 'REQUESTED';

export interface RecallRecord {
  accountNumber: string;
  referralId: string;
  recallDate: string;
  recallReason: RecallReason;
  balanceCents: bigint;
}

/** The 501(r)(6) written notice: what may be done, and not before when. */
export interface EcaNoticeRecord {
  accountNumber: string;
  noticeDate: string;
  guarantorLastName: string;
  guarantorFirstName: string;
  guarantorAddressLine1: string;
  guarantorAddressLine2: string;
  guarantorCity: string;
  guarantorState: string;
  guarantorPostalCode: string;
  balanceCents: bigint;
  ecaNotBefore: string;
  actions: string;
  assistanceDeadline: string;
}

export type RecordKind = 'placement' | 'update' | 'recall' | 'eca_notice';
export type AnyRecord = PlacementRecord | UpdateRecord | RecallRecord | EcaNoticeRecord;

type Catalogue<R> = { [K in keyof R]: { type: FieldType; column: string } };
const f = (type: FieldType, column: string) => ({ type, column });

export const PLACEMENT_FIELDS: Catalogue<PlacementRecord> = {
  accountNumber: f('text', 'account_number'),
  referralId: f('text', 'referral_id'),
  placedOn: f('date', 'placed_on'),
  guarantorLastName: f('text', 'guarantor_last_name'),
  guarantorFirstName: f('text', 'guarantor_first_name'),
  guarantorAddressLine1: f('text', 'guarantor_address_1'),
  guarantorAddressLine2: f('text', 'guarantor_address_2'),
  guarantorCity: f('text', 'guarantor_city'),
  guarantorState: f('text', 'guarantor_state'),
  guarantorPostalCode: f('text', 'guarantor_zip'),
  guarantorPhone: f('text', 'guarantor_phone'),
  guarantorEmail: f('text', 'guarantor_email'),
  guarantorBirthDate: f('date', 'guarantor_birth_date'),
  patientLastName: f('text', 'patient_last_name'),
  patientFirstName: f('text', 'patient_first_name'),
  patientRelationship: f('text', 'patient_relationship'),
  lastServiceDate: f('date', 'last_service_date'),
  originalBalanceCents: f('cents', 'original_balance'),
  currentBalanceCents: f('cents', 'current_balance'),
  lastPaymentDate: f('date', 'last_payment_date'),
  lastPaymentCents: f('cents', 'last_payment_amount'),
  itemizationDate: f('date', 'itemization_date'),
  itemizationBalanceCents: f('cents', 'itemization_balance'),
  interestSinceCents: f('cents', 'interest_since_itemization'),
  feesSinceCents: f('cents', 'fees_since_itemization'),
  paymentsSinceCents: f('cents', 'payments_since_itemization'),
  creditsSinceCents: f('cents', 'credits_since_itemization'),
  deceased: f('flag', 'deceased'),
  bankruptcy: f('flag', 'bankruptcy'),
  attorney: f('flag', 'attorney'),
  dispute: f('flag', 'dispute'),
  workersCompOrAccident: f('flag', 'workers_comp_or_accident'),
  creditReportable: f('flag', 'credit_reportable'),
  creditReportNotBefore: f('date', 'credit_report_not_before'),
  // Last, so an agency reading the default layout by position keeps every column it had.
  creditorName: f('text', 'creditor_name'),
  creditorTaxId: f('text', 'creditor_tax_id'),
};

export const UPDATE_FIELDS: Catalogue<UpdateRecord> = {
  accountNumber: f('text', 'account_number'),
  referralId: f('text', 'referral_id'),
  transactionDate: f('date', 'transaction_date'),
  transactionType: f('text', 'transaction_type'),
  amountCents: f('cents', 'amount'),
  balanceCents: f('cents', 'new_balance'),
  lastPaymentDate: f('date', 'last_payment_date'),
};

export const RECALL_FIELDS: Catalogue<RecallRecord> = {
  accountNumber: f('text', 'account_number'),
  referralId: f('text', 'referral_id'),
  recallDate: f('date', 'recall_date'),
  recallReason: f('text', 'recall_reason'),
  balanceCents: f('cents', 'balance'),
};

export const ECA_NOTICE_FIELDS: Catalogue<EcaNoticeRecord> = {
  accountNumber: f('text', 'account_number'),
  noticeDate: f('date', 'notice_date'),
  guarantorLastName: f('text', 'guarantor_last_name'),
  guarantorFirstName: f('text', 'guarantor_first_name'),
  guarantorAddressLine1: f('text', 'address_1'),
  guarantorAddressLine2: f('text', 'address_2'),
  guarantorCity: f('text', 'city'),
  guarantorState: f('text', 'state'),
  guarantorPostalCode: f('text', 'zip'),
  balanceCents: f('cents', 'balance'),
  ecaNotBefore: f('date', 'action_not_before'),
  actions: f('text', 'actions'),
  assistanceDeadline: f('date', 'assistance_application_deadline'),
};

export const FIELDS: Record<RecordKind, Record<string, { type: FieldType; column: string }>> = {
  placement: PLACEMENT_FIELDS,
  update: UPDATE_FIELDS,
  recall: RECALL_FIELDS,
  eca_notice: ECA_NOTICE_FIELDS,
};

/** Records are stored as JSON (jsonb) with cents as decimal text; these turn them back. */
export function recordToJson(r: AnyRecord): Record<string, unknown> {
  return Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'bigint' ? v.toString() : v]));
}

export function recordFromJson<R extends AnyRecord>(kind: RecordKind, json: Record<string, unknown>): R {
  const fields = FIELDS[kind];
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(json)) out[k] = fields[k]?.type === 'cents' ? BigInt(v as string) : v;
  return out as R;
}
