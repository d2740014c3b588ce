// Builds the placement row for a referred account: the guarantor's demographics, the patient and their
// relationship to the guarantor, dates and balances with the itemisation (CFPB Regulation F: the balance on
// the itemisation date, here the final notice, then interest, fees, payments and credits since), and flags.
// The creditor is the account's practice (its name and tax id), not the billing office.
// `placementRecord` is pure; `loadPlacementInputs` reads the rows it needs.
import type pg from 'pg';
import { addDays, type IsoDate } from '../common/dates.ts';
import type { EffectivePolicy } from './settings.ts';
import type { PlacementRecord } from './records.ts';
import { FLAGS_OF, GUARANTOR_DETAILS, LAST_PAYMENT, PATIENTS_OF } from './sql.ts';

type Db = Pick<pg.ClientBase, 'query'>;

export interface PlacementInputs {
  guarantor: { last_name: string; first_name: string; address_line1: string; address_line2: string; city: string; state: string; postal_code: string; phone: string; email: string };
  patients: { patient_id: string; last_name: string; first_name: string; birth_date: string; last_service_date: string | null; coverages: { relationship: string; last: string | null; first: string | null; birth: string | null }[] }[];
  lastPayment: { paid_on: string; amount_cents: string } | null;
  flags: string[];
  /** The account's practice, the creditor the agency collects for. */
  creditor: { name: string; taxId: string };
}

export async function loadPlacementInputs(db: Db, accountNumber: string, asOf: IsoDate): Promise<PlacementInputs> {
  // One after the other: `db` is usually a client inside the placing transaction.
  const g = await db.query<PlacementInputs['guarantor'] & { creditor_name: string; creditor_tax_id: string }>(GUARANTOR_DETAILS, [accountNumber]);
  const patients = await db.query<PlacementInputs['patients'][number]>(PATIENTS_OF, [accountNumber, asOf]);
  const pay = await db.query<{ paid_on: string; amount_cents: string }>(LAST_PAYMENT, [accountNumber, asOf]);
  const flags = await db.query<{ flag: string }>(FLAGS_OF, [accountNumber, asOf]);
  const row = g.rows[0];
  if (!row) throw new Error(`guarantor account ${accountNumber} vanished`);
  const { creditor_name: name, creditor_tax_id: taxId, ...guarantor } = row;
  return { guarantor, patients: patients.rows, lastPayment: pay.rows[0] ?? null, flags: flags.rows.map((f) => f.flag), creditor: { name, taxId } };
}

const same = (a: string | null | undefined, b: string | null | undefined): boolean => (a ?? '').trim().toUpperCase() === (b ?? '').trim().toUpperCase();

/**
 * The patient's relationship to the guarantor: `self` when the names agree; else the patient's relationship to
 * a coverage's subscriber who is the guarantor (spouse, child); else `other`. The guarantor's birth date is known
 * when the guarantor is the patient or that subscriber.
 */
export function patientAndGuarantor(inputs: PlacementInputs): { patient: PlacementInputs['patients'][number] | undefined; relationship: string; guarantorBirthDate: string } {
  const g = inputs.guarantor;
  const patient = inputs.patients[0];
  if (!patient) return { patient, relationship: '', guarantorBirthDate: '' };
  const self = inputs.patients.find((p) => same(p.last_name, g.last_name) && same(p.first_name, g.first_name));
  if (self === patient) return { patient, relationship: 'self', guarantorBirthDate: patient.birth_date };
  const viaCoverage = patient.coverages.find((c) => c.relationship !== 'self' && same(c.last, g.last_name) && same(c.first, g.first_name));
  return {
    patient,
    relationship: viaCoverage ? viaCoverage.relationship : 'other',
    guarantorBirthDate: self?.birth_date ?? viaCoverage?.birth ?? '',
  };
}

export interface PlacementFigures {
  accountNumber: string;
  referralId: string;
  placedOn: IsoDate;
  currentBalanceCents: bigint;
  /** Balance on the first statement of the cycle (what was first billed). */
  originalBalanceCents: bigint;
  itemizationDate: IsoDate;
  itemizationBalanceCents: bigint;
  /** Patient payments dated after the itemisation date, up to placement. */
  paymentsSinceCents: bigint;
  dispute: boolean;
  creditReportable: boolean;
  creditReportNotBefore: IsoDate;
}

/**
 * The credit bureaus' medical-debt policy (DOMAIN.md, Collections referral): balances under the minimum
 * ($500 by default) are not reported, and nothing is reported until the wait (a year) after delinquency,
 * counted from the final notice, the latest date the account was certainly past due.
 */
export function creditReporting(balanceCents: bigint, finalNoticeOn: IsoDate, policy: Pick<EffectivePolicy, 'creditReportMinimumCents' | 'creditReportWaitDays'>): { creditReportable: boolean; creditReportNotBefore: IsoDate } {
  return { creditReportable: balanceCents >= policy.creditReportMinimumCents, creditReportNotBefore: addDays(finalNoticeOn, policy.creditReportWaitDays) };
}

export function placementRecord(x: PlacementFigures, inputs: PlacementInputs): PlacementRecord {
  const g = inputs.guarantor;
  const { patient, relationship, guarantorBirthDate } = patientAndGuarantor(inputs);
  // This office charges no interest or fees; whatever else moved the balance since the itemisation date
  // (adjustments, credits applied) is a credit, so the itemisation always foots to the current balance.
  const interest = 0n;
  const fees = 0n;
  const credits = x.itemizationBalanceCents + interest + fees - x.paymentsSinceCents - x.currentBalanceCents;
  const lastServiceDate = inputs.patients.map((p) => p.last_service_date ?? '').sort().at(-1) ?? '';
  return {
    accountNumber: x.accountNumber,
    referralId: x.referralId,
    placedOn: x.placedOn,
    guarantorLastName: g.last_name,
    guarantorFirstName: g.first_name,
    guarantorAddressLine1: g.address_line1,
    guarantorAddressLine2: g.address_line2,
    guarantorCity: g.city,
    guarantorState: g.state,
    guarantorPostalCode: g.postal_code,
    guarantorPhone: g.phone,
    guarantorEmail: g.email,
    guarantorBirthDate,
    patientLastName: patient?.last_name ?? '',
    patientFirstName: patient?.first_name ?? '',
    patientRelationship: relationship,
    lastServiceDate,
    originalBalanceCents: x.originalBalanceCents,
    currentBalanceCents: x.currentBalanceCents,
    lastPaymentDate: inputs.lastPayment?.paid_on ?? '',
    lastPaymentCents: inputs.lastPayment ? BigInt(inputs.lastPayment.amount_cents) : 0n,
    itemizationDate: x.itemizationDate,
    itemizationBalanceCents: x.itemizationBalanceCents,
    interestSinceCents: interest,
    feesSinceCents: fees,
    paymentsSinceCents: x.paymentsSinceCents,
    creditsSinceCents: credits,
    deceased: inputs.flags.includes('deceased'),
    bankruptcy: inputs.flags.includes('bankruptcy'),
    attorney: inputs.flags.includes('attorney'),
    dispute: x.dispute,
    workersCompOrAccident: inputs.flags.includes('workers_comp') || inputs.flags.includes('accident'),
    creditReportable: x.creditReportable,
    creditReportNotBefore: x.creditReportNotBefore,
    creditorName: inputs.creditor.name,
    creditorTaxId: inputs.creditor.taxId,
  };
}
