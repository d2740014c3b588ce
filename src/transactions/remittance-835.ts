// 835 (005010X221A1) segments -> Remittance records, one per ST/SE. Pure and incremental: push the
// segments of a set one at a time and the record comes out at SE, so the caller decides how much of a
// file is ever held (one set at most). Every problem is a ClaimsError located at the segment, element
// and component it concerns; loop structure is tracked only as far as the mapping needs it.
// A problem does not stop the reading: the segment it is in is read no further, and the problem and the
// amounts it left unread are kept (remittance-835-reading.ts) for balancing to judge everything else.
import { isoFromD8 } from '../common/dates.ts';
import { ClaimsError, type Location } from '../common/errors.ts';
import type { ErrorCode } from '../common/error-codes.ts';
import type { Segment } from '../x12/segment.ts';
import {
  emptyClaim, emptyLine, emptyRemittance, NO_PAYMENT_STATUS, seMissing, namedAmount, personName, readerProblem, SetProblems, splitComposite,
  type ProblemExtra, type RemittanceReading, type SetEnvelope,
} from './remittance-835-reading.ts';
import { controlCharacterError, element, elementCount, elementsFrom, nulElement } from '../x12/access.ts';
import {
  ADJUSTMENT_GROUPS, type Adjustment, type AdjustmentGroup, type Procedure, type ProviderAdjustment, type Remittance, type RemittanceClaim,
  type RemittanceParty, type RemittanceServiceLine,
} from '../domain/remittance.ts';

/** CAS has six triplets: CAS02-04, 05-07, ..., 17-19. */
const CAS_TRIPLETS_MAX = 6;
/** PLB has six reason/amount pairs: PLB03-04 ... PLB13-14. */
const PLB_PAIRS_MAX = 6;

export { splitComposite, type SetEnvelope } from './remittance-835-reading.ts';

export class RemittanceReader {
  private readonly env: SetEnvelope;
  private remittance: Remittance | null = null;
  private claim: RemittanceClaim | null = null;
  private line: RemittanceServiceLine | null = null;
  private party: RemittanceParty | null = null;
  private segmentCount = 0;
  /** The guide's loop the current segment is in ('' in the header and summary tables): the 999's IK303. */
  private loop = '';
  private sawBpr = false;
  private sawTrn = false;
  private sawPlb = false;
  private readonly found = new SetProblems();
  /** Amounts read so far in the current segment: what a problem left unread. */
  private amountsRead = 0;
  private finished: RemittanceReading | null = null;

  constructor(env: SetEnvelope) {
    this.env = env;
  }

  /** The last set read to its SE, with its problems (available once push has returned its record). */
  reading(): RemittanceReading | null { return this.finished; }

  private loc(s: Segment, elementNo?: number, component?: number): Location {
    const l: Location = {
      interchange: this.env.interchange,
      group: this.env.group,
      segmentIndex: s.index,
      segmentPosition: this.segmentCount,
      segmentTag: s.tag,
      byteOffset: s.byteOffset,
    };
    if (this.env.file !== undefined) l.file = this.env.file;
    if (this.remittance) l.set = this.remittance.set;
    if (this.claim) l.claim = this.claim.patientControlNumber;
    if (this.loop !== '') l.loop = this.loop;
    if (elementNo !== undefined) l.element = elementNo;
    if (component !== undefined) l.component = component;
    return l;
  }

  private fail(code: ErrorCode, message: string, s: Segment, elementNo?: number, extra: ProblemExtra = {}): never {
    throw this.error(code, message, s, elementNo, extra);
  }

  private error(code: ErrorCode, message: string, s: Segment, elementNo?: number, extra: ProblemExtra = {}): ClaimsError {
    return readerProblem(code, message, this.loc(s, elementNo), extra);
  }

  private required(s: Segment, n: number, what: string): string {
    const v = element(s, n);
    if (v === '') this.fail('REMIT_ELEMENT_MISSING', `${s.tag}${String(n).padStart(2, '0')} (${what}) is required`, s, n, { expected: what, found: '', ik403: '1' });
    return v;
  }

  private money(s: Segment, n: number, what: string): bigint {
    return this.amount(s, n, what, this.required(s, n, what));
  }

  private optionalMoney(s: Segment, n: number, what: string): bigint | null {
    const v = element(s, n);
    return v === '' ? null : this.amount(s, n, what, v);
  }

  private amount(s: Segment, n: number, what: string, text: string): bigint {
    const cents = namedAmount(s, n, what, text, this.loc(s, n));
    this.amountsRead++;
    return cents;
  }

  private date(s: Segment, n: number, what: string): string {
    const v = this.required(s, n, what);
    const iso = isoFromD8(v);
    if (iso === null) {
      this.fail('REMIT_DATE_INVALID', `${s.tag}${String(n).padStart(2, '0')} (${what}) is not a CCYYMMDD date`, s, n, { expected: 'CCYYMMDD', found: v, ik403: '8' });
    }
    return iso;
  }

  private procedure(s: Segment, n: number): Procedure {
    const parts = splitComposite(element(s, n), s.delimiters.component);
    const [qualifier = '', code = '', ...modifiers] = parts;
    if (code === '') this.fail('REMIT_PROCEDURE_INVALID', `${s.tag}${String(n).padStart(2, '0')} must be a composite qualifier${s.delimiters.component}code`, s, n, { expected: `e.g. HC${s.delimiters.component}99213`, found: element(s, n), ik403: '7' });
    return { qualifier, code, modifiers: modifiers.filter((m) => m !== '') };
  }

  private adjustments(s: Segment): Adjustment[] {
    const group = element(s, 1);
    if (!(ADJUSTMENT_GROUPS as readonly string[]).includes(group)) {
      this.fail('REMIT_ADJUSTMENT_GROUP_INVALID', `CAS01 must be CO, PR, OA or PI (5010 dropped CR)`, s, 1, { expected: 'CO|PR|OA|PI', found: group, ik403: '7' });
    }
    const out: Adjustment[] = [];
    for (let t = 0; t < CAS_TRIPLETS_MAX; t++) {
      const at = 2 + t * 3;
      const reason = element(s, at);
      const amount = element(s, at + 1);
      const quantity = element(s, at + 2);
      if (reason === '' && amount === '' && quantity === '') continue;
      if (reason === '') this.fail('REMIT_ELEMENT_MISSING', `CAS${String(at).padStart(2, '0')} (reason code) is required with its amount`, s, at, { ik403: '2' });
      if (amount === '') this.fail('REMIT_ELEMENT_MISSING', `CAS${String(at + 1).padStart(2, '0')} (amount) is required with its reason`, s, at + 1, { ik403: '2' });
      out.push({ group: group as AdjustmentGroup, reason, amountCents: this.amount(s, at + 1, 'adjustment amount', amount), quantity: quantity === '' ? null : quantity, segmentIndex: s.index });
    }
    if (out.length === 0) this.fail('REMIT_ELEMENT_MISSING', 'CAS02/CAS03 (first reason and amount) are required', s, 2, { ik403: '1' });
    return out;
  }

  /**
   * Feed one segment of the set. Returns the record when the segment is SE, else null; its problems are
   * then in `reading()`. Never throws for bad input.
   */
  push(s: Segment): Remittance | null {
    this.segmentCount++;
    this.amountsRead = 0;
    // A NUL is reported, and the segment still read for its structure (the set is refused anyway).
    if (nulElement(s) !== -1) this.found.keep(controlCharacterError(s, this.loc(s, nulElement(s))));
    try {
      return this.read(s);
    } catch (err) {
      if (!(err instanceof ClaimsError)) throw err;
      this.found.keep(err);
      this.found.taint(s.tag, this.amountsRead, this.claim, this.line);
      return null;
    }
  }

  private read(s: Segment): Remittance | null {
    if (this.remittance === null) return this.start(s);
    const r = this.remittance;
    // Loop starts (005010X221A1): N1*PR 1000A, N1*PE 1000B, LX 2000, CLP 2100, SVC 2110; PLB is the summary.
    if (s.tag === 'N1') this.loop = element(s, 1) === 'PR' ? '1000A' : element(s, 1) === 'PE' ? '1000B' : this.loop;
    else if (s.tag === 'LX') this.loop = '2000';
    else if (s.tag === 'CLP') this.loop = '2100';
    else if (s.tag === 'SVC') this.loop = '2110';
    else if (s.tag === 'PLB' || s.tag === 'SE') this.loop = '';
    switch (s.tag) {
      case 'BPR': {
        this.sawBpr = true;
        r.transactionHandling = this.required(s, 1, 'transaction handling code');
        r.paymentCents = this.money(s, 2, 'total actual provider payment amount');
        if (r.paymentCents < 0n) {
          this.found.keep(this.error('REMIT_PAYMENT_NEGATIVE', `BPR02 (total actual provider payment amount) is ${element(s, 2)}: 005010X221A1 allows no negative payment; a payer that takes back more than it pays carries the rest forward in PLB`, s, 2, { expected: '0 or more', found: element(s, 2) }));
        }
        const cd = this.required(s, 3, 'credit/debit flag');
        if (cd !== 'C' && cd !== 'D') this.fail('REMIT_BPR03_INVALID', 'BPR03 must be C or D', s, 3, { expected: 'C|D', found: cd, ik403: '7' });
        r.creditDebit = cd;
        r.paymentMethod = this.required(s, 4, 'payment method code');
        if (element(s, 16) === '') {
          // Some senders drop an element and the date lands in BPR15; the guide requires BPR16, so say exactly that.
          const shifted = /^\d{8}$/.test(element(s, 15)) ? `; BPR15 holds a date (${element(s, 15)}): an element before it is missing` : '';
          this.fail('REMIT_ELEMENT_MISSING', `BPR16 (payment effective date) is required by 005010X221A1; this BPR has ${elementCount(s)} elements${shifted}`, s, 16, { expected: 'CCYYMMDD in BPR16', found: '', ik403: '1' });
        }
        r.paymentDate = this.date(s, 16, 'payment effective date');
        break;
      }
      case 'TRN':
        if (!this.sawTrn) {
          this.sawTrn = true;
          r.traceNumber = this.required(s, 2, 'check or EFT trace number');
          r.traceOriginator = element(s, 3);
        }
        break;
      case 'DTM':
        this.dtm(s);
        break;
      case 'N1': {
        const who = element(s, 1);
        const party: RemittanceParty = { name: element(s, 2), idQualifier: element(s, 3), id: element(s, 4), refs: {} };
        if (this.claim === null && who === 'PR') { r.payer = party; this.party = party; } else if (this.claim === null && who === 'PE') { r.payee = party; this.party = party; } else this.party = null;
        break;
      }
      case 'REF':
        this.ref(s);
        break;
      case 'LX':
        this.afterPlb(s);
        this.closeClaim();
        this.party = null;
        break;
      case 'CLP':
        this.afterPlb(s);
        this.party = null;
        this.openClaim(s);
        break;
      case 'CAS': {
        const adj = this.adjustments(s);
        if (this.line) this.line.adjustments.push(...adj);
        else if (this.claim) this.claim.adjustments.push(...adj);
        else this.fail('REMIT_SEGMENT_OUT_OF_PLACE', 'CAS outside a claim', s, undefined, { ik304: '2' });
        break;
      }
      case 'NM1':
        if (this.claim && !this.line) {
          const q = element(s, 1);
          if (q === 'QC') this.claim.patient = personName(s);
          else if (q === 'IL') this.claim.insured = personName(s);
          // 5010 moved the crossover carrier to TT; PR here is the corrected priority payer (X221A1 2100).
          else if (q === 'TT') this.claim.crossoverCarrier = personName(s);
          else if (q === 'PR') this.claim.correctedPriorityPayer = personName(s);
        }
        break;
      case 'MIA':
        if (this.claim) {
          this.claim.inpatient = elementsFrom(s, 1);
          // MIA05 and MIA20-23 are remark codes; MIA24 is the PPS-capital exception amount.
          for (const n of [5, 20, 21, 22, 23]) if (element(s, n) !== '') this.claim.remarkCodes.push(element(s, n));
        }
        break;
      case 'MOA':
        if (this.claim) {
          this.claim.outpatient = elementsFrom(s, 1);
          for (const n of [3, 4, 5, 6, 7]) if (element(s, n) !== '') this.claim.remarkCodes.push(element(s, n));
        }
        break;
      case 'AMT': {
        const amt = { qualifier: this.required(s, 1, 'amount qualifier'), amountCents: this.money(s, 2, 'amount') };
        if (this.line) this.line.amounts.push(amt);
        else if (this.claim) this.claim.amounts.push(amt);
        break;
      }
      case 'SVC':
        this.afterPlb(s);
        this.openLine(s);
        break;
      case 'LQ':
        if (this.line && element(s, 1) === 'HE') this.line.remarkCodes.push(element(s, 2));
        break;
      case 'PLB':
        this.closeClaim();
        this.sawPlb = true;
        this.plb(s);
        break;
      case 'SE':
        return this.end(s);
      case 'ST':
        this.fail('REMIT_SE_MISSING', 'ST before the previous set ended with SE', s, undefined, { ik5: '2' });
        break;
      default:
        // TS3, TS2, QTY, PER, N3, N4, RDM, CUR, ...: not needed for balancing or posting.
        if (this.sawPlb && s.tag !== 'PLB') this.fail('REMIT_SEGMENT_OUT_OF_PLACE', `${s.tag} after PLB`, s, undefined, { ik304: '2' });
    }
    return null;
  }

  /** ST opens the set and completes nothing. Once per set, so it stays out of the per-segment path above. */
  private start(s: Segment): null {
    if (s.tag !== 'ST') this.fail('REMIT_ST_EXPECTED', 'a transaction set must start with ST', s, undefined, { expected: 'ST', found: s.tag, ik304: '2' });
    this.remittance = emptyRemittance(this.env, s);
    if (element(s, 1) !== '835') this.fail('REMIT_NOT_835', 'ST01 must be 835', s, 1, { expected: '835', found: element(s, 1), ik403: '7' });
    this.required(s, 2, 'transaction set control number');
    return null;
  }

  /** PLB closes the set's detail (X221A1 table 3): a claim or line segment after it is out of place. */
  private afterPlb(s: Segment): void {
    if (this.sawPlb) this.fail('REMIT_SEGMENT_OUT_OF_PLACE', `${s.tag} after PLB`, s, undefined, { ik304: '2' });
  }

  private dtm(s: Segment): void {
    const q = element(s, 1);
    const r = this.remittance!;
    if (this.line) {
      if (q === '472' || q === '150') { this.line.serviceDate = this.date(s, 2, 'service date'); }
      else if (q === '151') this.line.serviceDateEnd = this.date(s, 2, 'service period end');
    } else if (this.claim) {
      if (q === '232') this.claim.statementFrom = this.date(s, 2, 'statement from');
      else if (q === '233') this.claim.statementTo = this.date(s, 2, 'statement to');
    } else if (q === '405') r.productionDate = this.date(s, 2, 'production date');
  }

  private ref(s: Segment): void {
    const q = element(s, 1);
    if (this.line) {
      if (q === '6R') this.line.lineControlNumber = element(s, 2);
    } else if (!this.claim && this.party) {
      this.party.refs[q] = element(s, 2);
    }
  }

  private openClaim(s: Segment): void {
    this.closeClaim();
    const claim = emptyClaim(s);
    // In the record before its elements are read: a problem in them leaves the claim (its lines and
    // adjustments follow it) in place, marked unreadable, rather than its lines on the claim before.
    this.claim = claim;
    this.remittance!.claims.push(claim);
    claim.patientControlNumber = this.required(s, 1, 'patient control number');
    claim.status = this.required(s, 2, 'claim status code');
    claim.chargeCents = this.money(s, 3, 'total claim charge amount');
    claim.paidCents = this.money(s, 4, 'claim payment amount');
    const noPayment = NO_PAYMENT_STATUS[claim.status];
    if (noPayment !== undefined && claim.paidCents !== 0n) {
      this.found.keep(this.error('REMIT_PAYMENT_NOT_ALLOWED', `claim ${claim.patientControlNumber} has CLP02 ${claim.status} (${noPayment}) and a payment in CLP04 (${element(s, 4)}): a claim with that status pays nothing`,
        s, 4, { expected: '0', found: element(s, 4) }));
    }
    claim.patientResponsibilityCents = this.optionalMoney(s, 5, 'patient responsibility amount');
  }

  private openLine(s: Segment): void {
    if (!this.claim) this.fail('REMIT_SEGMENT_OUT_OF_PLACE', 'SVC outside a claim', s, undefined, { ik304: '2' });
    const line = emptyLine(s);
    this.line = line; // in the record first, like a claim
    this.claim.lines.push(line);
    line.chargeCents = this.money(s, 2, 'line item charge amount');
    line.paidCents = this.money(s, 3, 'line item provider payment amount');
    line.procedure = this.procedure(s, 1);
    line.submittedProcedure = element(s, 6) === '' ? null : this.procedure(s, 6);
  }

  private closeClaim(): void {
    this.line = this.claim = null;
  }

  private plb(s: Segment): void {
    const providerId = this.required(s, 1, 'provider identifier');
    const fiscalPeriodDate = element(s, 2) === '' ? null : this.date(s, 2, 'fiscal period date');
    let pairs = 0;
    for (let p = 0; p < PLB_PAIRS_MAX; p++) {
      const at = 3 + p * 2;
      const id = element(s, at);
      const amount = element(s, at + 1);
      if (id === '' && amount === '') continue;
      if (id === '' || amount === '') this.fail('REMIT_ELEMENT_MISSING', `PLB${String(at).padStart(2, '0')}/PLB${String(at + 1).padStart(2, '0')} come as a pair`, s, id === '' ? at : at + 1, { ik403: '2' });
      const [reasonCode = '', reference = ''] = splitComposite(id, s.delimiters.component);
      if (!/^[A-Z0-9]{2}$/.test(reasonCode)) this.fail('REMIT_PLB_REASON_INVALID', `PLB${String(at).padStart(2, '0')}-1 is not an adjustment reason code`, s, at, { expected: 'a 2-character code (WO, 72, FB, L6, CS, ...)', found: reasonCode, ik403: '7' });
      const adj: ProviderAdjustment = { providerId, fiscalPeriodDate, reasonCode, reference, amountCents: this.amount(s, at + 1, 'provider adjustment amount', amount), segmentIndex: s.index };
      this.remittance!.providerAdjustments.push(adj);
      pairs++;
    }
    if (pairs === 0) this.fail('REMIT_ELEMENT_MISSING', 'PLB03/PLB04 (first adjustment) are required', s, 3, { ik403: '1' });
  }

  private end(s: Segment): Remittance {
    const r = this.remittance!;
    this.closeClaim();
    this.loop = '';
    if (!this.sawBpr) {
      this.found.unreadable.remittance = true;
      this.found.keep(this.error('REMIT_SEGMENT_MISSING', 'BPR is required', s, undefined, { ik304: '3' }));
    }
    if (!this.sawTrn) this.found.keep(this.error('REMIT_SEGMENT_MISSING', 'TRN is required', s, undefined, { ik304: '3' }));
    const count = element(s, 1);
    if (count !== String(this.segmentCount)) {
      this.found.keep(this.error('REMIT_SE_COUNT', `SE01 says ${count} segments, the set has ${this.segmentCount} (ST and SE included)`, s, 1, { expected: String(this.segmentCount), found: count, ik5: '4' }));
    }
    if (element(s, 2) !== r.set) this.found.keep(this.error('REMIT_SE_CONTROL', 'SE02 must equal ST02', s, 2, { expected: r.set, found: element(s, 2), ik5: '3' }));
    r.endSegmentIndex = s.index;
    this.finished = this.found.finish(r);
    this.remittance = null;
    this.segmentCount = 0;
    this.sawBpr = this.sawTrn = this.sawPlb = false;
    return r;
  }
}

/** Read one whole set (ST..SE) held in memory. Throws its first problem, or REMIT_SE_MISSING when SE never comes. */
export function readRemittance(segments: Iterable<Segment>, env: SetEnvelope): Remittance {
  const reading = readRemittanceProblems(segments, env);
  const first = reading.problems[0];
  if (first) throw first;
  return reading.remittance;
}

/** Read one whole set (ST..SE) held in memory with every problem found. Throws REMIT_SE_MISSING when SE never comes. */
export function readRemittanceProblems(segments: Iterable<Segment>, env: SetEnvelope): RemittanceReading {
  const reader = new RemittanceReader(env);
  let last: Segment | undefined;
  for (const s of segments) {
    last = s;
    if (reader.push(s)) return reader.reading()!;
  }
  throw seMissing(env, last);
}
