// 999s for the 837s we sent, on the real database: a rejected set marks its claims rejected (so
// --resubmit may send them again), an accepted one marks them accepted, each with a status-history row
// from the 999; the same 999 again changes nothing; a 999 for a group we never sent is skipped with a
// warning; a malformed one is quarantined with the segment named. The 999s are written by hand from the
// 837s the submit wrote (their ISA08, GS06 and ST02).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
import { createLogger } from '../../src/runtime/logger.ts';
import { ingestFile } from '../../src/pipeline/ingest-input.ts';
import { syntheticClaim } from './support/synthetic.ts';
import { CORPUS_DIR } from '../x12/corpus.ts';

const db = await useTestDatabase();
const samples = fileURLToPath(new URL('../../samples/', import.meta.url));
const payers = await loadPayerProfiles(path.join(samples, 'payers'));
const work = mkdtempSync(path.join(tmpdir(), 'claims-999-int-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const logger = createLogger({ level: 'silent' });

/** Submit claims 0..5 to BLUE with one claim per set, so each ST02 is one claim. */
async function submitted() {
  const file = path.join(work, 'export.ndjson');
  writeFileSync(file, [0, 1, 2].map((i) => JSON.stringify(syntheticClaim(i, { payers: ['BLUE'] }))).join('\n') + '\n');
  const s = await submitClaims({
    inputs: [file], outDir: path.join(work, 'out'), payers, clock: fixedClock('2024-09-01T12:00:00Z'),
    controlNumbers: postgresControlNumbers(db.pool), store: postgresClaimStore(db.pool), claimsPerSetMax: 1,
  });
  expect(s.sent).toBe(3);
  const text = readFileSync(s.files[0]!.path, 'latin1');
  const isa = text.slice(0, 106).split('*');
  const gs06 = /GS\*[^~]*?\*(\d+)\*X\*005010X222A1~/.exec(text)![1]!;
  const st02s = [...text.matchAll(/ST\*837\*(\d+)\*/g)].map((m) => m[1]!);
  return { receiver: isa[8]!.trim(), receiverQualifier: isa[7]!, us: isa[6]!.trim(), usQualifier: isa[5]!, gs06, st02s };
}

function ack999(env: Awaited<ReturnType<typeof submitted>>, isa13: string, body: string[]): string {
  const pad = (s: string) => s.padEnd(15, ' ');
  const segs = ['ST*999*0001*005010X231A1', ...body];
  return [
    `ISA*00*          *00*          *${env.receiverQualifier}*${pad(env.receiver)}*${env.usQualifier}*${pad(env.us)}*240902*0800*^*00501*${isa13}*0*P*:`,
    `GS*FA*${env.receiver}*${env.us}*20240902*0800*${Number(isa13)}*X*005010X231A1`,
    ...segs, `SE*${segs.length + 1}*0001`, `GE*1*${Number(isa13)}`, `IEA*1*${isa13}`, '',
  ].join('~\n');
}

const statuses = async () => (await db.pool.query<{ pcn: string; status: string }>(`SELECT patient_control_number AS pcn, status FROM claims ORDER BY id`)).rows.map((r) => `${r.pcn}:${r.status}`);
const ingest = (name: string, text: string) => {
  const file = path.join(work, name);
  writeFileSync(file, text);
  return ingestFile(file, { pool: db.pool, logger, failpoint: () => undefined, quarantineDir: path.join(work, 'q') });
};

describe('999 for our 837s', () => {
  it('marks the claims of each acknowledged set accepted or rejected, once', async () => {
    const env = await submitted();
    expect(env.st02s).toHaveLength(3);
    const pcns = [0, 1, 2].map((i) => syntheticClaim(i).patientControlNumber);
    expect(await statuses()).toEqual(pcns.map((p) => `${p}:submitted`));

    // Set 2 rejected (a CLM segment in error), sets 1 and 3 accepted: AK9 P.
    const text = ack999(env, '000000501', [
      `AK1*HC*${env.gs06}*005010X222A1`,
      `AK2*837*${env.st02s[0]}*005010X222A1`, 'IK5*A',
      `AK2*837*${env.st02s[1]}*005010X222A1`, 'IK3*CLM*22*2300*8', 'IK4*2**6', 'IK5*R*5',
      `AK2*837*${env.st02s[2]}*005010X222A1`, 'IK5*E',
      'AK9*P*3*3*2',
    ]);
    const out = await ingest('ack-1.x12', text);
    expect(out.status).toBe('done');
    expect(out.sets[0]).toMatchObject({ transactionSet: '999', status: 'posted', counts: { matchedClaims: 3, accepted: 2, rejected: 1 } });
    expect(out.sets[0]!.reasons.map((r) => r.code)).toEqual(['ACK_999_CLAIMS_REJECTED']);
    expect(await statuses()).toEqual([`${pcns[0]}:accepted`, `${pcns[1]}:rejected`, `${pcns[2]}:accepted`]);
    const history = await db.pool.query(`SELECT h.status, h.source, h.st02 FROM claim_status_history h WHERE h.source = '999' ORDER BY h.claim_id`);
    expect(history.rows).toEqual([
      { status: 'accepted', source: '999', st02: env.st02s[0] }, { status: 'rejected', source: '999', st02: env.st02s[1] }, { status: 'accepted', source: '999', st02: env.st02s[2] },
    ]);

    // The same acknowledgements re-enveloped: nothing moves.
    const again = await ingest('ack-1-again.x12', text.replaceAll('000000501', '000000502').replace('*501*X*', '*502*X*').replace('GE*1*501', 'GE*1*502'));
    expect(again.sets[0]).toMatchObject({ status: 'duplicate', counts: { accepted: 0, rejected: 0 } });
    expect((await db.pool.query(`SELECT count(*)::int AS n FROM claim_status_history WHERE source = '999'`)).rows[0].n).toBe(3);
  });

  it('skips a 999 for a group we never sent, and quarantines one without IK5 with the AK2 named', async () => {
    const env = { receiver: 'NOBODY', receiverQualifier: 'ZZ', us: 'US', usQualifier: 'ZZ', gs06: '9', st02s: [] };
    const skipped = await ingest('ack-unknown.x12', ack999(env, '000000601', ['AK1*HC*424242*005010X222A1', 'AK9*A*1*1*1']));
    expect(skipped.sets[0]).toMatchObject({ status: 'skipped' });
    expect(skipped.sets[0]!.reasons.map((r) => r.code)).toEqual(['ACK_999_UNMATCHED']);
    const bad = await ingest('ack-bad.x12', ack999(env, '000000602', ['AK1*HC*424242*005010X222A1', 'AK2*837*0001*005010X222A1', 'AK9*R*1*1*0']));
    expect(bad.status).toBe('quarantined');
    expect(bad.sets[0]!.reasons[0]).toMatchObject({ code: 'ACK_999_IK5_MISSING', location: { segmentTag: 'AK2' } });
  });

  it('reads payers\' 999s of the pre-errata guide (GS08 005010X231) and skips one for an 834 group', async () => {
    const out = await ingestFile(path.join(CORPUS_DIR, '999', 'pyx12__834-lui-id.x12'), { pool: db.pool, logger, failpoint: () => undefined, quarantineDir: path.join(work, 'q'), quarantineCopy: false });
    expect(out.status).toBe('done');
    expect(out.sets).toHaveLength(4);
    for (const s of out.sets) {
      expect(s.status).toBe('skipped');
      expect(s.reasons.map((r) => r.code).sort()).toEqual(['ACK_999_NOT_CLAIMS', 'VERSION_ERRATA']);
    }
  });
});

describe('277CA for our claims', () => {
  it('accepts or rejects each claim it names (by billing NPI and CLM01), once; names one we never sent', async () => {
    const file = path.join(work, 'export-277.ndjson');
    writeFileSync(file, [3, 4].map((i) => JSON.stringify(syntheticClaim(i, { payers: ['BLUE'] }))).join('\n') + '\n');
    const s = await submitClaims({
      inputs: [file], outDir: path.join(work, 'out-277'), payers, clock: fixedClock('2024-09-02T12:00:00Z'),
      controlNumbers: postgresControlNumbers(db.pool), store: postgresClaimStore(db.pool),
    });
    expect(s.sent).toBe(2);
    const [c0, c3, c4] = [0, 3, 4].map((i) => syntheticClaim(i, { payers: ['BLUE'] }));
    const patient = (npi: string, pcn: string, stc: string) => [`HL*{n}*{p}*19*1`, `NM1*85*2*SAMPLE CLINIC*****XX*${npi}`, `HL*{m}*{n}*PT`, 'NM1*QC*1*SAMPLE*PAT', `TRN*2*${pcn}`, `STC*${stc}*20240903*WQ*100`];
    let hl = 2;
    const loops = [
      patient(c3!.billingProvider.npi, c3!.patientControlNumber, 'A2:20'),
      patient(c4!.billingProvider.npi, c4!.patientControlNumber, 'A7:562:85'),
      patient(c0!.billingProvider.npi, c0!.patientControlNumber, 'A6:35'),
      patient(c0!.billingProvider.npi, 'NEVERSENT01', 'A2:20'),
    ].flatMap((l) => {
      const n = ++hl;
      const m = ++hl;
      return l.map((x) => x.replace('{n}', String(n)).replace('{p}', '2').replace('{m}', String(m)).replace('{n}', String(n)));
    });
    const segs = ['ST*277*0001*005010X214', 'BHT*0085*08*B1*20240903*0800*TH', 'HL*1**20*1', 'NM1*PR*2*SAMPLE PAYER*****PI*BLUE', 'TRN*1*T1', 'DTP*050*D8*20240903', 'DTP*009*D8*20240903',
      'HL*2*1*21*1', 'NM1*41*2*SAMPLE CLINIC*****46*CLINIC', 'TRN*2*B1', 'STC*A1:19*20240903*WQ*300', ...loops];
    const text = ['ISA*00*          *00*          *ZZ*BLUEPAYER      *ZZ*CLINIC         *240903*0800*^*00501*000000801*0*P*:',
      'GS*HN*BLUEPAYER*CLINIC*20240903*0800*801*X*005010X214', ...segs, `SE*${segs.length + 1}*0001`, 'GE*1*801', 'IEA*1*000000801', ''].join('~\n');
    const before = new Map((await db.pool.query<{ pcn: string; status: string }>(`SELECT patient_control_number AS pcn, status FROM claims`)).rows.map((r) => [r.pcn, r.status]));
    expect([before.get(c3!.patientControlNumber), before.get(c4!.patientControlNumber), before.get(c0!.patientControlNumber)]).toEqual(['submitted', 'submitted', 'accepted']);
    const out = await ingest('a.277', text);
    expect(out.status).toBe('done');
    expect(out.sets[0]).toMatchObject({ transactionSet: '277', status: 'posted', counts: { claims: 4, matchedClaims: 3, accepted: 1, rejected: 2 } });
    expect(out.sets[0]!.reasons.map((r) => r.code)).toEqual(['ACK_277CA_UNMATCHED', 'ACK_277CA_CLAIMS_REJECTED']);
    const after = new Map((await db.pool.query<{ pcn: string; status: string }>(`SELECT patient_control_number AS pcn, status FROM claims`)).rows.map((r) => [r.pcn, r.status]));
    expect([after.get(c3!.patientControlNumber), after.get(c4!.patientControlNumber), after.get(c0!.patientControlNumber)]).toEqual(['accepted', 'rejected', 'rejected']);
    const notes = await db.pool.query(`SELECT status, note FROM claim_status_history WHERE source = '277CA' ORDER BY id`);
    expect(notes.rows.map((r) => `${r.status} ${r.note.split(': ').at(-1)}`)).toEqual(['accepted STC A2:20', 'rejected STC A7:562', 'rejected STC A6:35']);
    const again = await ingest('a-again.277', text.replaceAll('000000801', '000000802'));
    expect(again.sets[0]).toMatchObject({ status: 'duplicate', counts: { accepted: 0, rejected: 0 } });
  });
});
