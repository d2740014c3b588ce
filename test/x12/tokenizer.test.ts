import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Tokenizer, tokenize, tokenizeChunks } from '../../src/x12/tokenizer.ts';
import { ClaimsError } from '../../src/common/errors.ts';
import type { Segment } from '../../src/x12/segment.ts';
import { corpusBytes, corpusFiles } from './corpus.ts';

const ISA = 'ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *240102*1230*^*00501*000000905*0*T*:~';
const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

/** What a segment looks like to a consumer: compare these, not object identity. */
function view(s: Segment): [number, number, string[]] {
  return [s.index, s.byteOffset, s.elements];
}

function chunked(data: Uint8Array, sizes: (i: number) => number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let at = 0, i = 0; at < data.length; i++) {
    const n = Math.max(1, sizes(i));
    out.push(data.subarray(at, at + n));
    at += n;
  }
  return out;
}

describe('tokenize', () => {
  it('splits segments and elements with delimiters from the ISA', () => {
    const segs = tokenize(bytes(`${ISA}GS*HP*A*B*20240102*1230*1*X*005010X221A1~ST*835*0001~SE*2*0001~`));
    expect(segs.map((s) => s.tag)).toEqual(['ISA', 'GS', 'ST', 'SE']);
    expect(segs[0]?.elements[13]).toBe('000000905');
    expect(segs[0]?.elements[16]).toBe(':');
    expect(segs[2]?.elements).toEqual(['ST', '835', '0001']);
    expect(segs[2]?.byteOffset).toBe(106 + 41); // GS segment is 41 bytes with its terminator
    expect(segs[0]?.delimiters).toEqual({ element: '*', component: ':', repetition: '^', segment: '~' });
  });

  it('keeps a BOM and line breaks as leading text and skips them', () => {
    const segs = tokenize(bytes(`\uFEFF ${ISA}\r\n\tGS*HP~\nIEA*1*000000905~\n`));
    expect(segs.map((s) => s.tag)).toEqual(['ISA', 'GS', 'IEA']);
    expect(segs[0]?.leading).toBe('\uFEFF ');
    expect(segs[0]?.byteOffset).toBe(4);
    expect(segs[1]?.leading).toBe('\r\n\t');
    expect(segs[1]?.byteOffset).toBe(4 + 106 + 3);
  });

  it('reads each interchange with its own delimiters', () => {
    const second = 'ISA|00|          |00|          |ZZ|SENDER         |ZZ|RECEIVER       |240102|1230|!|00501|000000906|0|T|>\u001d';
    const segs = tokenize(bytes(`${ISA}IEA*0*000000905~${second}SVC|HC>99213|10\u001dIEA|0|000000906\u001d`));
    expect(segs.map((s) => s.tag)).toEqual(['ISA', 'IEA', 'ISA', 'SVC', 'IEA']);
    expect(segs[3]?.elements).toEqual(['SVC', 'HC>99213', '10']);
    expect(segs[3]?.delimiters).toEqual({ element: '|', component: '>', repetition: '!', segment: '\u001d' });
  });

  it('reads an ISA whose fields are not padded', () => {
    const segs = tokenize(bytes('ISA*00**00**ZZ*NV*ZZ*99*180613*1230*^*00501*100000300*0*P*:~GS*HP~'));
    expect(segs[1]?.tag).toBe('GS');
    expect(segs[0]?.elements.length).toBe(17);
    expect(segs[0]?.elements[16]).toBe(':');
  });

  it('takes a line feed after ISA16 as the terminator', () => {
    const segs = tokenize(bytes(`${ISA.slice(0, -1)}\nGS*HP\nST*835*1\n`));
    expect(segs.map((s) => s.elements)).toEqual([expect.any(Array), ['GS', 'HP'], ['ST', '835', '1']]);
  });

  it('decodes UTF-8 element text and keeps byte offsets in bytes', () => {
    const segs = tokenize(bytes(`${ISA}NM1*QC*1*MÜLLER*JOSÉ~REF*X~`));
    expect(segs[1]?.elements).toEqual(['NM1', 'QC', '1', 'MÜLLER', 'JOSÉ']);
    expect(segs[2]?.byteOffset).toBe(106 + 'NM1*QC*1*MÜLLER*JOSÉ~'.length + 2);
  });

  it('marks a last segment without terminator as unterminated', () => {
    const segs = tokenize(bytes(`${ISA}IEA*0*000000905`));
    expect(segs[1]?.elements).toEqual(['IEA', '0', '000000905']);
    expect(segs[1]?.unterminated).toBe(true);
  });

  const rejects: [string, string | Uint8Array, string, number][] = [
    ['no envelope', 'ST*835*0001~BPR*I~', 'NO_ENVELOPE', 0],
    ['plain text', '\n  bad_file\n', 'NO_ENVELOPE', 3],
    ['UTF-16LE', new Uint8Array([...'ISA*00'].flatMap((c) => [c.charCodeAt(0), 0])), 'ENCODING_UNSUPPORTED', 0],
    ['a truncated ISA', 'ISA*00*          *00*    ', 'ISA_INVALID', 0],
    ['an ISA with nothing after ISA16', ISA.slice(0, -1), 'ISA_TRUNCATED', 0],
    ['alphanumeric terminator', `${ISA.slice(0, -1)}GS*HP~`, 'ISA_DELIMITERS_INVALID', 0],
  ];
  for (const [name, input, code, byteOffset] of rejects) {
    it(`rejects ${name} with a located error`, () => {
      const data = typeof input === 'string' ? bytes(input) : input;
      let caught: unknown;
      try {
        tokenize(data, { file: 'x.edi' });
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(ClaimsError);
      expect((caught as ClaimsError).code).toBe(code);
      expect((caught as ClaimsError).location).toMatchObject({ file: 'x.edi', byteOffset });
    });
  }

  it('bounds the length of a segment', () => {
    const t = new Tokenizer({ segmentBytesMax: 64 });
    t.push(bytes(ISA));
    expect(() => t.push(bytes('N'.repeat(100)))).toThrow(expect.objectContaining({ code: 'SEGMENT_TOO_LONG', location: expect.objectContaining({ byteOffset: 106 }) }));
  });
});

describe('chunk boundaries', () => {
  const sample = bytes(`\uFEFF${ISA}\r\nGS*HP*Á~ST*835*0001~CLP*A*1*10*5~SE*3*0001~ISA|00|          |00|          |ZZ|S              |ZZ|R              |240102|1230|!|00501|000000906|0|T|>\nIEA|0|000000906`);
  const whole = tokenize(sample).map(view);

  it('yields the same segments for every split of a small sample', () => {
    for (let cut = 0; cut <= sample.length; cut++) {
      const segs = [...tokenizeChunks([sample.subarray(0, cut), sample.subarray(cut)])].map(view);
      expect(segs, `cut at ${cut}`).toEqual(whole);
    }
  });

  it('yields the same segments for random chunkings (fixed seed)', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 30 }), (sizes) => {
      const segs = [...tokenizeChunks(chunked(sample, (i) => sizes[i % sizes.length] as number))].map(view);
      expect(segs).toEqual(whole);
    }), { seed: 3003, numRuns: 300 });
  });

  for (const file of corpusFiles()) {
    it(`corpus ${file.name}: chunks of 1, 2, 7 and random sizes give the same segments`, () => {
      const data = corpusBytes(file.name);
      let reference: [number, number, string[]][] | ClaimsError;
      try {
        reference = tokenize(data).map(view);
      } catch (err) {
        expect(err).toBeInstanceOf(ClaimsError);
        reference = err as ClaimsError;
      }
      let seed = 7;
      const random = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648) % 4096 + 1;
      for (const sizes of [() => 1, () => 2, () => 7, random]) {
        const run = (): [number, number, string[]][] => [...tokenizeChunks(chunked(data, sizes))].map(view);
        if (reference instanceof ClaimsError) {
          expect(run).toThrow(expect.objectContaining({ code: reference.code, location: reference.location }));
        } else {
          expect(run()).toEqual(reference);
        }
      }
    });
  }
});
