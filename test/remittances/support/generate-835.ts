// Test-only generator of synthetic 835 text, independent of the code under test: amounts are integer cents
// written out with their own formatter, paid amounts derive from charge minus adjustments, and BPR02 from
// the claims and PLBs, so a spec is balanced by construction unless it overrides a paid amount.
// Used by unit, integration and benchmark code; its totals() are the expected ledger effects.

export type Group = 'CO' | 'PR' | 'OA' | 'PI';
export interface GenAdjustment { group: Group; reason: string; cents: number }
export interface GenLine {
  code: string;
  modifiers?: string[];
  chargeCents: number;
  adjustments?: GenAdjustment[];
  lineControlNumber?: string;
  date?: string; // CCYYMMDD
  /** Override SVC03 (to unbalance). */
  paidCents?: number;
}
export interface GenClaim {
  pcn: string;
  status?: string;
  payerClaimNumber?: string;
  filing?: string;
  patient?: { last: string; first: string; id: string };
  insured?: { last: string; first: string; id: string };
  adjustments?: GenAdjustment[];
  lines: GenLine[];
  /** Override CLP04 (to unbalance). */
  paidCents?: number;
  /** Multiply every amount by -1 (a CLP02 22 reversal of the same claim). */
  negate?: boolean;
  /** MOA03-07 remark codes (e.g. N781, a QMB patient). */
  remarks?: string[];
}
export interface GenPlb { code: string; reference?: string; cents: number }
export interface GenRemittance {
  set: string;
  trace: string;
  payerId?: string; // TRN03
  payerName?: string;
  payeeNpi?: string;
  paymentDate?: string; // CCYYMMDD
  claims: GenClaim[];
  plb?: GenPlb[];
  /** Override BPR02 (to unbalance). */
  paymentCents?: number;
}

export function money(cents: number): string {
  const neg = cents < 0;
  const abs = Math.abs(cents);
  const whole = Math.trunc(abs / 100);
  const frac = abs % 100;
  return `${neg ? '-' : ''}${whole}${frac === 0 ? '' : '.' + String(frac).padStart(2, '0')}`;
}

function sign(c: GenClaim, cents: number): number {
  return c.negate ? -cents : cents;
}

export function linePaid(c: GenClaim, l: GenLine): number {
  if (l.paidCents !== undefined) return sign(c, l.paidCents);
  return sign(c, l.chargeCents - (l.adjustments ?? []).reduce((t, a) => t + a.cents, 0));
}

export function claimCharge(c: GenClaim): number {
  return sign(c, c.lines.reduce((t, l) => t + l.chargeCents, 0));
}

export function claimPaid(c: GenClaim): number {
  if (c.paidCents !== undefined) return sign(c, c.paidCents);
  const adj = (c.adjustments ?? []).reduce((t, a) => t + a.cents, 0);
  return c.lines.reduce((t, l) => t + linePaid(c, l), 0) - sign(c, adj);
}

export function remittancePayment(r: GenRemittance): number {
  if (r.paymentCents !== undefined) return r.paymentCents;
  return r.claims.reduce((t, c) => t + claimPaid(c), 0) - (r.plb ?? []).reduce((t, p) => t + p.cents, 0);
}

function cas(c: GenClaim, adjustments: GenAdjustment[] | undefined): string[] {
  return (adjustments ?? []).map((a) => `CAS*${a.group}*${a.reason}*${money(sign(c, a.cents))}`);
}

/** The segments of one ST..SE (without a terminator), SE01 counted. */
export function remittanceSegments(r: GenRemittance): string[] {
  const pay = remittancePayment(r);
  const segs: string[] = [
    `ST*835*${r.set}`,
    `BPR*I*${money(Math.abs(pay))}*${pay < 0 ? 'D' : 'C'}*ACH*CCP*01*999999999*DA*123456*1999999999**01*999988880*DA*98765*${r.paymentDate ?? '20240315'}`,
    `TRN*1*${r.trace}*${r.payerId ?? '1999999999'}`,
    `DTM*405*${r.paymentDate ?? '20240315'}`,
    `N1*PR*${r.payerName ?? 'SYNTHETIC HEALTH PLAN'}`,
    `N1*PE*EXAMPLE FAMILY CLINIC*XX*${r.payeeNpi ?? '1999999984'}`,
  ];
  r.claims.forEach((c, i) => {
    if (i === 0) segs.push('LX*1');
    const pr = [...(c.adjustments ?? []), ...c.lines.flatMap((l) => l.adjustments ?? [])].filter((a) => a.group === 'PR').reduce((t, a) => t + a.cents, 0);
    segs.push(`CLP*${c.pcn}*${c.status ?? '1'}*${money(claimCharge(c))}*${money(claimPaid(c))}*${money(sign(c, pr))}*${c.filing ?? '12'}*${c.payerClaimNumber ?? 'PCN' + c.pcn}*11*1`);
    segs.push(...cas(c, c.adjustments));
    const p = c.patient ?? { last: 'SAMPLE', first: 'PAT', id: 'MBR' + c.pcn };
    segs.push(`NM1*QC*1*${p.last}*${p.first}****MI*${p.id}`);
    if (c.insured) segs.push(`NM1*IL*1*${c.insured.last}*${c.insured.first}****MI*${c.insured.id}`);
    if (c.remarks && c.remarks.length > 0) segs.push(`MOA***${c.remarks.slice(0, 5).join('*')}`);
    for (const l of c.lines) {
      segs.push(`SVC*HC:${[l.code, ...(l.modifiers ?? [])].join(':')}*${money(sign(c, l.chargeCents))}*${money(linePaid(c, l))}**1`);
      segs.push(`DTM*472*${l.date ?? '20240301'}`);
      segs.push(...cas(c, l.adjustments));
      if (l.lineControlNumber) segs.push(`REF*6R*${l.lineControlNumber}`);
    }
  });
  const plb = r.plb ?? [];
  for (let i = 0; i < plb.length; i += 6) {
    const pairs = plb.slice(i, i + 6).map((p) => `${p.code}${p.reference ? ':' + p.reference : ''}*${money(p.cents)}`);
    segs.push(`PLB*${r.payeeNpi ?? '1999999984'}*20241231*${pairs.join('*')}`);
  }
  segs.push(`SE*${segs.length + 1}*${r.set}`);
  return segs;
}

export function interchange(remittances: GenRemittance[], opts: { isa13?: string; gs06?: string } = {}): string {
  const isa13 = opts.isa13 ?? '000000001';
  const gs06 = opts.gs06 ?? '1';
  const body = remittances.flatMap(remittanceSegments);
  return [
    `ISA*00*          *00*          *ZZ*SYNTHPAYER     *ZZ*SYNTHCLINIC    *240315*1200*^*00501*${isa13}*0*P*:`,
    `GS*HP*SYNTHPAYER*SYNTHCLINIC*20240315*1200*${gs06}*X*005010X221A1`,
    ...body,
    `GE*${remittances.length}*${gs06}`,
    `IEA*1*${isa13}`,
  ].join('~\n') + '~\n';
}

/** Expected effects, computed from the spec alone. */
export function totals(rs: GenRemittance[]): { paymentCents: number; byGroupCents: Record<string, number>; byReasonCents: Record<string, number>; plbCents: number; chargeCents: number } {
  const byGroupCents: Record<string, number> = {};
  const byReasonCents: Record<string, number> = {};
  let chargeCents = 0;
  for (const r of rs) {
    for (const c of r.claims) {
      chargeCents += claimCharge(c);
      for (const a of [...(c.adjustments ?? []), ...c.lines.flatMap((l) => l.adjustments ?? [])]) {
        byGroupCents[a.group] = (byGroupCents[a.group] ?? 0) + sign(c, a.cents);
        byReasonCents[`${a.group}-${a.reason}`] = (byReasonCents[`${a.group}-${a.reason}`] ?? 0) + sign(c, a.cents);
      }
    }
  }
  return {
    paymentCents: rs.reduce((t, r) => t + remittancePayment(r), 0),
    byGroupCents,
    byReasonCents,
    plbCents: rs.reduce((t, r) => t + (r.plb ?? []).reduce((u, p) => u + p.cents, 0), 0),
    chargeCents,
  };
}
