import { describe, expect, it } from 'vitest';
import { component, components, element, elementCount, elementsFrom, repetitions, trimmedElement } from '../../src/x12/access.ts';
import type { Delimiters, Segment } from '../../src/x12/segment.ts';

const D: Delimiters = { element: '*', component: ':', repetition: '^', segment: '~' };
const seg = (elements: string[], delimiters: Delimiters = D): Segment => ({ tag: elements[0] as string, elements, index: 0, byteOffset: 0, delimiters });

describe('element accessors (1-based, as the guides number them)', () => {
  const svc = seg(['SVC', 'HC:99213:25', '100', '80', '', '1']);

  it('reads an element, and an absent one as empty', () => {
    expect(element(svc, 2)).toBe('100');
    expect(element(svc, 4)).toBe('');
    expect(element(svc, 9)).toBe('');
    expect(elementCount(svc)).toBe(5);
  });

  it('reads components, a simple element being its own first component', () => {
    expect(components(svc, 1)).toEqual(['HC', '99213', '25']);
    expect(component(svc, 1, 2)).toBe('99213');
    expect(component(svc, 2, 1)).toBe('100');
    expect(component(svc, 1, 5)).toBe('');
    expect(components(svc, 4)).toEqual([]);
  });

  it('splits repetitions on ISA11 only when the interchange has one', () => {
    expect(repetitions(seg(['EB', '1', 'IND', '30^35^48']), 3)).toEqual(['30', '35', '48']);
    expect(repetitions(seg(['EB', '1', 'IND', '30^35']), 4)).toEqual([]);
    expect(repetitions(seg(['EB', '1', 'IND', '30^35'], { ...D, repetition: null }), 3)).toEqual(['30^35']);
  });

  it('reads the elements from n to the last one sent', () => {
    expect(elementsFrom(svc, 3)).toEqual(['80', '', '1']);
    expect(elementsFrom(svc, 6)).toEqual([]);
  });

  it('trims only the padding on the right of a fixed-width field', () => {
    const isa = seg(['ISA', '00', '          ', '00', '          ', 'ZZ', ' SENDER        ']);
    expect(trimmedElement(isa, 2)).toBe('');
    expect(trimmedElement(isa, 6)).toBe(' SENDER');
    expect(trimmedElement(isa, 16)).toBe('');
  });
});
