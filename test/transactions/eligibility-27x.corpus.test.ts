// The 270 and 271 files of the shared corpus, through the project's tokenizer and the eligibility readers.
// Envelope faults (SE01 counts, missing GE/IEA, GS01 mismatches) are the envelope reader's to report; here
// every set must read, with the values below written out by hand from the files.
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { tokenize } from '../../src/x12/tokenizer.ts';
import type { Segment } from '../../src/x12/segment.ts';
import { read271, type Eligibility271Event } from '../../src/transactions/eligibility-271.ts';
import { read270 } from '../../src/transactions/eligibility-270.ts';
import { answerCoverage } from '../../src/eligibility/coverage.ts';
import type { EligibilityResponse } from '../../src/domain/eligibility.ts';

const corpus = new URL('../../../shared/corpus/', import.meta.url);

function sets(file: string): Segment[][] {
  const out: Segment[][] = [];
  let current: Segment[] | null = null;
  for (const s of tokenize(readFileSync(new URL(file, corpus)), { file })) {
    if (s.tag === 'ST') current = [];
    if (current) current.push(s);
    if (s.tag === 'SE' && current) {
      out.push(current);
      current = null;
    }
  }
  if (current) out.push(current);
  return out;
}
function events(file: string): Eligibility271Event[] {
  return sets(file).flatMap((set) => [...read271(set, { fileName: file })]);
}
function only(file: string): EligibilityResponse {
  const rs = events(file).flatMap((e) => (e.kind === 'response' ? [e.response] : []));
  expect(rs).toHaveLength(1);
  return rs[0]!;
}
const ebs = (r: EligibilityResponse): unknown[] => r.benefits.map((b) => [b.type, b.serviceTypes.join(' '), b.insuranceType, b.planDescription, b.period, b.amountCents, b.percent, b.network]);
const GOLD_ROWS = [
  ['1', '30', '', 'GOLD 123 PLAN', '', null, null, ''],
  ['L', '', '', '', '', null, null, ''],
  ['1', '1 33 35 47 86 88 98 AL MH UC', '', '', '', null, null, ''],
  ['B', '1 33 35 47 86 88 98 AL MH UC', 'HM', 'GOLD 123 PLAN', '27', 1000n, null, 'Y'],
  ['B', '1 33 35 47 86 88 98 AL MH UC', 'HM', 'GOLD 123 PLAN', '27', 3000n, null, 'N'],
];

describe('271 corpus', () => {
  it('every 271 file reads', () => {
    const files = readdirSync(new URL('271/', corpus));
    expect(files).toHaveLength(9);
    for (const f of files) expect(events(`271/${f}`).length, f).toBeGreaterThan(0);
  });

  it('lfh subscriber: active plan from 2006-01-01, copays in and out of network', () => {
    const r = only('271/lfh__subscriber.x12');
    expect([r.subject, r.person.lastName, r.person.firstName, r.subscriber.id, r.birthDate, r.gender]).toEqual(['subscriber', 'SMITH', 'JOHN', '123456789', '1963-05-19', 'M']);
    expect([r.payer.id, r.payer.lastName, r.provider.idQualifier, r.provider.id]).toEqual(['841610001', 'ABC COMPANY', 'SV', '2000035']);
    expect(r.traces).toEqual([{ type: '2', number: '93175-012547', originator: '9877281234' }]);
    expect(ebs(r)).toEqual(GOLD_ROWS);
    expect(r.benefits[1]!.relatedEntities.map((e) => [e.entityCode, e.lastName, e.firstName, e.id])).toEqual([['P3', 'JONES', 'MARCUS', '0202034']]);
    expect(answerCoverage(r, '2005-12-31').active).toBe(false);
    expect(answerCoverage(r, '2006-01-01').active).toBe(true);
  });

  it('lfh dependent and the X279 guide example: the dependent answers under the subscriber', () => {
    for (const file of ['271/lfh__dependent.x12', '271/oopf__example-3.2.2.x12']) {
      const r = only(file);
      expect([r.subject, r.person.entityCode, r.person.lastName, r.person.firstName, r.birthDate, r.gender, r.relationship, r.subscriber.id], file)
        .toEqual(['dependent', '03', 'SMITH', 'MARY', '1998-10-14', 'F', '19', '123456789']);
      expect(ebs(r), file).toEqual(GOLD_ROWS);
    }
    // That example's ISA11 equals its ISA16 ('^'): EB03 is split on it, with a warning.
    const warnings = events('271/oopf__example-3.2.2.x12').flatMap((e) => (e.kind === 'warning' ? [e.warning.code] : []));
    expect(warnings).toEqual(['ELIGIBILITY_VERSION_WITHOUT_ADDENDA', ...Array(3).fill('ELIGIBILITY_EB03_SPLIT_ON_COMPONENT')]);
  });

  it('badX12 response: repetition separator ">" and whole-dollar amounts', () => {
    const r = only('271/badx12__response-subscriber.x12');
    expect(ebs(r)).toEqual(GOLD_ROWS);
    expect(r.payer.id).toBe('842610001');
  });

  it('node-x12 (Medicare-like): Part A/B rows, a zero coinsurance fraction and another payer', () => {
    const r = only('271/nodex12__271.x12');
    expect([r.person.lastName, r.person.firstName, r.person.middleName, r.subscriber.id, r.birthDate]).toEqual(['BELMAR', 'ALBERT', 'R', '9UY4R33KV83', '1950-07-22']);
    expect(r.dates).toEqual([{ qualifier: '307', format: 'RD8', raw: '20191230-20191230', begin: '2019-12-30', end: '2019-12-30' }]);
    expect(r.benefits.map((b) => [b.type, b.serviceTypes.length, b.insuranceType, b.period, b.amountCents, b.percent])).toEqual([
      ['1', 1, '', '', null, null],
      ['1', 14, 'MA', '', null, null],
      ['1', 39, 'MB', '', null, null],
      ['A', 1, 'QM', '27', null, '0'],
      ['C', 1, 'QM', '26', 0n, null],
      ['C', 1, 'QM', '23', 0n, null],
      ['I', 2, '', '', null, null],
      ['R', 0, 'QM', '', null, null],
      ['R', 1, 'OT', '', null, null],
    ]);
    const other = r.benefits[8]!;
    expect(other.references).toEqual([{ qualifier: '18', value: 'S5601' }, { qualifier: 'N6', value: '008', description: 'SilverScript Choice' }]);
    expect(other.dates.map((d) => [d.qualifier, d.begin])).toEqual([['292', '2017-01-01']]);
    expect(other.relatedEntities.map((e) => e.lastName)).toEqual(['SILVERSCRIPT INSURANCE COMPANY']);
    // Part A from 2015-07-01 (EB*1 MA with DTP*291): covered for 30 on 2019-12-30; not covered for 41 (EB*I).
    expect(answerCoverage(r, '2019-12-30').active).toBe(true);
    expect(answerCoverage(r, '2019-12-30', '41').reason).toBe('NOT_COVERED');
  });

  it('AAA rejections at every loop', () => {
    const georgiosd = only('271/oopf__from-georgiosd.x12');
    expect(georgiosd.rejections.map((j) => [j.loop, j.reason, j.followUp])).toEqual([['2100C', '42', 'R']]);
    expect(georgiosd.birthDate).toBe('2001-10-03');
    expect(answerCoverage(georgiosd, '2012-02-23').active).toBeNull();

    const notEligible = events('271/badx12__error-not-eligible-for-inquiries.x12');
    expect(notEligible.map((e) => (e.kind === 'rejection' ? [e.rejection.rejection.loop, e.rejection.rejection.reason, e.rejection.rejection.followUp, e.rejection.provider?.id] : e.kind)))
      .toEqual([['2100B', '50', 'N', '2000035']]);

    const all = events('271/oopf__validation-on-all-tab-indented.x12');
    const above = all.flatMap((e) => (e.kind === 'rejection' ? [`${e.rejection.rejection.loop}:${e.rejection.rejection.reason}:${e.rejection.rejection.followUp}`] : []));
    expect(above).toEqual(['2000A:79:N', '2000A:42:C', '2100A:79:N', '2100A:80:P', '2100B:41:C', '2100B:41:C']);
    const people = all.flatMap((e) => (e.kind === 'response' ? [e.response] : []));
    expect(people.map((p) => [p.subject, p.person.firstName, p.rejections.map((j) => `${j.loop}:${j.reason}:${j.followUp}`)])).toEqual([
      ['subscriber', 'JOHN', ['2100C:42:W']],
      ['dependent', 'mary', ['2100D:35:N', '2110D:52:N', '2110D:60:W']],
    ]);
    expect(people[1]!.benefits[0]!.rejections.map((j) => j.reason)).toEqual(['52', '60']);
  });
});

describe('270 corpus', () => {
  it('every 270 file reads, subscriber and dependent requests', () => {
    const files = readdirSync(new URL('270/', corpus));
    expect(files).toHaveLength(6);
    const read = files.map((f) => [f, ...read270(sets(`270/${f}`)[0]!).map((r) => [r.subscriber.id, r.dependent ? `${r.dependent.lastName} ${r.dependent.firstName}` : null, r.birthDate, r.traceNumber, r.dateOfService, r.serviceTypes.join()])]);
    const subscriber = ['11122333301', null, '1943-05-19', '93175-012547', '20060501', '30'];
    const dependent = ['11122333301', 'SMITH MARY', '1978-10-14', '93175-012547', '20060501', '30'];
    expect(read).toEqual([
      ['badx12__request-dependent.x12', dependent],
      ['badx12__request-subscriber.x12', subscriber],
      ['lfh__demo-single-line.x12', subscriber],
      ['lfh__dependent.x12', dependent],
      ['lfh__subscriber.x12', subscriber],
      ['oopf__example1-ig-0x1d-terminator.x12', subscriber],
    ]);
  });
});
