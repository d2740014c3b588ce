// Renders agency records through an agency's layout: CSV (the common writer, with the agency's delimiter and
// line ending) or fixed width, with the agency's column names, order, date, amount and flag formats. Pure.
// A fixed-width amount or date that does not fit is an error (a truncated number is a wrong number); text is
// cut to its width.
import { csvText, type CsvOptions } from '../common/csv-writer.ts';
import { formatDecimal } from '../common/money.ts';
import { ClaimsError } from '../common/errors.ts';
import { FIELDS, type AnyRecord, type FieldType, type RecordKind } from './records.ts';
import type { Layout } from './settings.ts';

export interface ResolvedColumn {
  field: string;
  name: string;
  type: FieldType;
  width?: number;
}

export function layoutColumns(kind: RecordKind, layout: Layout): ResolvedColumn[] {
  const fields = FIELDS[kind];
  const chosen: { field: string; name?: string | undefined; width?: number | undefined }[] = layout.columns ?? Object.keys(fields).map((field) => ({ field }));
  return chosen.map((c): ResolvedColumn => {
    const def = fields[c.field];
    if (!def) throw new ClaimsError({ code: 'LAYOUT_FIELD_UNKNOWN', message: `unknown ${kind} field ${c.field}`, found: c.field });
    return { field: c.field, name: c.name ?? def.column, type: def.type, ...(c.width !== undefined && { width: c.width }) };
  });
}

export function formatDate(iso: string, format: Layout['dateFormat']): string {
  if (iso === '') return '';
  const [y, m, d] = iso.split('-') as [string, string, string];
  if (format === 'MM/DD/YYYY') return `${m}/${d}/${y}`;
  if (format === 'YYYYMMDD') return `${y}${m}${d}`;
  return iso;
}

function formatValue(value: unknown, type: FieldType, layout: Layout): string {
  switch (type) {
    case 'cents':
      return layout.amountFormat === 'cents' ? (value as bigint).toString() : formatDecimal(value as bigint);
    case 'date':
      return formatDate((value as string | null) ?? '', layout.dateFormat);
    case 'flag': {
      const [yes, no] = layout.flagFormat.split('/') as [string, string];
      return value ? yes : no;
    }
    default:
      return value === null || value === undefined ? '' : String(value);
  }
}

function fixedCell(text: string, col: ResolvedColumn, where: { line: number }): string {
  const width = col.width as number;
  if (col.type === 'text' || col.type === 'flag') return text.length > width ? text.slice(0, width) : text.padEnd(width, ' ');
  if (text.length > width) {
    throw new ClaimsError({ code: 'LAYOUT_VALUE_TOO_WIDE', message: `${col.field} ${text} does not fit in ${width} characters`, location: { field: col.field, line: where.line }, expected: `at most ${width} characters`, found: text });
  }
  if (col.type === 'date') return text.padEnd(width, ' ');
  // Amounts right-aligned with leading zeros, the sign in front.
  const neg = text.startsWith('-');
  const digits = neg ? text.slice(1) : text;
  return (neg ? '-' : '') + digits.padStart(width - (neg ? 1 : 0), '0');
}

/** The file's text: header (CSV only, when the layout has one) then one line per record. */
export function renderRecords(kind: RecordKind, layout: Layout, records: readonly AnyRecord[]): string {
  const cols = layoutColumns(kind, layout);
  const valuesOf = (r: AnyRecord): string[] => cols.map((c) => formatValue((r as unknown as Record<string, unknown>)[c.field], c.type, layout));
  if (layout.format === 'csv') {
    // Padded cells are quoted: agencies' imports trim unquoted ones.
    const options: CsvOptions = { delimiter: layout.delimiter, lineEnding: layout.lineEnding, quotePadded: true };
    return csvText([...(layout.header ? [cols.map((c) => c.name)] : []), ...records.map(valuesOf)], options);
  }
  const eol = layout.lineEnding === 'crlf' ? '\r\n' : '\n';
  const lines = records.map((r, i) => valuesOf(r).map((v, j) => fixedCell(v, cols[j] as ResolvedColumn, { line: i + 1 })).join(''));
  return lines.length === 0 ? '' : lines.join(eol) + eol;
}
