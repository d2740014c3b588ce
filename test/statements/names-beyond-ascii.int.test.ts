// Łukasz Nguyễn billed end to end on a real database: `claims submit` accepts the claim, the 837 carries the
// X12 spelling (Nguyen, Lukasz) and passes the independent validator, the database keeps the name as
// written, and after the payer's 835 leaves 30.00 to the patient the statement (vendor CSV and PDF) shows
// the name as written.
//   CL1 2025-01-20 99213 200.00 = PRIMA paid 120 + CO 50 + PR 30 -> statement of 2025-02-10: 30.00 due
import { execFileSync } from 'node:child_process';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase, type TestDatabase } from '../support/db.ts';
import { runCli } from '../support/cli.ts';
import { createLogger } from '../../src/runtime/logger.ts';
import { ingestFile } from '../../src/pipeline/ingest-input.ts';
import { interchange, type GenRemittance } from '../remittances/support/generate-835.ts';
import { tempDir, writeTemp } from '../remittances/support/fixtures.ts';
import { runStatements } from '../../src/statements/run.ts';
import { parseStatementSettings } from '../../src/statements/settings.ts';
import { validate837 } from '../support/x12-837-validator.ts';

let db: TestDatabase;
let dir: string;
const logger = createLogger({ level: 'silent' });
const settings = parseStatementSettings({ providers: { '1234567893': 'Northwind Family Medicine' } });
const cli = (args: string[]) => runCli(args, { env: { DATABASE_URL: db.url, CLAIMS_HOME: dir, CLAIMS_LOG_LEVEL: 'error' } });

const address = { line1: '7 Sample Lane', city: 'Lakeside', state: 'OR', postalCode: '97401' };
const claim = {
  claimId: 'CL1', claimType: 'professional', patientControlNumber: 'CL1', frequency: '1', placeOfService: '11', totalCharge: '200.00',
  billingProvider: {
    npi: '1234567893', taxId: '841234567', taxonomy: '207Q00000X', organizationName: 'NORTHWIND FAMILY MEDICINE',
    address: { line1: '100 HARBOR WAY', city: 'SPRINGFIELD', state: 'OR', postalCode: '974771234' }, contactName: 'BILLING OFFICE', phone: '5555550111',
  },
  renderingProvider: { npi: '1112223338', lastName: 'VALE', firstName: 'ROWAN', taxonomy: '207Q00000X' },
  patient: { patientId: 'P-L1', lastName: 'Nguyễn', firstName: 'Łukasz', birthDate: '1980-04-02', sex: 'M', address },
  guarantor: { accountNumber: 'G-L', lastName: 'Nguyễn', firstName: 'Łukasz', address },
  coverages: [{ payerId: 'PRIMA', memberId: 'M-G-L-0', relationship: 'self', groupNumber: 'G1' }],
  diagnoses: ['I10'],
  lines: [{ lineControlNumber: 'CL1-1', procedureCode: '99213', modifiers: [], units: '1', charge: '200.00', serviceDate: '2025-01-20', diagnosisPointers: [1] }],
};
const prima = {
  payerId: 'PRIMA', name: 'PRIMA SAMPLE PLAN', payerIdentifier: '11111',
  receiver: { name: 'SAMPLE CLEARINGHOUSE', id: 'SAMPLECH', interchangeQualifier: 'ZZ', interchangeId: 'SAMPLECH', applicationId: 'SAMPLECH' },
  submitter: { name: 'NORTHWIND BILLING', id: 'NWB001', interchangeQualifier: 'ZZ', interchangeId: 'NWB001', applicationId: 'NWB001', contactName: 'CLAIMS DESK', phone: '5555550100' },
  usage: 'T', claimTypes: ['professional'], claimFilingIndicator: 'CI', patientControlNumberMax: 20,
};

let x12 = '';
beforeAll(async () => {
  db = await useTestDatabase();
  dir = await tempDir();
  await mkdir(path.join(dir, 'payers'));
  await writeFile(path.join(dir, 'payers', 'prima.json'), JSON.stringify(prima));
  const exportFile = await writeTemp(dir, 'export.ndjson', JSON.stringify(claim) + '\n');
  const outbox = path.join(dir, 'outbox');
  const submitted = await cli(['submit', exportFile, '--payers', path.join(dir, 'payers'), '--out', outbox, '--as-of', '2025-01-24']);
  expect([submitted.code, submitted.stderr]).toEqual([0, '']);
  const files = (await readdir(outbox)).filter((f) => f.startsWith('837-'));
  expect(files.length).toBe(1);
  x12 = await readFile(path.join(outbox, files[0]!), 'utf8');
});

describe('a patient named Łukasz Nguyễn', () => {
  it('is billed: the 837 carries NM1*IL*1*Nguyen*Lukasz and passes the independent validator', () => {
    expect(x12).toContain('NM1*IL*1*Nguyen*Lukasz****MI*M-G-L-0~');
    expect(x12).toMatch(/^[\x20-\x7E\n]*$/);
    expect(validate837(x12)).toEqual([]);
  });

  it('is kept as written in the database', async () => {
    const patient = await db.pool.query(`SELECT last_name, first_name FROM patients WHERE patient_id = 'P-L1'`);
    expect(patient.rows).toEqual([{ last_name: 'Nguyễn', first_name: 'Łukasz' }]);
    const guarantor = await db.pool.query(`SELECT last_name, first_name FROM guarantor_accounts WHERE account_number = 'G-L'`);
    expect(guarantor.rows).toEqual([{ last_name: 'Nguyễn', first_name: 'Łukasz' }]);
  });

  it('gets a statement (vendor CSV and PDF) with the name as written', async () => {
    const r1: GenRemittance = { set: '0001', trace: 'EFT-PRIMA-1', payerId: '1111111111', paymentDate: '20250201', claims: [
      { pcn: 'CL1', lines: [{ code: '99213', chargeCents: 20000, lineControlNumber: 'CL1-1', adjustments: [{ group: 'CO', reason: '45', cents: 5000 }, { group: 'PR', reason: '3', cents: 3000 }] }] },
    ] };
    const file = await writeTemp(dir, 'prima-0201.835', interchange([r1]));
    const outcome = await ingestFile(file, { pool: db.pool, logger, failpoint: () => undefined, quarantineDir: path.join(dir, 'quarantine') });
    expect(outcome.status).toBe('done');
    const out = path.join(dir, 'out');
    const r = await runStatements(db.pool, { asOf: '2025-02-10', outDir: out, settings, logger, perStatementPdf: false });
    expect(r.issued.map((s) => [s.accountNumber, s.amountDueCents])).toEqual([['G-L', 3000n]]);

    const csv = await readFile(path.join(out, 'statements-2025-02-10.csv'), 'utf8');
    const row = csv.split('\r\n')[1]!;
    expect(row).toContain(',G-L,Łukasz Nguyễn,7 Sample Lane,');
    expect(row).toContain(',Łukasz Nguyễn,1,200.00,');

    const pdf = (await readdir(out)).find((f) => f.endsWith('.pdf'))!;
    const text = execFileSync('pdftotext', ['-layout', path.join(out, pdf), '-'], { encoding: 'utf8' });
    expect(text).toContain('Łukasz Nguyễn');
    expect(text).toContain('From: Łukasz Nguyễn (account G-L)');
  });
});
