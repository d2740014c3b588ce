import { describe, expect, it } from 'vitest';
import { ackGroupFrom, build999Segments, buildAckInterchange, ta1For, ta1Needed, type AckInterchangeSpec } from '../../src/x12/ack.ts';
import { ackSpecFor } from '../../src/exchange/acks.ts';
import { checkEnvelopes } from '../../src/x12/envelope.ts';
import { tokenize } from '../../src/x12/tokenizer.ts';
import { serializeSegment } from '../../src/x12/writer.ts';
import type { GroupSummary, InterchangeSummary } from '../../src/x12/envelope-types.ts';
import { utcWallTime } from '../../src/common/clock.ts';

const ISA = 'ISA*00*          *00*          *ZZ*PAYERSYN       *ZZ*CLINICSYN      *240105*0930*^*00501*000000905*1*T*:~';
const SET = (st02: string, se01 = '4') => `ST*835*${st02}~BPR*I*10*C*ACH~TRN*1*T${st02}*1~SE*${se01}*${st02}~`;

function summaries(text: string): InterchangeSummary[] {
  return checkEnvelopes(tokenize(new TextEncoder().encode(text))).flatMap((e) => (e.kind === 'interchangeEnd' ? [e.summary] : []));
}
const render = (segments: readonly (readonly unknown[])[]): string[] => segments.map((s) => serializeSegment(s as string[]));

describe('999', () => {
  it('accepts a sound group', () => {
    const [i] = summaries(`${ISA}GS*HP*P*C*20240105*0930*7*X*005010X221A1~${SET('0001')}GE*1*7~IEA*1*000000905~`);
    expect(render(build999Segments(ackGroupFrom(i?.groups[0] as GroupSummary)))).toEqual([
      'AK1*HP*7*005010X221A1~', 'AK2*835*0001~', 'IK5*A~', 'AK9*A*1*1*1~',
    ]);
  });

  it('partially accepts: IK5 R with the SE01 code for the bad set', () => {
    const [i] = summaries(`${ISA}GS*HP*P*C*20240105*0930*7*X*005010X221A1~${SET('0001')}${SET('0002', '9')}GE*2*7~IEA*1*000000905~`);
    expect(render(build999Segments(ackGroupFrom(i?.groups[0] as GroupSummary)))).toEqual([
      'AK1*HP*7*005010X221A1~', 'AK2*835*0001~', 'IK5*A~', 'AK2*835*0002~', 'IK5*R*4~', 'AK9*P*2*2*1~',
    ]);
  });

  it('points IK3/IK4 at a failing segment and element from a reader problem', async () => {
    const [i] = summaries(`${ISA}GS*HP*P*C*20240105*0930*7*X*005010X221A1~${SET('0001')}GE*1*7~IEA*1*000000905~`);
    const { ClaimsError } = await import('../../src/common/errors.ts');
    const bad = new ClaimsError({ code: 'MONEY_INVALID', message: 'x', location: { segmentTag: 'BPR', segmentPosition: 2, element: 2 }, ack: { ik403: '6' } });
    const ack = ackGroupFrom(i?.groups[0] as GroupSummary, new Map([['0001', [bad]]]));
    expect(render(build999Segments(ack))).toEqual([
      'AK1*HP*7*005010X221A1~', 'AK2*835*0001~', 'IK3*BPR*2**8~', 'IK4*2**6~', 'IK5*R*5~', 'AK9*R*1*1*0~',
    ]);
  });

  it('rejects a group with an unsupported version', () => {
    const [i] = summaries(`${ISA}GS*HP*P*C*20240105*0930*7*X*004010X091A1~${SET('0001')}GE*1*7~IEA*1*000000905~`);
    const body = render(build999Segments(ackGroupFrom(i?.groups[0] as GroupSummary)));
    expect(body.at(-2)).toBe('IK5*R*I6~');
    expect(body.at(-1)).toBe('AK9*R*1*1*0*2~');
  });
});

describe('TA1', () => {
  it('accepts a sound interchange and is needed when ISA14 asks', () => {
    const [i] = summaries(`${ISA}IEA*0*000000905~`);
    expect(serializeSegment(ta1For(i as InterchangeSummary))).toBe('TA1*000000905*240105*0930*A*000~');
    expect(ta1Needed(i as InterchangeSummary)).toBe(true);
  });

  it('rejects with the note code of the first envelope error', () => {
    const [i] = summaries(`${ISA.replace('*1*T*', '*0*T*')}IEA*0*000000906~`);
    expect(serializeSegment(ta1For(i as InterchangeSummary))).toBe('TA1*000000905*240105*0930*R*001~');
    expect(ta1Needed(i as InterchangeSummary)).toBe(true);
  });

  it('builds a whole acknowledgement interchange', () => {
    const [i] = summaries(`${ISA}GS*HP*P*C*20240105*0930*7*X*005010X221A1~${SET('0001')}GE*1*7~IEA*1*000000905~`);
    const text = buildAckInterchange({
      interchange: { senderQualifier: 'ZZ', senderId: 'CLINICSYN', receiverQualifier: 'ZZ', receiverId: 'PAYERSYN', date: '240105', time: '1000', controlNumber: 31, usage: 'T' },
      ta1s: [ta1For(i as InterchangeSummary)],
      groups: [{ header: { senderCode: 'C', receiverCode: 'P', date: '20240105', time: '1000', controlNumber: 31 }, setControlNumber: 1, ack: ackGroupFrom(i?.groups[0] as GroupSummary) }],
    }, { lineBreak: '\n' });
    expect(text.split('\n').slice(1)).toEqual([
      'TA1*000000905*240105*0930*A*000~', 'GS*FA*C*P*20240105*1000*31*X*005010X231A1~', 'ST*999*0001*005010X231A1~',
      'AK1*HP*7*005010X221A1~', 'AK2*835*0001~', 'IK5*A~', 'AK9*A*1*1*1~', 'SE*6*0001~', 'GE*1*31~', 'IEA*1*000000031~', '',
    ]);
    // Our own acknowledgement passes our own envelope checks.
    expect(checkEnvelopes(tokenize(new TextEncoder().encode(text))).filter((e) => e.kind === 'problem')).toEqual([]);
  });
});

describe('what a validator would refuse is never written (X12 RFIs 1257, 1339; 005010X231A1 code lists)', () => {
  const GS = 'GS*HP*P*C*20240105*0930*7*X*005010X221A1~';
  const spec = (text: string): AckInterchangeSpec | null =>
    ackSpecFor(summaries(text)[0] as InterchangeSummary, new Map(), utcWallTime(new Date('2024-01-05T10:00:00Z')), { isa13: 31n, gs06: () => 5n, st02: () => 1n });
  const body = (s: AckInterchangeSpec | null): string[] => render(build999Segments(s!.groups![0]!.ack));

  it('AK902 is GE01 as received, AK903 the sets received', () => {
    expect(body(spec(`${ISA}${GS}${SET('0001')}${SET('0002')}GE*3*7~IEA*1*000000905~`)).at(-1)).toBe('AK9*R*3*2*0*5~');
  });

  it('a TA1 that rejects the interchange is the whole answer: no 999 accepts its groups', () => {
    const s = spec(`${ISA}${GS}${SET('0001')}GE*1*7~IEA*2*000000905~`);
    expect(render(s!.ta1s!)).toEqual(['TA1*000000905*240105*0930*R*021~']);
    expect(s!.groups).toEqual([]);
  });

  it('sends no TA1 that would repeat an invalid ISA13 or ISA09, and no 999 for a rejected interchange', () => {
    expect(spec(`${ISA.replace('000000905', '00000090X')}${GS}${SET('0001')}GE*1*7~IEA*1*00000090X~`)).toBeNull();
    expect(spec(`${ISA.replace('240105', '241345')}${GS}${SET('0001')}GE*1*7~IEA*1*000000905~`)).toBeNull();
  });

  it('names no set whose ST02 or ST01 a 999 cannot carry: the group is rejected (AK905 5)', () => {
    expect(body(spec(`${ISA}${GS}${SET('12')}GE*1*7~IEA*1*000000905~`))).toEqual(['AK1*HP*7*005010X221A1~', 'AK9*R*1*1*0*5~']);
    expect(body(spec(`${ISA}${GS}ST*ABC*0001~BPR*I~SE*3*0001~GE*1*7~IEA*1*000000905~`)).filter((x) => x.startsWith('AK2'))).toEqual([]);
  });

  it('puts no unrecognized segment ID in IK301: the set is rejected in IK5', () => {
    const segments = body(spec(`${ISA}${GS}ST*835*0001~bpr*I*10*C*ACH~TRN*1*T1*1~SE*4*0001~GE*1*7~IEA*1*000000905~`));
    expect(segments.filter((x) => x.startsWith('IK3'))).toEqual([]);
    expect(segments).toContain('AK2*835*0001~');
    expect(segments.find((x) => x.startsWith('IK5'))).toMatch(/^IK5\*R\*/);
  });

  it('writes no 999 for a functional group a 999 cannot name (AK101)', () => {
    expect(spec(`${ISA.replace('*1*T*', '*0*T*')}GS*XX*P*C*20240105*0930*7*X*005010X221A1~${SET('0001')}GE*1*7~IEA*1*000000905~`)).toBeNull();
  });
});
