// The independent validator must be able to fail: each mutation of a valid file below breaks one rule.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPayerProfiles } from '../../src/runtime/payer-profiles.ts';
import { validateClaim } from '../../src/domain/claim-validate.ts';
import { mapClaim } from '../../src/payers/map-claim.ts';
import { Outbox } from '../../src/claims/outbox.ts';
import { memoryControlNumbers } from '../../src/exchange/control-numbers.ts';
import { fixedClock } from '../../src/common/clock.ts';
import { npi, syntheticClaim } from './support/synthetic.ts';
import type { ClaimRecordInput } from '../../src/domain/claim.ts';
import { validate837 } from '../support/x12-837-validator.ts';

let professional = '';
let institutional = '';
const dir = mkdtempSync(path.join(tmpdir(), 'claims-validator-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let payers: Awaited<ReturnType<typeof loadPayerProfiles>>;

/** Validate, map and write these claims into a fresh folder under `dir`; the 837 text per payer. */
async function write837(claims: unknown[]): Promise<Map<string, string>> {
  const outbox = new Outbox({ dir: mkdtempSync(path.join(dir, 'out-')), clock: fixedClock('2024-09-01T12:00:00Z'), controlNumbers: memoryControlNumbers() });
  for (const c of claims) {
    const v = validateClaim(c, 1, '2024-09-01');
    if (!v.ok) throw new Error(JSON.stringify(v.rejections));
    const m = mapClaim(v.claim, 1, payers);
    if (!m.ok) throw new Error(JSON.stringify(m.rejections));
    await outbox.addMapped(m.mapped);
  }
  const files = await outbox.finish();
  await outbox.publish(files);
  return new Map(files.map((f) => [f.payerId, readFileSync(f.path, 'latin1')]));
}

beforeAll(async () => {
  payers = await loadPayerProfiles(fileURLToPath(new URL('../../samples/payers/', import.meta.url)));
  // 0 and 11: patient is the subscriber; 3: a dependent (2000C); 4: institutional; 5: with a secondary coverage.
  const byPayer = await write837([0, 3, 4, 5, 11].map((i) => syntheticClaim(i, { payers: i === 4 ? ['ACME'] : i === 5 ? ['ACME', 'BLUE'] : ['BLUE'] })));
  professional = byPayer.get('BLUE')!;
  institutional = byPayer.get('ACME')!;
});

const messages = (text: string): string[] => validate837(text).map((i) => i.message);
const replace = (text: string, from: string, to: string): string => {
  expect(text.includes(from)).toBe(true);
  return text.replace(from, to);
};

describe('independent 837 validator', () => {
  it('accepts the writer output', () => {
    expect(validate837(professional)).toEqual([]);
    expect(validate837(institutional)).toEqual([]);
  });

  it('catches a wrong SE01, GE01 and IEA02', () => {
    const se = professional.match(/SE\*(\d+)\*/)!;
    expect(messages(replace(professional, se[0], `SE*${Number(se[1]) + 1}*`))).toContainEqual(expect.stringMatching(/^SE01 \d+ but the set has \d+ segments$/));
    expect(messages(replace(professional, 'GE*1*', 'GE*2*'))).toContain('GE01 2 but the group has 1 sets');
    expect(messages(replace(professional, 'IEA*1*000000001', 'IEA*1*000000002'))).toContain('IEA02 000000002 differs from ISA13 000000001');
  });

  it('catches a missing REF*6R and a CLM02 that is not the sum of the lines', () => {
    const noRef = professional.replace(/REF\*6R\*L00000000-1~/, '');
    expect(messages(noRef)).toContain('service line without REF*6R');
    expect(messages(replace(professional, 'CLM*PCN000000000*50*', 'CLM*PCN000000000*51*'))).toContain('CLM02 51 differs from the sum of the lines');
  });

  it('catches HI qualifiers out of order, a dotted ICD-10 code and a pointer past the diagnoses', () => {
    expect(messages(replace(professional, 'HI*ABK:E119*ABF:M5450', 'HI*ABF:E119*ABK:M5450'))).toContain('the first HI code is not ABK (principal diagnosis)');
    expect(messages(replace(professional, 'ABK:E119', 'ABK:E11.9'))).toContain('an ICD-10 code is malformed (or has a dot)');
    expect(messages(replace(professional, 'SV1*HC:99213*50*UN*1***1', 'SV1*HC:99213*50*UN*1***3'))).toContain('SV107 3 does not point into the 2 diagnoses');
  });

  it('catches a wrong HL hierarchy and SBR02 that disagrees with it', () => {
    expect(messages(replace(professional, 'HL*4*3*23*0', 'HL*4*1*23*0'))).toContain('2000C HL parent is not a 2000B');
    expect(messages(replace(professional, 'SBR*P*18*G0000', 'SBR*P**G0000'))).toContain('SBR02 (empty) but HL04 is 0');
  });

  it('catches a 5-digit ZIP for an 837I billing provider and a frequency 7 without REF*F8', () => {
    expect(messages(replace(institutional, 'N4*SPRINGFIELD*OR*974779876', 'N4*SPRINGFIELD*OR*97477'))).toContain('billing provider ZIP 97477 is not 9 digits');
    expect(messages(replace(professional, '11:B:1', '11:B:7'))).toContain('REF*F8 is required exactly for frequency 7 and 8');
  });

  it('catches segments out of loop order and bad code values', () => {
    const swapped = replace(professional, 'N3*100 HARBOR WAY~N4*SPRINGFIELD*OR*974771234~', 'N4*SPRINGFIELD*OR*974771234~N3*100 HARBOR WAY~');
    expect(messages(swapped)).toContain('segments are not in the loop order of the guide');
    expect(messages(replace(professional, 'DMG*D8*19690330*F', 'DMG*D8*19690330*X'))).toContain('DMG03 X is not one of F, M, U');
  });

  // Conformance review (docs/decisions/0043): each case below is what the writer sent before the review, or a
  // guide rule the writer never broke but a regression could.
  it('catches address and demographics in 2010BA for a subscriber who is not the patient, and a missing DMG for one who is', () => {
    const old = replace(professional, 'NM1*IL*1*SAMPLE*ROBIN****MI*M000000001~', 'NM1*IL*1*SAMPLE*ROBIN****MI*M000000001~N3*101 ELM STREET~N4*SPRINGFIELD*OR*97477~DMG*D8*19800303*F~');
    expect(messages(old)).toContain('2010BA N3/N4/DMG sent for a subscriber who is not the patient');
    expect(messages(replace(professional, 'DMG*D8*19690330*F~', ''))).toContain('2010BA DMG is required when the patient is the subscriber');
  });

  it('catches OI04 P (patient not present) on an office claim without CLM10 P', () => {
    expect(professional).toContain('OI***Y***Y~');
    expect(messages(replace(professional, 'OI***Y***Y~', 'OI***Y*P**Y~'))).toContain('OI04 P (patient not present) without CLM10 P');
    expect(messages(replace(institutional, 'CLM*PCN000000004*114.07***13:A:1**A*Y*Y~', 'CLM*PCN000000004*114.07***13:A:1**A*Y*Y*P~'))).toContain('CLM10 is not used in an 837I');
  });

  it('catches a 5-digit billing provider ZIP on an 837P too', () => {
    expect(messages(replace(professional, 'N4*SPRINGFIELD*OR*974771234', 'N4*SPRINGFIELD*OR*97477'))).toContain('billing provider ZIP 97477 is not 9 digits');
  });

  it('catches the admission date before the statement dates, and an inpatient bill type without it', () => {
    const before = replace(institutional, 'DTP*434*RD8*20240204-20240204~', 'DTP*435*D8*20240204~DTP*434*RD8*20240204-20240204~');
    expect(messages(before)).toContain('segments are not in the loop order of the guide');
    const after = replace(institutional, 'DTP*434*RD8*20240204-20240204~', 'DTP*434*RD8*20240204-20240204~DTP*435*D8*20240204~');
    // One segment more: only SE01 may complain.
    const exceptCount = (list: string[]): string[] => list.filter((m) => !m.startsWith('SE01 '));
    expect(exceptCount(messages(after))).toEqual([]);
    expect(messages(replace(institutional, '13:A:1', '11:A:1'))).toContain('inpatient facility type 11 without the admission date (DTP*435)');
    expect(exceptCount(messages(replace(after, '13:A:1', '11:A:1')))).toEqual([]);
  });

  it('catches 5010 envelope values: ISA11 repetition separator, ISA12, ISA05, ISA06/ISA08 widths, GS07', () => {
    expect(messages(replace(professional, '*^*00501*', '*U*00501*'))).toContain('ISA11 U is not a repetition separator');
    expect(messages(replace(professional, '*^*00501*', '*^*00401*'))).toContain('ISA12 00401 is not 00501');
    expect(messages(replace(professional, 'ISA*00*          *00*          *ZZ*', 'ISA*00*          *00*          *XX*'))).toContain('ISA05 XX is not an interchange id qualifier');
    // Same ISA length (the delimiters stay where they are), one id a character too long and one too short.
    const shifted = replace(professional, '*NWB001         *ZZ*BRIDGEWAY      *', '*NWB001          *ZZ*BRIDGEWAY     *');
    expect(messages(shifted)).toEqual(['ISA06 is 16 characters, expected 15', 'ISA08 is 14 characters, expected 15']);
    expect(messages(replace(professional, '*X*005010X222A1~', '*T*005010X222A1~'))).toContain('GS07 T is not X');
  });

  it('catches a 2000B SBR02 other than 18, a patient id in 2010CA, and a 1000A PER without a number', () => {
    expect(messages(replace(professional, 'SBR*P*18*G0000', 'SBR*P*19*G0000'))).toContain('SBR02 19 is not one of 18');
    expect(messages(replace(professional, 'NM1*QC*1*SAMPLE*BLAIR~', 'NM1*QC*1*SAMPLE*BLAIR****MI*D0001~'))).toContain('NM108 is not used in 5010 (found MI)');
    expect(messages(replace(professional, 'PER*IC*CLAIMS DESK*TE*5555550100~', 'PER*IC*CLAIMS DESK~'))).toEqual(expect.arrayContaining(['PER03 is required', 'PER04 is required']));
  });

  it('catches a CLM01 over 20 characters, 4010 HI qualifiers and a third HI of other diagnoses on an 837I', () => {
    expect(messages(replace(professional, 'CLM*PCN000000000*', 'CLM*PCN0000000000000000000*'))).toContain('CLM01 PCN0000000000000000000 is longer than 20 characters (payers truncate)');
    expect(messages(replace(professional, 'HI*ABK:E119*ABF:M5450', 'HI*BK:E119*BF:M5450'))).toContain('the first HI code is not ABK (principal diagnosis)');
    expect(messages(replace(institutional, 'HI*ABF:K219~', 'HI*ABF:K219~HI*ABF:E119~HI*ABF:I10~'))).toContain('more than 2 HI segments of other diagnoses (ABF) in an 837I');
  });

  it('accepts a pay-to address (2010AB), a service facility (2310C/2310E), POA indicators and UB-04 codes, and catches them malformed', async () => {
    const inst = syntheticClaim(4, { payers: ['ACME'] }) as ClaimRecordInput & { institutional: Record<string, unknown> };
    const poa = inst.diagnoses.map((_, k) => (k === 0 ? 'Y' : 'N'));
    const facility = { name: 'COUNTY HOSPITAL', address: { line1: '9 HOSPITAL WAY', city: 'EUGENE', state: 'OR', postalCode: '974010002' } };
    const withPoa = {
      ...inst,
      serviceFacility: facility,
      institutional: {
        ...inst.institutional, presentOnAdmission: poa, conditionCodes: ['07', 'A1'],
        occurrences: [{ code: '11', date: '2024-08-20' }], occurrenceSpans: [{ code: '74', from: '2024-08-21', to: '2024-08-22' }], values: [{ code: '80', amount: '3' }, { code: 'A2', amount: '125.50' }],
      },
    };
    const prof = syntheticClaim(0, { payers: ['BLUE'] });
    const withPayTo = {
      ...prof,
      billingProvider: { ...prof.billingProvider, payToAddress: { line1: 'PO BOX 4410', city: 'SPRINGFIELD', state: 'OR', postalCode: '97477' } },
      serviceFacility: { name: 'RIVERSIDE SURGERY CENTER', npi: npi('123456789'), address: { line1: '200 RIVER RD', city: 'SPRINGFIELD', state: 'OR', postalCode: '974770001' } },
    };
    const text = await write837([withPoa, withPayTo]);
    const i = text.get('ACME')!;
    const p = text.get('BLUE')!;
    expect(validate837(i)).toEqual([]);
    expect(validate837(p)).toEqual([]);
    expect(i).toContain(`HI*ABK:${inst.diagnoses[0]!.replace('.', '')}:::::::Y~`);
    expect(p).toContain('NM1*87*2~N3*PO BOX 4410~N4*SPRINGFIELD*OR*97477~');
    expect(p).toContain(`NM1*77*2*RIVERSIDE SURGERY CENTER*****XX*${npi('123456789')}~N3*200 RIVER RD~N4*SPRINGFIELD*OR*974770001~`);
    expect(i).toContain('NM1*77*2*COUNTY HOSPITAL~N3*9 HOSPITAL WAY~N4*EUGENE*OR*974010002~');
    expect(messages(replace(i, 'N4*EUGENE*OR*974010002~', 'N4*EUGENE*OR*97401~'))).toContain('the service facility ZIP is not 9 digits');
    expect(i).toContain('HI*BI:74:RD8:20240821-20240822~HI*BH:11:D8:20240820~HI*BE:80:::3*BE:A2:::125.5~HI*BG:07*BG:A1~');
    expect(messages(replace(i, 'HI*BH:11:D8:20240820~', '').replace('HI*BG:07*BG:A1~', 'HI*BG:07*BG:A1~HI*BH:11:D8:20240820~'))).toContain('837I HI segments are out of the guide order (ABK, ABJ, ABF, BI, BH, BE, BG)');
    expect(messages(replace(i, 'BH:11:D8:20240820', 'BH:11:D8:240820'))).toContain("BH code BH:11:D8:240820 is not in the guide's form");
    expect(messages(replace(i, ':::::::Y~', ':::::::X~'))).toContain('present-on-admission indicator ::::::X is not Y, N, U, W or 1 in component 9');
    expect(messages(replace(p, 'NM1*87*2~', 'NM1*87*2*SAMPLE CLINIC~'))).toContain('NM103 is not used in 5010 (found SAMPLE CLINIC)');
    expect(messages(replace(p, 'NM1*87*2~N3*PO BOX 4410~', 'NM1*87*2~'))).not.toEqual([]);
  });
});

