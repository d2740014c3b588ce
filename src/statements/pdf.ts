// Renders the statement model with pdfkit on US Letter, laid out for a #10 double-window envelope (return
// address and guarantor address where the windows show them after a tri-fold) with a detachable
// remittance coupon across the bottom third. One renderer serves both the per-statement PDF and the batch
// PDF of a run. Output is deterministic for the same statements (fixed creation date, no random ids).
// Layout decisions: docs/decisions/0070-statement-pdf-layout.md.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type PDFDocumentClass from 'pdfkit';
import { formatUsd } from '../common/money.ts';
import type { Statement } from './model.ts';
import type { MailingAddress } from './settings.ts';

type Doc = PDFKit.PDFDocument;

const requireHere = createRequire(import.meta.url);

const PT = 72; // points per inch
const PAGE_W = 8.5 * PT;
const LEFT = 0.6 * PT;
const RIGHT = PAGE_W - 0.6 * PT;
/** #10 double window: upper (return) window 0.875 in from the left, 0.5 in from the top; lower window 2.0 in down. */
const RETURN_WINDOW = { x: 0.875 * PT, y: 0.55 * PT, w: 3.25 * PT };
const ADDRESS_WINDOW = { x: 0.875 * PT, y: 2.05 * PT, w: 3.5 * PT };
/** The coupon is the bottom 3.25 in, below a dashed tear line. */
const COUPON_TOP = 11 * PT - 3.25 * PT;
const PAGE1_BODY_END = COUPON_TOP - 1.15 * PT;
const CONT_BODY_END = 11 * PT - 0.7 * PT;

const KIND_TITLE = { statement: 'STATEMENT', final_notice: 'FINAL NOTICE', plan: 'PAYMENT PLAN STATEMENT' } as const;

// pdfkit is loaded on the first PDF, not with the module: every command that imports the statements (the
// account view, the run) would otherwise pay its load time (about 0.4 s) at start-up without printing a page.
let PDFDocument: typeof PDFDocumentClass | undefined;

export function newStatementDocument(title: string, createdOn: string): Doc {
  PDFDocument ??= requireHere('pdfkit') as typeof PDFDocumentClass;
  return new PDFDocument({
    size: 'LETTER',
    margin: 0,
    autoFirstPage: false,
    compress: true,
    info: { Title: title, Producer: 'claims-pipeline', Creator: 'claims-pipeline', CreationDate: new Date(`${createdOn}T00:00:00Z`) },
  });
}

function addressLines(name: string, a: MailingAddress | null): string[] {
  if (!a) return [name];
  return [name, a.line1, ...(a.line2 ? [a.line2] : []), `${a.city}, ${a.state} ${a.postalCode}`];
}

// Measuring text is most of pdfkit's cost (kerning per glyph pair); labels and practice details repeat on
// every statement, so widths are memoised per font and size.
const widthCache = new Map<string, number>();
function widthOf(doc: Doc, text: string): number {
  const d = doc as unknown as { _font?: { name?: string }; _fontSize?: number };
  const key = `${d._font?.name ?? ''}|${d._fontSize ?? 0}|${text}`;
  let w = widthCache.get(key);
  if (w === undefined) {
    if (widthCache.size > 50_000) widthCache.clear();
    w = doc.widthOfString(text);
    widthCache.set(key, w);
  }
  return w;
}

function fit(doc: Doc, text: string, width: number): string {
  if (widthOf(doc, text) <= width) return text;
  let s = text;
  while (s.length > 1 && widthOf(doc, s + '...') > width) s = s.slice(0, -1);
  return s + '...';
}

/** One line of text in a box: truncated to fit, placed by hand so pdfkit skips its line wrapper. */
function cell(doc: Doc, text: string, x: number, y: number, w: number, align: 'left' | 'right' = 'left'): void {
  if (!WIN_ANSI.test(text)) {
    unicodeCell(doc, text, x, y, w, align);
    return;
  }
  const t = fit(doc, text, w);
  const dx = align === 'right' ? w - widthOf(doc, t) : 0;
  doc.text(t, x + dx, y, { lineBreak: false });
}

// Helvetica, a standard PDF font (not embedded), encodes WinAnsi only: a name written with other letters
// (Łukasz Nguyễn) would print as garbage. Such text is set in DejaVu Sans, embedded as a subset of the
// glyphs used; statements whose text is all WinAnsi never load it and stay byte for byte as they were.
const WIN_ANSI = /^[\x20-\x7E\xA0-\xFF\u0152\u0153\u0160\u0161\u0178\u017D\u017E\u0192\u02C6\u02DC\u2013\u2014\u2018-\u201A\u201C-\u201E\u2020-\u2022\u2026\u2030\u2039\u203A\u20AC\u2122]*$/;
const unicodeFonts = new Map<string, Buffer>();
function unicodeFont(file: string): Buffer {
  let bytes = unicodeFonts.get(file);
  if (bytes === undefined) {
    bytes = readFileSync(requireHere.resolve(`dejavu-fonts-ttf/ttf/${file}`));
    unicodeFonts.set(file, bytes);
  }
  return bytes;
}

function unicodeCell(doc: Doc, text: string, x: number, y: number, w: number, align: 'left' | 'right'): void {
  const current = (doc as unknown as { _font?: { name?: string } })._font?.name ?? 'Helvetica';
  const file = current === 'Helvetica-Bold' ? 'DejaVuSans-Bold.ttf' : 'DejaVuSans.ttf';
  doc.registerFont(file, unicodeFont(file));
  doc.font(file);
  try {
    // Precomposed letters: a name exported decomposed (e + combining marks) prints as one glyph.
    const t = fit(doc, text.normalize('NFC'), w);
    const dx = align === 'right' ? w - widthOf(doc, t) : 0;
    doc.text(t, x + dx, y, { lineBreak: false });
  } finally {
    doc.font(current);
  }
}

function header(doc: Doc, s: Statement): void {
  const p = s.practice;
  doc.font('Helvetica-Bold').fontSize(10);
  let y = RETURN_WINDOW.y;
  for (const [i, line] of addressLines(p.name, p.address).entries()) {
    if (i === 1) doc.font('Helvetica').fontSize(9);
    cell(doc, line, RETURN_WINDOW.x, y, RETURN_WINDOW.w);
    y += 11;
  }
  cell(doc, `Phone ${p.phone}`, RETURN_WINDOW.x, y, RETURN_WINDOW.w);

  const bx = 4.9 * PT;
  const bw = RIGHT - bx;
  doc.font('Helvetica-Bold').fontSize(14).text(KIND_TITLE[s.kind], bx, 0.5 * PT, { width: bw, align: 'right' });
  const rows: [string, string][] = [
    ['Statement date', s.statementDate],
    ['Account number', s.accountNumber],
    ['Amount due', formatUsd(s.totals.amountDueCents)],
    ['Please pay by', s.dueDate],
  ];
  let ry = 0.85 * PT;
  doc.rect(bx, ry - 4, bw, rows.length * 15 + 6).stroke('#444444');
  for (const [label, value] of rows) {
    doc.font('Helvetica').fontSize(9).fillColor('black');
    cell(doc, label, bx + 6, ry, bw / 2 - 6);
    doc.font('Helvetica-Bold');
    cell(doc, value, bx + bw / 2, ry, bw / 2 - 6, 'right');
    ry += 15;
  }

  doc.font('Helvetica').fontSize(10);
  let ay = ADDRESS_WINDOW.y;
  for (const line of addressLines(s.guarantor.name, s.guarantor.address)) {
    cell(doc, line, ADDRESS_WINDOW.x, ay, ADDRESS_WINDOW.w);
    ay += 12;
  }
  doc.fontSize(8).fillColor('#333333');
  cell(doc, `Patient${s.patients.length > 1 ? 's' : ''}: ${s.patients.join(', ')}`, bx, 2.05 * PT, bw);
  doc.fillColor('black');
}

function summary(doc: Doc, s: Statement, y: number): number {
  const t = s.totals;
  const rows: [string, bigint][] = [
    ['Charges', t.chargesCents],
    ['Insurance paid', -t.insurancePaidCents],
    ['Adjustments (not billed to you)', -t.adjustmentsCents],
    ['Pending insurance', -t.pendingInsuranceCents],
    ['Your payments and credits', -t.patientPaymentsCents],
  ];
  doc.font('Helvetica-Bold').fontSize(10).text('Account summary', LEFT, y);
  let ry = y + 14;
  doc.font('Helvetica').fontSize(9);
  for (const [label, cents] of rows) {
    cell(doc, label, LEFT, ry, 170);
    cell(doc, formatUsd(cents), LEFT + 170, ry, 80, 'right');
    ry += 11;
  }
  doc.moveTo(LEFT, ry + 1).lineTo(LEFT + 250, ry + 1).stroke('#444444');
  doc.font('Helvetica-Bold');
  cell(doc, 'Your balance', LEFT, ry + 4, 170);
  cell(doc, formatUsd(t.balanceCents), LEFT + 170, ry + 4, 80, 'right');
  if (t.amountDueCents !== t.balanceCents) {
    cell(doc, 'Amount due now', LEFT, ry + 15, 170);
    cell(doc, formatUsd(t.amountDueCents), LEFT + 170, ry + 15, 80, 'right');
  }

  // Right column: messages and payments received since the last statement.
  const mx = LEFT + 280;
  const mw = RIGHT - mx;
  let my = y;
  doc.font('Helvetica').fontSize(8.5);
  for (const m of s.messages) {
    doc.text(m, mx, my, { width: mw });
    my = doc.y + 4;
  }
  if (s.paymentsReceived.length > 0) {
    doc.font('Helvetica-Bold').text('Payments received - thank you', mx, my);
    my = doc.y + 1;
    doc.font('Helvetica');
    for (const p of s.paymentsReceived.slice(0, 4)) {
      cell(doc, `${p.date}  ${p.method}`, mx, my, mw - 80);
      cell(doc, formatUsd(p.amountCents), RIGHT - 80, my, 80, 'right');
      my += 10;
    }
  }
  return Math.max(ry + 30, my + 6);
}

// Patient and provider share a column on two lines, and the service description may take two lines, so
// names are not cut to a few letters.
const COLUMNS = [
  { title: 'Date', w: 46, align: 'left' },
  { title: 'Patient / provider', w: 124, align: 'left' },
  { title: 'Service', w: 109, align: 'left' },
  { title: 'Charges', w: 41, align: 'right' },
  { title: 'Ins. paid', w: 41, align: 'right' },
  { title: 'Adjust.', w: 41, align: 'right' },
  { title: 'Pending', w: 41, align: 'right' },
  { title: 'You paid', w: 41, align: 'right' },
  { title: 'Balance', w: 41, align: 'right' },
] as const;
const ROW_H = 19;

/** Text over at most two lines of a box: the words that fit on the first, the rest (truncated) on the second. */
function twoLines(doc: Doc, text: string, w: number): [string, string] {
  if (widthOf(doc, text) <= w) return [text, ''];
  const words = text.split(' ');
  let first = '';
  let i = 0;
  for (; i < words.length; i++) {
    const next = first ? `${first} ${words[i]}` : (words[i] as string);
    if (widthOf(doc, next) > w) break;
    first = next;
  }
  if (i === 0) return [fit(doc, text, w), ''];
  return [first, words.slice(i).join(' ')];
}

function tableHeader(doc: Doc, y: number): number {
  doc.font('Helvetica-Bold').fontSize(7.5);
  let x = LEFT;
  for (const c of COLUMNS) {
    cell(doc, c.title, x, y, c.w - 3, c.align);
    x += c.w;
  }
  doc.moveTo(LEFT, y + 10).lineTo(RIGHT, y + 10).stroke('#444444');
  doc.font('Helvetica');
  return y + 13;
}

function continuationPage(doc: Doc, s: Statement): number {
  doc.addPage();
  doc.font('Helvetica').fontSize(8);
  cell(doc, `${s.practice.name} - account ${s.accountNumber} - statement of ${s.statementDate} (continued)`, LEFT, 0.5 * PT, RIGHT - LEFT);
  return 0.5 * PT + 18;
}

function serviceRows(doc: Doc, s: Statement, startY: number): number {
  let y = tableHeader(doc, startY);
  let limit = PAGE1_BODY_END;
  for (const sv of s.services) {
    if (y + ROW_H > limit) {
      doc.fontSize(7.5).text('Continued on the next page.', LEFT, y);
      y = tableHeader(doc, continuationPage(doc, s));
      limit = CONT_BODY_END;
    }
    const values = [
      sv.serviceDate, sv.patientName, sv.description, formatUsd(sv.chargeCents), formatUsd(sv.insurancePaidCents),
      formatUsd(sv.adjustmentsCents), formatUsd(sv.pendingInsuranceCents), formatUsd(sv.patientPaidCents), formatUsd(sv.balanceCents),
    ];
    let x = LEFT;
    doc.fontSize(7.5);
    COLUMNS.forEach((c, i) => {
      if (i === 2) {
        const [first, rest] = twoLines(doc, values[i] as string, c.w - 3);
        cell(doc, first, x, y, c.w - 3);
        if (rest) cell(doc, rest, x, y + 8.5, c.w - 3);
      } else cell(doc, values[i] as string, x, y, c.w - 3, c.align);
      x += c.w;
    });
    // The provider under the patient, smaller: who gave the service.
    doc.fontSize(6.5).fillColor('#444444');
    cell(doc, sv.provider, LEFT + COLUMNS[0].w, y + 8.5, COLUMNS[1].w - 3);
    doc.fillColor('black');
    y += ROW_H;
  }
  if (s.plan) {
    const rows = s.plan.schedule;
    if (y + 24 + Math.ceil(rows.length / 3) * 10 > limit) {
      y = continuationPage(doc, s);
      limit = CONT_BODY_END;
    }
    doc.font('Helvetica-Bold').fontSize(8.5).text(`Payment plan schedule (remaining ${formatUsd(s.plan.remainingCents)})`, LEFT, y + 6);
    y = doc.y + 2;
    doc.font('Helvetica').fontSize(7.5);
    const colW = (RIGHT - LEFT) / 3;
    rows.forEach((r, i) => {
      const col = i % 3;
      if (col === 0 && i > 0) y += 10;
      if (y + 10 > limit) {
        y = continuationPage(doc, s);
        limit = CONT_BODY_END;
      }
      cell(doc, `${r.dueOn}  ${formatUsd(r.amountCents)}  ${r.status.replace('_', ' ')}`, LEFT + col * colW, y, colW - 6);
    });
    y += 10;
  }
  return y;
}

function howToPay(doc: Doc, s: Statement): void {
  const p = s.practice;
  const y = PAGE1_BODY_END + 6;
  doc.moveTo(LEFT, y - 3).lineTo(RIGHT, y - 3).stroke('#999999');
  doc.font('Helvetica-Bold').fontSize(8.5).text('How to pay', LEFT, y);
  doc.font('Helvetica').fontSize(8);
  const ways = [
    `Online: ${p.portalUrl}`,
    `By phone: ${p.phone} (${p.hours})`,
    'By mail: return the coupon below with your check',
    `We accept ${p.cardsAccepted.join(', ')}`,
  ];
  ways.forEach((w, i) => cell(doc, w, LEFT, y + 11 + i * 9.5, 250));
  doc.font('Helvetica-Bold').fontSize(8.5).text('Questions or need help paying?', LEFT + 270, y);
  doc.font('Helvetica').fontSize(7.5).text(p.financialAssistance, LEFT + 270, y + 11, { width: RIGHT - LEFT - 270, height: 50, ellipsis: true });
}

function coupon(doc: Doc, s: Statement): void {
  doc.save().dash(4, { space: 3 }).moveTo(0.3 * PT, COUPON_TOP).lineTo(PAGE_W - 0.3 * PT, COUPON_TOP).stroke('#666666').undash().restore();
  doc.font('Helvetica').fontSize(7).fillColor('#555555').text('Please detach and return this portion with your payment.', LEFT, COUPON_TOP + 4, { width: RIGHT - LEFT, align: 'center' });
  doc.fillColor('black');
  const y = COUPON_TOP + 0.35 * PT;
  const rows: [string, string][] = [
    ['Account number', s.accountNumber],
    ['Statement date', s.statementDate],
    ['Please pay by', s.dueDate],
    ['Amount due', formatUsd(s.totals.amountDueCents)],
    ['Amount enclosed', '$ ______________'],
  ];
  rows.forEach(([label, value], i) => {
    doc.font('Helvetica').fontSize(9);
    cell(doc, label, LEFT, y + i * 14, 100);
    doc.font('Helvetica-Bold');
    cell(doc, value, LEFT + 100, y + i * 14, 120);
  });
  doc.font('Helvetica').fontSize(8);
  const cy = y + 5 * 14 + 4;
  cell(doc, `Pay by card: ${s.practice.cardsAccepted.map((c) => `[ ] ${c}`).join('  ')}`, LEFT, cy, 300);
  cell(doc, 'Card number ______________________________  Exp ____/____', LEFT, cy + 13, 300);
  cell(doc, 'Signature ______________________________', LEFT, cy + 26, 300);

  // Remit-to where a return envelope's window shows it; the payer's name and account above it for the lockbox.
  const rx = 4.6 * PT;
  doc.font('Helvetica').fontSize(8);
  cell(doc, `From: ${s.guarantor.name} (account ${s.accountNumber})`, rx, y, RIGHT - rx);
  doc.font('Helvetica-Bold').fontSize(9).text('Make checks payable to and mail to:', rx, y + 22, { width: RIGHT - rx });
  doc.font('Helvetica').fontSize(10);
  addressLines(s.practice.name, s.practice.remitTo ?? s.practice.address).forEach((line, i) => cell(doc, line, rx, y + 36 + i * 12, RIGHT - rx));
}

/** Append one statement (one or more pages, coupon on the first) to an open document. */
export function renderStatement(doc: Doc, s: Statement): void {
  doc.addPage();
  doc.lineWidth(0.6);
  header(doc, s);
  const y = summary(doc, s, 3.75 * PT);
  howToPay(doc, s);
  coupon(doc, s);
  serviceRows(doc, s, y);
}

/** Pages of `doc` are written as the document streams; wait while its output is backed up. */
export async function drained(doc: Doc, highWaterBytes = 1 << 20): Promise<void> {
  // A document whose file failed (a full disk) is destroyed and never drains: its writer reports the error.
  while (doc.readableLength > highWaterBytes && !doc.destroyed) await new Promise((r) => setImmediate(r));
}

/** One statement as a PDF in memory (tests, reprints). */
export async function statementPdf(s: Statement): Promise<Buffer> {
  const doc = newStatementDocument(`Statement ${s.statementId}`, s.statementDate);
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<void>((resolve, reject) => {
    doc.on('end', resolve);
    doc.on('error', reject);
  });
  renderStatement(doc, s);
  doc.end();
  await done;
  return Buffer.concat(chunks);
}
