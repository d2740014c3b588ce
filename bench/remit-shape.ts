// The shape of the 835 ingest benchmark's input: remittances as payers send them, and the claims this
// system "submitted" for them (seeded into the bench database before the timed run). Deterministic: every
// remittance and claim is a function of its numbers, so the 835 writer and the seed agree without sharing
// state, and a file of any size is generated in constant memory.
//
// Shape (written to bench/README.md with the results):
//  - three payers in rotation; each remittance holds 100 to 5,000 claims (a payer's daily or weekly 835);
//  - 1 to 9 service lines per claim (5 on average), CO-45 on every line, PR deductible / coinsurance /
//    copay on two lines in three, CO-253 sequestration on one line in four;
//  - 85% of claims were submitted by this system (matched by CLP01 and REF*6R), a quarter of those with
//    a secondary coverage (PR moves to the secondary payer); 15% were not (provisional patients);
//  - one claim in 100 (after the first rotation) reverses a claim that the same payer paid three
//    remittances earlier (CLP02 22, every amount negated) and is followed by its correction;
//  - PLB: L6 interest on every remittance, a WO overpayment recovery tied to a claim on every other one.
import type { GenClaim, GenPlb, GenRemittance } from '../test/remittances/support/generate-835.ts';

export const BENCH_PAYERS = ['BENCHPAYER-A', 'BENCHPAYER-B', 'BENCHPAYER-C'] as const;
const SECONDARY = 'BENCHPAYER-S';
const CODES = ['99213', '99214', '81002', '36415', '85025', '93000', '71046', '80053', '97110'];

/** A small integer hash (deterministic, well mixed) for picking shapes. */
function mix(...xs: number[]): number {
  let h = 0x9e3779b9;
  for (const x of xs) {
    h = Math.imul(h ^ x, 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
  }
  return h >>> 0;
}

export const remittancePayer = (n: number): number => n % BENCH_PAYERS.length;
let fixedClaims: number | null = null;
/** Every remittance with exactly `claims` claims (null: the mix of 100 to 5,000), for the memory runs. */
export function setClaimsPerRemittance(claims: number | null): void {
  fixedClaims = claims;
}
export const claimCount = (n: number): number => fixedClaims ?? 100 + (mix(n, 1) % 4901);
const lineCount = (n: number, c: number): number => 1 + (mix(n, c, 2) % 9);
export const isMatched = (n: number, c: number): boolean => mix(n, c, 3) % 100 < 85;
const hasSecondary = (n: number, c: number): boolean => mix(n, c, 4) % 4 === 0;
// A reversal takes back claim c of the same payer's remittance three back, which must exist there and have
// been paid there (not itself a reversal pair): so no payment is ever reversed twice, as no payer does.
const isReversal = (n: number, c: number): boolean =>
  n >= BENCH_PAYERS.length && c > 0 && mix(n, c, 5) % 100 === 0 && c < claimCount(n - BENCH_PAYERS.length) && !isReversal(n - BENCH_PAYERS.length, c);

export const claimPcn = (n: number, c: number): string => `R${n}C${c}`;
export const lineControl = (n: number, c: number, l: number): string => `R${n}C${c}L${l + 1}`;
export const accountNumber = (n: number, c: number): string => `G${mix(n, c, 6) % 50_000}`;

export interface SeedLine { control: string; code: string; chargeCents: number; date: string }
export interface SeedClaim { pcn: string; account: string; payer: string; secondary: string | null; lines: SeedLine[] }

/** The claim as submitted (what the seed stores) for remittance n's claim c. */
export function submittedClaim(n: number, c: number): SeedClaim {
  const lines = Array.from({ length: lineCount(n, c) }, (_, l) => ({
    control: lineControl(n, c, l), code: CODES[mix(n, c, l, 7) % CODES.length]!,
    chargeCents: 4000 + (mix(n, c, l, 8) % 40_000), date: `2024-03-${String(1 + (mix(n, c, 9) % 28)).padStart(2, '0')}`,
  }));
  return { pcn: claimPcn(n, c), account: accountNumber(n, c), payer: BENCH_PAYERS[remittancePayer(n)]!, secondary: hasSecondary(n, c) ? SECONDARY : null, lines };
}

/** The claim as remitted: every line pays its charge less CO-45 (and PR, CO-253 on some). */
function remittedClaim(n: number, c: number): GenClaim {
  const s = submittedClaim(n, c);
  const matched = isMatched(n, c);
  return {
    pcn: s.pcn,
    patient: { last: `BENCHLAST${mix(n, c, 10) % 997}`, first: `FIRST${mix(n, c, 11) % 89}`, id: `M${mix(n, c, 12) % 1_000_000}` },
    lines: s.lines.map((l, i) => {
      const co = Math.floor(l.chargeCents * (15 + (mix(n, c, i, 13) % 25)) / 100);
      const pr = mix(n, c, i, 14) % 3 !== 0 ? 500 + (mix(n, c, i, 15) % 2500) : 0;
      const seq = mix(n, c, i, 16) % 4 === 0 ? 37 : 0;
      return {
        code: l.code, chargeCents: l.chargeCents, date: l.date.replaceAll('-', ''),
        // Unmatched claims come from another system: their REF*6R means nothing here.
        ...(matched && { lineControlNumber: l.control }),
        adjustments: [
          { group: 'CO' as const, reason: '45', cents: co },
          ...(pr > 0 ? [{ group: 'PR' as const, reason: String(1 + (mix(n, c, i, 17) % 3)), cents: pr }] : []),
          ...(seq > 0 ? [{ group: 'CO' as const, reason: '253', cents: seq }] : []),
        ],
      };
    }),
  };
}

/** Remittance n: its claims, reversals with their corrections, and PLBs; balanced by construction. */
export function benchRemittance(n: number): GenRemittance {
  const claims: GenClaim[] = [];
  for (let c = 0; c < claimCount(n); c++) {
    if (isReversal(n, c)) {
      // Reverse a claim the same payer paid three remittances ago, then correct it.
      const earlier = n - BENCH_PAYERS.length;
      const original = remittedClaim(earlier, c);
      claims.push({ ...original, status: '22', negate: true }, original);
    } else {
      claims.push(remittedClaim(n, c));
    }
  }
  const plb: GenPlb[] = [{ code: 'L6', cents: -(1 + (mix(n, 18) % 500)) }];
  if (n % 2 === 0) plb.push({ code: 'WO', reference: claimPcn(n, 0), cents: 100 + (mix(n, 19) % 900) });
  return {
    set: String(n + 1).padStart(4, '0'), trace: `EFT-BENCH-${n}`, payerId: `100000000${remittancePayer(n)}`,
    payerName: `BENCH PLAN ${'ABC'[remittancePayer(n)]}`, claims, plb,
  };
}

/** Service lines in remittance n (reversals and their corrections count twice: they are in the file twice). */
export function serviceLineCount(r: GenRemittance): number {
  return r.claims.reduce((t, c) => t + c.lines.length, 0);
}
