// Eligibility records (271 in, 270 out) as plain data, and the small pure helpers that read their codes:
// benefit types, dates (D8 / RD8), EB08 percent as an exact fraction. DOMAIN.md, "271 eligibility response".
// Element text is kept as received; interpretation (active or not, on which date) happens here and in
// src/eligibility/coverage.ts, never in the readers.
import { isoFromD8 } from '../common/dates.ts';
import type { Cents } from '../common/money.ts';
import { toX12Text } from '../x12/transliterate.ts';

/** Where a record came from: file and control numbers, and the 0-based segment index in the file. */
export interface EligibilitySource {
  fileSha256?: string;
  fileName?: string;
  interchange?: string;
  group?: string;
  set?: string;
  segmentIndex: number;
}

/** An entity named by an NM1 (payer, provider, subscriber, dependent, benefit-related entity). */
export interface EligibilityEntity {
  /** NM101: PR payer, 1P provider, IL subscriber, 03 dependent, P3 primary care provider, ... */
  entityCode: string;
  /** NM102: 1 person, 2 organisation. */
  entityType: string;
  /** NM103 (organisation name or last name). */
  lastName: string;
  firstName?: string;
  middleName?: string;
  suffix?: string;
  /** NM108 (PI payer id, XX NPI, SV service provider number, MI member id, ...). */
  idQualifier?: string;
  /** NM109 as received. */
  id?: string;
}

/** A DTP: qualifier, format and the parsed range (a D8 gives begin = end). Dates are YYYY-MM-DD. */
export interface EligibilityDate {
  qualifier: string;
  format: string;
  raw: string;
  begin: string | null;
  end: string | null;
}

/** An AAA rejection and the loop it was found in. */
export interface EligibilityRejection {
  /** 2000A, 2100A, 2100B, 2100C, 2110C, 2100D, 2110D */
  loop: string;
  /** AAA01: Y valid request, N invalid request. */
  validRequest: string;
  /** AAA03 reject reason code (42, 43, 58, 71, 72, 73, 75, 76, ...). */
  reason: string;
  /** AAA04 follow-up action (C, N, P, R, S, W, X, Y). */
  followUp: string;
  segmentIndex: number;
}

/** One EB row with the DTP, MSG, REF and AAA that follow it in its 2110 loop. */
export interface Benefit {
  /** EB01 benefit type (1 active, 6 inactive, A coinsurance, B copay, C deductible, G out of pocket, ...). */
  type: string;
  /** EB02 coverage level (IND, FAM, EMP, ...), '' when absent. */
  coverageLevel: string;
  /** EB03 service types, split on the repetition separator; empty when absent. */
  serviceTypes: string[];
  /** EB04 insurance type (HM, MA, MB, QM, ...). */
  insuranceType: string;
  /** EB05 plan coverage description. */
  planDescription: string;
  /** EB06 time period qualifier (23 calendar year, 29 remaining, 24 year to date, 32 lifetime, 27 visit). */
  period: string;
  /** EB07 amount; null when absent. */
  amountCents: Cents | null;
  /** EB08 percent as the exact decimal fraction received ('0.2' is 20%); null when absent. */
  percent: string | null;
  /** EB09 quantity qualifier and EB10 quantity (kept as text: it may carry decimals). */
  quantityQualifier: string;
  quantity: string | null;
  /** EB11 authorisation or certification required (Y, N, U). */
  authorizationRequired: string;
  /** EB12 in plan network (Y in, N out, W not applicable, U unknown). */
  network: string;
  /** EB13 procedure composite, raw. */
  procedure: string;
  dates: EligibilityDate[];
  messages: string[];
  references: Array<{ qualifier: string; value: string; description?: string }>;
  rejections: EligibilityRejection[];
  /** Benefit-related entities (2120 NM1 inside LS/LE), e.g. the primary care provider or another payer. */
  relatedEntities: EligibilityEntity[];
  segmentIndex: number;
}

export type EligibilitySubject = 'subscriber' | 'dependent';

/**
 * The answer a payer gave about one person (a 2000C subscriber or 2000D dependent), with the payer,
 * provider and subscriber it sits under. This is what a coverage snapshot stores.
 */
export interface EligibilityResponse {
  source: EligibilitySource;
  /** BHT03 reference, BHT04/BHT05 as an ISO timestamp (UTC, no zone given by X12). */
  reference: string;
  responseAt: string | null;
  payer: EligibilityEntity;
  provider: EligibilityEntity;
  subject: EligibilitySubject;
  subscriber: EligibilityEntity;
  /** Present for a 2000D response. */
  dependent?: EligibilityEntity;
  /** The person the answer is about (subscriber or dependent). */
  person: EligibilityEntity;
  /** DMG02 as YYYY-MM-DD, DMG03 gender. */
  birthDate: string | null;
  gender: string;
  /** INS02 relationship to the subscriber (18 self, 01 spouse, 19 child, ...); '18' for a subscriber without INS. */
  relationship: string;
  /** TRN segments: trace type, trace number, originator. */
  traces: Array<{ type: string; number: string; originator: string }>;
  /** 2100C/2100D DTP (346/347 plan, 356/357 eligibility, 291, 307, ...). */
  dates: EligibilityDate[];
  /** 2100C/2100D REF (group number 6P, plan number 18, ...). */
  references: Array<{ qualifier: string; value: string; description?: string }>;
  benefits: Benefit[];
  /** AAA in this person's loops (2100C/2110C or 2100D/2110D); a 2110 AAA is also on its benefit. */
  rejections: EligibilityRejection[];
}

/** What a 271 set says outside any subscriber: AAA at the payer or provider loops, with no person. */
export interface EligibilitySetRejection {
  source: EligibilitySource;
  reference: string;
  responseAt: string | null;
  payer: EligibilityEntity | null;
  provider: EligibilityEntity | null;
  rejection: EligibilityRejection;
}

// ---- code helpers -------------------------------------------------------------------------------------

/** EB01 values that say the coverage is active (1, and the variants 2 to 5). */
export const ACTIVE_BENEFIT_TYPES: ReadonlySet<string> = new Set(['1', '2', '3', '4', '5']);
export const INACTIVE_BENEFIT_TYPE = '6';
export const NON_COVERED_BENEFIT_TYPE = 'I';
/** EB03 30: health benefit plan coverage, the answer for every service type not listed on its own. */
export const HEALTH_BENEFIT_PLAN_COVERAGE = '30';

export const AAA_REASONS: Readonly<Record<string, string>> = {
  '15': 'required application data missing',
  '35': 'out of network',
  '41': 'authorization/access restrictions',
  '42': 'unable to respond at current time (payer unavailable)',
  '43': 'invalid/missing provider identification',
  '50': 'provider ineligible for inquiries',
  '52': 'service dates not within provider plan enrollment',
  '58': 'invalid/missing date of birth',
  '60': 'date of birth follows date(s) of service',
  '71': 'patient birth date does not match that for the patient on the database',
  '72': 'invalid/missing subscriber/insured id',
  '73': 'invalid/missing subscriber/insured name',
  '75': 'subscriber/insured not found',
  '76': 'duplicate subscriber/insured id number',
  '79': 'invalid participant identification',
  '80': 'no response received - transaction terminated',
};

export const AAA_FOLLOW_UPS: Readonly<Record<string, string>> = {
  C: 'please correct and resubmit',
  N: 'resubmission not allowed',
  P: 'please resubmit original transaction',
  R: 'resubmission allowed',
  S: 'do not resubmit; inquiry initiated to a third party',
  W: 'please wait 30 days and resubmit',
  X: 'please wait 10 days and resubmit',
  Y: 'do not resubmit; we will hand over your request',
};

/** A DTP's date or range: D8 gives one day, RD8 `CCYYMMDD-CCYYMMDD` a range; anything else stays raw. */
export function parseDtp(qualifier: string, format: string, raw: string): EligibilityDate {
  if (format === 'D8') {
    const d = isoFromD8(raw);
    return { qualifier, format, raw, begin: d, end: d };
  }
  if (format === 'RD8') {
    const [a = '', b = ''] = raw.split('-');
    return { qualifier, format, raw, begin: isoFromD8(a), end: isoFromD8(b) };
  }
  return { qualifier, format, raw, begin: null, end: null };
}

const PERCENT = /^(\d*)(?:\.(\d*))?$/;

/**
 * EB08 as an exact percentage string: '0.2' -> '20', '.125' -> '12.5', '1' -> '100'. The guide sends a
 * fraction of one (DOMAIN.md trap 6); we keep the received text and derive this without floats.
 */
export function percentOf(fraction: string): string | null {
  const m = PERCENT.exec(fraction);
  if (!m || (m[1] === '' && (m[2] ?? '') === '')) return null;
  const whole = m[1] || '0';
  const frac = m[2] ?? '';
  const shifted = (whole + (frac + '00').slice(0, 2)).replace(/^0+(?=\d)/, '');
  const rest = frac.slice(2).replace(/0+$/, '');
  return rest === '' ? shifted : `${shifted}.${rest}`;
}

/** A person's key within a payer: the member id, and for a dependent their name and birth date. */
/** A name as a coverage key holds it: its X12 spelling (Nguyễn and NGUYEN match), in capitals. */
export function keyName(name: string): string {
  return toX12Text(name).toUpperCase();
}

export function coverageKey(r: Pick<EligibilityResponse, 'payer' | 'subscriber' | 'subject' | 'person' | 'birthDate'>): string {
  const base = `${r.payer.id ?? ''}|${r.subscriber.id ?? ''}`;
  if (r.subject === 'subscriber') return `${base}|S`;
  const name = `${keyName(r.person.lastName)}|${keyName(r.person.firstName ?? '')}`;
  return `${base}|D|${name}|${r.birthDate ?? ''}`;
}
