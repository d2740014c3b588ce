// The interchange is the unit of receipt (DOMAIN.md, envelopes; docs/decisions/0094): what of an input may
// be posted, decided from its envelopes alone, before any set is handed to a reader. An interchange whose
// own envelope is broken (cut short, IEA02 not ISA13, IEA01 miscounting its groups, a bad ISA) is refused
// whole: its TA1 rejects it. A group whose own envelope is broken (GE01 miscounting its sets, GE02 not GS06,
// no GE, a bad GS) is refused whole: its 999 rejects it (AK9 R), while the interchange's other groups go
// on. The same predicates decide the acknowledgements (exchange/acks.ts, ack.ts), so an ack and the
// ledger always agree. `ReceiptCheck` collects the refusals from envelope events (a fast scan of the whole
// input, no segment events); it keeps only what was refused, so its memory follows the broken envelopes,
// not the input's size.
import type { ClaimsError } from '../common/errors.ts';
import type { EnvelopeEvent, GroupSummary, InterchangeSummary } from './envelope-types.ts';

/** Why an interchange is not received: its own errors that carry a TA1 note (the TA1 rejects it, R). */
export function interchangeRefusals(summary: Pick<InterchangeSummary, 'problems'>): ClaimsError[] {
  return summary.problems.filter((p) => p.severity === 'error' && p.ack?.ta1 !== undefined);
}

/** Why a functional group is refused: errors of the group itself, GS or GE (its 999's AK9 rejects it). */
export function groupRefusals(summary: Pick<GroupSummary, 'problems'>): ClaimsError[] {
  return summary.problems.filter((p) => p.severity === 'error');
}

/** One refused interchange or group, with where it starts (to check a later reading sees the same). */
export interface Refusal {
  controlNumber: string;
  byteOffset: number;
  reasons: ClaimsError[];
}

/** What the check found: refusals by interchange ordinal (0-based, file order), and by group within it. */
export interface ReceiptPlan {
  interchanges: number;
  refusedInterchanges: ReadonlyMap<number, Refusal>;
  /** Key `interchange ordinal:group ordinal`. */
  refusedGroups: ReadonlyMap<string, Refusal>;
}

/** Collects a ReceiptPlan from envelope events, in order. */
export class ReceiptCheck {
  #interchange = -1;
  #group = -1;
  readonly #interchanges = new Map<number, Refusal>();
  readonly #groups = new Map<string, Refusal>();

  event(e: EnvelopeEvent): void {
    switch (e.kind) {
      case 'interchangeStart':
        this.#interchange++;
        this.#group = -1;
        break;
      case 'groupStart':
        this.#group++;
        break;
      case 'groupEnd': {
        const reasons = groupRefusals(e.summary);
        if (reasons.length > 0) this.#groups.set(`${this.#interchange}:${this.#group}`, { controlNumber: e.summary.group.controlNumber, byteOffset: e.summary.group.byteOffset, reasons });
        break;
      }
      case 'interchangeEnd': {
        const reasons = interchangeRefusals(e.summary);
        if (reasons.length > 0) this.#interchanges.set(this.#interchange, { controlNumber: e.summary.interchange.controlNumber, byteOffset: e.summary.interchange.byteOffset, reasons });
        break;
      }
      default:
    }
  }

  plan(): ReceiptPlan {
    return { interchanges: this.#interchange + 1, refusedInterchanges: this.#interchanges, refusedGroups: this.#groups };
  }
}

/** The same problem found by two readings of one input (a check and the reading that posts): same code, message and place. */
export function sameProblem(a: ClaimsError, b: ClaimsError): boolean {
  return a.code === b.code && a.message === b.message && a.location.segmentIndex === b.location.segmentIndex
    && a.location.byteOffset === b.location.byteOffset && a.location.element === b.location.element
    && a.location.interchange === b.location.interchange && a.location.group === b.location.group && a.location.set === b.location.set;
}
