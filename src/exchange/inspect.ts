// What `claims inspect` reports about one file: its interchanges, groups and sets, and every problem
// found, located. Built from envelope events, so a file of any size is inspected in flat memory.
import type { ClaimsError } from '../common/errors.ts';
import { formatLocation } from '../common/errors.ts';
import type { InterchangeSummary } from '../x12/envelope-types.ts';
import { envelopeEventBatches, type ReadOptions } from './x12-sets.ts';
import type { ByteSource } from './x12-read.ts';

export interface SetReport {
  id: string;
  controlNumber: string;
  implementationRef: string | undefined;
  guide: string | undefined;
  segmentCount: number;
  accepted: boolean;
}

export interface GroupReport {
  functionalId: string;
  controlNumber: string;
  version: string;
  senderCode: string;
  receiverCode: string;
  sets: SetReport[];
}

export interface InterchangeReport {
  controlNumber: string;
  sender: string;
  receiver: string;
  date: string;
  time: string;
  version: string;
  usage: string;
  byteOffset: number;
  segmentCount: number;
  contentSha256: string | undefined;
  groups: GroupReport[];
}

export interface FileReport {
  file: string;
  interchanges: InterchangeReport[];
  problems: ClaimsError[];
  errorCount: number;
  warningCount: number;
  segmentCount: number;
}

function interchangeReport(s: InterchangeSummary): InterchangeReport {
  const i = s.interchange;
  return {
    controlNumber: i.controlNumber, sender: `${i.senderQualifier}:${i.senderId}`, receiver: `${i.receiverQualifier}:${i.receiverId}`,
    date: i.date, time: i.time, version: i.version, usage: i.usage, byteOffset: i.byteOffset, segmentCount: s.segmentCount,
    contentSha256: s.contentHash,
    groups: s.groups.map((g) => ({
      functionalId: g.group.functionalId, controlNumber: g.group.controlNumber, version: g.group.version,
      senderCode: g.group.senderCode, receiverCode: g.group.receiverCode,
      sets: g.sets.map((t) => ({
        id: t.set.id, controlNumber: t.set.controlNumber, implementationRef: t.set.implementationRef,
        guide: t.set.guide?.name, segmentCount: t.segmentCount, accepted: t.accepted,
      })),
    })),
  };
}

/** Read a whole file or stream and report on it. Input problems go into the report; only I/O errors throw. */
export async function inspectSource(source: ByteSource, options: ReadOptions & { file: string }): Promise<FileReport> {
  const report: FileReport = { file: options.file, interchanges: [], problems: [], errorCount: 0, warningCount: 0, segmentCount: 0 };
  for await (const batch of envelopeEventBatches(source, { hashContent: true, segmentEvents: false, ...options })) {
    for (const e of batch) {
      if (e.kind === 'problem') {
        report.problems.push(e.problem);
        if (e.problem.severity === 'error') report.errorCount++;
        else report.warningCount++;
      } else if (e.kind === 'interchangeEnd') {
        report.interchanges.push(interchangeReport(e.summary));
        report.segmentCount += e.summary.segmentCount;
      }
    }
  }
  return report;
}

/** A problem as one line of text: severity, code, message, location, expected vs found. */
export function formatProblem(p: ClaimsError): string {
  const where = formatLocation(p.location);
  const vs = p.expected !== undefined || p.found !== undefined ? ` (expected ${p.expected ?? '?'}, found ${p.found ?? '?'})` : '';
  return `${p.severity.toUpperCase()} ${p.code}: ${p.message}${vs}${where ? ` at ${where}` : ''}`;
}

/** The human-readable report of one file. */
export function formatReport(r: FileReport): string {
  const lines: string[] = [];
  const verdict = r.errorCount > 0 ? 'PROBLEMS' : 'OK';
  lines.push(`${r.file}: ${verdict} (${r.interchanges.length} interchange(s), ${r.segmentCount} segments, ${r.errorCount} error(s), ${r.warningCount} warning(s))`);
  for (const i of r.interchanges) {
    lines.push(`  ISA13 ${i.controlNumber}  ${i.sender} -> ${i.receiver}  ${i.date} ${i.time}  ISA12 ${i.version}  ${i.usage}  ${i.segmentCount} segments  at byte ${i.byteOffset}`);
    for (const g of i.groups) {
      lines.push(`    GS06 ${g.controlNumber}  ${g.functionalId}  ${g.senderCode} -> ${g.receiverCode}  ${g.version}  ${g.sets.length} set(s)`);
      for (const s of g.sets) {
        lines.push(`      ST02 ${s.controlNumber}  ${s.id}${s.guide ? ` (${s.guide})` : ''}${s.implementationRef ? `  ${s.implementationRef}` : ''}  ${s.segmentCount} segments  ${s.accepted ? 'accepted' : 'rejected'}`);
      }
    }
  }
  for (const p of r.problems) lines.push(`  ${formatProblem(p)}`);
  return lines.join('\n') + '\n';
}

/** JSON-ready form (ClaimsError has its own toJSON). */
export function reportJson(r: FileReport): Record<string, unknown> {
  return { ...r, sound: r.errorCount === 0, problems: r.problems.map((p) => p.toJSON()) };
}
