// Syntax acknowledgements as pure builders: a TA1 for an interchange and a 999 (005010X231A1) for a
// functional group, from envelope summaries plus any problems later readers found. Writing them to the
// outbox only after what they acknowledge is committed is the ingest stage's job.
// IK404 (copy of the bad value) is left out: element text may be patient data, and the guide makes it
// situational.
import type { ClaimsError } from '../common/errors.ts';
import type { GroupSummary, InterchangeInfo, InterchangeSummary } from './envelope-types.ts';
import { InterchangeWriter, type GroupHeader, type InterchangeHeader, type InterchangeWriterOptions, type SegmentValues } from './writer.ts';

export const ACK_999_VERSION = '005010X231A1';

export type Ta1Code = 'A' | 'E' | 'R';

/** TA1*ISA13*ISA09*ISA10*TA104*TA105 for one received interchange. */
export function ta1Segment(interchange: Pick<InterchangeInfo, 'controlNumber' | 'date' | 'time'>, ackCode: Ta1Code, noteCode: string): SegmentValues {
  return ['TA1', interchange.controlNumber, interchange.date, interchange.time, ackCode, noteCode];
}

/**
 * The TA1 an interchange's own problems call for: R with the first error's note code, E when only
 * warnings carry a note code (a duplicate, 025), else A with 000.
 */
export function ta1For(summary: Pick<InterchangeSummary, 'interchange' | 'problems'>): SegmentValues {
  const coded = summary.problems.filter((p) => p.ack?.ta1 !== undefined);
  const error = coded.find((p) => p.severity === 'error');
  if (error) return ta1Segment(summary.interchange, 'R', error.ack?.ta1 as string);
  const warning = coded[0];
  if (warning) return ta1Segment(summary.interchange, 'E', warning.ack?.ta1 as string);
  return ta1Segment(summary.interchange, 'A', '000');
}

/**
 * Whether a TA1 can echo the interchange: TA101 is N0 9/9, TA102 a YYMMDD date, TA103 HHMM. A TA1 that
 * repeats an invalid ISA13/ISA09/ISA10 is itself invalid, so none is sent (the quarantine report says why).
 */
export function ta1Echoable(interchange: Pick<InterchangeInfo, 'controlNumber' | 'date' | 'time'>): boolean {
  const date = /^\d{2}(\d{2})(\d{2})$/.exec(interchange.date);
  return /^\d{9}$/.test(interchange.controlNumber) && date !== null && Number(date[1]) >= 1 && Number(date[1]) <= 12
    && Number(date[2]) >= 1 && Number(date[2]) <= 31 && /^([01]\d|2[0-3])[0-5]\d$/.test(interchange.time);
}

/** Whether an interchange needs a TA1: the sender asked (ISA14 = 1) or its envelope is broken. */
export function ta1Needed(summary: Pick<InterchangeSummary, 'interchange' | 'problems'>): boolean {
  return summary.interchange.ackRequested || summary.problems.some((p) => p.severity === 'error' && p.ack?.ta1 !== undefined);
}

export interface AckSet {
  /** ST01, ST02, ST03 of the set acknowledged. */
  id: string;
  controlNumber: string;
  implementationRef?: string | undefined;
  /** Envelope problems plus whatever the transaction reader found, located with segmentPosition. */
  problems: ClaimsError[];
}

/** AK101: the functional groups a 999 (005010X231A1) can acknowledge. */
export const AK101_CODES: ReadonlySet<string> = new Set(['BE', 'HB', 'HC', 'HI', 'HN', 'HP', 'HR', 'HS', 'RA']);
/** AK201: the transaction sets a 999 can name. */
export const AK201_CODES: ReadonlySet<string> = new Set(['270', '271', '276', '277', '278', '820', '834', '835', '837']);
/** A segment ID as IK301 may carry it (code source 77: two or three upper-case letters or digits). */
const SEGMENT_ID = /^[A-Z][A-Z0-9]{1,2}$/;

/**
 * Whether a set can have its own AK2 loop: AK201 must be a listed set id and AK202 a 4 to 9 character
 * control number. A set whose ST01 or ST02 is not one cannot be named in a valid 999; its group is
 * rejected instead (AK905 5), as X12 interprets it (RFI 1339).
 */
export function ak2Nameable(set: Pick<AckSet, 'id' | 'controlNumber'>): boolean {
  return AK201_CODES.has(set.id) && /^[A-Za-z0-9]{4,9}$/.test(set.controlNumber);
}

export interface AckGroup {
  functionalId: string;
  controlNumber: string;
  version: string;
  sets: AckSet[];
  /** Problems of the group itself (GS/GE, unsupported version). */
  problems: ClaimsError[];
  /** GE01 as received, when it was a number; else the number of sets received is used. */
  setsIncluded?: number;
}

/** The acknowledgement input for a group from its envelope summary; `more` adds reader problems per ST02. */
export function ackGroupFrom(summary: GroupSummary, more: ReadonlyMap<string, ClaimsError[]> = new Map()): AckGroup {
  return {
    functionalId: summary.group.functionalId,
    controlNumber: summary.group.controlNumber,
    version: summary.group.version,
    problems: summary.problems,
    sets: summary.sets.map((s) => ({
      id: s.set.id, controlNumber: s.set.controlNumber, implementationRef: s.set.implementationRef,
      problems: [...s.problems, ...(more.get(s.set.controlNumber) ?? [])],
    })),
    ...(summary.setsIncluded !== undefined && { setsIncluded: summary.setsIncluded }),
  };
}

type SetVerdict = 'A' | 'E' | 'R';

function unique(codes: (string | undefined)[], max: number): string[] {
  return [...new Set(codes.filter((c): c is string => c !== undefined))].slice(0, max);
}

/** AK2 / IK3 / IK4 / IK5 for one set, and its verdict. */
function setSegments(set: AckSet): { segments: SegmentValues[]; verdict: SetVerdict } {
  const segments: SegmentValues[] = [set.implementationRef ? ['AK2', set.id, set.controlNumber, set.implementationRef] : ['AK2', set.id, set.controlNumber]];
  // An IK3 names the segment by its ID: a tag that is not a segment ID (IK304 1, "unrecognized segment
  // ID") cannot go in IK301 without making the 999 invalid (X12 RFI 1257); the set's IK5 reports it.
  const located = set.problems.filter((p) => (p.ack?.ik304 !== undefined || p.ack?.ik403 !== undefined) && p.location.segmentPosition !== undefined
    && p.ack?.ik304 !== '1' && SEGMENT_ID.test(p.location.segmentTag ?? ''));
  // One IK3 per failing segment (in position order), its IK4s under it.
  const byPosition = new Map<number, ClaimsError[]>();
  for (const p of located) {
    const at = p.location.segmentPosition as number;
    byPosition.set(at, [...(byPosition.get(at) ?? []), p]);
  }
  for (const [position, problems] of [...byPosition].sort((a, b) => a[0] - b[0])) {
    const first = problems[0] as ClaimsError;
    const segmentCode = problems.find((p) => p.ack?.ik304 !== undefined)?.ack?.ik304 ?? '8';
    // IK303 (situational): the loop, when the reader knows it.
    segments.push(['IK3', first.location.segmentTag as string, String(position), first.location.loop ?? '', segmentCode]);
    for (const p of problems) {
      if (p.ack?.ik403 === undefined || p.location.element === undefined) continue;
      const where = p.location.component !== undefined ? [String(p.location.element), String(p.location.component)] : String(p.location.element);
      segments.push(['IK4', where, '', p.ack.ik403]);
    }
  }
  const errors = set.problems.filter((p) => p.severity === 'error');
  const warned = set.problems.some((p) => p.ack !== undefined);
  const verdict: SetVerdict = errors.length > 0 ? 'R' : warned ? 'E' : 'A';
  // IK502 says why a set is rejected, or (E) what was noted on a set accepted anyway, e.g. a 271 in an HS group.
  const codes = unique((verdict === 'R' ? errors : set.problems).map((p) => p.ack?.ik5 ?? (p.ack?.ik304 !== undefined || p.ack?.ik403 !== undefined ? '5' : undefined)), 5);
  segments.push(verdict === 'R' && codes.length === 0 ? ['IK5', 'R', '5'] : ['IK5', verdict, ...codes]);
  return { segments, verdict };
}

/** The body of a 999 (AK1 ... AK9) for one functional group, without ST/SE. */
export function build999Segments(group: AckGroup): SegmentValues[] {
  const out: SegmentValues[] = [['AK1', group.functionalId, group.controlNumber, group.version]];
  let accepted = 0;
  let withErrors = 0;
  const unnameable = group.sets.filter((set) => !ak2Nameable(set));
  for (const set of group.sets) {
    if (!ak2Nameable(set)) continue;
    const { segments, verdict } = setSegments(set);
    out.push(...segments);
    if (verdict !== 'R') accepted++;
    if (verdict === 'E') withErrors++;
  }
  const received = group.sets.length;
  const groupErrors = group.problems.filter((p) => p.severity === 'error');
  const groupCodes = unique([...groupErrors.map((p) => p.ack?.ik5), ...(unnameable.length > 0 ? ['5'] : [])], 5);
  let status: string;
  if (groupErrors.length > 0 || unnameable.length > 0 || accepted === 0) status = 'R';
  else if (accepted < received) status = 'P';
  else status = withErrors > 0 ? 'E' : 'A';
  const acceptedCount = status === 'R' ? 0 : accepted;
  out.push(['AK9', status, String(group.setsIncluded ?? received), String(received), String(acceptedCount), ...groupCodes]);
  return out;
}

export interface AckInterchangeSpec {
  /** Our side as sender, the original sender as receiver. */
  interchange: InterchangeHeader;
  /** TA1 segments (ta1For) to place before the groups. */
  ta1s?: SegmentValues[];
  /** One 999 per acknowledged group. */
  groups?: { header: Omit<GroupHeader, 'functionalId' | 'version'>; setControlNumber: number | string; ack: AckGroup }[];
}

/** A whole acknowledgement interchange (TA1s, then one FA group per 999) as text. */
export function buildAckInterchange(spec: AckInterchangeSpec, options: InterchangeWriterOptions = {}): string {
  const w = new InterchangeWriter(options);
  let out = w.beginInterchange(spec.interchange);
  for (const t of spec.ta1s ?? []) out += w.ta1(t);
  for (const g of spec.groups ?? []) {
    out += w.beginGroup({ ...g.header, functionalId: 'FA', version: ACK_999_VERSION });
    out += w.beginSet({ id: '999', controlNumber: g.setControlNumber, implementationRef: ACK_999_VERSION });
    for (const s of build999Segments(g.ack)) out += w.segment(s);
    out += w.endSet();
    out += w.endGroup();
  }
  return out + w.endInterchange();
}
