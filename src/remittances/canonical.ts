// The canonical text of a remittance, for exactly-once (docs/decisions/0050): what a remittance *says*,
// independent of how it was written and enveloped. Amounts are cents (`138018.40` and `138018.4` are one
// amount), dates are ISO, other numbers are normalised decimals; the envelope (ISA13, GS06, ST02, GS08),
// the production date (DTM*405, restamped on every re-send) and file positions are left out. A payer that
// re-sends a remittance in a new interchange produces the same text; a changed amount, code or id does not.
// Pure: the adapter hashes this text.
import type { Adjustment, MonetaryAmount, PersonName, Procedure, ProviderAdjustment, Remittance, RemittanceClaim, RemittanceParty, RemittanceServiceLine } from '../domain/remittance.ts';

/** Bumped when the canonical form changes, so old and new hashes never compare equal by accident. */
// 2: the crossover carrier is read from NM1*TT (it was NM1*PR, which is the corrected priority payer).
export const CANONICAL_VERSION = 'remit-canonical-2';

const DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?$/;

/** `007.50` -> `7.5`, `-0` -> `0`, `1.0` -> `1`; anything that is not a plain decimal is kept as is. */
export function normalDecimal(text: string): string {
  const m = DECIMAL.exec(text);
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) return text;
  const whole = (m[2] ?? '').replace(/^0+/, '') || '0';
  const fraction = (m[3] ?? '').replace(/0+$/, '');
  const body = fraction === '' ? whole : `${whole}.${fraction}`;
  return body === '0' || m[1] !== '-' ? body : `-${body}`;
}

const c = (cents: bigint | null): string | null => (cents === null ? null : cents.toString());
const n = (text: string | null): string | null => (text === null ? null : normalDecimal(text));

const party = (p: RemittanceParty) => ({
  name: p.name, idQualifier: p.idQualifier, id: p.id,
  refs: Object.keys(p.refs).sort().map((k) => [k, p.refs[k]]),
});
const person = (p: PersonName | null) => (p === null ? null : [p.lastName, p.firstName, p.middleName, p.idQualifier, p.id]);
const procedure = (p: Procedure | null) => (p === null ? null : [p.qualifier, p.code, ...p.modifiers]);
const adjustment = (a: Adjustment) => [a.group, a.reason, c(a.amountCents), n(a.quantity)];
const amount = (a: MonetaryAmount) => [a.qualifier, c(a.amountCents)];

const line = (l: RemittanceServiceLine) => ({
  procedure: procedure(l.procedure), submittedProcedure: procedure(l.submittedProcedure),
  charge: c(l.chargeCents), paid: c(l.paidCents), revenueCode: l.revenueCode, units: n(l.units), submittedUnits: n(l.submittedUnits),
  lineControlNumber: l.lineControlNumber, serviceDate: l.serviceDate, serviceDateEnd: l.serviceDateEnd,
  adjustments: l.adjustments.map(adjustment), remarkCodes: l.remarkCodes, amounts: l.amounts.map(amount),
});

const claim = (x: RemittanceClaim) => ({
  patientControlNumber: x.patientControlNumber, status: x.status, charge: c(x.chargeCents), paid: c(x.paidCents),
  patientResponsibility: c(x.patientResponsibilityCents), filingIndicator: x.filingIndicator, payerClaimNumber: x.payerClaimNumber,
  facilityType: x.facilityType, frequency: x.frequency, patient: person(x.patient), insured: person(x.insured),
  crossoverCarrier: person(x.crossoverCarrier), correctedPriorityPayer: person(x.correctedPriorityPayer ?? null),
  // MIA / MOA hold amounts and counts as raw text: normalise the numeric ones.
  inpatient: x.inpatient?.map(normalDecimal) ?? null, outpatient: x.outpatient?.map(normalDecimal) ?? null,
  remarkCodes: x.remarkCodes, amounts: x.amounts.map(amount), statementFrom: x.statementFrom, statementTo: x.statementTo,
  adjustments: x.adjustments.map(adjustment), lines: x.lines.map(line),
});

const plb = (p: ProviderAdjustment) => [p.providerId, p.fiscalPeriodDate, p.reasonCode, p.reference, c(p.amountCents)];

/** The canonical text (JSON with a fixed key order) of everything a remittance says, envelope excluded. */
export function canonicalRemittance(r: Remittance): string {
  return JSON.stringify({
    v: CANONICAL_VERSION,
    transactionHandling: r.transactionHandling, payment: c(r.paymentCents), creditDebit: r.creditDebit,
    paymentMethod: r.paymentMethod, paymentDate: r.paymentDate, traceNumber: r.traceNumber, traceOriginator: r.traceOriginator,
    payer: party(r.payer), payee: party(r.payee), claims: r.claims.map(claim), providerAdjustments: r.providerAdjustments.map(plb),
  });
}
