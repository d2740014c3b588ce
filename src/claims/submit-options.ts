// What the submit service (submit.ts) takes and reports.
import type { Clock } from '../common/clock.ts';
import type { Logger } from '../runtime/logger.ts';
import type { PayerDirectory } from '../domain/mapped-claim.ts';
import type { PracticeDirectory } from '../domain/practice.ts';
import type { Delimiters } from '../x12/segment.ts';
import type { ControlNumbers } from '../exchange/control-numbers.ts';
import type { CoverageGate } from './coverage-gate.ts';
import type { OutboundFile } from './outbox.ts';
import type { ClaimStore } from './store.ts';

export interface SubmitOptions {
  inputs: readonly string[];
  outDir: string;
  /** Where rejections.csv / rejections.json go (default: OUT/reports). */
  reportDir?: string;
  payers: PayerDirectory;
  clock: Clock;
  controlNumbers: ControlNumbers;
  /** null: no database (validation, mapping and writing only). */
  store: ClaimStore | null;
  /** The eligibility check; none: every claim is sent (no database, or the check switched off). */
  coverage?: CoverageGate | null;
  /** Re-check the claims held by earlier runs before the inputs (default: true when there is a store). */
  retryHeld?: boolean;
  /** Send again claims a payer rejected. */
  resubmit?: boolean;
  /**
   * Only this practice's claims: another practice's claims in the export are refused (CLAIM_OF_OTHER_PRACTICE)
   * and its held claims are left for its own run. Needs a store.
   */
  practiceId?: string;
  /** The registered practices (read from the store when there is one): each claim is mapped with its practice's terms. */
  practices?: PracticeDirectory;
  claimsPerSetMax?: number;
  /** Claims per database round trip. */
  batchSize?: number;
  /**
   * Worker threads that prepare (parse, validate, map, render) the claims of a large export; 0: this
   * thread. Default without a store: one a core, at most four, none on one core; with a store: none (the
   * database is the bottleneck, and a local server needs the cores: decision 0042).
   */
  threads?: number;
  /** Exports smaller than this are prepared on this thread: starting workers costs more (default 16 MiB). */
  threadsFromBytes?: number;
  delimiters?: Delimiters;
  /** Written after every segment terminator ('' or '\n'). */
  lineBreak?: string;
  logger?: Logger;
  signal?: AbortSignal;
  /** How long to wait while another submit writes into the same outbox, then OUTBOX_BUSY (default 10 min). */
  outboxWaitMs?: number;
}

export interface SubmitSummary {
  records: number;
  sent: number;
  resent: number;
  duplicates: number;
  /** Claims not sent (each may have several rejection rows). */
  rejectedClaims: number;
  rejectionRows: number;
  /** Claims held on coverage in this run (new holds and earlier holds still not covered). */
  held: number;
  /** Claims held by earlier runs that were re-checked, and how many of them went out now. */
  heldRechecked: number;
  heldReleased: number;
  /** Sent although a 271 says coverage was inactive, because the payer profile says so. */
  sentOutsideCoverage: number;
  entriesPosted: number;
  chargeCents: bigint;
  files: OutboundFile[];
  report: { csv: string; json: string };
}
