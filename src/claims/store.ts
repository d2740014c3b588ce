// The Postgres adapter for claims out: reads the chains a batch touches, and records a batch of claims in one
// transaction (patients, guarantors and coverages brought up to date, claims and lines as sent, their status
// history, the crosswalk versions used, and the charges posted to the ledger), then marks claims submitted
// once their interchange is complete in the outbox.
import type pg from 'pg';
import { ClaimsError } from '../common/errors.ts';
import { withTransaction } from '../runtime/database.ts';
import { postBatchInTransaction } from '../ledger/post.ts';
import { failpoint } from '../runtime/failpoints.ts';
import { lockFolder, type FolderLock } from '../runtime/folder-lock.ts';
import type { Logger } from '../runtime/logger.ts';
import type { Entry } from '../ledger/types.ts';
import { canonicalJson, sha256Hex } from '../common/content-hash.ts';
import type { ExistingClaim } from './decide.ts';
import { chainKey } from './decide.ts';
import type { MappedClaim } from '../domain/mapped-claim.ts';
import type { OutboundFile, Placement } from './outbox.ts';
import { chargeEntry, chargeEntryKey, NO_CHAIN, postedAfter, type ChainState } from './posting-rules.ts';
import { SQL } from './sql.ts';
import type { CoverageVerdict } from './coverage-gate.ts';
import { loadPracticeDirectory } from '../runtime/practices.ts';
import type { PracticeDirectory } from '../domain/practice.ts';
import type { PayerProfile } from '../domain/payer-profile.ts';
import { recordPayers } from './payer-rules.ts';
import { replaceCoverages } from './coverages.ts';
import { chargeCreditEntries } from './payer-credit-store.ts';
import { heldOfPractice, practiceVerdicts, type PracticeVerdict } from './claim-practice.ts';
export type { PracticeVerdict } from './claim-practice.ts';

export interface SentClaim {
  mapped: MappedClaim;
  placement: Placement;
}

export interface ResentClaim extends SentClaim {
  claimId: string;
  why: 'incomplete-file' | 'resubmit';
}

/** A claim found already sent (same key and content). */
export interface DuplicateClaim {
  mapped: MappedClaim;
  /** claims.id when it was sent by an earlier run; null when sent earlier in this batch. */
  claimId: string | null;
}

/** A claim held back on coverage in this batch. */
export interface HeldClaim {
  mapped: MappedClaim;
  /** The export file it came from (for a re-checked hold: the file it first came from). */
  file: string;
  verdict: CoverageVerdict;
}

/** A claim held by an earlier run, as stored: its validated record goes through submit again. */
export interface HeldRecord {
  holdId: string;
  record: unknown;
  file: string;
  exportRecord: number;
}

export interface RecordBatch {
  sent: SentClaim[];
  resent: ResentClaim[];
  /** Claims that were only seen (duplicates, holds, conflicts) still refresh demographics. */
  seen: MappedClaim[];
  duplicates?: DuplicateClaim[];
  held?: HeldClaim[];
  /** Holds of earlier runs refused this time (claim_holds.id). */
  rejectedHolds?: string[];
  /** The chains' claims as read before deciding (ExistingClaim rows). */
  existing: readonly ExistingClaim[];
  effectiveDate: string;
  at: Date;
}

export interface ClaimStore {
  lookupChains(claims: readonly MappedClaim[]): Promise<ExistingClaim[]>;
  /**
   * The practice of each claim (by billing NPI, then tax id), or why it has none: no registered practice has
   * them, or its patient or guarantor account is another practice's. Claims recorded later take this practice.
   */
  practicesOf(claims: readonly MappedClaim[]): Promise<PracticeVerdict[]>;
  /** Record the payers' kinds and rules (the `payers` table) for statements and reports. */
  recordPayers(profiles: Iterable<PayerProfile>): Promise<void>;
  /** The registered practices (read once per store). */
  practiceDirectory(): Promise<PracticeDirectory>;
  /** Claims still held by earlier runs, oldest first; of one practice (by billing provider) when given. */
  heldClaims(practiceId?: string): Promise<HeldRecord[]>;
  openFile(file: { fileName: string; payerId: string; senderId: string; receiverId: string; isa13: string }): Promise<void>;
  recordBatch(batch: RecordBatch): Promise<{ entriesPosted: number; claimIds: string[] }>;
  completeFiles(files: readonly OutboundFile[], at: Date): Promise<void>;
  abandonFiles(fileNames: readonly string[]): Promise<void>;
  /** The recorded state ('writing' | 'sent' | 'abandoned') of these outbound files, by name; unknown names are absent. */
  fileStates(fileNames: readonly string[]): Promise<Map<string, string>>;
  /** This process alone writes 837s into (and recovers) the outbox `dir` until release: OUTBOX_BUSY after `waitMs`. */
  lockOutbox(dir: string, opts: { waitMs: number; logger?: Logger; signal?: AbortSignal }): Promise<FolderLock>;
}

const opt = <T>(v: T | undefined): T | null => (v === undefined ? null : v);

export function postgresClaimStore(pool: pg.Pool): ClaimStore {
  const crosswalkIds = new Map<string, string>();
  let directory: PracticeDirectory | undefined;
  const practices = async (): Promise<PracticeDirectory> => (directory ??= await loadPracticeDirectory(pool));
  const practiceOf = new WeakMap<MappedClaim, string>();
  const practiceFor = (m: MappedClaim): string => {
    const p = practiceOf.get(m);
    if (p === undefined) throw new Error(`claim ${m.claim.record.claimId} reached the store without its practice (practicesOf first)`);
    return p;
  };

  async function crosswalkId(client: pg.PoolClient, mapped: MappedClaim): Promise<string> {
    const cacheKey = `${mapped.payer.payerId}:${mapped.crosswalk.sha256}`;
    let id = crosswalkIds.get(cacheKey);
    if (id === undefined) {
      const { rows } = await client.query<{ id: string }>(SQL.upsertCrosswalk, [
        mapped.payer.payerId, mapped.crosswalk.label, mapped.crosswalk.sha256, canonicalJson(mapped.payer.crosswalk),
      ]);
      id = rows[0]!.id;
      crosswalkIds.set(cacheKey, id);
    }
    return id;
  }

  return {
    async lookupChains(claims) {
      const npis = claims.map((m) => m.claim.record.billingProvider.npi);
      const pcns = claims.map((m) => m.claim.record.patientControlNumber);
      const { rows } = await pool.query<{
        id: string; billing_npi: string; patient_control_number: string; frequency: string; content_sha256: string;
        status: string; posted_charge_cents: string; primary_payer_id: string; file_state: string | null; file_name: string | null;
      }>(SQL.chains, [npis, pcns]);
      return rows.map((r) => ({
        id: r.id,
        billingNpi: r.billing_npi,
        patientControlNumber: r.patient_control_number,
        frequency: r.frequency,
        contentSha256: r.content_sha256,
        status: r.status,
        postedChargeCents: BigInt(r.posted_charge_cents),
        primaryPayerId: r.primary_payer_id,
        fileState: r.file_state,
        fileName: r.file_name,
      }));
    },

    practicesOf: async (claims) => practiceVerdicts(pool, await practices(), claims, practiceOf),
    practiceDirectory: practices,
    recordPayers: (profiles) => recordPayers(pool, profiles),

    async heldClaims(practiceId) {
      const { rows } = await pool.query<{ id: string; record: unknown; source_file: string; export_record: number }>(SQL.openHolds);
      const mine = practiceId === undefined ? rows : heldOfPractice(rows, await practices(), practiceId);
      return mine.map((r) => ({ holdId: r.id, record: r.record, file: r.source_file, exportRecord: r.export_record }));
    },

    async openFile(f) {
      await pool.query(SQL.openFile, [f.fileName, f.payerId, f.senderId, f.receiverId, f.isa13]);
    },

    async recordBatch(batch) {
      const recorded = await withTransaction(pool, async (client) => {
        await upsertPeople(client, [...batch.seen, ...batch.sent.map((s) => s.mapped), ...batch.resent.map((s) => s.mapped)], practiceFor, batch.effectiveDate);
        const claimIds = await insertClaims(client, batch.sent, (m) => crosswalkId(client, m), practiceFor);

        const entries = chargeEntries(batch, claimIds, practiceFor);
        if (entries.length > 0) await postCharges(client, entries);

        if (batch.resent.length > 0) {
          await client.query(SQL.replaceClaims, [
            batch.resent.map((r) => r.claimId),
            batch.resent.map((r) => r.placement.fileName),
            batch.resent.map((r) => r.placement.isa13),
            batch.resent.map((r) => r.placement.gs06),
            batch.resent.map((r) => r.placement.st02),
            batch.resent.map((r) => r.mapped.record),
          ]);
          const resubmits = batch.resent.filter((r) => r.why === 'resubmit').map((r) => r.claimId);
          const retries = batch.resent.filter((r) => r.why === 'incomplete-file').map((r) => r.claimId);
          if (resubmits.length > 0) await client.query(SQL.insertHistory, [resubmits, batch.at.toISOString(), 'resubmit', 'sent again after a payer rejection']);
          if (retries.length > 0) await client.query(SQL.insertHistory, [retries, batch.at.toISOString(), 'submit', 'sent again: its earlier file never completed']);
        }
        if (claimIds.length > 0) await client.query(SQL.insertHistory, [claimIds, batch.at.toISOString(), 'submit', null]);
        await recordHolds(client, batch, claimIds);
        return { entriesPosted: entries.length, claimIds };
      }).catch(concurrentSend);
      // Claims pending and charges posted, their file not complete yet: a rerun must send them, post nothing.
      failpoint('claims.batch.after-commit');
      return recorded;
    },

    async completeFiles(files, at) {
      await withTransaction(pool, async (client) => {
        for (const f of files) {
          const { rows } = await client.query<{ id: string }>(SQL.completeFile, [f.fileName, f.sha256, f.claimCount, at.toISOString()]);
          const fileId = rows[0]?.id;
          if (fileId === undefined) continue;
          const submitted = await client.query<{ id: string }>(SQL.submitFileClaims, [fileId]);
          if (submitted.rows.length > 0) await client.query(SQL.insertHistory, [submitted.rows.map((r) => r.id), at.toISOString(), 'submit', `in ${f.fileName}`]);
        }
      });
    },

    async fileStates(fileNames) {
      const { rows } = await pool.query<{ file_name: string; state: string }>(SQL.fileStates, [fileNames]);
      return new Map(rows.map((r) => [r.file_name, r.state]));
    },

    async abandonFiles(fileNames) {
      if (fileNames.length > 0) await pool.query(SQL.abandonFiles, [fileNames]);
    },

    lockOutbox(dir, opts) {
      return lockFolder(pool, dir, { purpose: 'claims-outbox', busyCode: 'OUTBOX_BUSY', ...opts });
    },
  };
}


/**
 * Post a batch's charges, each void or replacement of a claim already paid followed by its payer-credit step
 * (the payer's receivable of the replaced claim would be below zero: claims/payer-credit.ts). The batch key
 * is the charges' keys: the steps follow from them and the ledger as it was.
 */
async function postCharges(client: pg.PoolClient, charges: Entry[]): Promise<void> {
  const credits = await chargeCreditEntries(client, charges);
  const batchKey = `claims.submit:${sha256Hex(charges.map((e) => e.key).join('\n'))}`;
  await postBatchInTransaction(client, { key: batchKey, entries: [...charges, ...credits] });
}

/** Charges: the new claims in export order, each chain's state carried forward, each in its claim's practice. */
function chargeEntries(batch: RecordBatch, claimIds: readonly string[], practiceFor: (m: MappedClaim) => string): Entry[] {
  const heads = new Map<string, ChainState>();
  for (const c of batch.existing) {
    heads.set(chainKey(c.billingNpi, c.patientControlNumber), { postedChargeCents: c.postedChargeCents, payerId: c.primaryPayerId, claimId: c.id });
  }
  const entries: Entry[] = [];
  batch.sent.forEach(({ mapped }, i) => {
    const rec = mapped.claim.record;
    const k = chainKey(rec.billingProvider.npi, rec.patientControlNumber);
    const entry = chargeEntry(mapped, heads.get(k) ?? NO_CHAIN, batch.effectiveDate, claimIds[i]!, practiceFor(mapped));
    if (entry) entries.push(entry);
    heads.set(k, { postedChargeCents: postedAfter(mapped), payerId: mapped.payer.payerId, claimId: claimIds[i]! });
  });
  return entries;
}

async function upsertPeople(client: pg.PoolClient, claims: readonly MappedClaim[], practiceFor: (m: MappedClaim) => string, today: string): Promise<void> {
  if (claims.length === 0) return;
  // The last record of the batch wins for each person: a later export updates demographics.
  const guarantors = new Map<string, MappedClaim['claim']['record']['guarantor']>();
  const practices = new Map<string, string>();
  const patients = new Map<string, { p: MappedClaim['claim']['record']['patient']; account: string; coverages: MappedClaim['claim']['record']['coverages'] }>();
  for (const m of claims) {
    const rec = m.claim.record;
    guarantors.set(rec.guarantor.accountNumber, rec.guarantor);
    practices.set(rec.guarantor.accountNumber, practiceFor(m));
    patients.set(rec.patient.patientId, { p: rec.patient, account: rec.guarantor.accountNumber, coverages: rec.coverages });
  }
  const g = [...guarantors.values()];
  await client.query(SQL.upsertGuarantors, [
    g.map((x) => x.accountNumber), g.map((x) => x.lastName), g.map((x) => x.firstName), g.map((x) => x.address.line1),
    g.map((x) => opt(x.address.line2)), g.map((x) => x.address.city), g.map((x) => x.address.state), g.map((x) => x.address.postalCode),
    g.map((x) => opt(x.phone)), g.map((x) => opt(x.email)), g.map((x) => practices.get(x.accountNumber)!),
  ]);
  const p = [...patients.values()];
  await client.query(SQL.upsertPatients, [
    p.map((x) => x.p.patientId), p.map((x) => x.account), p.map((x) => x.p.lastName), p.map((x) => x.p.firstName),
    p.map((x) => opt(x.p.middleName)), p.map((x) => x.p.birthDate), p.map((x) => x.p.sex), p.map((x) => x.p.address.line1),
    p.map((x) => opt(x.p.address.line2)), p.map((x) => x.p.address.city), p.map((x) => x.p.address.state),
    p.map((x) => x.p.address.postalCode), p.map((x) => opt(x.p.phone)), p.map((x) => opt(x.p.email)),
  ]);
  await replaceCoverages(client, p.map((x) => ({ patientId: x.p.patientId, coverages: x.coverages })), today);
}

/** The unique keys of claims (schemas/db/0004): a claim with the same key and content, or a second original. */
const CLAIM_KEYS = new Set(['claims_billing_npi_patient_control_number_frequency_content_key', 'claims_one_original']);

/**
 * Another submit (into another outbox) recorded some of these claims between this one's decision and its
 * insert. Nothing of this batch was recorded and its file is dropped; a rerun finds them already sent.
 */
function concurrentSend(err: unknown): never {
  const e = err as { code?: string; constraint?: string; detail?: string };
  if (e.code === '23505' && e.constraint !== undefined && CLAIM_KEYS.has(e.constraint)) {
    const pcn = /\(billing_npi, patient_control_number[^)]*\)=\(\d+, ([^,)]+)/.exec(e.detail ?? '')?.[1];
    throw new ClaimsError({
      code: 'CLAIMS_SENT_CONCURRENTLY',
      message: `another submit recorded ${pcn ? `claim ${pcn}` : 'some of these claims'} as sent while this one was preparing it; nothing of this batch was recorded and its file was not published: run again and they are reported as already sent`,
    });
  }
  throw err;
}

async function insertClaims(client: pg.PoolClient, sent: readonly SentClaim[], crosswalkId: (m: MappedClaim) => Promise<string>, practiceFor: (m: MappedClaim) => string): Promise<string[]> {
  if (sent.length === 0) return [];
  const xw: string[] = [];
  for (const s of sent) xw.push(await crosswalkId(s.mapped));
  const col = <T>(f: (s: SentClaim) => T): T[] => sent.map(f);
  const rec = (s: SentClaim) => s.mapped.claim.record;
  const { rows } = await client.query<{ id: string; claim_key: string }>(SQL.insertClaims, [
    col((s) => rec(s).claimId), col((s) => rec(s).billingProvider.npi), col((s) => rec(s).patientControlNumber),
    col((s) => rec(s).frequency), col((s) => opt(rec(s).payerClaimNumber)), col((s) => rec(s).claimType),
    col((s) => s.mapped.contentHash), col((s) => rec(s).patient.patientId), col((s) => rec(s).guarantor.accountNumber),
    col((s) => rec(s).coverages[0]!.payerId), col((s) => opt(rec(s).coverages[1]?.payerId)), col((s) => opt(rec(s).coverages[2]?.payerId)),
    col((s) => s.mapped.claim.totalChargeCents.toString()), col((s) => postedAfter(s.mapped).toString()),
    col((s) => s.mapped.claim.firstServiceDate), col((s) => s.mapped.claim.lastServiceDate), xw,
    col((s) => chargeEntryKey(s.mapped)), col((s) => s.placement.fileName), col((s) => s.placement.isa13),
    col((s) => s.placement.gs06), col((s) => s.placement.st02), col((s) => s.mapped.record), col((s) => practiceFor(s.mapped)),
  ]);
  // RETURNING order is not promised: map the ids back by the claims' unique key.
  const byKey = new Map(rows.map((r) => [r.claim_key, r.id]));
  const ids = sent.map((s) => byKey.get(`${s.mapped.key}:${s.mapped.contentHash}`)!);
  const lines = sent.flatMap((s, i) => s.mapped.lines.map((l, j) => ({ claimId: ids[i]!, n: j + 1, l })));
  await client.query(SQL.insertLines, [
    lines.map((x) => x.claimId), lines.map((x) => x.n), lines.map((x) => x.l.lineControlNumber), lines.map((x) => x.l.procedureCode),
    lines.map((x) => x.l.modifiers.join(':')), lines.map((x) => x.l.sentProcedureCode), lines.map((x) => x.l.sentModifiers.join(':')),
    lines.map((x) => x.l.units), lines.map((x) => x.l.sentUnits), lines.map((x) => x.l.chargeCents.toString()),
    lines.map((x) => x.l.serviceDate), lines.map((x) => opt(x.l.revenueCode)), lines.map((x) => x.l.diagnosisPointers.join(':')),
    lines.map((x) => x.l.crosswalkEntry),
  ]);
  return ids;
}

/** Holds: new or still held ones stored, the ones whose claim went out released, refused ones closed. */
async function recordHolds(client: pg.PoolClient, batch: RecordBatch, claimIds: readonly string[]): Promise<void> {
  const at = batch.at.toISOString();
  const held = [...new Map((batch.held ?? []).map((h) => [`${h.mapped.key}:${h.mapped.contentHash}`, h])).values()];
  if (held.length > 0) {
    const rec = (h: HeldClaim) => h.mapped.claim.record;
    await client.query(SQL.upsertHolds, [
      held.map((h) => rec(h).billingProvider.npi), held.map((h) => rec(h).patientControlNumber), held.map((h) => rec(h).frequency),
      held.map((h) => h.mapped.contentHash), held.map((h) => rec(h).claimId), held.map((h) => rec(h).patient.patientId),
      held.map((h) => h.mapped.payer.payerId), held.map((h) => h.verdict.code), held.map((h) => h.verdict.reason),
      held.map((h) => h.verdict.dateOfService), held.map((h) => h.verdict.snapshotId?.toString() ?? null),
      held.map((h) => JSON.stringify(rec(h))), held.map((h) => h.file), held.map((h) => h.mapped.record), at,
    ]);
  }
  if ((batch.rejectedHolds ?? []).length > 0) await client.query(SQL.rejectHolds, [batch.rejectedHolds, at]);
  // Claims that went out, or were already out: any hold of theirs is over. Skipped when nothing is held.
  const out = [
    ...batch.sent.map((s, i) => ({ mapped: s.mapped, claimId: claimIds[i] ?? null })),
    ...batch.resent.map((r) => ({ mapped: r.mapped, claimId: r.claimId })),
    ...(batch.duplicates ?? []),
  ];
  if (out.length === 0) return;
  const { rows } = await client.query<{ any: boolean }>(SQL.anyHeld);
  if (!rows[0]?.any) return;
  const rec = (m: MappedClaim) => m.claim.record;
  await client.query(SQL.releaseHolds, [
    out.map((o) => rec(o.mapped).billingProvider.npi), out.map((o) => rec(o.mapped).patientControlNumber),
    out.map((o) => rec(o.mapped).frequency), out.map((o) => o.mapped.contentHash), out.map((o) => o.claimId), at,
  ]);
}
