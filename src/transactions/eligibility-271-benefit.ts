// One EB of a 271 (loop 2110C/D, eligibility or benefit information) read into a Benefit, with no loop
// state: the reader in eligibility-271.ts decides whose benefit it is and attaches what follows it (DTP,
// REF, MSG, the 2120 related entities). Kept apart because EB is the widest segment of the 271 and the
// only one whose reading depends on the interchange's delimiters.
import type { Segment } from '../x12/segment.ts';
import { element, repetitions } from '../x12/access.ts';
import type { Location } from '../common/errors.ts';
import type { ErrorCode } from '../common/error-codes.ts';
import { parseCents } from '../common/money.ts';
import type { Benefit } from '../domain/eligibility.ts';

/** What reading an EB needs from the reader around it: where the segment sits, for located problems. */
export interface SegmentSite {
  loc(s: Segment, elementNo?: number): Location;
  fail(code: ErrorCode, message: string, s: Segment, elementNo?: number, expected?: string): never;
}

const PERCENT = /^\d*(?:\.\d*)?$/;

/**
 * True when EB03 must be split on the component separator: with no usable repetition separator (ISA11
 * equal to ISA16, or 'U'), EB03 is a simple element and can never hold a composite, so a component
 * separator found in it can only have been meant as a repetition.
 */
export function eb03OnComponent(s: Segment): boolean {
  return !s.delimiters.repetition && element(s, 3).includes(s.delimiters.component);
}

/** The benefit an EB states. Throws (located at `site`) when EB01 is missing or EB07/EB08 are not numbers. */
export function readBenefit(s: Segment, site: SegmentSite): Benefit {
  if (!element(s, 1)) site.fail('ELIGIBILITY_EB01_MISSING', 'EB01 (benefit type) is required', s, 1, 'a benefit type code');
  const amount = element(s, 7);
  const percent = element(s, 8);
  if (percent && !PERCENT.test(percent)) {
    site.fail('ELIGIBILITY_PERCENT_INVALID', `EB08 ${percent} is not a decimal fraction`, s, 8, 'a fraction such as 0.2');
  }
  return {
    type: element(s, 1),
    coverageLevel: element(s, 2),
    serviceTypes: eb03OnComponent(s) ? element(s, 3).split(s.delimiters.component) : repetitions(s, 3),
    insuranceType: element(s, 4),
    planDescription: element(s, 5),
    period: element(s, 6),
    amountCents: amount === '' ? null : parseCents(amount, site.loc(s, 7)),
    percent: percent === '' ? null : percent,
    quantityQualifier: element(s, 9),
    quantity: element(s, 10) === '' ? null : element(s, 10),
    authorizationRequired: element(s, 11),
    network: element(s, 12),
    procedure: element(s, 13),
    dates: [],
    messages: [],
    references: [],
    rejections: [],
    relatedEntities: [],
    segmentIndex: s.index,
  };
}
