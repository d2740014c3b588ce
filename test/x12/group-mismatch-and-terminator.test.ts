// Issue 16, envelope side of what is read: a 271, 277CA or 999 in a group whose GS01 does not match ST01
// (while ST01 and GS08/ST03 agree) is read with a warning and the 999 accepts it with errors noted; an
// 835 stays strict (decision 0093). An ISA whose terminator is a line break while the segments end with
// `~` is named once, instead of one SEGMENT_OUTSIDE_GROUP per segment.
import { describe, expect, it } from 'vitest';
import { tokenize } from '../../src/x12/tokenizer.ts';
import { checkEnvelopes } from '../../src/x12/envelope.ts';
import { ackGroupFrom, build999Segments } from '../../src/x12/ack.ts';
import { serializeSegment } from '../../src/x12/writer.ts';
import type { ClaimsError } from '../../src/common/errors.ts';
import type { EnvelopeEvent, GroupSummary, InterchangeSummary } from '../../src/x12/envelope-types.ts';

const ISA_BODY = 'ISA*00*          *00*          *ZZ*PAYERSYN       *ZZ*CLINICSYN      *240105*0930*^*00501*000000905*0*T*:';
const ISA = `${ISA_BODY}~`;

function run(text: string): { events: EnvelopeEvent[]; problems: ClaimsError[] } {
  const events = checkEnvelopes(tokenize(new TextEncoder().encode(text)), { file: 'syn.x12' });
  return { events, problems: events.flatMap((e) => (e.kind === 'problem' ? [e.problem] : [])) };
}
const group = (gs01: string, gs08: string, st: string) => `GS*${gs01}*PAYERSYN*CLINICSYN*20240105*0930*7*X*${gs08}~${st}GE*1*7~`;
const r271 = 'ST*271*0001*005010X279A1~BHT*0022*11*R1*20240105*0930~SE*3*0001~';
const r277 = 'ST*277*0001*005010X214~BHT*0085*08*R1*20240105*0930*TH~SE*3*0001~';
const r999 = 'ST*999*0001*005010X231A1~AK1*HC*17*005010X222A1~AK9*A*1*1*1~SE*4*0001~';
const r835 = 'ST*835*0001~BPR*I*10*C*ACH~TRN*1*T1*1~SE*4*0001~';

describe('GS01 that does not match ST01', () => {
  it('reads a 271 in an HS or an HC group, a 277CA and a 999 in an HC group, with a warning', () => {
    for (const [gs01, gs08, set] of [['HS', '005010X279A1', r271], ['HC', '005010X279A1', r271], ['HC', '005010X214', r277], ['HC', '005010X231A1', r999]] as const) {
      const { problems, events } = run(`${ISA}${group(gs01, gs08, set)}IEA*1*000000905~`);
      expect(problems.map((p) => [p.code, p.severity, p.location.segmentTag, p.location.element]), gs01 + set.slice(0, 6)).toEqual([['SET_GROUP_MISMATCH', 'warning', 'ST', 1]]);
      expect(problems[0]!.message).toContain('is read');
      const end = events.find((e) => e.kind === 'setEnd');
      expect(end?.kind === 'setEnd' && [end.summary.accepted, end.envelopeErrors]).toEqual([true, []]);
    }
  });

  it('the 999 accepts such a 271 with errors noted (IK5 E with IK502 6, AK9 E)', () => {
    const [i] = checkEnvelopes(tokenize(new TextEncoder().encode(`${ISA}${group('HS', '005010X279A1', r271)}IEA*1*000000905~`)))
      .flatMap((e) => (e.kind === 'interchangeEnd' ? [e.summary] : [])) as InterchangeSummary[];
    const segments = build999Segments(ackGroupFrom(i!.groups[0] as GroupSummary)).map((s) => serializeSegment(s as string[]));
    expect(segments).toEqual(['AK1*HS*7*005010X279A1~', 'AK2*271*0001*005010X279A1~', 'IK5*E*6~', 'AK9*E*1*1*1~']);
  });

  it('keeps an 835 in another group, or a 271 whose guide says otherwise, refused, and says why for the 835', () => {
    const money = run(`${ISA}${group('HC', '005010X221A1', r835)}IEA*1*000000905~`).problems;
    expect(money.map((p) => [p.code, p.severity])).toEqual([['SET_GROUP_MISMATCH', 'error']]);
    expect(money[0]!.message).toContain('decision 0093');
    const otherGuide = run(`${ISA}${group('HS', '005010X221A1', 'ST*271*0001~BHT*0022*11~SE*3*0001~')}IEA*1*000000905~`).problems;
    expect(otherGuide.map((p) => [p.code, p.severity])).toContainEqual(['SET_GROUP_MISMATCH', 'error']);
  });
});

describe('a segment terminator that looks wrong', () => {
  const segments = ['GS*HP*PAYERSYN*CLINICSYN*20240105*0930*7*X*005010X221A1', 'ST*835*0001', 'BPR*I*10*C*ACH', 'TRN*1*T1*1', 'SE*4*0001', 'GE*1*7', 'IEA*1*000000905'];
  const many = Array.from({ length: 12 }, () => segments.slice(1, 5)).flat();

  it('names it once: ISA declares a line feed, the segments end with ~', () => {
    const shapes = [
      // the `~` of each segment at the start of the next line: no segment tag reads (was ~50 SEGMENT_OUTSIDE_GROUP)
      `${ISA_BODY}\n~${[segments[0], ...many, ...segments.slice(5)].join('\n~')}\n`,
      // `~` and a line feed after each segment, but none after ISA16
      `${ISA_BODY}\n${segments.join('~\n')}~\n`,
      // everything after the ISA on one line
      `${ISA_BODY}\n${segments.join('~')}~\n`,
    ];
    for (const text of shapes) {
      const { problems } = run(text);
      expect(problems.map((p) => [p.code, p.severity, p.location.interchange, p.ack?.ta1]), JSON.stringify(text.slice(100, 120))).toEqual([['SEGMENT_TERMINATOR_SUSPECT', 'error', '000000905', '024']]);
      expect(problems[0]!.message).toContain("the segment terminator looks wrong: ISA declares '\\n' but segments end with '~'");
    }
  });

  it('says nothing of a file whose segments really end with line feeds', () => {
    const { problems, events } = run(`${ISA_BODY}\n${segments.join('\n')}\n`);
    expect(problems).toEqual([]);
    expect(events.filter((e) => e.kind === 'setEnd')).toHaveLength(1);
  });
});
