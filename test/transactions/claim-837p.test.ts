import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { loadPayerProfiles } from '../../src/runtime/payer-profiles.ts';
import { validateClaim } from '../../src/domain/claim-validate.ts';
import { mapClaim } from '../../src/payers/map-claim.ts';
import type { MappedClaim } from '../../src/domain/mapped-claim.ts';
import { Outbox } from '../../src/claims/outbox.ts';
import { memoryControlNumbers } from '../../src/exchange/control-numbers.ts';
import { read837Claims } from '../../src/transactions/claim-837-read.ts';
import { insuranceTypeCode } from '../../src/transactions/claim-837-common.ts';
import { tokenize } from '../../src/x12/tokenizer.ts';
import { fixedClock } from '../../src/common/clock.ts';
import type { ClaimRecordInput } from '../../src/domain/claim.ts';
import { syntheticClaim } from '../claims/support/synthetic.ts';
import { validate837 } from '../support/x12-837-validator.ts';

const payersDir = fileURLToPath(new URL('../../samples/payers/', import.meta.url));
const payers = await loadPayerProfiles(payersDir);
const clock = fixedClock('2024-09-01T12:00:00Z');
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function mapped(input: ClaimRecordInput, record = 1): MappedClaim {
  const v = validateClaim(input, record, '2024-09-01');
  if (!v.ok) throw new Error(JSON.stringify(v.rejections));
  const m = mapClaim(v.claim, record, payers);
  if (!m.ok) throw new Error(JSON.stringify(m.rejections));
  return m.mapped;
}

async function write(claims: MappedClaim[], claimsPerSetMax = 5000): Promise<Map<string, string>> {
  const dir = mkdtempSync(path.join(tmpdir(), 'claims-837p-'));
  dirs.push(dir);
  const outbox = new Outbox({ dir, clock, controlNumbers: memoryControlNumbers(), claimsPerSetMax });
  for (const c of claims) await outbox.addMapped(c);
  const files = await outbox.finish();
  await outbox.publish(files);
  return new Map(files.map((f) => [f.payerId, readFileSync(f.path, 'latin1')]));
}

describe('837P writer', () => {
  it('writes a dependent without their own member id under 2000C, exactly as the guide lays it out', async () => {
    // Claim 3 is a child's; the sample Medicaid payer wants the patient's own id (decision 0100), BLUE takes dependents.
    const child = syntheticClaim(3);
    child.coverages[0] = { ...child.coverages[0]!, payerId: 'BLUE' };
    delete child.coverages[0].patientMemberId;
    const files = await write([mapped(child)]);
    const expected = [
      'ISA*00*          *00*          *ZZ*NWB001         *ZZ*BRIDGEWAY      *240901*1200*^*00501*000000001*0*P*:',
      'GS*HC*NWB001*BRIDGEWAY*20240901*1200*1*X*005010X222A1',
      'ST*837*0001*005010X222A1',
      'BHT*0019*00*0000000010001*20240901*1200*CH',
      'NM1*41*2*NORTHWIND BILLING*****46*NWB001',
      'PER*IC*CLAIMS DESK*TE*5555550100',
      'NM1*40*2*BRIDGEWAY CLEARINGHOUSE*****46*BRIDGEWAY',
      'HL*1**20*1',
      'PRV*BI*PXC*207Q00000X',
      'NM1*85*2*NORTHWIND FAMILY MEDICINE*****XX*1234567893',
      'N3*100 HARBOR WAY',
      'N4*SPRINGFIELD*OR*974771234',
      'REF*EI*841234567',
      'PER*IC*BILLING OFFICE*TE*5555550111',
      'HL*2*1*22*1',
      'SBR*P********BL',
      // The subscriber is not the patient: no N3/N4/DMG in 2010BA (RFI 1496); the patient's are in 2010CA.
      'NM1*IL*1*SAMPLE*ROBIN****MI*M000000001',
      'NM1*PR*2*BLUE SHIELD OF EXAMPLE*****PI*94036',
      'HL*3*2*23*0',
      'PAT*19',
      'NM1*QC*1*SAMPLE*BLAIR',
      'N3*101 ELM STREET',
      'N4*SPRINGFIELD*OR*97477',
      'DMG*D8*20120615*M',
      'CLM*PCN000000003*51.11***11:B:1*Y*A*Y*Y',
      'HI*ABK:M5450*ABF:R519',
      'NM1*82*1*WELBY*MARCUS****XX*1112223338',
      'PRV*PE*PXC*207Q00000X',
      'LX*1',
      'SV1*HC:99213*51.11*UN*1***1',
      'DTP*472*D8*20240203',
      'REF*6R*L00000003-1',
      'SE*31*0001',
      'GE*1*1',
      'IEA*1*000000001',
      '',
    ].join('~');
    expect(files.get('BLUE')).toBe(expected);
    expect(validate837(expected)).toEqual([]);
  });

  it('sends a patient who is the subscriber with SBR02 18 and no 2000C; a dependent with their own id likewise', async () => {
    const own = syntheticClaim(17); // a dependent (17 % 7 = 3)
    own.coverages = [{ ...own.coverages[0]!, payerId: 'ACME', patientMemberId: 'DEP000017' }];
    const text = (await write([mapped(syntheticClaim(0)), mapped(own)])).get('ACME')!;
    expect(validate837(text)).toEqual([]);
    const segs = text.split('~');
    expect(segs.filter((s) => s.startsWith('SBR*P*'))).toEqual(['SBR*P*18*G0000******CI', 'SBR*P*18*******CI']);
    expect(segs.filter((s) => s.startsWith('HL*'))).toEqual(['HL*1**20*1', 'HL*2*1*22*0', 'HL*3*1*22*0']);
    expect(segs).toContain('NM1*IL*1*TESTER*INDY****MI*DEP000017');
    expect(segs.some((s) => s.startsWith('PAT*'))).toBe(false);
  });

  it('sends the Medicare Secondary Payer type in SBR05 when Medicare is not the primary payer, and only then', async () => {
    // Claim 0 (ACME): the patient, 73 on 2024-01-31, works for an employer of 50 with a group plan; Medicare pays second (12, working aged).
    const aged = syntheticClaim(0);
    aged.patient.birthDate = '1950-06-01';
    aged.coverages = [
      { ...aged.coverages[0]!, planType: 'group_current_employment', employerSize: 50 },
      { payerId: 'MEDB', memberId: '1EG4TE5MK73', relationship: 'self', medicareSecondaryPayerType: '12' },
    ];
    const text = (await write([mapped(aged)])).get('ACME')!;
    expect(validate837(text)).toEqual([]);
    const segs = text.split('~');
    // 2000B: ACME is primary, no SBR05; 2320: Medicare secondary with SBR05 12 (X222A1: required when 2330B is Medicare and SBR01 is not P).
    expect(segs.filter((s) => s.startsWith('SBR*'))).toEqual(['SBR*P*18*G0000******CI', 'SBR*S*18***12****MB']);
    // The same claim's Medicare as primary would carry none (a QMB flag changes nothing on the wire).
    const medicare = syntheticClaim(2);
    medicare.coverages[0] = { ...medicare.coverages[0]!, protection: 'qmb' };
    const medb = (await write([mapped(medicare)])).get('MEDB')!.split('~');
    expect(medb.filter((s) => s.startsWith('SBR*'))).toEqual(['SBR*P*18*G0002******MB']);
    // The 2000B SBR of a claim billing Medicare after another payer (a secondary claim) takes the same code.
    const coverage = { payerId: 'MEDB', memberId: '1EG4TE5MK73', relationship: 'self' as const, medicareSecondaryPayerType: '43' as const };
    expect([insuranceTypeCode(payers.get('MEDB')!, 1, coverage), insuranceTypeCode(payers.get('MEDB')!, 0, coverage), insuranceTypeCode(payers.get('ACME')!, 1, coverage)]).toEqual(['43', '', '']);
  });

  it('marks a replacement with CLM05-3 7 and REF*F8, and maps codes through the payer crosswalk', async () => {
    const replacement = syntheticClaim(6); // MEDB: 99397 -> G0439, 97110 gets GP
    replacement.frequency = '7';
    replacement.payerClaimNumber = 'MEDB2400099';
    const text = (await write([mapped(replacement)])).get('MEDB')!;
    expect(validate837(text)).toEqual([]);
    const segs = text.split('~');
    expect(segs).toContain('CLM*PCN000000006*52.22***11:B:7*Y*A*Y*Y');
    expect(segs).toContain('REF*F8*MEDB2400099');
    // claim 6: CODES[6]='97110' (1 line), charge 5000 + 222 = 52.22
    expect(segs).toContain('SV1*HC:97110:GP*52.22*UN*1***1');
  });

  it('reads back through the X12 reader into the claims that were written', async () => {
    const inputs = Array.from({ length: 24 }, (_, i) => syntheticClaim(i)).filter((c) => c.claimType === 'professional');
    const files = await write(inputs.map((c, i) => mapped(c, i + 1)), 4);
    const read = [...files.values()].flatMap((text) => {
      expect(validate837(text)).toEqual([]);
      return read837Claims(tokenize(Buffer.from(text, 'latin1')));
    });
    expect(read.map((c) => c.patientControlNumber).sort()).toEqual(inputs.map((c) => c.patientControlNumber).sort());
    for (const input of inputs) {
      const back = read.find((c) => c.patientControlNumber === input.patientControlNumber)!;
      expect(back.frequency).toBe('1');
      // A dependent with an own member id (the sample Medicaid payer's children) is reported as the subscriber.
      const own = input.coverages[0]!.patientMemberId;
      expect(back.subscriberMemberId).toBe(own ?? input.coverages[0]!.memberId);
      expect(back.patientRelationship).toBe(input.coverages[0]!.relationship === 'self' || own !== undefined ? null : '19');
      expect(back.otherPayers.length).toBe(input.coverages.length - 1);
      expect(back.diagnoses.map((d) => d.code)).toEqual(input.diagnoses.map((d) => d.replace('.', '')));
      expect(back.lines.map((l) => [l.lineControlNumber, l.chargeCents, l.serviceDate, l.diagnosisPointers])).toEqual(
        input.lines.map((l) => [l.lineControlNumber, BigInt(l.charge.replace('.', '')), l.serviceDate, l.diagnosisPointers]),
      );
      expect(back.totalChargeCents).toBe(BigInt(input.totalCharge.replace('.', '')));
    }
  });
});
