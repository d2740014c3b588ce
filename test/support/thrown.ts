// The ClaimsError a call throws, for tests that look at its code and location; anything else thrown
// (or nothing) fails the test.
import { ClaimsError } from '../../src/common/errors.ts';

export function thrown(fn: () => unknown): ClaimsError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ClaimsError) return e;
    throw e;
  }
  throw new Error('expected a ClaimsError');
}
