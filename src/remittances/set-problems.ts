// Every problem of one 835 set, bounded (issue 16): what the reader found, in segment order, then what
// balancing found on the amounts that could be read. The first SET_PROBLEMS_MAX are reported, located;
// the rest are counted in one more error, so a set of 70,000 bad claims gives a report of bounded size.
import { ClaimsError, type Location } from '../common/errors.ts';
import { SET_PROBLEMS_MAX, type RemittanceReading } from '../transactions/remittance-835-reading.ts';
import { balanceError, balanceRemittance } from './balance.ts';

/** The first SET_PROBLEMS_MAX reasons, and one REMIT_MORE_PROBLEMS counting the rest (`beyond` more were never kept). */
export function boundedReasons(reasons: readonly ClaimsError[], beyond: number, where: Location): ClaimsError[] {
  const more = Math.max(0, reasons.length - SET_PROBLEMS_MAX) + beyond;
  const kept = reasons.slice(0, SET_PROBLEMS_MAX);
  if (more === 0) return kept;
  return [...kept, new ClaimsError({
    code: 'REMIT_MORE_PROBLEMS',
    message: `${more} more problems in this set (${kept.length + more} in all); the first ${kept.length} are reported`,
    location: where, expected: 'no problem', found: `${kept.length + more} problems`,
  })];
}

/**
 * A set the reader found problems in: those problems, then every balance failure among the amounts it
 * could read (a bad BPR16 no longer hides an unbalanced claim), bounded. Nothing of it posts.
 */
export function readingReasons(reading: RemittanceReading, file: string): ClaimsError[] {
  const r = reading.remittance;
  const balance = balanceRemittance(r, reading.unreadable);
  const balanced = balance.failures.map((f) => balanceError(r, f, file));
  const where = { file, interchange: r.interchange, group: r.group, set: r.set };
  // Reader problems first, up to the limit; balance failures fill what is left of it.
  return boundedReasons([...reading.problems, ...balanced], reading.problemsBeyond, where);
}
