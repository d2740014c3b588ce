// 835 (005010X221A1) segments -> Remittance records, one per ST/SE. Pure and incremental: push the
// segments of a set one at a time and the record comes out at SE, so the caller decides how much of a
// file is ever held (one set at most). Every problem is a ClaimsError located at the segment, element
// and component it concerns; loop structure is tracked only as far as the mapping needs it.
import { isoFromD8 } from '../common/dates.ts';
import { ClaimsError, type Location } from '../common/errors.ts';
import type { ErrorCode } from '../common/error-codes.ts';
import { parseCents } from '../common/money.ts';
import type { Segment } from '../x12/segment.ts';
import { controlCharacterError, element, elementCount, elementsFrom, nulElement } from '../x12/access.ts';
import {
  ADJUSTMENT_GROUPS,
  type Adjustment,
  type AdjustmentGroup,
  type PersonName,
  type Procedure,
  type ProviderAdjustment,
  type Remittance,
  type RemittanceClaim,
  type RemittanceParty,
  type RemittanceServiceLine,
} from '../domain/remittance.ts';

/** Where the set sits: filled in by the envelope reader. */
export interface SetEnvelope {
  file?: string;
  interchange: string;
  group: string;
  /** GS08 */
  version: string;
}

/** CAS has six triplets: CAS02-04, 05-07, ..., 17-19. */
const CAS_TRIPLETS_MAX = 6;
/** PLB has six reason/amount pairs: PLB03-04 ... PLB13-14. */
const PLB_PAIRS_MAX = 6;

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

  constructor(env: SetEnvelope) {
    this.env = env;
  }

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

  private fail(code: ErrorCode, message: string, s: Segment, elementNo?: number, extra: { expected?: string; found?: string; ik304?: string; ik403?: string; ik5?: string } = {}): never {
    const ack: { ik304?: string; ik403?: string; ik5?: string } = {};
    if (extra.ik304) ack.ik304 = extra.ik304;
    if (extra.ik403) ack.ik403 = extra.ik403;
    if (extra.ik5) ack.ik5 = extra.ik5;
    throw new ClaimsError({
      code,
      message,
      location: this.loc(s, elementNo),
      ...(extra.expected !== undefined && { expected: extra.expected }),
      ...(extra.found !== undefined && { found: extra.found }),
      ...(Object.keys(ack).length > 0 && { ack }),
    });
  }

  private required(s: Segment, n: number, what: string): string {
    const v = element(s, n);
    if (v === '') this.fail('REMIT_ELEMENT_MISSING', `${s.tag}${String(n).padStart(2, '0')} (${what}) is required`, s, n, { expected: what, found: '', ik403: '1' });
    return v;
  }

  private money(s: Segment, n: number, what: string): bigint {
    return parseCents(this.required(s, n, what), this.loc(s, n));
  }

  private optionalMoney(s: Segment, n: number): bigint | null {
    const v = element(s, n);
    return v === '' ? null : parseCents(v, this.loc(s, n));
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

  private name(s: Segment): PersonName {
    return { lastName: element(s, 3), firstName: element(s, 4), middleName: element(s, 5), idQualifier: element(s, 8), id: element(s, 9) };
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
      out.push({ group: group as AdjustmentGroup, reason, amountCents: parseCents(amount, this.loc(s, at + 1)), quantity: quantity === '' ? null : quantity, segmentIndex: s.index });
    }
    if (out.length === 0) this.fail('REMIT_ELEMENT_MISSING', 'CAS02/CAS03 (first reason and amount) are required', s, 2, { ik403: '1' });
    return out;
  }

  /** Feed one segment of the set. Returns the record when the segment is SE, else null. */
  push(s: Segment): Remittance | null {
    this.segmentCount++;
    if (nulElement(s) !== -1) throw controlCharacterError(s, this.loc(s, nulElement(s)));
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
          if (q === 'QC') this.claim.patient = this.name(s);
          else if (q === 'IL') this.claim.insured = this.name(s);
          // 5010 moved the crossover carrier to TT; PR here is the corrected priority payer (X221A1 2100).
          else if (q === 'TT') this.claim.crossoverCarrier = this.name(s);
          else if (q === 'PR') this.claim.correctedPriorityPayer = this.name(s);
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
    if (element(s, 1) !== '835') this.fail('REMIT_NOT_835', 'ST01 must be 835', s, 1, { expected: '835', found: element(s, 1), ik403: '7' });
    this.remittance = {
      interchange: this.env.interchange, group: this.env.group, set: this.required(s, 2, 'transaction set control number'), version: this.env.version,
      transactionHandling: '', paymentCents: 0n, creditDebit: 'C', paymentMethod: '', paymentDate: '', traceNumber: '', traceOriginator: '', productionDate: null,
      payer: { name: '', idQualifier: '', id: '', refs: {} }, payee: { name: '', idQualifier: '', id: '', refs: {} },
      claims: [], providerAdjustments: [], segmentIndex: s.index, endSegmentIndex: -1,
    };
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
    const claim: RemittanceClaim = {
      patientControlNumber: '', status: '', chargeCents: 0n, paidCents: 0n, patientResponsibilityCents: null,
      filingIndicator: element(s, 6), payerClaimNumber: element(s, 7), facilityType: element(s, 8) || null, frequency: element(s, 9) || null,
      patient: null, insured: null, crossoverCarrier: null, correctedPriorityPayer: null, inpatient: null, outpatient: null, remarkCodes: [], amounts: [],
      statementFrom: null, statementTo: null, adjustments: [], lines: [], segmentIndex: s.index,
    };
    claim.patientControlNumber = this.required(s, 1, 'patient control number');
    this.claim = claim;
    claim.status = this.required(s, 2, 'claim status code');
    claim.chargeCents = this.money(s, 3, 'total claim charge amount');
    claim.paidCents = this.money(s, 4, 'claim payment amount');
    claim.patientResponsibilityCents = this.optionalMoney(s, 5);
    this.remittance!.claims.push(claim);
  }

  private openLine(s: Segment): void {
    if (!this.claim) this.fail('REMIT_SEGMENT_OUT_OF_PLACE', 'SVC outside a claim', s, undefined, { ik304: '2' });
    const line: RemittanceServiceLine = {
      procedure: this.procedure(s, 1),
      submittedProcedure: element(s, 6) === '' ? null : this.procedure(s, 6),
      chargeCents: this.money(s, 2, 'line item charge amount'),
      paidCents: this.money(s, 3, 'line item provider payment amount'),
      revenueCode: element(s, 4) || null, units: element(s, 5) || null, submittedUnits: element(s, 7) || null,
      lineControlNumber: null, serviceDate: null, serviceDateEnd: null, adjustments: [], remarkCodes: [], amounts: [], segmentIndex: s.index,
    };
    this.line = line;
    this.claim.lines.push(line);
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
      const adj: ProviderAdjustment = { providerId, fiscalPeriodDate, reasonCode, reference, amountCents: parseCents(amount, this.loc(s, at + 1)), segmentIndex: s.index };
      this.remittance!.providerAdjustments.push(adj);
      pairs++;
    }
    if (pairs === 0) this.fail('REMIT_ELEMENT_MISSING', 'PLB03/PLB04 (first adjustment) are required', s, 3, { ik403: '1' });
  }

  private end(s: Segment): Remittance {
    const r = this.remittance!;
    this.closeClaim();
    if (!this.sawBpr) this.fail('REMIT_SEGMENT_MISSING', 'BPR is required', s, undefined, { ik304: '3' });
    if (!this.sawTrn) this.fail('REMIT_SEGMENT_MISSING', 'TRN is required', s, undefined, { ik304: '3' });
    const count = element(s, 1);
    if (count !== String(this.segmentCount)) {
      this.fail('REMIT_SE_COUNT', `SE01 says ${count} segments, the set has ${this.segmentCount} (ST and SE included)`, s, 1, { expected: String(this.segmentCount), found: count, ik5: '4' });
    }
    if (element(s, 2) !== r.set) this.fail('REMIT_SE_CONTROL', 'SE02 must equal ST02', s, 2, { expected: r.set, found: element(s, 2), ik5: '3' });
    r.endSegmentIndex = s.index;
    this.remittance = null;
    this.segmentCount = 0;
    this.sawBpr = this.sawTrn = this.sawPlb = false;
    return r;
  }
}

/** Read one whole set (ST..SE) held in memory. Throws REMIT_SE_MISSING when SE never comes. */
export function readRemittance(segments: Iterable<Segment>, env: SetEnvelope): Remittance {
  const reader = new RemittanceReader(env);
  let last: Segment | undefined;
  for (const s of segments) {
    last = s;
    const r = reader.push(s);
    if (r) return r;
  }
  throw new ClaimsError({
    code: 'REMIT_SE_MISSING',
    message: 'the transaction set ended without SE',
    location: { ...(env.file !== undefined && { file: env.file }), interchange: env.interchange, group: env.group, ...(last && { segmentIndex: last.index, segmentTag: last.tag }) },
    ack: { ik5: '2' },
  });
}
