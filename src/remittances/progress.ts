// How far each remittance of a file has gone, for the next one to overlap it safely (handler.ts decides
// when they may; post-remittance.ts waits on these milestones): planned, posted, its payer, and its end.

export type RemittanceStatus = 'posted' | 'duplicate' | 'quarantined';

/** The payer a remittance's plan settled on, and whether its commit teaches it for the payer key. */
export interface PlannedPayer {
  payerKey: string;
  payerId: string;
  learns: boolean;
}

/**
 * How far a remittance has gone, for the next remittance of the file to overlap it safely: `planned`
 * once its plan-time writes (provisional patients) are done, `posted` once its ledger lines are written,
 * `payer` once its payer is final; each also resolves when the remittance ends without getting there
 * (`payer` with null: a remittance that leaned on the one before it teaches nothing that one does not).
 */
export class RemittanceProgress {
  readonly planned: Promise<void>;
  readonly posted: Promise<void>;
  /** null: it ended without a plan of its own (a duplicate, quarantined or failed before planning, or it leaned). */
  readonly payer: Promise<PlannedPayer | null>;
  status: RemittanceStatus | null = null;
  private readonly marks: { planned: () => void; posted: () => void; payer: (p: PlannedPayer | null) => void };

  constructor() {
    let planned!: () => void;
    let posted!: () => void;
    let payer!: (p: PlannedPayer | null) => void;
    this.planned = new Promise((resolve) => { planned = resolve; });
    this.posted = new Promise((resolve) => { posted = resolve; });
    this.payer = new Promise((resolve) => { payer = resolve; });
    this.marks = { planned, posted, payer };
  }

  /** The plan is made, and final (a plan that leaned on an earlier remittance marks nothing). */
  markPlanned(payer: PlannedPayer): void {
    this.marks.planned();
    this.marks.payer(payer);
  }

  markPosted(): void {
    this.marks.posted();
  }

  /** The remittance ended (posted, duplicate, quarantined; null: it failed). */
  finish(status: RemittanceStatus | null): void {
    this.status = status;
    this.marks.planned();
    this.marks.posted();
    this.marks.payer(null);
  }
}

/** The remittance before this one in the file, still settling (RemittanceDeps.earlier). */
export interface EarlierRemittance {
  progress: RemittanceProgress;
  settled: Promise<unknown>;
}

/** A milestone of the earlier remittance, or its end if it ends without reaching it (or never settles it). */
export function reached<T>(earlier: EarlierRemittance, milestone: (p: RemittanceProgress) => Promise<T>, otherwise: T): Promise<T> {
  return Promise.race([milestone(earlier.progress), earlier.settled.then(() => otherwise, () => otherwise)]);
}
