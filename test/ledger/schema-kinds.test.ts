// The account kinds the database accepts are exactly ACCOUNT_KINDS (the SQL CHECK is written out by hand):
// the CHECK of the last migration that sets it (0001_ledger.sql, or a later one replacing accounts_kind_check).
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ACCOUNT_KINDS } from '../../src/ledger/types.ts';

const dir = new URL('../../schemas/db/', import.meta.url);

function lastKindCheck(): { file: string; kinds: string[] } {
  let found: { file: string; kinds: string[] } | null = null;
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.sql')).sort()) {
    const sql = readFileSync(new URL(file, dir), 'utf8');
    const check = file.startsWith('0001_')
      ? /kind text NOT NULL CHECK \(kind IN \(([^)]*)\)\)/.exec(sql)
      : /ADD CONSTRAINT accounts_kind_check CHECK \(kind IN \(([^)]*)\)\)/.exec(sql);
    if (check) found = { file, kinds: [...check[1]!.matchAll(/'([a-z_]+)'/g)].map((m) => m[1]!) };
  }
  if (found === null) throw new Error('no CHECK on accounts.kind found');
  return found;
}

describe('accounts.kind', () => {
  it('is checked against exactly ACCOUNT_KINDS by the latest migration that sets it', () => {
    const { file, kinds } = lastKindCheck();
    expect(file).toBe('0018_payer_order_protections.sql');
    expect([...kinds].sort()).toEqual([...ACCOUNT_KINDS].sort());
    expect(new Set(kinds).size).toBe(kinds.length);
  });
});
