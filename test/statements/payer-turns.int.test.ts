// `claims account` shows each payer's turn on a claim (issue 18): billed on, adjudicated on, paid, what it
// still holds and since when it has been waiting; then the patient's share. On the real database, figures
// by hand: a 100.00 claim to ACME (primary) and BLUE (secondary); ACME pays 65.00 on 2024-03-20 with CO-45
// 20.00 and PR-2 15.00, which then waits on BLUE.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../support/db.ts';
import { loadPayerProfiles } from '../../src/runtime/payer-profiles.ts';
import { submitClaims } from '../../src/claims/submit.ts';
import { postgresClaimStore } from '../../src/claims/store.ts';
import { postgresControlNumbers } from '../../src/exchange/control-numbers.ts';
import { fixedClock } from '../../src/common/clock.ts';
import { ingestFile } from '../../src/pipeline/ingest-input.ts';
import { logger } from '../../src/runtime/logger.ts';
import { accountViewDocument, accountViewText, loadAccountView } from '../../src/statements/account-history.ts';
import { parseStatementSettings } from '../../src/statements/settings.ts';
import { syntheticClaim } from '../claims/support/synthetic.ts';
import { interchange } from '../remittances/support/generate-835.ts';

const payers = await loadPayerProfiles(fileURLToPath(new URL('../../samples/payers/', import.meta.url)));
const work = mkdtempSync(path.join(tmpdir(), 'claims-payer-turns-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const db = await useTestDatabase();
const settings = parseStatementSettings({});

describe('payer turns in the account view', () => {
  it('shows the primary adjudicated and the secondary waiting on its PR since then', async () => {
    const c = syntheticClaim(0, { payers: ['ACME'], institutionalEvery: 0, secondaryEvery: 0 });
    c.patientControlNumber = 'PCN-TURNS-1';
    c.guarantor.accountNumber = 'G-TURNS';
    c.coverages = [c.coverages[0]!, { payerId: 'BLUE', memberId: 'B-1', relationship: 'self' }];
    c.lines = [{ ...c.lines[0]!, procedureCode: '99213', modifiers: [], charge: '100.00', serviceDate: '2024-03-01', lineControlNumber: 'T-L1' }];
    c.totalCharge = '100.00';
    const file = path.join(work, 'export.ndjson');
    writeFileSync(file, JSON.stringify(c) + '\n');
    const s = await submitClaims({
      inputs: [file], outDir: path.join(work, 'out'), payers, clock: fixedClock('2024-03-05T12:00:00Z'),
      controlNumbers: postgresControlNumbers(db.pool), store: postgresClaimStore(db.pool),
    });
    expect(s.sent).toBe(1);
    const era = path.join(work, 'acme.835');
    writeFileSync(era, interchange([{
      set: '0001', trace: 'EFT-TURNS', payerId: '1600540000', payerName: 'ACME HEALTH', paymentDate: '20240320',
      claims: [{ pcn: 'PCN-TURNS-1', lines: [{ code: '99213', chargeCents: 10000, lineControlNumber: 'T-L1', adjustments: [{ group: 'CO', reason: '45', cents: 2000 }, { group: 'PR', reason: '2', cents: 1500 }] }] }],
    }], { isa13: '000000901' }));
    const posted = await ingestFile(era, { pool: db.pool, logger: logger(), failpoint: () => undefined, quarantineDir: path.join(work, 'q') });
    expect(posted.sets.map((x) => x.status)).toEqual(['posted']);

    const view = (await loadAccountView(db.pool, 'G-TURNS', '2024-04-10', settings))!;
    expect(view.turns).toEqual([{
      claimId: view.assessment.claimStates[0]!.claimId,
      payers: [
        { sequence: 1, payerId: 'ACME', billedOn: '2024-03-05', adjudicatedOn: '2024-03-20', paidCents: 6500n, leftCents: 0n, waitingSince: null, waitingDays: null, creditCents: 0n },
        // 2024-03-20 to 2024-04-10: 21 days.
        { sequence: 2, payerId: 'BLUE', billedOn: '2024-03-20', adjudicatedOn: null, paidCents: 0n, leftCents: 1500n, waitingSince: '2024-03-20', waitingDays: 21, creditCents: 0n },
      ],
      patientCents: 0n,
      protectedCents: 0n,
    }]);
    const text = accountViewText(view);
    expect(text).toContain('      1. ACME     billed 2024-03-05, adjudicated 2024-03-20, paid $65.00\n');
    expect(text).toContain('      2. BLUE     billed 2024-03-20, paid $0.00, waiting since 2024-03-20 (21 days) for $15.00\n');
    expect(text).toContain('      patient $0.00\n');
    const doc = accountViewDocument(view) as { claims: { payers: unknown[] }[] };
    expect(doc.claims[0]!.payers).toEqual(view.turns[0]!.payers);
  });
});
