// The bureaus' medical-debt rules carried on each placement: under $500 not reportable, and not before a
// year after the final notice (dates worked out by hand, including a leap day).
import { describe, expect, it } from 'vitest';
import { creditReporting } from '../../src/collections/placement.ts';
import { effectivePolicy, parseReferralSettings } from '../../src/collections/settings.ts';

describe('creditReporting', () => {
  const policy = effectivePolicy(parseReferralSettings({}));

  it('marks $500.00 and over reportable, $499.99 not', () => {
    expect(creditReporting(49_999n, '2025-05-11', policy).creditReportable).toBe(false);
    expect(creditReporting(50_000n, '2025-05-11', policy).creditReportable).toBe(true);
  });

  it('dates the earliest report 365 days after the final notice', () => {
    expect(creditReporting(60_000n, '2025-05-11', policy).creditReportNotBefore).toBe('2026-05-11');
    // 2023-06-30 + 365 days crosses 2024-02-29: one day short of the calendar anniversary.
    expect(creditReporting(60_000n, '2023-06-30', policy).creditReportNotBefore).toBe('2024-06-29');
  });

  it('follows configured thresholds', () => {
    const strict = effectivePolicy(parseReferralSettings({ creditReportMinimumCents: 100_000, creditReportWaitDays: 400 }));
    expect(creditReporting(99_999n, '2025-01-01', strict)).toEqual({ creditReportable: false, creditReportNotBefore: '2026-02-05' });
  });
});
