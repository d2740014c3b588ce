// `claims report eligibility`: the current snapshots that need someone's attention (inactive coverage,
// plans ended, AAA rejections, people matching no patient) and the rejections at the payer and provider
// loops, each with what to do about it, and the 270s sent for visits still ahead that no 271 has answered
// (the request's trace number is the link: a 271 echoes it in TRN02).
import { AAA_FOLLOW_UPS, AAA_REASONS } from '../domain/eligibility.ts';
import { hydrateSnapshots, type Queryable } from './store.ts';
import { ELIGIBILITY_SQL as SQL } from './sql.ts';
import { scopeParameters, type EligibilityPracticeScope } from './practice-scope.ts';

export interface EligibilityReportRow {
  problem: 'rejected' | 'inactive' | 'plan_ended' | 'unmatched' | 'unanswered';
  payerId: string;
  memberId: string | null;
  subject: 'subscriber' | 'dependent' | null;
  patientId: string | null;
  providerId: string | null;
  responseAt: string | null;
  rejections: Array<{ reason: string; reasonText: string | null; followUp: string; followUpText: string | null; loop: string }>;
  action: string;
  /** Where it came from: the 271 (its HL segment), or for an unanswered request the 270 we sent (no segment index). */
  source: { file: string | null; interchange: string | null; set: string | null; segmentIndex: number | null };
  /** For an unanswered request: the trace number the 271 should echo and the visit's date. */
  request?: { traceNumber: string; dateOfService: string };
}

function rejectionJson(j: { reason: string; followUp: string; loop: string }): EligibilityReportRow['rejections'][number] {
  return { reason: j.reason, reasonText: AAA_REASONS[j.reason] ?? null, followUp: j.followUp, followUpText: AAA_FOLLOW_UPS[j.followUp] ?? null, loop: j.loop };
}

/** What to do for a rejection, from its follow-up code (AAA04). */
export function actionForFollowUp(followUp: string): string {
  switch (followUp) {
    case 'C': return 'correct the request (member id, name, birth date, provider) and resubmit the 270';
    case 'R': case 'P': return 'resubmit the 270';
    case 'W': return 'resubmit the 270 in 30 days';
    case 'X': return 'resubmit the 270 in 10 days';
    case 'N': case 'Y': case 'S': return 'do not resubmit: call the payer';
    default: return 'review the rejection with the payer';
  }
}

/** The report; with a scope, one practice's rows only (./practice-scope.ts says which are whose). */
export async function eligibilityReport(client: Queryable, today: string, scope?: EligibilityPracticeScope): Promise<EligibilityReportRow[]> {
  const practice = scopeParameters(scope);
  const res = await client.query(SQL.reportCurrent, [today, ...practice]);
  const snapshots = await hydrateSnapshots(client, res.rows as Record<string, unknown>[]);
  const rows: EligibilityReportRow[] = [];
  for (const s of snapshots) {
    const base = {
      payerId: s.payerId, memberId: s.memberId, subject: s.subject, patientId: s.patientId, providerId: s.providerId, responseAt: s.responseAt,
      rejections: s.rejections.map(rejectionJson),
      source: { file: s.source.fileName, interchange: s.source.interchange, set: s.source.set, segmentIndex: s.source.segmentIndex },
    };
    if (s.rejections.length > 0) {
      rows.push({ ...base, problem: 'rejected', action: actionForFollowUp(s.rejections[0]!.followUp) });
    } else if (s.benefits.some((b) => b.type === '6')) {
      rows.push({ ...base, problem: 'inactive', action: 'ask the patient for current coverage; claims outside coverage are held' });
    } else if (s.planEnd !== null && s.planEnd < today) {
      rows.push({ ...base, problem: 'plan_ended', action: `plan ended ${s.planEnd}: verify coverage before the next visit (send a new 270)` });
    }
    if (s.patientId === null) {
      rows.push({ ...base, problem: 'unmatched', action: 'no single patient has this member id, name and birth date: correct the patient record or the member id' });
    }
  }
  const above = await client.query(SQL.reportSetRejections, practice.slice(0, 2));
  for (const j of above.rows as Array<Record<string, unknown>>) {
    const rejection = { reason: j.reason as string, followUp: j.follow_up as string, loop: j.loop as string };
    rows.push({
      problem: 'rejected', payerId: (j.payer_id as string | null) ?? '', memberId: null, subject: null, patientId: null,
      providerId: (j.provider_id as string | null) ?? null, responseAt: j.response_at instanceof Date ? j.response_at.toISOString() : null,
      rejections: [rejectionJson(rejection)], action: actionForFollowUp(rejection.followUp),
      source: { file: (j.file_name as string | null) ?? null, interchange: (j.isa13 as string | null) ?? null, set: (j.st02 as string | null) ?? null, segmentIndex: j.segment_index as number },
    });
  }
  const unanswered = await client.query(SQL.reportUnanswered, [today, ...practice]);
  for (const q of unanswered.rows as Array<Record<string, string>>) {
    rows.push({
      problem: 'unanswered', payerId: q.payer_id!, memberId: q.member_id!, subject: null, patientId: null, providerId: q.provider_npi!, responseAt: null,
      rejections: [], action: `no 271 answers the 270 for the visit on ${q.date_of_service} (trace ${q.trace_number}): ask again, or call the payer before the visit`,
      source: { file: q.file_name!, interchange: q.isa13!, set: q.st02!, segmentIndex: null },
      request: { traceNumber: q.trace_number!, dateOfService: q.date_of_service! },
    });
  }
  return rows;
}

export function eligibilityTable(rows: readonly EligibilityReportRow[]): string {
  if (rows.length === 0) return 'no eligibility problems on file\n';
  const table = [['PROBLEM', 'PAYER', 'MEMBER', 'WHO', 'PATIENT', 'REASON', 'ACTION']];
  for (const r of rows) {
    const reason = r.rejections.map((j) => `${j.loop} AAA ${j.reason}/${j.followUp}`).join(', ');
    table.push([r.problem, r.payerId, r.memberId ?? '-', r.subject ?? '-', r.patientId ?? '-', reason || '-', r.action]);
  }
  const widths = table[0]!.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
  return table.map((row) => row.map((c, i) => (i === row.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')).join('\n') + '\n';
}
