// Agency layouts: columns renamed and reordered, date/amount/flag formats, CSV quoting, fixed width; and the
// settings refuse a layout asking for a field that does not exist (there is none for codes or notes).
import { describe, expect, it } from 'vitest';
import { renderRecords } from '../../src/collections/layout.ts';
import { parseReferralSettings, LayoutSchema } from '../../src/collections/settings.ts';
import type { UpdateRecord } from '../../src/collections/records.ts';
import { parseReturnsCsv } from '../../src/collections/returns.ts';

const updates: UpdateRecord[] = [
  { accountNumber: 'G-1', referralId: '12', transactionDate: '2025-06-21', transactionType: 'PAYMENT', amountCents: 5000n, balanceCents: 15000n, lastPaymentDate: '2025-06-20' },
  { accountNumber: 'G-2, Jr', referralId: '13', transactionDate: '2025-06-21', transactionType: 'ADJUSTMENT', amountCents: 7n, balanceCents: 0n, lastPaymentDate: '' },
];

describe('renderRecords', () => {
  it('default CSV: every field, standard names, CRLF, quoting where a value holds the delimiter', () => {
    expect(renderRecords('update', LayoutSchema.parse({}), updates)).toBe(
      'account_number,referral_id,transaction_date,transaction_type,amount,new_balance,last_payment_date\r\n' +
        'G-1,12,2025-06-21,PAYMENT,50.00,150.00,2025-06-20\r\n' +
        '"G-2, Jr",13,2025-06-21,ADJUSTMENT,0.07,0.00,\r\n',
    );
  });

  it('an agency layout: its names and order, MM/DD/YYYY, implied-decimal cents, pipes, LF', () => {
    const layout = LayoutSchema.parse({ delimiter: '|', dateFormat: 'MM/DD/YYYY', amountFormat: 'cents', lineEnding: 'lf', columns: [{ field: 'amountCents', name: 'AMT' }, { field: 'accountNumber', name: 'ACCT' }, { field: 'transactionDate', name: 'DT' }] });
    expect(renderRecords('update', layout, updates)).toBe('AMT|ACCT|DT\n5000|G-1|06/21/2025\n7|G-2, Jr|06/21/2025\n');
  });

  it('fixed width: text padded and cut, amounts zero-filled, dates YYYYMMDD; an amount that does not fit is an error', () => {
    const layout = LayoutSchema.parse({ format: 'fixed', dateFormat: 'YYYYMMDD', amountFormat: 'cents', columns: [{ field: 'accountNumber', width: 5 }, { field: 'transactionDate', width: 8 }, { field: 'balanceCents', width: 7 }] });
    expect(renderRecords('update', layout, updates)).toBe('G-1  202506210015000\r\nG-2, 202506210000000\r\n');
    const narrow = LayoutSchema.parse({ format: 'fixed', amountFormat: 'cents', columns: [{ field: 'balanceCents', width: 4 }] });
    expect(() => renderRecords('update', narrow, updates)).toThrow(/does not fit in 4/);
  });
});

describe('layout settings', () => {
  it('refuse unknown fields (no diagnosis or procedure field exists) and fixed-width columns without a width, all at once', () => {
    const bad = { agencies: [{ id: 'A', name: 'A', layouts: { placement: { columns: [{ field: 'diagnosisCode' }, { field: 'procedureCode' }] }, recall: { format: 'fixed', columns: [{ field: 'accountNumber' }] } } }] };
    expect(() => parseReferralSettings(bad)).toThrow(/layouts\.placement\.columns\.0\.field: unknown placement field diagnosisCode[\s\S]*columns\.1\.field: unknown placement field procedureCode[\s\S]*layouts\.recall\.columns\.0\.width/);
  });
});

describe('parseReturnsCsv', () => {
  it('reads payments and uncollectable rows; rejects bad rows with their line', () => {
    const r = parseReturnsCsv('agency,account_number,referral_id,type,amount,date,reference\r\nA,G-1,5,payment,12.50,2025-07-01,R1\r\nA,G-1,5,UNCOLLECTABLE,,2025-08-01,R2\r\nA,G-1,5,REFUND,1.00,2025-08-01,R3\r\nA,G-1,5,PAYMENT,1.001,2025-08-01,R4\r\n', 'a.returns.csv');
    expect(r.rows.map((x) => [x.line, x.type, x.amountCents, x.reference])).toEqual([[2, 'PAYMENT', 1250n, 'R1'], [3, 'UNCOLLECTABLE', 0n, 'R2']]);
    expect(r.rejected.map((e) => [e.code, e.location.line])).toEqual([['RETURNS_TYPE_INVALID', 4], ['MONEY_PRECISION', 5]]);
  });
});
