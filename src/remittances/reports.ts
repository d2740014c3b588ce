// Remittance reports for analysts: per remittance (deposit, claim payments, PLB, balanced, matched,
// posting status) and the claims posted under provisional patients. Queries are in sql.ts (REPORT_SQL); the
// formatting is pure so the CLI and tests share it. Amounts stay bigint cents until printed.
import type { Pool } from 'pg';
import { formatDecimal } from '../common/money.ts';
import { REPORT_SQL } from './sql.ts';

export interface RemittanceReportRow {
  status: 'posted' | 'quarantined';
  reasonCode: string | null;
  /** The practice whose books it posted to; null for a quarantined one (it posted nothing). */
  practice: string | null;
  payer: string;
  payee: string;
  traceNumber: string;
  paymentDate: string | null;
  paymentCents: bigint | null;
  claimPaymentsCents: bigint | null;
  providerAdjustmentsCents: bigint | null;
  balanced: boolean;
  claims: number | null;
  matchedClaims: number | null;
  unmatchedClaims: number | null;
  file: string;
  set: string;
}

const big = (v: unknown): bigint | null => (v === null || v === undefined ? null : BigInt(v as string | bigint));

export async function remittanceReport(pool: Pool, range: { from?: string; to?: string; practice?: string }): Promise<RemittanceReportRow[]> {
  const res = await pool.query(REPORT_SQL.remittances, [range.from ?? null, range.to ?? null, range.practice ?? null]);
  return res.rows.map((r) => ({
    status: r.status, reasonCode: r.reason_code, practice: r.practice_id, payer: r.payer_key ?? '', payee: r.payee_key ?? '', traceNumber: r.trace_number ?? '',
    paymentDate: r.payment_date, paymentCents: big(r.payment_cents), claimPaymentsCents: big(r.claim_payments_cents),
    providerAdjustmentsCents: big(r.provider_adjustments_cents), balanced: r.balanced, claims: r.claim_count,
    matchedClaims: r.matched_claim_count, unmatchedClaims: r.unmatched_claim_count, file: r.source_file_name, set: r.source_st02 ?? '',
  }));
}

export interface UnmatchedClaimRow {
  practice: string;
  patientControlNumber: string;
  payerClaimNumber: string;
  status: string;
  chargeCents: bigint;
  paidCents: bigint;
  payerId: string;
  /** Null for a submitted claim listed because the payer forwarded it to a next payer we do not know. */
  provisionalPatientId: string | null;
  /** Why it is listed: `provisional_patient` and/or `next_payer_unknown`. */
  flags: string[];
  traceNumber: string;
  paymentDate: string;
  file: string;
}

export async function unmatchedReport(pool: Pool, practice?: string): Promise<UnmatchedClaimRow[]> {
  const res = await pool.query(REPORT_SQL.unmatched, [practice ?? null]);
  return res.rows.map((r) => ({
    practice: r.practice_id, patientControlNumber: r.patient_control_number, payerClaimNumber: r.payer_claim_number, status: r.status,
    chargeCents: BigInt(r.charge_cents), paidCents: BigInt(r.paid_cents), payerId: r.payer_id,
    provisionalPatientId: r.provisional_patient_id === null ? null : String(r.provisional_patient_id),
    flags: [...(r.provisional_patient_id !== null ? ['provisional_patient'] : []), ...(r.flags.includes('next_payer_unknown') ? ['next_payer_unknown'] : [])],
    traceNumber: r.trace_number, paymentDate: r.payment_date, file: r.source_file_name,
  }));
}

const money = (c: bigint | null): string => (c === null ? '' : formatDecimal(c));

export function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n') + '\n';
}

export function remittanceTable(rows: RemittanceReportRow[]): string {
  return table([
    ['STATUS', 'PAYER', 'TRN02', 'DATE', 'BPR02', 'CLAIMS PAID', 'PLB', 'BALANCED', 'CLAIMS', 'MATCHED', 'UNMATCHED', 'FILE', 'ST02'],
    ...rows.map((r) => [
      r.reasonCode ? `${r.status} ${r.reasonCode}` : r.status, r.payer, r.traceNumber, r.paymentDate ?? '', money(r.paymentCents),
      money(r.claimPaymentsCents), money(r.providerAdjustmentsCents), r.balanced ? 'yes' : 'no', String(r.claims ?? ''),
      String(r.matchedClaims ?? ''), String(r.unmatchedClaims ?? ''), r.file, r.set,
    ]),
  ]);
}

export function unmatchedTable(rows: UnmatchedClaimRow[]): string {
  return table([
    ['CLP01', 'CLP07', 'CLP02', 'CHARGE', 'PAID', 'PAYER', 'PROVISIONAL PATIENT', 'WHY', 'TRN02', 'DATE', 'FILE'],
    ...rows.map((r) => [r.patientControlNumber, r.payerClaimNumber, r.status, money(r.chargeCents), money(r.paidCents), r.payerId, r.provisionalPatientId ?? '', r.flags.join(','), r.traceNumber, r.paymentDate, r.file]),
  ]);
}
