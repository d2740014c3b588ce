// Writes samples/claims/01-export.ndjson and samples/claims/02-corrections.ndjson from the synthetic generator plus
// a handful of hand-made corrections and deliberately bad claims. Run it again only on purpose: the 835
// samples pay these claims by their patient control numbers and line control numbers (see the README).
//   npx tsx test/claims/support/make-samples.ts
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { syntheticClaim } from './synthetic.ts';
import type { ClaimRecordInput } from '../../../src/domain/claim.ts';

const root = fileURLToPath(new URL('../../../', import.meta.url));

export function sampleExport(): ClaimRecordInput[] {
  const good = Array.from({ length: 12 }, (_, i) => syntheticClaim(i));
  // Payer order (decision 0100). PCN000000011: the patient's commercial plan first, Medicaid last.
  const c11 = good[11]!;
  c11.coverages = [{ payerId: 'ACME', memberId: 'S000000005', relationship: 'self' }, { ...c11.coverages[0]!, payerId: 'STMCD' }];
  // P00000003 is dual eligible and a Qualified Medicare Beneficiary: Medicare first, Medicaid last, on both claims
  // (PCN000000006, PCN000000007 now to Medicare), so the coverages kept after the export carry the QMB flag.
  for (const c of [good[6]!, good[7]!]) {
    c.coverages = [
      { payerId: 'MEDB', memberId: 'M000000003', relationship: 'self', groupNumber: 'G0006', protection: 'qmb' },
      { payerId: 'STMCD', memberId: 'D000000003', relationship: 'self' },
    ];
  }
  const bad = (i: number, change: (c: ClaimRecordInput) => void): ClaimRecordInput => {
    const c = syntheticClaim(i);
    c.claimId = `BAD${String(i).padStart(5, '0')}`;
    c.patientControlNumber = `PCNBAD${String(i).padStart(6, '0')}`;
    c.lines.forEach((l, j) => (l.lineControlNumber = `LBAD${i}-${j + 1}`));
    // Dated like the good claims (before the demo's first business date, 2024-03-31), so that each bad
    // claim is rejected for its own fault and not also for a date of service in the future.
    const onDate = syntheticClaim(i - 100).lines[0]!.serviceDate;
    c.lines.forEach((l) => (l.serviceDate = onDate));
    if (c.institutional) c.institutional = { ...c.institutional, statementFrom: onDate, statementTo: onDate };
    change(c);
    return c;
  };
  return [
    ...good,
    bad(100, (c) => (c.billingProvider.npi = '1234567890')), // check digit should be 3
    bad(101, (c) => (c.totalCharge = '999.99')),
    bad(102, (c) => (c.coverages[0]!.payerId = 'NOSUCHPAYER')),
    bad(103, (c) => (c.diagnoses = [])),
    bad(107, (c) => (c.lines[0]!.procedureCode = '97110')), // a STMCD claim: strict crosswalk has no 97110
    bad(105, (c) => (c.lines[0]!.diagnosisPointers = [5])),
  ];
}

export function sampleCorrections(): ClaimRecordInput[] {
  // A replacement of PCN000000000 (ACME) with a higher charge, and a void of PCN000000001 (BLUE).
  const replacement = syntheticClaim(0);
  replacement.claimId = 'C00000000-R1';
  replacement.frequency = '7';
  replacement.payerClaimNumber = 'ACME24000001';
  replacement.lines[0]!.charge = '75.00';
  replacement.totalCharge = '75.00';
  const voided = syntheticClaim(1);
  voided.claimId = 'C00000001-V1';
  voided.frequency = '8';
  voided.payerClaimNumber = 'BLUE24000002';
  return [replacement, voided];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const ndjson = (records: unknown[]): string => records.map((r) => JSON.stringify(r)).join('\n') + '\n';
  writeFileSync(`${root}samples/claims/01-export.ndjson`, ndjson(sampleExport()));
  writeFileSync(`${root}samples/claims/02-corrections.ndjson`, ndjson(sampleCorrections()));
}
