// Payer order and who may be billed, checked when a claim is mapped (decision 0100): Medicaid pays last,
// TRICARE after other insurance but before Medicaid, Medicare Secondary Payer basics from the facts the
// export gives (plan type, employer size, the patient's age on the first date of service), the subscriber
// rule of each payer's kind, and a protection flag only on a Medicare coverage. Pure: a claim record and its
// coverages' profiles in, problems out (mapping runs on worker threads too). The coverages' array order is
// the payer order (primary first): there is no separate sequence that could be duplicated or gapped, and no
// secondary without a primary. A payer listed twice is refused earlier, by validation
// (COVERAGE_DUPLICATE_PAYER), as is an employer size on a plan that is not a group plan from employment.
import type { ClaimRecord, Coverage, MedicareSecondaryPayerType } from '../domain/claim.ts';
import { isMedicaidKind, isMedicareKind, payerRules, type PayerProfile } from '../domain/payer-profile.ts';
import type { ErrorCode } from '../common/error-codes.ts';

export interface OrderProblem {
  /** Path in the record, e.g. `coverages[1].payerId`. */
  field: string;
  code: ErrorCode;
  message: string;
  expected: string;
  found: string;
}

/** MSP thresholds (DOMAIN.md, revenue cycle 2): a group plan pays first for the working aged at 20+ employees, for the disabled at 100+. */
export const AGED_EMPLOYER_SIZE_MIN = 20;
export const DISABLED_EMPLOYER_SIZE_MIN = 100;
const MEDICARE_AGE = 65;

const ORDINAL = ['primary', 'secondary', 'tertiary'];
const nth = (i: number): string => `${ORDINAL[i] ?? `#${i + 1}`} (coverages[${i}])`;
const who = (p: PayerProfile): string => `${p.payerId} (${p.kind})`;

/** Whole years from `birthDate` to `on` (ISO dates). */
export function ageOn(birthDate: string, on: string): number {
  const years = Number(on.slice(0, 4)) - Number(birthDate.slice(0, 4));
  return on.slice(5) < birthDate.slice(5) ? years - 1 : years;
}

/** The first date of service of the claim (lines; an institutional claim's statement start when earlier). */
function firstServiceDate(rec: ClaimRecord): string {
  let first = rec.institutional?.statementFrom ?? rec.lines[0]!.serviceDate;
  for (const l of rec.lines) if (l.serviceDate < first) first = l.serviceDate;
  return first;
}

/**
 * Whether, by the facts a later coverage gives, it pays before Medicare: workers' compensation, liability and
 * no-fault always (the claim is for that injury or accident); a group plan from current employment when the
 * employer is large enough for the patient's age (20+ aged 65 and over, 100+ under 65, i.e. disabled). A retiree
 * or individual plan, or a group plan whose employer size is not given, says nothing against Medicare first.
 */
export function paysBeforeMedicare(c: Coverage, age: number): string | null {
  switch (c.planType) {
    case 'workers_compensation': return 'workers\' compensation pays first for a work injury';
    case 'liability': return 'liability insurance pays first for the accident';
    case 'no_fault': return 'no-fault insurance pays first for the accident';
    case 'group_current_employment': {
      if (c.employerSize === undefined) return null;
      const min = age >= MEDICARE_AGE ? AGED_EMPLOYER_SIZE_MIN : DISABLED_EMPLOYER_SIZE_MIN;
      return c.employerSize >= min
        ? `a group plan from current employment with ${c.employerSize} employees pays first for a patient aged ${age} (${min} or more)`
        : null;
    }
    default: return null;
  }
}

/**
 * Whether an MSP type fits the coverages before Medicare and the patient's age; null when it does, else why not.
 * Only the facts given are used: coverages without a plan type say nothing, and 16, 41, 42 (federal, black lung,
 * veterans) have no plan type here to compare with.
 */
export function mspTypeMismatch(type: MedicareSecondaryPayerType, before: readonly Coverage[], age: number): string | null {
  if (type === '12' && age < MEDICARE_AGE) return `12 (working aged) is for a patient aged ${MEDICARE_AGE} or over; the patient is ${age} on the first date of service`;
  if (type === '43' && age >= MEDICARE_AGE) return `43 (disabled) is for a patient under ${MEDICARE_AGE}; the patient is ${age} on the first date of service`;
  const stated = before.filter((c) => c.planType !== undefined);
  if (stated.length === 0) return null;
  const fits = (c: Coverage): boolean | null => {
    switch (type) {
      case '12': return c.planType === 'group_current_employment' && (c.employerSize ?? AGED_EMPLOYER_SIZE_MIN) >= AGED_EMPLOYER_SIZE_MIN;
      case '43': return c.planType === 'group_current_employment' && (c.employerSize ?? DISABLED_EMPLOYER_SIZE_MIN) >= DISABLED_EMPLOYER_SIZE_MIN;
      case '13': return c.planType === 'group_current_employment' || c.planType === 'group_retiree';
      case '14': return c.planType === 'no_fault';
      case '15': return c.planType === 'workers_compensation';
      case '47': return c.planType === 'liability';
      default: return null;
    }
  };
  const verdicts = stated.map(fits);
  if (verdicts.includes(null) || verdicts.includes(true)) return null;
  return `no coverage before Medicare is a plan that type ${type} names (they are: ${stated.map((c) => `${c.payerId} ${c.planType!}${c.employerSize !== undefined ? ` with ${c.employerSize} employees` : ''}`).join(', ')})`;
}

function orderProblems(profiles: readonly PayerProfile[], out: OrderProblem[]): void {
  profiles.forEach((p, i) => {
    const later = profiles.slice(i + 1);
    if (isMedicaidKind(p.kind)) {
      const after = later.find((q) => !isMedicaidKind(q.kind));
      if (after) out.push({ field: `coverages[${i}].payerId`, code: 'PAYER_ORDER_MEDICAID_NOT_LAST', message: `Medicaid pays last (SSA 1902(a)(25)): ${who(p)} is the ${nth(i)} coverage but ${who(after)} comes after it; list every other coverage before Medicaid`, expected: 'Medicaid after every other coverage', found: profiles.map(who).join(', ') });
    } else if (p.kind === 'tricare') {
      const after = later.find((q) => q.kind !== 'tricare' && !isMedicaidKind(q.kind));
      if (after) out.push({ field: `coverages[${i}].payerId`, code: 'PAYER_ORDER_TRICARE', message: `TRICARE pays after other insurance (Medicare included) and before Medicaid: ${who(p)} is the ${nth(i)} coverage but ${who(after)} comes after it`, expected: 'TRICARE after every other coverage but Medicaid', found: profiles.map(who).join(', ') });
    }
  });
}

function medicareProblems(rec: ClaimRecord, profiles: readonly PayerProfile[], out: OrderProblem[]): void {
  const age = ageOn(rec.patient.birthDate, firstServiceDate(rec));
  rec.coverages.forEach((c, i) => {
    const kind = profiles[i]!.kind;
    const field = `coverages[${i}].medicareSecondaryPayerType`;
    if (c.medicareSecondaryPayerType !== undefined && kind !== 'medicare') {
      out.push({ field, code: 'MEDICARE_SECONDARY_TYPE_INVALID', message: `a Medicare Secondary Payer type belongs on a Medicare coverage; ${who(profiles[i]!)} is not Medicare`, expected: 'no medicareSecondaryPayerType', found: c.medicareSecondaryPayerType });
      return;
    }
    if (!isMedicareKind(kind)) return;
    if (i === 0) {
      if (c.medicareSecondaryPayerType !== undefined) {
        out.push({ field, code: 'MEDICARE_SECONDARY_PAYER', message: `the export says Medicare is a secondary payer here (type ${c.medicareSecondaryPayerType}) but lists ${who(profiles[0]!)} as the primary coverage: list the plan that pays first before it`, expected: 'Medicare after the payer that pays first', found: `${profiles[0]!.payerId} primary with type ${c.medicareSecondaryPayerType}` });
      }
      rec.coverages.slice(1).forEach((later, k) => {
        const why = paysBeforeMedicare(later, age);
        if (why) out.push({ field: 'coverages[0].payerId', code: 'MEDICARE_SECONDARY_PAYER', message: `Medicare pays second here: ${why}, so ${profiles[k + 1]!.payerId} (coverages[${k + 1}]) is billed before ${who(profiles[0]!)}`, expected: `${profiles[k + 1]!.payerId} before Medicare`, found: `${profiles[0]!.payerId} primary` });
      });
      return;
    }
    if (kind !== 'medicare') return;
    if (c.medicareSecondaryPayerType === undefined) {
      out.push({ field, code: 'MEDICARE_SECONDARY_TYPE_MISSING', message: `Medicare (${profiles[i]!.payerId}) is the ${nth(i)} coverage: the 837 must say why it is not primary (SBR05, the Medicare Secondary Payer type)`, expected: 'one of 12, 13, 14, 15, 16, 41, 42, 43, 47', found: 'none' });
      return;
    }
    const mismatch = mspTypeMismatch(c.medicareSecondaryPayerType, rec.coverages.slice(0, i), age);
    if (mismatch) out.push({ field, code: 'MEDICARE_SECONDARY_TYPE_INVALID', message: `the Medicare Secondary Payer type does not fit the claim: ${mismatch}`, expected: 'a type the coverages before Medicare and the patient\'s age support', found: c.medicareSecondaryPayerType });
  });
}

function coverageProblems(rec: ClaimRecord, profiles: readonly PayerProfile[], out: OrderProblem[]): void {
  rec.coverages.forEach((c, i) => {
    const p = profiles[i]!;
    if (payerRules(p.kind, p.rules).patientMustBeSubscriber && c.relationship !== 'self' && c.patientMemberId === undefined) {
      out.push({ field: `coverages[${i}].relationship`, code: 'PATIENT_NOT_SUBSCRIBER', message: `payer ${who(p)} requires the patient's own member id: the patient must be the subscriber (relationship self) or have their own member id (patientMemberId), never a dependent under someone else's`, expected: 'relationship self, or patientMemberId', found: `relationship ${c.relationship} without patientMemberId` });
    }
    if (c.protection !== undefined && !isMedicareKind(p.kind)) {
      out.push({ field: `coverages[${i}].protection`, code: 'COVERAGE_PROTECTION_NOT_MEDICARE', message: `a protection (QMB or dual eligible) is a Medicare beneficiary's and belongs on the Medicare or Medicare Advantage coverage; ${who(p)} is neither`, expected: 'protection on a Medicare or Medicare Advantage coverage', found: c.protection });
    }
  });
}

/** Every payer order, Medicare Secondary Payer, subscriber and protection problem of a claim; `profiles[i]` is `rec.coverages[i]`'s. */
export function payerOrderProblems(rec: ClaimRecord, profiles: readonly PayerProfile[]): OrderProblem[] {
  const out: OrderProblem[] = [];
  orderProblems(profiles, out);
  medicareProblems(rec, profiles, out);
  coverageProblems(rec, profiles, out);
  return out;
}
