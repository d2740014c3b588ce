// Validation and preparation of a posting batch, before anything touches the database (pure: no I/O).
// One pass over the batch checks every rule the database also enforces (so an error names the entry and
// field instead of quoting a trigger), numbers the distinct accounts, and emits the batch's canonical
// text for the content hash. It runs once per line of million-line batches, so the hot loop builds no
// strings unless a check fails.
import { isIsoDate } from '../common/dates.ts';
import { ClaimsError } from '../common/errors.ts';
import type { ErrorCode } from '../common/error-codes.ts';
import { ACCOUNT_KINDS, DEFAULT_PRACTICE, type AccountRef, type Entry, type EntryLine, type PostingBatch, type PreparedBatch } from './types.ts';
import { CANONICAL_HEADER, canonicalAccountRow, canonicalEntryRow, canonicalLineRow } from './canonical.ts';

/** Limits on everything (TigerBeetle style); the schema enforces the same numbers. */
export const LEDGER_LIMITS = {
  keyLengthMax: 200,
  linesPerEntryMax: 10_000,
  entriesPerBatchMax: 5_000_000,
  linesPerBatchMax: 20_000_000,
  textLengthMax: 1_000,
  controlNumberLengthMax: 20,
} as const;

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const SHA256_HEX = /^[0-9a-f]{64}$/;
const KINDS: ReadonlySet<string> = new Set(ACCOUNT_KINDS);

/** The identity of an account as one string: practice, kind, payer, patient (absent = empty). */
export function accountRefKey(ref: AccountRef): string {
  return `${ref.practiceId ?? ''}\u0001${ref.kind}\u0001${ref.payerId ?? ''}\u0001${ref.patientId ?? ''}`;
}

const PRACTICE_ID = /^[a-z0-9][a-z0-9_-]{0,39}$/;

function fail(code: ErrorCode, message: string, field: string, expected?: string, found?: string): never {
  throw new ClaimsError({
    code,
    message,
    location: { field },
    ...(expected !== undefined && { expected }),
    ...(found !== undefined && { found }),
  });
}

/** A text field Postgres can hold: a non-empty string without NUL, bounded length (or absent if optional). */
function textOk(value: unknown, required: boolean, max: number): boolean {
  if (value === undefined || value === null) return !required;
  return typeof value === 'string' && value !== '' && value.length <= max && !value.includes('\u0000');
}

function failText(value: unknown, field: string, max: number): never {
  if (value === undefined || value === null) fail('LEDGER_FIELD_MISSING', `${field} is required`, field, 'a non-empty string');
  fail('LEDGER_FIELD_INVALID', `${field} must be a non-empty string of at most ${max} characters without NUL`,
    field, `a string of 1 to ${max} characters`, typeof value === 'string' ? JSON.stringify(value.slice(0, 80)) : typeof value);
}

function checkText(value: unknown, field: () => string, required: boolean, max: number): void {
  if (!textOk(value, required, max)) failText(value, field(), max);
}

/**
 * Numbers accounts in order of first use, without building a key string per line: practice -> kind -> payer
 * -> patient (one practice per batch in the common case, so the first level is nearly free).
 */
class AccountNumbering {
  readonly accounts: (AccountRef & { practiceId: string })[] = [];
  private readonly byPractice = new Map<string, Map<string, Map<string, Map<string, number>>>>();

  /** The account's number; a negative result -(n + 1) means it was new and got number n. */
  numberOf(ref: AccountRef, practice: string): number {
    const payer = ref.payerId ?? '';
    const patient = ref.patientId ?? '';
    let byKind = this.byPractice.get(practice);
    if (byKind === undefined) this.byPractice.set(practice, (byKind = new Map()));
    let byPayer = byKind.get(ref.kind);
    if (byPayer === undefined) byKind.set(ref.kind, (byPayer = new Map()));
    let byPatient = byPayer.get(payer);
    if (byPatient === undefined) byPayer.set(payer, (byPatient = new Map()));
    const found = byPatient.get(patient);
    if (found !== undefined) return found;
    const n = this.accounts.length;
    byPatient.set(patient, n);
    this.accounts.push({ kind: ref.kind, payerId: ref.payerId ?? null, patientId: ref.patientId ?? null, practiceId: practice });
    return -(n + 1);
  }
}

function checkEntry(entry: Entry, e: number, batchKey: string, entryKeys: Set<string>): void {
  const at = `entries[${e}]`;
  if (entry === null || typeof entry !== 'object') fail('LEDGER_FIELD_INVALID', `${at} is not an entry`, at);
  const L = LEDGER_LIMITS;
  checkText(entry.key, () => `${at}.key`, true, L.keyLengthMax);
  if (entryKeys.has(entry.key)) {
    fail('LEDGER_ENTRY_KEY_DUPLICATE', `entry key ${entry.key} appears twice in batch ${batchKey}`, `${at}.key`, 'unique entry keys', entry.key);
  }
  entryKeys.add(entry.key);
  checkText(entry.reason, () => `${at}.reason`, true, L.keyLengthMax);
  checkText(entry.memo, () => `${at}.memo`, false, L.textLengthMax);
  if (typeof entry.effectiveDate !== 'string' || !isIsoDate(entry.effectiveDate)) {
    fail('LEDGER_DATE_INVALID', `entry ${entry.key}: effectiveDate is not a calendar date`, `${at}.effectiveDate`, 'YYYY-MM-DD', String(entry.effectiveDate));
  }
  const s = entry.source;
  if (s !== undefined && s !== null) {
    if (s.fileSha256 !== undefined && s.fileSha256 !== null && !SHA256_HEX.test(s.fileSha256)) {
      fail('LEDGER_FIELD_INVALID', `entry ${entry.key}: source.fileSha256 is not a lowercase hex SHA-256`, `${at}.source.fileSha256`, '64 hex digits', String(s.fileSha256));
    }
    checkText(s.fileName, () => `${at}.source.fileName`, false, L.textLengthMax);
    checkText(s.interchange, () => `${at}.source.interchange`, false, L.controlNumberLengthMax);
    checkText(s.group, () => `${at}.source.group`, false, L.controlNumberLengthMax);
    checkText(s.set, () => `${at}.source.set`, false, L.controlNumberLengthMax);
    const i = s.segmentIndex;
    if (i !== undefined && i !== null && (!Number.isSafeInteger(i) || i < 0 || i > 2_147_483_647)) {
      fail('LEDGER_FIELD_INVALID', `entry ${entry.key}: source.segmentIndex must be a non-negative integer`, `${at}.source.segmentIndex`, 'an integer >= 0', String(i));
    }
  }
  if (!Array.isArray(entry.lines) || entry.lines.length === 0) {
    fail('LEDGER_ENTRY_EMPTY', `entry ${entry.key} has no lines`, `${at}.lines`, 'at least one line', '0 lines');
  }
  if (entry.lines.length > L.linesPerEntryMax) {
    fail('LEDGER_LIMIT', `entry ${entry.key} has ${entry.lines.length} lines, more than ${L.linesPerEntryMax}`, `${at}.lines`);
  }
}

/** The common case, without allocating anything: every check of checkLine, as one boolean. */
function lineOk(line: EntryLine): boolean {
  const L = LEDGER_LIMITS;
  const account = line?.account;
  const amount = line?.amountCents;
  return account !== null && typeof account === 'object' && KINDS.has(account.kind) &&
    textOk(account.payerId, false, L.keyLengthMax) && textOk(account.patientId, false, L.keyLengthMax) &&
    (account.practiceId === undefined || account.practiceId === null || PRACTICE_ID.test(account.practiceId)) &&
    typeof amount === 'bigint' && amount >= INT64_MIN && amount <= INT64_MAX &&
    textOk(line.reason, false, L.keyLengthMax) && textOk(line.claimId, false, L.keyLengthMax) &&
    textOk(line.serviceLineId, false, L.keyLengthMax);
}

/** Throws the precise error for a line that failed lineOk. */
function checkLine(line: EntryLine, entryKey: string, e: number, l: number): never {
  const L = LEDGER_LIMITS;
  const at = (): string => `entries[${e}].lines[${l}]`;
  const account = line?.account;
  if (account === null || typeof account !== 'object') fail('LEDGER_ACCOUNT_INVALID', `entry ${entryKey}: ${at()}.account is not an account`, `${at()}.account`, 'an account reference');
  if (!KINDS.has(account.kind)) {
    fail('LEDGER_ACCOUNT_INVALID', `entry ${entryKey}: account kind ${JSON.stringify(account.kind)} does not exist`, `${at()}.account.kind`, ACCOUNT_KINDS.join(' | '), String(account.kind));
  }
  checkText(account.payerId, () => `${at()}.account.payerId`, false, L.keyLengthMax);
  checkText(account.patientId, () => `${at()}.account.patientId`, false, L.keyLengthMax);
  if (account.practiceId !== undefined && account.practiceId !== null && !PRACTICE_ID.test(account.practiceId)) {
    fail('LEDGER_FIELD_INVALID', `entry ${entryKey}: practice ${JSON.stringify(account.practiceId)} is not a practice id`, `${at()}.account.practiceId`,
      'lower-case letters, digits, - and _ (at most 40)', String(account.practiceId));
  }
  const amount = line.amountCents;
  if (typeof amount !== 'bigint' || amount < INT64_MIN || amount > INT64_MAX) {
    fail('LEDGER_AMOUNT_INVALID', `entry ${entryKey}: amountCents must be a bigint in the 64-bit range`, `${at()}.amountCents`, 'bigint cents', String(amount));
  }
  checkText(line.reason, () => `${at()}.reason`, false, L.keyLengthMax);
  checkText(line.claimId, () => `${at()}.claimId`, false, L.keyLengthMax);
  checkText(line.serviceLineId, () => `${at()}.serviceLineId`, false, L.keyLengthMax);
  fail('LEDGER_FIELD_INVALID', `entry ${entryKey}: ${at()} is not a valid line`, at()); // lineOk and checkLine disagree
}

/**
 * Validate `batch` and prepare it for posting. `emitCanonical` receives the batch's canonical text
 * (canonical.ts) in pieces, one per entry: feed it to a hash. Throws a ClaimsError naming the first problem.
 */
export function prepareBatch(batch: PostingBatch, emitCanonical: (text: string) => void): PreparedBatch {
  if (batch === null || typeof batch !== 'object') fail('LEDGER_FIELD_INVALID', 'a batch must be an object', '');
  checkText(batch.key, () => 'key', true, LEDGER_LIMITS.keyLengthMax);
  const entries = batch.entries;
  if (!Array.isArray(entries)) fail('LEDGER_FIELD_INVALID', `batch ${batch.key}: entries must be an array`, 'entries');
  if (entries.length > LEDGER_LIMITS.entriesPerBatchMax) {
    fail('LEDGER_LIMIT', `batch ${batch.key} has ${entries.length} entries, more than ${LEDGER_LIMITS.entriesPerBatchMax}`, 'entries');
  }
  let lineCount = 0;
  for (const entry of entries) lineCount += Array.isArray(entry?.lines) ? entry.lines.length : 0;
  if (lineCount > LEDGER_LIMITS.linesPerBatchMax) {
    fail('LEDGER_LIMIT', `batch ${batch.key} has ${lineCount} lines, more than ${LEDGER_LIMITS.linesPerBatchMax}`, 'entries');
  }

  const batchPractice = batch.practiceId ?? DEFAULT_PRACTICE;
  if (!PRACTICE_ID.test(batchPractice)) {
    fail('LEDGER_FIELD_INVALID', `batch ${batch.key}: practice ${JSON.stringify(batchPractice)} is not a practice id`, 'practiceId',
      'lower-case letters, digits, - and _ (at most 40)', String(batchPractice));
  }
  const numbering = new AccountNumbering();
  const lineAccount = new Int32Array(lineCount);
  const entryKeys = new Set<string>();
  let lineAt = 0;
  emitCanonical(CANONICAL_HEADER);
  for (let e = 0; e < entries.length; e++) {
    const entry = entries[e]!;
    checkEntry(entry, e, batch.key, entryKeys);
    const lines = entry.lines;
    let text = canonicalEntryRow(entry);
    let sum = 0n;
    let entryPractice: string | undefined;
    for (let l = 0; l < lines.length; l++) {
      const line = lines[l]!;
      if (!lineOk(line)) checkLine(line, entry.key, e, l);
      sum += line.amountCents;
      const practice = line.account.practiceId ?? batchPractice;
      if (entryPractice === undefined) entryPractice = practice;
      else if (practice !== entryPractice) {
        // Each entry balances within one practice, so each practice's trial balance sums to zero on its own.
        fail('LEDGER_PRACTICES_MIXED', `entry ${entry.key} posts to practice ${entryPractice} and to practice ${practice}: an entry stays in one practice's books`,
          `entries[${e}].lines[${l}].account.practiceId`, entryPractice, practice);
      }
      let n = numbering.numberOf(line.account, practice);
      if (n < 0) {
        n = -n - 1;
        text += canonicalAccountRow(numbering.accounts[n]!);
      }
      lineAccount[lineAt++] = n;
      text += canonicalLineRow(n, line);
    }
    if (sum !== 0n) {
      fail('LEDGER_UNBALANCED', `entry ${entry.key} lines sum to ${sum} cents, expected 0`, `entries[${e}].lines`, '0', sum.toString());
    }
    emitCanonical(text);
  }

  const accounts = numbering.accounts;
  const keys = accounts.map(accountRefKey);
  const lockOrder = accounts.map((_, i) => i).sort((a, b) => (keys[a]! < keys[b]! ? -1 : keys[a]! > keys[b]! ? 1 : 0));
  return { batch, accounts, lockOrder, lineAccount, lineCount };
}
