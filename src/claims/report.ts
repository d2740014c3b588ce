// The rejection report: one row per problem (claim, field, what was wrong, what was expected), as CSV for
// people and JSON for programs, streamed as rejections happen so a bad export does not fill memory. Claims
// held back on coverage are listed here too, with outcome 'held'. Both files name patients' claims:
// owner-only (0600).
import type { WriteStream } from 'node:fs';
import { chmod, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { csvHeader, csvLine } from '../common/csv-writer.ts';
import { closeOutput, openOutputStream, writeOutput } from '../common/write-stream.ts';
import { inputExcerpt } from '../common/input-text.ts';
import type { Rejection } from '../domain/claim-validate.ts';

export const REPORT_COLUMNS = ['outcome', 'file', 'record', 'claimId', 'patientControlNumber', 'field', 'code', 'message', 'expected', 'found'] as const;
const OWNER_ONLY = 0o600;

export function csvRow(r: Rejection): string {
  return csvLine(REPORT_COLUMNS.map((c) => cell(r, c)));
}

/** Columns that quote the export: a huge value, or one holding a NUL, is written as an excerpt. */
const QUOTED: ReadonlySet<string> = new Set(['claimId', 'patientControlNumber', 'found']);

function cell(r: Rejection, c: (typeof REPORT_COLUMNS)[number]): string | number | undefined {
  if (c === 'outcome') return outcomeOf(r);
  // The export's name, never a machine path: the report travels (to the practice, into run records).
  if (c === 'file') return r.file === undefined ? undefined : path.basename(r.file);
  const v = r[c];
  return typeof v === 'string' && QUOTED.has(c) ? inputExcerpt(v) : v;
}

const outcomeOf = (r: Rejection): 'rejected' | 'held' => r.outcome ?? 'rejected';

export class RejectionReport {
  private csv: WriteStream | undefined;
  private json: WriteStream | undefined;
  private count = 0;
  readonly csvPath: string;
  readonly jsonPath: string;

  constructor(private readonly dir: string, baseName = 'rejections') {
    this.csvPath = path.join(dir, `${baseName}.csv`);
    this.jsonPath = path.join(dir, `${baseName}.json`);
  }

  get rows(): number {
    return this.count;
  }

  async add(r: Rejection): Promise<void> {
    if (!this.csv || !this.json) await this.open();
    const first = this.count === 0;
    this.count++;
    await write(this.csv!, csvRow(r));
    await write(this.json!, `${first ? '' : ',\n'}  ${JSON.stringify(pickColumns(r))}`);
  }

  /** Close both files; with no rejections, write both anyway (header only / empty array) so a run leaves a report. */
  async close(): Promise<void> {
    if (!this.csv || !this.json) await this.open();
    await write(this.json!, this.count === 0 ? ']\n' : '\n]\n');
    await Promise.all([closeOutput(this.csv!), closeOutput(this.json!)]);
    // The mode given at creation applies to new files only: a report left by an earlier run keeps its own.
    await Promise.all([chmod(this.csvPath, OWNER_ONLY), chmod(this.jsonPath, OWNER_ONLY)]);
  }

  private async open(): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    this.csv = openOutputStream(this.csvPath, { mode: OWNER_ONLY });
    this.json = openOutputStream(this.jsonPath, { mode: OWNER_ONLY });
    await write(this.csv, csvHeader(REPORT_COLUMNS));
    await write(this.json, '[\n');
  }
}

function pickColumns(r: Rejection): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const c of REPORT_COLUMNS) {
    const v = cell(r, c);
    if (v !== undefined) out[c] = v;
  }
  return out;
}

const write = (stream: WriteStream, text: string): Promise<void> => writeOutput(stream, text);
