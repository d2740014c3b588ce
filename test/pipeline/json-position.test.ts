import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { firstJsonErrorOffset, positionOf } from '../../src/pipeline/json-position.ts';

describe('firstJsonErrorOffset', () => {
  it('points at the first offending character', () => {
    expect(firstJsonErrorOffset('{"a": 1,}')).toBe(8);
    expect(firstJsonErrorOffset('{"a" 1}')).toBe(5);
    expect(firstJsonErrorOffset('[1, 2')).toBe(5);
    expect(firstJsonErrorOffset('{"a": tru}')).toBe(9);
    expect(firstJsonErrorOffset('{"a": "x\\q"}')).toBe(9);
    expect(firstJsonErrorOffset('{"a": 01}')).toBe(7);
    expect(firstJsonErrorOffset('{} x')).toBe(3);
    expect(firstJsonErrorOffset('')).toBe(0);
  });

  it('accepts exactly what JSON.parse accepts (fixed seed)', () => {
    fc.assert(
      fc.property(fc.json(), (text) => firstJsonErrorOffset(text) === undefined),
      { seed: 20240301, numRuns: 300 },
    );
    // Damaged texts: whenever JSON.parse refuses, the scanner finds an error too, and vice versa.
    fc.assert(
      fc.property(fc.json(), fc.nat(), fc.constantFrom('}', ']', ',', ':', '"', 'x', ''), (text, at, ch) => {
        const pos = at % (text.length + 1);
        const damaged = text.slice(0, pos) + ch + text.slice(pos + 1);
        let parses = true;
        try {
          JSON.parse(damaged);
        } catch {
          parses = false;
        }
        return (firstJsonErrorOffset(damaged) === undefined) === parses;
      }),
      { seed: 20240302, numRuns: 500 },
    );
  });
});

describe('positionOf', () => {
  it('counts lines and columns from 1', () => {
    expect(positionOf('ab\ncd\nef', 7)).toEqual({ offset: 7, line: 3, column: 2 });
    expect(positionOf('ab', 0)).toEqual({ offset: 0, line: 1, column: 1 });
  });
});
