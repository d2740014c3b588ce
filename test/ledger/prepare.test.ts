// Unit tests of batch validation, account numbering and the canonical text behind the content hash.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ClaimsError } from '../../src/common/errors.ts';
import { prepareBatch } from '../../src/ledger/prepare.ts';
import { batchContentHash } from '../../src/ledger/post.ts';
import type { Entry, PostingBatch } from '../../src/ledger/types.ts';

function charge(key: string, claimId: string, cents: bigint): Entry {
  return {
    key,
    reason: 'claim.charge',
    effectiveDate: '2025-03-01',
    lines: [
      { account: { kind: 'insurance_receivable', payerId: 'ACME' }, amountCents: cents, claimId },
      { account: { kind: 'revenue' }, amountCents: -cents, claimId },
    ],
  };
}

function collect(batch: PostingBatch): { text: string; prepared: ReturnType<typeof prepareBatch> } {
  let text = '';
  const prepared = prepareBatch(batch, (t) => (text += t));
  return { text, prepared };
}

function errorOf(fn: () => unknown): ClaimsError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ClaimsError) return err;
    throw err;
  }
  throw new Error('expected a ClaimsError, nothing was thrown');
}

describe('prepareBatch', () => {
  it('writes the canonical text: entry rows, accounts on first use, lines, escaped text', () => {
    const batch: PostingBatch = {
      key: 'b1',
      entries: [
        charge('c1', 'CLM1', 12345n),
        {
          key: 'p1', reason: 'remit.payment', effectiveDate: '2025-04-01', memo: 'tab\there',
          source: { fileSha256: 'ab'.repeat(32), interchange: '000000905', group: '1', set: '0001', segmentIndex: 14 },
          lines: [
            { account: { kind: 'payer_clearing', payerId: 'ACME' }, amountCents: 9000n },
            { account: { kind: 'revenue', payerId: null }, amountCents: 3345n, reason: 'CO-45' },
            { account: { kind: 'insurance_receivable', payerId: 'ACME' }, amountCents: -12345n, claimId: 'CLM1' },
          ],
        },
      ],
    };
    const { text, prepared } = collect(batch);
    expect(text).toBe([
      'claims-pipeline ledger batch v1',
      'E\tc1\tclaim.charge\t2025-03-01\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t2',
      'A\tinsurance_receivable\tACME\t\\N',
      'L\t0\t12345\t\\N\tCLM1\t\\N',
      'A\trevenue\t\\N\t\\N',
      'L\t1\t-12345\t\\N\tCLM1\t\\N',
      `E\tp1\tremit.payment\t2025-04-01\ttab\\there\t${'ab'.repeat(32)}\t\\N\t000000905\t1\t0001\t14\t3`,
      'A\tpayer_clearing\tACME\t\\N',
      'L\t2\t9000\t\\N\t\\N\t\\N',
      'L\t1\t3345\tCO-45\t\\N\t\\N',
      'L\t0\t-12345\t\\N\tCLM1\t\\N',
      '',
    ].join('\n'));
    expect(prepared.lineCount).toBe(5);
    expect([...prepared.lineAccount]).toEqual([0, 1, 2, 1, 0]);
    expect(prepared.accounts).toEqual([
      { kind: 'insurance_receivable', payerId: 'ACME', patientId: null, practiceId: 'default' },
      { kind: 'revenue', payerId: null, patientId: null, practiceId: 'default' },
      { kind: 'payer_clearing', payerId: 'ACME', patientId: null, practiceId: 'default' },
    ]);
    // Lock order sorts by kind, then payer, then patient.
    expect(prepared.lockOrder).toEqual([0, 2, 1]);
  });

  it('hashes the canonical text with SHA-256', () => {
    const batch: PostingBatch = { key: 'b1', entries: [charge('c1', 'CLM1', 500n)] };
    const expected = createHash('sha256').update([
      'claims-pipeline ledger batch v1',
      'E\tc1\tclaim.charge\t2025-03-01\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t2',
      'A\tinsurance_receivable\tACME\t\\N',
      'L\t0\t500\t\\N\tCLM1\t\\N',
      'A\trevenue\t\\N\t\\N',
      'L\t1\t-500\t\\N\tCLM1\t\\N',
      '',
    ].join('\n')).digest('hex');
    expect(batchContentHash(batch)).toBe(expected);
  });

  it('gives the same hash whatever order keys were built in, and null equal to absent', () => {
    const a: PostingBatch = { key: 'k', entries: [charge('c1', 'CLM1', 700n)] };
    const b: PostingBatch = {
      entries: [{
        lines: [
          { claimId: 'CLM1', amountCents: 700n, account: { payerId: 'ACME', kind: 'insurance_receivable', patientId: null } },
          { serviceLineId: null, amountCents: -700n, claimId: 'CLM1', account: { kind: 'revenue' } },
        ],
        effectiveDate: '2025-03-01', reason: 'claim.charge', key: 'c1',
      }],
      key: 'k',
    };
    expect(batchContentHash(b)).toBe(batchContentHash(a));
  });

  it('changes the hash when any meaning changes', () => {
    const base = batchContentHash({ key: 'k', entries: [charge('c1', 'CLM1', 700n)] });
    expect(batchContentHash({ key: 'k', entries: [charge('c1', 'CLM1', 701n)] })).not.toBe(base);
    expect(batchContentHash({ key: 'k', entries: [charge('c1', 'CLM2', 700n)] })).not.toBe(base);
    expect(batchContentHash({ key: 'k', entries: [charge('c2', 'CLM1', 700n)] })).not.toBe(base);
    const moved = charge('c1', 'CLM1', 700n);
    moved.effectiveDate = '2025-03-02';
    expect(batchContentHash({ key: 'k', entries: [moved] })).not.toBe(base);
    // A value cannot forge a field boundary: a tab inside a claim id is escaped.
    const a = charge('c1', 'X\tY', 700n);
    const b = charge('c1', 'X', 700n);
    b.lines[0]!.reason = 'Y';
    expect(batchContentHash({ key: 'k', entries: [a] })).not.toBe(batchContentHash({ key: 'k', entries: [b] }));
  });

  it('refuses an unbalanced entry, naming the entry, the sum and the field', () => {
    const bad = charge('c2', 'CLM2', 1000n);
    bad.lines[1]!.amountCents = -999n;
    const err = errorOf(() => prepareBatch({ key: 'b', entries: [charge('c1', 'CLM1', 5n), bad] }, () => {}));
    expect(err.code).toBe('LEDGER_UNBALANCED');
    expect(err.message).toBe('entry c2 lines sum to 1 cents, expected 0');
    expect(err.location.field).toBe('entries[1].lines');
    expect(err.found).toBe('1');
  });

  it('refuses empty entries, bad dates, unknown kinds, float amounts and duplicate keys', () => {
    const empty = charge('c1', 'CLM1', 5n);
    empty.lines = [];
    expect(errorOf(() => prepareBatch({ key: 'b', entries: [empty] }, () => {})).code).toBe('LEDGER_ENTRY_EMPTY');

    const feb30 = charge('c1', 'CLM1', 5n);
    feb30.effectiveDate = '2025-02-30';
    const dateErr = errorOf(() => prepareBatch({ key: 'b', entries: [feb30] }, () => {}));
    expect([dateErr.code, dateErr.location.field, dateErr.found]).toEqual(['LEDGER_DATE_INVALID', 'entries[0].effectiveDate', '2025-02-30']);

    const kind = charge('c1', 'CLM1', 5n);
    (kind.lines[1]!.account as { kind: string }).kind = 'income';
    const kindErr = errorOf(() => prepareBatch({ key: 'b', entries: [kind] }, () => {}));
    expect([kindErr.code, kindErr.location.field]).toEqual(['LEDGER_ACCOUNT_INVALID', 'entries[0].lines[1].account.kind']);

    const float = charge('c1', 'CLM1', 5n);
    (float.lines[0] as { amountCents: unknown }).amountCents = 5;
    const floatErr = errorOf(() => prepareBatch({ key: 'b', entries: [float] }, () => {}));
    expect([floatErr.code, floatErr.location.field]).toEqual(['LEDGER_AMOUNT_INVALID', 'entries[0].lines[0].amountCents']);

    const dupErr = errorOf(() => prepareBatch({ key: 'b', entries: [charge('c1', 'A', 5n), charge('c1', 'B', 6n)] }, () => {}));
    expect([dupErr.code, dupErr.location.field]).toEqual(['LEDGER_ENTRY_KEY_DUPLICATE', 'entries[1].key']);
  });

  it('refuses empty ids, NUL characters and a malformed file checksum', () => {
    const emptyPayer = charge('c1', 'CLM1', 5n);
    emptyPayer.lines[0]!.account.payerId = '';
    expect(errorOf(() => prepareBatch({ key: 'b', entries: [emptyPayer] }, () => {})).location.field).toBe('entries[0].lines[0].account.payerId');

    const nul = charge('c1', 'CLM\u00001', 5n);
    const nulErr = errorOf(() => prepareBatch({ key: 'b', entries: [nul] }, () => {}));
    expect([nulErr.code, nulErr.location.field]).toEqual(['LEDGER_FIELD_INVALID', 'entries[0].lines[0].claimId']);

    const sha = charge('c1', 'CLM1', 5n);
    sha.source = { fileSha256: 'ABC' };
    expect(errorOf(() => prepareBatch({ key: 'b', entries: [sha] }, () => {})).location.field).toBe('entries[0].source.fileSha256');

    expect(errorOf(() => prepareBatch({ key: '', entries: [] }, () => {})).code).toBe('LEDGER_FIELD_INVALID');
  });

  it('accepts 64-bit extremes and refuses one past them', () => {
    const max = 2n ** 63n - 1n;
    expect(() => prepareBatch({ key: 'b', entries: [charge('c1', 'CLM1', max)] }, () => {})).not.toThrow();
    const over = charge('c1', 'CLM1', 5n);
    over.lines[0]!.amountCents = max + 1n;
    over.lines[1]!.amountCents = -(max + 1n);
    expect(errorOf(() => prepareBatch({ key: 'b', entries: [over] }, () => {})).code).toBe('LEDGER_AMOUNT_INVALID');
  });
});
