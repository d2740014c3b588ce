// Claim-level warnings of a remittance are bounded: the first CLAIM_WARNINGS_PER_FLAG_MAX per flag are
// located, the rest counted in one summary, so a 5,000-claim remittance cannot grow the file's outcome.
import { describe, expect, it } from 'vitest';
import { CLAIM_WARNINGS_PER_FLAG_MAX, claimWarnings } from '../../src/remittances/handler.ts';
import type { RemittanceOutcome } from '../../src/remittances/post-remittance.ts';

const set = { interchange: '000000001', group: '1', set: '0001' };
const flag = (flag: RemittanceOutcome['flags'][number]['flag'], i: number) => ({ flag, claimIndex: i, claim: `C-${i}` });

describe('claimWarnings', () => {
  it('locates each warned claim while there are few', () => {
    const w = claimWarnings([flag('claim_unmatched', 0), flag('forwarded', 1), flag('line_ambiguous', 2)], 'f.835', set);
    expect(w.map((x) => [x.code, x.severity, x.location.claim])).toEqual([
      ['REMIT_CLAIM_UNMATCHED', 'warning', 'C-0'],
      ['REMIT_LINE_AMBIGUOUS', 'warning', 'C-2'],
    ]);
  });

  it('keeps 20 located warnings per flag and counts the rest in one', () => {
    expect(CLAIM_WARNINGS_PER_FLAG_MAX).toBe(20);
    const flags = [...Array.from({ length: 4999 }, (_, i) => flag('claim_unmatched', i)), flag('next_payer_unknown', 5000)];
    const w = claimWarnings(flags, 'f.835', set);
    expect(w.length).toBe(20 + 1 + 1);
    expect(w.filter((x) => x.location.claim !== undefined).map((x) => x.location.claim)).toEqual([
      ...Array.from({ length: 20 }, (_, i) => `C-${i}`), 'C-5000',
    ]);
    const summary = w.find((x) => x.location.claim === undefined)!;
    expect(summary.code).toBe('REMIT_CLAIM_UNMATCHED');
    expect(summary.message).toContain('4979 more claims of this remittance (4999 in all)');
    expect(summary.location).toMatchObject({ file: 'f.835', set: '0001' });
  });
});
