// The check that runs before a file's sets are read for posting (docs/decisions/0094): it finds exactly the
// interchanges and groups refused whole, by their ordinals, and the file's sha256, whatever the read size,
// and it hashes the whole file even when the scan stops early.
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkReceipt } from '../../src/exchange/receipt-check.ts';
import { sha256File } from '../../src/common/files.ts';
import { interchange, type GenRemittance } from '../remittances/support/generate-835.ts';

const remit = (set: string): GenRemittance => ({ set, trace: `T-${set}`, claims: [{ pcn: `P-${set}`, lines: [{ code: '99213', chargeCents: 10000 }] }] });

async function file(text: string): Promise<string> {
  const f = path.join(await mkdtemp(path.join(os.tmpdir(), 'receipt-check-')), 'in.x12');
  await writeFile(f, text, 'latin1');
  return f;
}

describe('checkReceipt', () => {
  it('names the refused interchanges and groups by ordinal, with the reasons the TA1 and 999 give, in any read size', async () => {
    const good = interchange([remit('0001')], { isa13: '000000001', gs06: '1' });
    const badGe = interchange([remit('0001')], { isa13: '000000002', gs06: '2' }).replace('GE*1*2~', 'GE*2*2~');
    const badIea = interchange([remit('0001')], { isa13: '000000003', gs06: '3' }).replace('IEA*1*000000003~', 'IEA*1*000000004~');
    const cut = interchange([remit('0001'), remit('0002')], { isa13: '000000005', gs06: '5' });
    const f = await file(good + badGe + badIea + cut.slice(0, cut.indexOf('ST*835*0002')));
    for (const chunk of [7, 1000, 256 * 1024]) {
      const { fileSha256, plan } = await checkReceipt(f, 'in.x12', chunk);
      expect(fileSha256, `chunk ${chunk}`).toBe(await sha256File(f));
      expect(plan.interchanges).toBe(4);
      expect([...plan.refusedInterchanges].map(([n, r]) => [n, r.controlNumber, r.reasons.map((e) => [e.code, e.ack?.ta1])])).toEqual([
        [2, '000000003', [['IEA_CONTROL_NUMBER_MISMATCH', '001']]],
        [3, '000000005', [['IEA_MISSING', '023']]],
      ]);
      expect([...plan.refusedGroups].map(([k, r]) => [k, r.controlNumber, r.reasons.map((e) => [e.code, e.ack?.ik5])])).toEqual([
        ['1:0', '2', [['GE_SET_COUNT', '5']]],
        ['3:0', '5', [['GE_MISSING', '3']]],
      ]);
      expect(plan.refusedInterchanges.get(3)!.reasons[0]!.location).toMatchObject({ file: 'in.x12', interchange: '000000005' });
    }
  });

  it('hashes the whole file when the scan cannot start (not X12) and refuses nothing by ordinal', async () => {
    const f = await file('not an interchange at all\n'.repeat(500));
    const { fileSha256, plan } = await checkReceipt(f, 'in.x12', 1000);
    expect(fileSha256).toBe(await sha256File(f));
    expect(plan).toMatchObject({ interchanges: 0 });
    expect(plan.refusedInterchanges.size + plan.refusedGroups.size).toBe(0);
  });
});
