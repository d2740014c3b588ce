// Unit tests of the COPY text rows the posting API streams into Postgres.
import { describe, expect, it } from 'vitest';
import { copyField, entryCopyChunks, lineCopyChunks } from '../../src/ledger/copy-format.ts';
import { prepareBatch } from '../../src/ledger/prepare.ts';
import type { PostingBatch } from '../../src/ledger/types.ts';

const batch: PostingBatch = {
  key: 'b',
  entries: [
    {
      key: 'e\\1', reason: 'claim.charge', effectiveDate: '2025-03-01', memo: 'line one\nline two',
      source: { fileSha256: 'cd'.repeat(32), fileName: 'remit 1.835', interchange: '000000905', segmentIndex: 7 },
      lines: [
        { account: { kind: 'insurance_receivable', payerId: 'ACME' }, amountCents: 15000n, claimId: 'CLM1', serviceLineId: 'L1' },
        { account: { kind: 'revenue' }, amountCents: -15000n, reason: 'a\tb\r' },
      ],
    },
    {
      key: 'e2', reason: 'claim.charge', effectiveDate: '2025-03-02',
      lines: [
        { account: { kind: 'revenue' }, amountCents: 1n },
        { account: { kind: 'insurance_receivable', payerId: 'ACME' }, amountCents: -1n },
      ],
    },
  ],
};

describe('copyField', () => {
  it('writes null as \\N and escapes only backslash, tab, newline and CR', () => {
    expect(copyField(null)).toBe('\\N');
    expect(copyField(undefined)).toBe('\\N');
    expect(copyField('\\N')).toBe('\\\\N');
    expect(copyField('a\tb\nc\rd\\e')).toBe('a\\tb\\nc\\rd\\\\e');
    expect(copyField('plain, "quoted" é')).toBe('plain, "quoted" é');
  });
});

describe('COPY rows', () => {
  const prepared = prepareBatch(batch, () => {});

  it('writes entries in column order with escapes and nulls', () => {
    expect([...entryCopyChunks('42', prepared)].join('')).toBe(
      `42\t0\t2\t2025-03-01\t7\te\\\\1\tclaim.charge\tline one\\nline two\t${'cd'.repeat(32)}\tremit 1.835\t000000905\t\\N\t\\N\n` +
      '42\t1\t2\t2025-03-02\t\\N\te2\tclaim.charge\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\n');
  });

  it('writes lines with the database id of each account', () => {
    // Account numbers: 0 insurance_receivable/ACME, 1 revenue.
    expect([...lineCopyChunks('42', prepared, ['901', '77'])].join('')).toBe(
      '42\t901\t15000\t0\t0\t\\N\tCLM1\tL1\n' +
      '42\t77\t-15000\t0\t1\ta\\tb\\r\t\\N\t\\N\n' +
      '42\t77\t1\t1\t0\t\\N\t\\N\t\\N\n' +
      '42\t901\t-1\t1\t1\t\\N\t\\N\t\\N\n');
  });

  it('cuts chunks at entry boundaries once they reach the size asked for', () => {
    const chunks = [...lineCopyChunks('42', prepared, ['901', '77'], 10)];
    expect(chunks).toEqual([
      '42\t901\t15000\t0\t0\t\\N\tCLM1\tL1\n42\t77\t-15000\t0\t1\ta\\tb\\r\t\\N\t\\N\n',
      '42\t77\t1\t1\t0\t\\N\t\\N\t\\N\n42\t901\t-1\t1\t1\t\\N\t\\N\t\\N\n',
    ]);
  });
});
