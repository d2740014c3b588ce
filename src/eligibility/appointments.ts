// Upcoming appointments (NDJSON, one visit a line) -> 270 requests, and the plan of 270 interchanges per
// payer. Pure: validation with zod, grouping, and the interchange spec; control numbers are handed in.
import { z } from 'zod';
import { IsoDate } from '../common/dates.ts';
import type { PayerProfile } from '../domain/payer-profile.ts';
import { nameText } from '../domain/claim.ts';
import type { InterchangeSpec } from '../x12/writer.ts';
import { build270Set, planSets, type EligibilityRequest } from '../transactions/eligibility-270.ts';
import type { WallTime } from '../common/clock.ts';

// NM103 (last or organization name) is AN 1/60, NM104 (first name) AN 1/35, NM105 AN 1/25 in 5010.
// Names are kept as written (Łukasz Nguyễn) and go into the 270 in their X12 spelling, which must fit the
// element; a delimiter in a name would stop the whole 270 file, so it is refused here with its line.
const Name = nameText(1, 60);
const FirstName = nameText(1, 35);
const Person = z.object({
  lastName: Name,
  firstName: FirstName.optional(),
  middleName: nameText(0, 25).optional(),
  birthDate: IsoDate.optional(),
  gender: z.enum(['M', 'F', 'U']).optional(),
});

export const Appointment = z.object({
  /** Becomes the 270's TRN02; the 271 echoes it back. */
  appointmentId: z.string().regex(/^[A-Za-z0-9._-]{1,50}$/, 'expected 1 to 50 letters, digits, dot, dash or underscore'),
  /** Date of the visit (DTP*291). */
  date: IsoDate,
  /** The payer profile key (samples/payers/ID.json payerId). */
  payerId: z.string().min(1),
  /** NM109: AN 2/80. */
  memberId: z.string().regex(/^[A-Za-z0-9-]{2,80}$/, 'expected 2 to 80 letters, digits or dashes'),
  /** A first name only for a person (entityType 1): NM104 is not used for an organization. */
  provider: z.object({ npi: z.string().regex(/^\d{10}$/), name: Name, firstName: FirstName.optional(), entityType: z.enum(['1', '2']).default('2') }),
  subscriber: Person,
  /** The patient, when a dependent without their own member id. */
  // 2100D INS02 allows 01 (spouse), 19 (child) and 34 (other adult) only.
  dependent: Person.extend({ relationship: z.enum(['01', '19', '34'], { message: 'expected 01 (spouse), 19 (child) or 34 (other adult)' }).optional() }).optional(),
  serviceTypes: z.array(z.string().regex(/^[A-Z0-9]{1,2}$/)).max(99).default(['30']),
});
export type Appointment = z.infer<typeof Appointment>;

export function requestOf(a: Appointment, profile: PayerProfile): EligibilityRequest {
  return {
    traceNumber: a.appointmentId,
    payerId: profile.payerIdentifier,
    payerName: profile.name,
    provider: { npi: a.provider.npi, name: a.provider.name, entityType: a.provider.entityType, ...(a.provider.firstName !== undefined && { firstName: a.provider.firstName }) },
    memberId: a.memberId,
    subscriber: a.subscriber as EligibilityRequest['subscriber'],
    ...(a.dependent && { dependent: a.dependent as NonNullable<EligibilityRequest['dependent']> }),
    dateOfService: a.date,
    serviceTypes: a.serviceTypes,
  };
}

export interface PlannedSet {
  controlNumber: bigint;
  requests: EligibilityRequest[];
}

export interface Planned270 {
  profile: PayerProfile;
  interchangeControlNumber: bigint;
  groupControlNumber: bigint;
  sets: PlannedSet[];
}

/** TRN03: '9' and an identifier we assign, 10 characters (the submitter's id, padded). */
export function traceOriginator(profile: PayerProfile): string {
  return ('9' + profile.submitter.id.replace(/[^A-Za-z0-9]/g, '').toUpperCase()).slice(0, 10).padEnd(10, '0');
}

/** The interchange for one payer's 270s (delimiters and line breaks are the writer's options). */
export function interchangeOf(plan: Planned270, createdAt: WallTime): InterchangeSpec {
  const { profile } = plan;
  const yyyymmdd = createdAt.date;
  const hhmm = createdAt.time;
  const isa13 = plan.interchangeControlNumber.toString().padStart(9, '0');
  return {
    interchange: {
      senderQualifier: profile.submitter.interchangeQualifier, senderId: profile.submitter.interchangeId,
      receiverQualifier: profile.receiver.interchangeQualifier, receiverId: profile.receiver.interchangeId,
      date: yyyymmdd.slice(2), time: hhmm, controlNumber: plan.interchangeControlNumber, usage: profile.usage,
    },
    groups: [{
      group: {
        functionalId: 'HS', senderCode: profile.submitter.applicationId, receiverCode: profile.receiver.applicationId,
        date: yyyymmdd, time: hhmm, controlNumber: plan.groupControlNumber, version: '005010X279A1',
      },
      sets: plan.sets.map((s) => {
        const st02 = s.controlNumber.toString().padStart(4, '0');
        // The writer writes ST and SE itself: hand it the segments between them.
        const segments = build270Set(s.requests, st02, `${isa13}-${st02}`, createdAt, traceOriginator(profile)).slice(1, -1);
        return { set: { id: '270', controlNumber: s.controlNumber, implementationRef: '005010X279A1' }, segments };
      }),
    }],
  };
}

/** Group requests by payer profile and split them into sets (one provider, at most 99 people per set). */
export function groupByPayer(items: ReadonlyArray<{ profile: PayerProfile; request: EligibilityRequest }>): Map<string, { profile: PayerProfile; sets: EligibilityRequest[][] }> {
  const byPayer = new Map<string, { profile: PayerProfile; requests: EligibilityRequest[] }>();
  for (const { profile, request } of items) {
    const entry = byPayer.get(profile.payerId) ?? { profile, requests: [] };
    entry.requests.push(request);
    byPayer.set(profile.payerId, entry);
  }
  return new Map([...byPayer].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => [k, { profile: v.profile, sets: planSets(v.requests) }]));
}
