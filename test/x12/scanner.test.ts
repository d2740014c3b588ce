// The boundary scanner under the tokenizer: boundaries and tag codes written out by hand, the
// word-at-a-time terminator search at every alignment against a plain split, and the envelope checks'
// batch path (tag codes, no Segment per content segment) against the per-Segment path on every corpus file.
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { SegmentScanner, TAG_GE, TAG_GS, TAG_IEA, TAG_ISA, TAG_SE, TAG_ST, tagName, type ScanBatch } from '../../src/x12/scanner.ts';
import { tokenize } from '../../src/x12/tokenizer.ts';
import { splitElements } from '../../src/x12/token-segment.ts';
import { EnvelopeChecker, checkEnvelopes, type EnvelopeEvent } from '../../src/x12/envelope.ts';
import { fileChunks, readSegments, scanBatches } from '../../src/exchange/x12-read.ts';
import { sha256Hasher } from '../../src/exchange/x12-sets.ts';
import { ClaimsError } from '../../src/common/errors.ts';
import type { Segment } from '../../src/x12/segment.ts';
import { corpusBytes, corpusFiles } from './corpus.ts';

const ISA = 'ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *240102*1230*^*00501*000000905*0*T*:~';
const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

interface Boundary { start: number; end: number; tag: number }

function boundaries(batch: ScanBatch): Boundary[] {
  return Array.from({ length: batch.count }, (_, i) => ({ start: batch.starts[i] as number, end: batch.ends[i] as number, tag: batch.tags[i] as number }));
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

describe('boundary scanner', () => {
  it('records starts, ends and tag codes without making segments', () => {
    const scanner = new SegmentScanner();
    const batch = scanner.push(bytes(`${ISA}\nGS*HP~ST*835*0001~N1*PR~SE*3*0001`));
    // ISA is bytes 0..105 (terminator at 105); a line feed at 106; GS at 107..111; ST at 113..124 ...
    // Envelope tags carry bit 30 on top of their characters.
    expect(boundaries(batch)).toEqual([
      { start: 0, end: 105, tag: (1 << 30) | 0x1000000 | (0x49 << 16) | (0x53 << 8) | 0x41 },
      { start: 107, end: 112, tag: (1 << 30) | (0x47 << 8) | 0x53 },
      { start: 113, end: 124, tag: (1 << 30) | (0x53 << 8) | 0x54 },
      { start: 125, end: 130, tag: (0x4e << 8) | 0x31 },
    ]);
    // The last segment has no terminator yet: it waits for more input, or the end.
    const rest = scanner.end();
    expect(boundaries(rest)).toEqual([{ start: 0, end: 9, tag: (1 << 30) | (0x53 << 8) | 0x45 }]);
    expect(rest.byteOffset).toBe(131);
    expect(rest.firstIndex).toBe(4);
    expect(rest.lastUnterminated).toBe(true);
  });

  it('names the envelope tags and marks malformed tags negative', () => {
    expect([TAG_ISA, TAG_IEA, TAG_GS, TAG_GE, TAG_ST, TAG_SE].map(tagName)).toEqual(['ISA', 'IEA', 'GS', 'GE', 'ST', 'SE']);
    const batch = new SegmentScanner().push(bytes(`${ISA}st*1~N~NM1X*2~*A~1A*3~TA1*x~SE*1~IEA*1~SV*1~GEX*1~`));
    const tags = boundaries(batch).map((b) => b.tag).slice(1);
    // "st" lower case and "1A" (digit first) are negated; "N" and "NM1X" and "" (an empty tag) have no code;
    // SE and IEA are marked as envelope tags, SV and GEX (close to GE) are not.
    expect(tags).toEqual([-((0x73 << 8) | 0x74), 0, 0, 0, -((0x31 << 8) | 0x41), 0x1000000 | (0x54 << 16) | (0x41 << 8) | 0x31,
      (1 << 30) | (0x53 << 8) | 0x45, (1 << 30) | 0x1000000 | (0x49 << 16) | (0x45 << 8) | 0x41, (0x53 << 8) | 0x56, 0x1000000 | (0x47 << 16) | (0x45 << 8) | 0x58]);
    expect(tags.slice(6).map(tagName)).toEqual(['SE', 'IEA', 'SV', 'GEX']);
    expect(tagName(tags[0] as number)).toBe('st');
    expect(batch.tag(3)).toBe('NM1X');
    expect(batch.tag(4)).toBe('');
  });

  it('finds every terminator at every alignment, as a plain split does (fixed seed)', () => {
    // 0x7f is the terminator with its low bit flipped: the byte a borrowing zero-byte test would mistake
    // for it when the previous terminator sits in the same word.
    const segmentText = fc.stringMatching(/^[A-Z\x7f][A-Z0-9\x7f]{1,2}(\*[ -}\x7f]{0,9}){0,4}$/).filter((s) => !s.includes('~') && !s.startsWith('ISA'));
    fc.assert(fc.property(fc.array(segmentText, { minLength: 1, maxLength: 40 }), fc.array(fc.integer({ min: 1, max: 23 }), { minLength: 1, maxLength: 8 }), (segments, sizes) => {
      const text = `${ISA}${segments.join('~')}~`;
      const data = bytes(text);
      const scanner = new SegmentScanner();
      const found: [number, number][] = [];
      const take = (batch: ScanBatch): void => {
        for (let i = 0; i < batch.count; i++) found.push([batch.byteOffset + (batch.starts[i] as number), batch.byteOffset + (batch.ends[i] as number)]);
      };
      for (const chunk of chunked(data, (i) => sizes[i % sizes.length] as number)) take(scanner.push(chunk));
      take(scanner.end());
      // Reference: positions of each '~' in the text, the simple way.
      const expected: [number, number][] = [];
      let from = 0;
      for (let at = text.indexOf('~'); at !== -1; at = text.indexOf('~', at + 1)) {
        expected.push([from, at]);
        from = at + 1;
      }
      expect(found).toEqual(expected);
    }), { seed: 4242, numRuns: 300 });
  });

  it('decodes UTF-8 wherever the non-ASCII byte falls in its word', () => {
    for (let pad = 0; pad < 8; pad++) {
      const name = `${'X'.repeat(pad)}MÜLLER`;
      const segs = tokenize(bytes(`${ISA}NM1*QC*1*${name}~REF*EA*1~`));
      expect(segs[1]?.elements).toEqual(['NM1', 'QC', '1', name]);
      expect(segs[2]?.elements).toEqual(['REF', 'EA', '1']);
    }
  });

  it('makes the same segment one at a time as in one pass', () => {
    const data = corpusBytes('835/tasty__profee-multiple-156-interchanges.x12');
    const scanner = new SegmentScanner();
    for (const chunk of chunked(data, () => 4096)) {
      const batch = scanner.push(chunk);
      const all = batch.segments();
      for (let i = 0; i < batch.count; i++) {
        const one = batch.segment(i);
        expect([one.tag, one.index, one.byteOffset, one.leading, one.elements, one.delimiters]).toEqual(
          [all[i]?.tag, all[i]?.index, all[i]?.byteOffset, all[i]?.leading, all[i]?.elements, all[i]?.delimiters]);
      }
    }
  });

  it('keeps throwing located errors with the index of the segments before them', () => {
    const scanner = new SegmentScanner({ file: 'x.edi', segmentBytesMax: 40 });
    expect(scanner.push(bytes(`${ISA}GS*HP~`)).count).toBe(2);
    let caught: unknown;
    try {
      scanner.push(bytes(`ST*835*1~${'N'.repeat(60)}`));
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ClaimsError);
    expect((caught as ClaimsError).code).toBe('SEGMENT_TOO_LONG');
    expect((caught as ClaimsError).location).toMatchObject({ file: 'x.edi', segmentIndex: 3, byteOffset: 106 + 6 + 9 });
  });
});

/** Events without object identity: what a consumer can observe. */
function comparable(events: EnvelopeEvent[]): unknown[] {
  return events.map((e) => {
    switch (e.kind) {
      case 'problem': return ['problem', e.problem.code, e.problem.severity, e.problem.location];
      case 'segment': return ['segment', e.position, e.segment.index, e.segment.byteOffset, e.segment.elements];
      case 'interchangeEnd': return ['interchangeEnd', e.summary.segmentCount, e.summary.contentHash, e.summary.problems.map((p) => p.code), e.summary.groups.map((g) => g.sets.map((s) => [s.segmentCount, s.accepted]))];
      case 'setEnd': return ['setEnd', e.summary.set.controlNumber, e.summary.segmentCount, e.segment?.index, e.envelopeErrors.map((p) => p.code)];
      case 'setStart': return ['setStart', e.set, e.segment.index];
      case 'ta1': return ['ta1', e.segment.index];
      default: return [e.kind];
    }
  });
}

function batchEvents(chunks: Uint8Array[], segmentEvents: boolean): EnvelopeEvent[] | string {
  const events: EnvelopeEvent[] = [];
  const scanner = new SegmentScanner({ file: 'f.x12' });
  const checker = new EnvelopeChecker((e) => events.push(e), { file: 'f.x12', hasher: sha256Hasher, segmentEvents });
  try {
    for (const chunk of chunks) checker.pushBatch(scanner.push(chunk));
    checker.pushBatch(scanner.end());
  } catch (err) {
    return (err as ClaimsError).code;
  }
  checker.end();
  return events;
}

function segmentEventsOf(data: Uint8Array, segmentEvents: boolean): EnvelopeEvent[] | string {
  let segments: Segment[];
  try {
    segments = tokenize(data, { file: 'f.x12' });
  } catch (err) {
    return (err as ClaimsError).code;
  }
  return checkEnvelopes(segments, { file: 'f.x12', hasher: sha256Hasher, segmentEvents });
}

describe('envelope checks on scanned batches', () => {
  for (const file of corpusFiles()) {
    it(`${file.name}: the batch path gives the per-segment path's events, in any chunking`, () => {
      const data = corpusBytes(file.name);
      for (const segmentEvents of [true, false]) {
        const reference = segmentEventsOf(data, segmentEvents);
        const expected = typeof reference === 'string' ? reference : comparable(reference);
        for (const size of [data.length, 7, 1000]) {
          const got = batchEvents(chunked(data, () => size), segmentEvents);
          expect(typeof got === 'string' ? got : comparable(got), `chunks of ${size}, segment events ${segmentEvents}`).toEqual(expected);
        }
      }
    });
  }

  it('hashes each interchange as its segments and terminators, without the line breaks between them', () => {
    const first = `${ISA}GS*HP*A*B*20240102*1230*1*X*005010X221A1~ST*835*0001~BPR*I*10~SE*3*0001~GE*1*1~IEA*1*000000905~`;
    const events = batchEvents([bytes(first.replaceAll('~', '~\r\n'))], false);
    expect(typeof events).not.toBe('string');
    const end = (events as EnvelopeEvent[]).find((e) => e.kind === 'interchangeEnd');
    const expected = createHash('sha256').update(first, 'latin1').digest('hex');
    expect(end?.kind === 'interchangeEnd' && end.summary.contentHash).toBe(expected);
  });
});

describe('file chunks', () => {
  it('reuses one buffer and still gives every segment of the file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'x12-chunks-'));
    try {
      const data = corpusBytes('835/oopf__multiple-interchanges-nth.x12');
      const path = join(dir, 'f.x12');
      writeFileSync(path, data);
      const seen = new Set<ArrayBufferLike>();
      let total = 0;
      for await (const chunk of fileChunks(path, 97)) {
        seen.add(chunk.buffer);
        total += chunk.length;
      }
      expect(seen.size).toBe(1);
      expect(total).toBe(data.length);
      const whole = tokenize(data).map((s) => [s.index, s.byteOffset, s.leading, s.elements]);
      const viaFile: unknown[] = [];
      for await (const s of readSegments(path)) viaFile.push([s.index, s.byteOffset, s.leading, s.elements]);
      expect(viaFile).toEqual(whole);
      // Read straight into the scanner's buffer, 97 bytes at a time.
      const viaReserve: unknown[] = [];
      for await (const batch of scanBatches(path, new SegmentScanner(), 97)) {
        for (const s of batch.segments()) viaReserve.push([s.index, s.byteOffset, s.leading, s.elements]);
      }
      expect(viaReserve).toEqual(whole);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('element split', () => {
  it('agrees with String.prototype.split (fixed seed)', () => {
    fc.assert(fc.property(fc.string({ unit: fc.constantFrom('*', ':', 'A', '1', ' ', 'é', '') }), (text) => {
      expect(splitElements(text, '*')).toEqual(text.split('*'));
    }), { seed: 77, numRuns: 500 });
    expect(splitElements('', '*')).toEqual(['']);
    expect(splitElements('CLP**1*', '*')).toEqual(['CLP', '', '1', '']);
  });
});
