// The appointment record refuses what would make an invalid 270 (005010X279A1 element sizes and code
// lists), with the field named, instead of writing it.
import { describe, expect, it } from 'vitest';
import { Appointment } from '../../src/eligibility/appointments.ts';

const good = {
  appointmentId: 'APPT-1', date: '2024-04-02', payerId: '99001', memberId: 'W100200300',
  provider: { npi: '1234567893', name: 'MAPLE FAMILY PRACTICE' },
  subscriber: { lastName: 'ROE', firstName: 'RICHARD' },
  dependent: { lastName: 'ROE', firstName: 'LILY', birthDate: '2015-06-30', relationship: '19' },
};
const problems = (record: unknown): string[] => {
  const r = Appointment.safeParse(record);
  return r.success ? [] : r.error.issues.map((i) => i.path.join('.'));
};

describe('appointment record', () => {
  it('accepts a dependent who is a spouse, child or other adult', () => {
    expect(problems(good)).toEqual([]);
    for (const relationship of ['01', '19', '34']) expect(problems({ ...good, dependent: { ...good.dependent, relationship } })).toEqual([]);
  });

  it('refuses a relationship INS02 does not allow in the dependent loop', () => {
    expect(problems({ ...good, dependent: { ...good.dependent, relationship: '18' } })).toEqual(['dependent.relationship']);
    expect(problems({ ...good, dependent: { ...good.dependent, relationship: '53' } })).toEqual(['dependent.relationship']);
  });

  it('refuses a first name longer than NM104 allows (35) and a one-character member id (NM109 is 2 to 80)', () => {
    expect(problems({ ...good, subscriber: { ...good.subscriber, firstName: 'A'.repeat(36) } })).toEqual(['subscriber.firstName']);
    expect(problems({ ...good, subscriber: { ...good.subscriber, firstName: 'A'.repeat(35) } })).toEqual([]);
    expect(problems({ ...good, memberId: 'W' })).toEqual(['memberId']);
    expect(problems({ ...good, memberId: 'W1' })).toEqual([]);
  });
});
