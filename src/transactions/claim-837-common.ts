// What 837P (005010X222A1) and 837I (005010X223A2) share: the transaction header (ST, BHT, 1000A submitter,
// 1000B receiver), the 2000A billing provider loop, the 2000B subscriber / 2000C patient hierarchy and the
// 2320/2330 other-coverage loops. Pure: claims in, segment values out (`[tag, ...elements]`, an element
// being text or its components); envelopes, counts and delimiters are the interchange writer's job.
import type { Address, Coverage, Person } from '../domain/claim.ts';
import type { MappedClaim } from '../domain/mapped-claim.ts';
import type { PayerProfile } from '../domain/payer-profile.ts';
import type { WallTime } from '../common/clock.ts';
import { toX12Text } from '../x12/transliterate.ts';

export type Element = string | string[];
export type SegmentValues = [string, ...Element[]];

export const GUIDE_837P = '005010X222A1';
export const GUIDE_837I = '005010X223A2';

/** YYYY-MM-DD -> CCYYMMDD */
export const d8 = (isoDate: string): string => isoDate.slice(0, 4) + isoDate.slice(5, 7) + isoDate.slice(8, 10);

export interface TransactionHeader {
  /** ST02 */
  controlNumber: string;
  guide: string;
  /** BHT03: unique per batch; we use ISA13 + ST02. */
  referenceId: string;
  /** BHT04/BHT05: when the set was created, on the sender's wall clock. */
  createdAt: WallTime;
  payer: PayerProfile;
}

export function transactionHeader(h: TransactionHeader): SegmentValues[] {
  const { submitter, receiver } = h.payer;
  return [
    ['ST', '837', h.controlNumber, h.guide],
    ['BHT', '0019', '00', h.referenceId, h.createdAt.date, h.createdAt.time, 'CH'],
    ['NM1', '41', '2', submitter.name, '', '', '', '', '46', submitter.id],
    ['PER', 'IC', submitter.contactName, 'TE', submitter.phone],
    ['NM1', '40', '2', receiver.name, '', '', '', '', '46', receiver.id],
  ];
}

/** HL numbering inside one transaction set; a new 2000A starts whenever the billing provider changes. */
/** The pay-to address, when payments go somewhere else than the billing address. */
const payToOf = (bp: MappedClaim['claim']['record']['billingProvider']): Address | undefined =>
  bp.payToAddress && !sameAddress(bp.payToAddress, bp.address) ? bp.payToAddress : undefined;

const addressKey = (a: Address): string => `${a.line1}|${a.line2 ?? ''}|${a.city}|${a.state}|${a.postalCode}`;

/**
 * Everything the 2000A loop writes of the billing provider ('|' never occurs in X12 text): a claim goes under
 * the 2000A of the claim before it only when this is the same, and the same key always renders the same
 * 2000A text (src/transactions/claim-837-render.ts relies on it).
 */
export function billingKeyOf(mapped: MappedClaim): string {
  const bp = mapped.claim.record.billingProvider;
  const payTo = payToOf(bp);
  return `${bp.npi}|${bp.taxId}|${bp.taxonomy ?? ''}|${bp.organizationName ?? ''}|${bp.lastName ?? ''}|${bp.firstName ?? ''}|${addressKey(bp.address)}|${bp.contactName ?? ''}|${bp.phone ?? ''}|${payTo ? addressKey(payTo) : ''}`;
}

/** HL numbers of one claim: its 2000A (opened for it when `newBilling`), 2000B and 2000C (0 when none). */
export interface HlNumbers {
  newBilling: boolean;
  billing: number;
  subscriber: number;
  patient: number;
}

export class Hierarchy {
  private next = 1;
  private billingHl = 0;
  private billingKey = '';

  /** The 2000A HL to put the claim under, opening one (and appending its segments to `out`) when needed. */
  billingProvider(mapped: MappedClaim, out: SegmentValues[], taxonomyQualifier = 'PXC'): number {
    const bp = mapped.claim.record.billingProvider;
    const key = billingKeyOf(mapped);
    if (key === this.billingKey) return this.billingHl;
    this.billingKey = key;
    this.billingHl = this.next++;
    const payTo = payToOf(bp);
    const segs = out;
    segs.push(['HL', String(this.billingHl), '', '20', '1']);
    if (bp.taxonomy) segs.push(['PRV', 'BI', taxonomyQualifier, bp.taxonomy]);
    segs.push(
      bp.organizationName
        ? ['NM1', '85', '2', toX12Text(bp.organizationName), '', '', '', '', 'XX', bp.npi]
        : ['NM1', '85', '1', toX12Text(bp.lastName ?? ''), toX12Text(bp.firstName ?? ''), '', '', '', '', 'XX', bp.npi],
    );
    pushAddress(segs, bp.address);
    segs.push(['REF', 'EI', bp.taxId]);
    if (bp.contactName && bp.phone) segs.push(['PER', 'IC', toX12Text(bp.contactName), 'TE', bp.phone]);
    // 2010AB pay-to address: only when payments go somewhere else than the billing address.
    if (payTo) {
      segs.push(['NM1', '87', bp.organizationName ? '2' : '1']);
      pushAddress(segs, payTo);
    }
    return this.billingHl;
  }

  take(): number {
    return this.next++;
  }

  /** The billing key of the 2000A the last claim went under. */
  get currentBillingKey(): string {
    return this.billingKey;
  }

  /** Numbers for a claim rendered apart (src/transactions/claim-837-render.ts): the same sequence billingProvider/take give. */
  number(billingKey: string, hasPatient: boolean): HlNumbers {
    const newBilling = billingKey !== this.billingKey;
    if (newBilling) {
      this.billingKey = billingKey;
      this.billingHl = this.next++;
    }
    const subscriber = this.next++;
    return { newBilling, billing: this.billingHl, subscriber, patient: hasPatient ? this.next++ : 0 };
  }
}

const sameAddress = (a: Address, b: Address): boolean =>
  a.line1 === b.line1 && (a.line2 ?? '') === (b.line2 ?? '') && a.city === b.city && a.state === b.state && a.postalCode === b.postalCode;

/**
 * 837P 2310C / 837I 2310E service facility location: sent only when the service was not given at the
 * billing provider's address (the guides say not to repeat it).
 */
export function pushServiceFacility(mapped: MappedClaim, out: SegmentValues[]): void {
  const rec = mapped.claim.record;
  const sf = rec.serviceFacility;
  if (!sf || sameAddress(sf.address, rec.billingProvider.address)) return;
  const name = toX12Text(sf.name);
  out.push(sf.npi ? ['NM1', '77', '2', name, '', '', '', '', 'XX', sf.npi] : ['NM1', '77', '2', name]);
  pushAddress(out, sf.address);
}

/** The record keeps an address as written (Calle Peña); the 837 carries its X12 spelling (Calle Pena). */
export function pushAddress(out: SegmentValues[], a: Address): void {
  const line1 = toX12Text(a.line1);
  out.push(a.line2 ? ['N3', line1, toX12Text(a.line2)] : ['N3', line1], ['N4', toX12Text(a.city), a.state, a.postalCode]);
}

/** The record keeps a name as written (Łukasz); the 837 carries its X12 spelling (Lukasz). */
const personName = (qualifier: string, p: Pick<Person, 'lastName' | 'firstName' | 'middleName'>, idQualifier = '', id = ''): SegmentValues =>
  ['NM1', qualifier, '1', toX12Text(p.lastName), toX12Text(p.firstName), toX12Text(p.middleName ?? ''), '', '', idQualifier, id];

const dmg = (p: Person): SegmentValues => ['DMG', 'D8', d8(p.birthDate), p.sex];

/** SBR02 / PAT01 individual relationship codes. */
const RELATIONSHIP_CODE: Record<Coverage['relationship'], string> = { self: '18', spouse: '01', child: '19', other: 'G8' };

/** Who 2000B reports as the subscriber: the patient when they are the subscriber or have their own member id. */
export function subscriberOf(mapped: MappedClaim, coverage: Coverage): { person: Person; memberId: string; patientIsSubscriber: boolean } {
  const patient = mapped.claim.record.patient;
  if (coverage.relationship === 'self') return { person: patient, memberId: coverage.memberId, patientIsSubscriber: true };
  if (coverage.patientMemberId) return { person: patient, memberId: coverage.patientMemberId, patientIsSubscriber: true };
  return { person: coverage.subscriber!, memberId: coverage.memberId, patientIsSubscriber: false };
}

/** SBR01 payer responsibility of the coverage at `index` of the payer order: P, S, T (A to H are 4th to 11th). */
const RESPONSIBILITY = ['P', 'S', 'T', 'A', 'B', 'C', 'D', 'E', 'F', 'G', 'H'];

/**
 * SBR05 insurance type code: the Medicare Secondary Payer type (12, 13, 14, 15, 16, 41, 42, 43, 47), sent only
 * when the payer is Medicare and not the primary payer (X222A1 and X223A2, 2000B SBR05 for the payer billed,
 * 2320 SBR05 for another payer); otherwise empty. Mapping rejects a Medicare secondary coverage without it.
 */
export function insuranceTypeCode(payer: PayerProfile, index: number, coverage: Coverage): string {
  return payer.kind === 'medicare' && index > 0 ? coverage.medicareSecondaryPayerType ?? '' : '';
}

/**
 * 2000B (and 2000C when the patient is a dependent without their own member id), appended to `segs`. The
 * payer billed is the claim's first coverage (index 0, SBR01 P); a secondary claim bills a later one.
 */
export function subscriberLoops(mapped: MappedClaim, hierarchy: Hierarchy, billingHl: number, segs: SegmentValues[]): void {
  const rec = mapped.claim.record;
  const billed = 0;
  const coverage = rec.coverages[billed]!;
  const sub = subscriberOf(mapped, coverage);
  const subscriberHl = hierarchy.take();
  segs.push(
    ['HL', String(subscriberHl), String(billingHl), '22', sub.patientIsSubscriber ? '0' : '1'],
    ['SBR', RESPONSIBILITY[billed]!, sub.patientIsSubscriber ? '18' : '', coverage.groupNumber ?? '', '', insuranceTypeCode(mapped.payer, billed, coverage), '', '', '', coverage.claimFilingIndicator ?? mapped.payer.claimFilingIndicator],
    personName('IL', sub.person, 'MI', sub.memberId),
  );
  if (sub.patientIsSubscriber) {
    // 2010BA N3/N4/DMG are the patient's and are used only when the patient is the subscriber (RFI 1496);
    // for a dependent they belong to 2010CA and a receiver may reject them here.
    pushAddress(segs, sub.person.address);
    segs.push(dmg(sub.person));
  }
  segs.push(['NM1', 'PR', '2', mapped.payer.name, '', '', '', '', 'PI', mapped.payer.payerIdentifier]);
  if (!sub.patientIsSubscriber) {
    segs.push(['HL', String(hierarchy.take()), String(subscriberHl), '23', '0'], ['PAT', RELATIONSHIP_CODE[coverage.relationship]], personName('QC', rec.patient));
    pushAddress(segs, rec.patient.address);
    segs.push(dmg(rec.patient));
  }
}

/** 2320 / 2330A / 2330B for each coverage after the primary (payer responsibility S, then T), appended to `segs`. */
export function otherSubscriberLoops(mapped: MappedClaim, segs: SegmentValues[]): void {
  const coverages = mapped.claim.record.coverages;
  for (let i = 1; i < coverages.length; i++) {
    const coverage = coverages[i]!;
    const payer = mapped.otherPayers[i - 1]!;
    const sub = subscriberOf(mapped, coverage);
    const relationship = sub.patientIsSubscriber ? '18' : RELATIONSHIP_CODE[coverage.relationship];
    segs.push(
      ['SBR', RESPONSIBILITY[i]!, relationship, coverage.groupNumber ?? '', '', insuranceTypeCode(payer, i, coverage), '', '', '', coverage.claimFilingIndicator ?? payer.claimFilingIndicator],
      // OI03 benefits assignment Y; OI06 release of information Y. OI04 stays empty: its only 5010 code, P,
      // says the patient was not physically present (the provider signed for them), which we are never told.
      ['OI', '', '', 'Y', '', '', 'Y'],
      personName('IL', sub.person, 'MI', sub.memberId),
    );
    pushAddress(segs, sub.person.address);
    segs.push(['NM1', 'PR', '2', payer.name, '', '', '', '', 'PI', payer.payerIdentifier]);
  }
}

/** REF*F8 for a replacement or void: the payer's claim number of the claim being replaced. */
export function pushPayerClaimNumberRef(mapped: MappedClaim, segs: SegmentValues[]): void {
  const rec = mapped.claim.record;
  if (rec.frequency !== '1' && rec.payerClaimNumber) segs.push(['REF', 'F8', rec.payerClaimNumber]);
}

/** `HC:code:mod1:...` (SV101 / SV202). */
export const procedureComposite = (code: string, modifiers: string[]): string[] => ['HC', code, ...modifiers];
