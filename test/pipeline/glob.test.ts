import { describe, expect, it } from 'vitest';
import { globToRegExp, isInputName, matchesAny } from '../../src/pipeline/glob.ts';
import { alternativeName } from '../../src/common/files.ts';

describe('glob', () => {
  it('matches * and ? case-insensitively, and nothing else specially', () => {
    expect(globToRegExp('*.835').test('ERA_0301.835')).toBe(true);
    expect(globToRegExp('*.835').test('era.8355')).toBe(false);
    expect(globToRegExp('era_??.x12').test('ERA_01.X12')).toBe(true);
    expect(globToRegExp('era_??.x12').test('era_001.x12')).toBe(false);
    expect(globToRegExp('a+b(1).txt').test('a+b(1).txt')).toBe(true);
    expect(globToRegExp('a.txt').test('abtxt')).toBe(false);
    expect(matchesAny('x.271', undefined)).toBe(true);
    expect(matchesAny('x.271', ['*.835', '*.271'])).toBe(true);
    expect(matchesAny('x.999', ['*.835', '*.271'])).toBe(false);
  });

  it('tells inputs from hidden, partial and report files', () => {
    expect(['a.835', '.a.835', 'a.835.part', 'a.835.filepart', 'a.835.error.json', 'a.835.sha256', 'a.tmp', 'README.md', 'readme', 'readme-first.835'].map(isInputName))
      .toEqual([true, false, false, false, false, false, false, false, false, true]);
  });

  it('numbers alternative names before the extension', () => {
    expect(alternativeName('remit.835', 2)).toBe('remit~2.835');
    expect(alternativeName('README', 3)).toBe('README~3');
    expect(alternativeName('.profile', 2)).toBe('.profile~2');
  });
});
