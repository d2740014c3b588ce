import { describe, expect, it } from 'vitest';
import { tokenize } from '../../src/x12/tokenizer.ts';
import { checkEnvelopes } from '../../src/x12/envelope.ts';
import type { ClaimsError } from '../../src/common/errors.ts';
import type { EnvelopeEvent } from '../../src/x12/envelope-types.ts';

const ISA = (isa13 = '000000905', extra = '') =>
  `ISA*00*          *00*          *ZZ*PAYERSYN       *ZZ*CLINICSYN      *240105*0930*^*00501*${isa13}*0*T*:~${extra}`;
const SET = (st02: string, se01 = '4', se02 = st02) => `ST*835*${st02}~BPR*I*10*C*ACH~TRN*1*T${st02}*1~SE*${se01}*${se02}~`;
const GROUP = (gs06: string, body: string, ge01 = '1', ge02 = gs06, gs08 = '005010X221A1', gs01 = 'HP') =>
  `GS*${gs01}*PAYERSYN*CLINICSYN*20240105*0930*${gs06}*X*${gs08}~${body}GE*${ge01}*${ge02}~`;

function run(text: string): { events: EnvelopeEvent[]; problems: ClaimsError[] } {
  const events = checkEnvelopes(tokenize(new TextEncoder().encode(text)), { file: 'syn.x12' });
  return { events, problems: events.flatMap((e) => (e.kind === 'problem' ? [e.problem] : [])) };
}
const codes = (text: string): string[] => run(text).problems.map((p) => p.code);

describe('envelope checks', () => {
  it('accepts a sound interchange and reports its structure', () => {
    const { events, problems } = run(`${ISA()}${GROUP('7', SET('0001') + SET('0002'), '2')}IEA*1*000000905~`);
    expect(problems).toEqual([]);
    const end = events.find((e) => e.kind === 'interchangeEnd');
    expect(end?.kind === 'interchangeEnd' && end.summary.groups[0]?.sets.map((s) => [s.set.controlNumber, s.segmentCount, s.accepted]))
      .toEqual([['0001', 4, true], ['0002', 4, true]]);
    const positions = events.flatMap((e) => (e.kind === 'segment' ? [[e.segment.tag, e.position]] : []));
    expect(positions).toEqual([['BPR', 2], ['TRN', 3], ['BPR', 2], ['TRN', 3]]);
  });

  it('locates a wrong SE01 at the element, with expected and found', () => {
    const { problems } = run(`${ISA()}${GROUP('7', SET('0001', '3'))}IEA*1*000000905~`);
    expect(problems).toHaveLength(1);
    const p = problems[0] as ClaimsError;
    expect(p.code).toBe('SE_SEGMENT_COUNT');
    // ISA 106 + GS 56 + ST 12 + BPR 15 + TRN 14 = 203: SE starts there, SE01 three bytes later.
    expect(p.location).toEqual({ file: 'syn.x12', interchange: '000000905', group: '7', set: '0001', segmentIndex: 5, segmentPosition: 4, segmentTag: 'SE', element: 1, byteOffset: 206 });
    expect([p.expected, p.found, p.ack?.ik5]).toEqual(['4', '"3"', '4']);
  });

  it('checks every control number pair and count', () => {
    expect(codes(`${ISA()}${GROUP('7', SET('0001', '4', '0009'))}IEA*1*000000905~`)).toEqual(['SE_CONTROL_NUMBER_MISMATCH']);
    expect(codes(`${ISA()}${GROUP('7', SET('0001'), '2', '8')}IEA*1*000000905~`)).toEqual(['GE_SET_COUNT', 'GE_CONTROL_NUMBER_MISMATCH']);
    expect(codes(`${ISA()}${GROUP('7', SET('0001'))}IEA*2*000000906~`)).toEqual(['IEA_GROUP_COUNT', 'IEA_CONTROL_NUMBER_MISMATCH']);
    expect(codes(`${ISA()}${GROUP('7', SET('0001') + SET('0001'), '2')}IEA*1*000000905~`)).toEqual(['ST_CONTROL_NUMBER_DUPLICATE']);
  });

  it('reports missing trailers and premature end', () => {
    expect(codes(`${ISA()}GS*HP*A*B*20240105*0930*7*X*005010X221A1~ST*835*0001~BPR*I~`)).toEqual(['SE_MISSING', 'GE_MISSING', 'IEA_MISSING']);
    expect(codes(`${ISA()}${GROUP('7', 'ST*835*0001~BPR*I~')}IEA*1*000000905~`)).toEqual(['SE_MISSING']);
  });

  it('rejects 4010 and unknown guides, warns on errata, checks GS01 against ST01', () => {
    expect(codes(`${ISA()}${GROUP('7', SET('0001'), '1', '7', '004010X091A1')}IEA*1*000000905~`)).toEqual(['VERSION_UNSUPPORTED', 'VERSION_UNSUPPORTED']);
    const errata = run(`${ISA()}GS*HC*A*B*20240105*0930*7*X*005010X222A2~ST*837*0001*005010X222A2~SE*2*0001~GE*1*7~IEA*1*000000905~`).problems;
    expect(errata.map((p) => [p.code, p.severity])).toEqual([['VERSION_ERRATA', 'warning']]);
    expect(codes(`${ISA()}${GROUP('7', SET('0001'), '1', '7', '005010X221A1', 'HB')}IEA*1*000000905~`)).toEqual(['SET_GROUP_MISMATCH']);
    expect(codes(ISA().replace('00501', '00401') + 'IEA*0*000000905~')).toEqual(['ISA_VERSION_UNSUPPORTED']);
  });

  it('accepts TA1 between ISA and GS, rejects other segments outside sets', () => {
    expect(codes(`${ISA()}TA1*000000777*240104*1200*A*000~${GROUP('7', SET('0001'))}IEA*1*000000905~`)).toEqual([]);
    expect(codes(`${ISA()}GS*HS*A*B*20240105*0930*7*X*005010X279A1~HL*1**20*1~ST*270*0001*005010X279A1~SE*2*0001~GE*1*7~IEA*1*000000905~`)).toEqual(['SEGMENT_OUTSIDE_SET']);
  });

  it('tells a redelivered interchange from a reused control number', () => {
    const hasher = () => { let text = ''; return { update: (t: string) => void (text += t), digest: () => text }; };
    const once = `${ISA()}${GROUP('7', SET('0001'))}IEA*1*000000905~`;
    const other = once.replace('BPR*I*10', 'BPR*I*11');
    const events = (text: string) => checkEnvelopes(tokenize(new TextEncoder().encode(text)), { hasher }).flatMap((e) => (e.kind === 'problem' ? [e.problem.code] : []));
    expect(events(once + once)).toEqual(['INTERCHANGE_DUPLICATE']);
    expect(events(once + other)).toEqual(['INTERCHANGE_CONTROL_NUMBER_REUSED']);
  });

  it('warns on an unpadded ISA and reads it', () => {
    const { problems, events } = run(`ISA*00**00**ZZ*P*ZZ*C*240105*0930*^*00501*000000905*0*T*:~${GROUP('7', SET('0001'))}IEA*1*000000905~`);
    expect(problems.map((p) => [p.code, p.severity])).toEqual([['ISA_NOT_FIXED_WIDTH', 'warning']]);
    expect(events.filter((e) => e.kind === 'setEnd')).toHaveLength(1);
  });
});
