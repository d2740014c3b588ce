import { describe, expect, it } from 'vitest';
import { paymentsFileStatus } from '../../src/pipeline/payments-file-outcome.ts';
import { ClaimsError } from '../../src/common/errors.ts';
import type { SetOutcome } from '../../src/exchange/set-handler.ts';

const row = (line: number, status: SetOutcome['status']): SetOutcome => ({ set: `line ${line}`, transactionSet: 'payments', status, reasons: [] });
const header = new ClaimsError({ code: 'PAYMENTS_HEADER_UNRECOGNISED', message: 'x' });

describe('paymentsFileStatus', () => {
  it.each([
    ['every row posted', [row(2, 'posted'), row(3, 'posted')], [], 'done'],
    ['some posted, some seen before', [row(2, 'posted'), row(3, 'duplicate')], [], 'done'],
    ['every row seen before', [row(2, 'duplicate'), row(3, 'duplicate')], [], 'duplicate'],
    ['a header and no rows (a day without payments)', [], [], 'done'],
    ['one row rejected next to a posted one', [row(2, 'posted'), row(3, 'quarantined')], [], 'partial'],
    ['one row rejected next to a duplicate', [row(2, 'duplicate'), row(3, 'quarantined')], [], 'partial'],
    ['every row rejected', [row(2, 'quarantined')], [], 'quarantined'],
    ['an unreadable header', [], [header], 'quarantined'],
  ] as const)('%s', (_name, sets, problems, expected) => {
    expect(paymentsFileStatus([...sets], [...problems])).toBe(expected);
  });
});
