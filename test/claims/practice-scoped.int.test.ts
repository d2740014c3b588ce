// Work done for one practice (issue 17): a payer profile's terms per practice (its own crosswalk with that
// payer), `submit --practice` and `ingest --practice` (a pipeline's "practice"), against the real database.
// Another practice's claims are refused and its 835s quarantined, nothing of them recorded, so that
// practice's own run takes them later. Figures by hand.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { useTestDatabase, type TestDatabase } from '../support/db.ts';
import { loadPayerProfiles, parsePayerProfile } from '../../src/runtime/payer-profiles.ts';
import { submitClaims } from '../../src/claims/submit.ts';
import { postgresClaimStore } from '../../src/claims/store.ts';
import { postgresControlNumbers } from '../../src/exchange/control-numbers.ts';
import { balances } from '../../src/ledger/queries.ts';
import { fixedClock } from '../../src/common/clock.ts';
import { withTransaction } from '../../src/runtime/database.ts';
import { registerPractices } from '../../src/runtime/practices.ts';
import { ingestFile } from '../../src/pipeline/ingest-input.ts';
import { logger } from '../../src/runtime/logger.ts';
import type { Practice } from '../../src/domain/practice.ts';
import type { PayerProfile } from '../../src/domain/payer-profile.ts';
import type { ClaimRecordInput } from '../../src/domain/claim.ts';
import { BILLING, npi, syntheticClaim } from './support/synthetic.ts';
import { interchange } from '../remittances/support/generate-835.ts';

const samples = fileURLToPath(new URL('../../samples/', import.meta.url));
const samplePayers = await loadPayerProfiles(path.join(samples, 'payers'));
const work = mkdtempSync(path.join(tmpdir(), 'claims-practice-scoped-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const BETA_NPI = npi('156789012');
const ALPHA: Practice = { id: 'alpha', name: 'Alpha Family Medicine', taxId: '841234567', npis: [BILLING.npi] };
const BETA: Practice = { id: 'beta', name: 'Beta Pediatrics', taxId: '861234567', npis: [BETA_NPI] };

/** ACME as the samples have it (G0439 is sent as 99397), except that beta's contract with ACME takes G0439 as is. */
function payersWithBetaTerms(practice = 'beta'): Map<string, PayerProfile> {
  const acme = JSON.parse(readFileSync(path.join(samples, 'payers', 'acme.json'), 'utf8')) as Record<string, unknown>;
  acme['practices'] = { [practice]: { crosswalk: { version: 'beta-acme-2024', entries: [] }, patientControlNumberMax: 12 } };
  const parsed = parsePayerProfile(acme);
  if (!parsed.ok) throw new Error(parsed.problems.join('; '));
  return new Map([...samplePayers, ['ACME', parsed.profile]]);
}

/** One ACME claim of one line (G0439, an annual wellness visit), 100.00 for alpha and 80.00 for beta. */
function claimOf(practice: 'alpha' | 'beta', pcn: string): ClaimRecordInput {
  const c = syntheticClaim(0, { payers: ['ACME'], institutionalEvery: 0, secondaryEvery: 0 });
  const prefix = practice === 'alpha' ? 'A' : 'B';
  const charge = practice === 'alpha' ? '100.00' : '80.00';
  c.claimId = `${prefix}-${pcn}`;
  c.patientControlNumber = pcn;
  if (practice === 'beta') c.billingProvider = { ...c.billingProvider, npi: BETA_NPI, taxId: '861234567', organizationName: 'BETA PEDIATRICS' };
  c.patient.patientId = `${prefix}-P1`;
  c.guarantor.accountNumber = `${prefix}-G1`;
  c.lines = [{ ...c.lines[0]!, procedureCode: 'G0439', modifiers: [], charge, lineControlNumber: `${prefix}-L1` }];
  c.totalCharge = charge;
  return c;
}

let fileNo = 0;
async function submit(db: TestDatabase, records: unknown[], opts: { practiceId?: string; payers?: Map<string, PayerProfile> } = {}) {
  const file = path.join(work, `export-${++fileNo}.ndjson`);
  writeFileSync(file, records.map((r) => JSON.stringify(r)).join('\n') + '\n');
  const outDir = path.join(work, `out-${fileNo}`);
  const summary = await submitClaims({
    inputs: [file], outDir, payers: opts.payers ?? payersWithBetaTerms(), clock: fixedClock('2024-03-05T12:00:00Z'),
    controlNumbers: postgresControlNumbers(db.pool), store: postgresClaimStore(db.pool),
    ...(opts.practiceId !== undefined && { practiceId: opts.practiceId }),
  });
  const x12 = readdirSync(outDir).filter((n) => n.endsWith('.x12') || n.endsWith('.837')).map((n) => readFileSync(path.join(outDir, n), 'utf8')).join('');
  const report = JSON.parse(readFileSync(summary.report.json, 'utf8')) as { patientControlNumber: string; code: string; found: string }[];
  return { summary, x12, report };
}

/** ACME pays beta's B-PCN-1: charge 80.00, CO-45 20.00, paid 60.00. */
function betaRemittance(isa13: string): string {
  return interchange([{
    set: '0001', trace: `EFT-${isa13}`, payerName: 'ACME HEALTH', payeeNpi: BETA_NPI,
    claims: [{ pcn: 'B-PCN-1', lines: [{ code: 'G0439', chargeCents: 8000, lineControlNumber: 'B-L1', adjustments: [{ group: 'CO', reason: '45', cents: 2000 }] }] }],
  }], { isa13 });
}

async function ingest(db: TestDatabase, name: string, text: string, practiceId?: string) {
  const file = path.join(work, name);
  writeFileSync(file, text);
  return ingestFile(file, {
    pool: db.pool, logger: logger(), failpoint: () => undefined, quarantineDir: path.join(work, 'quarantine'),
    ...(practiceId !== undefined && { practiceId }),
  });
}

const db = await useTestDatabase();

describe('one practice at a time', () => {
  it('refuses payer profiles with terms for a practice that is not registered', async () => {
    await withTransaction(db.pool, (c) => registerPractices(c, [ALPHA, BETA]));
    const refused = submit(db, [claimOf('alpha', 'A-PCN-0')], { payers: payersWithBetaTerms('gamma') });
    await expect(refused).rejects.toMatchObject({ code: 'PAYER_PROFILE_INVALID' });
    await expect(refused).rejects.toThrow('payer ACME: practices.gamma is not a registered practice');
    expect((await db.pool.query('SELECT count(*)::int AS n FROM claims')).rows[0].n).toBe(0);
  });

  it('submit --practice alpha sends alpha\'s claim with ACME\'s terms and refuses beta\'s, recording nothing of it', async () => {
    const { summary, x12, report } = await submit(db, [claimOf('alpha', 'A-PCN-1'), claimOf('beta', 'B-PCN-1')], { practiceId: 'alpha' });
    expect([summary.records, summary.sent, summary.rejectedClaims]).toEqual([2, 1, 1]);
    expect(report.map((r) => `${r.patientControlNumber} ${r.code} ${r.found}`)).toEqual(['B-PCN-1 CLAIM_OF_OTHER_PRACTICE beta']);
    // ACME's own crosswalk: G0439 goes out as 99397.
    expect(x12).toContain('SV1*HC:99397*100*UN*1');
    expect(x12).not.toContain('G0439');
    const claims = await db.pool.query('SELECT practice_id, patient_control_number FROM claims ORDER BY 2');
    expect(claims.rows).toEqual([{ practice_id: 'alpha', patient_control_number: 'A-PCN-1' }]);
    expect((await db.pool.query("SELECT count(*)::int AS n FROM patients WHERE practice_id = 'beta'")).rows[0].n).toBe(0);
  });

  it('submit --practice beta then sends beta\'s claim with beta\'s own ACME crosswalk, and refuses alpha\'s', async () => {
    const { summary, x12, report } = await submit(db, [claimOf('alpha', 'A-PCN-1'), claimOf('beta', 'B-PCN-1')], { practiceId: 'beta' });
    expect([summary.records, summary.sent, summary.duplicates, summary.rejectedClaims]).toEqual([2, 1, 0, 1]);
    expect(report.map((r) => `${r.patientControlNumber} ${r.code} ${r.found}`)).toEqual(['A-PCN-1 CLAIM_OF_OTHER_PRACTICE alpha']);
    expect(x12).toContain('SV1*HC:G0439*80*UN*1');
    expect(x12).not.toContain('99397');
    const versions = await db.pool.query<{ practice_id: string; label: string }>(
      'SELECT c.practice_id, v.label FROM claims c JOIN crosswalk_versions v ON v.id = c.crosswalk_version_id ORDER BY 1');
    expect(versions.rows).toEqual([{ practice_id: 'alpha', label: 'acme-2024.1' }, { practice_id: 'beta', label: 'beta-acme-2024' }]);
  });

  it('beta\'s terms with ACME apply to beta\'s claims only: its 12-character CLM01 limit refuses a long one', async () => {
    const { summary, report } = await submit(db, [claimOf('alpha', 'A-PCN-LONGER-THAN-12'), claimOf('beta', 'B-PCN-LONGER-THAN-12')]);
    expect([summary.sent, summary.rejectedClaims]).toEqual([1, 1]);
    expect(report.map((r) => `${r.patientControlNumber} ${r.code}`)).toEqual(['B-PCN-LONGER-THAN-12 PATIENT_CONTROL_NUMBER_TOO_LONG']);
  });

  it('ingest --practice alpha quarantines beta\'s 835 and posts nothing; beta\'s own ingest posts it, not as a duplicate', async () => {
    const text = betaRemittance('000000701');
    const refused = await ingest(db, 'beta-1.835', text, 'alpha');
    expect(refused.status).toBe('quarantined');
    expect(refused.sets.map((s) => `${s.status} ${s.reasons.map((r) => r.code).join(',')}`)).toEqual(['quarantined REMIT_OF_OTHER_PRACTICE']);
    expect((await db.pool.query('SELECT count(*)::int AS n FROM remittances')).rows[0].n).toBe(0);
    expect((await db.pool.query('SELECT count(*)::int AS n FROM remittance_rejections')).rows[0].n).toBe(0);

    const posted = await ingest(db, 'beta-2.835', text, 'beta');
    expect(posted.sets.map((s) => s.status)).toEqual(['posted']);
    const tb = await balances(db.pool, { practiceId: 'beta' });
    // By hand: beta's 80.00 charge; ACME paid 60.00 (clearing) and CO-45 20.00; the receivable is settled.
    expect(tb.accounts.map((a) => `${a.kind} ${a.payerId ?? '-'} ${a.balanceCents}`)).toEqual([
      'payer_clearing ACME 6000', 'insurance_receivable ACME 0', 'revenue - -8000', 'contractual_adjustment ACME 2000',
    ]);
    // Alpha's books: its two claims' charges (100.00 each), nothing of beta's remittance.
    const alpha = await balances(db.pool, { practiceId: 'alpha' });
    expect(alpha.accounts.map((a) => `${a.kind} ${a.payerId ?? '-'} ${a.balanceCents}`)).toEqual(['insurance_receivable ACME 20000', 'revenue - -20000']);
  });
});
