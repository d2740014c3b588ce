import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { buildInterchange, InterchangeWriter, serializeExact, serializeSegment, type SegmentValues } from '../../src/x12/writer.ts';
import { tokenize } from '../../src/x12/tokenizer.ts';
import { checkEnvelopes } from '../../src/x12/envelope.ts';
import { corpusBytes, corpusFiles } from './corpus.ts';
import type { Delimiters } from '../../src/x12/segment.ts';

const D: Delimiters = { element: '*', component: ':', repetition: '^', segment: '~' };
const header = {
  senderQualifier: 'ZZ', senderId: 'CLINICSYN', receiverQualifier: 'ZZ', receiverId: 'PAYERSYN',
  date: '240105', time: '0930', controlNumber: 905, usage: 'T' as const,
};

describe('serializeSegment', () => {
  it('joins components, trims trailing empties, keeps inner ones', () => {
    expect(serializeSegment(['SV1', ['HC', '99213', '25', ''], '100', 'UN', '1', '', '', ['1', '2'], '', ''], D)).toBe('SV1*HC:99213:25*100*UN*1***1:2~');
    expect(serializeSegment(['REF', '6R', 'LINE1', '', ''], D)).toBe('REF*6R*LINE1~');
    expect(serializeSegment(['HI', { repeated: [['ABK', 'J449'], ['ABF', 'E119']] }], D)).toBe('HI*ABK:J449^ABF:E119~');
  });

  it('refuses a value holding a delimiter, naming the element', () => {
    expect(() => serializeSegment(['NM1', 'IL', '1', 'SMITH*JONES'], D)).toThrow(expect.objectContaining({ code: 'WRITER_DELIMITER_IN_VALUE', location: { segmentTag: 'NM1', element: 3 } }));
    expect(() => serializeSegment(['NM1', 'IL~'], D)).toThrow(expect.objectContaining({ code: 'WRITER_DELIMITER_IN_VALUE' }));
    expect(() => serializeSegment(['nm1'], D)).toThrow(expect.objectContaining({ code: 'WRITER_TAG_INVALID' }));
  });
});

describe('InterchangeWriter', () => {
  it('writes a padded ISA, zero-padded control numbers and correct counts', () => {
    const text = buildInterchange({
      interchange: header,
      groups: [{
        group: { functionalId: 'HC', senderCode: 'CLINICSYN', receiverCode: 'PAYERSYN', date: '20240105', time: '0930', controlNumber: 12, version: '005010X222A1' },
        sets: [{ set: { id: '837', controlNumber: 7, implementationRef: '005010X222A1' }, segments: [['BHT', '0019', '00', 'B1', '20240105', '0930', 'CH']] }],
      }],
    }, { lineBreak: '\n' });
    expect(text).toBe([
      'ISA*00*          *00*          *ZZ*CLINICSYN      *ZZ*PAYERSYN       *240105*0930*^*00501*000000905*0*T*:~',
      'GS*HC*CLINICSYN*PAYERSYN*20240105*0930*12*X*005010X222A1~',
      'ST*837*0007*005010X222A1~',
      'BHT*0019*00*B1*20240105*0930*CH~',
      'SE*3*0007~',
      'GE*1*12~',
      'IEA*1*000000905~',
      '',
    ].join('\n'));
    expect(text.indexOf('~')).toBe(105);
  });

  it('enforces nesting and control number ranges', () => {
    const w = new InterchangeWriter();
    expect(() => w.beginGroup({ functionalId: 'HC', senderCode: 'A', receiverCode: 'B', date: '20240105', time: '0930', controlNumber: 1, version: 'V' })).toThrow(expect.objectContaining({ code: 'WRITER_STATE' }));
    expect(() => w.beginInterchange({ ...header, controlNumber: 1_000_000_000 })).toThrow(expect.objectContaining({ code: 'WRITER_CONTROL_NUMBER_INVALID' }));
    expect(() => w.beginInterchange({ ...header, senderId: 'X'.repeat(16) })).toThrow(expect.objectContaining({ code: 'WRITER_FIELD_TOO_LONG' }));
    expect(() => new InterchangeWriter({ delimiters: { ...D, repetition: null } })).toThrow(expect.objectContaining({ code: 'WRITER_DELIMITERS_INVALID' }));
  });
});

const text = fc.stringMatching(/^[A-Za-z0-9 .,&'()/-]{0,12}$/);
const element = fc.oneof(text, fc.array(text, { minLength: 1, maxLength: 4 }));
const contentTag = fc.constantFrom('NM1', 'CLP', 'SVC', 'REF', 'DTM', 'CAS', 'N3', 'HI');
const delimiters = fc.constantFrom<Delimiters>(D, { element: '|', component: '>', repetition: '!', segment: '\n' }, { element: '*', component: ':', repetition: '^', segment: '\u001d' });

describe('write then parse', () => {
  it('gives back the values written, with counts the envelope checks accept (fixed seed)', () => {
    fc.assert(fc.property(delimiters, fc.array(fc.tuple(contentTag, fc.array(element, { maxLength: 8 })), { minLength: 1, maxLength: 20 }), (d, segs) => {
      const values: SegmentValues[] = segs.map(([tag, els]) => [tag, ...els]);
      const out = buildInterchange({
        interchange: header,
        groups: [{ group: { functionalId: 'HP', senderCode: 'S', receiverCode: 'R', date: '20240105', time: '0930', controlNumber: 3, version: '005010X221A1' },
          sets: [{ set: { id: '835', controlNumber: 1 }, segments: values }] }],
      }, { delimiters: d, lineBreak: d.segment === '\n' ? '' : '\r\n' });
      const parsed = tokenize(new TextEncoder().encode(out));
      const content = parsed.slice(3, 3 + values.length);
      // Expected: what was written, with trailing empty components and elements dropped (the X12 rule).
      const expected = values.map((v) => {
        const parts = v.map((e) => (typeof e === 'string' ? e : (e as string[]).join(d.component).replace(new RegExp(`[${d.component}]+$`), '')));
        while (parts.length > 1 && parts[parts.length - 1] === '') parts.pop();
        return parts;
      });
      expect(content.map((s) => s.elements)).toEqual(expected);
      expect(checkEnvelopes(parsed).filter((e) => e.kind === 'problem')).toEqual([]);
    }), { seed: 4242, numRuns: 200 });
  });
});

describe('parse then write', () => {
  for (const file of corpusFiles()) {
    it(`reproduces ${file.name} byte for byte`, () => {
      const bytes = corpusBytes(file.name);
      let segments;
      try {
        segments = tokenize(bytes);
      } catch {
        return; // rejected files are covered by the corpus walk
      }
      const out = segments.map(serializeExact).join('');
      expect(Buffer.from(out, 'utf8').equals(bytes.subarray(0, Buffer.byteLength(out)))).toBe(true);
      // What follows the last segment is whitespace only.
      expect(bytes.subarray(Buffer.byteLength(out)).toString('latin1')).toMatch(/^\s*$/);
    });
  }
});
