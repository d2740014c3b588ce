// Issue 16: a 277CA that names the billing provider by tax id (NM1*85 ... FI) is reported as naming a tax
// id, never "NPI": labels follow the qualifier (XX NPI, FI tax id, ...).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../support/db.ts';
import { createLogger } from '../../src/runtime/logger.ts';
import { ingestFile } from '../../src/pipeline/ingest-input.ts';
import { read277ca } from '../../src/claims/ack-277ca.ts';
import { idLabel } from '../../src/x12/id-qualifiers.ts';
import { segmentsOf } from '../remittances/support/segments.ts';

const db = await useTestDatabase();
const work = mkdtempSync(path.join(tmpdir(), 'claims-277ca-labels-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const segs = (id: string) => ['ST*277*0001*005010X214', 'BHT*0085*08*B1*20240903*0800*TH', 'HL*1**20*1', 'NM1*PR*2*SAMPLE PAYER*****PI*BLUE', 'TRN*1*T1',
  'HL*2*1*21*1', 'NM1*41*2*SAMPLE CLINIC*****46*CLINIC', 'TRN*2*B1', 'STC*A1:19*20240903*WQ*300',
  'HL*3*2*19*1', `NM1*85*2*SAMPLE CLINIC*****${id}`, 'HL*4*3*PT', 'NM1*QC*1*SAMPLE*PAT', 'TRN*2*NEVERSENT77', 'STC*A2:20*20240903*WQ*100'];

describe('277CA labels', () => {
  it('reads the billing provider id with its qualifier', () => {
    const acks = read277ca({ segments: segmentsOf([...segs('FI*123456789'), 'SE*16*0001'].join('~') + '~'), fileName: 'f', interchange: '1', group: '1', set: '0001' });
    expect(acks.map((a) => [a.billingIdQualifier, a.billingNpi, a.patientControlNumber])).toEqual([['FI', '123456789', 'NEVERSENT77']]);
    expect(['XX', 'FI', '24', 'ZZ'].map(idLabel)).toEqual(['NPI', 'tax id (FI)', 'EIN (24)', 'id (qualifier ZZ)']);
  });

  it('calls a tax id a tax id in the report of a claim it cannot match', async () => {
    const body = segs('FI*123456789');
    const text = ['ISA*00*          *00*          *ZZ*BLUEPAYER      *ZZ*CLINIC         *240903*0800*^*00501*000000901*0*P*:',
      'GS*HN*BLUEPAYER*CLINIC*20240903*0800*901*X*005010X214', ...body, `SE*${body.length + 1}*0001`, 'GE*1*901', 'IEA*1*000000901', ''].join('~\n');
    const file = path.join(work, 'fi.277');
    writeFileSync(file, text);
    const out = await ingestFile(file, { pool: db.pool, logger: createLogger({ level: 'silent' }), failpoint: () => undefined, quarantineDir: path.join(work, 'q') });
    const unmatched = out.sets[0]!.reasons.find((r) => r.code === 'ACK_277CA_UNMATCHED')!;
    expect(unmatched.message).toContain('NEVERSENT77 for tax id (FI) 123456789');
    expect(unmatched.message).not.toContain('NPI');
  });
});
