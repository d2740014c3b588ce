// A patient named with letters outside ASCII (Łukasz Nguyễn) can be billed: the claim is accepted with the
// name kept as written (and hashed as written), its 837 carries the X12 spelling and passes the independent
// validator; the appointments file takes the same names and its 270 carries the same spelling.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPayerProfiles } from '../../src/runtime/payer-profiles.ts';
import { validateClaim } from '../../src/domain/claim-validate.ts';
import { ClaimRecord, type ClaimRecordInput } from '../../src/domain/claim.ts';
import { parseClaimRecordFast } from '../../src/domain/claim-fast-record.ts';
import { mapClaim } from '../../src/payers/map-claim.ts';
import { Outbox } from '../../src/claims/outbox.ts';
import { memoryControlNumbers } from '../../src/exchange/control-numbers.ts';
import { fixedClock, utcWallTime } from '../../src/common/clock.ts';
import { sha256Hex, canonicalJson } from '../../src/common/content-hash.ts';
import { Appointment, requestOf } from '../../src/eligibility/appointments.ts';
import { build270Set } from '../../src/transactions/eligibility-270.ts';
import type { PayerProfile } from '../../src/domain/payer-profile.ts';
import { syntheticClaim } from './support/synthetic.ts';
import { validate837 } from '../support/x12-837-validator.ts';

const TODAY = '2024-09-01';
const dir = mkdtempSync(path.join(tmpdir(), 'claims-names-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let payers: Map<string, PayerProfile>;
beforeAll(async () => {
  payers = await loadPayerProfiles(fileURLToPath(new URL('../../samples/payers/', import.meta.url)));
});

/** Claim 0 (patient is the subscriber) or 3 (a dependent: 2000C) for BLUE, its people renamed. */
function named(i: number, last: string, first: string, middle?: string): ClaimRecordInput {
  const c = syntheticClaim(i, { payers: ['BLUE'] });
  Object.assign(c.patient, { lastName: last, firstName: first, ...(middle !== undefined && { middleName: middle }) });
  Object.assign(c.guarantor, { lastName: last, firstName: first });
  const subscriber = c.coverages[0]!.subscriber;
  if (subscriber) Object.assign(subscriber, { lastName: last, firstName: 'Zoë' });
  return c;
}

const fieldsOf = (input: unknown): string[] => {
  const r = validateClaim(input, 1, TODAY);
  return r.ok ? [] : r.rejections.map((x) => `${x.field} ${x.code}`);
};

async function write837(claims: unknown[]): Promise<string> {
  const outbox = new Outbox({ dir: mkdtempSync(path.join(dir, 'out-')), clock: fixedClock('2024-09-01T12:00:00Z'), controlNumbers: memoryControlNumbers() });
  for (const c of claims) {
    const v = validateClaim(c, 1, TODAY);
    if (!v.ok) throw new Error(JSON.stringify(v.rejections));
    const m = mapClaim(v.claim, 1, payers);
    if (!m.ok) throw new Error(JSON.stringify(m.rejections));
    await outbox.addMapped(m.mapped);
  }
  const files = await outbox.finish();
  await outbox.publish(files);
  expect(files.length).toBe(1);
  return readFileSync(files[0]!.path, 'utf8');
}

describe('claims for names beyond ASCII', () => {
  it('accepts Łukasz Nguyễn and keeps the name as written, the fast path and zod alike', () => {
    const input = named(0, 'Nguyễn', 'Łukasz', 'Þór');
    const r = validateClaim(input, 1, TODAY);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect([r.claim.record.patient.lastName, r.claim.record.patient.firstName, r.claim.record.patient.middleName]).toEqual(['Nguyễn', 'Łukasz', 'Þór']);
    expect([r.claim.record.guarantor.lastName, r.claim.record.guarantor.firstName]).toEqual(['Nguyễn', 'Łukasz']);
    // The fast path took it (sorted keys) and gives what zod gives.
    expect(r.claim.sortedKeys).toBe(true);
    expect(parseClaimRecordFast(input)).toEqual(ClaimRecord.parse(input));
  });

  it('hashes the claim as written: a claim whose name differs only by its diacritics is another claim', () => {
    const hashOf = (input: ClaimRecordInput): string => {
      const v = validateClaim(input, 1, TODAY);
      if (!v.ok) throw new Error(JSON.stringify(v.rejections));
      const m = mapClaim(v.claim, 1, payers);
      if (!m.ok) throw new Error(JSON.stringify(m.rejections));
      return m.mapped.contentHash;
    };
    const written = named(0, 'Nguyễn', 'Łukasz');
    expect(hashOf(written)).toBe(sha256Hex(canonicalJson(ClaimRecord.parse(written))));
    expect(hashOf(written)).not.toBe(hashOf(named(0, 'Nguyen', 'Lukasz')));
  });

  it('refuses a name with no X12 spelling, one too long once spelled, and a delimiter, naming the field', () => {
    expect(fieldsOf(named(0, '王', 'Łukasz'))).toEqual(['patient.lastName CLAIM_FIELD_INVALID', 'guarantor.lastName CLAIM_FIELD_INVALID']);
    // 18 ß are 18 characters as written, 36 once spelled (ss each): NM104 holds 35.
    expect(fieldsOf(named(0, 'Nguyễn', 'ß'.repeat(18)))).toEqual(['patient.firstName CLAIM_FIELD_INVALID', 'guarantor.firstName CLAIM_FIELD_INVALID']);
    expect(fieldsOf(named(0, 'Nguyễn', 'ß'.repeat(17)))).toEqual([]);
    expect(fieldsOf(named(0, 'Ng*yễn', 'Łukasz'))).toEqual(['patient.lastName CLAIM_FIELD_INVALID', 'guarantor.lastName CLAIM_FIELD_INVALID']);
    expect(fieldsOf(named(0, 'Nguyễn☃', 'Łukasz'))).toEqual(['patient.lastName CLAIM_FIELD_INVALID', 'guarantor.lastName CLAIM_FIELD_INVALID']);
    // One row per field even when several checks fail: too long as written, or a delimiter with no spelling.
    expect(fieldsOf(named(0, 'X'.repeat(61), 'Ann'))).toEqual(['patient.lastName CLAIM_FIELD_INVALID', 'guarantor.lastName CLAIM_FIELD_INVALID']);
    expect(fieldsOf(named(0, '王*', 'Ann'))).toEqual(['patient.lastName CLAIM_FIELD_INVALID', 'guarantor.lastName CLAIM_FIELD_INVALID']);
  });

  it('writes the X12 spelling into the 837 (2010BA, 2010CA) and the file passes the independent validator', async () => {
    const text = await write837([named(0, 'Nguyễn', 'Łukasz', 'Þór'), named(3, 'Dvořák', 'Anežka')]);
    expect(text).toMatch(/^[\x20-\x7E\n]*$/);
    expect(text).toContain('NM1*IL*1*Nguyen*Lukasz*THor***MI*M000000000~');
    // The dependent's subscriber (2010BA) and the patient (2010CA).
    expect(text).toContain('NM1*IL*1*Dvorak*Zoe****MI*M000000001~');
    expect(text).toContain('NM1*QC*1*Dvorak*Anezka~');
    expect(validate837(text)).toEqual([]);
  });
});

describe('providers, facilities and addresses beyond ASCII', () => {
  /** Claim 0 for BLUE with a Spanish-speaking practice: provider, rendering provider, facility and streets. */
  function spanish(): ClaimRecordInput {
    const c = named(0, 'Peña', 'José');
    const record = c as unknown as Record<string, Record<string, unknown>>;
    Object.assign(c.patient.address, { line1: '12 Calle Peña', city: 'San José' });
    const bp = record.billingProvider!;
    bp.organizationName = 'Clínica Santa Lucía';
    bp.contactName = 'Ana Muñoz';
    bp.address = { ...(bp.address as object), line1: '400 Avenida Núñez', city: 'Cañon City' };
    record.renderingProvider = { npi: '1987654328', lastName: 'Ibáñez', firstName: 'Íñigo' };
    return c;
  }

  it('accepts them as written, the fast path and zod alike', () => {
    const input = spanish();
    const r = validateClaim(input, 1, TODAY);
    expect(r.ok ? [] : r.rejections).toEqual([]);
    if (!r.ok) return;
    expect(r.claim.record.billingProvider.organizationName).toBe('Clínica Santa Lucía');
    expect(r.claim.record.patient.address.city).toBe('San José');
    expect(parseClaimRecordFast(input)).toEqual(ClaimRecord.parse(input));
  });

  it('writes their X12 spelling into the 837, which passes the independent validator', async () => {
    const text = await write837([spanish()]);
    expect(text).toMatch(/^[\x20-\x7E\n]*$/);
    expect(text).toContain('NM1*85*2*Clinica Santa Lucia*****XX*');
    expect(text).toContain('N3*400 Avenida Nunez~N4*Canon City*');
    expect(text).toContain('PER*IC*Ana Munoz*TE*');
    expect(text).toContain('NM1*82*1*Ibanez*Inigo****XX*1987654328~');
    expect(text).toContain('N3*12 Calle Pena~N4*San Jose*');
    expect(validate837(text)).toEqual([]);
  });

  it('still refuses a delimiter or a street with no X12 spelling, naming the field', () => {
    const withStreet = (line1: string): ClaimRecordInput => {
      const c = spanish();
      Object.assign(c.patient.address, { line1 });
      return c;
    };
    // The synthetic guarantor lives at the patient's address (the same object): both fields are named.
    const both = ['patient.address.line1 CLAIM_FIELD_INVALID', 'guarantor.address.line1 CLAIM_FIELD_INVALID'];
    expect(fieldsOf(withStreet('12 Calle*Peña'))).toEqual(both);
    expect(fieldsOf(withStreet('北京路'))).toEqual(both);
  });
});

describe('appointments for names beyond ASCII', () => {
  const appointment = {
    appointmentId: 'APPT-1', date: '2024-09-03', payerId: 'ACME', memberId: 'W100200300',
    provider: { npi: '1234567893', name: 'Clínica Łódź' },
    subscriber: { lastName: 'Nguyễn', firstName: 'Łukasz', birthDate: '1980-02-14', gender: 'M' },
  };

  it('accepts the names as written and writes their X12 spelling into the 270', () => {
    const parsed = Appointment.parse(appointment);
    expect([parsed.subscriber.lastName, parsed.subscriber.firstName, parsed.provider.name]).toEqual(['Nguyễn', 'Łukasz', 'Clínica Łódź']);
    const segs = build270Set([requestOf(parsed, payers.get('ACME')!)], '0001', 'R1', utcWallTime(new Date('2024-09-01T12:00:00Z')), '9MAPLEFP01');
    const text = segs.map((s) => s.join('*') + '~').join('');
    expect(text).toContain('NM1*1P*2*Clinica Lodz*****XX*1234567893~');
    expect(text).toContain('NM1*IL*1*Nguyen*Lukasz****MI*W100200300~');
    expect(text).toMatch(/^[\x20-\x7E]*$/);
  });

  it('refuses a name that would break the 270 or has no X12 spelling, with its field', () => {
    const fields = (record: unknown): string[] => {
      const r = Appointment.safeParse(record);
      return r.success ? [] : r.error.issues.map((i) => i.path.join('.'));
    };
    expect(fields({ ...appointment, subscriber: { ...appointment.subscriber, lastName: 'NGU*YEN' } })).toEqual(['subscriber.lastName']);
    expect(fields({ ...appointment, subscriber: { ...appointment.subscriber, firstName: '王' } })).toEqual(['subscriber.firstName']);
    expect(fields({ ...appointment, provider: { ...appointment.provider, name: 'A~B' } })).toEqual(['provider.name']);
  });
});
