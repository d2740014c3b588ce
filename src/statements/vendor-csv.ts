// The print-vendor file: one CSV row per statement with the same figures the PDF shows (RFC 4180
// quoting, CRLF, amounts as plain decimals). Pure: statements in, text out, one line at a time so the
// output streams it.
import { csvHeader, csvLine } from '../common/csv-writer.ts';
import { formatDecimal } from '../common/money.ts';
import type { Statement } from './model.ts';

export const VENDOR_CSV_COLUMNS = [
  'statement_id', 'statement_date', 'kind', 'sequence', 'account_number', 'guarantor_name',
  'address_line1', 'address_line2', 'city', 'state', 'postal_code', 'patients', 'services',
  'charges', 'insurance_paid', 'adjustments', 'patient_payments', 'pending_insurance', 'balance',
  'amount_due', 'due_date', 'plan_remaining', 'pdf_file',
] as const;

export function vendorCsvHeader(): string {
  return csvHeader(VENDOR_CSV_COLUMNS);
}

export function vendorCsvRow(s: Statement, pdfFile: string): string {
  const a = s.guarantor.address;
  const t = s.totals;
  const values: string[] = [
    s.statementId, s.statementDate, s.kind, String(s.sequence), s.accountNumber, s.guarantor.name,
    a?.line1 ?? '', a?.line2 ?? '', a?.city ?? '', a?.state ?? '', a?.postalCode ?? '', s.patients.join('; '),
    String(s.services.length), formatDecimal(t.chargesCents), formatDecimal(t.insurancePaidCents),
    formatDecimal(t.adjustmentsCents), formatDecimal(t.patientPaymentsCents), formatDecimal(t.pendingInsuranceCents),
    formatDecimal(t.balanceCents), formatDecimal(t.amountDueCents), s.dueDate,
    s.plan ? formatDecimal(s.plan.remainingCents) : '', pdfFile,
  ];
  return csvLine(values);
}
