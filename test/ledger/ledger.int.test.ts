// Proofs of the ledger on a real Postgres: the database itself refuses unbalanced entries and edits,
// posting is exactly once (duplicate = no change, other content under the same key = loud error),
// concurrent posters of one batch produce one posting, and the queries add up to hand-computed totals.
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase, type TestDatabase } from '../support/db.ts';
import { ClaimsError } from '../../src/common/errors.ts';
import { postBatch, postBatchInTransaction } from '../../src/ledger/post.ts';
import { accountBalance, balances, claimBalances } from '../../src/ledger/queries.ts';
import type { Entry, PostingBatch } from '../../src/ledger/types.ts';

let db: TestDatabase;
beforeAll(async () => {
  db = await useTestDatabase();
});
afterAll(async () => {
  await db?.close();
});

function charge(key: string, claimId: string, payerId: string, cents: bigint, date = '2025-03-01'): Entry {
  return {
    key, reason: 'claim.charge', effectiveDate: date,
    lines: [
      { account: { kind: 'insurance_receivable', payerId }, amountCents: cents, claimId },
      { account: { kind: 'revenue' }, amountCents: -cents, claimId },
    ],
  };
}

function payment(key: string, claimId: string, payerId: string, patientId: string, date: string): Entry {
  // 150.00 charged: 90.00 paid, 40.00 CO-45, 20.00 PR-1 to the patient.
  return {
    key, reason: 'remit.payment', effectiveDate: date,
    source: { fileSha256: 'ef'.repeat(32), fileName: 'acme.835', interchange: '000000905', group: '7', set: '0001', segmentIndex: 12 },
    lines: [
      { account: { kind: 'payer_clearing', payerId }, amountCents: 9000n, claimId },
      { account: { kind: 'contractual_adjustment' }, amountCents: 4000n, reason: 'CO-45', claimId },
      { account: { kind: 'patient_receivable', patientId }, amountCents: 2000n, reason: 'PR-1', claimId },
      { account: { kind: 'insurance_receivable', payerId }, amountCents: -15000n, claimId },
    ],
  };
}

async function count(sql: string, params: unknown[] = []): Promise<number> {
  const r = await db.pool.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${sql}`, params);
  return Number(r.rows[0]!.n);
}

async function ledgerCounts(): Promise<[number, number, number]> {
  return [await count('posting_batches'), await count('entries'), await count('entry_lines')];
}

async function rejection(p: Promise<unknown>): Promise<ClaimsError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof ClaimsError) return err;
    throw err;
  }
  throw new Error('expected the promise to reject');
}

/** Run raw SQL in a transaction of its own and return the error message the database gave. */
async function rawError(statements: string[]): Promise<string> {
  const client = await db.pool.connect();
  try {
    await client.query('BEGIN');
    for (const s of statements) await client.query(s);
    await client.query('COMMIT');
    return 'no error';
  } catch (err) {
    await client.query('ROLLBACK');
    return (err as Error).message;
  } finally {
    client.release();
  }
}

describe('posting and balances', () => {
  it('posts a batch and reports hand-computed balances, as of any date', async () => {
    const outcome = await postBatch(db, {
      key: 'remit:ACME:T1',
      entries: [charge('charge:C1', 'C1', 'ACME', 15000n), payment('pay:C1', 'C1', 'ACME', 'G-1', '2025-04-01')],
    });
    expect(outcome).toBe('posted');

    const all = await balances(db);
    expect(all).toEqual({
      asOf: null,
      practiceId: null,
      totalCents: 0n,
      practiceTotals: new Map([['default', 0n]]),
      accounts: [
        { practiceId: 'default', kind: 'payer_clearing', payerId: 'ACME', patientId: null, balanceCents: 9000n },
        { practiceId: 'default', kind: 'insurance_receivable', payerId: 'ACME', patientId: null, balanceCents: 0n },
        { practiceId: 'default', kind: 'patient_receivable', payerId: null, patientId: 'G-1', balanceCents: 2000n },
        { practiceId: 'default', kind: 'revenue', payerId: null, patientId: null, balanceCents: -15000n },
        { practiceId: 'default', kind: 'contractual_adjustment', payerId: null, patientId: null, balanceCents: 4000n },
      ],
    });
    const march = await balances(db, { asOf: '2025-03-31' });
    expect(march.accounts).toEqual([
      { practiceId: 'default', kind: 'insurance_receivable', payerId: 'ACME', patientId: null, balanceCents: 15000n },
      { practiceId: 'default', kind: 'revenue', payerId: null, patientId: null, balanceCents: -15000n },
    ]);
    expect(await accountBalance(db, { kind: 'patient_receivable', patientId: 'G-1' })).toBe(2000n);
    expect(await accountBalance(db, { kind: 'insurance_receivable', payerId: 'ACME' }, { asOf: '2025-03-31' })).toBe(15000n);
    expect(await accountBalance(db, { kind: 'cash' })).toBe(0n);

    const perClaim = await claimBalances(db, ['C1', 'NONE']);
    expect(perClaim.get('NONE')).toEqual([]);
    expect(perClaim.get('C1')).toEqual([
      { practiceId: 'default', kind: 'payer_clearing', payerId: 'ACME', patientId: null, balanceCents: 9000n },
      { practiceId: 'default', kind: 'insurance_receivable', payerId: 'ACME', patientId: null, balanceCents: 0n },
      { practiceId: 'default', kind: 'patient_receivable', payerId: null, patientId: 'G-1', balanceCents: 2000n },
      { practiceId: 'default', kind: 'revenue', payerId: null, patientId: null, balanceCents: -15000n },
      { practiceId: 'default', kind: 'contractual_adjustment', payerId: null, patientId: null, balanceCents: 4000n },
    ]);

    // The source reference is stored with the entry.
    const src = await db.pool.query(
      'SELECT source_file_sha256, source_file_name, source_isa13, source_gs06, source_st02, source_segment_index, line_count FROM entries WHERE key = $1', ['pay:C1']);
    expect(src.rows).toEqual([{ source_file_sha256: 'ef'.repeat(32), source_file_name: 'acme.835', source_isa13: '000000905',
      source_gs06: '7', source_st02: '0001', source_segment_index: 12, line_count: 4 }]);
  });

  it('treats the same batch posted twice as a duplicate that writes nothing', async () => {
    const batch: PostingBatch = { key: 'charges:2025-03-02', entries: [charge('charge:C2', 'C2', 'ACME', 2500n, '2025-03-02')] };
    expect(await postBatch(db, batch)).toBe('posted');
    const before = await ledgerCounts();
    const balancesBefore = await balances(db);
    expect(await postBatch(db, batch)).toBe('duplicate');
    // The same content built anew (other object identities) is still the same batch.
    expect(await postBatch(db, structuredClone(batch))).toBe('duplicate');
    expect(await ledgerCounts()).toEqual(before);
    expect(await balances(db)).toEqual(balancesBefore);
  });

  it('fails loudly, naming the key, when the key was posted with different content', async () => {
    const before = await ledgerCounts();
    const err = await rejection(postBatch(db, { key: 'charges:2025-03-02', entries: [charge('charge:C2', 'C2', 'ACME', 2501n, '2025-03-02')] }));
    expect(err.code).toBe('LEDGER_KEY_CONFLICT');
    expect(err.message).toBe('batch key charges:2025-03-02 was already posted with different content');
    expect(await ledgerCounts()).toEqual(before);
  });

  it('refuses an entry key already used by another batch, writing nothing', async () => {
    const before = await ledgerCounts();
    const err = await rejection(postBatch(db, { key: 'other-batch', entries: [charge('charge:C3', 'C3', 'ACME', 100n), charge('charge:C2', 'C2', 'ACME', 2500n)] }));
    expect(err.code).toBe('LEDGER_ENTRY_KEY_CONFLICT');
    expect(err.message).toContain('entry key charge:C2');
    expect(await ledgerCounts()).toEqual(before);
  });

  it('refuses an unbalanced entry before writing, and the pool stays usable', async () => {
    const bad = charge('charge:C9', 'C9', 'ACME', 100n);
    bad.lines[1]!.amountCents = -99n;
    const before = await ledgerCounts();
    const err = await rejection(postBatch(db, { key: 'unbalanced', entries: [bad] }));
    expect([err.code, err.location.field]).toEqual(['LEDGER_UNBALANCED', 'entries[0].lines']);
    expect(await ledgerCounts()).toEqual(before);
  });

  it('posts inside the caller transaction, and a rollback leaves nothing', async () => {
    const before = await ledgerCounts();
    const client: pg.PoolClient = await db.pool.connect();
    try {
      await client.query('BEGIN');
      expect(await postBatchInTransaction(client, { key: 'in-tx', entries: [charge('charge:C4', 'C4', 'BETA', 700n)] })).toBe('posted');
      await client.query('ROLLBACK');
    } finally {
      client.release();
    }
    expect(await ledgerCounts()).toEqual(before);
    expect(await postBatch(db, { key: 'in-tx', entries: [charge('charge:C4', 'C4', 'BETA', 700n)] })).toBe('posted');
    expect(await accountBalance(db, { kind: 'insurance_receivable', payerId: 'BETA' })).toBe(700n);
  });
});

describe('the database enforces the rules itself', () => {
  it('refuses an unbalanced entry written by raw SQL, in one statement or in pieces', async () => {
    const accounts = await db.pool.query<{ id: string }>(
      "SELECT id::text AS id FROM accounts WHERE kind IN ('revenue', 'contractual_adjustment') ORDER BY kind");
    const [a, b] = accounts.rows.map((r) => r.id);
    const open = (key: string): string[] => [
      `INSERT INTO posting_batches (key, content_sha256, entry_count, line_count) VALUES ('${key}', repeat('0', 64), 1, 2)`,
      `INSERT INTO entries (batch_id, ordinal, line_count, effective_date, key, reason)
         SELECT id, 0, 2, '2025-05-01', '${key}:e', 'raw' FROM posting_batches WHERE key = '${key}'`,
    ];
    const line = (key: string, account: string | undefined, cents: number, no: number): string =>
      `INSERT INTO entry_lines (batch_id, account_id, amount_cents, entry_ordinal, line_no)
         SELECT id, ${account}, ${cents}, 0, ${no} FROM posting_batches WHERE key = '${key}'`;
    const bothLines = (key: string, x: number, y: number): string =>
      `INSERT INTO entry_lines (batch_id, account_id, amount_cents, entry_ordinal, line_no)
         SELECT id, ${a}, ${x}, 0, 0 FROM posting_batches WHERE key = '${key}'
         UNION ALL SELECT id, ${b}, ${y}, 0, 1 FROM posting_batches WHERE key = '${key}'`;
    const before = await ledgerCounts();

    expect(await rawError([...open('raw1'), bothLines('raw1', 100, -90)])).toBe('LEDGER_UNBALANCED: entry raw1:e lines sum to 10 cents, expected 0');
    expect(await rawError([...open('raw2'), line('raw2', a, 100, 0), line('raw2', b, -99, 1)])).toBe('LEDGER_UNBALANCED: entry raw2:e lines sum to 1 cents, expected 0');
    expect(await rawError([...open('raw3'), line('raw3', a, 100, 0)])).toMatch(/^LEDGER_BATCH_INCOMPLETE: batch \d+ is missing 0 entries and 1 lines of what it announced$/);
    expect(await rawError([...open('raw4'), line('raw4', a, 100, 0), line('raw4', b, -100, 2)])).toBe('LEDGER_LINE_OUT_OF_RANGE: entry raw4:e announced 2 lines but has line_no 2');
    expect(await rawError([...open('raw5'), line('raw5', '999999', 100, 0), line('raw5', b, -100, 1)])).toBe('LEDGER_ACCOUNT_MISSING: entry line refers to account 999999 which does not exist');
    expect(await ledgerCounts()).toEqual(before);

    // The same statements, balanced, are accepted: the rules are not refusing everything.
    expect(await rawError([...open('raw6'), line('raw6', a, 100, 0), line('raw6', b, -100, 1)])).toBe('no error');
    expect(await rawError([...open('raw7'), bothLines('raw7', 5, -5)])).toBe('no error');
    const after = await ledgerCounts();
    expect(after).toEqual([before[0] + 2, before[1] + 2, before[2] + 4]);
  });

  it('refuses entries missing their lines, and lines added to a committed batch', async () => {
    const message = await rawError([
      "INSERT INTO posting_batches (key, content_sha256, entry_count, line_count) VALUES ('short', repeat('0', 64), 1, 2)",
      "INSERT INTO entries (batch_id, ordinal, line_count, effective_date, key, reason) SELECT id, 0, 2, '2025-05-01', 'short:e', 'raw' FROM posting_batches WHERE key = 'short'",
    ]);
    expect(message).toMatch(/^LEDGER_BATCH_INCOMPLETE: batch \d+ is missing 0 entries and 2 lines of what it announced$/);

    const revenue = (await db.pool.query<{ id: string }>("SELECT id::text AS id FROM accounts WHERE kind = 'revenue'")).rows[0]!.id;
    const appended = await rawError([
      `INSERT INTO entry_lines (batch_id, account_id, amount_cents, entry_ordinal, line_no)
         SELECT batch_id, ${revenue}, 0, ordinal, 2 FROM entries WHERE key = 'charge:C1'`,
    ]);
    expect(appended).toMatch(/^LEDGER_BATCH_CLOSED: batch \d+ is not open in this transaction/);
    const extraEntry = await rawError([
      "INSERT INTO entries (batch_id, ordinal, line_count, effective_date, key, reason) SELECT batch_id, 5, 1, '2025-05-01', 'late', 'raw' FROM entries WHERE key = 'charge:C1'",
    ]);
    expect(extraEntry).toMatch(/^LEDGER_BATCH_CLOSED: batch \d+ is not open in this transaction/);
  });

  it('refuses UPDATE, DELETE and TRUNCATE of ledger rows', async () => {
    const before = await balances(db);
    for (const sql of [
      'UPDATE entry_lines SET amount_cents = amount_cents + 1',
      'DELETE FROM entry_lines',
      'UPDATE entries SET effective_date = effective_date + 1',
      'DELETE FROM entries',
      "UPDATE posting_batches SET content_sha256 = repeat('1', 64)",
      'DELETE FROM posting_batches',
      "UPDATE accounts SET payer_id = 'X'",
      'DELETE FROM accounts',
      'TRUNCATE entry_lines',
    ]) {
      expect(await rawError([sql])).toMatch(/^LEDGER_IMMUTABLE: (UPDATE|DELETE|TRUNCATE) on \w+ is refused/);
    }
    expect(await balances(db)).toEqual(before);
  });
});

describe('concurrent posting of one batch', () => {
  it('gives exactly one posting: one poster gets posted, the other duplicate', async () => {
    const batch: PostingBatch = { key: 'race', entries: [charge('charge:R1', 'R1', 'RACE', 1234n), charge('charge:R2', 'R2', 'RACE', 766n)] };
    // Hold both posters at their claim: a lock that conflicts with their INSERT, released once both wait.
    const gate = await db.pool.connect();
    try {
      await gate.query('BEGIN');
      await gate.query('LOCK TABLE posting_batches IN SHARE MODE');
      const results = Promise.all([postBatch(db, batch), postBatch(db, structuredClone(batch))]);
      let bothWaiting = false;
      for (let i = 0; i < 200 && !bothWaiting; i++) {
        const waiting = await db.pool.query<{ n: string }>(
          "SELECT count(*)::text AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%INSERT INTO posting_batches%'");
        bothWaiting = waiting.rows[0]!.n === '2';
        if (!bothWaiting) await new Promise((r) => setTimeout(r, 25));
      }
      await gate.query('COMMIT');
      expect(bothWaiting).toBe(true);
      expect((await results).sort()).toEqual(['duplicate', 'posted']);
    } finally {
      gate.release();
    }
    expect(await count("posting_batches WHERE key = 'race'")).toBe(1);
    expect(await count("entries WHERE key LIKE 'charge:R%'")).toBe(2);
    expect(await accountBalance(db, { kind: 'insurance_receivable', payerId: 'RACE' })).toBe(2000n);
  });
});
