// Statements per second for N synthetic accounts: the print-vendor CSV alone, and the batch PDFs
// (5,000 statements per file), measured in one process with peak RSS. Rendering only (the database part of
// a run is a few bulk queries per 1,000 accounts). Run: node --import tsx bench/statements-render.ts [N]
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { once } from 'node:events';
import path from 'node:path';
import { buildStatement, type ClaimFigures } from '../src/statements/model.ts';
import { parseStatementSettings } from '../src/statements/settings.ts';
import { StatementOutput } from '../src/statements/output.ts';
import { vendorCsvHeader, vendorCsvRow } from '../src/statements/vendor-csv.ts';

const N = Number(process.argv[2] ?? 100_000);
const settings = parseStatementSettings({});
const outDir = path.resolve('bench/out/statements');

function* accounts() {
  for (let i = 0; i < N; i++) {
    const claims: ClaimFigures[] = Array.from({ length: 1 + (i % 3) }, (_, j) => ({
      claimId: `C-${i}-${j}`, patientId: `P-${i}`, patientName: `Patient ${i % 977}`, provider: 'Dr. Sample Provider',
      serviceDate: `2025-01-${String(1 + ((i + j) % 28)).padStart(2, '0')}`,
      lines: [{ serviceDate: '2025-01-10', procedureCode: '99213', description: 'Office visit, established patient', chargeCents: 15000n }],
      chargeCents: 15000n, insurancePaidCents: 9000n, adjustmentsCents: 4000n, pendingInsuranceCents: 0n, patientResponsibilityCents: 2000n, state: 'patient',
    }));
    yield buildStatement({
      accountNumber: `G-${String(i).padStart(7, '0')}`,
      guarantor: { name: `Guarantor ${i}`, address: { line1: `${i} Sample St`, city: 'Springfield', state: 'IL', postalCode: '62701' } },
      statementDate: '2025-03-01', decision: { due: true, rule: 'FIRST_STATEMENT', kind: 'statement', sequence: 1, explanation: '' },
      claims, patientReceivableCents: 2000n * BigInt(claims.length), paymentsSinceLastStatement: [],
    }, settings);
  }
}

let peakRss = 0;
const sample = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);

await rm(outDir, { recursive: true, force: true });
await mkdir(outDir, { recursive: true });
let t = performance.now();
const csv = createWriteStream(path.join(outDir, 'only.csv'));
csv.write(vendorCsvHeader());
for (const s of accounts()) if (!csv.write(vendorCsvRow(s, `${s.statementId}.pdf`))) await once(csv, 'drain');
csv.end();
await once(csv, 'finish');
const csvSeconds = (performance.now() - t) / 1000;

t = performance.now();
const out = new StatementOutput({ outDir, asOf: '2025-03-01', batchStatementsMax: settings.batchPdfStatementsMax, perStatementPdf: false });
for (const s of accounts()) await out.add(s);
await out.close();
const pdfSeconds = (performance.now() - t) / 1000;
clearInterval(sample);
peakRss = Math.max(peakRss, process.memoryUsage().rss);

console.log(JSON.stringify({
  accounts: N,
  csvStatementsPerSecond: Math.round(N / csvSeconds),
  batchPdfAndCsvStatementsPerSecond: Math.round(N / pdfSeconds),
  ratioCsvToPdf: Number((pdfSeconds / csvSeconds).toFixed(1)),
  peakRssMiB: Math.round(peakRss / 2 ** 20),
}));
await rm(outDir, { recursive: true, force: true });
