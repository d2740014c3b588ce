// The journal-entry contract: what posting rules produce and the posting API writes.
// After TigerBeetle: entries are immutable, every entry sums to zero, amounts are integer cents,
// every entry carries a reason code and an idempotency key, corrections are new entries.
import type { Cents } from '../common/money.ts';

export const ACCOUNT_KINDS = [
  'cash',
  'payer_clearing',
  'insurance_receivable',
  'patient_receivable',
  'patient_credit',
  'payer_credit',
  'collections_receivable',
  'revenue',
  'contractual_adjustment',
  'protected_adjustment',
  'other_adjustment',
  'provider_adjustment',
  'interest_income',
  'bad_debt',
  'small_balance_writeoff',
  'unapplied',
] as const;
export type AccountKind = (typeof ACCOUNT_KINDS)[number];

/**
 * An account is named by its kind and, where the kind is per party, the payer and/or patient
 * (guarantor account) it belongs to. The posting API creates accounts on first use.
 */
export interface AccountRef {
  kind: AccountKind;
  payerId?: string | null;
  patientId?: string | null;
  /** The practice whose books hold the account (schemas/db/0015_practices.sql); absent: the batch's practice. */
  practiceId?: string | null;
}

export { DEFAULT_PRACTICE } from '../domain/practice.ts';

export interface EntryLine {
  account: AccountRef;
  /** Signed: debits positive, credits negative. The lines of an entry sum to zero. */
  amountCents: Cents;
  /** Optional finer reason for this line (e.g. CAS `CO-45`, `PR-1`). */
  reason?: string;
  /** Claim this line concerns (internal claim id), for per-claim balances. */
  claimId?: string | null;
  /** Service line this line concerns (REF*6R / line control number). */
  serviceLineId?: string | null;
}

/** Where the data came from: every posted entry can be traced back to a byte range of a file. */
export interface SourceRef {
  fileSha256?: string;
  fileName?: string;
  interchange?: string;
  group?: string;
  set?: string;
  segmentIndex?: number;
}

export interface Entry {
  /** Unique for ever; posting the same key twice with the same content is a no-op. */
  key: string;
  /** Stable reason code: `claim.charge`, `remit.payment`, `remit.reversal`, `plb.WO`, ... */
  reason: string;
  /** YYYY-MM-DD; for a remittance, BPR16. */
  effectiveDate: string;
  memo?: string;
  source?: SourceRef;
  lines: EntryLine[];
}

/** What the posting API takes: one batch is posted all or nothing, under one idempotency key. */
export interface PostingBatch {
  key: string;
  entries: Entry[];
  /** The practice of the accounts that do not name one; absent: DEFAULT_PRACTICE. */
  practiceId?: string;
}

export type PostingOutcome = 'posted' | 'duplicate';

/** A posting batch checked and numbered before anything touches the database (prepare.ts). */
export interface PreparedBatch {
  batch: PostingBatch;
  /** Distinct accounts of the batch, numbered in order of first use, each with its practice. */
  accounts: (AccountRef & { practiceId: string })[];
  /** Account numbers sorted by identity (kind, payer, patient): the order to create them in, so that
   *  concurrent postings take the unique-index locks in the same order and cannot deadlock. */
  lockOrder: number[];
  /** For every line of the batch in order (entry by entry), the number of its account. */
  lineAccount: Int32Array;
  lineCount: number;
}
