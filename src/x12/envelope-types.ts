// The envelope contract: what the envelope checks tell transaction readers, inspect and the ack builders.
// Control numbers are kept as received (ISA13 `000000905` stays `000000905`).
import type { ClaimsError } from '../common/errors.ts';
import type { Delimiters, Segment } from './segment.ts';
import type { Guide } from './versions.ts';

export interface InterchangeInfo {
  /** ISA13 as received. */
  controlNumber: string;
  /** ISA05 / ISA06 (padding removed). */
  senderQualifier: string;
  senderId: string;
  /** ISA07 / ISA08 (padding removed). */
  receiverQualifier: string;
  receiverId: string;
  /** ISA09 YYMMDD, ISA10 HHMM */
  date: string;
  time: string;
  /** ISA12 */
  version: string;
  /** ISA14 '1' asks for a TA1. */
  ackRequested: boolean;
  /** ISA15 P or T */
  usage: string;
  delimiters: Delimiters;
  segmentIndex: number;
  byteOffset: number;
}

export interface GroupInfo {
  /** GS01 */
  functionalId: string;
  /** GS02 / GS03 */
  senderCode: string;
  receiverCode: string;
  /** GS04 CCYYMMDD, GS05 HHMM[SS[D..]] */
  date: string;
  time: string;
  /** GS06 as received */
  controlNumber: string;
  /** GS07 */
  agency: string;
  /** GS08 */
  version: string;
  segmentIndex: number;
  byteOffset: number;
}

export interface SetInfo {
  /** ST01 */
  id: string;
  /** ST02 as received */
  controlNumber: string;
  /** ST03 when present */
  implementationRef: string | undefined;
  /** The guide this set is read with (ST03, else GS08), undefined when unsupported. */
  guide: Guide | undefined;
  segmentIndex: number;
  byteOffset: number;
}

export interface SetSummary {
  set: SetInfo;
  /** Segments counted from ST to SE inclusive (what SE01 should say). */
  segmentCount: number;
  /** Envelope problems of this set (warnings included). */
  problems: ClaimsError[];
  /** True when no problem of severity error was found. */
  accepted: boolean;
}

export interface GroupSummary {
  group: GroupInfo;
  sets: SetSummary[];
  /** Problems of the group itself (GS/GE, segments outside sets, unsupported version). */
  problems: ClaimsError[];
  /** GE01 as received, when it is a number (the 999's AK902). */
  setsIncluded?: number;
}

export interface InterchangeSummary {
  interchange: InterchangeInfo;
  groups: GroupSummary[];
  /** Problems of the interchange itself (ISA/IEA, structure, duplicates). */
  problems: ClaimsError[];
  /** Segments from ISA to IEA inclusive. */
  segmentCount: number;
  /** Hex digest of the interchange's segments (delimiters included, inter-segment whitespace excluded), when a hasher was given. */
  contentHash: string | undefined;
  /** TA1 segments found inside this interchange (acknowledgements from the other side). */
  ta1Count: number;
}

export type EnvelopeEvent =
  | { kind: 'interchangeStart'; interchange: InterchangeInfo }
  | { kind: 'groupStart'; interchange: InterchangeInfo; group: GroupInfo }
  | { kind: 'setStart'; interchange: InterchangeInfo; group: GroupInfo; set: SetInfo; segment: Segment }
  /** A segment between ST and SE (exclusive); `position` is 1-based from ST (ST = 1), as IK302 wants. */
  | { kind: 'segment'; set: SetInfo; segment: Segment; position: number }
  /**
   * `envelopeErrors`: errors already found on the enclosing ISA and GS (an unsupported version, a bad
   * header), so a reader can refuse the set without waiting for IEA.
   */
  | { kind: 'setEnd'; interchange: InterchangeInfo; group: GroupInfo; summary: SetSummary; segment: Segment | undefined; envelopeErrors: ClaimsError[] }
  | { kind: 'groupEnd'; interchange: InterchangeInfo; summary: GroupSummary }
  | { kind: 'interchangeEnd'; summary: InterchangeSummary }
  | { kind: 'ta1'; interchange: InterchangeInfo; segment: Segment }
  /** `fatal`: the input could not be read further (tokenizer error); no events follow. */
  | { kind: 'problem'; problem: ClaimsError; fatal?: true };

/** Incremental digest supplied by an adapter (the core imports no crypto). */
export interface ContentHasher {
  update(latin1Text: string): void;
  /** The same input as bytes; used instead of `update` when given (saves making a string). */
  updateBytes?(bytes: Uint8Array): void;
  digest(): string;
}
