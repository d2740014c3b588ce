// The posting API: writes a batch of journal entries exactly once, all or nothing (the Postgres adapter
// around prepare.ts and copy-format.ts). In one transaction it claims the batch key with one row, finds
// or creates the accounts in one statement, then COPYs the entries and their lines straight into the
// ledger tables: exactly-once costs one row, not a second pass over every line.
// Why this shape, and the alternatives measured: docs/decisions/0003-ledger-posting-exactly-once-with-copy.md.
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { sha256Hasher } from '../common/content-hash.ts';
import { ClaimsError } from '../common/errors.ts';
import type { ErrorCode } from '../common/error-codes.ts';
import { failpoint } from '../runtime/failpoints.ts';
import { logger } from '../runtime/logger.ts';
import { withTransaction } from '../runtime/database.ts';
import { prepareBatch } from './prepare.ts';
import type { PreparedBatch } from './types.ts';
import { entryCopyChunks, lineCopyChunks } from './copy-format.ts';
import { ACCOUNT_PRACTICES, BATCH_BY_KEY, CLAIM_BATCH, COPY_ENTRIES, COPY_LINES, RESOLVE_ACCOUNTS } from './sql.ts';
import type { PostingBatch, PostingOutcome } from './types.ts';

/** Anything that holds a pool: the `Database` from runtime/database.ts, or a bare pg.Pool. */
export type PoolSource = pg.Pool | { pool: pg.Pool };

export function poolOf(db: PoolSource): pg.Pool {
  return 'pool' in db ? db.pool : db;
}

/** The content hash of a batch: SHA-256 of its canonical text (canonical.ts), lowercase hex. */
export function batchContentHash(batch: PostingBatch): string {
  return prepareWithHash(batch).contentSha256;
}

interface HashedBatch extends PreparedBatch {
  contentSha256: string;
}

/** Canonical text handed to the hash in pieces of about this many characters (one call per entry costs more). */
const HASH_PIECE_CHARS = 1 << 16;

function prepareWithHash(batch: PostingBatch): HashedBatch {
  const hash = sha256Hasher();
  let pending = '';
  const prepared = prepareBatch(batch, (text) => {
    pending += text;
    if (pending.length >= HASH_PIECE_CHARS) {
      hash.update(pending);
      pending = '';
    }
  });
  if (pending !== '') hash.update(pending);
  return { ...prepared, contentSha256: hash.hex() };
}

/**
 * Post `batch` in its own transaction. 'posted' when written now; 'duplicate' when a batch with the
 * same key and the same content was posted before (nothing is written). Throws LEDGER_KEY_CONFLICT when
 * the key exists with different content, and a ClaimsError naming the field for an invalid batch.
 */
export async function postBatch(db: PoolSource, given: PostingBatch): Promise<PostingOutcome> {
  const batch = await placeInPractices(poolOf(db), given);
  const prepared = prepareWithHash(batch); // invalid input fails before a connection is taken
  try {
    const outcome = await withTransaction(poolOf(db), (client) => postPrepared(client, prepared), {
      // A replay claimed nothing and wrote nothing: there is nothing to commit.
      rollbackWhen: (o) => o === 'duplicate',
      beforeCommit: () => failpoint('ledger.post.before-commit'),
    });
    if (outcome === 'posted') failpoint('ledger.post.after-commit');
    return outcome;
  } catch (err) {
    // Outside the transaction, so a refusal by the batch check deferred to COMMIT is named too.
    throw ledgerDatabaseError(err, batch.key);
  }
}

/**
 * Post `batch` inside the caller's open transaction (the caller commits). Same outcomes as postBatch.
 * After a thrown database error the transaction is aborted and the caller must roll back.
 */
export async function postBatchInTransaction(client: pg.ClientBase, batch: PostingBatch): Promise<PostingOutcome> {
  return postPrepared(client, prepareWithHash(await placeInPractices(client, batch)));
}

/**
 * A batch that names no practice, with lines on guarantor accounts (patient payments, statement moves,
 * referrals, refunds): each entry goes to the practice of the guarantor account it touches, the other lines
 * of the entry with it. Entries touching no guarantor account, and batches that name their practice (the
 * claims and 835 postings do), are left as they are: one query only for the batches that need it.
 */
export async function placeInPractices(db: Pick<pg.ClientBase, 'query'>, batch: PostingBatch): Promise<PostingBatch> {
  if (batch.practiceId !== undefined || !Array.isArray(batch.entries)) return batch;
  const patients = new Set<string>();
  for (const e of batch.entries) {
    if (!Array.isArray(e?.lines)) continue;
    for (const l of e.lines) {
      const a = l?.account;
      if (a && (a.practiceId === undefined || a.practiceId === null) && typeof a.patientId === 'string') patients.add(a.patientId);
    }
  }
  if (patients.size === 0) return batch;
  const { rows } = await db.query<{ account_number: string; practice_id: string }>(ACCOUNT_PRACTICES, [[...patients]]);
  if (rows.length === 0) return batch;
  const practiceOf = new Map(rows.map((r) => [r.account_number, r.practice_id]));
  return {
    ...batch,
    entries: batch.entries.map((e) => {
      const named = e.lines.find((l) => l.account.practiceId == null && l.account.patientId != null && practiceOf.has(l.account.patientId));
      if (named === undefined) return e;
      const practiceId = practiceOf.get(named.account.patientId!)!;
      return { ...e, lines: e.lines.map((l) => (l.account.practiceId == null ? { ...l, account: { ...l.account, practiceId } } : l)) };
    }),
  };
}

async function postPrepared(client: pg.ClientBase, prepared: HashedBatch): Promise<PostingOutcome> {
  const { batch } = prepared;
  const started = performance.now();
  failpoint('ledger.post.before-claim');
  const claimed = await client.query<{ id: string }>(CLAIM_BATCH, [
    batch.key, prepared.contentSha256, batch.entries.length, prepared.lineCount,
  ]);
  const batchId = claimed.rows[0]?.id;
  if (batchId === undefined) return existingBatchOutcome(client, prepared);
  failpoint('ledger.post.after-claim');

  const claimedAt = performance.now();
  const accountIds = await resolveAccounts(client, prepared);
  const accountsAt = performance.now();
  let entriesAt: number;
  try {
    await pipeline(Readable.from(entryCopyChunks(batchId, prepared), { highWaterMark: 1 }), client.query(copyFrom(COPY_ENTRIES)));
    entriesAt = performance.now();
    await pipeline(
      Readable.from(withMidCopyFailpoint(lineCopyChunks(batchId, prepared, accountIds)), { highWaterMark: 1 }),
      client.query(copyFrom(COPY_LINES)),
    );
  } catch (err) {
    throw ledgerDatabaseError(err, batch.key);
  }
  const ms = (from: number, to: number): number => Math.round(to - from);
  logger().debug({
    batchKey: batch.key, batchId, entries: batch.entries.length, lines: prepared.lineCount, accounts: accountIds.length,
    ms: { claim: ms(started, claimedAt), accounts: ms(claimedAt, accountsAt), copyEntries: ms(accountsAt, entriesAt), copyLines: ms(entriesAt, performance.now()) },
  }, 'ledger batch written');
  return 'posted';
}

async function existingBatchOutcome(client: pg.ClientBase, prepared: HashedBatch): Promise<PostingOutcome> {
  // ON CONFLICT waited for the other transaction to commit, so this statement's snapshot sees its row.
  const existing = await client.query<{ content_sha256: string }>(BATCH_BY_KEY, [prepared.batch.key]);
  const row = existing.rows[0];
  if (row === undefined) {
    throw new ClaimsError({ code: 'LEDGER_KEY_RACE', message: `batch ${prepared.batch.key} was claimed but is not visible; retry` });
  }
  if (row.content_sha256 === prepared.contentSha256) return 'duplicate';
  throw new ClaimsError({
    code: 'LEDGER_KEY_CONFLICT',
    message: `batch key ${prepared.batch.key} was already posted with different content`,
    expected: `content sha256 ${row.content_sha256} (as posted)`,
    found: `content sha256 ${prepared.contentSha256}`,
  });
}

async function resolveAccounts(client: pg.ClientBase, prepared: PreparedBatch): Promise<string[]> {
  const ids: (string | undefined)[] = new Array(prepared.accounts.length).fill(undefined);
  // A NULL id means another transaction created that account after our snapshot: ask again for those.
  for (let attempt = 0; attempt < 5; attempt++) {
    const wanted = prepared.lockOrder.filter((n) => ids[n] === undefined);
    if (wanted.length === 0) return ids as string[];
    const refs = wanted.map((n) => prepared.accounts[n]!);
    const result = await client.query<{ position: number; id: string | null }>(RESOLVE_ACCOUNTS, [
      refs.map((a) => a.kind), refs.map((a) => a.payerId ?? null), refs.map((a) => a.patientId ?? null), refs.map((a) => a.practiceId),
    ]);
    for (const row of result.rows) {
      if (row.id !== null) ids[wanted[row.position - 1]!] = row.id;
    }
  }
  throw new ClaimsError({ code: 'LEDGER_ACCOUNT_RACE', message: `batch ${prepared.batch.key}: accounts could not be resolved after 5 attempts` });
}

/** The mid-copy crash point: after two chunks went out (or at the end of a smaller batch, before COPY ends). */
function* withMidCopyFailpoint(chunks: Iterable<string>): Generator<string> {
  let sent = 0;
  for (const chunk of chunks) {
    yield chunk;
    if (++sent === 2) failpoint('ledger.post.mid-copy');
  }
  if (sent < 2) failpoint('ledger.post.mid-copy');
}

/** Database refusals raised by the ledger's triggers carry their code as a message prefix. */
export function ledgerDatabaseError(err: unknown, batchKey: string): unknown {
  const e = err as { message?: string; code?: string; constraint?: string; detail?: string };
  const coded = typeof e.message === 'string' ? /^(LEDGER_[A-Z_]+): (.*)$/s.exec(e.message) : null;
  if (coded) {
    // The triggers' codes are in ERROR_CODES (its database group); the schema, not tsc, keeps them so.
    return new ClaimsError({ code: coded[1] as ErrorCode, message: `batch ${batchKey}: ${coded[2]}`, cause: err });
  }
  if (e.code === '23505' && e.constraint === 'entries_key') {
    const key = /=\((.*)\) already exists/s.exec(e.detail ?? '')?.[1];
    return new ClaimsError({
      code: 'LEDGER_ENTRY_KEY_CONFLICT',
      message: `batch ${batchKey}: entry key ${key ?? '(unknown)'} was already posted by another batch`,
      cause: err,
    });
  }
  return err;
}
