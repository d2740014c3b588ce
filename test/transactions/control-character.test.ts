// A NUL in an element of a set we read (835, 271) or in an ISA id is bad input located at its element, never
// text handed on to the database: on segments the tokenizer made (one search of the segment's text) and on plain ones.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readRemittance } from '../../src/transactions/remittance-835.ts';
import { read271 } from '../../src/transactions/eligibility-271.ts';
import { readTransactionSets } from '../../src/exchange/x12-sets.ts';
import { nulElement } from '../../src/x12/access.ts';
import { checkGs, checkIsa } from '../../src/x12/header-checks.ts';
import { segmentsOf as segmentsOfIsa, setsOf } from '../remittances/support/segments.ts';
import { interchange } from '../remittances/support/generate-835.ts';
import { thrown } from '../support/thrown.ts';

// Set 0002's patient is named with a NUL in NM103: its 9th segment (ST = 1), index 22 of the file.
const remits = interchange([
  { set: '0001', trace: 'EFT-1', claims: [{ pcn: 'P-1', lines: [{ code: '99213', chargeCents: 10000 }] }] },
  { set: '0002', trace: 'EFT-2', claims: [{ pcn: 'P-2', lines: [{ code: '99213', chargeCents: 10000 }], patient: { last: 'DO\u0000E', first: 'JO', id: 'M2' } }] },
], { isa13: '000000901', gs06: '9' });

const expectedLocation = { file: 'nul.835', interchange: '000000901', group: '9', set: '0002', segmentIndex: 22, segmentPosition: 9, segmentTag: 'NM1', element: 3, loop: '2100', claim: 'P-2' };

describe('a NUL in an element', () => {
  it('is found in a tokenized segment and in a plain one', async () => {
    const sets = [];
    for await (const s of readTransactionSets([new TextEncoder().encode(remits)], { file: 'nul.835' })) sets.push(s);
    const nm1 = sets[1]!.segments.find((s) => s.tag === 'NM1')!;
    expect(nm1.raw).toBe('NM1*QC*1*DO\u0000E*JO****MI*M2');
    expect(nulElement(nm1)).toBe(3);
    expect(nulElement(sets[0]!.segments.find((s) => s.tag === 'NM1')!)).toBe(-1);
    expect(nulElement({ tag: 'N1', elements: ['N1', 'PR', 'A\u0000'], index: 0, byteOffset: 0, delimiters: nm1.delimiters })).toBe(2);
  });

  it('refuses the 835 set at its element (999 IK403 6); the set before it reads', async () => {
    const read = [];
    for await (const s of readTransactionSets([new TextEncoder().encode(remits)], { file: 'nul.835' })) {
      const env = { file: 'nul.835', interchange: s.interchange.controlNumber, group: s.group.controlNumber, version: s.group.version };
      read.push(() => readRemittance([s.st, ...s.segments, s.se!], env));
    }
    expect(read[0]!().claims.map((c) => c.patientControlNumber)).toEqual(['P-1']);
    const e = thrown(read[1]!);
    expect(e.code).toBe('X12_ELEMENT_CONTROL_CHARACTER');
    expect(e.location).toEqual({ ...expectedLocation, byteOffset: e.location.byteOffset });
    expect(e.ack).toEqual({ ik403: '6' });
    expect(e.found).toBe('DO\\u0000E');
    expect(e.message).toBe('NM103 holds a NUL byte (0x00): X12 text has no control characters, and the value cannot be stored');
    // The same on plain segments (no raw text kept).
    const plain = setsOf(remits)[1]!;
    expect(thrown(() => readRemittance(plain.segments, { ...plain, file: 'nul.835' })).location).toMatchObject({ set: '0002', segmentTag: 'NM1', element: 3 });
  });

  it('refuses the 271 set at its element', () => {
    const text = readFileSync(new URL('../../samples/271/mixed-three-sets.x12', import.meta.url), 'latin1').replace('NM1*IL*1*DOE*JANE', 'NM1*IL*1*DOE*JA\u0000NE');
    const [set] = setsOf(text);
    const e = thrown(() => [...read271(set!.segments, { fileName: 'e.271', interchange: set!.interchange, group: set!.group, set: '0001' })]);
    expect([e.code, e.location.set, e.location.segmentTag, e.location.element, e.found]).toEqual(['X12_ELEMENT_CONTROL_CHARACTER', '0001', 'NM1', 4, 'JA\\u0000NE']);
  });

  it('refuses an interchange whose ISA06 sender id holds one (TA1 006)', () => {
    const [isa] = segmentsOfIsa(remits.replace('*SYNTHPAYER     *', '*SYNTH\u0000PAYER    *'));
    const problems = checkIsa(isa!, (seg, element) => ({ segmentTag: seg.tag, ...(element !== undefined && { element }) }));
    expect(problems.map((p) => [p.code, p.location.element, p.ack?.ta1, p.found])).toEqual([['X12_ELEMENT_CONTROL_CHARACTER', 6, '006', 'SYNTH\\u0000PAYER    ']]);
  });

  it('refuses a group whose GS02 or GS03 application code holds one, naming the element', () => {
    const segs = segmentsOfIsa(remits.replace(/GS\*HP\*[^*]+\*/, 'GS*HP*SEN\u0000DER*'));
    const gs = segs.find((s) => s.tag === 'GS')!;
    const problems = checkGs(gs, (seg, element) => ({ segmentTag: seg.tag, ...(element !== undefined && { element }) }));
    expect(problems.map((p) => [p.code, p.location.element, p.found])).toEqual([['X12_ELEMENT_CONTROL_CHARACTER', 2, 'SEN\\u0000DER']]);
    const clean = checkGs(segmentsOfIsa(remits).find((s) => s.tag === 'GS')!, (seg, element) => ({ segmentTag: seg.tag, ...(element !== undefined && { element }) }));
    expect(clean).toEqual([]);
  });
});

