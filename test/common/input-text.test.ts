// Text the database cannot store is found where it is read, and reports quote input only as a bounded
// excerpt: a 50 MB value becomes 200 characters and its length, a NUL is written out as \u0000.
import { describe, expect, it } from 'vitest';
import { inputExcerpt, unstorableAt } from '../../src/common/input-text.ts';
import { ClaimsError } from '../../src/common/errors.ts';

describe('unstorableAt', () => {
  it('finds a NUL or a lone surrogate, and nothing in ordinary text', () => {
    expect(unstorableAt('CLM-0001')).toBe(-1);
    expect(unstorableAt('Łukasz Nguyễn 😀')).toBe(-1);
    expect(unstorableAt('CLM\u00000001')).toBe(3);
    expect(unstorableAt('AB\uD800C')).toBe(2);
    expect(unstorableAt('\uDC00')).toBe(0);
    expect(unstorableAt('😀\uDE00')).toBe(2);
  });
});

describe('inputExcerpt', () => {
  it('leaves a short value as it is, NUL written out so the excerpt can be stored', () => {
    expect(inputExcerpt('99213')).toBe('99213');
    expect(inputExcerpt('CLM\u00000001')).toBe('CLM\\u00000001');
    expect(inputExcerpt('A\uD800')).toBe('A\uFFFD');
  });

  it('cuts a 50 MB value to 200 characters and its length, and quoting the excerpt again changes nothing', () => {
    const huge = 'x'.repeat(50 * 1024 * 1024);
    const expected = `"${'x'.repeat(200)}..." (52428800 characters)`;
    expect(inputExcerpt(huge)).toBe(expected);
    expect(expected.length).toBe(227);
    expect(inputExcerpt(expected)).toBe(expected);
    // Cut between the halves of a surrogate pair: the half left is shown as U+FFFD, never stored broken.
    expect(inputExcerpt(`${'y'.repeat(199)}😀${'z'.repeat(100)}`)).toBe(`"${'y'.repeat(199)}\uFFFD..." (301 characters)`);
  });

  it('bounds what every ClaimsError quotes, also when it is located again', () => {
    const e = new ClaimsError({ code: 'CLAIM_FIELD_INVALID', message: 'bad', found: `\u0000${'q'.repeat(1_000_000)}` });
    expect(e.found).toBe(`"\\u0000${'q'.repeat(199)}..." (1000001 characters)`);
    expect(e.at({ file: 'a.ndjson' }).found).toBe(e.found);
    expect(JSON.stringify(e.toJSON()).length).toBeLessThan(400);
  });
});
