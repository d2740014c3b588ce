// The X12 writer: values to segment text, and a streaming interchange writer that owns the envelope
// (ISA padding, control numbers, SE/GE/IEA counts) so callers only supply the content segments.
// Pure: every method returns text; adapters write it to a stream with backpressure.
import { ClaimsError } from '../common/errors.ts';
import type { ErrorCode } from '../common/error-codes.ts';
import type { Delimiters, Segment } from './segment.ts';

/** A component list (string[]) is joined with the component separator. */
export type Composite = readonly string[];
/** Several repetitions of an element, joined with ISA11. */
export interface Repeated {
  readonly repeated: readonly (string | Composite)[];
}
export type ElementValue = string | Composite | Repeated;
/** `[tag, ...elements]`, like Segment.elements. */
export type SegmentValues = readonly [string, ...ElementValue[]] | readonly ElementValue[];

export const DEFAULT_DELIMITERS: Delimiters = { element: '*', component: ':', repetition: '^', segment: '~' };

export interface SerializeOptions {
  /** Drop trailing empty elements and components (the X12 rule). Default true; false for exact round trips. */
  trim?: boolean;
}

function writerError(code: ErrorCode, message: string, tag: string, element?: number, found?: string): ClaimsError {
  return new ClaimsError({
    code, message,
    location: { segmentTag: tag, ...(element !== undefined && { element }) },
    ...(found !== undefined && { found: JSON.stringify(found) }),
  });
}

function checkText(value: string, d: Delimiters, tag: string, element: number): string {
  for (const c of [d.element, d.component, d.segment, d.repetition]) {
    if (c !== null && value.includes(c)) {
      throw writerError('WRITER_DELIMITER_IN_VALUE',
        `${tag}${String(element).padStart(2, '0')} contains the delimiter ${JSON.stringify(c)}`, tag, element);
    }
  }
  return value;
}

function trimEnd(parts: string[]): string[] {
  let n = parts.length;
  while (n > 0 && parts[n - 1] === '') n--;
  return n === parts.length ? parts : parts.slice(0, n);
}

function compositeText(value: string | Composite, d: Delimiters, tag: string, n: number, trim: boolean): string {
  if (typeof value === 'string') return checkText(value, d, tag, n);
  const parts = value.map((c) => checkText(c, d, tag, n));
  return (trim ? trimEnd(parts) : parts).join(d.component);
}

function elementText(value: ElementValue, d: Delimiters, tag: string, n: number, trim: boolean): string {
  if (typeof value === 'string' || Array.isArray(value)) return compositeText(value as string | Composite, d, tag, n, trim);
  const { repeated } = value as Repeated;
  if (d.repetition === null && repeated.length > 1) {
    throw writerError('WRITER_NO_REPETITION_SEPARATOR', `${tag}${String(n).padStart(2, '0')} repeats but ISA11 has no repetition separator`, tag, n);
  }
  return repeated.map((r) => compositeText(r, d, tag, n, trim)).join(d.repetition ?? '');
}

/** One segment's text, terminator included. Throws WRITER_DELIMITER_IN_VALUE rather than emit a broken segment. */
export function serializeSegment(values: SegmentValues, delimiters: Delimiters = DEFAULT_DELIMITERS, options: SerializeOptions = {}): string {
  const trim = options.trim ?? true;
  const tag = values[0];
  if (typeof tag !== 'string' || !/^[A-Z][A-Z0-9]{1,2}$/.test(tag)) {
    throw writerError('WRITER_TAG_INVALID', 'a segment tag is 2 or 3 upper-case letters or digits', String(tag), undefined, String(tag));
  }
  const parts: string[] = [tag];
  for (let i = 1; i < values.length; i++) parts.push(elementText(values[i] as ElementValue, delimiters, tag, i, trim));
  return (trim ? trimEnd(parts) : parts).join(delimiters.element) + delimiters.segment;
}

/**
 * A parsed segment back to the exact text it came from: its leading whitespace, its elements untrimmed,
 * and its terminator unless the input ended without one. Concatenating these (plus the tokenizer's
 * `trailing`) reproduces the input byte for byte.
 */
export function serializeExact(segment: Segment): string {
  const d = segment.delimiters;
  return (segment.leading ?? '') + segment.elements.join(d.element) + (segment.unterminated ? '' : d.segment);
}

export interface InterchangeHeader {
  senderQualifier: string;
  senderId: string;
  receiverQualifier: string;
  receiverId: string;
  /** YYMMDD */
  date: string;
  /** HHMM */
  time: string;
  /** ISA13: written zero padded to 9 digits. */
  controlNumber: number | bigint | string;
  /** ISA14 */
  ackRequested?: boolean;
  /** ISA15 P production, T test. */
  usage: 'P' | 'T';
  authorizationQualifier?: string;
  authorization?: string;
  securityQualifier?: string;
  security?: string;
}

export interface GroupHeader {
  /** GS01: HC, HP, HS, HB, HN, FA */
  functionalId: string;
  senderCode: string;
  receiverCode: string;
  /** CCYYMMDD */
  date: string;
  /** HHMM or HHMMSS */
  time: string;
  /** GS06 */
  controlNumber: number | bigint | string;
  /** GS08, e.g. 005010X221A1 */
  version: string;
  agency?: string;
}

export interface SetHeader {
  /** ST01, e.g. 837 */
  id: string;
  /** ST02: written zero padded to at least 4 digits. */
  controlNumber: number | bigint | string;
  /** ST03 */
  implementationRef?: string;
}

function padRight(value: string, width: number, name: string): string {
  if (value.length > width) throw writerError('WRITER_FIELD_TOO_LONG', `${name} is longer than ${width} characters`, 'ISA');
  return value.padEnd(width, ' ');
}

/** Format a control number as digits, zero padded to `width`, checking it fits `maxDigits`. */
export function formatControlNumber(value: number | bigint | string, width: number, maxDigits: number, name: string): string {
  const text = typeof value === 'string' ? value : value.toString();
  if (!/^\d+$/.test(text) || text.length > maxDigits || /^0+$/.test(text)) {
    throw new ClaimsError({
      code: 'WRITER_CONTROL_NUMBER_INVALID',
      message: `${name} must be a positive number of at most ${maxDigits} digits`,
      found: text, expected: `1 to ${'9'.repeat(maxDigits)}`,
    });
  }
  return text.padStart(width, '0');
}

function checkDigits(value: string, pattern: RegExp, name: string, expected: string): string {
  if (!pattern.test(value)) {
    throw new ClaimsError({ code: 'WRITER_FIELD_INVALID', message: `${name} must be ${expected}`, found: value, expected });
  }
  return value;
}

type State = 'idle' | 'interchange' | 'group' | 'set' | 'done';

export interface InterchangeWriterOptions {
  delimiters?: Delimiters;
  /** Text written after every terminator ('\n' for readable files). Default none. */
  lineBreak?: string;
}

/**
 * Streaming interchange writer. Each call returns the text to append; counts and trailers are kept here,
 * so a million-claim file is written in constant memory. Calls must nest: ISA (GS (ST ... SE)* GE)* IEA.
 */
export class InterchangeWriter {
  readonly delimiters: Delimiters;
  readonly #lineBreak: string;
  #state: State = 'idle';
  #isa13 = '';
  #groups = 0;
  #gs06 = '';
  #sets = 0;
  #st02 = '';
  #setSegments = 0;
  #setIds = new Set<string>();

  constructor(options: InterchangeWriterOptions = {}) {
    this.delimiters = options.delimiters ?? DEFAULT_DELIMITERS;
    this.#lineBreak = options.lineBreak ?? '';
    const d = this.delimiters;
    // 5010 (ISA12 00501) always has a repetition separator in ISA11.
    if (d.repetition === null || new Set([d.element, d.component, d.segment, d.repetition]).size !== 4) {
      throw new ClaimsError({ code: 'WRITER_DELIMITERS_INVALID', message: 'element, component, repetition and segment delimiters must be given and distinct' });
    }
  }

  #expect(state: State, action: string): void {
    if (this.#state !== state) {
      throw new ClaimsError({ code: 'WRITER_STATE', message: `cannot ${action} while in state ${this.#state}`, expected: state, found: this.#state });
    }
  }

  #line(values: SegmentValues): string {
    return serializeSegment(values, this.delimiters) + this.#lineBreak;
  }

  beginInterchange(h: InterchangeHeader): string {
    this.#expect('idle', 'begin an interchange');
    const d = this.delimiters;
    this.#isa13 = formatControlNumber(h.controlNumber, 9, 9, 'ISA13');
    const fields = [
      'ISA',
      padRight(h.authorizationQualifier ?? '00', 2, 'ISA01'),
      padRight(h.authorization ?? '', 10, 'ISA02'),
      padRight(h.securityQualifier ?? '00', 2, 'ISA03'),
      padRight(h.security ?? '', 10, 'ISA04'),
      padRight(h.senderQualifier, 2, 'ISA05'),
      padRight(h.senderId, 15, 'ISA06'),
      padRight(h.receiverQualifier, 2, 'ISA07'),
      padRight(h.receiverId, 15, 'ISA08'),
      checkDigits(h.date, /^\d{6}$/, 'ISA09', 'YYMMDD'),
      checkDigits(h.time, /^\d{4}$/, 'ISA10', 'HHMM'),
      d.repetition as string,
      '00501',
      this.#isa13,
      h.ackRequested ? '1' : '0',
      h.usage,
      d.component,
    ];
    fields.forEach((f, i) => i > 0 && i < 16 && i !== 11 && checkText(f, d, 'ISA', i));
    this.#groups = 0;
    this.#state = 'interchange';
    // ISA is fixed width and never trimmed: its padding is the point.
    return fields.join(d.element) + d.segment + this.#lineBreak;
  }

  /** A TA1 between ISA and the first GS (acknowledging an interchange received). */
  ta1(values: SegmentValues): string {
    this.#expect('interchange', 'write a TA1');
    if (values[0] !== 'TA1' || this.#groups > 0) {
      throw new ClaimsError({ code: 'WRITER_STATE', message: 'only TA1 segments may precede the first GS', found: String(values[0]) });
    }
    return this.#line(values);
  }

  beginGroup(h: GroupHeader): string {
    this.#expect('interchange', 'begin a group');
    this.#gs06 = formatControlNumber(h.controlNumber, 1, 9, 'GS06');
    this.#sets = 0;
    this.#setIds.clear();
    this.#state = 'group';
    return this.#line(['GS', h.functionalId, h.senderCode, h.receiverCode,
      checkDigits(h.date, /^\d{8}$/, 'GS04', 'CCYYMMDD'), checkDigits(h.time, /^\d{4}(\d{2})?$/, 'GS05', 'HHMM or HHMMSS'),
      this.#gs06, h.agency ?? 'X', h.version]);
  }

  beginSet(h: SetHeader): string {
    this.#expect('group', 'begin a transaction set');
    this.#st02 = formatControlNumber(h.controlNumber, 4, 9, 'ST02');
    if (this.#setIds.has(this.#st02)) {
      throw new ClaimsError({ code: 'WRITER_CONTROL_NUMBER_REUSED', message: `ST02 ${this.#st02} used twice in one group`, found: this.#st02 });
    }
    this.#setIds.add(this.#st02);
    this.#sets++;
    this.#setSegments = 1;
    this.#state = 'set';
    return this.#line(h.implementationRef ? ['ST', h.id, this.#st02, h.implementationRef] : ['ST', h.id, this.#st02]);
  }

  /** One content segment of the current set. */
  segment(values: SegmentValues): string {
    this.#expect('set', 'write a segment');
    const tag = values[0];
    if (tag === 'ST' || tag === 'SE' || tag === 'GS' || tag === 'GE' || tag === 'ISA' || tag === 'IEA') {
      throw new ClaimsError({ code: 'WRITER_STATE', message: `${String(tag)} is written by the writer itself`, found: String(tag) });
    }
    const text = this.#line(values);
    this.#setSegments++;
    return text;
  }

  /** SE01 counts every segment from ST to SE inclusive. */
  endSet(): string {
    this.#expect('set', 'end a transaction set');
    this.#state = 'group';
    return this.#line(['SE', String(this.#setSegments + 1), this.#st02]);
  }

  endGroup(): string {
    this.#expect('group', 'end a group');
    this.#groups++;
    this.#state = 'interchange';
    return this.#line(['GE', String(this.#sets), this.#gs06]);
  }

  endInterchange(): string {
    this.#expect('interchange', 'end an interchange');
    this.#state = 'done';
    return this.#line(['IEA', String(this.#groups), this.#isa13]);
  }
}

export interface InterchangeSpec {
  interchange: InterchangeHeader;
  groups: Iterable<{ group: GroupHeader; sets: Iterable<{ set: SetHeader; segments: Iterable<SegmentValues> }> }>;
}

/** Stream an interchange as text pieces (one per segment); segments may come from a lazy iterable. */
export function* serializeInterchange(spec: InterchangeSpec, options: InterchangeWriterOptions = {}): Generator<string> {
  const w = new InterchangeWriter(options);
  yield w.beginInterchange(spec.interchange);
  for (const g of spec.groups) {
    yield w.beginGroup(g.group);
    for (const s of g.sets) {
      yield w.beginSet(s.set);
      for (const values of s.segments) yield w.segment(values);
      yield w.endSet();
    }
    yield w.endGroup();
  }
  yield w.endInterchange();
}

/** A whole interchange as one string, for small outputs (acknowledgements, tests). */
export function buildInterchange(spec: InterchangeSpec, options: InterchangeWriterOptions = {}): string {
  let out = '';
  for (const piece of serializeInterchange(spec, options)) out += piece;
  return out;
}
