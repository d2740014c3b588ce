// One error type for the whole pipeline: a stable code, a severity, and a location precise enough for an
// analyst to open the file at the right byte. Everything thrown is turned into it by `toClaimsError`.
import type { ErrorCode } from './error-codes.ts';
import { systemFailureOf } from './system-failures.ts';
import { inputExcerpt, storableText } from './input-text.ts';

export type Severity = 'error' | 'warning';

/** Where a problem is. Every field is optional; fill in all that are known. */
export interface Location {
  file?: string;
  /** ISA13 as received (zero padded, never re-formatted). */
  interchange?: string;
  /** GS06 */
  group?: string;
  /** ST02 */
  set?: string;
  /** 0-based index of the segment in the file. */
  segmentIndex?: number;
  /** 1-based position of the segment within its transaction set (ST = 1), as 999 IK3 wants it. */
  segmentPosition?: number;
  segmentTag?: string;
  /** The implementation guide's loop the segment is in (e.g. 2100), when the reader knows it: 999 IK303. */
  loop?: string;
  /** 1-based element position (CLP04 -> 4). */
  element?: number;
  /** 1-based component position inside a composite. */
  component?: number;
  byteOffset?: number;
  /** Claim (patient control number) or other record the problem is about. */
  claim?: string;
  /** A field of an input record, dotted (e.g. `lines[2].chargeCents`). */
  field?: string;
  /** 1-based line number in a text input (NDJSON, CSV). */
  line?: number;
  /** 1-based position of a record in an input that is one JSON array (where `line` would say nothing). */
  record?: number;
}

/** Codes a 999/TA1 can carry, where the problem has one. */
export interface AckCodes {
  /** TA1 note code (e.g. '025' duplicate interchange control number). */
  ta1?: string;
  /** IK304 segment syntax error code. */
  ik304?: string;
  /** IK403 element syntax error code. */
  ik403?: string;
  /** IK502 / AK905 transaction set or group error code. */
  ik5?: string;
}

export interface ClaimsErrorInit {
  code: ErrorCode;
  message: string;
  severity?: Severity;
  location?: Location;
  expected?: string;
  found?: string;
  ack?: AckCodes;
  cause?: unknown;
}

export class ClaimsError extends Error {
  readonly code: ErrorCode;
  readonly severity: Severity;
  readonly location: Location;
  readonly expected?: string;
  readonly found?: string;
  readonly ack?: AckCodes;

  constructor(init: ClaimsErrorInit) {
    // A message may quote input (a JSON.parse error does): a NUL in it would make the run record unstorable.
    super(storableText(init.message), init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'ClaimsError';
    this.code = init.code;
    this.severity = init.severity ?? 'error';
    this.location = init.location ?? {};
    if (init.expected !== undefined) this.expected = init.expected;
    // Input text is quoted, never copied whole: a report must stay small and storable whatever was read.
    if (init.found !== undefined) this.found = inputExcerpt(init.found);
    if (init.ack !== undefined) this.ack = init.ack;
  }

  /** A copy with more location filled in (fields already set win). */
  at(location: Location): ClaimsError {
    return new ClaimsError({
      code: this.code,
      message: this.message,
      severity: this.severity,
      location: { ...location, ...this.location },
      ...(this.expected !== undefined && { expected: this.expected }),
      ...(this.found !== undefined && { found: this.found }),
      ...(this.ack !== undefined && { ack: this.ack }),
      cause: this.cause,
    });
  }

  toJSON(): Record<string, unknown> {
    return {
      code: this.code,
      severity: this.severity,
      message: this.message,
      location: this.location,
      ...(this.expected !== undefined && { expected: this.expected }),
      ...(this.found !== undefined && { found: this.found }),
      ...(this.ack !== undefined && { ack: this.ack }),
    };
  }
}

/**
 * Turn anything thrown into a ClaimsError: a lost database or a full disk becomes DATABASE_UNREACHABLE or
 * DISK_FULL (src/common/system-failures.ts), anything else unknown INTERNAL.
 */
export function toClaimsError(err: unknown, location: Location = {}): ClaimsError {
  if (err instanceof ClaimsError) return err.at(location);
  const failure = systemFailureOf(err);
  if (failure) return new ClaimsError({ ...failure, location, cause: err });
  if (err instanceof Error) {
    return new ClaimsError({ code: 'INTERNAL', message: err.message, location, cause: err });
  }
  return new ClaimsError({ code: 'INTERNAL', message: String(err), location });
}

/** Render a location as `file: ISA 000000905, GS 1, ST 0001, segment #12 CLP (CLP04), byte 1234`. */
export function formatLocation(loc: Location): string {
  const parts: string[] = [];
  if (loc.file) parts.push(loc.file);
  if (loc.line !== undefined) parts.push(`line ${loc.line}`);
  if (loc.record !== undefined) parts.push(`record ${loc.record}`);
  if (loc.interchange) parts.push(`ISA13 ${loc.interchange}`);
  if (loc.group) parts.push(`GS06 ${loc.group}`);
  if (loc.set) parts.push(`ST02 ${loc.set}`);
  if (loc.segmentIndex !== undefined || loc.segmentTag) {
    let s = 'segment';
    if (loc.segmentIndex !== undefined) s += ` #${loc.segmentIndex}`;
    if (loc.segmentTag) s += ` ${loc.segmentTag}`;
    if (loc.segmentTag && loc.element !== undefined) {
      s += ` (${loc.segmentTag}${String(loc.element).padStart(2, '0')}${loc.component !== undefined ? `-${loc.component}` : ''})`;
    }
    parts.push(s);
  }
  if (loc.byteOffset !== undefined) parts.push(`byte ${loc.byteOffset}`);
  if (loc.claim) parts.push(`claim ${loc.claim}`);
  if (loc.field) parts.push(`field ${loc.field}`);
  return parts.join(', ');
}

/** Exit codes: 0 done, 1 failed, 2 usage, 3 done but some input was quarantined or rejected. */
export const ExitCode = { ok: 0, failed: 1, usage: 2, rejected: 3 } as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];
