// Claims prepared on worker threads give what this thread gives: the same items in the same order with the
// same record numbers, and the same files and reports byte for byte, whatever the block size and thread
// count. The export mixes what real ones hold: a byte order mark, CRLF lines, blank lines, a line that is
// not JSON, invalid claims, duplicates and a conflict inside the file, runs of one billing provider broken by
// another, dependents, secondary coverages, both claim types, and no newline at the end.
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { loadPayerProfiles } from '../../src/runtime/payer-profiles.ts';
import { submitClaims, type SubmitOptions, type SubmitSummary } from '../../src/claims/submit.ts';
import { memoryControlNumbers } from '../../src/exchange/control-numbers.ts';
import { fixedClock } from '../../src/common/clock.ts';
import { preparedExport, type PreparedItem } from '../../src/claim-exports/prepared-export.ts';
import { PreparePool } from '../../src/claim-exports/prepare-pool.ts';
import { lineBlocks } from '../../src/claim-exports/file-blocks.ts';
import { ClaimRenderer } from '../../src/transactions/claim-837-render.ts';
import { SegmentText } from '../../src/transactions/claim-837-text.ts';
import { DEFAULT_DELIMITERS } from '../../src/x12/writer.ts';
import type { PayerProfile } from '../../src/domain/payer-profile.ts';
import { syntheticClaim, npi } from '../claims/support/synthetic.ts';
import { validate837 } from '../support/x12-837-validator.ts';

const samples = fileURLToPath(new URL('../../samples', import.meta.url));
const payers = await loadPayerProfiles(path.join(samples, 'payers'));
const work = mkdtempSync(path.join(tmpdir(), 'claims-threads-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const TODAY = '2024-09-01';

/** About 3,000 records, 4 MB: several 1 MiB blocks. */
function mixedExport(): string {
  const lines: string[] = [];
  for (let i = 0; i < 3000; i++) {
    const c = syntheticClaim(i);
    if (i % 97 === 13) c.billingProvider.npi = c.billingProvider.npi.slice(0, 9) + String((Number(c.billingProvider.npi[9]) + 1) % 10);
    // Another billing provider's run, and the first one's with a new phone (a new 2000A in both cases).
    if (i >= 1200 && i < 1210 && c.claimType === 'professional') c.billingProvider = { ...c.billingProvider, npi: npi('555666777'), organizationName: 'OTHER CLINIC' };
    if (i >= 1500 && i < 1505 && c.claimType === 'professional') c.billingProvider = { ...c.billingProvider, phone: '5555550199' };
    lines.push(JSON.stringify(c) + (i % 7 === 2 ? '\r' : ''));
    if (i % 500 === 250) lines.push('');
    if (i === 777) lines.push('{"claimId": "BROKEN", ');
    if (i === 900) lines.push(JSON.stringify(syntheticClaim(10))); // the same claim again: a duplicate
    if (i === 901) lines.push(JSON.stringify({ ...syntheticClaim(11), claimId: 'CHANGED' })); // same key, new content
  }
  for (const f of ['01-export.ndjson', '02-corrections.ndjson']) {
    lines.push(...readFileSync(path.join(samples, 'claims', f), 'utf8').split('\n').filter((l) => l !== ''));
  }
  const file = path.join(work, 'mixed.ndjson');
  writeFileSync(file, '\uFEFF' + lines.join('\n'));
  return file;
}
const exportFile = mixedExport();

/** The same kind of export as one pretty-printed JSON array, with a broken element in it. */
function arrayExport(): string {
  const records: unknown[] = Array.from({ length: 2500 }, (_, i) => syntheticClaim(i));
  records.splice(900, 0, syntheticClaim(10), { ...syntheticClaim(11), claimId: 'CHANGED' });
  const text = JSON.stringify(records, null, 2).replace('"claimId": "C00000777"', '"claimId": tru');
  const file = path.join(work, 'array.json');
  writeFileSync(file, text);
  return file;
}
const arrayFile = arrayExport();

const ctx = () => ({ today: TODAY, payers, renderer: new ClaimRenderer(new SegmentText(DEFAULT_DELIMITERS)) });

async function collect(pool: PreparePool | null, blockBytes?: number, source = false, file = exportFile): Promise<PreparedItem[]> {
  const all: PreparedItem[] = [];
  for await (const chunk of preparedExport(file, { ctx: ctx(), pool, source, ...(blockBytes !== undefined && { blockBytes }) })) all.push(...chunk);
  return all;
}

/** What the rest of submit reads of an item: the whole mapped claim is not sent across threads. */
const comparable = (items: PreparedItem[]) => items.map((i) => ('prepared' in i ? { record: i.record, prepared: i.prepared } : i));

describe('claims prepared on worker threads', () => {
  it('reads a file in blocks of whole lines, growing a block for a line longer than it', async () => {
    const bytes = readFileSync(exportFile);
    for (const size of [1 << 20, 4096, 100]) {
      const blocks: Uint8Array[] = [];
      for await (const b of lineBlocks(exportFile, size)) blocks.push(b);
      expect(Buffer.concat(blocks).equals(bytes)).toBe(true);
      expect(blocks.slice(0, -1).every((b) => b[b.length - 1] === 10)).toBe(true);
      expect(blocks.at(-1)![blocks.at(-1)!.length - 1]).not.toBe(10); // the export ends without a newline
      if (size === 100) expect(Math.max(...blocks.map((b) => b.length))).toBeGreaterThan(1000); // grown for a line
    }
  });

  it('gives the items this thread gives, in order, for any block size', { timeout: 60_000 }, async () => {
    const here = await collect(null);
    expect(here.length).toBe(3000 + 1 + 2 + 20); // claims, the broken line, the two repeats, the samples
    expect(here.filter((i) => 'error' in i).map((i) => i.record)).toEqual([781]);
    expect(here.filter((i) => 'rejections' in i).length).toBeGreaterThan(30);
    const pool = new PreparePool({ threads: 2, payers, today: TODAY, delimiters: DEFAULT_DELIMITERS, lineBreak: '' });
    try {
      for (const blockBytes of [1 << 20, 4096, 300]) {
        const there = await collect(pool, blockBytes);
        expect(comparable(there)).toEqual(comparable(here));
      }
      // Asked for, each claim's line comes back too (the main thread rebuilds the claim for the database).
      const withSource = await collect(pool, 1 << 20, true);
      const first = withSource.find((i) => 'prepared' in i)!;
      expect('source' in first && JSON.parse(first.source!).claimId).toBe('C00000000');
    } finally {
      await pool.close();
    }
  });

  it('gives the items this thread gives for a JSON array export too, for any block size', { timeout: 60_000 }, async () => {
    const here = await collect(null, undefined, false, arrayFile);
    expect(here.length).toBe(2502);
    expect(here.filter((i) => 'error' in i).map((i) => i.record)).toEqual([778]);
    const pool = new PreparePool({ threads: 2, payers, today: TODAY, delimiters: DEFAULT_DELIMITERS, lineBreak: '' });
    try {
      for (const blockBytes of [1 << 20, 4096, 300]) {
        expect(comparable(await collect(pool, blockBytes, false, arrayFile))).toEqual(comparable(here));
      }
    } finally {
      await pool.close();
    }
  });

  async function submit(over: Partial<SubmitOptions>): Promise<{ summary: SubmitSummary; files: Map<string, string>; report: string }> {
    const outDir = mkdtempSync(path.join(work, 'out-'));
    const summary = await submitClaims({
      inputs: [exportFile], outDir, payers, clock: fixedClock('2024-09-01T12:00:00Z'), controlNumbers: memoryControlNumbers({ ISA: 5n, GS: 5n, ST: 5n }),
      store: null, claimsPerSetMax: 700, ...over,
    });
    const files = new Map(summary.files.map((f) => [f.fileName, readFileSync(f.path, 'latin1')]));
    return { summary, files, report: readFileSync(summary.report.csv, 'utf8') + readFileSync(summary.report.json, 'utf8') };
  }

  it('writes the same 837 files and report byte for byte with 0, 1 or 3 threads', { timeout: 120_000 }, async () => {
    // The JSON array export too, on this thread and on two workers.
    const arrayHere = await submit({ threads: 0, inputs: [arrayFile] });
    const arrayThere = await submit({ threads: 2, threadsFromBytes: 0, inputs: [arrayFile] });
    expect(arrayHere.summary.sent).toBeGreaterThan(2400);
    expect([...arrayThere.files.entries()]).toEqual([...arrayHere.files.entries()]);
    expect(arrayThere.report).toBe(arrayHere.report);
    const here = await submit({ threads: 0 });
    expect(here.summary.sent).toBeGreaterThan(2900);
    expect(here.summary.duplicates).toBe(1);
    expect(here.report).toContain('CLAIM_KEY_CONFLICT');
    for (const text of here.files.values()) expect(validate837(text)).toEqual([]);
    const strip = (s: SubmitSummary) => ({ ...s, files: s.files.map((f) => [f.fileName, f.sha256, f.claimCount]), report: null });
    for (const threads of [1, 3]) {
      const there = await submit({ threads, threadsFromBytes: 0 });
      expect(strip(there.summary)).toEqual(strip(here.summary));
      expect([...there.files.keys()]).toEqual([...here.files.keys()]);
      for (const [name, text] of here.files) expect(there.files.get(name), name).toBe(text);
      expect(there.report).toBe(here.report);
    }
  });

  it('fails the submit with the worker\'s error, and leaves no file behind', { timeout: 60_000 }, async () => {
    // A profile the mapping cannot read: the worker throws, and so must submit (it is a bug, not bad input).
    const broken = new Map<string, PayerProfile>([...payers].map(([id, p]) => [id, id === 'BLUE' ? ({ ...p, crosswalk: null } as unknown as PayerProfile) : p]));
    const outDir = mkdtempSync(path.join(work, 'out-'));
    await expect(submitClaims({
      inputs: [exportFile], outDir, payers: broken, clock: fixedClock('2024-09-01T12:00:00Z'), controlNumbers: memoryControlNumbers(),
      store: null, threads: 2, threadsFromBytes: 0,
    })).rejects.toThrow(/crosswalk|null|undefined/);
    expect(readdirSync(outDir).filter((n) => n.endsWith('.x12'))).toEqual([]);
  });
});
