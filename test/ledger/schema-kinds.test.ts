// The account kinds the database accepts are exactly ACCOUNT_KINDS (the SQL CHECK is written out by hand).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ACCOUNT_KINDS } from '../../src/ledger/types.ts';

describe('0001_ledger.sql', () => {
  it('checks accounts.kind against exactly ACCOUNT_KINDS', () => {
    const sql = readFileSync(new URL('../../schemas/db/0001_ledger.sql', import.meta.url), 'utf8');
    const check = /kind text NOT NULL CHECK \(kind IN \(([^)]*)\)\)/.exec(sql);
    expect(check).not.toBeNull();
    const kinds = [...check![1]!.matchAll(/'([a-z_]+)'/g)].map((m) => m[1]);
    expect(kinds).toEqual([...ACCOUNT_KINDS]);
  });
});
