// What the 835 reader (remittance-835.ts) works with besides its state machine: the envelope a set is read
// in, composites, amounts, and what reading a set found wrong, kept while the reading goes on: the
// problems (the first SET_PROBLEMS_MAX, then a count) and the amounts they left unknown, so that balancing
// judges every level it can and stays silent only where an amount is missing. Pure.
import { ClaimsError, type Location } from '../common/errors.ts';
import { parseCents } from '../common/money.ts';
import type { Segment } from '../x12/segment.ts';
import type { ErrorCode } from '../common/error-codes.ts';
import { element } from '../x12/access.ts';
import type { PersonName, Remittance, RemittanceClaim, RemittanceServiceLine } from '../domain/remittance.ts';

/** Where the set sits: filled in by the envelope reader. */
export interface SetEnvelope {
  file?: string;
  interchange: string;
  group: string;
  /** GS08 */
  version: string;
}

/**
 * Split a composite. Some senders use a component separator other than ISA16 (`SVC*HC>55669` under
 * ISA16 `:`); when the declared one is absent and the text is a 2-letter qualifier followed by a
 * punctuation character, that character is taken as the separator rather than reading the whole
 * composite as one code.
 */
export function splitComposite(text: string, separator: string): string[] {
  if (text.includes(separator)) return text.split(separator);
  const alt = /^[A-Z0-9]{2}([^A-Za-z0-9 ])/.exec(text);
  if (alt?.[1] && alt[1] !== '-' && alt[1] !== '.') return text.split(alt[1]);
  return [text];
}

/** Problems kept per set; the rest are counted (issue 16: every problem reported, bounded). */
export const SET_PROBLEMS_MAX = 100;

/** CLP02 codes under which a claim pays nothing: 4 denied, 25 predetermination pricing only (DOMAIN.md, 835). */
export const NO_PAYMENT_STATUS: Readonly<Record<string, string>> = { '4': 'denied', '25': 'predetermination pricing only, no payment' };

/** What a set's problems left unknown: balancing is not judged where one of its amounts is missing. */
export interface Unreadable {
  /** BPR02, a CLP04 or a PLB amount is unknown (or BPR is missing): the remittance level is not judged. */
  remittance: boolean;
  /** Claims with CLP03/CLP04 or a CAS unknown: the claim level is not judged. */
  claims: Set<RemittanceClaim>;
  /** Lines with SVC02/SVC03 or a line CAS unknown: the line level is not judged. */
  lines: Set<RemittanceServiceLine>;
}

/** One set read to its SE: the record, every problem found (bounded), and what they left unknown. */
export interface RemittanceReading {
  remittance: Remittance;
  /** In segment order, at most SET_PROBLEMS_MAX. */
  problems: ClaimsError[];
  /** Problems found beyond the ones kept. */
  problemsBeyond: number;
  unreadable: Unreadable;
}

/** The problems of the set being read. */
export class SetProblems {
  problems: ClaimsError[] = [];
  beyond = 0;
  unreadable: Unreadable = { remittance: false, claims: new Set(), lines: new Set() };

  keep(problem: ClaimsError): void {
    if (this.problems.length < SET_PROBLEMS_MAX) this.problems.push(problem);
    else this.beyond++;
  }

  /**
   * A segment was read no further after `amountsRead` of its amounts: mark what it may have left unread.
   * BPR02 is BPR's first amount; CLP03 and CLP04 are CLP's first two (CLP04 also counts at the remittance
   * level); SVC02 and SVC03 likewise; any CAS or PLB problem leaves its sums unknown.
   */
  taint(tag: string, amountsRead: number, claim: RemittanceClaim | null, line: RemittanceServiceLine | null): void {
    const u = this.unreadable;
    if (tag === 'BPR' && amountsRead < 1) u.remittance = true;
    else if (tag === 'CLP' && amountsRead < 2 && claim) {
      u.claims.add(claim);
      u.remittance = true;
    } else if (tag === 'SVC' && amountsRead < 2 && line) u.lines.add(line);
    else if (tag === 'CAS') {
      if (line) u.lines.add(line);
      if (claim) u.claims.add(claim);
    } else if (tag === 'PLB') u.remittance = true;
  }

  /** The set's reading, and a fresh start for the next set. */
  finish(remittance: Remittance): RemittanceReading {
    const reading = { remittance, problems: this.problems, problemsBeyond: this.beyond, unreadable: this.unreadable };
    this.problems = [];
    this.beyond = 0;
    this.unreadable = { remittance: false, claims: new Set(), lines: new Set() };
    return reading;
  }
}

/** An amount; its problem names the element (`CLP03 (total claim charge amount): amount 1.005 has ...`). */
export function namedAmount(s: Segment, n: number, what: string, text: string, location: Location): bigint {
  try {
    return parseCents(text, location);
  } catch (err) {
    if (!(err instanceof ClaimsError)) throw err;
    throw new ClaimsError({
      code: err.code, message: `${s.tag}${String(n).padStart(2, '0')} (${what}): ${err.message}`, location: err.location,
      ...(err.expected !== undefined && { expected: err.expected }), ...(err.found !== undefined && { found: err.found }), ...(err.ack !== undefined && { ack: err.ack }),
    });
  }
}

/** What a reader problem may say besides its message: expected and found, and its 999 codes. */
export interface ProblemExtra { expected?: string; found?: string; ik304?: string; ik403?: string; ik5?: string }

export function readerProblem(code: ErrorCode, message: string, location: Location, extra: ProblemExtra = {}): ClaimsError {
  const ack: { ik304?: string; ik403?: string; ik5?: string } = {};
  if (extra.ik304) ack.ik304 = extra.ik304;
  if (extra.ik403) ack.ik403 = extra.ik403;
  if (extra.ik5) ack.ik5 = extra.ik5;
  return new ClaimsError({
    code,
    message,
    location,
    ...(extra.expected !== undefined && { expected: extra.expected }),
    ...(extra.found !== undefined && { found: extra.found }),
    ...(Object.keys(ack).length > 0 && { ack }),
  });
}

export function personName(s: Segment): PersonName {
  return { lastName: element(s, 3), firstName: element(s, 4), middleName: element(s, 5), idQualifier: element(s, 8), id: element(s, 9) };
}

/** The records before their elements are read: ST opens a remittance, CLP a claim, SVC a line. */
export function emptyRemittance(env: SetEnvelope, st: Segment): Remittance {
  return {
    interchange: env.interchange, group: env.group, set: element(st, 2), version: env.version,
    transactionHandling: '', paymentCents: 0n, creditDebit: 'C', paymentMethod: '', paymentDate: '', traceNumber: '', traceOriginator: '', productionDate: null,
    payer: { name: '', idQualifier: '', id: '', refs: {} }, payee: { name: '', idQualifier: '', id: '', refs: {} },
    claims: [], providerAdjustments: [], segmentIndex: st.index, endSegmentIndex: -1,
  };
}

export function emptyClaim(clp: Segment): RemittanceClaim {
  return {
    patientControlNumber: '', status: '', chargeCents: 0n, paidCents: 0n, patientResponsibilityCents: null,
    filingIndicator: element(clp, 6), payerClaimNumber: element(clp, 7), facilityType: element(clp, 8) || null, frequency: element(clp, 9) || null,
    patient: null, insured: null, crossoverCarrier: null, correctedPriorityPayer: null, inpatient: null, outpatient: null, remarkCodes: [], amounts: [],
    statementFrom: null, statementTo: null, adjustments: [], lines: [], segmentIndex: clp.index,
  };
}

export function emptyLine(svc: Segment): RemittanceServiceLine {
  return {
    procedure: { qualifier: '', code: '', modifiers: [] }, submittedProcedure: null, chargeCents: 0n, paidCents: 0n,
    revenueCode: element(svc, 4) || null, units: element(svc, 5) || null, submittedUnits: element(svc, 7) || null,
    lineControlNumber: null, serviceDate: null, serviceDateEnd: null, adjustments: [], remarkCodes: [], amounts: [], segmentIndex: svc.index,
  };
}

/** A set that ended without SE, located at its last segment. */
export function seMissing(env: SetEnvelope, last: Segment | undefined): ClaimsError {
  return new ClaimsError({
    code: 'REMIT_SE_MISSING',
    message: 'the transaction set ended without SE',
    location: { ...(env.file !== undefined && { file: env.file }), interchange: env.interchange, group: env.group, ...(last && { segmentIndex: last.index, segmentTag: last.tag }) },
    ack: { ik5: '2' },
  });
}
