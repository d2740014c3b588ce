// Built-in stage `eligibility-requests`: each appointments file in the inbox (NDJSON, told apart from claims
// exports and payment files by its first record) becomes 270 inquiries, one interchange per payer, in the
// outbox (src/eligibility/requests.ts, the same code as `claims eligibility-requests`). Exactly once per
// appointment: a visit asked about before (same appointment id, payer, member and date) is not asked again,
// so a practice can export its upcoming appointments every night, overlapping. Visits before the run date
// are skipped. One outcome per file: `done` when it asked something, `duplicate` when every visit in it was
// asked before (or is past), `quarantined` when some lines were invalid (the rest were asked; the
// .error.json lists the lines).
import path from 'node:path';
import { z } from 'zod';
import { loadPayerProfiles } from '../../runtime/payer-profiles.ts';
import { ClaimsError, toClaimsError } from '../../common/errors.ts';
import { looksLikeAppointmentsFile, readAppointments, withoutRequestedBefore, writeEligibilityRequests } from '../../eligibility/requests.ts';
import { defineStage, type InputOutcome, type ReasonJson } from '../stage.ts';
import { inputFailure } from '../folder-access.ts';

const asReason = (e: unknown): ReasonJson => toClaimsError(e).toJSON() as unknown as ReasonJson;

export const eligibilityRequestsStage = defineStage({
  name: 'eligibility-requests',
  summary: 'Write 270 eligibility inquiries to the outbox for the upcoming appointments in appointments files, once per appointment.',
  settings: z.strictObject({
    payers: z.string().min(1).default('payers').describe('Folder of payer profiles (one JSON file per payer), relative to the pipeline file.'),
    patterns: z.array(z.string().min(1)).default(['*.ndjson']).describe('Inbox file names this stage looks at; of those it takes only appointments files (by their first record).'),
  }),
  async *run(ctx) {
    const files: string[] = [];
    for (const file of await ctx.inboxFiles(ctx.settings.patterns)) {
      if (await looksLikeAppointmentsFile(file)) files.push(file);
    }
    if (files.length === 0) return;
    const profiles = await loadPayerProfiles(ctx.resolvePath(ctx.settings.payers));
    const today = ctx.clock.today();
    for (const file of files) {
      if (ctx.signal.aborted) return;
      const input = path.basename(file);
      let outcome: InputOutcome;
      try {
        const read = await readAppointments(file, profiles, today);
        const { fresh, requestedBefore } = await withoutRequestedBefore(ctx.db.pool, read.items);
        const written = await writeEligibilityRequests(ctx.db.pool, fresh, { outDir: ctx.folders.outbox, createdAt: ctx.clock.wallTime() });
        const counts = { appointments: read.items.length + read.past + read.problems.length, requested: fresh.length, requestedBefore, past: read.past, rejected: read.problems.length, files: written.length };
        const detail = { files: written.map((w) => ({ file: path.basename(w.file), payerId: w.payerId, isa13: w.isa13, requests: w.requests })) };
        if (read.problems.length > 0) {
          const reasons = read.problems.map((p) => asReason(new ClaimsError({ code: p.code, message: p.message, location: { file: input, line: p.line, ...(p.field !== undefined && { field: p.field }) }, ...(p.found !== undefined && { found: p.found }) })));
          outcome = { input, file, status: 'quarantined', reasons, counts, detail };
        } else {
          outcome = { input, file, status: fresh.length === 0 && requestedBefore > 0 ? 'duplicate' : 'done', counts, detail };
        }
      } catch (err) {
        // The database or the disk failed, or the outbox refused the 270: the file stays in the inbox for the next run.
        outcome = { input, status: 'failed', reasons: [asReason(await inputFailure(err, { file: input }))] };
      }
      yield outcome;
    }
  },
});
