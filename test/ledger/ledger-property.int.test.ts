// Property (fast-check, fixed seed) on a real Postgres: posting random balanced entries and then their
// exact negations (reversals, as corrections are posted) leaves every account's balance at zero, and
// in between every account holds exactly the sum of its lines computed here.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase, type TestDatabase } from '../support/db.ts';
import { postBatch } from '../../src/ledger/post.ts';
import { accountRefKey } from '../../src/ledger/prepare.ts';
import { balances } from '../../src/ledger/queries.ts';
import type { AccountRef, Entry } from '../../src/ledger/types.ts';

let db: TestDatabase;
beforeAll(async () => {
  db = await useTestDatabase();
});
afterAll(async () => {
  await db?.close();
});

const ACCOUNTS: AccountRef[] = [
  { kind: 'cash' },
  { kind: 'payer_clearing', payerId: 'P1' },
  { kind: 'insurance_receivable', payerId: 'P1' },
  { kind: 'insurance_receivable', payerId: 'P2' },
  { kind: 'patient_receivable', patientId: 'G-1' },
  { kind: 'patient_receivable', patientId: 'G-2' },
  { kind: 'revenue' },
  { kind: 'contractual_adjustment' },
];

/** An entry's unbalanced legs; the last line is added to bring the sum to zero. */
const legs = fc.array(
  fc.record({ account: fc.integer({ min: 0, max: ACCOUNTS.length - 1 }), amountCents: fc.bigInt({ min: -10_000_000n, max: 10_000_000n }) }),
  { minLength: 1, maxLength: 6 },
);
const entriesArb = fc.array(fc.record({ legs, closing: fc.integer({ min: 0, max: ACCOUNTS.length - 1 }), day: fc.integer({ min: 1, max: 28 }) }), { minLength: 1, maxLength: 8 });

describe('posting then reversing', () => {
  it('leaves every balance at zero (fast-check, seed 20250401)', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(entriesArb, async (drafts) => {
        run += 1;
        const entries: Entry[] = drafts.map((d, i) => {
          const lines = d.legs.map((l) => ({ account: ACCOUNTS[l.account]!, amountCents: l.amountCents }));
          const sum = lines.reduce((s, l) => s + l.amountCents, 0n);
          lines.push({ account: ACCOUNTS[d.closing]!, amountCents: -sum });
          return { key: `r${run}:e${i}`, reason: 'test.random', effectiveDate: `2025-07-${String(d.day).padStart(2, '0')}`, lines };
        });
        const reversals: Entry[] = entries.map((e) => ({
          ...e, key: `${e.key}:reversal`, reason: 'test.reversal',
          lines: e.lines.map((l) => ({ ...l, amountCents: -l.amountCents })),
        }));

        expect(await postBatch(db, { key: `run${run}`, entries })).toBe('posted');
        const expected = new Map<string, bigint>();
        for (const e of entries) for (const l of e.lines) expected.set(accountRefKey({ ...l.account, practiceId: 'default' }), (expected.get(accountRefKey({ ...l.account, practiceId: 'default' })) ?? 0n) + l.amountCents);
        const midway = await balances(db);
        expect(midway.totalCents).toBe(0n);
        for (const a of midway.accounts) expect(a.balanceCents).toBe(expected.get(accountRefKey(a)) ?? 0n);

        expect(await postBatch(db, { key: `run${run}:reversal`, entries: reversals })).toBe('posted');
        const after = await balances(db);
        expect(after.totalCents).toBe(0n);
        expect(after.accounts.filter((a) => a.balanceCents !== 0n)).toEqual([]);
      }),
      { seed: 20250401, numRuns: 40 },
    );
  });
});
