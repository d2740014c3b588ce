// Which practice a 270 or 271 is (src/eligibility/practice-scope.ts): the scope's parameters, and the
// appointments of one practice (its NPIs' and those of NPIs no practice has).
import { describe, expect, it } from 'vitest';
import { PracticeDirectory } from '../../src/domain/practice.ts';
import { appointmentsOfPractice, eligibilityScope, scopeParameters } from '../../src/eligibility/practice-scope.ts';

const two = new PracticeDirectory([
  { id: 'alpha', name: 'Alpha', taxId: null, npis: ['1234567893'] },
  { id: 'beta', name: 'Beta', taxId: null, npis: ['1567890128', '1999999984'] },
  { id: 'default', name: 'Default practice', taxId: null, npis: [] },
]);
const onlyDefault = new PracticeDirectory([{ id: 'default', name: 'Default practice', taxId: null, npis: ['1234567893'] }]);
const visit = (npi: string) => ({ request: { provider: { npi } } });

describe('eligibility practice scope', () => {
  it('names the practice, its NPIs and every other practice\'s; none without --practice or with one practice', () => {
    expect(eligibilityScope(two, 'beta')).toEqual({ practiceId: 'beta', npis: ['1567890128', '1999999984'], otherNpis: ['1234567893'] });
    expect(scopeParameters(eligibilityScope(two, 'alpha'))).toEqual(['alpha', ['1234567893'], ['1567890128', '1999999984']]);
    expect(eligibilityScope(two, undefined)).toBeUndefined();
    expect(eligibilityScope(onlyDefault, 'default')).toBeUndefined();
    expect(scopeParameters(undefined)).toEqual([null, [], []]);
  });

  it('keeps a practice\'s visits and those of an NPI no practice has; counts another practice\'s', () => {
    const items = [visit('1234567893'), visit('1567890128'), visit('1999999992'), visit('1999999984')];
    expect(appointmentsOfPractice(items, two, 'beta')).toEqual({ items: [items[1], items[2], items[3]], otherPractice: 1 });
    expect(appointmentsOfPractice(items, two, 'alpha')).toEqual({ items: [items[0], items[2]], otherPractice: 2 });
    expect(appointmentsOfPractice(items, onlyDefault, 'default')).toEqual({ items, otherPractice: 0 });
  });
});
