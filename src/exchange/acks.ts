// Acknowledgements for what ingest received: a TA1 when the sender asked (ISA14 = 1) or the interchange's
// envelope is broken, and a 999 per functional group (accepted, partially accepted, rejected, with IK3/IK4
// locations), in one interchange per received interchange. Called only after every set of the interchange
// is committed or quarantined, so an ack never promises data that a crash then loses; a crash before the
// ack is written means the rerun (which finds the sets duplicates) writes it. Control numbers come from the
// database counters the claims outbox uses (unique for ever per sender and receiver).
// The 999 reports what the guide's syntax and structure say (envelope checks and the 835 reader's located
// errors); business outcomes (an unbalanced remittance, a conflict) are not 999 rejections: they are in
// the quarantine report (docs/decisions/0051).
import path from 'node:path';
import type { Pool } from 'pg';
import type { Clock } from '../common/clock.ts';
import type { ClaimsError } from '../common/errors.ts';
import { postgresControlNumbers } from './control-numbers.ts';
import { AK101_CODES, ackGroupFrom, buildAckInterchange, ta1Echoable, ta1For, ta1Needed, type AckInterchangeSpec } from '../x12/ack.ts';
import type { InterchangeSummary } from '../x12/envelope-types.ts';
import { interchangeRefusals } from '../x12/receipt.ts';
import { writeOwnerOnly } from '../common/files.ts';
import type { WallTime } from '../common/clock.ts';

/** Groups we never acknowledge with a 999: acknowledgements themselves. */
const NOT_ACKNOWLEDGED = new Set(['FA']);

export interface AckOptions {
  /** Folder the ack files go to (the pipeline's outbox). */
  outbox: string;
  clock: Clock;
}

/** Reader problems per group (GS06) and set (ST02), added to the envelope's own for the 999. */
export type ReaderProblems = Map<string, Map<string, ClaimsError[]>>;

/** File-name safe text: sender ids may hold spaces or punctuation. */
const safe = (text: string): string => text.replace(/[^A-Za-z0-9_-]+/g, '_') || 'unknown';

/**
 * What an interchange is owed: a TA1 (asked for, or the envelope is broken, and its ISA13/ISA09/ISA10 can
 * be echoed validly) and a 999 per group, unless the TA1 rejects the interchange: then its groups were
 * not processed and the TA1 is the whole answer. Groups whose GS01 a 999 cannot name (AK101) and
 * acknowledgements themselves get no 999.
 */

/**
 * GS02/GS03 of the group answered, swapped into our 999's GS. A code holding a control character (a NUL
 * the group was refused for) is not echoed: the ISA id stands in, so our file never carries the bad byte.
 */
function echoCode(code: string, isaId: string): string {
  // eslint-disable-next-line no-control-regex
  return /[\x00-\x1f\x7f]/.test(code) || code === '' ? isaId.trim() : code;
}
export function acksOwed(summary: InterchangeSummary): { ta1: boolean; groups: InterchangeSummary['groups'] } {
  const ta1 = ta1Needed(summary) && ta1Echoable(summary.interchange);
  // The same rule that kept the interchange's sets from being posted (x12/receipt.ts): ack and ledger agree.
  const rejected = interchangeRefusals(summary).length > 0;
  // A group of 999s under another GS01 (read with a warning, decision 0093) is still acknowledgements: no 999 either.
  const groups = rejected ? [] : summary.groups.filter((g) => !NOT_ACKNOWLEDGED.has(g.group.functionalId) && AK101_CODES.has(g.group.functionalId)
    && !(g.sets.length > 0 && g.sets.every((s) => s.set.id === '999')));
  return { ta1, groups };
}

/** Keep the 999 to problems that have an acknowledgement code: the syntax and structure ones. */
export function ackProblems(reasons: readonly ClaimsError[]): ClaimsError[] {
  return reasons.filter((r) => r.ack !== undefined && (r.ack.ik304 !== undefined || r.ack.ik403 !== undefined || r.ack.ik5 !== undefined));
}

/**
 * Pure: the ack interchange for one received interchange, or null when nothing is owed (no group to
 * acknowledge and no TA1 asked for or needed). Control numbers are passed in.
 */
export function ackSpecFor(
  summary: InterchangeSummary, problems: ReaderProblems, at: WallTime,
  controlNumbers: { isa13: bigint; gs06: (i: number) => bigint; st02: (i: number) => bigint },
): AckInterchangeSpec | null {
  const i = summary.interchange;
  const { ta1, groups } = acksOwed(summary);
  if (groups.length === 0 && !ta1) return null;
  const yymmdd = at.date.slice(2);
  const hhmm = at.time;
  return {
    interchange: {
      senderQualifier: i.receiverQualifier || 'ZZ', senderId: i.receiverId, receiverQualifier: i.senderQualifier || 'ZZ', receiverId: i.senderId,
      date: yymmdd, time: hhmm, controlNumber: controlNumbers.isa13, usage: i.usage === 'T' ? 'T' : 'P',
    },
    ...(ta1 && { ta1s: [ta1For(summary)] }),
    groups: groups.map((g, n) => ({
      header: { senderCode: echoCode(g.group.receiverCode, i.receiverId), receiverCode: echoCode(g.group.senderCode, i.senderId), date: at.date, time: hhmm, controlNumber: controlNumbers.gs06(n) },
      setControlNumber: String(controlNumbers.st02(n)),
      ack: ackGroupFrom(g, problems.get(g.group.controlNumber)),
    })),
  };
}

/** Build and write the acks for one interchange; returns the file written, or null when none is owed. */
export async function writeAcks(pool: Pool, summary: InterchangeSummary, problems: ReaderProblems, opts: AckOptions): Promise<string | null> {
  const i = summary.interchange;
  // Without both parties we cannot address an acknowledgement (the TA1 for that is the sender's problem).
  if (i.senderId === '' || i.receiverId === '' || i.controlNumber === '') return null;
  const owed = acksOwed(summary);
  const groups = owed.groups.length;
  if (groups === 0 && !owed.ta1) return null;
  const numbers = postgresControlNumbers(pool);
  const us = `${i.receiverQualifier}:${i.receiverId}`;
  const them = `${i.senderQualifier}:${i.senderId}`;
  const isa13 = await numbers.next(us, them, 'ISA');
  const gs06: bigint[] = [];
  const st02: bigint[] = [];
  for (let n = 0; n < groups; n++) {
    gs06.push(await numbers.next(us, them, 'GS'));
    st02.push(await numbers.next(us, them, 'ST'));
  }
  const spec = ackSpecFor(summary, problems, opts.clock.wallTime(), { isa13, gs06: (n) => gs06[n]!, st02: (n) => st02[n]! });
  if (spec === null) return null;
  const text = buildAckInterchange(spec, { lineBreak: '\n' });
  const file = path.join(opts.outbox, `ack-${safe(i.senderId)}-${safe(i.controlNumber)}-${String(isa13).padStart(9, '0')}.x12`);
  await writeOwnerOnly(file, text);
  return file;
}
