// 270 eligibility inquiry (005010X279A1), both directions, pure:
// - `build270Sets`: requests for one payer -> transaction sets as element arrays (ST to SE), which the
//   X12 writer wraps in GS/ISA with control numbers from the database;
// - `read270`: the segments of one 270 set -> the requests it carries, so a written file can be read
//   back (and the 270s in the corpus read) through the same loop rules.
// Loops: 2000A/2100A payer (NM1*PR), 2000B/2100B provider (NM1*1P), 2000C/2100C subscriber (NM1*IL,
// DMG, DTP*291), 2110C EQ; 2000D/2100D dependent (NM1*03) with its own 2110D EQ.
import type { Segment } from '../x12/segment.ts';
import { element, repetitions } from '../x12/access.ts';
import { isoFromD8 } from '../common/dates.ts';
import { ClaimsError, type Location } from '../common/errors.ts';
import type { ErrorCode } from '../common/error-codes.ts';
import type { EligibilityEntity } from '../domain/eligibility.ts';
import type { WallTime } from '../common/clock.ts';
import { toX12Text } from '../x12/transliterate.ts';

export interface EligibilityPerson {
  lastName: string;
  firstName?: string;
  middleName?: string;
  /** YYYY-MM-DD */
  birthDate?: string;
  /** M, F or U */
  gender?: string;
}

/** One question to a payer: is this person covered on this date for these service types? */
export interface EligibilityRequest {
  /** Echoed back by the payer in the 271's TRN02: how a response finds its request (our appointment id). */
  traceNumber: string;
  payerId: string;
  payerName: string;
  provider: { npi: string; name: string; entityType?: '1' | '2'; firstName?: string };
  memberId: string;
  subscriber: EligibilityPerson;
  /** Set when the patient is a dependent without their own member id. */
  dependent?: EligibilityPerson & { relationship?: string };
  /** YYYY-MM-DD, the planned date of service (DTP*291). */
  dateOfService: string;
  /** EQ01 service type codes; ['30'] when none are given. */
  serviceTypes: string[];
}

export interface Build270Options {
  /** ST02 values, one per set, from the database (never generated here). */
  setControlNumbers: string[];
  /** BHT03 reference per set, typically derived from the interchange and set control numbers. */
  references: string[];
  /** Creation time for BHT04/BHT05, on the sender's wall clock. */
  createdAt: WallTime;
  /** TRN03: 10 characters, '1' + the submitter's tax id or '9' + an assigned number. */
  traceOriginator: string;
  version?: string;
}

/** The guide's batch limit: 99 subscriber (2000C) loops under one receiver (2000B). */
export const SUBSCRIBERS_PER_SET_MAX = 99;

function ymd(d: string): string {
  return d.replaceAll('-', '');
}
/** Names as written in the appointments file (Łukasz) go out in their X12 spelling (Lukasz). */
function nm1(code: string, type: string, p: { lastName: string; firstName?: string; middleName?: string }, qualifier = '', id = ''): string[] {
  const e = ['NM1', code, type, toX12Text(p.lastName), toX12Text(p.firstName ?? ''), toX12Text(p.middleName ?? ''), '', '', qualifier, id];
  while (e.length > 4 && e[e.length - 1] === '') e.pop();
  return e;
}

/** Split one payer's requests into sets: grouped by provider, at most 99 subscribers per set. */
export function planSets(requests: readonly EligibilityRequest[]): EligibilityRequest[][] {
  const byProvider = new Map<string, EligibilityRequest[]>();
  for (const r of requests) {
    const list = byProvider.get(r.provider.npi) ?? [];
    list.push(r);
    byProvider.set(r.provider.npi, list);
  }
  const sets: EligibilityRequest[][] = [];
  for (const list of byProvider.values()) {
    for (let i = 0; i < list.length; i += SUBSCRIBERS_PER_SET_MAX) sets.push(list.slice(i, i + SUBSCRIBERS_PER_SET_MAX));
  }
  return sets;
}

/** Build the segments (element arrays, tag first) of one 270 set for requests to one payer and provider. */
export function build270Set(requests: readonly EligibilityRequest[], setControlNumber: string, reference: string, createdAt: WallTime, traceOriginator: string, version = '005010X279A1'): string[][] {
  const first = requests[0];
  if (!first) throw new ClaimsError({ code: 'ELIGIBILITY_REQUEST_EMPTY', message: 'a 270 set needs at least one request' });
  const segs: string[][] = [
    ['ST', '270', setControlNumber, version],
    ['BHT', '0022', '13', reference, createdAt.date, createdAt.time],
    ['HL', '1', '', '20', '1'],
    nm1('PR', '2', { lastName: first.payerName }, 'PI', first.payerId),
    ['HL', '2', '1', '21', '1'],
    nm1('1P', first.provider.entityType ?? '2', { lastName: first.provider.name, ...(first.provider.firstName !== undefined && first.provider.entityType === '1' && { firstName: first.provider.firstName }) }, 'XX', first.provider.npi),
  ];
  let hl = 2;
  for (const r of requests) {
    if (r.payerId !== first.payerId || r.provider.npi !== first.provider.npi) {
      throw new ClaimsError({ code: 'ELIGIBILITY_REQUEST_MIXED', message: 'one 270 set holds one payer and one provider', location: { claim: r.traceNumber } });
    }
    const services = r.serviceTypes.length > 0 ? r.serviceTypes : ['30'];
    const trn = ['TRN', '1', r.traceNumber, traceOriginator];
    // DMG03 allows F and M only: an unknown gender (U) leaves it out.
    const person = (p: EligibilityPerson): string[][] => (p.birthDate ? [p.gender === 'M' || p.gender === 'F' ? ['DMG', 'D8', ymd(p.birthDate), p.gender] : ['DMG', 'D8', ymd(p.birthDate)]] : []);
    const inquiry = [['DTP', '291', 'D8', ymd(r.dateOfService)], ...services.map((s) => ['EQ', s])];
    const subscriberHl = ++hl;
    segs.push(['HL', String(subscriberHl), '2', '22', r.dependent ? '1' : '0']);
    if (!r.dependent) segs.push(trn);
    segs.push(nm1('IL', '1', r.subscriber, 'MI', r.memberId));
    if (r.dependent) {
      segs.push(['HL', String(++hl), String(subscriberHl), '23', '0'], trn, nm1('03', '1', r.dependent), ...person(r.dependent));
      if (r.dependent.relationship) segs.push(['INS', 'N', r.dependent.relationship]);
      segs.push(...inquiry);
    } else {
      segs.push(...person(r.subscriber), ...inquiry);
    }
  }
  segs.push(['SE', String(segs.length + 1), setControlNumber]);
  return segs;
}

// ---- reader -------------------------------------------------------------------------------------------

/** A request as read from a 270: what the payer will be asked. */
export interface ReadEligibilityRequest {
  payer: EligibilityEntity;
  provider: EligibilityEntity;
  subscriber: EligibilityEntity;
  dependent?: EligibilityEntity;
  birthDate: string | null;
  traceNumber: string | null;
  /** DTP*291 as received (D8 or RD8 raw text). */
  dateOfService: string | null;
  serviceTypes: string[];
  segmentIndex: number;
}

function entityOf(s: Segment): EligibilityEntity {
  const e: EligibilityEntity = { entityCode: element(s, 1), entityType: element(s, 2), lastName: element(s, 3) };
  if (element(s, 4)) e.firstName = element(s, 4);
  if (element(s, 8)) e.idQualifier = element(s, 8);
  if (element(s, 9)) e.id = element(s, 9);
  return e;
}

/** Read one 270 set (ST to SE). A subscriber loop followed by dependents is their header, not a request. */
export function read270(segments: Iterable<Segment>, location: Location = {}): ReadEligibilityRequest[] {
  const out: ReadEligibilityRequest[] = [];
  let payer: EligibilityEntity | null = null;
  let provider: EligibilityEntity | null = null;
  let subscriber: EligibilityEntity | null = null;
  let level = '';
  let current: (ReadEligibilityRequest & { header: boolean }) | null = null;
  let first = true;
  const fail = (code: ErrorCode, message: string, s: Segment, element?: number): never => {
    throw new ClaimsError({ code, message, location: { ...location, segmentIndex: s.index, segmentTag: s.tag, byteOffset: s.byteOffset, ...(element !== undefined && { element }) } });
  };
  const close = (): void => {
    if (current && !current.header) {
      const { header: _h, ...req } = current;
      out.push(req);
    }
    current = null;
  };
  for (const s of segments) {
    if (first) {
      if (s.tag !== 'ST' || element(s, 1) !== '270') fail('ELIGIBILITY_NOT_270', `expected ST*270, found ${s.tag}*${element(s, 1)}`, s, 1);
      first = false;
      continue;
    }
    switch (s.tag) {
      case 'HL':
        close();
        level = element(s, 3);
        if (level === '22' || level === '23') {
          if (!payer || !provider) fail('ELIGIBILITY_HL_ORDER', `HL ${level} before the payer and provider loops`, s, 3);
          if (level === '23' && !subscriber) fail('ELIGIBILITY_HL_ORDER', 'HL 23 before a subscriber', s, 3);
          current = {
            payer: payer!, provider: provider!, subscriber: subscriber ?? { entityCode: '', entityType: '', lastName: '' },
            birthDate: null, traceNumber: null, dateOfService: null, serviceTypes: [], segmentIndex: s.index,
            header: level === '22' && element(s, 4) === '1',
          };
        } else if (level !== '20' && level !== '21') {
          fail('ELIGIBILITY_HL_LEVEL', `unknown HL level code ${level}`, s, 3);
        }
        break;
      case 'NM1': {
        const e = entityOf(s);
        if (level === '20') payer = e;
        else if (level === '21') provider = e;
        else if (current && level === '22') {
          subscriber = e;
          current.subscriber = e;
        } else if (current && level === '23') current.dependent = e;
        else fail('ELIGIBILITY_SEGMENT_OUT_OF_PLACE', 'NM1 before any HL', s);
        break;
      }
      case 'TRN':
        if (current) current.traceNumber = element(s, 2);
        break;
      case 'DMG':
        if (current) {
          current.birthDate = isoFromD8(element(s, 2));
          if (current.birthDate === null) fail('ELIGIBILITY_DATE_INVALID', `DMG02 ${element(s, 2)} is not a CCYYMMDD date`, s, 2);
        }
        break;
      case 'DTP':
        if (current && element(s, 1) === '291') current.dateOfService = element(s, 3);
        break;
      case 'EQ':
        if (!current) fail('ELIGIBILITY_SEGMENT_OUT_OF_PLACE', 'EQ outside a subscriber or dependent loop', s);
        current!.serviceTypes.push(...repetitions(s, 1));
        break;
      case 'SE':
        close();
        break;
      default:
        break;
    }
  }
  close();
  return out;
}
