// Built-in stage `submit`: each claims export in the inbox (NDJSON or a JSON array) goes through the submit
// service (src/claims/submit.ts): 837 files per payer into the outbox, a rejection report beside them,
// claims recorded and charges posted. One outcome per export: `done` when every claim was sent or already
// sent, `quarantined` when some were rejected (the report names them; the rest of the export was sent).
import path from 'node:path';
import { z } from 'zod';
import { defineStage } from '../stage.ts';
import { loadPayerProfiles } from '../../payers/load.ts';
import { submitClaims } from '../../claims/submit.ts';
import { postgresClaimStore } from '../../claims/store.ts';
import { postgresControlNumbers } from '../../claims/control-numbers.ts';
import { toClaimsError } from '../../runtime/errors.ts';

export const submitStage = defineStage({
  name: 'submit',
  summary: 'Validate claims exports from the inbox, write 837P/837I files per payer to the outbox, post the charges.',
  settings: z.strictObject({
    payers: z.string().min(1).default('payers').describe('Folder of payer profiles (one JSON file per payer), relative to the working directory.'),
    patterns: z.array(z.string().min(1)).default(['*.ndjson', '*.claims.json']).describe('Inbox file names this stage takes.'),
    resubmit: z.boolean().default(false).describe('Send again claims that a payer rejected.'),
  }),
  async *run(ctx) {
    const payers = await loadPayerProfiles(path.resolve(ctx.settings.payers));
    const store = postgresClaimStore(ctx.db.pool);
    for (const file of await ctx.inboxFiles(ctx.settings.patterns)) {
      if (ctx.signal.aborted) return;
      const base = path.basename(file);
      try {
        const s = await submitClaims({
          inputs: [file],
          outDir: ctx.folders.outbox,
          reportDir: path.join(ctx.folders.outbox, 'reports', base),
          payers,
          clock: ctx.clock,
          controlNumbers: postgresControlNumbers(ctx.db.pool),
          store,
          resubmit: ctx.settings.resubmit,
          logger: ctx.logger,
          signal: ctx.signal,
        });
        const counts = { claims: s.records, sent: s.sent, resent: s.resent, duplicates: s.duplicates, rejected: s.rejectedClaims, entries: s.entriesPosted };
        const detail = { files: s.files.map((f) => ({ file: f.fileName, payerId: f.payerId, isa13: f.isa13, claims: f.claimCount })), report: s.report };
        if (s.rejectedClaims > 0) {
          yield {
            input: base, file, status: 'quarantined', counts, detail,
            reasons: [{ code: 'CLAIMS_REJECTED', message: `${s.rejectedClaims} claim(s) rejected, the rest sent: see ${s.report.csv}`, location: { file } }],
          };
        } else {
          yield { input: base, file, status: s.sent + s.resent === 0 && s.duplicates > 0 ? 'duplicate' : 'done', counts, detail };
        }
      } catch (err) {
        const e = toClaimsError(err, { file });
        yield { input: base, status: 'failed', reasons: [e.toJSON() as never] };
      }
    }
  },
});
