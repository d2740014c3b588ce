// Holds files parsed without a database: each row validated on its own, with its line.
import { describe, expect, it } from 'vitest';
import { holdDate, holdsFileRows } from '../../src/collections/holds-file.ts';

describe('holdsFileRows', () => {
  it('reads rows in any column order, US or ISO dates, quoted reasons with commas, and skips blank lines', () => {
    const text = [
      'Date,Account,Kind,Reason',
      '2024-08-13,A-1,dispute,"Says the secondary, ACME, was never billed"',
      '',
      '08/20/2024,A-2,Assistance,Application received at the front desk',
      '2024-09-01,A-1,resolve,Secondary billed; balance confirmed',
      '',
    ].join('\r\n');
    expect(holdsFileRows(text, 'h.holds.csv')).toEqual({
      rows: [
        { accountNumber: 'A-1', kind: 'dispute', reason: 'Says the secondary, ACME, was never billed', date: '2024-08-13', line: 2 },
        { accountNumber: 'A-2', kind: 'assistance', reason: 'Application received at the front desk', date: '2024-08-20', line: 4 },
        { accountNumber: 'A-1', kind: 'resolve', reason: 'Secondary billed; balance confirmed', date: '2024-09-01', line: 5 },
      ],
      errors: [],
    });
  });

  it('rejects each bad row with its line and field, keeping the good ones', () => {
    const text = 'account,kind,reason,date\nA-1,hold,x,2024-08-13\n,dispute,,2024-02-30\nA-3,dispute,ok,2024-08-13\n';
    const { rows, errors } = holdsFileRows(text, 'h.holds.csv');
    expect(rows.map((r) => r.accountNumber)).toEqual(['A-3']);
    expect(errors.map((e) => [e.code, e.location.line, e.location.field])).toEqual([
      ['HOLD_FIELD_INVALID', 2, 'kind'],
      ['HOLD_FIELD_INVALID', 3, 'account'],
      ['HOLD_FIELD_INVALID', 3, 'reason'],
      ['HOLD_FIELD_INVALID', 3, 'date'],
    ]);
  });

  it('a file without the four columns is one error at its header', () => {
    const { rows, errors } = holdsFileRows('account,amount,date\nA-1,10.00,2024-08-13\n', 'payments.csv');
    expect(rows).toEqual([]);
    expect(errors.map((e) => [e.code, e.location.line, e.message])).toEqual([
      ['HOLDS_FILE_COLUMNS', 1, 'a holds file needs the columns account, kind, reason, date; missing kind, reason'],
    ]);
  });

  it('holdDate takes ISO and US dates that exist', () => {
    expect(holdDate(' 2024-02-29 ')).toBe('2024-02-29');
    expect(holdDate('02/29/2024')).toBe('2024-02-29');
    expect(holdDate('02/30/2024')).toBeUndefined();
    expect(holdDate('2024-8-1')).toBeUndefined();
  });
});
