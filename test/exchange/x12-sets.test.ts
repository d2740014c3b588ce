import { describe, expect, it } from 'vitest';
import { readTransactionSets, streamTransactionSets } from '../../src/exchange/x12-sets.ts';
import { readSegments, segmentStream } from '../../src/exchange/x12-read.ts';
import { pipeline } from 'node:stream/promises';
import { Readable, Writable } from 'node:stream';
import type { Segment } from '../../src/x12/segment.ts';

const ISA = 'ISA*00*          *00*          *ZZ*PAYERSYN       *ZZ*CLINICSYN      *240105*0930*^*00501*000000905*0*T*:~';
const SET = (st02: string, n: number) => `ST*835*${st02}~${'CLP*A*1*10*5~'.repeat(n)}SE*${n + 2}*${st02}~`;
const FILE = `${ISA}\nGS*HP*P*C*20240105*0930*7*X*005010X221A1~\n${SET('0001', 3)}${SET('0002', 5)}GE*2*7~IEA*1*000000905~\n`;
/** The file in 5-byte chunks, to cross every boundary. */
const chunks = (text: string): Buffer[] => Array.from({ length: Math.ceil(text.length / 5) }, (_, i) => Buffer.from(text.slice(i * 5, i * 5 + 5)));

describe('transaction set readers', () => {
  it('reads each set as an array with its envelope', async () => {
    const sets = [];
    for await (const s of readTransactionSets(chunks(FILE))) sets.push([s.set.controlNumber, s.segments.length, s.segments[0]?.tag, s.summary.accepted, s.se?.elements[1], s.interchange.controlNumber]);
    expect(sets).toEqual([['0001', 3, 'CLP', true, '5', '000000905'], ['0002', 5, 'CLP', true, '7', '000000905']]);
  });

  it('streams the segments of each set, skipping what the consumer leaves', async () => {
    const seen: [string, number][] = [];
    for await (const s of streamTransactionSets(chunks(FILE))) {
      let n = 0;
      if (s.set.controlNumber === '0002') for await (const _ of s.segments) n++;
      seen.push([s.set.controlNumber, n]);
      if (s.set.controlNumber === '0002') expect(s.end()?.summary.segmentCount).toBe(7);
    }
    expect(seen).toEqual([['0001', 0], ['0002', 5]]);
  });

  it('throws the located tokenizer error for a file without an envelope', async () => {
    const run = async (): Promise<void> => {
      for await (const _ of readTransactionSets([Buffer.from('ST*835*0001~SE*2*0001~')], { file: 'bare.x12' })) { /* none */ }
    };
    await expect(run()).rejects.toMatchObject({ code: 'NO_ENVELOPE', location: { file: 'bare.x12', byteOffset: 0 } });
  });

  it('segmentStream and readSegments agree through a pipeline', async () => {
    const viaTransform: string[] = [];
    await pipeline(Readable.from(chunks(FILE)), segmentStream(), new Writable({ objectMode: true, write(s: Segment, _e, cb) { viaTransform.push(s.tag); cb(); } }));
    const viaIterator: string[] = [];
    for await (const s of readSegments(chunks(FILE))) viaIterator.push(s.tag);
    expect(viaTransform).toEqual(['ISA', 'GS', 'ST', 'CLP', 'CLP', 'CLP', 'SE', 'ST', 'CLP', 'CLP', 'CLP', 'CLP', 'CLP', 'SE', 'GE', 'IEA']);
    expect(viaIterator).toEqual(viaTransform);
  });
});
