// Built-in stage `submit`: each claims export in the inbox (NDJSON or a JSON array, told apart from the
// payment and appointment files beside it by its first record) goes through the submit service
// (src/claims/submit.ts): 837 files per payer into the outbox, a rejection/hold report beside them, claims
// recorded and charges posted. Claims held on coverage by earlier runs are re-checked first (one outcome,
// 'held claims'). One outcome per export: `done` when every claim was sent, already sent or held (holds are
// data committed, listed in the report), `quarantined` when some were rejected (the report names them; the
// rest of the export was sent), `duplicate` when nothing in it was new.
import path from 'node:path';
import { z } from 'zod';
import { defineStage, type InputOutcome } from '../stage.ts';
import { loadPayerProfiles } from '../../payers/load.ts';
import { submitClaims, type SubmitOptions, type SubmitSummary } from '../../claims/submit.ts';
import { postgresClaimStore } from '../../claims/store.ts';
import { postgresControlNumbers } from '../../claims/control-numbers.ts';
import { postgresCoverageGate } from '../../claims/coverage-gate.ts';
import { looksLikeClaimsExport } from '../../claims/read-export.ts';
import { toClaimsError } from '../../runtime/errors.ts';

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
      logger: ctx.logger,
      signal: ctx.signal,
    };

    if (ctx.settings.eligibility && (await store.heldClaims()).length > 0) {
      try {
        const s = await submitClaims({ ...base, inputs: [], retryHeld: true, reportDir: path.join(ctx.folders.outbox, 'reports', 'held-claims') });
        yield { input: 'held claims', status: s.rejectedClaims > 0 ? 'quarantined' : 'done', counts: countsOf(s), detail: detailOf(s), ...(s.rejectedClaims > 0 && { reasons: rejectedReasons(s) }) };
      } catch (err) {
        yield { input: 'held claims', status: 'failed', reasons: [toClaimsError(err).toJSON() as never] };
      }
    }

    for (const file of await ctx.inboxFiles(ctx.settings.patterns)) {
      if (ctx.signal.aborted) return;
      if (!(await looksLikeClaimsExport(file))) continue; // a payments or appointments file: another stage's
      const name = path.basename(file);
      try {
        const s = await submitClaims({ ...base, inputs: [file], retryHeld: false, reportDir: path.join(ctx.folders.outbox, 'reports', name) });
        const outcome: InputOutcome = { input: name, file, status: 'done', counts: countsOf(s), detail: detailOf(s) };
        if (s.rejectedClaims > 0) yield { ...outcome, status: 'quarantined', reasons: rejectedReasons(s, file) };
        else yield { ...outcome, status: s.sent + s.resent + s.held === 0 && s.duplicates > 0 ? 'duplicate' : 'done' };
      } catch (err) {
        yield { input: name, status: 'failed', reasons: [toClaimsError(err, { file }).toJSON() as never] };
      }
    }
  },
});

function countsOf(s: SubmitSummary): Record<string, number> {
  return { claims: s.records, sent: s.sent, resent: s.resent, duplicates: s.duplicates, rejected: s.rejectedClaims, held: s.held, heldReleased: s.heldReleased, entries: s.entriesPosted };
}

function detailOf(s: SubmitSummary): Record<string, unknown> {
  return { files: s.files.map((f) => ({ file: f.fileName, payerId: f.payerId, isa13: f.isa13, claims: f.claimCount })), report: s.report };
}

function rejectedReasons(s: SubmitSummary, file?: string): NonNullable<InputOutcome['reasons']> {
  return [{ code: 'CLAIMS_REJECTED', message: `${s.rejectedClaims} claim(s) rejected, the rest sent: see ${s.report.csv}`, ...(file !== undefined && { location: { file } }) }];
}
