// The `payers` table (migration 0018): what the submit stage last knew of each payer from its profile, its
// kind and its rules with their defaults filled in (src/domain/payer-profile.ts payerRules). Statements,
// follow-up and credit-balance reports, and the 835 posting read the rules here: they run without the
// profiles' folder. A payer never seen by a submit has no row: callers treat it as a commercial payer with
// no rules stated (payerRules('commercial', {})).
import type pg from 'pg';
import { payerRules, PAYER_KINDS, type PayerKind, type PayerProfile, type PayerRules } from '../domain/payer-profile.ts';

type Queryable = Pick<pg.ClientBase, 'query'>;

const UPSERT = `
INSERT INTO payers (payer_id, name, kind, rules)
SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::jsonb[])
ON CONFLICT (payer_id) DO UPDATE SET name = excluded.name, kind = excluded.kind, rules = excluded.rules, updated_at = now()
WHERE (payers.name, payers.kind, payers.rules) IS DISTINCT FROM (excluded.name, excluded.kind, excluded.rules)`;

const SELECT = 'SELECT payer_id, kind, rules FROM payers WHERE $1::text[] IS NULL OR payer_id = ANY($1::text[])';

interface StoredRules {
  patientMustBeSubscriber: boolean;
  unansweredToPatientAfterDays: number | null;
  timelyFilingDays: number | null;
  timelyFilingFrom: 'service' | 'prior_payer_remittance';
  /** Text: jsonb keeps no bigint. */
  medicaidCopayMaxCents: string | null;
  overpaymentRefundDays: number | null;
}

function stored(r: PayerRules): StoredRules {
  const { kind: _kind, ...rest } = r;
  return { ...rest, medicaidCopayMaxCents: r.medicaidCopayMaxCents === null ? null : r.medicaidCopayMaxCents.toString() };
}

/** Record each profile's kind and resolved rules (the payer's own: a practice's terms do not change them). */
export async function recordPayers(db: Queryable, profiles: Iterable<PayerProfile>): Promise<void> {
  const list = [...profiles];
  if (list.length === 0) return;
  const rules = list.map((p) => JSON.stringify(stored(payerRules(p.kind, p.rules))));
  await db.query(UPSERT, [list.map((p) => p.payerId), list.map((p) => p.name), list.map((p) => p.kind), rules]);
}

/** The rules of these payers (all payers on file when none are named); a payer with no row is absent. */
export async function loadPayerRules(db: Queryable, payerIds?: readonly string[]): Promise<Map<string, PayerRules>> {
  const { rows } = await db.query<{ payer_id: string; kind: string; rules: StoredRules }>(SELECT, [payerIds ?? null]);
  const out = new Map<string, PayerRules>();
  for (const r of rows) {
    const kind = (PAYER_KINDS as readonly string[]).includes(r.kind) ? (r.kind as PayerKind) : 'other';
    out.set(r.payer_id, {
      kind,
      patientMustBeSubscriber: r.rules.patientMustBeSubscriber,
      unansweredToPatientAfterDays: r.rules.unansweredToPatientAfterDays,
      timelyFilingDays: r.rules.timelyFilingDays,
      timelyFilingFrom: r.rules.timelyFilingFrom,
      medicaidCopayMaxCents: r.rules.medicaidCopayMaxCents === null ? null : BigInt(r.rules.medicaidCopayMaxCents),
      overpaymentRefundDays: r.rules.overpaymentRefundDays,
    });
  }
  return out;
}

/** The rules of a payer with no row: a commercial payer that stated none (never bills the patient for silence). */
export const UNKNOWN_PAYER_RULES: PayerRules = payerRules('commercial', {});
