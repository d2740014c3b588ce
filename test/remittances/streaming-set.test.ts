// The 835 handler's streaming form (openSet): segments pushed one at a time, every reading problem kept
// with its location and reported when the set settles (issue 16: not only the first). No database: these
// outcomes are decided before anything is posted.
import { describe, expect, it } from 'vitest';
import { remittanceHandler } from '../../src/remittances/handler.ts';
import type { IngestContext, X12SetHeader } from '../../src/exchange/set-handler.ts';
import { segmentsOf } from './support/segments.ts';

const header: X12SetHeader = { interchange: '000000007', interchangeVersion: '00501', sender: 'SYNTHPAYER', group: '7', functionalId: 'HP', version: '005010X221A1', transactionSet: '835', set: '0001' };
const noDatabase = {} as IngestContext;
const HEAD = 'ST*835*0001~BPR*I*80*C*ACH*CCP*01*999999999*DA*123456*1512345678**01*999988880*DA*98765*20240301~TRN*1*EFT0001*1512345678~N1*PR*PLAN~N1*PE*CLINIC*XX*1999999984~';

describe('835 streaming set', () => {
  it('keeps every reading problem, located, in segment order', async () => {
    const set = remittanceHandler.openSet!(header, 'stream.835');
    for (const s of segmentsOf(`${HEAD}LX*1~CLP*P-1*1*100*80~CAS*CR*45*20~CAS*XX*1*1~SE*9*0001~`)) set.push(s);
    const outcome = await set.settle(noDatabase);
    expect(outcome.status).toBe('quarantined');
    expect(outcome.reasons.map((r) => [r.code, r.location.segmentIndex, r.location.element, r.location.file, r.location.interchange, r.location.claim])).toEqual([
      ['REMIT_ADJUSTMENT_GROUP_INVALID', 7, 1, 'stream.835', '000000007', 'P-1'],
      ['REMIT_ADJUSTMENT_GROUP_INVALID', 8, 1, 'stream.835', '000000007', 'P-1'],
      ['REMIT_SE_COUNT', 9, 1, 'stream.835', '000000007', undefined],
    ]);
  });

  it('reports the first 100 problems of a set, then a count of the rest', async () => {
    const set = remittanceHandler.openSet!(header, 'stream.835');
    const cas = Array.from({ length: 120 }, () => 'CAS*CR*45*1~').join('');
    for (const s of segmentsOf(`${HEAD}LX*1~CLP*P-1*1*100*80~${cas}SE*128*0001~`)) set.push(s);
    const outcome = await set.settle(noDatabase);
    expect(outcome.reasons).toHaveLength(101);
    expect(outcome.reasons.slice(0, 100).every((r) => r.code === 'REMIT_ADJUSTMENT_GROUP_INVALID')).toBe(true);
    const more = outcome.reasons[100]!;
    expect([more.code, more.location.set, more.location.file]).toEqual(['REMIT_MORE_PROBLEMS', '0001', 'stream.835']);
    expect(more.message).toBe('20 more problems in this set (120 in all); the first 100 are reported');
  });

  it('reports a set that never reached SE', async () => {
    const set = remittanceHandler.openSet!(header, 'stream.835');
    for (const s of segmentsOf(`${HEAD}LX*1~CLP*P-1*1*100*100~`)) set.push(s);
    const outcome = await set.settle(noDatabase);
    expect(outcome.reasons.map((r) => [r.code, r.location.segmentTag, r.location.segmentIndex])).toEqual([['REMIT_SE_MISSING', 'CLP', 6]]);
  });
});
