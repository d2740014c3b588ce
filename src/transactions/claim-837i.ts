// 837I institutional claim (005010X223A2): the segments of one claim, from its 2000A/2000B/2000C hierarchy
// through 2300 CLM, DTP*434 statement dates (then DTP*435 admission), CL1, HI (ABK principal, ABJ admitting, ABF others),
// 2310A attending provider, 2320 other coverage, and 2400 LX/SV2/DTP*472/REF*6R.
import { formatX12Amount, parseCents } from '../common/money.ts';
import type { MappedClaim } from '../domain/mapped-claim.ts';
import { normalizeIcd10 } from '../domain/claim-codes.ts';
import { toX12Text } from '../x12/transliterate.ts';
import {
  d8,
  otherSubscriberLoops,
  procedureComposite,
  pushPayerClaimNumberRef,
  pushServiceFacility,
  subscriberLoops,
  type Element,
  type Hierarchy,
  type SegmentValues,
} from './claim-837-common.ts';

export { GUIDE_837I as GUIDE } from './claim-837-common.ts';

/** HI holds at most 12 codes per segment. */
const HI_CODES_MAX = 12;

export function institutionalClaimSegments(mapped: MappedClaim, hierarchy: Hierarchy): SegmentValues[] {
  const rec = mapped.claim.record;
  const inst = rec.institutional!;
  const segs: SegmentValues[] = [];
  const billingHl = hierarchy.billingProvider(mapped, segs, 'PXC');
  subscriberLoops(mapped, hierarchy, billingHl, segs);

  // CLM05 facility type : A (uniform billing form) : frequency; CLM06 is not used in the 837I;
  // CLM07 assigned; CLM08 benefits assigned; CLM09 release of information.
  segs.push(['CLM', rec.patientControlNumber, formatX12Amount(mapped.claim.totalChargeCents), '', '', [rec.placeOfService, 'A', rec.frequency], '', 'A', 'Y', 'Y']);
  // The guide lists the statement dates (434) before the admission date (435).
  segs.push(['DTP', '434', 'RD8', `${d8(inst.statementFrom)}-${d8(inst.statementTo)}`]);
  if (inst.admissionDate) segs.push(['DTP', '435', 'D8', d8(inst.admissionDate)]);
  segs.push(['CL1', inst.admissionType, inst.admissionSource ?? '', inst.patientStatus]);
  pushPayerClaimNumberRef(mapped, segs);

  const [principal, ...others] = mapped.claim.diagnoses;
  // The present-on-admission indicator is the composite's ninth component (C022-9).
  const poa = inst.presentOnAdmission;
  const diagnosis = (qualifier: string, code: string, i: number): Element =>
    poa?.[i] !== undefined ? [qualifier, code, '', '', '', '', '', '', poa[i]!] : [qualifier, code];
  segs.push(['HI', diagnosis('ABK', principal!, 0)]);
  if (inst.admittingDiagnosis) segs.push(['HI', ['ABJ', normalizeIcd10(inst.admittingDiagnosis)!]]);
  for (let i = 0; i < others.length; i += HI_CODES_MAX) {
    const chunk: Element[] = others.slice(i, i + HI_CODES_MAX).map((code, j) => diagnosis('ABF', code, i + j + 1));
    segs.push(['HI', ...chunk]);
  }
  // Then, in the guide's order: occurrence spans (BI), occurrences (BH), values (BE), conditions (BG); each
  // at most 12 to an HI segment.
  const codes: Element[][] = [
    (inst.occurrenceSpans ?? []).map((s) => ['BI', s.code, 'RD8', `${d8(s.from)}-${d8(s.to)}`]),
    (inst.occurrences ?? []).map((o) => ['BH', o.code, 'D8', d8(o.date)]),
    (inst.values ?? []).map((v) => ['BE', v.code, '', '', formatX12Amount(parseCents(v.amount))]),
    (inst.conditionCodes ?? []).map((c) => ['BG', c]),
  ];
  for (const list of codes) {
    for (let i = 0; i < list.length; i += HI_CODES_MAX) segs.push(['HI', ...list.slice(i, i + HI_CODES_MAX)]);
  }

  const ap = rec.renderingProvider;
  if (ap) {
    segs.push(['NM1', '71', '1', toX12Text(ap.lastName), toX12Text(ap.firstName ?? ''), '', '', '', 'XX', ap.npi]);
    if (ap.taxonomy) segs.push(['PRV', 'AT', 'PXC', ap.taxonomy]);
  }
  pushServiceFacility(mapped, segs);
  otherSubscriberLoops(mapped, segs);

  const lines = mapped.lines;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    segs.push(
      ['LX', String(i + 1)],
      ['SV2', line.revenueCode!, procedureComposite(line.sentProcedureCode, line.sentModifiers), formatX12Amount(line.chargeCents), 'UN', line.sentUnits],
      ['DTP', '472', 'D8', d8(line.serviceDate)],
      ['REF', '6R', line.lineControlNumber],
    );
  }
  return segs;
}
