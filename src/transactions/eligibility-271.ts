// 271 eligibility response (005010X279A1) reader: the segments of one transaction set in, one record per
// person out (subscriber 2000C or dependent 2000D), plus AAA rejections found above any person (2000A,
// 2100A, 2100B). Pure and incremental: a record is yielded as soon as its HL loop closes, so a set with a
// hundred thousand subscribers never sits in memory whole. Loop structure after the X279A1 guide
// (2000A/2100A source, 2000B/2100B receiver, 2000C/2100C/2110C subscriber, 2000D/2100D/2110D dependent).
import type { Segment } from '../x12/segment.ts';
import { controlCharacterError, element, nulElement } from '../x12/access.ts';
import { isoFromD8 } from '../common/dates.ts';
import { ClaimsError, type Location } from '../common/errors.ts';
import type { ErrorCode } from '../common/error-codes.ts';
import {
  parseDtp,
  type Benefit,
  type EligibilityEntity,
  type EligibilityRejection,
  type EligibilityResponse,
  type EligibilitySetRejection,
  type EligibilitySource,
} from '../domain/eligibility.ts';
import { eb03OnComponent, readBenefit, type SegmentSite } from './eligibility-271-benefit.ts';

/** Versions this reader accepts in ST03 (the guide without the A1 addenda has the same loops). */
export const ELIGIBILITY_VERSIONS: ReadonlySet<string> = new Set(['005010X279A1', '005010X279']);

export type Eligibility271Event =
  | { kind: 'response'; response: EligibilityResponse }
  | { kind: 'rejection'; rejection: EligibilitySetRejection }
  | { kind: 'warning'; warning: ClaimsError };

/** Envelope facts the set sits in (the envelope reader knows them). */
export type Eligibility271Context = Omit<EligibilitySource, 'segmentIndex'>;

function entityOf(s: Segment): EligibilityEntity {
  const e: EligibilityEntity = { entityCode: element(s, 1), entityType: element(s, 2), lastName: element(s, 3) };
  if (element(s, 4)) e.firstName = element(s, 4);
  if (element(s, 5)) e.middleName = element(s, 5);
  if (element(s, 7)) e.suffix = element(s, 7);
  if (element(s, 8)) e.idQualifier = element(s, 8);
  if (element(s, 9)) e.id = element(s, 9);
  return e;
}

function bhtTimestamp(date: string, time: string): string | null {
  const d = isoFromD8(date);
  if (!d) return null;
  const t = /^(\d{2})(\d{2})(\d{2})?/.exec(time);
  return t ? `${d}T${t[1]}:${t[2]}:${t[3] ?? '00'}Z` : `${d}T00:00:00Z`;
}

interface PersonState {
  response: EligibilityResponse;
  /** HL04: 1 when dependents follow. */
  hasChildren: boolean;
  /** Which loop the next segments belong to: the name loop or a benefit loop. */
  benefit: Benefit | null;
  /** Inside LS/LE of a 2110: NM1 there names a related entity, not a person. */
  inRelatedLoop: boolean;
}

/**
 * Incremental reader for one 271 set. Feed every segment from ST to SE with `push`, then call `end`;
 * each returns the events completed by that segment.
 */
export class Eligibility271Reader implements SegmentSite {
  private readonly ctx: Eligibility271Context;
  private started = false;
  private reference = '';
  private responseAt: string | null = null;
  private level = '';
  private payer: EligibilityEntity | null = null;
  private provider: EligibilityEntity | null = null;
  private subscriber: EligibilityEntity | null = null;
  private subscriberBirthDate: string | null = null;
  private person: PersonState | null = null;

  constructor(ctx: Eligibility271Context) {
    this.ctx = ctx;
  }

  /** Where segment `s` sits (public for the EB reading in eligibility-271-benefit.ts, like `fail`). */
  loc(s: Segment, elementNo?: number): Location {
    return {
      ...(this.ctx.fileName !== undefined && { file: this.ctx.fileName }),
      ...(this.ctx.interchange !== undefined && { interchange: this.ctx.interchange }),
      ...(this.ctx.group !== undefined && { group: this.ctx.group }),
      ...(this.ctx.set !== undefined && { set: this.ctx.set }),
      segmentIndex: s.index,
      segmentTag: s.tag,
      byteOffset: s.byteOffset,
      ...(elementNo !== undefined && { element: elementNo }),
    };
  }

  fail(code: ErrorCode, message: string, s: Segment, elementNo?: number, expected?: string): never {
    throw new ClaimsError({
      code,
      message,
      location: this.loc(s, elementNo),
      ...(expected !== undefined && { expected }),
      found: elementNo !== undefined ? element(s, elementNo) : s.tag,
    });
  }

  private source(s: Segment): EligibilitySource {
    return { ...this.ctx, segmentIndex: s.index };
  }

  private loopName(): string {
    if (this.person) {
      const d = this.person.response.subject === 'dependent' ? 'D' : 'C';
      return this.person.benefit ? `2110${d}` : `2100${d}`;
    }
    if (this.level === '21') return '2100B';
    if (this.level === '20') return this.payer ? '2100A' : '2000A';
    return '';
  }

  push(s: Segment): Eligibility271Event[] {
    // Names, ids and messages are stored: a NUL anywhere refuses the set before any of it is read.
    if (nulElement(s) !== -1) throw controlCharacterError(s, this.loc(s, nulElement(s)));
    const out: Eligibility271Event[] = [];
    if (!this.started) {
      if (s.tag !== 'ST' || element(s, 1) !== '271') {
        this.fail('ELIGIBILITY_NOT_271', `expected ST*271 to open the set, found ${s.tag}*${element(s, 1)}`, s, 1, 'ST01 271');
      }
      const version = element(s, 3);
      if (version && !ELIGIBILITY_VERSIONS.has(version)) {
        this.fail('ELIGIBILITY_VERSION_UNSUPPORTED', `271 version ${version} is not supported`, s, 3, '005010X279A1');
      }
      if (version === '005010X279') {
        out.push({ kind: 'warning', warning: new ClaimsError({
          code: 'ELIGIBILITY_VERSION_WITHOUT_ADDENDA', severity: 'warning',
          message: 'ST03 005010X279 (without the A1 addenda): read with the X279A1 loops', location: this.loc(s, 3),
        }) });
      }
      this.started = true;
      return out;
    }
    switch (s.tag) {
      case 'BHT':
        this.reference = element(s, 3);
        this.responseAt = bhtTimestamp(element(s, 4), element(s, 5));
        break;
      case 'HL':
        this.closePerson(out);
        this.openLevel(s);
        break;
      case 'NM1':
        this.name(s, out);
        break;
      case 'AAA':
        this.rejection(s, out);
        break;
      case 'TRN':
        if (!this.person) this.fail('ELIGIBILITY_SEGMENT_OUT_OF_PLACE', 'TRN outside a subscriber or dependent loop', s);
        this.person.response.traces.push({ type: element(s, 1), number: element(s, 2), originator: element(s, 3) });
        break;
      case 'DMG':
        if (this.person && !this.person.benefit) {
          this.person.response.birthDate = element(s, 1) === 'D8' ? isoFromD8(element(s, 2)) : null;
          if (element(s, 2) && this.person.response.birthDate === null) {
            this.fail('ELIGIBILITY_DATE_INVALID', `DMG02 ${element(s, 2)} is not a CCYYMMDD date`, s, 2, 'CCYYMMDD');
          }
          this.person.response.gender = element(s, 3);
          if (this.person.response.subject === 'subscriber') this.subscriberBirthDate = this.person.response.birthDate;
        }
        break;
      case 'INS':
        if (this.person && !this.person.benefit) this.person.response.relationship = element(s, 2) || this.person.response.relationship;
        break;
      case 'DTP':
        this.date(s);
        break;
      case 'REF':
        this.reference2(s);
        break;
      case 'EB':
        this.benefit(s, out);
        break;
      case 'MSG':
        if (this.person?.benefit) this.person.benefit.messages.push(element(s, 1));
        break;
      case 'LS':
        if (this.person?.benefit) this.person.inRelatedLoop = true;
        break;
      case 'LE':
        if (this.person) this.person.inRelatedLoop = false;
        break;
      case 'SE':
        this.closePerson(out);
        break;
      default:
        // N3, N4, PER, PRV, HSD, III, HI, MPI: not kept (addresses stay out on purpose: minimum necessary).
        break;
    }
    return out;
  }

  /** Call after SE (or at the end of the segments): flushes the last person. */
  end(): Eligibility271Event[] {
    const out: Eligibility271Event[] = [];
    this.closePerson(out);
    return out;
  }

  private openLevel(s: Segment): void {
    const code = element(s, 3);
    switch (code) {
      case '20':
        this.payer = null;
        this.provider = null;
        this.subscriber = null;
        break;
      case '21':
        if (!this.payer && this.level === '') this.fail('ELIGIBILITY_HL_ORDER', 'HL 21 (receiver) before HL 20 (source)', s, 3, '20');
        this.provider = null;
        this.subscriber = null;
        break;
      case '22':
      case '23': {
        if (!this.payer) this.fail('ELIGIBILITY_HL_ORDER', `HL ${code} before the payer's NM1*PR`, s, 3);
        if (!this.provider) this.fail('ELIGIBILITY_HL_ORDER', `HL ${code} before the receiver's NM1*1P`, s, 3);
        if (code === '23' && !this.subscriber) this.fail('ELIGIBILITY_HL_ORDER', 'HL 23 (dependent) before any subscriber NM1*IL', s, 3);
        if (code === '22') {
          this.subscriber = null;
          this.subscriberBirthDate = null;
        }
        const placeholder: EligibilityEntity = { entityCode: '', entityType: '', lastName: '' };
        this.person = {
          hasChildren: element(s, 4) === '1',
          benefit: null,
          inRelatedLoop: false,
          response: {
            source: this.source(s),
            reference: this.reference,
            responseAt: this.responseAt,
            payer: this.payer,
            provider: this.provider,
            subject: code === '22' ? 'subscriber' : 'dependent',
            subscriber: this.subscriber ?? placeholder,
            person: placeholder,
            birthDate: null,
            gender: '',
            relationship: code === '22' ? '18' : '',
            traces: [],
            dates: [],
            references: [],
            benefits: [],
            rejections: [],
          },
        };
        break;
      }
      default:
        this.fail('ELIGIBILITY_HL_LEVEL', `unknown HL level code ${code}`, s, 3, '20, 21, 22 or 23');
    }
    this.level = code;
  }

  private name(s: Segment, out: Eligibility271Event[]): void {
    const entity = entityOf(s);
    if (this.person?.inRelatedLoop && this.person.benefit) {
      this.person.benefit.relatedEntities.push(entity);
      return;
    }
    // Payers send a benefit's related entity (a primary care provider P3, another payer PR...) right after
    // the EB without the LS/LE wrapper of loop 2120C/D. A person's own name never follows an EB, so any
    // other entity code there is read as the benefit's related entity, with a warning.
    if (this.person?.benefit && entity.entityCode !== 'IL' && entity.entityCode !== '03') {
      this.person.benefit.relatedEntities.push(entity);
      out.push({ kind: 'warning', warning: new ClaimsError({
        code: 'ELIGIBILITY_RELATED_ENTITY_WITHOUT_LS', severity: 'warning',
        message: `NM1*${entity.entityCode} after an EB without LS: read as the benefit's related entity (loop 2120)`, location: this.loc(s, 1),
      }) });
      return;
    }
    if (this.level === '20') this.payer = entity;
    else if (this.level === '21') this.provider = entity;
    else if (this.person) {
      const r = this.person.response;
      if (this.person.benefit) this.fail('ELIGIBILITY_SEGMENT_OUT_OF_PLACE', 'NM1 inside a 2110 loop without LS', s);
      r.person = entity;
      if (r.subject === 'subscriber') {
        if (entity.entityCode !== 'IL') this.fail('ELIGIBILITY_ENTITY_CODE', `subscriber NM101 ${entity.entityCode}`, s, 1, 'IL');
        this.subscriber = entity;
        r.subscriber = entity;
      } else {
        if (entity.entityCode !== '03' && entity.entityCode !== 'IL') this.fail('ELIGIBILITY_ENTITY_CODE', `dependent NM101 ${entity.entityCode}`, s, 1, '03');
        r.dependent = entity;
      }
    } else {
      this.fail('ELIGIBILITY_SEGMENT_OUT_OF_PLACE', 'NM1 before any HL', s);
    }
  }

  private rejection(s: Segment, out: Eligibility271Event[]): void {
    const loop = this.loopName() || '2000A';
    const rejection: EligibilityRejection = {
      loop, validRequest: element(s, 1), reason: element(s, 3), followUp: element(s, 4), segmentIndex: s.index,
    };
    if (this.person) {
      this.person.response.rejections.push(rejection);
      this.person.benefit?.rejections.push(rejection);
      return;
    }
    out.push({ kind: 'rejection', rejection: {
      source: this.source(s), reference: this.reference, responseAt: this.responseAt,
      payer: this.payer, provider: this.provider, rejection,
    } });
  }

  private date(s: Segment): void {
    if (!this.person || this.person.inRelatedLoop) return;
    const d = parseDtp(element(s, 1), element(s, 2), element(s, 3));
    if ((d.format === 'D8' || d.format === 'RD8') && (d.begin === null || d.end === null)) {
      this.fail('ELIGIBILITY_DATE_INVALID', `DTP03 ${d.raw} is not a valid ${d.format} date`, s, 3, d.format === 'D8' ? 'CCYYMMDD' : 'CCYYMMDD-CCYYMMDD');
    }
    if (this.person.benefit) this.person.benefit.dates.push(d);
    else this.person.response.dates.push(d);
  }

  private reference2(s: Segment): void {
    if (!this.person || this.person.inRelatedLoop) return;
    const ref = { qualifier: element(s, 1), value: element(s, 2), ...(element(s, 3) && { description: element(s, 3) }) };
    if (this.person.benefit) this.person.benefit.references.push(ref);
    else this.person.response.references.push(ref);
  }

  private benefit(s: Segment, out: Eligibility271Event[]): void {
    if (!this.person) this.fail('ELIGIBILITY_SEGMENT_OUT_OF_PLACE', 'EB outside a subscriber or dependent loop', s);
    const benefit = readBenefit(s, this);
    if (eb03OnComponent(s)) {
      out.push({ kind: 'warning', warning: new ClaimsError({
        code: 'ELIGIBILITY_EB03_SPLIT_ON_COMPONENT', severity: 'warning',
        message: `EB03 ${element(s, 3)} split on the component separator: the interchange has no distinct repetition separator`,
        location: this.loc(s, 3),
      }) });
    }
    this.person.inRelatedLoop = false;
    this.person.benefit = benefit;
    this.person.response.benefits.push(benefit);
  }

  private closePerson(out: Eligibility271Event[]): void {
    const p = this.person;
    if (!p) return;
    this.person = null;
    const r = p.response;
    if (r.person.entityCode === '') {
      throw new ClaimsError({
        code: 'ELIGIBILITY_NAME_MISSING',
        message: `HL ${r.subject === 'subscriber' ? '22' : '23'} has no NM1 for the person`,
        location: { ...this.locOfSource(r.source), segmentTag: 'HL' },
        expected: r.subject === 'subscriber' ? 'NM1*IL' : 'NM1*03',
      });
    }
    if (r.subject === 'dependent') {
      r.subscriber = this.subscriber ?? r.subscriber;
      // A subscriber loop with dependents and nothing of its own is only their header, not an answer.
    } else if (p.hasChildren && r.benefits.length === 0 && r.rejections.length === 0) {
      return;
    }
    if (r.subject === 'subscriber' && r.birthDate === null) r.birthDate = this.subscriberBirthDate;
    out.push({ kind: 'response', response: r });
  }

  private locOfSource(src: EligibilitySource): Location {
    return {
      ...(src.fileName !== undefined && { file: src.fileName }),
      ...(src.interchange !== undefined && { interchange: src.interchange }),
      ...(src.group !== undefined && { group: src.group }),
      ...(src.set !== undefined && { set: src.set }),
      segmentIndex: src.segmentIndex,
    };
  }
}

/** Read one 271 set (ST to SE) into events. */
export function* read271(segments: Iterable<Segment>, ctx: Eligibility271Context = {}): Generator<Eligibility271Event> {
  const reader = new Eligibility271Reader(ctx);
  for (const s of segments) yield* reader.push(s);
  yield* reader.end();
}
