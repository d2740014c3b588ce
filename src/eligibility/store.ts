// The eligibility store: 271 records into Postgres as coverage snapshots (content-keyed, so a redelivery
// adds nothing; superseded per person and payer with history kept; matched to patients when exactly one
// fits), and snapshots back out as the plain facts the coverage question reads. Adapter code: the rules
// live in src/domain/eligibility.ts and coverage.ts.
import type pg from 'pg';
import { sha256Hex } from '../common/content-hash.ts';
import {
  coverageKey,
  type Benefit,
  type EligibilityDate,
  type EligibilityRejection,
  type EligibilityResponse,
  type EligibilitySetRejection,
} from '../domain/eligibility.ts';
import { planWindow, type CoverageFacts } from './coverage.ts';
import { ELIGIBILITY_SQL as SQL } from './sql.ts';
import { scopeParameters, type EligibilityPracticeScope } from './practice-scope.ts';

export type Queryable = Pick<pg.ClientBase, 'query'>;

export interface FileOrigin {
  fileSha256?: string;
  fileName?: string;
}

export interface StoreResult {
  responsesInserted: number;
  responsesDuplicate: number;
  rejectionsInserted: number;
  /** Inserted responses that matched no single known patient. */
  unmatched: number;
  /** Snapshots that a newer one superseded in this call. */
  superseded: number;
}

function jsonReplacer(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}

/** What a response says, without where it was found: the same answer redelivered hashes the same. */
export function responseContentHash(r: EligibilityResponse): string {
  const { source: _source, ...content } = r;
  const benefits = content.benefits.map(({ segmentIndex: _s, rejections, ...b }) => ({
    ...b, rejections: rejections.map(({ segmentIndex: _i, ...j }) => j),
  }));
  const rejections = content.rejections.map(({ segmentIndex: _i, ...j }) => j);
  return sha256Hex(JSON.stringify({ ...content, benefits, rejections }, jsonReplacer));
}

function setRejectionHash(r: EligibilitySetRejection): string {
  const { rejection: { segmentIndex: _i, ...rejection }, source } = r;
  const content = { ...r, source: { interchange: source.interchange, set: source.set }, rejection };
  return sha256Hex(JSON.stringify(content));
}

function sourceColumns(origin: FileOrigin, src: EligibilityResponse['source']): Record<string, unknown> {
  return {
    file_sha256: origin.fileSha256 ?? src.fileSha256 ?? null,
    file_name: origin.fileName ?? src.fileName ?? null,
    isa13: src.interchange ?? null,
    gs06: src.group ?? null,
    st02: src.set ?? null,
    segment_index: src.segmentIndex,
  };
}

function rejectionRow(j: EligibilityRejection, extra: Record<string, unknown>): Record<string, unknown> {
  return { loop: j.loop, valid_request: j.validRequest, reason: j.reason, follow_up: j.followUp, segment_index: j.segmentIndex, ...extra };
}

const UNIT_SEPARATOR = '\u001f';

/** One array per eligibility_benefits column, in the order of SQL.insertBenefits' parameters. */
function benefitColumns(): unknown[][] {
  return Array.from({ length: 20 }, () => []);
}
function jsonOrEmpty(list: readonly unknown[]): string | null {
  return list.length === 0 ? null : JSON.stringify(list);
}
function pushBenefit(cols: unknown[][], responseId: string, ordinal: number, b: Benefit): void {
  const values = [
    responseId, ordinal, b.type, b.coverageLevel, b.serviceTypes.join(UNIT_SEPARATOR), b.insuranceType, b.planDescription,
    b.period, b.amountCents === null ? null : b.amountCents.toString(), b.percent, b.quantityQualifier, b.quantity,
    b.authorizationRequired, b.network, b.procedure, jsonOrEmpty(b.dates), b.messages.join(UNIT_SEPARATOR),
    jsonOrEmpty(b.references), jsonOrEmpty(b.relatedEntities), b.segmentIndex,
  ];
  values.forEach((v, i) => cols[i]!.push(v));
}

/**
 * Store one batch of responses and rejections from a 271, in the caller's transaction. Safe to call again
 * with the same input: nothing is added the second time.
 */
export async function storeEligibility(
  client: Queryable,
  responses: readonly EligibilityResponse[],
  setRejections: readonly EligibilitySetRejection[] = [],
  origin: FileOrigin = {},
): Promise<StoreResult> {
  const result: StoreResult = { responsesInserted: 0, responsesDuplicate: 0, rejectionsInserted: 0, unmatched: 0, superseded: 0 };
  if (responses.length > 0) {
    const hashes = responses.map(responseContentHash);
    const keys = [...new Set(responses.map(coverageKey))];
    await client.query(SQL.lockCoverageKeys, [keys]);
    const rows = responses.map((r, i) => {
      const window = planWindow(r.dates);
      return {
        content_sha256: hashes[i], coverage_key: coverageKey(r), payer_id: r.payer.id ?? '', payer_name: r.payer.lastName,
        provider_id: r.provider.id ?? null, provider_id_qualifier: r.provider.idQualifier ?? null, provider_name: r.provider.lastName,
        member_id: r.subscriber.id ?? '', subject: r.subject, last_name: r.person.lastName, first_name: r.person.firstName ?? null,
        middle_name: r.person.middleName ?? null, birth_date: r.birthDate, gender: r.gender || null, relationship: r.relationship,
        reference: r.reference, response_at: r.responseAt, trace_numbers: r.traces.map((t) => t.number),
        plan_begin: window.begin, plan_end: window.end, dates: r.dates, refs: r.references, ...sourceColumns(origin, r.source),
      };
    });
    const inserted = await client.query<{ id: bigint; content_sha256: string }>(SQL.insertResponses, [JSON.stringify(rows)]);
    result.responsesInserted = inserted.rowCount ?? 0;
    result.responsesDuplicate = responses.length - result.responsesInserted;
    const idByHash = new Map(inserted.rows.map((row) => [row.content_sha256, row.id]));
    const benefits = benefitColumns();
    const rejections: Record<string, unknown>[] = [];
    responses.forEach((r, i) => {
      const id = idByHash.get(hashes[i]!);
      if (id === undefined) return;
      idByHash.delete(hashes[i]!); // the same response twice in one batch is stored once
      r.benefits.forEach((b, ordinal) => pushBenefit(benefits, id.toString(), ordinal, b));
      for (const j of r.rejections) {
        const ordinal = r.benefits.findIndex((b) => b.rejections.includes(j));
        rejections.push(rejectionRow(j, {
          response_id: id.toString(), content_sha256: null, benefit_ordinal: ordinal < 0 ? null : ordinal,
          payer_id: r.payer.id ?? null, provider_id: r.provider.id ?? null, reference: r.reference, response_at: r.responseAt,
          ...sourceColumns(origin, r.source), segment_index: j.segmentIndex,
        }));
      }
    });
    if (benefits[0]!.length > 0) await client.query(SQL.insertBenefits, benefits);
    if (rejections.length > 0) {
      const res = await client.query(SQL.insertRejections, [JSON.stringify(rejections)]);
      result.rejectionsInserted += res.rowCount ?? 0;
    }
    const ids = inserted.rows.map((row) => row.id.toString());
    if (ids.length > 0) {
      const matched = await client.query(SQL.matchPatients, [ids]);
      result.unmatched = ids.length - (matched.rowCount ?? 0);
      const sup = await client.query(SQL.supersede, [keys]);
      result.superseded = sup.rowCount ?? 0;
    }
  }
  if (setRejections.length > 0) {
    const rows = setRejections.map((r) => rejectionRow(r.rejection, {
      response_id: null, content_sha256: setRejectionHash(r), benefit_ordinal: null, payer_id: r.payer?.id ?? null,
      provider_id: r.provider?.id ?? null, reference: r.reference, response_at: r.responseAt, ...sourceColumns(origin, r.source),
    }));
    const res = await client.query(SQL.insertRejections, [JSON.stringify(rows)]);
    result.rejectionsInserted += res.rowCount ?? 0;
  }
  return result;
}

// ---- reading snapshots back ----------------------------------------------------------------------------

/** A stored snapshot: the facts the coverage question needs, and who and where it is about. */
export interface StoredSnapshot extends CoverageFacts {
  id: bigint;
  coverageKey: string;
  payerId: string;
  payerName: string;
  providerId: string | null;
  memberId: string;
  subject: 'subscriber' | 'dependent';
  lastName: string;
  firstName: string | null;
  birthDate: string | null;
  relationship: string;
  patientId: string | null;
  responseAt: string | null;
  planBegin: string | null;
  planEnd: string | null;
  traceNumbers: string[];
  source: { fileSha256: string | null; fileName: string | null; interchange: string | null; group: string | null; set: string | null; segmentIndex: number };
}

type Row = Record<string, unknown>;

function isoDate(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return v.toISOString().slice(0, 10);
  return String(v).slice(0, 10);
}
function isoTime(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  return v instanceof Date ? v.toISOString() : String(v);
}

function benefitOf(row: Row, rejections: EligibilityRejection[]): Benefit {
  return {
    type: row.benefit_type as string, coverageLevel: row.coverage_level as string, serviceTypes: row.service_types as string[],
    insuranceType: row.insurance_type as string, planDescription: row.plan_description as string, period: row.period as string,
    amountCents: (row.amount_cents as bigint | null) ?? null, percent: (row.percent as string | null) ?? null,
    quantityQualifier: row.quantity_qualifier as string, quantity: (row.quantity as string | null) ?? null,
    authorizationRequired: row.authorization_required as string, network: row.network as string, procedure: row.procedure as string,
    dates: row.dates as EligibilityDate[], messages: row.messages as string[], references: row.refs as Benefit['references'],
    rejections, relatedEntities: row.related_entities as Benefit['relatedEntities'], segmentIndex: row.segment_index as number,
  };
}

/** Turn response rows into snapshots with their benefits and rejections (two queries for any number). */
export async function hydrateSnapshots(client: Queryable, rows: readonly Row[]): Promise<StoredSnapshot[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => String(r.id));
  const [benefitRows, rejectionRows] = await Promise.all([
    client.query(SQL.benefitsOf, [ids]),
    client.query(SQL.rejectionsOf, [ids]),
  ]);
  const rejectionsBy = new Map<string, Array<{ rejection: EligibilityRejection; ordinal: number | null }>>();
  for (const j of rejectionRows.rows as Row[]) {
    const list = rejectionsBy.get(String(j.response_id)) ?? [];
    list.push({
      rejection: { loop: j.loop as string, validRequest: j.valid_request as string, reason: j.reason as string, followUp: j.follow_up as string, segmentIndex: j.segment_index as number },
      ordinal: (j.benefit_ordinal as number | null) ?? null,
    });
    rejectionsBy.set(String(j.response_id), list);
  }
  const benefitsBy = new Map<string, Benefit[]>();
  for (const b of benefitRows.rows as Row[]) {
    const key = String(b.response_id);
    const own = (rejectionsBy.get(key) ?? []).filter((j) => j.ordinal === b.ordinal).map((j) => j.rejection);
    const list = benefitsBy.get(key) ?? [];
    list.push(benefitOf(b, own));
    benefitsBy.set(key, list);
  }
  return rows.map((r) => ({
    id: r.id as bigint, coverageKey: r.coverage_key as string, payerId: r.payer_id as string, payerName: r.payer_name as string,
    providerId: (r.provider_id as string | null) ?? null, memberId: r.member_id as string,
    subject: r.subject as 'subscriber' | 'dependent', lastName: r.last_name as string, firstName: (r.first_name as string | null) ?? null,
    birthDate: isoDate(r.birth_date), relationship: r.relationship as string, patientId: (r.patient_id as string | null) ?? null,
    responseAt: isoTime(r.response_at), planBegin: isoDate(r.plan_begin), planEnd: isoDate(r.plan_end),
    traceNumbers: r.trace_numbers as string[],
    dates: r.dates as EligibilityDate[],
    benefits: benefitsBy.get(String(r.id)) ?? [],
    rejections: (rejectionsBy.get(String(r.id)) ?? []).map((j) => j.rejection),
    source: {
      fileSha256: (r.file_sha256 as string | null) ?? null, fileName: (r.file_name as string | null) ?? null,
      interchange: (r.isa13 as string | null) ?? null, group: (r.gs06 as string | null) ?? null, set: (r.st02 as string | null) ?? null,
      segmentIndex: r.segment_index as number,
    },
  }));
}

/**
 * Current snapshots for a member id (subscriber and dependents), optionally for one payer and one practice
 * (./practice-scope.ts); newest first.
 */
export async function currentSnapshotsForMember(client: Queryable, memberId: string, payerId: string | null = null, scope?: EligibilityPracticeScope): Promise<StoredSnapshot[]> {
  const res = await client.query(SQL.currentByMember, [memberId, payerId, ...scopeParameters(scope)]);
  return hydrateSnapshots(client, res.rows as Row[]);
}

/** The guarantor accounts of the patients these snapshots matched (for the audit trail). */
export async function accountsOfSnapshots(client: Queryable, snapshots: readonly StoredSnapshot[]): Promise<string[]> {
  const patients = [...new Set(snapshots.flatMap((s) => (s.patientId === null ? [] : [s.patientId])))];
  if (patients.length === 0) return [];
  return (await client.query<{ account_number: string }>(SQL.accountsOfPatients, [patients])).rows.map((r) => r.account_number);
}
