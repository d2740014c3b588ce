// A small RFC 4180 CSV reader that is safe at any chunk boundary: feed it text in pieces of any size and
// it yields complete records. Pure (no streams): the file adapter pushes chunks in and respects backpressure.

export interface CsvRecord {
  fields: string[];
  /** 1-based line on which the record starts. */
  line: number;
}

export class CsvReader {
  private field = '';
  private fields: string[] = [];
  private inQuotes = false;
  /** A quote seen inside a quoted field: either an escaped quote or the field's end. */
  private quotePending = false;
  private sawCr = false;
  private line = 1;
  private recordLine = 1;
  private started = false;
  private first = true;

  /** Records completed by this chunk. */
  push(chunk: string): CsvRecord[] {
    const out: CsvRecord[] = [];
    let text = chunk;
    if (this.first && text.length > 0) {
      this.first = false;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    for (let i = 0; i < text.length; i++) {
      const ch = text[i] as string;
      if (this.sawCr) {
        this.sawCr = false;
        if (ch === '\n') continue;
      }
      if (this.inQuotes) {
        if (this.quotePending) {
          this.quotePending = false;
          if (ch === '"') {
            this.field += '"';
            continue;
          }
          this.inQuotes = false;
        } else if (ch === '"') {
          this.quotePending = true;
          continue;
        } else {
          if (ch === '\n') this.line++;
          this.field += ch;
          continue;
        }
      }
      if (ch === '"' && this.field === '') {
        this.inQuotes = true;
        this.started = true;
      } else if (ch === ',') {
        this.fields.push(this.field);
        this.field = '';
        this.started = true;
      } else if (ch === '\n' || ch === '\r') {
        if (ch === '\r') this.sawCr = true;
        this.finishRecord(out);
        this.line++;
        this.recordLine = this.line;
      } else {
        this.field += ch;
        this.started = true;
      }
    }
    return out;
  }

  /** Records left at the end of input (a last line without a newline). */
  end(): CsvRecord[] {
    const out: CsvRecord[] = [];
    if (this.quotePending) {
      this.quotePending = false;
      this.inQuotes = false;
    }
    if (!this.inQuotes) this.finishRecord(out);
    else {
      // An unterminated quote: keep what was read so the caller can report the row.
      this.inQuotes = false;
      this.finishRecord(out);
    }
    return out;
  }

  private finishRecord(out: CsvRecord[]): void {
    if (this.started || this.field !== '' || this.fields.length > 0) {
      this.fields.push(this.field);
      out.push({ fields: this.fields, line: this.recordLine });
    }
    this.fields = [];
    this.field = '';
    this.started = false;
  }
}
