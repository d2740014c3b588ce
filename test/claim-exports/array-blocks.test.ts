// A JSON array export split into its elements in the bytes: every element comes back whole and in order
// whatever the block size (down to a few bytes, so strings, escapes and multi-byte characters are cut), the
// file is refused with the byte where it stops being one array, and a broken element is one bad record.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { arrayBlocks } from '../../src/claim-exports/array-blocks.ts';
import { readClaimsExportChunks } from '../../src/claim-exports/read-export.ts';
import { syntheticClaim } from '../claims/support/synthetic.ts';

const work = mkdtempSync(path.join(tmpdir(), 'claims-array-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
let n = 0;
const file = (text: string | Buffer): string => {
  const p = path.join(work, `a${n++}.json`);
  writeFileSync(p, text);
  return p;
};

async function elements(p: string, blockBytes: number): Promise<{ texts: string[]; firsts: number[] }> {
  const texts: string[] = [];
  const firsts: number[] = [];
  for await (const b of arrayBlocks(p, blockBytes)) {
    firsts.push(b.first);
    for (let k = 0; k < b.starts.length; k++) texts.push(b.bytes.toString('utf8', b.starts[k], b.ends[k]));
  }
  return { texts, firsts };
}

const tricky = [
  { s: 'brackets ] } [ { and, commas', q: 'a "quoted" word', b: 'back\\slash\\', e: 'ends with a backslash \\', u: 'Zoë 名前 🙂' },
  [1, [2, [3, { deep: ['x', ']'] }]]],
  'a string element with "quotes" and \\"',
  42, -0.5e-3, true, null, {},
  [],
  ...Array.from({ length: 40 }, (_, i) => syntheticClaim(i)),
];

describe('JSON array exports split in the bytes', () => {
  it('gives every element whole and in order, compact or pretty-printed, for any block size', async () => {
    for (const text of [JSON.stringify(tricky), '\uFEFF' + JSON.stringify(tricky, null, 2) + '\n', ` \r\n[ ${tricky.map((t) => JSON.stringify(t)).join(' ,\n\t')} ]  `]) {
      const p = file(text);
      for (const blockBytes of [1 << 20, 4096, 64, 7]) {
        const { texts, firsts } = await elements(p, blockBytes);
        expect(texts.map((t) => JSON.parse(t) as unknown), `block ${blockBytes}`).toEqual(tricky);
        expect(firsts[0]).toBe(1);
        if (blockBytes === 7) expect(firsts.length).toBeGreaterThan(20);
      }
    }
  });

  it('reads an empty array as no records', async () => {
    for (const text of ['[]', ' [ \n ] \n']) expect((await elements(file(text), 64)).texts).toEqual([]);
  });

  it('refuses a file that is not one array, with the byte where it goes wrong', async () => {
    const cases: [string, RegExp, number][] = [
      ['{"claimId": "C1"}', /'\{' where '\[' opens the array/, 0],
      ['[{"a": 1},]', /'\]' after a ','/, 10],
      ['[{"a": 1} {"b": 2}]', /'\{' where ',' or '\]' comes after an element/, 10],
      ['[{"a": 1}] [2]', /text after the array's closing '\]'/, 11],
      ['[{"a": 1}, {"b": "cut', /the end of the file inside the array \(is it cut short\?\)/, 21],
      ['[{"a": 1}', /the end of the file inside the array/, 9],
      ['', /the end of the file inside the array/, 0],
      ['[{"a": 1}}]', /'\}' where ',' or '\]' comes after an element/, 9],
      ['[12 34]', /'3' where ',' or '\]' comes after an element/, 4],
    ];
    for (const [text, message, byteOffset] of cases) {
      const p = file(text);
      for (const blockBytes of [1 << 20, 3]) {
        await expect(elements(p, blockBytes), text).rejects.toThrow(message);
        await expect(elements(p, blockBytes), text).rejects.toMatchObject({ code: 'EXPORT_NOT_JSON_ARRAY', location: { file: p, byteOffset } });
      }
    }
  });

  it('takes a broken element as one bad record and goes on', async () => {
    const p = file('[{"claimId": "C1"}, {"claimId": tru}, {"claimId": "C3"}]');
    const seen: unknown[] = [];
    for await (const chunk of readClaimsExportChunks(p, 16)) for (const item of chunk) seen.push('error' in item ? `error@${item.record}` : item.value);
    expect(seen).toEqual([{ claimId: 'C1' }, 'error@2', { claimId: 'C3' }]);
  });
});
