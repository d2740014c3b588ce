// The files a statement run writes: one PDF per statement, batch PDFs (at most N statements each) and the
// print-vendor CSV with one row per statement. Streams with backpressure; output names are deterministic
// (the date and a per-date sequence), so a rerun never overwrites what a print vendor already took.
import { createWriteStream, type WriteStream } from 'node:fs';
import { closeOutput, openOutputStream, writeOutput } from '../common/write-stream.ts';
import fs from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Statement } from './model.ts';
import { drained, newStatementDocument, renderStatement } from './pdf.ts';
import { vendorCsvHeader, vendorCsvRow } from './vendor-csv.ts';

export interface StatementOutputOptions {
  outDir: string;
  asOf: string;
  batchStatementsMax: number;
  /** Skip the one-PDF-per-statement files. */
  perStatementPdf?: boolean;
  /**
   * false: no PDFs at all, the print-vendor CSV only (a vendor that composes its own pages). The CSV is
   * always written.
   */
  batchPdf?: boolean;
}

const write = (stream: WriteStream, text: string): Promise<void> => writeOutput(stream, text);

/** Opened lazily on the first statement: a rerun that issues nothing writes nothing. */
export class StatementOutput {
  private csv: WriteStream | null = null;
  private batch: { doc: PDFKit.PDFDocument; done: Promise<void>; failed: Error | null; count: number; file: string } | null = null;
  private batchNo = 0;
  private prefix = '';
  readonly files: string[] = [];
  readonly pdfDir: string;

  constructor(private readonly opts: StatementOutputOptions) {
    this.pdfDir = path.join(opts.outDir, `statements-${opts.asOf}`);
  }

  private async open(): Promise<void> {
    const singlePdfs = this.opts.batchPdf !== false && this.opts.perStatementPdf !== false;
    await fs.mkdir(singlePdfs ? this.pdfDir : this.opts.outDir, { recursive: true, mode: 0o700 });
    // statements-DATE.csv for the date's first run, statements-DATE.2.csv for a later one that issued more.
    for (let n = 1; ; n++) {
      this.prefix = path.join(this.opts.outDir, `statements-${this.opts.asOf}${n === 1 ? '' : `.${n}`}`);
      try {
        await fs.access(`${this.prefix}.csv`);
      } catch {
        break;
      }
    }
    this.csv = openOutputStream(`${this.prefix}.csv`, { flags: 'wx', mode: 0o600 });
    this.files.push(`${this.prefix}.csv`);
    await write(this.csv, vendorCsvHeader());
  }

  private async nextBatch(): Promise<void> {
    await this.closeBatch();
    this.batchNo += 1;
    const file = `${this.prefix}-batch-${String(this.batchNo).padStart(4, '0')}.pdf`;
    const doc = newStatementDocument(`Statements ${this.opts.asOf} batch ${this.batchNo}`, this.opts.asOf);
    const done = pipeline(doc, createWriteStream(file, { flags: 'wx', mode: 0o600 }));
    const batch = { doc, done, failed: null as Error | null, count: 0, file };
    // Awaited only when the batch closes: a failure before then (a full disk) is kept for the next add,
    // not left as an unhandled rejection that ends the process.
    done.catch((err: Error) => {
      batch.failed = err;
    });
    this.batch = batch;
    this.files.push(file);
  }

  private async closeBatch(): Promise<void> {
    if (!this.batch) return;
    this.batch.doc.end();
    await this.batch.done;
    this.batch = null;
  }

  /**
   * Add one statement to every output; returns where it was written, relative to outDir: its own PDF's
   * name, or in CSV-only mode the CSV's name.
   */
  async add(s: Statement): Promise<string> {
    if (!this.csv) await this.open();
    if (this.opts.batchPdf === false) {
      const csvName = path.basename(`${this.prefix}.csv`);
      await write(this.csv as WriteStream, vendorCsvRow(s, ''));
      return csvName;
    }
    if (!this.batch || this.batch.count >= this.opts.batchStatementsMax) await this.nextBatch();
    const batch = this.batch as NonNullable<typeof this.batch>;
    if (batch.failed) throw batch.failed;
    renderStatement(batch.doc, s);
    batch.count += 1;
    await drained(batch.doc);
    if (batch.failed) throw batch.failed;
    const pdfName = path.join(path.basename(this.pdfDir), `${s.statementId}.pdf`);
    if (this.opts.perStatementPdf !== false) {
      const doc = newStatementDocument(`Statement ${s.statementId}`, s.statementDate);
      const done = pipeline(doc, createWriteStream(path.join(this.opts.outDir, pdfName), { mode: 0o600 }));
      renderStatement(doc, s);
      doc.end();
      await done;
    }
    await write(this.csv as WriteStream, vendorCsvRow(s, pdfName));
    return pdfName;
  }

  async close(): Promise<void> {
    await this.closeBatch();
    if (this.csv) await closeOutput(this.csv);
    this.csv = null;
  }
}
