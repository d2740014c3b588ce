// A payer profile's terms per practice (issue 17): what one practice's contract with the payer changes, and
// what it may not (the interchange stays the office's). Pure.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parsePayerProfile, unknownProfilePractices } from '../../src/runtime/payer-profiles.ts';
import { profileForPractice } from '../../src/domain/payer-profile.ts';

const acme = JSON.parse(readFileSync(new URL('../../samples/payers/acme.json', import.meta.url), 'utf8')) as Record<string, unknown>;

function parse(practices: unknown) {
  return parsePayerProfile({ ...acme, practices });
}

describe('payer terms per practice', () => {
  it('overrides crosswalk, filing indicator, CLM01 limit and eligibility for that practice only', () => {
    const r = parse({ riverside: { crosswalk: { version: 'rs-1', entries: [] }, claimFilingIndicator: 'HM', patientControlNumberMax: 17, eligibility: { whenInactive: 'send' } } });
    if (!r.ok) throw new Error(r.problems.join('; '));
    const base = r.profile;
    const rs = profileForPractice(base, 'riverside');
    expect([rs.crosswalk.version, rs.claimFilingIndicator, rs.patientControlNumberMax, rs.eligibility.whenInactive]).toEqual(['rs-1', 'HM', 17, 'send']);
    expect([base.crosswalk.version, base.claimFilingIndicator, base.patientControlNumberMax, base.eligibility.whenInactive]).toEqual(['acme-2024.1', 'CI', 20, 'hold']);
    // The interchange is the office's, whatever the practice.
    expect(rs.submitter).toBe(base.submitter);
    expect(rs.receiver).toBe(base.receiver);
    // Another practice, or none: the payer's own terms, the very same object.
    expect(profileForPractice(base, 'northwind')).toBe(base);
    expect(profileForPractice(base, undefined)).toBe(base);
    // One object per practice (crosswalk versions are cached by it).
    expect(profileForPractice(base, 'riverside')).toBe(rs);
  });

  it('refuses interchange fields in a practice\'s terms and checks its crosswalk like the payer\'s', () => {
    const interchange = parse({ riverside: { submitter: { name: 'X' } } });
    expect(interchange.ok).toBe(false);
    if (!interchange.ok) expect(interchange.problems.some((p) => p.startsWith('practices.riverside'))).toBe(true);
    const r = parse({
      lakeside: { crosswalk: { version: 'l1', entries: [{ code: '99213', from: '2024-05-01', to: '2024-04-01', toCode: '99214' }], rules: [{ codePattern: '(', from: '2024-01-01', appendModifiers: ['GT'] }] } },
    });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.problems).toEqual([
        'practices.lakeside.crosswalk.rules.0.codePattern: not a regular expression',
        'practices.lakeside.crosswalk.entries.0.to: ends before it starts (2024-05-01 .. 2024-04-01)',
      ]);
    }
  });

  it('names practice ids that are not registered', () => {
    const r = parse({ riverside: { claimFilingIndicator: 'HM' }, typo: { claimFilingIndicator: 'HM' } });
    if (!r.ok) throw new Error(r.problems.join('; '));
    expect(unknownProfilePractices([r.profile], new Set(['default', 'riverside']))).toEqual(['payer ACME: practices.typo is not a registered practice']);
  });
});
