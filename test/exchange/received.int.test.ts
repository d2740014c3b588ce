// Interchanges received, on a real Postgres: redelivery, reused control numbers, and rollback.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '../support/db.ts';
import { withTransaction } from '../../src/runtime/database.ts';
import { recordInterchange } from '../../src/exchange/received.ts';
import { inspectSource } from '../../src/exchange/inspect.ts';
import { envelopeEventBatches } from '../../src/exchange/x12-sets.ts';
import type { InterchangeSummary } from '../../src/x12/envelope-types.ts';

const db = await useTestDatabase();

const isa = (isa13: string): string =>
  `ISA*00*          *00*          *ZZ*PAYERSYN       *ZZ*CLINICSYN      *240105*0930*^*00501*${isa13}*0*T*:~`;
const file = (isa13: string, amount: string): string =>
  `${isa(isa13)}GS*HP*PAYERSYN*CLINICSYN*20240105*0930*7*X*005010X221A1~ST*835*0001~BPR*I*${amount}*C*ACH~SE*3*0001~GE*1*7~IEA*1*${isa13}~`;

async function summaryOf(text: string): Promise<InterchangeSummary> {
  for await (const batch of envelopeEventBatches([Buffer.from(text)], { file: 'syn.x12', hashContent: true })) {
    for (const e of batch) if (e.kind === 'interchangeEnd') return e.summary;
  }
  throw new Error('no interchange');
}

const source = (name: string) => ({ fileName: name, fileSha256: 'a'.repeat(64), receivedAt: new Date('2024-01-05T10:00:00Z') });

describe('recordInterchange', () => {
  it('records a new interchange, then sees the same content as a redelivery', async () => {
    const summary = await summaryOf(file('000000101', '100'));
    const first = await withTransaction(db.pool, (c) => recordInterchange(c, summary, source('first.x12')));
    expect(first.status).toBe('new');
    const again = await withTransaction(db.pool, (c) => recordInterchange(c, summary, source('again.x12')));
    expect(again).toMatchObject({ status: 'redelivery', id: first.id, firstFile: 'first.x12' });
    const rows = await db.pool.query('SELECT control_number, sender_id, status, set_count FROM x12_interchanges WHERE control_number = $1', ['000000101']);
    expect(rows.rows).toEqual([{ control_number: '000000101', sender_id: 'PAYERSYN', status: 'received', set_count: 1 }]);
  });

  it('records the same ISA13 with different content as a reused control number', async () => {
    await withTransaction(db.pool, async (c) => recordInterchange(c, await summaryOf(file('000000202', '100')), source('a.x12')));
    const other = await withTransaction(db.pool, async (c) => recordInterchange(c, await summaryOf(file('000000202', '250.5')), source('b.x12')));
    expect(other.status).toBe('control_number_reused');
    const rows = await db.pool.query('SELECT status FROM x12_interchanges WHERE control_number = $1 ORDER BY id', ['000000202']);
    expect(rows.rows.map((r) => r.status)).toEqual(['received', 'control_number_reused']);
  });

  it('leaves no "seen before" when the caller rolls back', async () => {
    const summary = await summaryOf(file('000000303', '100'));
    await expect(withTransaction(db.pool, async (c) => {
      await recordInterchange(c, summary, source('crash.x12'));
      throw new Error('posting failed');
    })).rejects.toThrow('posting failed');
    const retry = await withTransaction(db.pool, (c) => recordInterchange(c, summary, source('retry.x12')));
    expect(retry.status).toBe('new');
  });

  it('makes a concurrent second delivery wait and then see a redelivery', async () => {
    const summary = await summaryOf(file('000000404', '100'));
    const a = await db.pool.connect();
    const b = await db.pool.connect();
    try {
      await a.query('BEGIN');
      await b.query('BEGIN');
      expect((await recordInterchange(a, summary, source('a.x12'))).status).toBe('new');
      const pendingB = recordInterchange(b, summary, source('b.x12'));
      await new Promise((r) => setTimeout(r, 100));
      await a.query('COMMIT');
      expect((await pendingB).status).toBe('redelivery');
      await b.query('COMMIT');
    } finally {
      a.release();
      b.release();
    }
  });

  it('hashes content from inspect the same way as from the event stream', async () => {
    const text = file('000000505', '100');
    const report = await inspectSource([Buffer.from(text)], { file: 'syn.x12' });
    // No whitespace between segments here, so the content hash is the file's own sha256.
    const fileHash = createHash('sha256').update(text).digest('hex');
    expect(report.interchanges[0]?.contentSha256).toBe(fileHash);
    expect((await summaryOf(text)).contentHash).toBe(fileHash);
  });
});
