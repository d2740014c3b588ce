// Procedure-code crosswalk: maps one service line's code, modifiers and units the way a payer wants them,
// using the entries and rules in force on the line's date of service. Pure: plain data in, plain data out.
//
// Order: the most specific entry in force (most modifiersIn; the earlier one in the file on a tie) replaces
// the code, swaps its modifiersIn for modifiersOut and multiplies the units; then every rule in force whose
// pattern matches the (new) code appends its modifiers, once. Effective dates are inclusive at both ends.
import { ClaimsError } from '../common/errors.ts';
import type { Crosswalk, CrosswalkEntry, CrosswalkRule } from '../domain/payer-profile.ts';

export interface LineCodes {
  procedureCode: string;
  modifiers: string[];
  /** Decimal text. */
  units: string;
  /** YYYY-MM-DD */
  serviceDate: string;
}

export interface MappedCodes {
  procedureCode: string;
  modifiers: string[];
  units: string;
  /** Index of the entry used in crosswalk.entries, or null when none applied. */
  entryIndex: number | null;
  /** Indexes of the rules that appended modifiers. */
  ruleIndexes: number[];
}

const inForce = (from: string, to: string | undefined, date: string): boolean =>
  from <= date && (to === undefined || date <= to);

/** The entry to apply to a line, or null. */
export function findEntry(crosswalk: Crosswalk, line: LineCodes): { entry: CrosswalkEntry; index: number } | null {
  let best: { entry: CrosswalkEntry; index: number } | null = null;
  crosswalk.entries.forEach((entry, index) => {
    if (entry.code !== line.procedureCode || !inForce(entry.from, entry.to, line.serviceDate)) return;
    if (!entry.modifiersIn.every((m) => line.modifiers.includes(m))) return;
    if (best === null || entry.modifiersIn.length > best.entry.modifiersIn.length) best = { entry, index };
  });
  return best;
}

/** Map one line. Throws CROSSWALK_NO_ENTRY (strict payers) or CROSSWALK_TOO_MANY_MODIFIERS. */
export function mapLineCodes(crosswalk: Crosswalk, line: LineCodes): MappedCodes {
  const found = findEntry(crosswalk, line);
  let procedureCode = line.procedureCode;
  let modifiers = [...line.modifiers];
  let units = line.units;
  if (found) {
    const { entry } = found;
    procedureCode = entry.toCode ?? procedureCode;
    if (entry.modifiersOut !== undefined) {
      modifiers = modifiers.filter((m) => !entry.modifiersIn.includes(m));
      for (const m of entry.modifiersOut) if (!modifiers.includes(m)) modifiers.push(m);
    }
    units = multiplyDecimal(units, entry.unitsFactor);
  } else if (crosswalk.unmappedCodes === 'reject') {
    throw new ClaimsError({
      code: 'CROSSWALK_NO_ENTRY',
      message: `payer crosswalk ${crosswalk.version} has no entry for ${line.procedureCode} on ${line.serviceDate}`,
      expected: 'a crosswalk entry in force on the date of service',
      found: `${[line.procedureCode, ...line.modifiers].join(':')} on ${line.serviceDate}`,
    });
  }
  const ruleIndexes: number[] = [];
  crosswalk.rules.forEach((rule, index) => {
    if (!inForce(rule.from, rule.to, line.serviceDate) || !patternOf(rule).test(procedureCode)) return;
    let applied = false;
    for (const m of rule.appendModifiers) {
      if (!modifiers.includes(m)) {
        modifiers.push(m);
        applied = true;
      }
    }
    if (applied) ruleIndexes.push(index);
  });
  if (modifiers.length > 4) {
    throw new ClaimsError({
      code: 'CROSSWALK_TOO_MANY_MODIFIERS',
      message: `after the payer crosswalk the line has ${modifiers.length} modifiers`,
      expected: 'at most 4 modifiers',
      found: modifiers.join(':'),
    });
  }
  return { procedureCode, modifiers, units, entryIndex: found ? found.index : null, ruleIndexes };
}

/** Each rule's pattern compiled once (every line of every claim asks), not per line. */
const patterns = new WeakMap<CrosswalkRule, RegExp>();
function patternOf(rule: CrosswalkRule): RegExp {
  let re = patterns.get(rule);
  if (re === undefined) {
    re = new RegExp(rule.codePattern);
    patterns.set(rule, re);
  }
  return re;
}

/** Exact product of two non-negative decimal strings, trailing zeros trimmed (`1.5` x `4` = `6`). */
export function multiplyDecimal(a: string, b: string): string {
  if (b === '1') return a;
  const [aw = '0', af = ''] = a.split('.');
  const [bw = '0', bf = ''] = b.split('.');
  const scale = af.length + bf.length;
  const product = (BigInt(aw + af) * BigInt(bw + bf)).toString().padStart(scale + 1, '0');
  const whole = product.slice(0, product.length - scale);
  const frac = product.slice(product.length - scale).replace(/0+$/, '');
  return frac ? `${whole}.${frac}` : whole;
}
