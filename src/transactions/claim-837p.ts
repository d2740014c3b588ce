// 837P professional claim (005010X222A1): the segments of one claim, from its 2000A/2000B/2000C hierarchy
// through 2300 CLM, HI, 2310B rendering provider, 2320 other coverage, and 2400 LX/SV1/DTP*472/REF*6R.
import { formatX12Amount } from '../common/money.ts';
import type { MappedClaim } from '../domain/mapped-claim.ts';
import { toX12Text } from '../x12/transliterate.ts';
import {
  d8,
  otherSubscriberLoops,
  procedureComposite,
  pushPayerClaimNumberRef,
  pushServiceFacility,
  subscriberLoops,
  type Hierarchy,
  type SegmentValues,
} from './claim-837-common.ts';

export { GUIDE_837P as GUIDE } from './claim-837-common.ts';

export function professionalClaimSegments(mapped: MappedClaim, hierarchy: Hierarchy): SegmentValues[] {
  const rec = mapped.claim.record;
  const segs: SegmentValues[] = [];
  const billingHl = hierarchy.billingProvider(mapped, segs);
  subscriberLoops(mapped, hierarchy, billingHl, segs);

  // CLM05 place of service : B (professional form) : frequency; CLM06 signature on file; CLM07 assigned;
  // CLM08 benefits assigned; CLM09 release of information signed.
  segs.push(['CLM', rec.patientControlNumber, formatX12Amount(mapped.claim.totalChargeCents), '', '', [rec.placeOfService, 'B', rec.frequency], 'Y', 'A', 'Y', 'Y']);
  pushPayerClaimNumberRef(mapped, segs);
  // HI: the principal diagnosis (ABK) first, then the others (ABF); at most 12 in one segment.
  const diagnoses = mapped.claim.diagnoses;
  const hi: SegmentValues = ['HI'];
  for (let i = 0; i < diagnoses.length; i++) hi.push([i === 0 ? 'ABK' : 'ABF', diagnoses[i]!]);
  segs.push(hi);

  const rp = rec.renderingProvider;
  if (rp && rp.npi !== rec.billingProvider.npi) {
    segs.push(['NM1', '82', rp.firstName ? '1' : '2', toX12Text(rp.lastName), toX12Text(rp.firstName ?? ''), '', '', '', 'XX', rp.npi]);
    if (rp.taxonomy) segs.push(['PRV', 'PE', 'PXC', rp.taxonomy]);
  }
  pushServiceFacility(mapped, segs);
  otherSubscriberLoops(mapped, segs);

  const lines = mapped.lines;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    segs.push(
      ['LX', String(i + 1)],
      [
        'SV1',
        procedureComposite(line.sentProcedureCode, line.sentModifiers),
        formatX12Amount(line.chargeCents),
        'UN',
        line.sentUnits,
        '',
        '',
        line.diagnosisPointers.map(String),
      ],
      ['DTP', '472', 'D8', d8(line.serviceDate)],
      ['REF', '6R', line.lineControlNumber],
    );
  }
  return segs;
}
