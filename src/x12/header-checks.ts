// Field checks of the envelope headers (ISA, GS, ST), as pure functions that return problems. The
// state machine in envelope.ts decides when to run them; TA1 note and 999 codes are attached here.
import { isoFromD8 } from '../common/dates.ts';
import { ClaimsError, type AckCodes, type Location } from '../common/errors.ts';
import type { ErrorCode } from '../common/error-codes.ts';
import type { Segment } from './segment.ts';
import { element, elementCount, elementName, elementsFrom, nulElement, trimmedElement } from './access.ts';
import { excerpt } from './text.ts';
import { FUNCTIONAL_ID, ISA_VERSION, findGuide, isKnownVersion, versionsFor, type Guide } from './versions.ts';

/** Fixed ISA element widths (ISA01..ISA16). */
const ISA_WIDTHS = [2, 10, 2, 10, 2, 15, 2, 15, 6, 4, 1, 5, 9, 1, 1, 1];
const ID_QUALIFIERS = new Set(['01', '14', '20', '27', '28', '29', '30', '33', 'ZZ']);

export type LocateFn = (segment: Segment, element?: number) => Location;

export interface ProblemSpec {
  code: ErrorCode;
  message: string;
  severity?: 'error' | 'warning';
  element?: number;
  expected?: string;
  found?: string;
  ack?: AckCodes;
}

export function problemAt(locate: LocateFn, segment: Segment, spec: ProblemSpec): ClaimsError {
  return new ClaimsError({
    code: spec.code,
    message: spec.message,
    severity: spec.severity ?? 'error',
    location: locate(segment, spec.element),
    ...(spec.expected !== undefined && { expected: spec.expected }),
    ...(spec.found !== undefined && { found: spec.found }),
    ...(spec.ack !== undefined && { ack: spec.ack }),
  });
}

/**
 * ISA09 has no century; interchanges are read as dated 20YY. The century only decides Feb 29 of YY=00
 * (2000 was a leap year, 1900 was not). Six characters in, eight out, so isoFromD8 checks the length too.
 */
const validYymmdd = (yymmdd: string): boolean => isoFromD8(`20${yymmdd}`) !== null;

function validTime(text: string): boolean {
  const m = /^(\d{2})(\d{2})(\d{2}(\d{1,2})?)?$/.exec(text);
  return m !== null && Number(m[1]) < 24 && Number(m[2]) < 60 && (m[3] === undefined || Number(m[3].slice(0, 2)) < 60);
}

/** TA1 notes for a NUL in ISA02, ISA04, ISA06, ISA08: invalid authorization, security, sender, receiver. */
const NUL_TA1: Record<number, string> = { 2: '011', 4: '013', 6: '006', 8: '008' };

/** Problems of an ISA; errors reject the interchange (TA1 R), warnings do not. */
export function checkIsa(isa: Segment, locate: LocateFn): ClaimsError[] {
  const out: ClaimsError[] = [];
  const at = (spec: ProblemSpec): void => void out.push(problemAt(locate, isa, spec));
  if (elementCount(isa) !== 16) {
    at({ code: 'ISA_ELEMENT_COUNT', message: `ISA has ${elementCount(isa)} elements`, expected: '16', found: String(elementCount(isa)), ack: { ta1: '024' } });
    return out;
  }
  const widths = elementsFrom(isa, 1).map((v) => v.length);
  if (widths.some((w, i) => w !== ISA_WIDTHS[i])) {
    const bad = widths.findIndex((w, i) => w !== ISA_WIDTHS[i]) + 1;
    at({ code: 'ISA_NOT_FIXED_WIDTH', severity: 'warning', element: bad,
      message: 'ISA fields are not padded to their fixed widths (read anyway)',
      expected: ISA_WIDTHS.join(','), found: widths.join(',') });
  }
  if (!['00', '03'].includes(trimmedElement(isa, 1))) at({ code: 'ISA_AUTH_QUALIFIER_INVALID', element: 1, message: 'ISA01 must be 00 or 03', expected: '00 or 03', found: excerpt(trimmedElement(isa, 1)), ack: { ta1: '010' } });
  if (!['00', '01'].includes(trimmedElement(isa, 3))) at({ code: 'ISA_SECURITY_QUALIFIER_INVALID', element: 3, message: 'ISA03 must be 00 or 01', expected: '00 or 01', found: excerpt(trimmedElement(isa, 3)), ack: { ta1: '012' } });
  if (!ID_QUALIFIERS.has(trimmedElement(isa, 5))) at({ code: 'ISA_SENDER_QUALIFIER_INVALID', element: 5, message: 'ISA05 is not an interchange id qualifier', expected: [...ID_QUALIFIERS].join(' '), found: excerpt(trimmedElement(isa, 5)), ack: { ta1: '005' } });
  if (trimmedElement(isa, 6) === '') at({ code: 'ISA_SENDER_MISSING', element: 6, message: 'ISA06 sender id is empty', expected: 'a sender id', found: '""', ack: { ta1: '006' } });
  if (!ID_QUALIFIERS.has(trimmedElement(isa, 7))) at({ code: 'ISA_RECEIVER_QUALIFIER_INVALID', element: 7, message: 'ISA07 is not an interchange id qualifier', expected: [...ID_QUALIFIERS].join(' '), found: excerpt(trimmedElement(isa, 7)), ack: { ta1: '007' } });
  if (trimmedElement(isa, 8) === '') at({ code: 'ISA_RECEIVER_MISSING', element: 8, message: 'ISA08 receiver id is empty', expected: 'a receiver id', found: '""', ack: { ta1: '008' } });
  // The free-text fields (the others have checks of their own): the ids are recorded as text, which cannot hold a NUL.
  const nul = nulElement(isa);
  if (NUL_TA1[nul] !== undefined) {
    at({ code: 'X12_ELEMENT_CONTROL_CHARACTER', element: nul, message: `${elementName('ISA', nul)} holds a NUL byte (0x00): X12 text has no control characters, and the value cannot be stored`,
      expected: 'X12 text without control characters', found: element(isa, nul), ack: { ta1: NUL_TA1[nul] } });
  }
  if (!validYymmdd(trimmedElement(isa, 9))) at({ code: 'ISA_DATE_INVALID', element: 9, message: 'ISA09 is not a date', expected: 'YYMMDD', found: excerpt(trimmedElement(isa, 9)), ack: { ta1: '014' } });
  if (!/^\d{4}$/.test(trimmedElement(isa, 10)) || !validTime(trimmedElement(isa, 10))) at({ code: 'ISA_TIME_INVALID', element: 10, message: 'ISA10 is not a time', expected: 'HHMM', found: excerpt(trimmedElement(isa, 10)), ack: { ta1: '015' } });
  const version = trimmedElement(isa, 12);
  if (version !== ISA_VERSION) {
    at({ code: 'ISA_VERSION_UNSUPPORTED', element: 12,
      message: version === '00401' ? 'a 4010 interchange (ISA12 00401) is not supported' : `interchange version ${version} is not supported`,
      expected: ISA_VERSION, found: excerpt(version), ack: { ta1: '017' } });
  } else if (isa.delimiters.repetition === null) {
    at({ code: 'ISA_REPETITION_SEPARATOR_UNUSABLE', severity: 'warning', element: 11,
      message: 'ISA11 cannot serve as a repetition separator (it is alphanumeric or equals another delimiter); repetitions are not split',
      expected: 'a distinct special character', found: excerpt(element(isa, 11)) });
  }
  if (!/^\d{9}$/.test(element(isa, 13))) at({ code: 'ISA_CONTROL_NUMBER_INVALID', element: 13, message: 'ISA13 must be 9 digits', expected: '9 digits', found: excerpt(element(isa, 13)), ack: { ta1: '018' } });
  if (!['0', '1'].includes(element(isa, 14))) at({ code: 'ISA_ACK_REQUESTED_INVALID', element: 14, message: 'ISA14 must be 0 or 1', expected: '0 or 1', found: excerpt(element(isa, 14)), ack: { ta1: '019' } });
  if (!['P', 'T'].includes(element(isa, 15))) at({ code: 'ISA_USAGE_INVALID', element: 15, message: 'ISA15 must be P or T', expected: 'P or T', found: excerpt(element(isa, 15)), ack: { ta1: '020' } });
  return out;
}

/** Problems of a GS header: control number syntax, dates, and whether we read its version at all. */
export function checkGs(gs: Segment, locate: LocateFn): ClaimsError[] {
  const out: ClaimsError[] = [];
  const at = (spec: ProblemSpec): void => void out.push(problemAt(locate, gs, spec));
  const gs01 = element(gs, 1);
  if (!Object.values(FUNCTIONAL_ID).includes(gs01)) {
    at({ code: 'GS_FUNCTIONAL_ID_UNSUPPORTED', element: 1, message: `functional group ${gs01} is not one we read`,
      expected: Object.values(FUNCTIONAL_ID).join(' '), found: excerpt(gs01), ack: { ik5: '1' } });
  }
  // GS02/GS03 are free text (the others have checks of their own); they are echoed, swapped, in our 999.
  for (const n of [2, 3]) {
    if (element(gs, n).indexOf('\u0000') !== -1) {
      at({ code: 'X12_ELEMENT_CONTROL_CHARACTER', element: n, message: `${elementName('GS', n)} holds a NUL byte (0x00): X12 text has no control characters, and the value cannot be stored`,
        expected: 'X12 text without control characters', found: element(gs, n) });
    }
  }
  if (isoFromD8(element(gs, 4)) === null) at({ code: 'GS_DATE_INVALID', element: 4, message: 'GS04 is not a date', expected: 'CCYYMMDD', found: excerpt(element(gs, 4)) });
  if (!validTime(element(gs, 5))) at({ code: 'GS_TIME_INVALID', element: 5, message: 'GS05 is not a time', expected: 'HHMM[SS[D[D]]]', found: excerpt(element(gs, 5)) });
  if (!/^\d{1,9}$/.test(element(gs, 6))) at({ code: 'GS_CONTROL_NUMBER_INVALID', element: 6, message: 'GS06 must be 1 to 9 digits', expected: '1 to 9 digits', found: excerpt(element(gs, 6)), ack: { ik5: '6' } });
  const version = element(gs, 8);
  if (!isKnownVersion(version)) {
    at({ code: 'VERSION_UNSUPPORTED', element: 8,
      message: version.startsWith('004010') ? `4010 guide ${version} is not supported` : `guide ${JSON.stringify(version)} is not one we read`,
      expected: 'a 5010 guide we read (e.g. 005010X221A1, 005010X222A1)', found: excerpt(version), ack: { ik5: '2' } });
  }
  return out;
}

/**
 * Sets that carry information, not money: in a group whose GS01 does not match them, while ST01 and
 * GS08/ST03 agree on the guide, they are read with a warning (real 271s come in the 270's HS group) and
 * the 999 accepts them with errors noted. Money (835) and what we would act on (837, 270) stay strict
 * (DOMAIN.md, Envelopes; docs/decisions/0093-gs01-mismatch-informational-sets-read.md).
 */
const READ_IN_ANY_GROUP: ReadonlySet<string> = new Set(['271', '277', '999']);

function groupMismatch(id: string, expectedGroup: string, gs01: string, version: string, guide: Guide | undefined): ProblemSpec {
  const base = { code: 'SET_GROUP_MISMATCH', element: 1, expected: expectedGroup, found: excerpt(gs01), ack: { ik5: '6' } } as const;
  if (guide !== undefined && READ_IN_ANY_GROUP.has(id)) {
    return { ...base, severity: 'warning', message: `a ${id} set belongs in a GS01 ${expectedGroup} group, not ${gs01}; ST01 and the guide (${version}) agree on what it is, so it is read, and the 999 accepts it with errors noted` };
  }
  const why = id === '835' ? ': a remittance is money, and money is not read from a group that names another kind of set (decision 0093)' : '';
  return { ...base, message: `a ${id} set belongs in a GS01 ${expectedGroup} group, not ${gs01}${why}` };
}

/** Problems of an ST header within its group, and the guide the set is read with. */
export function checkSt(st: Segment, gs01: string, gs08: string, locate: LocateFn): { problems: ClaimsError[]; guide: Guide | undefined } {
  const out: ClaimsError[] = [];
  const at = (spec: ProblemSpec): void => void out.push(problemAt(locate, st, spec));
  const id = element(st, 1);
  const expectedGroup = FUNCTIONAL_ID[id];
  const st03 = element(st, 3);
  const version = st03 !== '' ? st03 : gs08;
  const guide = findGuide(id, version);
  if (expectedGroup === undefined) {
    at({ code: 'SET_ID_UNSUPPORTED', element: 1, message: `transaction set ${id} is not one we read`, expected: Object.keys(FUNCTIONAL_ID).join(' '), found: excerpt(id), ack: { ik5: '1', ik403: '7' } });
  } else if (expectedGroup !== gs01) {
    at(groupMismatch(id, expectedGroup, gs01, version, guide));
  }
  if (!/^[A-Za-z0-9]{4,9}$/.test(element(st, 2))) {
    at({ code: 'ST_CONTROL_NUMBER_INVALID', element: 2, message: 'ST02 must be 4 to 9 characters', expected: '4 to 9 characters', found: excerpt(element(st, 2)), ack: { ik5: '7' } });
  }
  if (st03 !== '' && st03 !== gs08) {
    at({ code: 'ST03_MISMATCH', element: 3, message: `ST03 ${st03} differs from GS08 ${gs08}`, expected: excerpt(gs08), found: excerpt(st03), ack: { ik5: 'I6', ik403: '7' } });
  }
  if (guide === undefined && expectedGroup !== undefined) {
    at({ code: 'VERSION_UNSUPPORTED', element: st03 ? 3 : undefined,
      message: `a ${id} set with guide ${JSON.stringify(version)} is not one we read`,
      expected: versionsFor(id).join(' or '), found: excerpt(version), ack: { ik5: 'I6' } });
  } else if (guide?.status === 'errata') {
    at({ code: 'VERSION_ERRATA', severity: 'warning', element: st03 ? 3 : undefined,
      message: `guide ${version} is an errata version of ${versionsFor(id).find((v) => findGuide(id, v)?.status === 'supported' && findGuide(id, v)?.name === guide.name) ?? 'the supported guide'}; read with that guide`,
      expected: versionsFor(id).join(' or '), found: excerpt(version) });
  }
  return { problems: out, guide };
}

