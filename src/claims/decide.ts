// Deciding what to do with a claim given what was sent before on its chain (billing NPI + CLM01):
// send it, send it again, skip it as a duplicate, or reject it as a conflict. Idempotency rules (issue 4):
// the same claim again writes and posts nothing; an original (1) with different content under the same key
// is a conflict (send a 7 to replace it); 7 and 8 are new claims whenever their content is new; a claim
// whose earlier file never completed is sent again; `--resubmit` resends one a payer rejected. Pure.
import type { ClaimHead } from '../claim-exports/prepare-claim.ts';
import type { Rejection } from '../domain/claim-validate.ts';

export interface ExistingClaim {
  id: string;
  billingNpi: string;
  patientControlNumber: string;
  frequency: string;
  contentSha256: string;
  status: string;
  postedChargeCents: bigint;
  primaryPayerId: string;
  /** State of the outbound file it was last placed in ('writing' | 'sent' | 'abandoned'), null if none. */
  fileState: string | null;
  /** The file it was last placed in, null if none. */
  fileName: string | null;
}

export type Decision =
  | { kind: 'send' }
  | { kind: 'resend'; claimId: string; why: 'incomplete-file' | 'resubmit' }
  | { kind: 'duplicate'; claimId: string }
  | { kind: 'reject'; rejection: Rejection };

export const chainKey = (npi: string, pcn: string): string => `${npi}:${pcn}`;

/** Tracks the chains of one batch: what the database had, plus the claims decided earlier in the batch. */
export class ChainBook {
  private readonly byChain = new Map<string, ExistingClaim[]>();
  /** Claims decided 'send' in this batch, by chain, for duplicates inside one export. */
  private readonly pending = new Map<string, { frequency: string; contentSha256: string }[]>();

  /**
   * `runFiles`: the files this run has opened. A pending claim in one of them is being sent by this very
   * run (the same record earlier in the export, in an earlier batch): a duplicate, not a claim to resend.
   */
  constructor(existing: Iterable<ExistingClaim>, private readonly runFiles: ReadonlySet<string> = new Set()) {
    for (const c of existing) {
      const k = chainKey(c.billingNpi, c.patientControlNumber);
      const list = this.byChain.get(k);
      if (list) list.push(c);
      else this.byChain.set(k, [c]);
    }
  }

  /** The chain's claims from the database, oldest first. */
  chain(npi: string, pcn: string): readonly ExistingClaim[] {
    return this.byChain.get(chainKey(npi, pcn)) ?? [];
  }

  decide(head: ClaimHead, opts: { resubmit: boolean }): Decision {
    const k = chainKey(head.billingNpi, head.patientControlNumber);
    const chain = this.byChain.get(k) ?? [];
    const inBatch = this.pending.get(k) ?? [];
    const same = chain.find((c) => c.frequency === head.frequency && c.contentSha256 === head.contentHash);
    if (same) {
      const fileComplete = same.fileState === 'sent';
      if (same.status === 'pending' && !fileComplete) {
        if (same.fileName !== null && this.runFiles.has(same.fileName)) return { kind: 'duplicate', claimId: same.id };
        return { kind: 'resend', claimId: same.id, why: 'incomplete-file' };
      }
      if (same.status === 'rejected' && opts.resubmit) return { kind: 'resend', claimId: same.id, why: 'resubmit' };
      return { kind: 'duplicate', claimId: same.id };
    }
    if (inBatch.some((c) => c.frequency === head.frequency && c.contentSha256 === head.contentHash)) {
      return { kind: 'duplicate', claimId: '' };
    }
    if (head.frequency === '1') {
      const original = chain.some((c) => c.frequency === '1') || inBatch.some((c) => c.frequency === '1');
      if (original) {
        return {
          kind: 'reject',
          rejection: {
            claimId: head.claimId,
            patientControlNumber: head.patientControlNumber,
            record: head.record,
            field: 'patientControlNumber',
            code: 'CLAIM_KEY_CONFLICT',
            message: `claim ${head.patientControlNumber} of billing provider ${head.billingNpi} was already sent with different content: use frequency 7 to replace it`,
            expected: 'the same content as the original, or frequency 7 (replacement) with the payer claim number',
            found: `frequency 1 with content ${head.contentHash.slice(0, 12)}`,
          },
        };
      }
    }
    inBatch.push({ frequency: head.frequency, contentSha256: head.contentHash });
    this.pending.set(k, inBatch);
    return { kind: 'send' };
  }

  /** Undo a 'send' that was not sent after all (held on coverage): a later copy in the batch is decided afresh. */
  forget(head: ClaimHead): void {
    const inBatch = this.pending.get(chainKey(head.billingNpi, head.patientControlNumber));
    const i = inBatch?.findIndex((c) => c.frequency === head.frequency && c.contentSha256 === head.contentHash) ?? -1;
    if (i >= 0) inBatch!.splice(i, 1);
  }
}
