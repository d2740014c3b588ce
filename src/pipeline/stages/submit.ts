// Built-in stage `submit`: each claims export in the inbox (NDJSON or a JSON array, told apart from the
// payment and appointment files beside it by its first record) goes through the submit service
// (src/claims/submit.ts): 837 files per payer into the outbox, a rejection/hold report beside them, claims
// recorded and charges posted. Claims held on coverage by earlier runs are re-checked first (one outcome,
// 'held claims'). One outcome per export: `done` when every claim was sent, already sent or held (holds are
// data committed, listed in the report), `quarantined` when some were rejected (the report names them; the
// rest of the export was sent), `duplicate` when nothing in it was new.
import { createReadStream } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import { defineStage, type InputOutcome } from '../stage.ts';
import { loadPayerProfiles } from '../../runtime/payer-profiles.ts';
import { submitClaims, type SubmitOptions, type SubmitSummary } from '../../claims/submit.ts';
import { isBrokenExport } from '../../claim-exports/array-blocks.ts';
import { postgresClaimStore } from '../../claims/store.ts';
import { postgresControlNumbers } from '../../exchange/control-numbers.ts';
import { postgresCoverageGate } from '../../claims/coverage-gate.ts';
import { looksLikeClaimsExport, sniff } from '../../claim-exports/read-export.ts';
import { inputFailure } from '../folder-access.ts';
import { storableText } from '../../common/input-text.ts';

export const submitStage = defineStage({
  name: 'submit',
  summary: 'Validate claims exports from the inbox, check coverage, write 837P/837I files per payer to the outbox, post the charges.',
  settings: z.strictObject({
    payers: z.string().min(1).default('payers').describe('Folder of payer profiles (one JSON file per payer), relative to the pipeline file.'),
    patterns: z.array(z.string().min(1)).default(['*.ndjson', '*.json']).describe('Inbox file names this stage looks at; of those it takes only claims exports (by their first record).'),
    resubmit: z.boolean().default(false).describe('Send again claims that a payer rejected.'),
    eligibility: z.boolean().default(true).describe('Hold claims outside coverage a 271 on file reports (per payer profile eligibility.whenInactive).'),
  }),
  async *run(ctx) {
    const payers = await loadPayerProfiles(ctx.resolvePath(ctx.settings.payers));
    const store = postgresClaimStore(ctx.db.pool);
    const base: Omit<SubmitOptions, 'inputs' | 'reportDir'> = {
      outDir: ctx.folders.outbox,
      payers,
      clock: ctx.clock,
      controlNumbers: postgresControlNumbers(ctx.db.pool),
      store,
      coverage: ctx.settings.eligibility ? postgresCoverageGate(ctx.db.pool) : null,
      resubmit: ctx.settings.resubmit,
      ...(ctx.practiceId !== undefined && { practiceId: ctx.practiceId }),
      logger: ctx.logger,
      signal: ctx.signal,
    };

    if (ctx.settings.eligibility && (await store.heldClaims(ctx.practiceId)).length > 0) {
      try {
        const s = await submitClaims({ ...base, inputs: [], retryHeld: true, reportDir: path.join(ctx.folders.outbox, 'reports', 'held-claims') });
        yield { input: 'held claims', status: s.rejectedClaims > 0 ? 'quarantined' : 'done', counts: countsOf(s), detail: detailOf(s, ctx.folders.outbox), ...(s.rejectedClaims > 0 && { reasons: await rejectedReasons(s, ctx.folders.outbox) }) };
      } catch (err) {
        yield { input: 'held claims', status: 'failed', reasons: [(await inputFailure(err)).toJSON() as never] };
      }
    }

    for (const file of await ctx.inboxFiles(ctx.settings.patterns)) {
      if (ctx.signal.aborted) return;
      if (!(await looksLikeClaimsExport(file))) continue; // a payments or appointments file: another stage's
      const name = path.basename(file);
      try {
        const s = await submitClaims({ ...base, inputs: [file], retryHeld: false, reportDir: path.join(ctx.folders.outbox, 'reports', name) });
        const outcome: InputOutcome = { input: name, file, status: 'done', counts: countsOf(s), detail: detailOf(s, ctx.folders.outbox) };
        if (s.rejectedClaims > 0) yield { ...outcome, status: 'quarantined', reasons: await rejectedReasons(s, ctx.folders.outbox, { name, shape: await sniff(file) }) };
        else yield { ...outcome, status: s.sent + s.resent + s.held === 0 && s.duplicates > 0 ? 'duplicate' : 'done' };
      } catch (err) {
        // A file that is not a claims export at all is bad input: quarantined, not retried every night. A
        // write refused in the outbox's reports folder says which folder (FOLDER_NOT_WRITABLE), not INTERNAL.
        const reasons = [(await inputFailure(err, { file: name })).toJSON() as never];
        yield isBrokenExport(err) ? { input: name, file, status: 'quarantined', reasons } : { input: name, status: 'failed', reasons };
      }
    }
  },
});

function countsOf(s: SubmitSummary): Record<string, number> {
  return { claims: s.records, sent: s.sent, resent: s.resent, duplicates: s.duplicates, rejected: s.rejectedClaims, held: s.held, heldReleased: s.heldReleased, entries: s.entriesPosted };
}

function detailOf(s: SubmitSummary, outbox: string): Record<string, unknown> {
  const report = { csv: path.relative(outbox, s.report.csv), json: path.relative(outbox, s.report.json) };
  return { files: s.files.map((f) => ({ file: f.fileName, payerId: f.payerId, isa13: f.isa13, claims: f.claimCount })), report };
}

/** How many rejection rows the quarantine's .error.json repeats; the report beside the 837s has them all. */
const REASONS_SHOWN = 100;

/**
 * The reasons a partly rejected export carries into its .error.json: a summary naming the report (relative
 * to the outbox, so the record holds no machine paths), then the report's first rows, each naming the
 * claim, where it is in the export (its line in NDJSON, its position in a JSON array: `location.record`,
 * also for held claims, whose export is gone), the field, and what was expected and found.
 */
async function rejectedReasons(s: SubmitSummary, outbox: string, input?: { name: string; shape: 'array' | 'ndjson' }): Promise<NonNullable<InputOutcome['reasons']>> {
  const file = input?.name;
  const report = path.relative(outbox, s.report.csv);
  const reasons: NonNullable<InputOutcome['reasons']> = [{
    code: 'CLAIMS_REJECTED',
    message: `${s.rejectedClaims} claim(s) rejected, the rest sent: see ${report} in the outbox`,
    ...(file !== undefined && { location: { file } }),
  }];
  let shown = 0;
  let more = false;
  for await (const row of reportRows(s.report.json)) {
    if (row.outcome !== 'rejected') continue;
    if (shown++ === REASONS_SHOWN) {
      more = true;
      break;
    }
    const recordFile = typeof row.file === 'string' ? path.basename(row.file) : file;
    const at = typeof row.record !== 'number' || row.record < 1 ? {} : input?.shape === 'ndjson' ? { line: row.record } : { record: row.record };
    reasons.push({
      code: String(row.code),
      // The report's message may quote the export (a JSON.parse error does): storable, as every reason must be.
      message: storableText(`record ${String(row.record)} (claim ${String(row.claimId ?? '')}, patient control number ${String(row.patientControlNumber ?? '')}): ${String(row.message)}`),
      location: { ...(recordFile !== undefined && { file: recordFile }), ...at, claim: row.patientControlNumber, field: row.field },
      ...(row.expected !== undefined && { expected: String(row.expected) }),
      ...(row.found !== undefined && { found: String(row.found) }),
    });
  }
  if (more) reasons.push({ code: 'CLAIMS_REJECTED_MORE', message: `the first ${REASONS_SHOWN} reasons are shown here; ${report} in the outbox has them all` });
  return reasons;
}

/** The report's JSON is one row per line (see src/claims/report.ts): read rows without loading it whole. */
async function* reportRows(jsonPath: string): AsyncGenerator<Record<string, unknown>> {
  const lines = createInterface({ input: createReadStream(jsonPath, 'utf8'), crlfDelay: Infinity });
  try {
    for await (const line of lines) {
      const text = line.trim().replace(/,$/, '');
      if (text.startsWith('{')) yield JSON.parse(text) as Record<string, unknown>;
    }
  } finally {
    lines.close();
  }
}
