// Unit tests of the posting-batch file format (amounts as strings of cents).
import { describe, expect, it } from 'vitest';
import { parsePostingBatchFile, postingBatchFileJson } from '../../src/ledger/batch-file.ts';
import { ClaimsError } from '../../src/common/errors.ts';

const text = JSON.stringify({
  key: 'manual:1',
  entries: [{
    key: 'refund:1', reason: 'patient.refund', effectiveDate: '2025-04-02', memo: 'check 1001',
    lines: [
      { account: { kind: 'patient_credit', patientId: 'G-1' }, amountCents: '2500' },
      { account: { kind: 'cash' }, amountCents: '-2500', reason: 'refund' },
    ],
  }],
});

describe('posting batch files', () => {
  it('parse amounts as bigint cents and accounts with nulls for absent ids', () => {
    expect(parsePostingBatchFile(text, 'f.json')).toEqual({
      key: 'manual:1',
      entries: [{
        key: 'refund:1', reason: 'patient.refund', effectiveDate: '2025-04-02', memo: 'check 1001',
        lines: [
          { account: { kind: 'patient_credit', payerId: null, patientId: 'G-1' }, amountCents: 2500n },
          { account: { kind: 'cash', payerId: null, patientId: null }, amountCents: -2500n, reason: 'refund' },
        ],
      }],
    });
  });

  it('round-trip through the file form', () => {
    const batch = parsePostingBatchFile(text, 'f.json');
    expect(parsePostingBatchFile(JSON.stringify(postingBatchFileJson(batch)), 'g.json')).toEqual(batch);
  });

  it('refuse numbers for amounts and unknown fields, listing every problem', () => {
    const bad = JSON.stringify({ key: 'k', entries: [{ key: 'e', reason: 'r', effectiveDate: '2025-01-01', colour: 'red',
      lines: [{ account: { kind: 'cash' }, amountCents: 12.5 }] }] });
    let err: unknown;
    try {
      parsePostingBatchFile(bad, 'bad.json');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ClaimsError);
    const e = err as ClaimsError;
    expect(e.code).toBe('LEDGER_BATCH_FILE_INVALID');
    expect(e.location.file).toBe('bad.json');
    expect(e.message).toContain('entries.0.lines.0.amountCents');
    expect(e.message).toContain('colour');
  });

  it('refuse text that is not JSON', () => {
    expect(() => parsePostingBatchFile('{"key":', 'x.json')).toThrow(/x.json is not JSON/);
  });
});
