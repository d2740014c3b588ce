// Referrals per practice, the pure parts: file names (a single-practice office keeps its names), a practice's
// own agencies in the settings, and the creditor on the placement row. No database.
import { describe, expect, it } from 'vitest';
import { collectionFileName } from '../../src/collections/files.ts';
import { agenciesForPractice, LayoutSchema, parseReferralSettings } from '../../src/collections/settings.ts';
import { placementRecord, type PlacementInputs } from '../../src/collections/placement.ts';
import { PLACEMENT_FIELDS } from '../../src/collections/records.ts';
import { layoutColumns } from '../../src/collections/layout.ts';

const csv = LayoutSchema.parse({});
const fixed = LayoutSchema.parse({ format: 'fixed', columns: [{ field: 'accountNumber', width: 10 }] });

describe('collection file names', () => {
  it('stay as before practices for a single-practice office', () => {
    expect(collectionFileName('placement', 'ACME', '2025-06-10', 1, csv)).toBe('placements-ACME-2025-06-10.csv');
    expect(collectionFileName('recall', 'ACME', '2025-06-10', 2, fixed)).toBe('recalls-ACME-2025-06-10-2.txt');
    expect(collectionFileName('eca_notice', '501r', '2025-06-10', 1, csv)).toBe('eca-notices-2025-06-10.csv');
  });

  it('name the practice once several are registered', () => {
    expect(collectionFileName('placement', 'ACME', '2025-06-10', 1, csv, 'alpha')).toBe('placements-ACME-alpha-2025-06-10.csv');
    expect(collectionFileName('update', 'ACME', '2025-06-10', 3, csv, 'beta')).toBe('updates-ACME-beta-2025-06-10-3.csv');
    expect(collectionFileName('eca_notice', '501r', '2025-06-10', 1, csv, 'alpha')).toBe('eca-notices-alpha-2025-06-10.csv');
  });
});

describe('settings "practices"', () => {
  const agencies = [{ id: 'ACME', name: 'Acme' }, { id: 'BAYSIDE', name: 'Bayside' }, { id: 'CEDAR', name: 'Cedar' }];

  it('gives a listed practice its agencies in its own order, and every other practice all of them', () => {
    const s = parseReferralSettings({ agencies, practices: { beta: { agencies: ['CEDAR', 'ACME'] } } });
    expect(agenciesForPractice(s, 'beta').map((a) => a.id)).toEqual(['CEDAR', 'ACME']);
    expect(agenciesForPractice(s, 'alpha').map((a) => a.id)).toEqual(['ACME', 'BAYSIDE', 'CEDAR']);
    expect(agenciesForPractice(s, undefined).map((a) => a.id)).toEqual(['ACME', 'BAYSIDE', 'CEDAR']);
    expect(parseReferralSettings({}).practices).toEqual({});
  });

  it('reports every agency a practice names that the settings do not have, and bad practice ids, at once', () => {
    const bad = () => parseReferralSettings({ agencies, practices: { beta: { agencies: ['ACME', 'NOPE'] }, gamma: { agencies: ['ZED'] } } });
    expect(bad).toThrow(/REFERRAL_SETTINGS_INVALID|invalid referral settings/);
    expect(bad).toThrow(/practices\.beta\.agencies\.1: no agency NOPE in "agencies" \(ACME, BAYSIDE, CEDAR\)/);
    expect(bad).toThrow(/practices\.gamma\.agencies\.0: no agency ZED/);
    expect(() => parseReferralSettings({ agencies, practices: { 'Not An Id': { agencies: ['ACME'] } } })).toThrow(/practices/);
    expect(() => parseReferralSettings({ agencies, practices: { beta: { agencies: [] } } })).toThrow(/practices\.beta\.agencies/);
  });
});

describe('the creditor on a placement', () => {
  const inputs: PlacementInputs = {
    guarantor: { last_name: 'Betaperson', first_name: 'Avery', address_line1: '1 Example Way', address_line2: '', city: 'Springfield', state: 'IL', postal_code: '62701', phone: '', email: '' },
    patients: [],
    lastPayment: null,
    flags: [],
    creditor: { name: 'Beta Pediatrics', taxId: '861234567' },
  };

  it('is the practice (name and tax id), last in the default layout so positional readers keep their columns', () => {
    const r = placementRecord({
      accountNumber: 'B-G1', referralId: '7', placedOn: '2025-06-10', currentBalanceCents: 15000n, originalBalanceCents: 15000n,
      itemizationDate: '2025-05-11', itemizationBalanceCents: 15000n, paymentsSinceCents: 0n, dispute: false, creditReportable: false, creditReportNotBefore: '2026-05-11',
    }, inputs);
    expect([r.creditorName, r.creditorTaxId]).toEqual(['Beta Pediatrics', '861234567']);
    expect(layoutColumns('placement', csv).slice(-3).map((c) => c.name)).toEqual(['credit_report_not_before', 'creditor_name', 'creditor_tax_id']);
    // Minimum necessary still: no field of a placement could carry a diagnosis, a procedure code or a note.
    expect(Object.keys(PLACEMENT_FIELDS).filter((f) => /diag|icd|procedure|cpt|hcpcs|note|modifier/i.test(f))).toEqual([]);
  });
});
