// Every 835 in the shared corpus is posted or quarantined with a precise reason; none crashes the ingest,
// and the ledger stays balanced. Expected outcomes below were read off the files by hand.
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase, type TestDatabase } from '../support/db.ts';
import { createLogger } from '../../src/runtime/logger.ts';
import { ingestFile } from '../../src/pipeline/ingest-input.ts';
import type { FileOutcome } from '../../src/exchange/receive-file.ts';
import { ledgerBalances, tempDir } from '../remittances/support/fixtures.ts';

const corpus = fileURLToPath(new URL('../../../shared/corpus', import.meta.url));

/** file -> [status of each set in order] or the file-level code. Order matters: redeliveries are duplicates. */
const EXPECTED: Record<string, string[]> = {
  'affect__exhaustive-no-envelope.x12': ['file:NO_ENVELOPE'],
  // IEA02 100000301 is not ISA13 100000300: the interchange is not received (TA1 R 001), none of its three
  // balanced remittances posts (docs/decisions/0094).
  'affect__nevada-medicaid-compressed-isa.x12': ['IEA_CONTROL_NUMBER_MISMATCH', 'IEA_CONTROL_NUMBER_MISMATCH', 'IEA_CONTROL_NUMBER_MISMATCH'],
  // SE01 is wrong in both sets (the envelope check refuses them before the placeholder codes are read).
  'affect__sample-placeholders.x12': ['SE_SEGMENT_COUNT', 'SE_SEGMENT_COUNT'],
  'badx12__dollars-and-data-sent-together.x12': ['posted'],
  'badx12__era-sample.x12': ['posted'],
  // Same payer, payee and TRN02 (12345) as era-sample, different content: a conflict.
  'badx12__multiple-claims-single-check.x12': ['REMIT_CONFLICT'],
  'badx12__secondary-payment-higher-fee-schedule.x12': ['posted'],
  'badx12__tertiary-payments.x12': ['posted'],
  'chs__test-minimal.x12': ['SE_SEGMENT_COUNT'],
  'keiron__bcbs-nc-no-envelope.x12': ['file:NO_ENVELOPE'],
  'keiron__emedny-sample.x12': ['posted'],
  'keiron__uhc-legacy-sample.x12': ['posted'],
  // BPR has one element too few: the date lands in BPR15, BPR16 is missing.
  'lfh__cob-contractual-adjustment.x12': ['REMIT_ELEMENT_MISSING'],
  'lfh__managed-care.x12': ['REMIT_DATE_INVALID'],
  // The guide example of dollars-and-data again, re-enveloped, with amounts written 138018.40 instead of
  // 138018.4: the same remittance (the content hash is over the parsed amounts), so a redelivery.
  'lfh__medicare-part-a.x12': ['duplicate'],
  'lfh__secondary-payment.x12': ['REMIT_ELEMENT_MISSING'],
  'lfh__tertiary-payment.x12': ['REMIT_ELEMENT_MISSING'],
  'oopf__example1-reversals-mislabeled.x12': ['VERSION_UNSUPPORTED'],
  'oopf__multiple-interchanges-nth.x12': ['REMIT_UNBALANCED', 'REMIT_UNBALANCED', 'REMIT_UNBALANCED'],
  'pyx12__mult-loops.x12': ['posted'],
  // The same remittance as keiron__emedny-sample (same key and content): redeliveries.
  'tasty__multi-line-not-delimited.x12': ['duplicate'],
  'tasty__profee-multiple-156-interchanges.x12': Array(156).fill('duplicate'),
  'tasty__profee.x12': ['duplicate'],
};

function summary(o: FileOutcome): string[] {
  if (o.sets.length === 0) return o.reasons.map((r) => `file:${r.code}`);
  return o.sets.map((s) => (s.status === 'quarantined' ? s.reasons.find((r) => r.severity === 'error')!.code : s.status));
}

let db: TestDatabase;
let dir: string;
beforeAll(async () => {
  db = await useTestDatabase();
  dir = await tempDir();
});

describe('the shared 835 corpus', () => {
  it('posts or quarantines every file with a precise, located reason', async () => {
    const files = (await readdir(path.join(corpus, '835'))).sort();
    expect(files).toEqual(Object.keys(EXPECTED).sort());
    const logger = createLogger({ level: 'silent' });
    for (const name of files) {
      const outcome = await ingestFile(path.join(corpus, '835', name), { pool: db.pool, logger, failpoint: () => undefined, quarantineDir: path.join(dir, 'q') });
      expect(summary(outcome), name).toEqual(EXPECTED[name]);
      for (const s of outcome.sets.filter((x) => x.status === 'quarantined')) {
        for (const r of s.reasons.filter((x) => x.severity === 'error')) {
          expect(r.location.file, `${name} ${r.code}`).toBe(name);
          expect(r.location.set ?? r.location.segmentIndex, `${name} ${r.code}`).toBeDefined();
        }
      }
      if (outcome.status === 'partial' || outcome.status === 'quarantined') expect(outcome.quarantined?.reportPath).toMatch(/\.error\.json$/);
    }
    // BPR16 is required (005010X221A1): the three LinuxForHealth files with the date in BPR15 are refused
    // with exactly that, located to file, ISA13, ST02, segment BPR, element 16.
    for (const [name, st02] of [['lfh__cob-contractual-adjustment.x12', '0001'], ['lfh__secondary-payment.x12', '1234'], ['lfh__tertiary-payment.x12', '0001']] as const) {
      const again = await ingestFile(path.join(corpus, '835', name), { pool: db.pool, logger: createLogger({ level: 'silent' }), failpoint: () => undefined, quarantineDir: path.join(dir, 'q') });
      const error = again.sets[0]!.reasons[0]!;
      expect(error.code, name).toBe('REMIT_ELEMENT_MISSING');
      expect(error.location, name).toMatchObject({ file: name, interchange: '000000907', set: st02, segmentTag: 'BPR', element: 16 });
      expect(error.message, name).toContain('BPR16 (payment effective date) is required by 005010X221A1; this BPR has 15 elements; BPR15 holds a date');
    }
    const balances = await ledgerBalances(db.pool);
    expect(Object.values(balances).reduce((t, v) => t + v, 0n)).toBe(0n);
    // dollars-and-data (150000.00) + era-sample (132.00) + secondary (34.00) + tertiary (187.50) + emedny (45.75)
    // + uhc (349.99) + pyx12 (0), all credits; nevada (0 + 0 + 1812.27) is refused with its interchange.
    const clearing = Object.entries(balances).filter(([k]) => k.startsWith('payer_clearing:')).reduce((t, [, v]) => t + v, 0n);
    expect(clearing).toBe(15_000_000n + 13_200n + 3_400n + 18_750n + 4_575n + 34_999n);
  });

  it('refuses the 4010 and mislabeled 835s in other/ as unsupported versions', async () => {
    const logger = createLogger({ level: 'silent' });
    for (const name of ['oopf__835-4010-grip-elements.x12', 'oopf__835-4010-deident-nth-6st.x12', 'badx12__835-validation-errors.x12']) {
      const outcome = await ingestFile(path.join(corpus, 'other', name), { pool: db.pool, logger, failpoint: () => undefined, quarantineDir: path.join(dir, 'q') });
      expect(outcome.status, name).toBe('quarantined');
      // Every set refused, each naming the version (or GS01) problem among its envelope errors.
      const expected = name.startsWith('badx12') ? 'SET_GROUP_MISMATCH' : 'VERSION_UNSUPPORTED';
      expect(outcome.sets.length, name).toBeGreaterThan(0);
      expect(outcome.sets.map((s) => s.status === 'quarantined' && s.reasons.some((r) => r.code === expected)), name).toEqual(outcome.sets.map(() => true));
    }
  });
});
