// The one CSV writer: every CSV the product writes (rejection reports, the print-vendor file, held and refund
// reports, agency files) goes through here, so quoting and the formula guard cannot drift apart per file.
// RFC 4180, quoting only where a cell needs it (delimiter, quote, CR or LF; quotes doubled), CRLF unless a
// file asks for LF. These files are opened in spreadsheets and carry text from outside (names, addresses,
// payer messages): a text cell that starts like a formula gets a leading apostrophe so it is shown, not run,
// while plain amounts such as -70.56 stay numbers. Pure: rows in, text out. A streaming writer turns one row
// at a time into a line and writes it itself, so no file is ever held whole here.
import { stringify, type Options } from 'csv-stringify/sync';

/** A cell: text, or a number written as it prints. null and undefined are empty cells. */
export type CsvCell = string | number | bigint | null | undefined;

export interface CsvOptions {
  /** One character between cells. Default ','. */
  delimiter?: string;
  /** Ends every line, the last one included. Default 'crlf' (RFC 4180). */
  lineEnding?: 'crlf' | 'lf';
  /**
   * Also quote a cell with leading or trailing white space. Agency imports trim unquoted cells, and a
   * padded value (a name as the practice typed it) must reach them as it is. Default false.
   */
  quotePadded?: boolean;
}

/** What a spreadsheet may take for the start of a formula (a tab or CR can hide one after it). */
const FORMULA_START = /^[=+\-@\t\r]/;
/** An amount as the product writes it: a minus sign is a negative number here, not a formula. */
const PLAIN_NUMBER = /^-?\d+(\.\d{1,2})?$/;
// csv-stringify quotes a cell that holds the whole record delimiter; RFC 4180 wants a lone CR or LF quoted too.
const LINE_BREAK = /[\r\n]/;
const PADDED = /^\s|\s$/;

/** `=SUM(A1)` -> `'=SUM(A1)`; `-70.56` and ordinary text unchanged. */
export function guardFormula(text: string): string {
  return FORMULA_START.test(text) && !PLAIN_NUMBER.test(text) ? `'${text}` : text;
}

const settings = new Map<string, Options>();

function stringifyOptions(options: CsvOptions): Options {
  const delimiter = options.delimiter ?? ',';
  const lineEnding = options.lineEnding ?? 'crlf';
  const quotePadded = options.quotePadded ?? false;
  const key = `${delimiter}\u0000${lineEnding}\u0000${quotePadded}`;
  let out = settings.get(key);
  if (!out) {
    out = {
      delimiter,
      record_delimiter: lineEnding === 'crlf' ? '\r\n' : '\n',
      eof: true,
      quoted_match: quotePadded ? [LINE_BREAK, PADDED] : [LINE_BREAK],
      // The library's own formula escape also hits negative amounts; ours spares plain numbers.
      escape_formulas: false,
      // Only text is guarded: a number cell prints as a number.
      cast: { string: guardFormula },
    };
    settings.set(key, out);
  }
  return out;
}

/** One row as a line of CSV, line ending included. */
export function csvLine(cells: readonly CsvCell[], options: CsvOptions = {}): string {
  return stringify([cells as CsvCell[]], stringifyOptions(options));
}

/** The header line: column names under the same rules as any row (names may come from settings). */
export function csvHeader(names: readonly string[], options: CsvOptions = {}): string {
  return csvLine(names, options);
}

/** A whole small file (a report built in memory): every row a line; '' for no rows. */
export function csvText(rows: readonly (readonly CsvCell[])[], options: CsvOptions = {}): string {
  return stringify(rows as CsvCell[][], stringifyOptions(options));
}
