// `claims eligibility MEMBER_ID`: is this member covered on a date, for a service type, and what are the
// copay, coinsurance, deductible and out-of-pocket figures? Answered from the current 271 snapshots.
import { parseArgs } from 'node:util';
import { type Command, type CommandContext, UsageError } from '../command.ts';
import { openDatabase } from '../../runtime/database.ts';
import { ExitCode } from '../../common/errors.ts';
import { formatDecimal } from '../../common/money.ts';
import { isIsoDate } from '../../common/dates.ts';
import { AAA_FOLLOW_UPS, AAA_REASONS, percentOf, type Benefit } from '../../domain/eligibility.ts';
import { answerCoverage, type CoverageAnswer } from '../../eligibility/coverage.ts';
import { accountsOfSnapshots, currentSnapshotsForMember, type StoredSnapshot } from '../../eligibility/store.ts';
import { recordAudit } from '../../runtime/audit.ts';
import { eligibilityScope } from '../../eligibility/practice-scope.ts';
import { checkPracticeOption, loadPracticeDirectory } from '../../runtime/practices.ts';
import { JSON_OPTION, writeJson } from '../json-output.ts';

const HELP = `Usage: claims eligibility MEMBER_ID [--payer PAYER_ID] [--date YYYY-MM-DD] [--service-type CODE]
                         [--dependent FIRST_NAME] [--practice ID] [--json]

Answers from the newest 271 on file for the member: active (yes, no, or unknown when nothing is known),
why, and the benefit rows that apply on that date to that service type (its own rows and plan-wide ones).

Options:
  --payer PAYER_ID        The payer as the 271 names it (2100A NM109). Default: any payer.
  --date YYYY-MM-DD       Date of service. Default: today (CLAIMS_NOW fixes it).
  --service-type CODE     EB03 service type, e.g. 98 office visit, 30 plan coverage (default 30).
  --dependent FIRST_NAME  Answer for this dependent of the member instead of the subscriber.
  --practice ID           Only 271s of this practice: about its patients (a person matched to no patient:
                          asked by one of its NPIs, or by an NPI no practice has for a member id on its
                          coverages). Default: every practice's.
  --json                  One JSON object: memberId, payerId, active, reason, benefits, rejections, ...
                          (a benefit's amount as integer cents: "amountCents": 2500 is $25.00)
  -h, --help

Exit codes: 0 an answer was printed (covered or not), 1 failure, 2 usage.

Examples:
  claims eligibility W100200300 --date 2024-06-01 --service-type 98
  claims eligibility W555000111 --dependent LILY --json
  claims eligibility W100200300 --practice northwind
`;

export interface BenefitJson {
  type: string;
  serviceTypes: string[];
  coverageLevel: string;
  insuranceType: string;
  planDescription: string;
  network: string;
  period: string;
  /** EB07; written as an integer JSON number by jsonText, like every amount the product writes. */
  amountCents: bigint | null;
  /** EB08 as received: a fraction of one. */
  percent: string | null;
  /** The same as a percentage ('0.2' -> '20'). */
  percentage: string | null;
  quantityQualifier: string;
  quantity: string | null;
  authorizationRequired: string;
  dates: Array<{ qualifier: string; begin: string | null; end: string | null }>;
  messages: string[];
}

function benefitJson(b: Benefit): BenefitJson {
  return {
    type: b.type, serviceTypes: b.serviceTypes, coverageLevel: b.coverageLevel, insuranceType: b.insuranceType,
    planDescription: b.planDescription, network: b.network, period: b.period,
    amountCents: b.amountCents,
    percent: b.percent, percentage: b.percent === null ? null : percentOf(b.percent),
    quantityQualifier: b.quantityQualifier, quantity: b.quantity, authorizationRequired: b.authorizationRequired,
    dates: b.dates.map((d) => ({ qualifier: d.qualifier, begin: d.begin, end: d.end })), messages: b.messages,
  };
}

/** The answer as JSON: the contract of `--json` (documented in the help). */
export function answerJson(memberId: string, payerId: string | null, date: string, serviceType: string, snapshot: StoredSnapshot | null, answer: CoverageAnswer, others: StoredSnapshot[]): Record<string, unknown> {
  return {
    memberId, payerId: snapshot?.payerId ?? payerId, payerName: snapshot?.payerName ?? null, date, serviceType,
    active: answer.active, reason: answer.reason, explanation: answer.explanation,
    planBegin: answer.planBegin, planEnd: answer.planEnd,
    person: snapshot ? { subject: snapshot.subject, relationship: snapshot.relationship, patientId: snapshot.patientId } : null,
    responseAt: snapshot?.responseAt ?? null,
    source: snapshot ? { file: snapshot.source.fileName, interchange: snapshot.source.interchange, set: snapshot.source.set, segmentIndex: snapshot.source.segmentIndex } : null,
    benefits: answer.benefits.map(benefitJson),
    rejections: answer.rejections.map((j) => ({
      reason: j.reason, reasonText: AAA_REASONS[j.reason] ?? null, followUp: j.followUp, followUpText: AAA_FOLLOW_UPS[j.followUp] ?? null, loop: j.loop,
    })),
    otherCoverages: others.map((o) => ({ payerId: o.payerId, subject: o.subject, relationship: o.relationship, patientId: o.patientId })),
  };
}

function text(j: Record<string, unknown>): string {
  const lines = [
    `member ${String(j.memberId)}  payer ${String(j.payerId ?? '-')}  date ${String(j.date)}  service type ${String(j.serviceType)}`,
    `active: ${j.active === null ? 'unknown' : j.active ? 'yes' : 'no'} (${String(j.explanation)})`,
  ];
  if (j.planBegin || j.planEnd) lines.push(`plan: ${String(j.planBegin ?? '…')} to ${String(j.planEnd ?? '…')}`);
  for (const b of j.benefits as BenefitJson[]) {
    const figure = b.amountCents !== null ? `$${formatDecimal(b.amountCents)}` : b.percentage !== null ? `${b.percentage}%` : b.quantity !== null ? `${b.quantity} ${b.quantityQualifier}` : '';
    lines.push(`  EB ${b.type.padEnd(2)} ${b.serviceTypes.join(',').padEnd(12)} ${b.coverageLevel.padEnd(4)} net ${b.network || '-'} period ${b.period || '-'} ${figure} ${b.planDescription}`.trimEnd());
  }
  for (const r of j.rejections as Array<Record<string, string | null>>) {
    lines.push(`  rejected at ${r.loop}: ${r.reason} ${r.reasonText ?? ''}; follow-up ${r.followUp} ${r.followUpText ?? ''}`.trimEnd());
  }
  const others = j.otherCoverages as unknown[];
  if (others.length > 0) lines.push(`(${others.length} more coverage(s) on file for this member: use --payer or --dependent)`);
  return lines.join('\n') + '\n';
}

async function run(args: string[], ctx: CommandContext): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args, allowPositionals: true, strict: true,
      options: { payer: { type: 'string' }, date: { type: 'string' }, 'service-type': { type: 'string' }, dependent: { type: 'string' }, practice: { type: 'string' }, ...JSON_OPTION },
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const [memberId, ...extra] = parsed.positionals;
  if (!memberId) throw new UsageError('missing MEMBER_ID');
  if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0]}'`);
  const date = parsed.values.date ?? ctx.clock.today();
  if (!isIsoDate(date)) throw new UsageError(`--date ${date} is not a YYYY-MM-DD date`);
  const serviceType = parsed.values['service-type'] ?? '30';
  if (!/^[A-Z0-9]{1,2}$/.test(serviceType)) throw new UsageError(`--service-type ${serviceType} is not a service type code`);
  const payerId = parsed.values.payer ?? null;
  const dependent = parsed.values.dependent?.toUpperCase() ?? null;

  const db = await openDatabase({ logger: ctx.logger, migrate: true });
  try {
    const practice = await checkPracticeOption(db.pool, parsed.values.practice);
    const scope = practice === undefined ? undefined : eligibilityScope(await loadPracticeDirectory(db.pool), practice);
    const all = await currentSnapshotsForMember(db.pool, memberId, payerId, scope);
    await recordAudit(db.pool, { command: 'eligibility', action: 'read', accounts: await accountsOfSnapshots(db.pool, all), ...(practice !== undefined && { practice }) });
    const fitting = all.filter((s) => (dependent === null ? s.subject === 'subscriber' : s.subject === 'dependent' && (s.firstName ?? '').toUpperCase() === dependent));
    const snapshot = fitting[0] ?? null;
    const answer = answerCoverage(snapshot, date, serviceType);
    const json = answerJson(memberId, payerId, date, serviceType, snapshot, answer, all.filter((s) => s !== snapshot));
    if (parsed.values.json) writeJson(ctx, json);
    else ctx.stdout.write(text(json));
    return ExitCode.ok;
  } finally {
    await db.close();
  }
}

export const eligibilityCommand: Command = {
  name: 'eligibility',
  summary: 'Is a member covered on a date for a service type, and for how much (from 271s on file)',
  help: HELP,
  run,
};
