import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { loadPayerProfiles } from '../../src/runtime/payer-profiles.ts';
import { validateClaim } from '../../src/domain/claim-validate.ts';
import { mapClaim } from '../../src/payers/map-claim.ts';
import type { MappedClaim } from '../../src/domain/mapped-claim.ts';
import { Outbox, READY_FOLDER, recoverReadyFiles } from '../../src/claims/outbox.ts';
import { memoryControlNumbers } from '../../src/exchange/control-numbers.ts';
import { fixedClock } from '../../src/common/clock.ts';
import { syntheticClaim } from './support/synthetic.ts';
import { validate837 } from '../support/x12-837-validator.ts';

const payers = await loadPayerProfiles(fileURLToPath(new URL('../../samples/payers/', import.meta.url)));
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function mapped(i: number): MappedClaim {
  const c = syntheticClaim(i, { payers: ['BLUE'], institutionalEvery: 0 });
  const v = validateClaim(c, i + 1, '2024-09-01');
  if (!v.ok) throw new Error(JSON.stringify(v.rejections));
  const m = mapClaim(v.claim, i + 1, payers);
  if (!m.ok) throw new Error(JSON.stringify(m.rejections));
  return m.mapped;
}

async function writeAll(claims: MappedClaim[], start: bigint): Promise<{ dir: string; text: string }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'claims-outbox-'));
  dirs.push(dir);
  const outbox = new Outbox({ dir, clock: fixedClock('2024-09-01T12:00:00Z'), controlNumbers: memoryControlNumbers({ ISA: start, GS: start, ST: start }) });
  for (const c of claims) await outbox.addMapped(c);
  const [file] = await outbox.finish();
  await outbox.publish([file!]);
  return { dir, text: readFileSync(file!.path, 'latin1') };
}

describe('outbox', () => {
  const claims = Array.from({ length: 10_001 }, (_, i) => mapped(i));

  it('splits at 5,000 claims per ST/SE, with counts and control numbers the independent validator accepts', async () => {
    const { dir, text } = await writeAll(claims, 41n);
    expect(validate837(text)).toEqual([]);
    const segs = text.split('~');
    const sets = segs.filter((s) => s.startsWith('ST*'));
    expect(sets).toEqual(['ST*837*0042*005010X222A1', 'ST*837*0043*005010X222A1', 'ST*837*0044*005010X222A1']);
    const perSet: number[] = [];
    for (const s of segs) {
      if (s.startsWith('ST*')) perSet.push(0);
      if (s.startsWith('CLM*')) perSet[perSet.length - 1]!++;
    }
    expect(perSet).toEqual([5000, 5000, 1]);
    expect(segs.filter((s) => s.startsWith('GE*') || s.startsWith('IEA*'))).toEqual(['GE*3*42', 'IEA*1*000000042']);
    // Only the finished file is left: no part files.
    expect(readdirSync(dir)).toEqual(['837-BLUE-000000042.x12']);
    // It carries patient data: owner-only.
    expect(statSync(path.join(dir, '837-BLUE-000000042.x12')).mode & 0o777).toBe(0o600);
  });

  it('dates the envelopes and BHT by the office\'s wall clock, not UTC (a run at 11:10 pm is not dated tomorrow)', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'claims-outbox-'));
    dirs.push(dir);
    const outbox = new Outbox({ dir, clock: fixedClock('2024-02-29T23:10:00-05:00'), controlNumbers: memoryControlNumbers() });
    await outbox.addMapped(claims[0]!);
    const [file] = await outbox.finish();
    const segs = readFileSync(file!.readyPath, 'latin1').split('~').map((x) => x.split('*'));
    const seg = (tag: string) => segs.find((x) => x[0] === tag)!;
    expect([seg('ISA')[9], seg('ISA')[10], seg('GS')[4], seg('GS')[5], seg('BHT')[4], seg('BHT')[5]]).toEqual(['240229', '2310', '20240229', '2310', '20240229', '2310']);
  });

  it('is deterministic: same claims, clock and sequence state give byte-identical files', async () => {
    const a = await writeAll(claims.slice(0, 300), 7n);
    const b = await writeAll(claims.slice(0, 300), 7n);
    expect(b.text).toBe(a.text);
    const c = await writeAll(claims.slice(0, 300), 8n);
    expect(c.text).not.toBe(a.text);
  });

  it('keeps a finished file out of the outbox until it is published; abort drops it', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'claims-outbox-'));
    dirs.push(dir);
    const open = () => new Outbox({ dir, clock: fixedClock('2024-09-01T12:00:00Z'), controlNumbers: memoryControlNumbers({ ISA: 1n, GS: 1n, ST: 1n }) });
    const first = open();
    for (const c of claims.slice(0, 3)) await first.addMapped(c);
    const [file] = await first.finish();
    expect(readdirSync(dir).filter((n) => !n.startsWith('.'))).toEqual([]);
    expect(readdirSync(path.join(dir, READY_FOLDER))).toEqual([file!.fileName]);
    await first.publish([file!]);
    expect(readdirSync(dir).sort()).toEqual([file!.fileName]);

    const second = open();
    for (const c of claims.slice(3, 5)) await second.addMapped(c);
    await second.finish();
    await second.abort();
    expect(readdirSync(dir).sort()).toEqual([READY_FOLDER, file!.fileName]);
    expect(readdirSync(path.join(dir, READY_FOLDER))).toEqual([]);
  });

  it('recovers ready files a crashed run left: publishes those recorded sent, drops the rest', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'claims-outbox-'));
    dirs.push(dir);
    const names: string[] = [];
    for (const [payer, start] of [['a', 1n], ['b', 2n]] as const) {
      const outbox = new Outbox({ dir, clock: fixedClock('2024-09-01T12:00:00Z'), controlNumbers: memoryControlNumbers({ ISA: start, GS: start, ST: start }) });
      await outbox.addMapped(claims[payer === 'a' ? 0 : 1]!);
      names.push((await outbox.finish())[0]!.fileName);
    }
    const sent = names[0]!;
    const pending = names[1]!;
    const text = readFileSync(path.join(dir, READY_FOLDER, sent), 'latin1');
    const r = await recoverReadyFiles(dir, async (asked) => {
      expect(asked).toEqual([...names].sort());
      return new Map([[sent, 'sent'], [pending, 'writing']]);
    });
    expect(r).toEqual({ published: [sent], dropped: [pending] });
    expect(readdirSync(dir)).toEqual([sent]);
    expect(readFileSync(path.join(dir, sent), 'latin1')).toBe(text);
    expect(await recoverReadyFiles(dir, async () => new Map())).toEqual({ published: [], dropped: [] });
  });
});
