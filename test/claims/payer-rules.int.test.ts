// The payers table (issue 18): each profile's kind and rules, their kind's defaults filled in, kept current
// by every submit; read back by statements and reports. Against the real database.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '../support/db.ts';
import { loadPayerProfiles } from '../../src/runtime/payer-profiles.ts';
import { loadPayerRules, recordPayers } from '../../src/claims/payer-rules.ts';

const samples = fileURLToPath(new URL('../../samples/payers/', import.meta.url));
const db = await useTestDatabase();

describe('payers table', () => {
  it('records the sample payers\' kinds and rules and reads them back, defaults filled', async () => {
    const profiles = await loadPayerProfiles(samples);
    await recordPayers(db.pool, profiles.values());
    const rules = await loadPayerRules(db.pool);
    expect([...rules.keys()].sort()).toEqual(['ACME', 'BLUE', 'MEDB', 'STMCD']);
    // By hand from samples/payers and the kinds' defaults (decision 0100).
    expect(rules.get('ACME')).toEqual({ kind: 'commercial', patientMustBeSubscriber: false, unansweredToPatientAfterDays: null, timelyFilingDays: null, timelyFilingFrom: 'service', medicaidCopayMaxCents: null, overpaymentRefundDays: null });
    expect(rules.get('BLUE')).toEqual({ kind: 'commercial', patientMustBeSubscriber: false, unansweredToPatientAfterDays: 45, timelyFilingDays: 180, timelyFilingFrom: 'service', medicaidCopayMaxCents: null, overpaymentRefundDays: null });
    expect(rules.get('MEDB')).toEqual({ kind: 'medicare', patientMustBeSubscriber: true, unansweredToPatientAfterDays: null, timelyFilingDays: 365, timelyFilingFrom: 'service', medicaidCopayMaxCents: null, overpaymentRefundDays: 60 });
    expect(rules.get('STMCD')).toEqual({ kind: 'medicaid', patientMustBeSubscriber: true, unansweredToPatientAfterDays: null, timelyFilingDays: 365, timelyFilingFrom: 'service', medicaidCopayMaxCents: 300n, overpaymentRefundDays: null });
    expect([...(await loadPayerRules(db.pool, ['MEDB', 'NOPE'])).keys()]).toEqual(['MEDB']);
  });

  it('a changed profile replaces its row; an unchanged one leaves it as it was', async () => {
    const before = await db.pool.query<{ payer_id: string; updated_at: Date }>('SELECT payer_id, updated_at FROM payers ORDER BY 1');
    const profiles = await loadPayerProfiles(samples);
    const acme = profiles.get('ACME')!;
    profiles.set('ACME', { ...acme, kind: 'medicare_advantage', rules: { timelyFilingDays: 90 } });
    await recordPayers(db.pool, profiles.values());
    const after = await db.pool.query<{ payer_id: string; updated_at: Date }>('SELECT payer_id, updated_at FROM payers ORDER BY 1');
    const changed = after.rows.filter((r, i) => r.updated_at.getTime() !== before.rows[i]!.updated_at.getTime()).map((r) => r.payer_id);
    expect(changed).toEqual(['ACME']);
    expect((await loadPayerRules(db.pool, ['ACME'])).get('ACME')).toMatchObject({ kind: 'medicare_advantage', timelyFilingDays: 90, overpaymentRefundDays: 60, patientMustBeSubscriber: false });
  });
});
