// Row-level security per practice (schemas/db/0016_row_level_security.sql): two practices' books in one
// database, an analyst bound to one of them, and what each role sees, on a real server. The practice-keyed
// tables are listed from the catalog, and each must hold rows of the other practice here, so a table given a
// practice_id later without a policy (or without a fixture row below) fails this test instead of passing on
// nothing. The pipeline still posts by COPY (it bypasses row-level security); the owner still sees all.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import pg from 'pg';
import { postBatch } from '../../src/ledger/post.ts';
import type { PostingBatch } from '../../src/ledger/types.ts';
import { createRoles, existingRoles, roleName } from '../../src/runtime/roles.ts';
import { runCli } from '../support/cli.ts';
import { asRole } from '../support/roles.ts';
import { useTestDatabase, type TestDatabase } from '../support/db.ts';
import { withAdmin } from '../support/test-server.ts';

let db: TestDatabase;
const role = (kind: 'pipeline' | 'analyst' | 'auditor'): string => roleName(db.name, kind);
const alice = (): string => `${role('analyst')}_alice`; // bound to alpha
const bob = (): string => `${role('analyst')}_bob`; // bound to beta
const carol = (): string => `${db.name}_carol`; // a "login" user granted alice's role
const nosuper = (): string => `${db.name}_nosuper`; // may create roles, is no superuser

/** Run `fn` on one connection acting as `r` (SET ROLE), then back to the owner. */
const as = <T>(r: string, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> => asRole(db.pool, r, fn);

const count = async (q: pg.ClientBase | pg.Pool, sql: string, params: unknown[] = []): Promise<number> =>
  Number((await q.query<{ n: string }>(`SELECT count(*)::text AS n FROM (${sql}) x`, params)).rows[0]!.n);

const cli = (args: string[]) => runCli(args, { env: { DATABASE_URL: db.url, CLAIMS_LOG_LEVEL: 'error' } });

/** Every table with a practice_id column, from the catalog. */
async function practiceTables(): Promise<string[]> {
  const { rows } = await db.pool.query<{ t: string }>(
    `SELECT c.relname AS t FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'practice_id' AND NOT a.attisdropped
     WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') ORDER BY 1`);
  return rows.map((r) => r.t);
}

// Different figures per practice, so a trial balance that mixed them could not equal either alone.
const FIGURES = { alpha: { cash: 12_345n, charge: 50_000n }, beta: { cash: 777n, charge: 9_100n } } as const;
type P = keyof typeof FIGURES;

function ledgerBatch(p: P, key: string): PostingBatch {
  const f = FIGURES[p];
  return {
    key, practiceId: p,
    entries: [
      { key: `${key}:pay`, reason: 'manual', effectiveDate: '2024-05-01', memo: 'payment',
        lines: [{ account: { kind: 'cash' }, amountCents: f.cash }, { account: { kind: 'patient_receivable', patientId: `PAT-${p}` }, amountCents: -f.cash }] },
      { key: `${key}:charge`, reason: 'manual', effectiveDate: '2024-05-01', memo: 'charge',
        lines: [{ account: { kind: 'insurance_receivable', payerId: 'PAYER1' }, amountCents: f.charge }, { account: { kind: 'revenue' }, amountCents: -f.charge }] },
    ],
  };
}

/** One practice's rows in every practice-keyed table and in the child tables reached through them. */
async function seed(p: P, npi: string, crosswalk: string): Promise<void> {
  const q = (sql: string, params: unknown[]) => db.pool.query(sql, params);
  const acct = `ACC-${p}`;
  const patient = `PAT-${p}`;
  await q('INSERT INTO practices (id, name, npis) VALUES ($1, $2, $3)', [p, `Practice ${p}`, [npi]]);
  await q(`INSERT INTO guarantor_accounts (account_number, last_name, first_name, address_line1, city, state, postal_code, practice_id)
    VALUES ($1, 'Testperson', 'Avery', '1 Example Way', 'Springfield', 'IL', '62701', $2)`, [acct, p]);
  await q(`INSERT INTO patients (patient_id, account_number, last_name, first_name, birth_date, sex, address_line1, city, state, postal_code, practice_id)
    VALUES ($1, $2, 'Testperson', 'Avery', '1980-01-01', 'U', '1 Example Way', 'Springfield', 'IL', '62701', $3)`, [patient, acct, p]);
  // Tables whose practice_id the 0015 triggers copy from the account or the patient.
  await q(`INSERT INTO coverages (patient_id, coverage_order, payer_id, member_id, relationship) VALUES ($1, 1, 'PAYER1', $2, 'self')`, [patient, `M-${p}`]);
  await q(`INSERT INTO patient_payments (reference, account_number, amount_cents, paid_on, method, applied_cents, credit_cents, entry_key, source_file_sha256, source_file_name, source_line)
    VALUES ($1, $2, 100, '2024-05-01', 'card', 100, 0, $1, $3, 'payments.csv', 1)`, [`pay-${p}`, acct, 'b'.repeat(64)]);
  await q(`INSERT INTO payment_plans (plan_key, account_number, total_cents, installments, start_on, frequency, created_on)
    VALUES ($1, $2, 1000, 4, '2024-06-01', 'monthly', '2024-05-01')`, [`plan-${p}`, acct]);
  await q(`INSERT INTO statements (account_number, statement_date, kind, sequence, status, rule, balance_cents, amount_due_cents, patient_receivable_cents, due_on, model)
    VALUES ($1, '2024-05-02', 'statement', 1, 'issued', 'cycle', 500, 500, 500, '2024-05-30', '{}')`, [acct]);
  await q("INSERT INTO mail_holds (account_number, marked_on) VALUES ($1, '2024-05-03')", [acct]);
  await q("INSERT INTO account_holds (account_number, kind, opened_on, reason, source) VALUES ($1, 'dispute', '2024-05-03', 'disputed', 'command')", [acct]);
  await q("INSERT INTO account_flags (account_number, flag, set_on) VALUES ($1, 'attorney', '2024-05-03')", [acct]);
  await q(`INSERT INTO eca_notices (account_number, cycle_started_on, notice_date, eca_not_before, balance_cents, record)
    VALUES ($1, '2024-01-01', '2024-04-01', '2024-05-01', 500, '{}')`, [acct]);
  const referral = await q(`INSERT INTO referrals (account_number, agency_id, cycle_started_on, placed_on, placed_cents, entry_key, decision, record)
    VALUES ($1, 'AGENCY1', '2024-01-01', '2024-05-04', 500, $2, '{}', '{}') RETURNING id`, [acct, `referral-${p}`]);
  await q("INSERT INTO referral_events (referral_id, kind, event_on, amount_cents, balance_after_cents) VALUES ($1, 'payment', '2024-05-05', 100, 400)", [referral.rows[0].id]);
  // Claims and their children.
  const claim = await q(`INSERT INTO claims (source_claim_id, billing_npi, patient_control_number, frequency, claim_type, content_sha256, patient_id,
      account_number, primary_payer_id, total_charge_cents, posted_charge_cents, first_service_date, last_service_date, crosswalk_version_id, status, practice_id)
    VALUES ($1, $2, $1, '1', 'professional', $3, $4, $5, 'PAYER1', 5000, 5000, '2024-04-01', '2024-04-01', $6, 'submitted', $7) RETURNING id`,
  [`PCN-${p}`, npi, 'a'.repeat(64), patient, acct, crosswalk, p]);
  const claimId = String(claim.rows[0].id);
  await q(`INSERT INTO claim_lines (claim_id, line_number, line_control_number, procedure_code, sent_procedure_code, units, sent_units, charge_cents, service_date)
    VALUES ($1, 1, $2, '99213', '99213', 1, 1, 5000, '2024-04-01')`, [claimId, `LC-${p}`]);
  await q("INSERT INTO claim_status_history (claim_id, at, status, source) VALUES ($1, now(), 'submitted', 'submit')", [claimId]);
  await q(`INSERT INTO claim_holds (billing_npi, patient_control_number, frequency, content_sha256, source_claim_id, patient_id, primary_payer_id,
      reason_code, reason, record, source_file, export_record, held_at, checked_at)
    VALUES ($1, $2, '1', $3, $2, $4, 'PAYER1', 'COVERAGE_INACTIVE', 'inactive', '{}', 'export.json', 1, now(), now())`, [npi, `HELD-${p}`, 'c'.repeat(64), patient]);
  // A remittance with one matched and one unmatched claim (its provisional patient).
  const remit = await q(`INSERT INTO remittances (payer_key, payee_key, trace_number, content_sha256, payer_id, posting_batch_key, payer_name, payee_name,
      transaction_handling, payment_cents, credit_debit, payment_method, payment_date, claim_payments_cents, provider_adjustments_cents, claim_count,
      matched_claim_count, unmatched_claim_count, entry_count, line_count, source_file_sha256, source_file_name, source_isa13, source_gs06, source_st02,
      source_segment_index, practice_id)
    VALUES ('PAYER1', $1, $2, $3, 'PAYER1', $2, 'Payer One', $1, 'I', 4000, 'C', 'ACH', '2024-05-10', 4000, 0, 2, 1, 1, 0, 0, $3, 'era.835',
      '000000001', '1', '0001', 0, $4) RETURNING id`, [npi, `TRN-${p}`, 'd'.repeat(64), p]);
  const provisional = await q(`INSERT INTO provisional_patients (payer_id, member_id, last_name, first_name, ledger_patient_id)
    VALUES ('PAYER1', $1, 'Unknown', 'Person', $1) RETURNING id`, [`PROV-${p}`]);
  await q(`INSERT INTO remittance_claims (remittance_id, claim_index, patient_control_number, payer_claim_number, status, charge_cents, paid_cents,
      claim_id, provisional_patient_id, ledger_claim_id, payer_id, source_segment_index)
    VALUES ($1, 0, $2, 'X1', '1', 5000, 4000, $3::bigint, NULL, $3::text, 'PAYER1', 10), ($1, 1, 'OTHER', 'X2', '1', 100, 0, NULL, $4, 'unmatched:PAYER1:OTHER', 'PAYER1', 20)`,
  [remit.rows[0].id, `PCN-${p}`, claimId, provisional.rows[0].id]);
  // Eligibility: a 271 matched to the patient, its benefit and rejection, and a 270 sent for the practice's NPI.
  const response = await q(`INSERT INTO eligibility_responses (content_sha256, coverage_key, payer_id, payer_name, provider_name, member_id, subject,
      last_name, relationship, patient_id, reference, segment_index)
    VALUES ($1, $2, 'PAYER1', 'Payer One', 'Provider', $2, 'subscriber', 'Testperson', '18', $3, 'REF', 0) RETURNING id`, [p === 'alpha' ? 'e'.repeat(64) : 'f'.repeat(64), `M-${p}`, patient]);
  await q("INSERT INTO eligibility_benefits (response_id, ordinal, benefit_type, segment_index) VALUES ($1, 0, '1', 1)", [response.rows[0].id]);
  await q("INSERT INTO eligibility_rejections (response_id, loop, reason, segment_index) VALUES ($1, '2110C', '72', 2)", [response.rows[0].id]);
  await q(`INSERT INTO eligibility_requests (trace_number, payer_id, provider_npi, member_id, date_of_service, service_types, file_name, sender_id, receiver_id, isa13, gs06, st02)
    VALUES ($1, 'PAYER1', $2, $3, '2024-05-01', '{30}', '270.x12', 'S', 'R', '000000001', '1', '0001')`, [`TRACE-${p}`, npi, `M-${p}`]);
  // A run of a pipeline bound to the practice (0017), with a stage, an input and a pickup.
  const run = await q(`INSERT INTO runs (pipeline_name, pipeline_file, pipeline_sha256, as_of, practice_id, status, finished_at)
    VALUES ($1, 'nightly.json', $2, '2024-05-01', $3, 'done', now()) RETURNING id`, [`nightly-${p}`, '0'.repeat(64), p]);
  await q("INSERT INTO run_stages (run_id, stage_index, stage_name, status, finished_at) VALUES ($1, 0, 'ingest', 'done', now())", [run.rows[0].id]);
  await q("INSERT INTO run_inputs (run_id, stage_index, seq, input, status) VALUES ($1, 0, 0, 'era.835', 'done')", [run.rows[0].id]);
  await q("INSERT INTO run_pickups (pipeline_name, file_sha256, source_path, inbox_name, run_id) VALUES ($1, $2, 'drop', 'era.835', $3)",
    [`nightly-${p}`, '1'.repeat(64), run.rows[0].id]);
  // The ledger, posted as the owner (the pipeline's own posting is checked below).
  expect(await postBatch(db.pool, ledgerBatch(p, `rls-test:${p}`))).toBe('posted');
}

/**
 * Child tables without practice_id: for each, the query that counts alpha's rows as the owner sees them,
 * through the parent, written here independently of the policies.
 */
const CHILDREN: Record<string, string> = {
  claim_lines: "SELECT 1 FROM claim_lines l JOIN claims c ON c.id = l.claim_id WHERE c.practice_id = 'alpha'",
  claim_status_history: "SELECT 1 FROM claim_status_history h JOIN claims c ON c.id = h.claim_id WHERE c.practice_id = 'alpha'",
  claim_holds: "SELECT 1 FROM claim_holds h JOIN patients p ON p.patient_id = h.patient_id WHERE p.practice_id = 'alpha'",
  remittance_claims: "SELECT 1 FROM remittance_claims rc JOIN remittances r ON r.id = rc.remittance_id WHERE r.practice_id = 'alpha'",
  provisional_patients: "SELECT DISTINCT pp.id FROM provisional_patients pp JOIN remittance_claims rc ON rc.provisional_patient_id = pp.id JOIN remittances r ON r.id = rc.remittance_id WHERE r.practice_id = 'alpha'",
  referral_events: "SELECT 1 FROM referral_events e JOIN referrals r ON r.id = e.referral_id WHERE r.practice_id = 'alpha'",
  entry_lines: "SELECT 1 FROM entry_lines l JOIN accounts a ON a.id = l.account_id WHERE a.practice_id = 'alpha'",
  entries: "SELECT DISTINCT e.batch_id, e.ordinal FROM entries e JOIN entry_lines l ON l.batch_id = e.batch_id AND l.entry_ordinal = e.ordinal JOIN accounts a ON a.id = l.account_id WHERE a.practice_id = 'alpha'",
  posting_batches: "SELECT DISTINCT b.id FROM posting_batches b JOIN entry_lines l ON l.batch_id = b.id JOIN accounts a ON a.id = l.account_id WHERE a.practice_id = 'alpha'",
  eligibility_responses: "SELECT 1 FROM eligibility_responses r JOIN patients p ON p.patient_id = r.patient_id WHERE p.practice_id = 'alpha'",
  eligibility_benefits: "SELECT 1 FROM eligibility_benefits b JOIN eligibility_responses r ON r.id = b.response_id JOIN patients p ON p.patient_id = r.patient_id WHERE p.practice_id = 'alpha'",
  eligibility_rejections: "SELECT 1 FROM eligibility_rejections j JOIN eligibility_responses r ON r.id = j.response_id JOIN patients p ON p.patient_id = r.patient_id WHERE p.practice_id = 'alpha'",
  eligibility_requests: "SELECT 1 FROM eligibility_requests q JOIN practices p ON q.provider_npi = ANY (p.npis) WHERE p.id = 'alpha'",
  run_stages: "SELECT 1 FROM run_stages s JOIN runs r ON r.id = s.run_id WHERE r.practice_id = 'alpha'",
  run_inputs: "SELECT 1 FROM run_inputs i JOIN runs r ON r.id = i.run_id WHERE r.practice_id = 'alpha'",
  run_pickups: "SELECT 1 FROM run_pickups k JOIN runs r ON r.id = k.run_id WHERE r.practice_id = 'alpha'",
};

/**
 * Sum per ledger account (practice, kind, payer, patient) as `q` sees it: the trial balance. A left join, so
 * lines visible on an account that is not show up (as `?|<account id>`) instead of being joined away.
 */
async function trialBalance(q: pg.ClientBase | pg.Pool): Promise<Record<string, string>> {
  const { rows } = await q.query<{ k: string; total: string }>(
    `SELECT coalesce(a.practice_id || '|' || a.kind || '|' || coalesce(a.payer_id, '') || '|' || coalesce(a.patient_id, ''), '?|' || l.account_id) AS k,
            sum(l.amount_cents)::text AS total
     FROM entry_lines l LEFT JOIN accounts a ON a.id = l.account_id GROUP BY 1 ORDER BY 1`);
  return Object.fromEntries(rows.map((r) => [r.k, r.total]));
}

beforeAll(async () => {
  db = await useTestDatabase();
  const cw = await db.pool.query("INSERT INTO crosswalk_versions (payer_id, label, content_sha256, content) VALUES ('PAYER1', 'v1', $1, '{}') RETURNING id", ['0'.repeat(64)]);
  await seed('alpha', '1111111111', String(cw.rows[0].id));
  await seed('beta', '2222222222', String(cw.rows[0].id));
});

afterAll(async () => {
  const roles = [role('pipeline'), role('analyst'), role('auditor'), alice(), bob(), carol(), nosuper()];
  const names = roles.map((r) => `"${r}"`).join(', ');
  const here = new pg.Client({ connectionString: db.url });
  await here.connect().then(() => here.query(`DROP OWNED BY ${names}`)).catch(() => undefined).finally(() => here.end().catch(() => undefined));
  await withAdmin(inject('claimsTestServer').adminUrl, (admin) => admin.query(`DROP ROLE IF EXISTS ${names}`));
});

describe('row-level security per practice', () => {
  it('claims db roles refuses, creating nothing, when the connecting user cannot give the pipeline BYPASSRLS', async () => {
    await db.pool.query(`CREATE ROLE "${nosuper()}" NOLOGIN CREATEROLE`);
    const limited = new pg.Pool({ connectionString: db.url, options: `-c role=${nosuper()}`, max: 1 });
    try {
      const err = await createRoles(limited).then(() => undefined, (e: unknown) => e as { code?: string; message: string });
      expect(err?.code).toBe('PRACTICE_RLS_BYPASS_REFUSED');
      expect(err?.message).toContain(`${role('pipeline')} must bypass row-level security`);
    } finally {
      await limited.end();
    }
    expect(await existingRoles(db.pool)).toEqual({});
  });

  it('claims db roles gives the pipeline BYPASSRLS and the analyst group none of it', async () => {
    const r = await cli(['db', 'roles', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const { rows } = await db.pool.query<{ rolname: string; rolbypassrls: boolean }>(
      'SELECT rolname, rolbypassrls FROM pg_roles WHERE rolname = ANY($1) ORDER BY 1', [[role('pipeline'), role('analyst'), role('auditor')]]);
    expect(rows).toEqual([
      { rolname: role('analyst'), rolbypassrls: false }, { rolname: role('auditor'), rolbypassrls: false }, { rolname: role('pipeline'), rolbypassrls: true },
    ]);
    // Once it has it, a user who is no superuser may run it again (nothing left to give).
    await db.pool.query(`GRANT ${role('pipeline')}, ${role('analyst')}, ${role('auditor')} TO "${nosuper()}" WITH ADMIN OPTION`);
    const limited = new pg.Pool({ connectionString: db.url, options: `-c role=${nosuper()}`, max: 1 });
    try {
      // Granting needs the grantor to own the tables or hold grant options; the owner is the superuser here, so
      // only the BYPASSRLS check is of interest: it must not be what fails.
      const err = await createRoles(limited).then(() => undefined, (e: unknown) => e as { code?: string });
      expect(err?.code).not.toBe('PRACTICE_RLS_BYPASS_REFUSED');
    } finally {
      await limited.end();
    }
  });

  it('claims db analyst binds a role to registered practices only, naming them when one is unknown', async () => {
    const bad = await cli(['db', 'analyst', 'alice', '--practice', 'alpha', '--practice', 'gamma']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('PRACTICE_UNKNOWN');
    expect(bad.stderr).toContain('"gamma"');
    expect(bad.stderr).toMatch(/practices: alpha, beta, default/);
    expect((await db.pool.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [alice()])).rowCount).toBe(0);

    const first = await cli(['db', 'analyst', 'alice', '--practice', 'beta', '--json']);
    expect(first.code, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout)).toEqual({ role: alice(), created: true, practices: ['beta'], previous: [] });
    // Binding again replaces the set.
    const again = await cli(['db', 'analyst', 'alice', '--practice', 'alpha']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain(`updated analyst role ${alice()}: reads practice alpha (before: beta)`);
    const bobs = await cli(['db', 'analyst', 'bob', '--practice', 'beta', '--json']);
    expect(bobs.code, bobs.stderr).toBe(0);

    const grants = await db.pool.query('SELECT role_name, practice_id FROM practice_grants ORDER BY 1, 2');
    expect(grants.rows).toEqual([{ role_name: alice(), practice_id: 'alpha' }, { role_name: bob(), practice_id: 'beta' }]);
    const member = await db.pool.query<{ m: boolean; login: boolean }>(
      "SELECT pg_has_role($1, $2, 'MEMBER') AS m, rolcanlogin AS login FROM pg_roles WHERE rolname = $1", [alice(), role('analyst')]);
    expect(member.rows).toEqual([{ m: true, login: false }]);
    // A "login" user granted alice's role reads what alice reads.
    await db.pool.query(`CREATE ROLE "${carol()}" NOLOGIN IN ROLE "${alice()}"`);
  });

  it('every practice-keyed table has row-level security and shows the analyst its practice only', async () => {
    const tables = await practiceTables();
    // The 0015 tables and practice_grants (0016) at least; whatever comes later is checked the same way.
    expect(tables).toEqual(expect.arrayContaining(['accounts', 'guarantor_accounts', 'patients', 'claims', 'remittances', 'coverages',
      'patient_payments', 'payment_plans', 'statements', 'mail_holds', 'account_holds', 'account_flags', 'eca_notices', 'referrals', 'practice_grants']));
    const rls = await db.pool.query<{ relname: string; relrowsecurity: boolean; relforcerowsecurity: boolean }>(
      "SELECT relname, relrowsecurity, relforcerowsecurity FROM pg_class WHERE relname = ANY($1) AND relnamespace = 'public'::regnamespace ORDER BY 1", [tables]);
    for (const r of rls.rows) expect([r.relname, r.relrowsecurity, r.relforcerowsecurity]).toEqual([r.relname, true, false]);
    expect(rls.rows.length).toBe(tables.length);

    for (const t of tables) {
      const others = `SELECT 1 FROM ${t} WHERE practice_id <> 'alpha'`;
      const mine = `SELECT 1 FROM ${t} WHERE practice_id = 'alpha'`;
      // The owner sees the other practice's rows (a table without them here needs a row in seed()) ...
      expect([t, (await count(db.pool, others)) > 0]).toEqual([t, true]);
      const ownersAlpha = await count(db.pool, mine);
      expect([t, ownersAlpha > 0]).toEqual([t, true]);
      // ... alice none of them, and all of alpha's.
      for (const who of [alice(), carol()]) {
        const seen = await as(who, async (c) => ({ others: await count(c, others), all: await count(c, `SELECT 1 FROM ${t}`) }));
        expect([t, who, seen]).toEqual([t, who, { others: 0, all: ownersAlpha }]);
      }
      // The analyst group itself is bound to no practice: nothing.
      expect([t, await as(role('analyst'), (c) => count(c, `SELECT 1 FROM ${t}`))]).toEqual([t, 0]);
    }
  });

  it('the child tables show the analyst its practice\'s rows only, through their parent', async () => {
    const withRls = (await db.pool.query<{ relname: string }>(
      "SELECT relname FROM pg_class WHERE relname = ANY($1) AND relnamespace = 'public'::regnamespace AND relrowsecurity", [Object.keys(CHILDREN)])).rows.map((r) => r.relname);
    expect(withRls.sort()).toEqual(Object.keys(CHILDREN).sort());
    for (const [t, alphaSql] of Object.entries(CHILDREN)) {
      const total = await count(db.pool, `SELECT 1 FROM ${t}`);
      const alphas = await count(db.pool, alphaSql);
      expect([t, alphas > 0, total > alphas]).toEqual([t, true, true]);
      expect([t, await as(alice(), (c) => count(c, `SELECT 1 FROM ${t}`))]).toEqual([t, alphas]);
      expect([t, await as(bob(), (c) => count(c, `SELECT 1 FROM ${t}`))]).toEqual([t, total - alphas]);
      expect([t, await as(role('analyst'), (c) => count(c, `SELECT 1 FROM ${t}`))]).toEqual([t, 0]);
    }
    // The other practice's rows by key: not there for alice.
    const betaClaim = (await db.pool.query<{ id: string }>("SELECT id::text FROM claims WHERE practice_id = 'beta'")).rows[0]!.id;
    const betaAccounts = (await db.pool.query<{ id: string }>("SELECT id::text FROM accounts WHERE practice_id = 'beta'")).rows.map((r) => r.id);
    expect(betaAccounts.length).toBe(4);
    expect(await count(db.pool, 'SELECT 1 FROM claim_lines WHERE claim_id = $1', [betaClaim])).toBe(1);
    expect(await count(db.pool, 'SELECT 1 FROM entry_lines WHERE account_id = ANY($1::bigint[])', [betaAccounts])).toBe(4);
    await as(alice(), async (c) => {
      expect(await count(c, 'SELECT 1 FROM claim_lines WHERE claim_id = $1', [betaClaim])).toBe(0);
      expect(await count(c, 'SELECT 1 FROM entry_lines WHERE account_id = ANY($1::bigint[])', [betaAccounts])).toBe(0);
    });
  });

  it('the analyst\'s trial balance is its practice\'s alone, and sums to zero', async () => {
    const a = FIGURES.alpha;
    const expected = {
      'alpha|cash||': String(a.cash),
      'alpha|insurance_receivable|PAYER1|': String(a.charge),
      'alpha|patient_receivable||PAT-alpha': String(-a.cash),
      'alpha|revenue||': String(-a.charge),
    };
    expect(await as(alice(), (c) => trialBalance(c))).toEqual(expected);
    const everything = await trialBalance(db.pool);
    expect(Object.keys(everything).filter((k) => k.startsWith('beta|')).length).toBe(4);
    const sum = await as(alice(), async (c) => (await c.query<{ s: string }>('SELECT sum(amount_cents)::text AS s FROM entry_lines')).rows[0]!.s);
    expect(sum).toBe('0');
  });

  it('the pipeline posts by COPY and reads every practice; the owner sees everything', async () => {
    const pipeline = new pg.Pool({ connectionString: db.url, options: `-c role=${role('pipeline')}`, max: 1 });
    try {
      expect((await pipeline.query<{ r: string }>('SELECT current_user AS r')).rows[0]!.r).toBe(role('pipeline'));
      const posted = await postBatch(pipeline, ledgerBatch('beta', 'rls-test:pipeline')).catch((err: unknown) => `failed: ${(err as Error).message}`);
      expect(posted).toBe('posted');
      // It reads both practices' rows, its own posting included.
      expect(await count(pipeline, 'SELECT DISTINCT practice_id FROM claims')).toBe(2);
      expect(await count(pipeline, 'SELECT 1 FROM entry_lines')).toBe(12);
      expect(await count(pipeline, 'SELECT DISTINCT a.practice_id FROM entry_lines l JOIN accounts a ON a.id = l.account_id')).toBe(2);
      // practice_grants is the owner's to write: the pipeline, which bypasses the policies, cannot widen a view.
      const denied = await pipeline.query("INSERT INTO practice_grants (role_name, practice_id) VALUES ('x', 'alpha')").then(() => 'ok', (e: { code?: string }) => e.code);
      expect(denied).toBe('42501');
    } finally {
      await pipeline.end();
    }
    // The new beta lines are not alice's; the owner sees all twelve.
    expect(await as(alice(), (c) => count(c, 'SELECT 1 FROM entry_lines'))).toBe(4);
    expect(await count(db.pool, 'SELECT 1 FROM entry_lines')).toBe(12);
    expect(await count(db.pool, 'SELECT DISTINCT practice_id FROM statements')).toBe(2);
  });

  it('a run for the whole office (no practice) and its inputs are every analyst\'s; a practice\'s run is its analysts\' only', async () => {
    const office = await db.pool.query<{ id: string }>(`INSERT INTO runs (pipeline_name, pipeline_file, pipeline_sha256, as_of, status, finished_at)
      VALUES ('nightly-office', 'nightly.json', $1, '2024-05-02', 'done', now()) RETURNING id::text`, ['0'.repeat(64)]);
    await db.pool.query("INSERT INTO run_stages (run_id, stage_index, stage_name, status, finished_at) VALUES ($1, 0, 'ingest', 'done', now())", [office.rows[0]!.id]);
    await db.pool.query("INSERT INTO run_inputs (run_id, stage_index, seq, input, status) VALUES ($1, 0, 0, 'office.835', 'done')", [office.rows[0]!.id]);
    try {
      for (const [who, own] of [[alice(), 'nightly-alpha'], [bob(), 'nightly-beta']] as const) {
        const seen = await as(who, async (c) => ({
          runs: (await c.query<{ n: string }>('SELECT pipeline_name AS n FROM runs ORDER BY 1')).rows.map((r) => r.n),
          inputs: (await c.query<{ i: string }>('SELECT input AS i FROM run_inputs ORDER BY 1')).rows.map((r) => r.i),
        }));
        expect(seen).toEqual({ runs: ['nightly-office', own].sort(), inputs: ['era.835', 'office.835'] });
      }
    } finally {
      await db.pool.query('DELETE FROM run_inputs WHERE run_id = $1', [office.rows[0]!.id]);
      await db.pool.query('DELETE FROM run_stages WHERE run_id = $1', [office.rows[0]!.id]);
      await db.pool.query('DELETE FROM runs WHERE id = $1', [office.rows[0]!.id]);
    }
  });

  it('a practice-keyed table added by a later migration is protected when migrate grants the roles again', async () => {
    const { mkdtemp, readdir, copyFile, writeFile } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const path = await import('node:path');
    const { migrate } = await import('../../src/runtime/migrations.ts');
    const dir = await mkdtemp(path.join(tmpdir(), 'claims-rls-migrations-'));
    const here = path.join(process.cwd(), 'schemas', 'db');
    for (const f of await readdir(here)) await copyFile(path.join(here, f), path.join(dir, f));
    await writeFile(path.join(dir, '9999_rls_test.sql'),
      "CREATE TABLE rls_test_later (id int, practice_id text NOT NULL REFERENCES practices (id));\nINSERT INTO rls_test_later VALUES (1, 'alpha'), (2, 'beta');\n");
    const r = await migrate(db.pool, { dir });
    expect(r.applied.map((f) => f.fileName)).toEqual(['9999_rls_test.sql']);
    expect(await as(alice(), (c) => c.query<{ id: number }>('SELECT id FROM rls_test_later ORDER BY id').then((x) => x.rows))).toEqual([{ id: 1 }]);
    expect(await count(db.pool, 'SELECT 1 FROM rls_test_later')).toBe(2);
  });
});
