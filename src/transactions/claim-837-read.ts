// Reading an 837P/837I back into claims: segments (from the project's tokenizer) to the facts an 837 carries
// per claim: payer, subscriber, CLM, HI, lines with REF*6R. Used to prove that what we write reads back as
// the claims we meant to send, and by anyone who must look inside a sent file. Pure.
import type { Segment } from '../x12/segment.ts';
import { components, element, elementCount } from '../x12/access.ts';
import { parseCents, type Cents } from '../common/money.ts';

export interface Read837Line {
  lineNumber: number;
  procedureCode: string;
  modifiers: string[];
  chargeCents: Cents;
  units: string;
  serviceDate: string;
  diagnosisPointers: number[];
  revenueCode: string | null;
  lineControlNumber: string | null;
}

export interface Read837Claim {
  guide: string;
  isa13: string;
  gs06: string;
  st02: string;
  billingNpi: string;
  payerIdentifier: string;
  subscriberMemberId: string;
  /** PAT01 when the patient is a dependent (2000C), else null. */
  patientRelationship: string | null;
  patientControlNumber: string;
  totalChargeCents: Cents;
  placeOfService: string;
  frequency: string;
  payerClaimNumber: string | null;
  diagnoses: { qualifier: string; code: string }[];
  otherPayers: string[];
  lines: Read837Line[];
}

const isoOf = (d8: string): string => `${d8.slice(0, 4)}-${d8.slice(4, 6)}-${d8.slice(6, 8)}`;

/** Claims of every 837 set in the segments, in file order. */
export function read837Claims(segments: Iterable<Segment>): Read837Claim[] {
  const claims: Read837Claim[] = [];
  let isa13 = '', gs06 = '', guide = '', st02 = '';
  let billingNpi = '', payerIdentifier = '', subscriberMemberId = '';
  let patientRelationship: string | null = null;
  let inOtherSubscriber = false;
  let claim: Read837Claim | null = null;
  let line: Read837Line | null = null;
  for (const s of segments) {
    switch (s.tag) {
      case 'ISA': isa13 = element(s, 13); break;
      case 'GS': gs06 = element(s, 6); guide = element(s, 8); break;
      case 'ST': st02 = element(s, 2); claim = null; break;
      case 'HL':
        claim = null;
        line = null;
        inOtherSubscriber = false;
        if (element(s, 3) === '22') patientRelationship = null;
        break;
      case 'PAT': patientRelationship = element(s, 1); break;
      case 'SBR': if (claim) inOtherSubscriber = true; break;
      case 'NM1': {
        const id = element(s, 9);
        const q = element(s, 1);
        if (q === '85') billingNpi = id;
        else if (q === 'IL' && !claim) subscriberMemberId = id;
        else if (q === 'PR' && !claim) payerIdentifier = id;
        else if (q === 'PR' && claim && inOtherSubscriber) claim.otherPayers.push(id);
        break;
      }
      case 'CLM': {
        const c05 = components(s, 5);
        claim = {
          guide, isa13, gs06, st02, billingNpi, payerIdentifier, subscriberMemberId, patientRelationship,
          patientControlNumber: element(s, 1),
          totalChargeCents: parseCents(element(s, 2)),
          placeOfService: c05[0] ?? '',
          frequency: c05[2] ?? '',
          payerClaimNumber: null,
          diagnoses: [],
          otherPayers: [],
          lines: [],
        };
        claims.push(claim);
        line = null;
        inOtherSubscriber = false;
        break;
      }
      case 'REF':
        if (element(s, 1) === 'F8' && claim && !line) claim.payerClaimNumber = element(s, 2);
        if (element(s, 1) === '6R' && line) line.lineControlNumber = element(s, 2);
        break;
      case 'HI':
        if (claim) {
          for (let n = 1; n <= elementCount(s); n++) {
            const [qualifier = '', code = ''] = components(s, n);
            claim.diagnoses.push({ qualifier, code });
          }
        }
        break;
      case 'LX':
        if (claim) {
          line = { lineNumber: Number(element(s, 1)), procedureCode: '', modifiers: [], chargeCents: 0n, units: '', serviceDate: '', diagnosisPointers: [], revenueCode: null, lineControlNumber: null };
          claim.lines.push(line);
        }
        break;
      case 'SV1':
      case 'SV2':
        if (line) {
          const professional = s.tag === 'SV1';
          const proc = components(s, professional ? 1 : 2);
          line.procedureCode = proc[1] ?? '';
          line.modifiers = proc.slice(2);
          line.chargeCents = parseCents(element(s, professional ? 2 : 3));
          line.units = element(s, professional ? 4 : 5);
          if (professional) line.diagnosisPointers = components(s, 7).map(Number);
          else line.revenueCode = element(s, 1);
        }
        break;
      case 'DTP':
        if (line && element(s, 1) === '472') line.serviceDate = isoOf(element(s, 3));
        break;
    }
  }
  return claims;
}
