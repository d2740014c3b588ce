// Text the database cannot store is found where it is read, and reports quote input only as a bounded
// excerpt: a 50 MB value becomes 200 characters and its length, a NUL is written out as \u0000.
import { describe, expect, it } from 'vitest';
import { controlCharacterAt, controlCharacterMessage, inputExcerpt, storableText, unstorableAt } from '../../src/common/input-text.ts';
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

describe('controlCharacterAt', () => {
  it('finds a C0 control character or DEL as well as what unstorableAt finds, whichever comes first', () => {
    expect(controlCharacterAt('G-1')).toBe(-1);
    expect(controlCharacterAt('Łukasz Nguyễn 😀')).toBe(-1);
    expect(controlCharacterAt('G-1\u001b')).toBe(3);
    expect(controlCharacterAt('A\tB')).toBe(1);
    expect(controlCharacterAt('A\u007F')).toBe(1);
    expect(controlCharacterAt('AB\uD800\u0007')).toBe(2);
    expect(controlCharacterAt('A\u0007\u0000')).toBe(1);
  });

  it('lets free text keep tabs and line breaks, never a NUL or a lone surrogate', () => {
    expect(controlCharacterAt('Called twice.\r\nSays\tpaid', { freeText: true })).toBe(-1);
    expect(controlCharacterAt('Paid\u0000', { freeText: true })).toBe(4);
    expect(controlCharacterAt('Paid\u000b', { freeText: true })).toBe(4);
    expect(controlCharacterAt('\uDC00', { freeText: true })).toBe(0);
  });

  it('says what it found, where, and why', () => {
    expect(controlCharacterMessage('account', 'G\u00001', 1)).toBe('account holds NUL (0x00) at character 2: it cannot be stored');
    expect(controlCharacterMessage('reference', 'R\u001b', 1)).toBe('reference holds the control character U+001B at character 2: control characters are not accepted in it');
    expect(controlCharacterMessage('name', 'A\uD800', 1)).toBe('name holds a lone UTF-16 surrogate (U+D800), text that is not valid UTF-8 at character 2: it cannot be stored');
  });
});

describe('storableText', () => {
  it('writes a NUL out and replaces a lone surrogate, without cutting; ordinary text comes back as it is', () => {
    const long = 'x'.repeat(1000);
    expect(storableText(long)).toBe(long);
    expect(storableText(`a\u0000${long}\uD800`)).toBe(`a\\u0000${long}\uFFFD`);
  });

  it('makes every ClaimsError message storable (a JSON.parse message quotes the input)', () => {
    expect(new ClaimsError({ code: 'RECORD_NOT_JSON', message: 'Unexpected token \'\u0000\'' }).message).toBe("Unexpected token '\\u0000'");
  });
});
