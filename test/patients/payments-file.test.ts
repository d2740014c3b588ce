import { describe, expect, it } from 'vitest';
import { detectPaymentsFormat, PaymentsFileParser, type PaymentRow, type PaymentsFormat } from '../../src/patients/payments-file.ts';

function parse(format: PaymentsFormat, text: string, chunk = 3): PaymentRow[] {
  const p = new PaymentsFileParser(format, 'payments-test');
  const out: PaymentRow[] = [];
  for (let i = 0; i < text.length; i += chunk) out.push(...p.push(text.slice(i, i + chunk)));
  out.push(...p.end());
  return out;
}

const csv = [
  'Account Number,Payment Amount,Payment Date,Payment Method,Transaction ID',
  'G-2001,25.10,2025-03-05,Visa,TX-1001',
  'G-2002,"$1,234.5",03/06/2025,check,CHK-77',
  'G-2003,0,2025-03-05,card,TX-1002',
  'G-2004,12.345,2025-03-05,card,TX-1003',
  'G-2005,10,2025-02-30,card,TX-1004',
  'G-2006,10,2025-03-05,barter,TX-1005',
  ',10,2025-03-05,card,TX-1006',
].join('\n');

describe('payments files', () => {
  it('recognises CSV and NDJSON by their header, and nothing else', () => {
    expect(detectPaymentsFormat('account,amount,date,method,reference\nG-1,1,2025-01-01,card,R')).toBe('csv');
    expect(detectPaymentsFormat('\uFEFFAcct;x')).toBeNull();
    expect(detectPaymentsFormat('account,amount,date,method\n')).toBeNull();
    expect(detectPaymentsFormat('{"account":"G-1","amount":"1","date":"2025-01-01","method":"card","reference":"R"}\n')).toBe('ndjson');
    expect(detectPaymentsFormat('ISA*00*          *00*')).toBeNull();
  });

  it('parses rows to cents and rejects bad rows one by one with their line', () => {
    const rows = parse('csv', csv);
    expect(rows.slice(0, 2)).toEqual([
      { ok: true, payment: { accountNumber: 'G-2001', amountCents: 2510n, date: '2025-03-05', method: 'card', reference: 'TX-1001', line: 2 } },
      { ok: true, payment: { accountNumber: 'G-2002', amountCents: 123_450n, date: '2025-03-06', method: 'check', reference: 'CHK-77', line: 3 } },
    ]);
    const errors = rows.slice(2).map((r) => (r.ok ? 'ok' : `${r.error.code}@${r.error.location.line}:${r.error.location.field}`));
    expect(errors).toEqual([
      'PAYMENT_AMOUNT_INVALID@4:amount',
      'MONEY_PRECISION@5:amount',
      'PAYMENT_DATE_INVALID@6:date',
      'PAYMENT_METHOD_UNKNOWN@7:method',
      'PAYMENT_FIELD_MISSING@8:account',
    ]);
  });

  it('takes NDJSON numbers from their text, not through a float', () => {
    const text = '{"account":"G-1","amount":0.29,"date":"20250301","method":"ACH","reference":"A-1"}\n{"account":"G-2","amount":"19.99","date":"2025-03-01","method":"cash","reference":"A-2"}';
    const rows = parse('ndjson', text, 5);
    expect(rows.map((r) => (r.ok ? [r.payment.accountNumber, r.payment.amountCents, r.payment.date, r.payment.method, r.payment.line] : r.error.code))).toEqual([
      ['G-1', 29n, '2025-03-01', 'ach', 1],
      ['G-2', 1999n, '2025-03-01', 'cash', 2],
    ]);
  });

  it('refuses a file whose first row is not a payments header', () => {
    expect(() => parse('csv', 'id,total\n1,2\n')).toThrow(/does not name account, amount, date, method and reference/);
  });
});

describe('payments files with text the database cannot store', () => {
  it('rejects the row with its line and field; the rows beside it are read', () => {
    const text = 'account,amount,date,method,reference\nG-1,10,2025-03-05,card,TX\u00001\nG-2,20,2025-03-05,card,TX-2\n';
    const ndjson = '{"account":"G-\\u00001","amount":"10","date":"2025-03-05","method":"card","reference":"R-1"}\n{"account":"G-2","amount":"20","date":"2025-03-05","method":"card","reference":"R-2"}\n';
    for (const [format, input, field, found] of [['csv', text, 'reference', 'TX\\u00001'], ['ndjson', ndjson, 'account', 'G-\\u00001']] as const) {
      const rows = parse(format, input);
      expect(rows.map((r) => (r.ok ? r.payment.accountNumber : r.error.code))).toEqual(['PAYMENT_FIELD_CONTROL_CHARACTER', 'G-2']);
      const bad = rows[0]!;
      if (bad.ok) continue;
      expect(bad.error.location).toEqual({ file: 'payments-test', line: 2 - (format === 'ndjson' ? 1 : 0), field });
      expect(bad.error.found).toBe(found);
    }
  });
});
