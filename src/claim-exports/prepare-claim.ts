// Preparing one export record for submit: validate, map, and render its 837 body. Everything here is pure
// and per claim, so it runs the same on the main thread or on a worker (src/claim-exports/prepare-pool.ts). What the
// rest of submit needs to decide and place a claim is its head (key, content hash, payer, type, charge) and
// its rendered text; the whole mapped claim is needed only for the database.
import { ClaimsError } from '../common/errors.ts';
import type { Cents } from '../common/money.ts';
import { validateClaim, type Rejection, type ValidClaim } from '../domain/claim-validate.ts';
import { mapClaim } from '../payers/map-claim.ts';
import type { MappedClaim, PayerDirectory } from '../domain/mapped-claim.ts';
import type { PracticeDirectory } from '../domain/practice.ts';
import type { ClaimRenderer, RenderedClaim } from '../transactions/claim-837-render.ts';

/** What deciding, reporting and placing a claim read of it. */
export interface ClaimHead {
  /** 1-based record number in the export. */
  record: number;
  claimId: string;
  billingNpi: string;
  patientControlNumber: string;
  frequency: string;
  /** SHA-256 of the claim record's canonical JSON. */
  contentHash: string;
  /** The primary coverage's payer. */
  payerId: string;
  claimType: 'professional' | 'institutional';
  totalChargeCents: Cents;
}

export interface PreparedClaim {
  head: ClaimHead;
  rendered: RenderedClaim;
}

export type PrepareResult =
  | { ok: true; prepared: PreparedClaim; mapped: MappedClaim }
  | { ok: false; rejections: Rejection[] };

export interface PrepareContext {
  /** The clock's today (YYYY-MM-DD): validation's date checks. */
  today: string;
  payers: PayerDirectory;
  /** The registered practices: a claim is mapped with its billing provider's practice's terms (none: the payers'). */
  practices?: PracticeDirectory;
  /** Renders the claim's segments with the run's delimiters and line break (one renderer a thread: it keeps state). */
  renderer: ClaimRenderer;
}

export function headOf(mapped: MappedClaim): ClaimHead {
  const rec = mapped.claim.record;
  return {
    record: mapped.record,
    claimId: rec.claimId,
    billingNpi: rec.billingProvider.npi,
    patientControlNumber: rec.patientControlNumber,
    frequency: rec.frequency,
    contentHash: mapped.contentHash,
    payerId: mapped.payer.payerId,
    claimType: rec.claimType,
    totalChargeCents: mapped.claim.totalChargeCents,
  };
}

/** The claim's practice by its billing provider, if one is known (the store refuses a claim that names none). */
function practiceOfClaim(claim: ValidClaim, practices: PracticeDirectory | undefined): string | undefined {
  if (practices === undefined) return undefined;
  const bp = claim.record.billingProvider;
  const found = practices.resolve({ npi: bp.npi, taxId: bp.taxId });
  return found.ok ? found.practiceId : undefined;
}

export function prepareRecord(value: unknown, record: number, ctx: PrepareContext): PrepareResult {
  const v = validateClaim(value, record, ctx.today);
  if (!v.ok) return v;
  const m = mapClaim(v.claim, record, ctx.payers, practiceOfClaim(v.claim, ctx.practices));
  if (!m.ok) return m;
  let rendered: RenderedClaim;
  try {
    rendered = ctx.renderer.render(m.mapped);
  } catch (err) {
    // Only with delimiters of a payer's own choosing: validation keeps the standard ones out of every value.
    if (!(err instanceof ClaimsError) || err.code !== 'WRITER_DELIMITER_IN_VALUE') throw err;
    const rec = m.mapped.claim.record;
    return {
      ok: false,
      rejections: [{
        claimId: rec.claimId, patientControlNumber: rec.patientControlNumber, record, field: '', code: err.code,
        message: `the claim cannot be written: ${err.message}`, expected: 'no value holding one of the interchange\'s delimiters', found: err.message,
      }],
    };
  }
  return { ok: true, prepared: { head: headOf(m.mapped), rendered }, mapped: m.mapped };
}

/**
 * The whole mapped claim again, on the main thread, from the line a worker prepared it from: the database
 * and the coverage check need all of it, and sending it across threads costs more than this. The same pure
 * steps give the same claim; the content hash is compared to be sure.
 */
export function rebuildMapped(source: string, head: ClaimHead, ctx: Pick<PrepareContext, 'today' | 'payers' | 'practices'>): MappedClaim {
  const v = validateClaim(JSON.parse(source) as unknown, head.record, ctx.today);
  const m = v.ok ? mapClaim(v.claim, head.record, ctx.payers, practiceOfClaim(v.claim, ctx.practices)) : null;
  if (!m?.ok || m.mapped.contentHash !== head.contentHash) {
    throw new ClaimsError({ code: 'INTERNAL', message: `record ${head.record} prepared on a worker thread did not prepare the same way again on the main thread`, location: { line: head.record } });
  }
  return m.mapped;
}
