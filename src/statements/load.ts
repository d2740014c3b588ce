// Loads guarantor accounts as AccountSnapshots (account.ts) for a date: one query per table for a page
// of accounts, assembled in memory. The Postgres adapter of the statement run and the account view.
import type pg from 'pg';
import type { AccountKind } from '../ledger/types.ts';
import type { PaymentMethod } from '../patients/payments-file.ts';
import type { PlanFrequency } from '../patients/plans.ts';
import type { AccountSnapshot, ClaimSnapshot } from './account.ts';
import { timeoutKey } from './account.ts';
import type { StatementKind } from './cycle.ts';
import type { IsoDate } from '../common/dates.ts';
import { describeProcedure } from './descriptions.ts';
import { settingsForPractice, type StatementSettings } from './settings.ts';
import * as SQL from './sql.ts';
import { loadPayerRules, UNKNOWN_PAYER_RULES } from '../claims/payer-rules.ts';
// Disputes and assistance applications (collections' account_holds) freeze the cycle: read through its one query.
import { accountHolds } from '../patients/holds.ts';

type Db = Pick<pg.ClientBase, 'query'>;

export interface GuarantorRow {
  account_number: string;
  first_name: string;
  last_name: string;
  address_line1: string;
  address_line2: string | null;
  city: string;
  state: string;
  postal_code: string;
  practice_id: string;
}

function group<T>(rows: T[], key: (r: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const r of rows) {
    const k = key(r);
    const list = m.get(k);
    if (list) list.push(r);
    else m.set(k, [r]);
  }
  return m;
}

/** A page of guarantor rows after `after` (account number order). */
/** A page of guarantor rows after `after` (account number order), of one practice or of all. */
export async function accountPage(db: Db, after: string, limit: number, practiceId?: string): Promise<GuarantorRow[]> {
  return (await db.query<GuarantorRow>(SQL.ACCOUNT_PAGE, [after, limit, practiceId ?? null])).rows;
}

export async function accountsByNumber(db: Db, accountNumbers: string[]): Promise<GuarantorRow[]> {
  return (await db.query<GuarantorRow>(SQL.ACCOUNTS_BY_NUMBER, [accountNumbers])).rows;
}

export async function loadSnapshots(db: Db, guarantors: GuarantorRow[], asOf: IsoDate, settings: StatementSettings): Promise<AccountSnapshot[]> {
  const numbers = guarantors.map((g) => g.account_number);
  if (numbers.length === 0) return [];
  const practiceOf = new Map(guarantors.map((g) => [g.account_number, g.practice_id]));
  const q = <R extends pg.QueryResultRow>(sql: string, params: unknown[]) => db.query<R>(sql, params).then((r) => r.rows);

  const chains = await q<{
    claim_id: string; chain_ids: string[]; account_number: string; patient_control_number: string; frequency: string; billing_npi: string;
    first_name: string; last_name: string; primary_payer_id: string; secondary_payer_id: string | null; tertiary_payer_id: string | null;
    charge_cents: string; service_date: string; resubmitted_on: string | null;
  }>(SQL.CLAIM_CHAINS, [numbers, asOf]);
  const latestIds = chains.map((c) => c.claim_id);
  const allIds = chains.flatMap((c) => c.chain_ids);
  const payersOf = (c: (typeof chains)[number]) => [c.primary_payer_id, c.secondary_payer_id, c.tertiary_payer_id];
  const timeoutKeys = chains.flatMap((c) => payersOf(c).filter((p): p is string => p !== null).flatMap((p) => [timeoutKey(c.claim_id, p, false), timeoutKey(c.claim_id, p, true)]));
  // Whether (and when) each payer's silence may leave the balance to the patient: its rules, never by default.
  const payerRules = await loadPayerRules(db, [...new Set(chains.flatMap((c) => payersOf(c).filter((p): p is string => p !== null)))]);
  const answerDays = (payerId: string) => (payerRules.get(payerId) ?? UNKNOWN_PAYER_RULES).unansweredToPatientAfterDays;

  const [daily, lines, ledger, events, timeouts, payments, plans, statements, holds] = await Promise.all([
    q<{ account_number: string; kind: string; date: string; amount_cents: string }>(SQL.PATIENT_LEDGER_DAILY, [numbers, asOf]),
    q<{ claim_id: string; procedure_code: string; service_date: string; charge_cents: string }>(SQL.CLAIM_LINES, [latestIds]),
    q<{ claim_id: string; kind: AccountKind; payer_id: string | null; amount_cents: string }>(SQL.CLAIM_LEDGER, [allIds, asOf]),
    q<{ claim_id: string; payer_id: string; status: string; date: string; remittance_id: string; claim_index: number }>(SQL.REMITTANCE_EVENTS, [allIds, asOf]),
    q<{ key: string; claim_id: string; amount_cents: string }>(SQL.TIMEOUT_ENTRIES, [timeoutKeys]),
    q<{ account_number: string; date: string; method: PaymentMethod; amount_cents: string; reference: string }>(SQL.PAYMENTS, [numbers, asOf]),
    q<{ plan_id: string; account_number: string; total_cents: string; installments: number; start_on: string; frequency: PlanFrequency; created_on: string; cancelled_on: string | null }>(SQL.PLANS, [numbers, asOf]),
    q<{ account_number: string; date: string; kind: StatementKind; sequence: number }>(SQL.STATEMENTS_SENT, [numbers, asOf]),
    q<{ account_number: string }>(SQL.MAIL_HOLDS, [numbers, asOf]),
  ]);

  const disputesBy = await accountHolds(db, numbers, asOf);
  const chainOf = new Map<string, string>();
  for (const c of chains) for (const id of c.chain_ids) chainOf.set(id, c.claim_id);
  const linesBy = group(lines, (l) => l.claim_id);
  const ledgerBy = group(ledger, (l) => chainOf.get(l.claim_id) ?? l.claim_id);
  const eventsBy = group(events, (e) => chainOf.get(e.claim_id) ?? e.claim_id);
  const timeoutByKey = new Map(timeouts.map((t) => [t.key, BigInt(t.amount_cents)]));
  const chainsBy = group(chains, (c) => c.account_number);
  const dailyBy = group(daily, (d) => d.account_number);
  const paymentsBy = group(payments, (p) => p.account_number);
  const plansBy = new Map(plans.map((p) => [p.account_number, p]));
  const statementsBy = group(statements, (s) => s.account_number);
  const held = new Set(holds.map((h) => h.account_number));

  return guarantors.map((g) => {
    const claims: ClaimSnapshot[] = (chainsBy.get(g.account_number) ?? []).map((c) => {
      const payers = payersOf(c);
      const coverages = payers.flatMap((payerId, i) => (payerId ? [{ sequence: i + 1, payerId, unansweredToPatientAfterDays: answerDays(payerId) }] : []));
      // A ledger sum per kind and payer over the whole chain (replacements move the receivable between ids).
      const sums = new Map<string, { kind: AccountKind; payerId: string | null; amountCents: bigint }>();
      for (const l of ledgerBy.get(c.claim_id) ?? []) {
        const k = `${l.kind}|${l.payer_id ?? ''}`;
        const prev = sums.get(k);
        if (prev) prev.amountCents += BigInt(l.amount_cents);
        else sums.set(k, { kind: l.kind, payerId: l.payer_id, amountCents: BigInt(l.amount_cents) });
      }
      const postedTimeouts = coverages.flatMap(({ payerId }) => {
        const moved = timeoutByKey.get(timeoutKey(c.claim_id, payerId, false));
        return moved === undefined ? [] : [{ payerId, amountCents: moved, undone: timeoutByKey.has(timeoutKey(c.claim_id, payerId, true)) }];
      });
      return {
        claimId: c.claim_id,
        chainIds: c.chain_ids,
        patientControlNumber: c.patient_control_number,
        voided: c.frequency === '8',
        resubmittedOn: c.resubmitted_on,
        patientName: `${c.first_name} ${c.last_name}`,
        provider: settings.providers[c.billing_npi] ?? settingsForPractice(settings, practiceOf.get(c.account_number)).practice.name,
        coverages,
        chargeCents: BigInt(c.charge_cents),
        serviceDate: c.service_date,
        lines: (linesBy.get(c.claim_id) ?? []).map((l) => ({ serviceDate: l.service_date, procedureCode: l.procedure_code, description: describeProcedure(l.procedure_code), chargeCents: BigInt(l.charge_cents) })),
        ledger: [...sums.values()],
        events: (eventsBy.get(c.claim_id) ?? []).map((e, i) => ({ payerId: e.payer_id, status: e.status, date: e.date, order: i })),
        postedTimeouts,
      };
    });
    const dayMap = new Map<string, { date: string; receivableCents: bigint; creditCents: bigint }>();
    for (const d of dailyBy.get(g.account_number) ?? []) {
      const row = dayMap.get(d.date) ?? { date: d.date, receivableCents: 0n, creditCents: 0n };
      // Credit is a liability: its ledger balance is negative; the patient's credit is its negation.
      if (d.kind === 'patient_receivable') row.receivableCents += BigInt(d.amount_cents);
      else row.creditCents -= BigInt(d.amount_cents);
      dayMap.set(d.date, row);
    }
    const plan = plansBy.get(g.account_number);
    return {
      accountNumber: g.account_number,
      practiceId: g.practice_id,
      guarantor: {
        name: `${g.first_name} ${g.last_name}`.trim(),
        address: { line1: g.address_line1, ...(g.address_line2 && { line2: g.address_line2 }), city: g.city, state: g.state, postalCode: g.postal_code },
      },
      claims,
      daily: [...dayMap.values()].sort((a, b) => (a.date < b.date ? -1 : 1)),
      payments: (paymentsBy.get(g.account_number) ?? []).map((p) => ({ date: p.date, method: p.method, amountCents: BigInt(p.amount_cents), reference: p.reference })),
      plan: plan
        ? { planId: plan.plan_id, accountNumber: plan.account_number, totalCents: BigInt(plan.total_cents), installments: plan.installments, startOn: plan.start_on, frequency: plan.frequency, createdOn: plan.created_on, cancelledOn: plan.cancelled_on }
        : null,
      statements: (statementsBy.get(g.account_number) ?? []).map((s) => ({ date: s.date, kind: s.kind, sequence: s.sequence })),
      disputes: (disputesBy.get(g.account_number) ?? []).map((h) => ({ openedOn: h.openedOn, resolvedOn: h.resolvedOn ?? null })),
      mailHold: held.has(g.account_number),
    };
  });
}
