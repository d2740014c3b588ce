// Two practices in one drop (issue 17): overlapping patient control numbers and a shared payer. Each claim
// goes into its billing provider's practice's books, an 835 matches only its payee's practice's claims, and
// each practice's trial balance is zero on its own and equal to a run of its own data alone. Figures by hand.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { useTestDatabase, type TestDatabase } from '../support/db.ts';
import { loadPayerProfiles } from '../../src/runtime/payer-profiles.ts';
import { submitClaims } from '../../src/claims/submit.ts';
import { postgresClaimStore } from '../../src/claims/store.ts';
import { postgresControlNumbers } from '../../src/exchange/control-numbers.ts';
import { balances, claimBalances } from '../../src/ledger/queries.ts';
import { fixedClock } from '../../src/common/clock.ts';
import { withTransaction } from '../../src/runtime/database.ts';
import { registerPractices } from '../../src/runtime/practices.ts';
import { ingestFile } from '../../src/pipeline/ingest-input.ts';
import { logger } from '../../src/runtime/logger.ts';
import type { Practice } from '../../src/domain/practice.ts';
import { remittanceReport, unmatchedReport } from '../../src/remittances/reports.ts';
import { readAudit, recordAudit } from '../../src/runtime/audit.ts';
import { checkPracticeOption } from '../../src/runtime/practices.ts';
import type { ClaimRecordInput } from '../../src/domain/claim.ts';
import { BILLING, npi, syntheticClaim } from './support/synthetic.ts';
import { interchange } from '../remittances/support/generate-835.ts';

const samples = fileURLToPath(new URL('../../samples/', import.meta.url));
const payers = await loadPayerProfiles(path.join(samples, 'payers'));
const work = mkdtempSync(path.join(tmpdir(), 'claims-practices-int-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const BETA_NPI = npi('156789012');
const ALPHA: Practice = { id: 'alpha', name: 'Alpha Family Medicine', taxId: '841234567', npis: [BILLING.npi] };
const BETA: Practice = { id: 'beta', name: 'Beta Pediatrics', taxId: '861234567', npis: [BETA_NPI] };

/** One professional ACME claim of one line (99213), the control number shared by both practices. */
function claimOf(practice: 'alpha' | 'beta', chargeCents: number, over: { pcn?: string; patientId?: string; account?: string } = {}): ClaimRecordInput {
  const c = syntheticClaim(0, { payers: ['ACME'], institutionalEvery: 0, secondaryEvery: 0 });
  const prefix = practice === 'alpha' ? 'A' : 'B';
  c.claimId = `${prefix}-CLAIM-${chargeCents}`;
  c.patientControlNumber = over.pcn ?? 'PCN-SHARED';
  if (practice === 'beta') c.billingProvider = { ...c.billingProvider, npi: BETA_NPI, taxId: '861234567', organizationName: 'BETA PEDIATRICS' };
  c.patient.patientId = over.patientId ?? `${prefix}-P1`;
  c.guarantor.accountNumber = over.account ?? `${prefix}-G1`;
  const charge = `${Math.floor(chargeCents / 100)}.${String(chargeCents % 100).padStart(2, '0')}`;
  c.lines = [{ ...c.lines[0]!, procedureCode: '99213', modifiers: [], charge, lineControlNumber: `${prefix}-L1` }];
  c.totalCharge = charge;
  return c;
}

let fileNo = 0;
function ndjson(records: unknown[]): string {
  const file = path.join(work, `export-${++fileNo}.ndjson`);
  writeFileSync(file, records.map((r) => JSON.stringify(r)).join('\n') + '\n');
  return file;
}

async function submit(db: TestDatabase, records: unknown[]) {
  return submitClaims({
    inputs: [ndjson(records)], outDir: path.join(work, `out-${fileNo}`), payers, clock: fixedClock('2024-03-05T12:00:00Z'),
    controlNumbers: postgresControlNumbers(db.pool), store: postgresClaimStore(db.pool),
  });
}

/** ACME pays beta's PCN-SHARED: charge 80.00, CO-45 20.00, PR-2 (coinsurance) 10.00, paid 50.00. */
function betaRemittance(isa13: string, payeeNpi = BETA_NPI): string {
  return interchange([{
    set: '0001', trace: `EFT-${isa13}`, payerName: 'ACME HEALTH', payeeNpi,
    claims: [{ pcn: 'PCN-SHARED', lines: [{ code: '99213', chargeCents: 8000, lineControlNumber: 'B-L1', adjustments: [{ group: 'CO', reason: '45', cents: 2000 }, { group: 'PR', reason: '2', cents: 1000 }] }] }],
  }], { isa13 });
}

async function ingest(db: TestDatabase, name: string, text: string) {
  const file = path.join(work, name);
  writeFileSync(file, text);
  return ingestFile(file, { pool: db.pool, logger: logger(), failpoint: () => undefined, quarantineDir: path.join(work, 'quarantine') });
}

const rows = (tb: Awaited<ReturnType<typeof balances>>) =>
  tb.accounts.map((a) => `${a.practiceId} ${a.kind} ${a.payerId ?? '-'} ${a.patientId ?? '-'} ${a.balanceCents}`);

// By hand. alpha: the 100.00 charge, unpaid. beta: the 80.00 charge, then ACME's 835: 50.00 paid into payer
// clearing, 20.00 contractual (CO-45), 10.00 to the guarantor B-G1 (PR-2), the receivable settled to 0.
const ALPHA_BOOKS = ['alpha insurance_receivable ACME - 10000', 'alpha revenue - - -10000'];
const BETA_BOOKS = [
  'beta payer_clearing ACME - 5000',
  'beta insurance_receivable ACME - 0',
  'beta patient_receivable - B-G1 1000',
  'beta revenue - - -8000',
  'beta contractual_adjustment ACME - 2000',
];

const db = await useTestDatabase();

describe('two practices in one drop', () => {
  it('sends each claim for its practice; refuses an unknown billing NPI and a patient of the other practice', async () => {
    await withTransaction(db.pool, (c) => registerPractices(c, [ALPHA, BETA]));
    // Beta's claim first: alpha's PCN-SHARED is the newer one, the one a match across practices would take.
    const s = await submit(db, [
      claimOf('beta', 8000),
      claimOf('alpha', 10000),
      { ...claimOf('beta', 7000, { pcn: 'PCN-OTHER' }), billingProvider: { ...BILLING, npi: npi('111111111'), taxId: '990000001' } },
      claimOf('beta', 6000, { pcn: 'PCN-THIRD', patientId: 'A-P1', account: 'B-G9' }),
    ]);
    expect([s.records, s.sent, s.rejectedClaims]).toEqual([4, 2, 2]);
    const report = JSON.parse(readFileSync(s.report.json, 'utf8')) as { patientControlNumber: string; code: string; field: string }[];
    expect(report.map((r) => `${r.patientControlNumber} ${r.code} ${r.field}`)).toEqual([
      'PCN-OTHER CLAIM_PRACTICE_UNKNOWN billingProvider.npi',
      'PCN-THIRD PATIENT_OF_OTHER_PRACTICE patient.patientId',
    ]);
    const claims = await db.pool.query<{ practice_id: string; pcn: string; account: string }>(
      'SELECT practice_id, patient_control_number AS pcn, account_number AS account FROM claims ORDER BY practice_id');
    expect(claims.rows).toEqual([{ practice_id: 'alpha', pcn: 'PCN-SHARED', account: 'A-G1' }, { practice_id: 'beta', pcn: 'PCN-SHARED', account: 'B-G1' }]);
    const people = await db.pool.query<{ practice_id: string; account_number: string }>('SELECT practice_id, account_number FROM guarantor_accounts ORDER BY 2');
    expect(people.rows).toEqual([{ practice_id: 'alpha', account_number: 'A-G1' }, { practice_id: 'beta', account_number: 'B-G1' }]);
  });

  it('posts beta\'s 835 against beta\'s claim only; alpha\'s claim with the same control number is untouched', async () => {
    const out = await ingest(db, 'beta.835', betaRemittance('000000501'));
    expect(out.sets.map((x) => [x.status, x.counts?.matchedClaims])).toEqual([['posted', 1]]);
    const ids = await db.pool.query<{ id: string; practice_id: string }>('SELECT id::text, practice_id FROM claims ORDER BY practice_id');
    const [alphaClaim, betaClaim] = ids.rows.map((r) => r.id);
    const perClaim = await claimBalances(db, [alphaClaim!, betaClaim!]);
    expect(perClaim.get(alphaClaim!)!.map((a) => `${a.practiceId} ${a.kind} ${a.balanceCents}`)).toEqual(['alpha insurance_receivable 10000', 'alpha revenue -10000']);
    expect(perClaim.get(betaClaim!)!.map((a) => `${a.practiceId} ${a.kind} ${a.balanceCents}`)).toEqual([
      'beta payer_clearing 5000', 'beta insurance_receivable 0', 'beta patient_receivable 1000', 'beta revenue -8000', 'beta contractual_adjustment 2000',
    ]);
    const remit = await db.pool.query('SELECT practice_id, matched_claim_count FROM remittances');
    expect(remit.rows).toEqual([{ practice_id: 'beta', matched_claim_count: 1 }]);
  });

  it('quarantines an 835 whose payee is no registered practice\'s, posting nothing', async () => {
    const before = rows(await balances(db));
    const out = await ingest(db, 'stranger.835', betaRemittance('000000502', npi('222333444')));
    expect(out.sets.map((x) => x.status)).toEqual(['quarantined']);
    expect(out.sets[0]!.reasons.map((r) => r.code)).toEqual(['REMIT_PAYEE_UNKNOWN']);
    expect(out.sets[0]!.reasons[0]!.message).toContain(npi('222333444'));
    expect(rows(await balances(db))).toEqual(before);
  });

  it('keeps each practice\'s books apart: each sums to zero, the office view is both', async () => {
    const all = await balances(db);
    expect(rows(all)).toEqual([...ALPHA_BOOKS, ...BETA_BOOKS]);
    expect([...all.practiceTotals]).toEqual([['alpha', 0n], ['beta', 0n]]);
    expect(all.totalCents).toBe(0n);
    expect(rows(await balances(db, { practiceId: 'beta' }))).toEqual(BETA_BOOKS);
    expect(rows(await balances(db, { practiceId: 'alpha' }))).toEqual(ALPHA_BOOKS);
  });

  it('reports and the audit trail per practice', async () => {
    const posted = (rows: Awaited<ReturnType<typeof remittanceReport>>) => rows.map((r) => `${r.status} ${r.practice ?? '-'} ${r.payee}`);
    // The stranger's 835 was quarantined: it has no practice, and no practice's payee is its payee.
    expect(posted(await remittanceReport(db.pool, {}))).toEqual([`posted beta ${BETA_NPI}`, `quarantined - ${npi('222333444')}`]);
    expect(posted(await remittanceReport(db.pool, { practice: 'beta' }))).toEqual([`posted beta ${BETA_NPI}`]);
    expect(posted(await remittanceReport(db.pool, { practice: 'alpha' }))).toEqual([]);
    expect(await unmatchedReport(db.pool, 'beta')).toEqual([]);
    await expect(checkPracticeOption(db.pool, 'gamma')).rejects.toMatchObject({ code: 'PRACTICE_UNKNOWN' });
    // One command that read accounts of both practices leaves one row per practice.
    await recordAudit(db.pool, { command: 'test:read-both', action: 'read', accounts: ['B-G1', 'A-G1'] });
    const trail = (await readAudit(db.pool, {})).filter((e) => e.command === 'test:read-both');
    expect(trail.map((e) => [e.practice, e.accounts])).toEqual([['alpha', ['A-G1']], ['beta', ['B-G1']]]);
    expect((await readAudit(db.pool, { practice: 'beta' })).map((e) => e.accounts)).toEqual([['B-G1']]);
  });

  it('each practice\'s books equal a run of its own data alone', async () => {
    const alone = await useTestDatabase();
    await withTransaction(alone.pool, (c) => registerPractices(c, [ALPHA, BETA]));
    expect((await submit(alone, [claimOf('beta', 8000)])).sent).toBe(1);
    expect((await ingest(alone, 'beta-alone.835', betaRemittance('000000601'))).sets.map((x) => x.status)).toEqual(['posted']);
    expect(rows(await balances(alone))).toEqual(rows(await balances(db, { practiceId: 'beta' })));
    const alphaAlone = await useTestDatabase();
    await withTransaction(alphaAlone.pool, (c) => registerPractices(c, [ALPHA, BETA]));
    expect((await submit(alphaAlone, [claimOf('alpha', 10000)])).sent).toBe(1);
    expect(rows(await balances(alphaAlone))).toEqual(rows(await balances(db, { practiceId: 'alpha' })));
  });
});
