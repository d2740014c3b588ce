import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadPayerProfiles } from '../../src/runtime/payer-profiles.ts';
import { validateClaim } from '../../src/domain/claim-validate.ts';
import { mapClaim } from '../../src/payers/map-claim.ts';
import type { MappedClaim } from '../../src/domain/mapped-claim.ts';
import { chargeEntry, NO_CHAIN } from '../../src/claims/posting-rules.ts';
import { ChainBook, type ExistingClaim } from '../../src/claims/decide.ts';
import { headOf } from '../../src/claim-exports/prepare-claim.ts';
import type { ClaimRecordInput } from '../../src/domain/claim.ts';
import { syntheticClaim } from './support/synthetic.ts';

const payers = await loadPayerProfiles(fileURLToPath(new URL('../../samples/payers', import.meta.url)));
function mapped(input: ClaimRecordInput): MappedClaim {
  const v = validateClaim(input, 1, '2024-09-01');
  if (!v.ok) throw new Error(JSON.stringify(v.rejections));
  const m = mapClaim(v.claim, 1, payers);
  if (!m.ok) throw new Error(JSON.stringify(m.rejections));
  return m.mapped;
}
const lines = (m: MappedClaim, before = NO_CHAIN) =>
  chargeEntry(m, before, '2024-09-01', '42', 'north')?.lines.map((l) => {
    expect(l.account.practiceId).toBe('north'); // every line in the claim's practice
    return [l.account.kind, l.account.payerId ?? null, l.amountCents, l.claimId];
  });

describe('claim charge posting', () => {
  it('posts an original: insurance receivable of the primary payer against revenue', () => {
    const m = mapped(syntheticClaim(0)); // ACME, 50.00
    expect(lines(m)).toEqual([['insurance_receivable', 'ACME', 5000n, '42'], ['revenue', null, -5000n, '42']]);
    expect(chargeEntry(m, NO_CHAIN, '2024-09-01', '42', 'north')!.key).toBe(`claim.charge:${m.key}:${m.contentHash.slice(0, 16)}`);
    expect(m.key).toBe('1234567893:PCN000000000:1');
  });

  it('posts a replacement as its difference, moving the receivable to the new claim', () => {
    const r = syntheticClaim(0);
    r.frequency = '7';
    r.payerClaimNumber = 'X1';
    r.lines[0]!.charge = '75.00';
    r.totalCharge = '75.00';
    const before = { postedChargeCents: 5000n, payerId: 'ACME', claimId: '41' };
    expect(lines(mapped(r), before)).toEqual([
      ['insurance_receivable', 'ACME', 7500n, '42'],
      ['insurance_receivable', 'ACME', -5000n, '41'],
      ['revenue', null, -2500n, '42'],
    ]);
  });

  it('moves the charge between payers when a replacement changes the primary payer', () => {
    const r = syntheticClaim(0);
    r.frequency = '7';
    r.payerClaimNumber = 'X1';
    r.coverages[0]!.payerId = 'BLUE';
    expect(lines(mapped(r), { postedChargeCents: 5000n, payerId: 'ACME', claimId: '41' })).toEqual([
      ['insurance_receivable', 'BLUE', 5000n, '42'],
      ['insurance_receivable', 'ACME', -5000n, '41'],
    ]);
  });

  it('reverses the chain on a void', () => {
    const v = syntheticClaim(1); // BLUE
    v.frequency = '8';
    v.payerClaimNumber = 'X2';
    expect(lines(mapped(v), { postedChargeCents: 12345n, payerId: 'BLUE', claimId: '7' })).toEqual([
      ['insurance_receivable', 'BLUE', -12345n, '7'],
      ['revenue', null, 12345n, '42'],
    ]);
  });
});

describe('claim chain decisions', () => {
  const existing = (m: MappedClaim, over: Partial<ExistingClaim> = {}): ExistingClaim => ({
    id: '9', billingNpi: m.claim.record.billingProvider.npi, patientControlNumber: m.claim.record.patientControlNumber,
    frequency: m.claim.record.frequency, contentSha256: m.contentHash, status: 'submitted', postedChargeCents: 5000n,
    primaryPayerId: 'ACME', fileState: 'sent', fileName: '837-ACME-000000001.x12', ...over,
  });

  it('skips the same claim again, and resends one whose file never completed or that a payer rejected (--resubmit)', () => {
    const m = mapped(syntheticClaim(0));
    expect(new ChainBook([existing(m)]).decide(headOf(m), { resubmit: false })).toEqual({ kind: 'duplicate', claimId: '9' });
    expect(new ChainBook([existing(m, { status: 'pending', fileState: 'abandoned' })]).decide(headOf(m), { resubmit: false })).toEqual({ kind: 'resend', claimId: '9', why: 'incomplete-file' });
    expect(new ChainBook([existing(m, { status: 'rejected' })]).decide(headOf(m), { resubmit: false })).toEqual({ kind: 'duplicate', claimId: '9' });
    expect(new ChainBook([existing(m, { status: 'rejected' })]).decide(headOf(m), { resubmit: true })).toEqual({ kind: 'resend', claimId: '9', why: 'resubmit' });
  });

  it('skips a claim this run is already sending (pending in a file of this run), resends one of an earlier run\'s file', () => {
    const m = mapped(syntheticClaim(0));
    const pending = existing(m, { status: 'pending', fileState: 'writing', fileName: '837-ACME-000000002.x12' });
    expect(new ChainBook([pending], new Set(['837-ACME-000000002.x12'])).decide(headOf(m), { resubmit: false })).toEqual({ kind: 'duplicate', claimId: '9' });
    expect(new ChainBook([pending], new Set(['837-ACME-000000003.x12'])).decide(headOf(m), { resubmit: false })).toEqual({ kind: 'resend', claimId: '9', why: 'incomplete-file' });
  });

  it('rejects an original with different content under the same key, and says to use frequency 7', () => {
    const m = mapped(syntheticClaim(0));
    const d = new ChainBook([existing(m, { contentSha256: 'f'.repeat(64) })]).decide(headOf(m), { resubmit: false });
    expect(d.kind).toBe('reject');
    if (d.kind === 'reject') {
      expect(d.rejection.code).toBe('CLAIM_KEY_CONFLICT');
      expect(d.rejection.message).toMatch(/use frequency 7 to replace it/);
    }
  });

  it('treats a repeated record inside one export as a duplicate, a changed one as a conflict', () => {
    const book = new ChainBook([]);
    const m = mapped(syntheticClaim(0));
    expect(book.decide(headOf(m), { resubmit: false })).toEqual({ kind: 'send' });
    expect(book.decide(headOf(m), { resubmit: false }).kind).toBe('duplicate');
    const changed = syntheticClaim(0);
    changed.claimId = 'OTHER';
    expect(book.decide(headOf(mapped(changed)), { resubmit: false }).kind).toBe('reject');
  });
});
