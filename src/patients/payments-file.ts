// Patient payments files from a card processor or a bank lockbox: CSV or NDJSON, recognised by a header
// that names account, amount, date, method and reference (each under a few common spellings). Pure: text
// chunks in, one result per row out; a bad row is rejected on its own with its line number.
import { ClaimsError, type Location } from '../common/errors.ts';
import { parseCents } from '../common/money.ts';
import { isIsoDate, type IsoDate } from '../common/dates.ts';
import { CsvReader } from '../common/csv-reader.ts';
import { describeUnstorable, unstorableAt } from '../common/input-text.ts';

export type PaymentMethod = 'card' | 'check' | 'ach' | 'cash' | 'other';
export type PaymentsFormat = 'csv' | 'ndjson';

export interface PatientPayment {
  accountNumber: string;
  amountCents: bigint;
  date: IsoDate;
  method: PaymentMethod;
  /** The processor's or lockbox's reference: a payment is posted once per reference. */
  reference: string;
  /** 1-based line in the file. */
  line: number;
}

export type PaymentRow = { ok: true; payment: PatientPayment } | { ok: false; error: ClaimsError };

const FIELD_ALIASES: Record<keyof Omit<PatientPayment, 'line' | 'amountCents' | 'accountNumber'> | 'account' | 'amount', string[]> = {
  account: ['account', 'account_number', 'account_no', 'acct', 'guarantor_account', 'patient_account'],
  amount: ['amount', 'payment_amount', 'amount_paid', 'paid_amount'],
  date: ['date', 'payment_date', 'paid_on', 'deposit_date', 'transaction_date'],
  method: ['method', 'payment_method', 'tender', 'payment_type'],
  reference: ['reference', 'reference_number', 'ref', 'transaction_id', 'confirmation', 'item_id'],
};
type Field = keyof typeof FIELD_ALIASES;
const FIELDS = Object.keys(FIELD_ALIASES) as Field[];

const METHOD_ALIASES: Record<string, PaymentMethod> = {
  card: 'card', credit: 'card', credit_card: 'card', debit: 'card', debit_card: 'card', visa: 'card',
  mastercard: 'card', mc: 'card', amex: 'card', discover: 'card', portal: 'card', online: 'card',
  check: 'check', cheque: 'check', lockbox: 'check', money_order: 'check',
  ach: 'ach', eft: 'ach', bank: 'ach', bank_transfer: 'ach', echeck: 'ach',
  cash: 'cash', other: 'other',
};

function normaliseName(name: string): string {
  return name.trim().toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_|_$/g, '');
}

/** Column index (CSV) or key (NDJSON) of each field, when every field is present. */
function mapHeader(names: string[]): Map<Field, number> | null {
  const normalised = names.map(normaliseName);
  const map = new Map<Field, number>();
  for (const field of FIELDS) {
    const idx = normalised.findIndex((n) => FIELD_ALIASES[field].includes(n));
    if (idx < 0) return null;
    map.set(field, idx);
  }
  return map;
}

/** The format of a payments file from its first line, or null when it is not one. */
export function detectPaymentsFormat(head: string): PaymentsFormat | null {
  const text = head.charCodeAt(0) === 0xfeff ? head.slice(1) : head;
  const firstLine = (text.split(/\r?\n/, 1)[0] ?? '').trim();
  if (firstLine.startsWith('{')) {
    try {
      const obj = JSON.parse(firstLine) as unknown;
      if (obj && typeof obj === 'object' && !Array.isArray(obj) && mapHeader(Object.keys(obj))) return 'ndjson';
    } catch {
      return null;
    }
    return null;
  }
  const reader = new CsvReader();
  const [record] = reader.push(firstLine + '\n');
  return record && mapHeader(record.fields) ? 'csv' : null;
}

function parseAmount(text: string, location: Location): bigint {
  // Lockbox exports write "$1,234.50"; strip the sign and correctly grouped separators only.
  const trimmed = text.trim().replace(/^\$/, '');
  const plain = /^\d{1,3}(,\d{3})+(\.\d*)?$/.test(trimmed) ? trimmed.replace(/,/g, '') : trimmed;
  const cents = parseCents(plain, location);
  if (cents <= 0n) {
    throw new ClaimsError({ code: 'PAYMENT_AMOUNT_INVALID', message: `a payment must be more than zero: ${text}`, location, expected: 'an amount above 0', found: text });
  }
  return cents;
}

function parseDate(text: string, location: Location): IsoDate {
  const t = text.trim();
  let iso = t;
  const us = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(t);
  const compact = /^(\d{4})(\d{2})(\d{2})$/.exec(t);
  if (us) iso = `${us[3]}-${(us[1] as string).padStart(2, '0')}-${(us[2] as string).padStart(2, '0')}`;
  else if (compact) iso = `${compact[1]}-${compact[2]}-${compact[3]}`;
  if (!isIsoDate(iso)) {
    throw new ClaimsError({ code: 'PAYMENT_DATE_INVALID', message: `not a payment date: ${JSON.stringify(text)}`, location, expected: 'YYYY-MM-DD, MM/DD/YYYY or YYYYMMDD', found: text });
  }
  return iso;
}

function parseMethod(text: string, location: Location): PaymentMethod {
  const method = METHOD_ALIASES[normaliseName(text)];
  if (!method) {
    throw new ClaimsError({ code: 'PAYMENT_METHOD_UNKNOWN', message: `unknown payment method ${JSON.stringify(text)}`, location, expected: Object.keys(METHOD_ALIASES).join(', '), found: text });
  }
  return method;
}

function required(value: string | undefined, field: Field, location: Location): string {
  const v = (value ?? '').trim();
  if (v === '') throw new ClaimsError({ code: 'PAYMENT_FIELD_MISSING', message: `${field} is empty`, location: { ...location, field }, expected: field, found: '' });
  // The account is looked up and the reference stored: text the database cannot hold is this row's fault.
  const bad = unstorableAt(v);
  if (bad !== -1) {
    throw new ClaimsError({ code: 'PAYMENT_FIELD_CONTROL_CHARACTER', message: `${field} holds ${describeUnstorable(v, bad)} at character ${bad + 1}: it cannot be stored`, location: { ...location, field }, expected: 'text without NUL or broken characters', found: v });
  }
  return v;
}

function toPayment(get: (f: Field) => string | undefined, line: number, file: string | undefined): PaymentRow {
  const at = (field: Field): Location => ({ ...(file && { file }), line, field });
  try {
    return {
      ok: true,
      payment: {
        accountNumber: required(get('account'), 'account', at('account')),
        amountCents: parseAmount(required(get('amount'), 'amount', at('amount')), at('amount')),
        date: parseDate(required(get('date'), 'date', at('date')), at('date')),
        method: parseMethod(required(get('method'), 'method', at('method')), at('method')),
        reference: required(get('reference'), 'reference', at('reference')),
        line,
      },
    };
  } catch (err) {
    if (err instanceof ClaimsError) return { ok: false, error: err.at({ ...(file && { file }), line }) };
    throw err;
  }
}

/** Feed a payments file in chunks of any size; each completed row comes back parsed or rejected. */
export class PaymentsFileParser {
  private readonly csv = new CsvReader();
  private columns: Map<Field, number> | null = null;
  private ndjsonKeys: Map<Field, string> | null = null;
  private pending = '';
  private line = 0;

  constructor(
    readonly format: PaymentsFormat,
    private readonly file?: string,
  ) {}

  push(chunk: string): PaymentRow[] {
    return this.format === 'csv' ? this.fromCsv(this.csv.push(chunk)) : this.fromNdjson(chunk, false);
  }

  end(): PaymentRow[] {
    return this.format === 'csv' ? this.fromCsv(this.csv.end()) : this.fromNdjson('', true);
  }

  private fromCsv(records: { fields: string[]; line: number }[]): PaymentRow[] {
    const out: PaymentRow[] = [];
    for (const r of records) {
      if (!this.columns) {
        this.columns = mapHeader(r.fields);
        if (!this.columns) throw this.headerError(r.line, r.fields.join(','));
        continue;
      }
      if (r.fields.every((f) => f.trim() === '')) continue;
      const cols = this.columns;
      out.push(toPayment((f) => r.fields[cols.get(f) as number], r.line, this.file));
    }
    return out;
  }

  private fromNdjson(chunk: string, last: boolean): PaymentRow[] {
    const out: PaymentRow[] = [];
    const text = this.pending + chunk;
    const lines = text.split('\n');
    this.pending = last ? '' : (lines.pop() ?? '');
    for (const raw of lines) {
      this.line++;
      const lineText = (this.line === 1 ? raw.replace(/^\uFEFF/, '') : raw).trim();
      if (lineText === '') continue;
      const location = { ...(this.file && { file: this.file }), line: this.line };
      let obj: Record<string, unknown>;
      try {
        obj = JSON.parse(lineText) as Record<string, unknown>;
        if (!obj || typeof obj !== 'object' || Array.isArray(obj)) throw new Error('not an object');
      } catch {
        out.push({ ok: false, error: new ClaimsError({ code: 'PAYMENT_ROW_INVALID', message: 'not a JSON object', location, expected: 'one JSON object per line', found: lineText.slice(0, 40) }) });
        continue;
      }
      if (!this.ndjsonKeys) {
        const keys = Object.keys(obj);
        const map = mapHeader(keys);
        if (!map) throw this.headerError(this.line, keys.join(','));
        this.ndjsonKeys = new Map(FIELDS.map((f) => [f, keys[map.get(f) as number] as string]));
      }
      const keys = this.ndjsonKeys;
      out.push(toPayment((f) => rawValue(obj, keys.get(f) as string, lineText), this.line, this.file));
    }
    return out;
  }

  private headerError(line: number, found: string): ClaimsError {
    return new ClaimsError({
      code: 'PAYMENTS_HEADER_UNRECOGNISED',
      message: 'the first row does not name account, amount, date, method and reference',
      location: { ...(this.file && { file: this.file }), line },
      expected: 'account,amount,date,method,reference',
      found: found.slice(0, 120),
    });
  }
}

/**
 * A field's text. A JSON number is taken from the line's own characters, never from the parsed float,
 * so `12.10` stays 1210 cents exactly.
 */
function rawValue(obj: Record<string, unknown>, key: string, line: string): string | undefined {
  const v = obj[key];
  if (typeof v === 'string') return v;
  if (typeof v === 'number') {
    const escaped = JSON.stringify(key).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const m = new RegExp(`${escaped}\\s*:\\s*(-?\\d+(?:\\.\\d+)?(?:[eE][+-]?\\d+)?)`).exec(line);
    return m?.[1];
  }
  return v === null || v === undefined ? undefined : String(v);
}
