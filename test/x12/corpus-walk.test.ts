// Every corpus file is read or rejected with a located error, and mutated corpus files (truncated, bytes
// flipped, delimiters swapped, counts altered) never throw anything but a located ClaimsError.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ClaimsError } from '../../src/common/errors.ts';
import { envelopeEventBatches } from '../../src/exchange/x12-sets.ts';
import { inspectSource } from '../../src/exchange/inspect.ts';
import { corpusBytes, corpusFiles } from './corpus.ts';

/** Expected verdicts written from MANIFEST.tsv notes and the versions we read (DOMAIN.md). */
const REJECTED_WHOLE: Record<string, string> = {
  '835/affect__exhaustive-no-envelope.x12': 'NO_ENVELOPE',
  '835/keiron__bcbs-nc-no-envelope.x12': 'NO_ENVELOPE',
  'other/badx12__not-x12.x12': 'NO_ENVELOPE',
  '837p/oopf__utf16-unicode.x12': 'ENCODING_UNSUPPORTED',
};

async function allProblems(data: Uint8Array): Promise<ClaimsError[]> {
  const out: ClaimsError[] = [];
  for await (const batch of envelopeEventBatches([data], { file: 'mutant.x12' })) {
    for (const e of batch) if (e.kind === 'problem') out.push(e.problem);
  }
  return out;
}

function expectLocated(p: ClaimsError): void {
  expect(p).toBeInstanceOf(ClaimsError);
  expect(p.code).toMatch(/^[A-Z0-9_]+$/);
  expect(p.code).not.toBe('INTERNAL');
  expect(p.location.byteOffset, `${p.code} has a byte offset`).toBeTypeOf('number');
  expect(p.location.segmentIndex, `${p.code} has a segment index`).toBeTypeOf('number');
}

describe('corpus walk', () => {
  for (const file of corpusFiles()) {
    it(`${file.name} is read or rejected with located problems`, async () => {
      const report = await inspectSource(file.path, { file: file.name });
      report.problems.forEach(expectLocated);
      const whole = REJECTED_WHOLE[file.name];
      if (whole) {
        expect(report.problems.map((p) => p.code)).toEqual([whole]);
        expect(report.interchanges).toEqual([]);
        return;
      }
      expect(report.interchanges.length).toBeGreaterThan(0);
      if (/SE01 segment count wrong/.test(file.notes)) expect(report.problems.map((p) => p.code)).toContain('SE_SEGMENT_COUNT');
      if (/ISA not fixed-width|ISA fields not padded/.test(file.notes)) expect(report.problems.map((p) => p.code)).toContain('ISA_NOT_FIXED_WIDTH');
      if (/multiple ISA \((\d+) interchanges\)/.test(file.notes)) {
        expect(report.interchanges.length).toBe(Number(/multiple ISA \((\d+)/.exec(file.notes)?.[1]));
      }
    });
  }
});

const sources = corpusFiles().filter((f) => REJECTED_WHOLE[f.name] === undefined).map((f) => corpusBytes(f.name));

type Mutation = (b: Uint8Array) => Uint8Array;
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.double({ min: 0, max: 1, noNaN: true }).map((r): Mutation => (b) => b.subarray(0, Math.floor(b.length * r))),
  fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: 0, max: 255 })).map(([r, v]): Mutation => (b) => {
    const c = Uint8Array.from(b);
    c[Math.min(c.length - 1, Math.floor(c.length * r))] = v;
    return c;
  }),
  fc.tuple(fc.constantFrom(0x2a, 0x7e, 0x3a, 0x5e), fc.constantFrom(0x7c, 0x0a, 0x2a, 0x7e, 0x41)).map(([from, to]): Mutation => (b) => b.map((x) => (x === from ? to : x))),
  fc.double({ min: 0, max: 1, noNaN: true }).map((r): Mutation => (b) => {
    // Alter a count: change the first digit after the r-th "SE*" / "GE*" / "IEA*".
    const text = Buffer.from(b).toString('latin1');
    const hits = [...text.matchAll(/(SE|GE|IEA)\*(\d)/g)];
    const hit = hits[Math.floor(hits.length * r)];
    if (!hit || hit.index === undefined) return b;
    const c = Uint8Array.from(b);
    const at = hit.index + (hit[1] as string).length + 1;
    c[at] = c[at] === 0x39 ? 0x31 : (c[at] as number) + 1;
    return c;
  }),
);

describe('mutation fuzzing (fixed seed)', () => {
  it('never throws anything but a located ClaimsError', async () => {
    await fc.assert(fc.asyncProperty(fc.integer({ min: 0, max: sources.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 3 }), async (i, mutations) => {
      const data = mutations.reduce((b, m) => m(b), sources[i] as Uint8Array);
      const problems = await allProblems(data);
      problems.forEach(expectLocated);
    }), { seed: 1203, numRuns: 400 });
  });
});
