import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { loadPayerProfiles } from '../../src/runtime/payer-profiles.ts';
import { validateClaim } from '../../src/domain/claim-validate.ts';
import { mapClaim } from '../../src/payers/map-claim.ts';
import type { MappedClaim } from '../../src/domain/mapped-claim.ts';
import { Outbox } from '../../src/claims/outbox.ts';
import { memoryControlNumbers } from '../../src/exchange/control-numbers.ts';
import { read837Claims } from '../../src/transactions/claim-837-read.ts';
import { tokenize } from '../../src/x12/tokenizer.ts';
import { fixedClock } from '../../src/common/clock.ts';
import type { ClaimRecordInput } from '../../src/domain/claim.ts';
import { syntheticClaim } from '../claims/support/synthetic.ts';
import { validate837 } from '../support/x12-837-validator.ts';

const payers = await loadPayerProfiles(fileURLToPath(new URL('../../samples/payers/', import.meta.url)));
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

async function write(claims: MappedClaim[]): Promise<string> {
  const dir = mkdtempSync(path.join(tmpdir(), 'claims-837i-'));
  dirs.push(dir);
  const outbox = new Outbox({ dir, clock, controlNumbers: memoryControlNumbers() });
  for (const c of claims) await outbox.addMapped(c);
  const files = await outbox.finish();
  await outbox.publish(files);
  expect(files.length).toBe(1);
  return readFileSync(files[0]!.path, 'latin1');
}

const between = (text: string, from: string, to: string): string[] => {
  const segs = text.split('~');
  const start = segs.findIndex((s) => s.startsWith(from));
  return segs.slice(start, segs.findIndex((s, i) => i > start && s.startsWith(to)));
};

describe('837I writer', () => {
  it('writes CL1, DTP*434, HI ABK then ABF, the attending provider and SV2 lines with revenue codes', async () => {
    const text = await write([mapped(syntheticClaim(4))]);
    expect(validate837(text)).toEqual([]);
    expect(text.split('~').slice(1, 3)).toEqual(['GS*HC*NWB001*BRIDGEWAY*20240901*1200*1*X*005010X223A2', 'ST*837*0001*005010X223A2']);
    expect(between(text, 'HL*1*', 'HL*2*')).toEqual([
      'HL*1**20*1',
      'PRV*BI*PXC*282N00000X',
      'NM1*85*2*NORTHWIND COMMUNITY HOSPITAL*****XX*1987654328',
      'N3*2 HOSPITAL DRIVE',
      'N4*SPRINGFIELD*OR*974779876',
      'REF*EI*931234567',
    ]);
    expect(between(text, 'CLM*', 'SE*')).toEqual([
      'CLM*PCN000000004*114.07***13:A:1**A*Y*Y',
      'DTP*434*RD8*20240204-20240204',
      'CL1*3*1*01',
      'HI*ABK:Z0000',
      'HI*ABF:K219',
      'NM1*71*1*WELBY*MARCUS****XX*1112223338',
      'PRV*AT*PXC*207Q00000X',
      'LX*1',
      'SV2*0450*HC:99397*51.48*UN*1',
      'DTP*472*D8*20240204',
      'REF*6R*L00000004-1',
      'LX*2',
      'SV2*0300*HC:J1885*62.59*UN*1',
      'DTP*472*D8*20240204',
      'REF*6R*L00000004-2',
    ]);
  });

  it('adds the admission date and the admitting diagnosis (ABJ), and splits more than 12 other diagnoses over two HI', async () => {
    const c = syntheticClaim(4);
    c.institutional = { ...c.institutional!, admissionDate: '2024-02-04', admittingDiagnosis: 'R51.9' };
    const others = ['E119', 'I10', 'J0190', 'M5450', 'F411', 'K219', 'E1165', 'I2510', 'N179', 'R0602', 'Z7901', 'E785', 'J449'];
    c.diagnoses = ['Z0000', ...others];
    const text = await write([mapped(c)]);
    expect(validate837(text)).toEqual([]);
    const segs = text.split('~');
    expect(segs).toContain('DTP*435*D8*20240204');
    expect(segs.filter((s) => s.startsWith('HI*'))).toEqual([
      'HI*ABK:Z0000',
      'HI*ABJ:R519',
      'HI*' + others.slice(0, 12).map((d) => `ABF:${d}`).join('*'),
      'HI*ABF:J449',
    ]);
  });

  it('puts 837P and 837I claims to one payer in one interchange, one functional group each', async () => {
    const text = await write([mapped(syntheticClaim(0)), mapped(syntheticClaim(4)), mapped(syntheticClaim(8))]);
    expect(validate837(text)).toEqual([]);
    const segs = text.split('~');
    expect(segs.filter((s) => s.startsWith('GS*')).map((s) => s.split('*').slice(6).join('*'))).toEqual(['1*X*005010X222A1', '2*X*005010X223A2']);
    expect(segs.filter((s) => s.startsWith('GE*') || s.startsWith('IEA*'))).toEqual(['GE*1*1', 'GE*1*2', 'IEA*2*000000001']);
    const read = read837Claims(tokenize(Buffer.from(text, 'latin1')));
    expect(read.map((r) => [r.guide, r.patientControlNumber, r.st02])).toEqual([
      ['005010X222A1', 'PCN000000000', '0001'],
      ['005010X222A1', 'PCN000000008', '0001'],
      ['005010X223A2', 'PCN000000004', '0002'],
    ]);
    expect(read[2]!.lines.map((l) => l.revenueCode)).toEqual(['0450', '0300']);
  });
});
