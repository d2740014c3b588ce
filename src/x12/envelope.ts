// Envelope checks: a pure state machine over segments that tracks ISA/GS/ST nesting, counts and control
// numbers, and emits events (set boundaries, content segments with their position, located problems).
// Memory is flat: only summaries are kept, never the segments of a set. Segments: see tokenizer.ts.
import { ClaimsError, type Location } from '../common/errors.ts';
import type { Segment } from './segment.ts';
import { ENVELOPE_TAG, type ScanBatch } from './scanner.ts';
import { elementByteOffset } from './access.ts';
import { excerpt, validTag } from './text.ts';
import { ContentHashBuffer } from './content-hash.ts';
import { checkGs, checkIsa, checkSt, problemAt, type ProblemSpec } from './header-checks.ts';
import { terminatorProblem } from './terminator-check.ts';
import type {
  ContentHasher, EnvelopeEvent, GroupInfo, GroupSummary, InterchangeInfo, InterchangeSummary, SetInfo, SetSummary,
} from './envelope-types.ts';

export type * from './envelope-types.ts';

export interface EnvelopeOptions {
  file?: string;
  /** Makes `contentHash` of each interchange (the Node adapter passes sha256). */
  hasher?: () => ContentHasher;
  /**
   * Emit a `segment` event per content segment (default true). Checks that only need summaries and
   * problems (inspect, benchmarks) turn it off and save an object per segment; `push` still returns
   * each content segment's position.
   */
  segmentEvents?: boolean;
}

/**
 * A group keeps the summary of each of its sets until GE (its 999 and inspect need them), so a group of
 * 70,000 sets holds 70,000 summaries: keep each small. Sets without problems share one frozen empty list
 * (replaced on the first problem), and set ids are shared strings.
 */
const NO_PROBLEMS: ClaimsError[] = Object.freeze([]) as unknown as ClaimsError[];
const SET_IDS = new Map(['835', '837', '270', '271', '276', '277', '999', '997', '834', '820'].map((id) => [id, id]));

/** terminator: whether the segment after the ISA was checked for a terminator that looks wrong (terminator-check.ts), and found one. */
interface OpenInterchange { info: InterchangeInfo; summary: InterchangeSummary; hasher: ContentHasher | undefined; terminator: 'unchecked' | 'ok' | 'suspect' }
interface OpenGroup { info: GroupInfo; summary: GroupSummary; setIds: Set<string> }
interface OpenSet { info: SetInfo; summary: SetSummary }

export class EnvelopeChecker {
  readonly #file: string | undefined;
  readonly #makeHasher: (() => ContentHasher) | undefined;
  readonly #emit: (event: EnvelopeEvent) => void;
  readonly #segmentEvents: boolean;
  #interchange: OpenInterchange | undefined;
  #group: OpenGroup | undefined;
  #set: OpenSet | undefined;
  #position = 0;
  /** Sender + ISA13 -> content hashes seen earlier in this input. */
  readonly #seen = new Map<string, string | undefined>();
  /** The last segment seen: end-of-input problems point just past it. */
  #last: Segment | undefined;
  /** Set while in a run of segments outside any interchange, so the run is reported once. */
  #strayReported = false;
  /** Bytes of the open interchange not yet given to its hasher. */
  readonly #hash = new ContentHashBuffer();

  constructor(emit: (event: EnvelopeEvent) => void, options: EnvelopeOptions = {}) {
    this.#emit = emit;
    this.#file = options.file;
    this.#makeHasher = options.hasher;
    this.#segmentEvents = options.segmentEvents ?? true;
  }

  #locate = (segment: Segment, element?: number): Location => {
    const loc: Location = {};
    if (this.#file !== undefined) loc.file = this.#file;
    if (this.#interchange) loc.interchange = this.#interchange.info.controlNumber;
    if (this.#group) loc.group = this.#group.info.controlNumber;
    if (this.#set) {
      loc.set = this.#set.info.controlNumber;
      loc.segmentPosition = this.#position;
    }
    loc.segmentIndex = segment.index;
    loc.segmentTag = segment.tag;
    if (element !== undefined) loc.element = element;
    loc.byteOffset = element === undefined ? segment.byteOffset : elementByteOffset(segment, element);
    return loc;
  };

  /** Record a problem on the innermost open level (set, group, interchange) and emit it. */
  #report(problem: ClaimsError, level: 'set' | 'group' | 'interchange' | 'none' = 'set'): void {
    if (this.#interchange?.terminator === 'suspect' && problem.code !== 'SEGMENT_TERMINATOR_SUSPECT') return; // the rest is noise
    if (level === 'set' && this.#set) {
      const summary = this.#set.summary;
      if (summary.problems === NO_PROBLEMS) summary.problems = [];
      summary.problems.push(problem);
      if (problem.severity === 'error') this.#set.summary.accepted = false;
    } else if ((level === 'set' || level === 'group') && this.#group) {
      this.#group.summary.problems.push(problem);
    } else if (level !== 'none' && this.#interchange) {
      this.#interchange.summary.problems.push(problem);
    }
    this.#emit({ kind: 'problem', problem });
  }

  #problem(segment: Segment, spec: ProblemSpec, level: 'set' | 'group' | 'interchange' | 'none' = 'set'): void {
    this.#report(problemAt(this.#locate, segment, spec), level);
  }

  /** Check one segment. Returns its position in its set (ST = 1) for a content segment, else 0. */
  push(segment: Segment): number {
    this.#last = segment;
    const open = this.#interchange;
    if (open !== undefined) {
      open.summary.segmentCount++;
      if (open.hasher !== undefined) this.#hash.segment(open.hasher, segment);
    }
    return this.#check(segment);
  }

  /**
   * Check every segment of a scanned batch. Content segments are counted from their tag codes; Segment
   * objects are made only for envelope segments, problems, and `segment` events when those are on.
   */
  pushBatch(batch: ScanBatch): void {
    const count = batch.count;
    if (count === 0) return;
    const { tags, starts, ends, bytes } = batch;
    const hashing = this.#makeHasher !== undefined;
    // With segment events on, every segment becomes an object anyway: make them all in one pass.
    const objects = this.#segmentEvents ? batch.segments() : undefined;
    // A segment cut off by the end of input takes the full path (it is reported).
    const runEnd = batch.lastUnterminated ? count - 1 : count;
    let i = 0;
    while (i < count) {
      const set = this.#set;
      if (set !== undefined) {
        // The hot path: well-formed content tags inside a set are counted, nothing more. The run ends at
        // an envelope tag, a malformed tag or an unterminated segment, which take the full path below.
        const from = i;
        let position = this.#position;
        while (i < runEnd) {
          const code = tags[i] as number;
          if (code <= 0 || code >= ENVELOPE_TAG) break;
          position++;
          if (objects !== undefined) this.#emit({ kind: 'segment', set: set.info, segment: objects[i] as Segment, position });
          i++;
        }
        this.#position = position;
        const open = this.#interchange;
        if (open !== undefined && i > from) {
          open.summary.segmentCount += i - from;
          if (open.hasher !== undefined) {
            // Segments with nothing between them (no line breaks) are hashed as one range of input,
            // terminators included.
            for (let a = from; a < i;) {
              let b = a;
              while (b + 1 < i && (ends[b] as number) + 1 === starts[b + 1]) b++;
              this.#hash.range(open.hasher, bytes, starts[a] as number, (ends[b] as number) + 1);
              a = b + 1;
            }
          }
        }
        if (i === count) break;
      }
      const open = this.#interchange;
      if (open !== undefined) {
        open.summary.segmentCount++;
        if (hashing && open.hasher !== undefined) {
          if (batch.lastUnterminated && i === count - 1) {
            this.#hash.terminated(open.hasher, bytes, starts[i] as number, ends[i] as number, batch.delimitersOf(i).segment.charCodeAt(0));
          } else {
            this.#hash.range(open.hasher, bytes, starts[i] as number, (ends[i] as number) + 1);
          }
        }
      }
      this.#check(objects !== undefined ? objects[i] as Segment : batch.segment(i));
      i++;
    }
    this.#last = objects !== undefined ? objects[count - 1] as Segment : batch.segment(count - 1);
  }

  /** Add a segment and its terminator to the interchange's content hash. */
  #check(segment: Segment): number {
    const tag = segment.tag;
    const c0 = tag.charCodeAt(0);
    // Envelope tags start with I, G or S; anything else inside a set is content (the hot path).
    if (this.#set && ((c0 !== 73 && c0 !== 71 && c0 !== 83) || (tag !== 'SE' && tag !== 'ST' && tag !== 'GE' && tag !== 'IEA' && tag !== 'GS' && tag !== 'ISA'))) {
      this.#position++;
      if (!validTag(tag)) this.#problem(segment, { code: 'SEGMENT_TAG_INVALID', message: 'not a segment identifier', expected: '2 or 3 upper-case letters or digits', found: excerpt(tag), ack: { ik304: '1' } });
      if (this.#segmentEvents) this.#emit({ kind: 'segment', set: this.#set.info, segment, position: this.#position });
      if (segment.unterminated) this.#problem(segment, { code: 'SEGMENT_UNTERMINATED', message: 'input ended inside a segment', expected: 'a segment terminator', found: 'end of input', ack: { ik304: '8' } });
      return this.#position;
    }
    if (this.#interchange?.terminator === 'unchecked' && tag !== 'ISA') this.#checkTerminator(this.#interchange, segment);
    switch (tag) {
      case 'ISA': this.#onIsa(segment); break;
      case 'IEA': this.#onIea(segment); break;
      case 'GS': this.#onGs(segment); break;
      case 'GE': this.#onGe(segment); break;
      case 'ST': this.#onSt(segment); break;
      case 'SE': this.#onSe(segment); break;
      default: this.#onStray(segment);
    }
    return 0;
  }

  /** Input ended: close whatever is still open, reporting the missing trailers. */
  end(): void {
    if (this.#interchange) this.#closeInterchange(undefined);
  }

  #onIsa(isa: Segment): void {
    if (this.#interchange) this.#closeInterchange(isa);
    this.#strayReported = false;
    const e = isa.elements;
    const info: InterchangeInfo = {
      controlNumber: e[13] ?? '', senderQualifier: (e[5] ?? '').trim(), senderId: (e[6] ?? '').trim(),
      receiverQualifier: (e[7] ?? '').trim(), receiverId: (e[8] ?? '').trim(), date: e[9] ?? '', time: e[10] ?? '',
      version: e[12] ?? '', ackRequested: e[14] === '1', usage: e[15] ?? '', delimiters: isa.delimiters,
      segmentIndex: isa.index, byteOffset: isa.byteOffset,
    };
    const hasher = this.#makeHasher?.();
    if (hasher) this.#hash.segment(hasher, isa);
    this.#interchange = {
      info, hasher, terminator: 'unchecked',
      summary: { interchange: info, groups: [], problems: [], segmentCount: 1, contentHash: undefined, ta1Count: 0 },
    };
    this.#emit({ kind: 'interchangeStart', interchange: info });
    for (const p of checkIsa(isa, this.#locate)) this.#report(p, 'interchange');
  }

  #checkTerminator(open: OpenInterchange, segment: Segment): void {
    const problem = terminatorProblem(segment, open.info.delimiters);
    open.terminator = problem === null ? 'ok' : 'suspect';
    if (problem !== null) this.#problem(segment, problem, 'interchange');
  }

  #onIea(iea: Segment): void {
    if (!this.#interchange) return this.#onStray(iea);
    this.#closeInterchange(iea);
  }

  #closeInterchange(iea: Segment | undefined): void {
    const open = this.#interchange as OpenInterchange;
    if (this.#group) this.#closeGroup(undefined, iea);
    if (iea?.tag === 'IEA') {
      const groups = open.summary.groups.length;
      if (iea.elements[1] !== String(groups)) {
        this.#problem(iea, { code: 'IEA_GROUP_COUNT', element: 1, message: `IEA01 says ${iea.elements[1] ?? ''} groups, the interchange has ${groups}`, expected: String(groups), found: excerpt(iea.elements[1] ?? ''), ack: { ta1: '021' } }, 'interchange');
      }
      if (iea.elements[2] !== open.info.controlNumber) {
        this.#problem(iea, { code: 'IEA_CONTROL_NUMBER_MISMATCH', element: 2, message: 'IEA02 does not match ISA13', expected: open.info.controlNumber, found: excerpt(iea.elements[2] ?? ''), ack: { ta1: '001' } }, 'interchange');
      }
      if (iea.unterminated) this.#problem(iea, { code: 'SEGMENT_UNTERMINATED', severity: 'warning', message: 'input ended without a terminator after IEA', expected: 'a segment terminator', found: 'end of input' }, 'interchange');
    } else {
      const at = iea ?? this.#lastSeen(open);
      this.#problem(at, { code: 'IEA_MISSING', message: iea ? 'a new ISA began before IEA closed the interchange' : 'input ended before IEA', expected: 'IEA', found: iea ? 'ISA' : 'end of input', ack: { ta1: '023' } }, 'interchange');
    }
    if (open.hasher) {
      this.#hash.flush(open.hasher);
      open.summary.contentHash = open.hasher.digest();
    }
    this.#checkDuplicate(open, iea);
    this.#interchange = undefined;
    this.#emit({ kind: 'interchangeEnd', summary: open.summary });
  }

  /** Where to point a problem found at end of input: the last segment read (else the interchange's ISA). */
  #lastSeen(open: OpenInterchange): Segment {
    return this.#last ?? { tag: 'ISA', elements: ['ISA'], index: open.info.segmentIndex, byteOffset: open.info.byteOffset, delimiters: open.info.delimiters };
  }

  #checkDuplicate(open: OpenInterchange, iea: Segment | undefined): void {
    const key = `${open.info.senderQualifier}|${open.info.senderId}|${open.info.controlNumber}`;
    const at = iea ?? this.#lastSeen(open);
    if (this.#seen.has(key)) {
      const before = this.#seen.get(key);
      const same = before !== undefined && before === open.summary.contentHash;
      this.#problem(at, same
        ? { code: 'INTERCHANGE_DUPLICATE', severity: 'warning', message: `interchange ${open.info.controlNumber} from this sender appears twice with the same content`, expected: 'each interchange once', found: 'a repeat', ack: { ta1: '025' } }
        : { code: 'INTERCHANGE_CONTROL_NUMBER_REUSED', severity: 'warning', message: `ISA13 ${open.info.controlNumber} from this sender was used earlier in this input for different content`, expected: 'unique ISA13 per sender', found: open.info.controlNumber },
      'interchange');
    } else {
      this.#seen.set(key, open.summary.contentHash);
    }
  }

  #onGs(gs: Segment): void {
    if (!this.#interchange) return this.#onStray(gs);
    if (this.#group) this.#closeGroup(undefined, gs);
    const e = gs.elements;
    const info: GroupInfo = {
      functionalId: e[1] ?? '', senderCode: e[2] ?? '', receiverCode: e[3] ?? '', date: e[4] ?? '', time: e[5] ?? '',
      controlNumber: e[6] ?? '', agency: e[7] ?? '', version: e[8] ?? '', segmentIndex: gs.index, byteOffset: gs.byteOffset,
    };
    const summary: GroupSummary = { group: info, sets: [], problems: [] };
    this.#group = { info, summary, setIds: new Set() };
    this.#interchange.summary.groups.push(summary);
    this.#emit({ kind: 'groupStart', interchange: this.#interchange.info, group: info });
    for (const p of checkGs(gs, this.#locate)) this.#report(p, 'group');
  }

  #onGe(ge: Segment): void {
    if (!this.#group) return this.#onStray(ge);
    this.#closeGroup(ge, ge);
  }

  #closeGroup(ge: Segment | undefined, at: Segment | undefined): void {
    const group = this.#group as OpenGroup;
    if (this.#set) this.#closeSet(undefined, at);
    const sets = group.summary.sets.length;
    if (ge) {
      if (/^\d{1,6}$/.test(ge.elements[1] ?? '')) group.summary.setsIncluded = Number(ge.elements[1]);
      if (ge.elements[1] !== String(sets)) {
        this.#problem(ge, { code: 'GE_SET_COUNT', element: 1, message: `GE01 says ${ge.elements[1] ?? ''} sets, the group has ${sets}`, expected: String(sets), found: excerpt(ge.elements[1] ?? ''), ack: { ik5: '5' } }, 'group');
      }
      if (ge.elements[2] !== group.info.controlNumber) {
        this.#problem(ge, { code: 'GE_CONTROL_NUMBER_MISMATCH', element: 2, message: 'GE02 does not match GS06', expected: group.info.controlNumber, found: excerpt(ge.elements[2] ?? ''), ack: { ik5: '4' } }, 'group');
      }
    } else {
      const where = at ?? this.#lastSeen(this.#interchange as OpenInterchange);
      this.#problem(where, { code: 'GE_MISSING', message: `group ${group.info.controlNumber} has no GE trailer`, expected: 'GE', found: at ? at.tag : 'end of input', ack: { ik5: '3' } }, 'group');
    }
    this.#group = undefined;
    this.#emit({ kind: 'groupEnd', interchange: (this.#interchange as OpenInterchange).info, summary: group.summary });
  }

  #onSt(st: Segment): void {
    if (!this.#group) return this.#onStray(st);
    if (this.#set) this.#closeSet(undefined, st);
    const group = this.#group;
    const e = st.elements;
    const info: SetInfo = {
      id: SET_IDS.get(e[1] ?? '') ?? e[1] ?? '', controlNumber: e[2] ?? '', implementationRef: e[3] === undefined || e[3] === '' ? undefined : e[3],
      guide: undefined, segmentIndex: st.index, byteOffset: st.byteOffset,
    };
    const summary: SetSummary = { set: info, segmentCount: 1, problems: NO_PROBLEMS, accepted: true };
    this.#set = { info, summary };
    this.#position = 1;
    group.summary.sets.push(summary);
    const checked = checkSt(st, group.info.functionalId, group.info.version, this.#locate);
    info.guide = checked.guide;
    this.#emit({ kind: 'setStart', interchange: (this.#interchange as OpenInterchange).info, group: group.info, set: info, segment: st });
    for (const p of checked.problems) this.#report(p, 'set');
    if (group.setIds.has(info.controlNumber)) {
      this.#problem(st, { code: 'ST_CONTROL_NUMBER_DUPLICATE', element: 2, message: `ST02 ${info.controlNumber} is used twice in group ${group.info.controlNumber}`, expected: 'unique ST02 within the group', found: excerpt(info.controlNumber), ack: { ik5: '23' } });
    }
    group.setIds.add(info.controlNumber);
  }

  #onSe(se: Segment): void {
    if (!this.#set) return this.#onStray(se);
    this.#position++;
    this.#closeSet(se, se);
  }

  #closeSet(se: Segment | undefined, at: Segment | undefined): void {
    const set = this.#set as OpenSet;
    const count = this.#position;
    set.summary.segmentCount = count;
    if (se) {
      if (se.elements[1] !== String(count)) {
        this.#problem(se, { code: 'SE_SEGMENT_COUNT', element: 1, message: `SE01 says ${se.elements[1] ?? ''} segments, the set has ${count} (ST and SE included)`, expected: String(count), found: excerpt(se.elements[1] ?? ''), ack: { ik5: '4' } });
      }
      if (se.elements[2] !== set.info.controlNumber) {
        this.#problem(se, { code: 'SE_CONTROL_NUMBER_MISMATCH', element: 2, message: 'SE02 does not match ST02', expected: set.info.controlNumber, found: excerpt(se.elements[2] ?? ''), ack: { ik5: '3' } });
      }
    } else {
      const where = at ?? this.#lastSeen(this.#interchange as OpenInterchange);
      this.#problem(where, { code: 'SE_MISSING', message: `set ${set.info.controlNumber} has no SE trailer`, expected: 'SE', found: at ? at.tag : 'end of input', ack: { ik5: '2' } });
    }
    this.#set = undefined;
    const open = this.#interchange as OpenInterchange;
    const group = this.#group as OpenGroup;
    const envelopeErrors = [...open.summary.problems, ...group.summary.problems].filter((p) => p.severity === 'error');
    this.#emit({ kind: 'setEnd', interchange: open.info, group: group.info, summary: set.summary, segment: se, envelopeErrors });
  }

  /** A segment where none may be: TA1 between ISA and GS is fine, anything else is a structure problem. */
  #onStray(segment: Segment): void {
    if (this.#interchange && !this.#group) {
      if (segment.tag === 'TA1') {
        this.#interchange.summary.ta1Count++;
        this.#emit({ kind: 'ta1', interchange: this.#interchange.info, segment });
        return;
      }
      return this.#problem(segment, { code: 'SEGMENT_OUTSIDE_GROUP', message: `${segment.tag} between ISA and GS`, expected: 'GS, TA1 or IEA', found: excerpt(segment.tag), ack: { ta1: '024' } }, 'interchange');
    }
    if (this.#group) {
      return this.#problem(segment, { code: 'SEGMENT_OUTSIDE_SET', message: `${segment.tag} between GS and ST (or after SE)`, expected: 'ST or GE', found: excerpt(segment.tag) }, 'group');
    }
    if (this.#strayReported) return;
    this.#strayReported = true;
    this.#problem(segment, { code: 'SEGMENT_OUTSIDE_INTERCHANGE', message: `${segment.tag} after IEA and before any ISA`, expected: 'ISA', found: excerpt(segment.tag) }, 'none');
  }
}

/** Walk a whole array of segments (tests, small files) and return every event. */
export function checkEnvelopes(segments: Iterable<Segment>, options: EnvelopeOptions = {}): EnvelopeEvent[] {
  const events: EnvelopeEvent[] = [];
  const checker = new EnvelopeChecker((e) => events.push(e), options);
  for (const s of segments) checker.push(s);
  checker.end();
  return events;
}
