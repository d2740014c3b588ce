// Reading claims exports: chunks keep record numbers and order; a claims export is told apart from the
// payment and appointment NDJSON files that share its inbox by its first record.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { looksLikeClaimsExport, readClaimsExportChunks } from '../../src/claim-exports/read-export.ts';
import { syntheticClaim } from '../claims/support/synthetic.ts';

const work = mkdtempSync(path.join(tmpdir(), 'claims-read-export-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const file = (name: string, text: string | Buffer): string => {
  const p = path.join(work, name);
  writeFileSync(p, text);
  return p;
};
const samples = fileURLToPath(new URL('../../samples', import.meta.url));

describe('claims export reading', () => {
  it('yields every record once, in order, with line numbers, across chunks; blank lines skipped, bad JSON reported', async () => {
    const lines = Array.from({ length: 3000 }, (_, i) => JSON.stringify(syntheticClaim(i)));
    lines.splice(1500, 0, '', '{not json');
    const p = file('big.ndjson', '\uFEFF' + lines.join('\r\n') + '\n');
    const seen: (number | string)[] = [];
    let chunks = 0;
    for await (const chunk of readClaimsExportChunks(p)) {
      chunks++;
      for (const item of chunk) seen.push('error' in item ? `error@${item.record}` : (item.value as { claimId: string }).claimId + `@${item.record}`);
    }
    expect(chunks).toBeGreaterThan(1);
    expect(seen.length).toBe(3001);
    expect(seen[0]).toBe('C00000000@1');
    expect(seen[1500]).toBe('error@1502');
    expect(seen[1501]).toBe('C00001500@1503');
    expect(seen[3000]).toBe('C00002999@3002');
  });

  it('splits lines in the bytes: a character or a line cut across chunks is read whole', async () => {
    // Names with two-, three- and four-byte UTF-8 characters; the file is read 7 bytes at a time, so reads
    // end inside characters, inside lines, and on CR/LF pairs.
    const records = [{ n: 'Zoë Ångström' }, { n: '名前' }, { n: 'emoji 🙂 ok' }, { n: 'x'.repeat(50) }];
    const bytes = Buffer.from('\uFEFF' + records.map((r) => JSON.stringify(r)).join('\r\n') + '\r\n\n' + JSON.stringify({ n: 'last, no newline' }), 'utf8');
    const seen: unknown[] = [];
    for await (const chunk of readClaimsExportChunks(file('cut.ndjson', bytes), 7)) {
      for (const item of chunk) seen.push('error' in item ? item : [item.record, item.value]);
    }
    expect(seen).toEqual([...records.map((r, i) => [i + 1, r]), [6, { n: 'last, no newline' }]]);
  });

  it('reads a JSON array export in chunks too', async () => {
    const p = file('array.json', JSON.stringify(Array.from({ length: 300 }, (_, i) => syntheticClaim(i))));
    const records: number[] = [];
    for await (const chunk of readClaimsExportChunks(p)) for (const item of chunk) records.push(item.record);
    expect(records).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
  });

  it('takes claims exports and leaves payment and appointment files alone', async () => {
    expect(await looksLikeClaimsExport(path.join(samples, 'claims', '01-export.ndjson'))).toBe(true);
    expect(await looksLikeClaimsExport(file('export.json', JSON.stringify([syntheticClaim(1)])))).toBe(true);
    expect(await looksLikeClaimsExport(path.join(samples, 'appointments', 'upcoming.ndjson'))).toBe(false);
    const payments = '{"paymentId":"PAY-1","accountNumber":"A00000001","amount":"25.00","paidOn":"2024-03-05","method":"card"}\n';
    expect(await looksLikeClaimsExport(file('processor-2024-03-05.ndjson', payments))).toBe(false);
    expect(await looksLikeClaimsExport(file('garbage.ndjson', 'not json at all\n'))).toBe(false);
    expect(await looksLikeClaimsExport(file('agencies.json', '{"agencies":[]}'))).toBe(false);
  });
});
