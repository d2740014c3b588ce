// Names written with letters outside ASCII go into X12 elements in the X12 character set, and ASCII names
// go in exactly as they were (the demo's 837s must not change by a byte).
import { describe, expect, it } from 'vitest';
import { toX12Text } from '../../src/x12/transliterate.ts';

describe('toX12Text', () => {
  it.each([
    // letters NFD does not decompose: the table
    ['Łukasz', 'Lukasz'],
    ['łódź', 'lodz'],
    ['Søren Ørsted', 'Soren Orsted'],
    ['Đorđević', 'Dordevic'],
    ['Ðiðrik', 'Didrik'],
    ['Æsir', 'AEsir'],
    ['Cæcilie', 'Caecilie'],
    ['Œdipe', 'OEdipe'],
    ['cœur', 'coeur'],
    ['Þórunn', 'THorunn'],
    ['þór', 'thor'],
    ['Kıvanç', 'Kivanc'],
    ['Weiß', 'Weiss'],
    ['WEIß', 'WEISS'],
    ['STRAßE', 'STRASSE'],
    ['ẞ', 'SS'],
    // letters with diacritics: NFD, marks dropped (precomposed or already decomposed)
    ['Nguyễn', 'Nguyen'],
    ['NGUYỄN', 'NGUYEN'],
    ['Nguye\u0302\u0303n', 'Nguyen'],
    ['José Muñoz', 'Jose Munoz'],
    ['Zoë Brontë', 'Zoe Bronte'],
    ['Dvořák', 'Dvorak'],
    ['Ångström', 'Angstrom'],
    ['Şükrü Çelik', 'Sukru Celik'],
    // typed apostrophes and dashes
    ['O\u2019Brien', "O'Brien"],
    ['Smith\u2013Jones', 'Smith-Jones'],
    // outside the set after that: dropped (an okina inside a word), whitespace kept as one space
    ['Kaʻahumanu', 'Kaahumanu'],
    ['Anne\u00A0Marie', 'Anne Marie'],
    ['Li 王', 'Li'],
    ['王', ''],
    ['Иван', ''],
    // a decomposition that would give a delimiter (≯ is > and a combining mark) never does
    ['Ab≯c', 'Abc'],
  ])('%s -> %s', (written, x12) => {
    expect(toX12Text(written)).toBe(x12);
  });

  it('leaves printable ASCII exactly as it is (spaces, case and all)', () => {
    for (const ascii of ['DOE', 'van der Berg', "O'Brien", '  two  spaces  ', 'A-B.C,D']) expect(toX12Text(ascii)).toBe(ascii);
  });

  it('gives printable ASCII without the delimiters * : ^ ~ | > for any text', () => {
    const all = Array.from({ length: 0x2500 }, (_, i) => String.fromCharCode(i)).join('');
    const out = toX12Text(`\u00E9${all}`);
    expect(out).toMatch(/^[\x20-\x7E]*$/);
    expect(out).not.toMatch(/[*:^~|>]/);
  });
});
