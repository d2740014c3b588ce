// The 835 handler's streaming form (openSet): segments pushed one at a time, the first reading problem
// kept with its location and reported when the set settles, later segments ignored. No database: these
// outcomes are decided before anything is posted.
import { describe, expect, it } from 'vitest';
import { remittanceHandler } from '../../src/remittances/handler.ts';
import type { IngestContext, X12SetHeader } from '../../src/exchange/set-handler.ts';
import { segmentsOf } from './support/segments.ts';

const header: X12SetHeader = { interchange: '000000007', interchangeVersion: '00501', sender: 'SYNTHPAYER', group: '7', functionalId: 'HP', version: '005010X221A1', transactionSet: '835', set: '0001' };
const noDatabase = {} as IngestContext;
const HEAD = 'ST*835*0001~BPR*I*80*C*ACH*CCP*01*999999999*DA*123456*1512345678**01*999988880*DA*98765*20240301~TRN*1*EFT0001*1512345678~N1*PR*PLAN~N1*PE*CLINIC*XX*1999999984~';

describe('835 streaming set', () => {
  it('keeps the first reading problem, located, and ignores what follows it', async () => {
    const set = remittanceHandler.openSet!(header, 'stream.835');
    for (const s of segmentsOf(`${HEAD}LX*1~CLP*P-1*1*100*80~CAS*CR*45*20~CAS*XX*1*1~SE*9*0001~`)) set.push(s);
    const outcome = await set.settle(noDatabase);
    expect(outcome.status).toBe('quarantined');
    expect(outcome.reasons.map((r) => [r.code, r.location.segmentIndex, r.location.element, r.location.file, r.location.interchange, r.location.claim])).toEqual([
      ['REMIT_ADJUSTMENT_GROUP_INVALID', 7, 1, 'stream.835', '000000007', 'P-1'],
    ]);
  });

  it('reports a set that never reached SE', async () => {
    const set = remittanceHandler.openSet!(header, 'stream.835');
    for (const s of segmentsOf(`${HEAD}LX*1~CLP*P-1*1*100*100~`)) set.push(s);
    const outcome = await set.settle(noDatabase);
    expect(outcome.reasons.map((r) => [r.code, r.location.segmentTag, r.location.segmentIndex])).toEqual([['REMIT_SE_MISSING', 'CLP', 6]]);
  });
});
