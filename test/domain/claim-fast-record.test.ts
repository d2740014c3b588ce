// The fast path for the claim record must agree with zod: whatever it accepts, zod accepts with the same
// value, and its keys are sorted so JSON.stringify equals the canonical JSON the content hash is taken over.
// Records: synthetic valid claims (both types, dependents, secondary coverages) with 0 to 3 mutations each:
// fields deleted, replaced by tricky or random JSON values, padded, lower-cased, or optional fields added.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ClaimRecord } from '../../src/domain/claim.ts';
import { parseClaimRecordFast } from '../../src/domain/claim-fast-record.ts';
import { canonicalJson } from '../../src/common/content-hash.ts';
import { syntheticClaim } from '../claims/support/synthetic.ts';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const TRICKY: Json[] = [
  '', ' ', '  PADDED  ', 'lower', 'A*B', 'A:B', 'A^B', 'A~B', 'A|B', 'A>B', 'caf\u00e9', '\tTAB\n',
  // Names beyond ASCII: accepted in names only, and only when their X12 spelling fits the element.
  '\u0141ukasz', 'Nguy\u1ec5n', 'O\u2019Brien', '\u738b', 'Li \u738b', 'Ab\u226fc', '\u00df'.repeat(18), '\u00df'.repeat(31), 'Kaʻ\u2603',
  '2024-02-29', '2023-02-29', '1900-02-29', '2000-02-29', '2024-04-31', '2024-13-01', '2024-00-10', '2024-1-01', '0000-01-01',
  '1', '0', '0.0', '00', '1.5', '1.2345', '999999', '1000000', '12.345', '125', '125.5', '125.50', '125.505', '-1', '+1',
  '1234567893', '123456789', '12345', '123456789X', '974771234', 'OR', 'or', 'M', 'm', 'X', 'self', 'SELF', '7', '9',
  'a@b.co', 'not-an-email', 'x'.repeat(20), 'x'.repeat(21), 'x'.repeat(35), 'x'.repeat(36), 'x'.repeat(50), 'x'.repeat(51),
  'x'.repeat(55), 'x'.repeat(56), 'x'.repeat(60), 'x'.repeat(61), 'x'.repeat(80), 'x'.repeat(81), ` ${'y'.repeat(60)} `,
  // The coverage's payer-order facts (decision 0100): plan types, employer sizes, MSP types, protections.
  'qmb', 'dual', 'QMB', 'group_current_employment', 'group_retiree', 'workers_compensation', 'liability', '12', '43', '47', '11', 20, 100, 10_000_001,
  0, 1, 1.5, -1, 12, 0.0001, 1e21, 2 ** 53, null, true, false, [], {}, [1], [1, 2, 3, 4, 5], ['25'], [' 25 ', 'gp'], [1.5],
];
const OPTIONAL_KEYS = [
  'line2', 'middleName', 'email', 'phone', 'taxonomy', 'contactName', 'groupNumber', 'patientMemberId', 'claimFilingIndicator',
  'payerClaimNumber', 'revenueCode', 'admissionDate', 'admissionSource', 'admittingDiagnosis', 'renderingProvider',
  'institutional', 'subscriber', 'organizationName', 'firstName', 'lastName', 'frequency', 'modifiers', 'diagnosisPointers', 'unknownKey',
  'planType', 'employerSize', 'medicareSecondaryPayerType', 'protection',
];

/** Every container path (objects and arrays) and leaf path of a value. */
function paths(v: Json, at: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(at);
  if (Array.isArray(v)) v.forEach((x, i) => paths(x, [...at, i], out));
  else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) paths(x, [...at, k], out);
  return out;
}
function parentOf(root: Json, path: (string | number)[]): Json {
  let v = root;
  for (const p of path.slice(0, -1)) v = (v as Record<string | number, Json>)[p]!;
  return v;
}

type Mutation = { kind: 'delete' | 'set' | 'pad' | 'lower' | 'add' | 'date'; pick: number; value: Json; key: string; date: string };
const pad2 = (n: number): string => String(n).padStart(2, '0');
const mutation = fc.record({
  kind: fc.constantFrom('delete', 'set', 'pad', 'lower', 'add', 'date', 'date') as fc.Arbitrary<Mutation['kind']>,
  // Calendar edge cases: 29 to 32 days, months 0 to 13, century leap years.
  date: fc
    .tuple(fc.constantFrom(1899, 1900, 2000, 2023, 2024, 2100), fc.integer({ min: 0, max: 13 }), fc.integer({ min: 27, max: 32 }))
    .map(([y, m, d]) => `${y}-${pad2(m)}-${pad2(d)}`),
  pick: fc.nat(),
  value: fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...TRICKY) }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json> }),
  key: fc.constantFrom(...OPTIONAL_KEYS),
});

function mutate(record: Json, m: Mutation): Json {
  if (m.kind === 'date') {
    const dates = paths(record).filter((p) => p.length > 0 && /^\d{4}-\d{2}-\d{2}$/.test(String(parentOf(record, p) && (parentOf(record, p) as Record<string | number, Json>)[p[p.length - 1]!])));
    if (dates.length === 0) return record;
    const p = dates[m.pick % dates.length]!;
    (parentOf(record, p) as Record<string | number, Json>)[p[p.length - 1]!] = m.date;
    return record;
  }
  const all = paths(record);
  const path = all[m.pick % all.length]!;
  if (path.length === 0) return m.kind === 'set' ? m.value : record;
  const parent = parentOf(record, path) as Record<string | number, Json> & Json[];
  const last = path[path.length - 1]!;
  const current = parent[last];
  switch (m.kind) {
    case 'delete':
      if (Array.isArray(parent)) parent.splice(last as number, 1);
      else delete parent[last];
      break;
    case 'set':
      parent[last] = m.value;
      break;
    case 'pad':
      if (typeof current === 'string') parent[last] = ` ${current}  `;
      break;
    case 'lower':
      if (typeof current === 'string') parent[last] = current.toLowerCase();
      break;
    case 'add':
      if (current !== null && typeof current === 'object' && !Array.isArray(current)) current[m.key] = m.value;
      break;
  }
  return record;
}

const record = fc
  .record({
    i: fc.nat({ max: 10_000 }),
    institutionalEvery: fc.constantFrom(0, 1, 5),
    secondaryEvery: fc.constantFrom(0, 1, 3),
    mutations: fc.array(mutation, { maxLength: 3 }),
  })
  .map(({ i, institutionalEvery, secondaryEvery, mutations }) => {
    let r = JSON.parse(JSON.stringify(syntheticClaim(i, { institutionalEvery, secondaryEvery }))) as Json;
    for (const m of mutations) r = mutate(r, m);
    return { r, mutated: mutations.length > 0 };
  });

describe('claim record fast path', () => {
  it('accepts only what zod accepts, with the same value, keys sorted (canonical JSON = JSON.stringify)', () => {
    let fastAccepted = 0;
    let zodAccepted = 0;
    fc.assert(
      fc.property(record, ({ r, mutated }) => {
        const input = JSON.parse(JSON.stringify(r)) as unknown;
        const fast = parseClaimRecordFast(input);
        const zod = ClaimRecord.safeParse(input);
        if (zod.success) zodAccepted++;
        if (!mutated) expect(fast).not.toBeNull(); // the common valid record takes the fast path
        if (fast === null) return;
        fastAccepted++;
        expect(zod.success).toBe(true);
        expect(fast).toEqual(zod.data);
        expect(JSON.stringify(fast)).toBe(canonicalJson(zod.data));
        // The input is left as it was (zod's errors quote it).
        expect(input).toEqual(JSON.parse(JSON.stringify(r)));
      }),
      { seed: 20240901, numRuns: 2000 },
    );
    // Both outcomes were exercised: some mutated records are still valid, many are not.
    expect(fastAccepted).toBeGreaterThan(400);
    expect(zodAccepted).toBeLessThan(2000);
  }, 120_000);

  it('takes a pay-to address, present-on-admission indicators and UB-04 codes as zod does, and gives up on a bad indicator', () => {
    const inst = JSON.parse(JSON.stringify(syntheticClaim(4))) as Record<string, Record<string, unknown>>;
    inst.billingProvider!.payToAddress = { line1: 'PO BOX 4410', city: 'SPRINGFIELD', state: 'OR', postalCode: '97477' };
    inst.serviceFacility = { npi: '1234567893', name: 'COUNTY HOSPITAL', address: { line1: '9 HOSPITAL WAY', city: 'EUGENE', state: 'OR', postalCode: '974010002' } };
    inst.institutional!.presentOnAdmission = ['Y', 'W', '1'];
    inst.institutional!.conditionCodes = ['07'];
    inst.institutional!.occurrences = [{ date: '2024-08-20', code: '11' }];
    inst.institutional!.occurrenceSpans = [{ to: '2024-08-22', from: '2024-08-21', code: '74' }];
    inst.institutional!.values = [{ code: '80', amount: '3' }];
    const zod = ClaimRecord.parse(inst);
    const fast = parseClaimRecordFast(inst);
    expect(fast).toEqual(zod);
    expect(JSON.stringify(fast)).toBe(canonicalJson(zod));
    inst.institutional!.presentOnAdmission = ['Y', 'X'];
    expect(parseClaimRecordFast(inst)).toBeNull();
    expect(ClaimRecord.safeParse(inst).success).toBe(false);
  });

  it('reads a coverage\'s plan type, employer size, MSP type and protection as zod does', () => {
    const r = JSON.parse(JSON.stringify(syntheticClaim(2))) as ReturnType<typeof syntheticClaim>;
    r.coverages = [
      { payerId: 'ACME', memberId: 'S1', relationship: 'self', planType: 'group_current_employment', employerSize: 250 },
      { payerId: 'MEDB', memberId: 'M1', relationship: 'self', medicareSecondaryPayerType: '43', protection: 'qmb' },
      { payerId: 'STMCD', memberId: 'D1', relationship: 'self', planType: 'individual' },
    ];
    const fast = parseClaimRecordFast(r);
    expect(fast).toEqual(ClaimRecord.parse(r));
    expect(JSON.stringify(fast)).toBe(canonicalJson(ClaimRecord.parse(r)));
    const bad: [string, Record<string, unknown>][] = [
      ['an unknown plan type', { planType: 'group' }],
      ['an employer size of 0', { employerSize: 0 }],
      ['a fractional employer size', { employerSize: 20.5 }],
      ['an employer size as text', { employerSize: '20' }],
      ['an MSP type not in SBR05\'s list', { medicareSecondaryPayerType: '11' }],
      ['an MSP type as a number', { medicareSecondaryPayerType: 12 }],
      ['a protection in capitals', { protection: 'QMB' }],
      ['a null protection', { protection: null }],
    ];
    for (const [what, change] of bad) {
      const b = JSON.parse(JSON.stringify(r)) as Record<string, unknown> & { coverages: Record<string, unknown>[] };
      Object.assign(b.coverages[0]!, change);
      expect(parseClaimRecordFast(b), what).toBeNull();
      expect(ClaimRecord.safeParse(b).success, what).toBe(false);
    }
  });

  it('gives up on each kind of problem that zod reports', () => {
    const base = (): Record<string, unknown> => JSON.parse(JSON.stringify(syntheticClaim(3))) as Record<string, unknown>;
    const cases: [string, (r: Record<string, unknown>) => void][] = [
      ['a date that is not in the calendar', (r) => ((r.lines as Record<string, unknown>[])[0]!.serviceDate = '2023-02-29')],
      ['units of zero', (r) => ((r.lines as Record<string, unknown>[])[0]!.units = '0.000')],
      ['a delimiter in a name', (r) => ((r.patient as Record<string, unknown>).lastName = 'O*BRIEN')],
      ['a name too long after trimming', (r) => ((r.patient as Record<string, unknown>).firstName = 'x'.repeat(36))],
      ['a null optional field', (r) => (r.payerClaimNumber = null)],
      ['a bad email', (r) => ((r.patient as Record<string, unknown>).email = 'nobody')],
      ['no lines', (r) => (r.lines = [])],
      ['four coverages', (r) => (r.coverages = [1, 2, 3, 4].map(() => (r.coverages as unknown[])[0]))],
    ];
    for (const [what, change] of cases) {
      const r = base();
      change(r);
      expect(parseClaimRecordFast(r), what).toBeNull();
      expect(ClaimRecord.safeParse(r).success, what).toBe(false);
    }
    // And the trims, defaults and upper-casing zod applies, on a valid record.
    const r = base();
    delete r.frequency;
    (r.lines as Record<string, unknown>[])[0]!.procedureCode = ' 99213 ';
    (r.lines as Record<string, unknown>[])[0]!.units = 2;
    (r.lines as Record<string, unknown>[])[0]!.modifiers = [' gp '];
    (r.patient as Record<string, unknown>).lastName = '  TESTER ';
    const fast = parseClaimRecordFast(r)!;
    expect(fast.frequency).toBe('1');
    expect(fast.lines[0]!.procedureCode).toBe('99213');
    expect(fast.lines[0]!.units).toBe('2');
    expect(fast.lines[0]!.modifiers).toEqual(['GP']);
    expect(fast.patient.lastName).toBe('TESTER');
  });
});
