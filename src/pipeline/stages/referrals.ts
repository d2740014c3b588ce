// Built-in stage `referrals`: collections for the run's business date (src/collections/run.ts). Agency returns
// files in the inbox (`*.returns.csv`) are posted first, one outcome each, so an agency's collections count
// before balance updates and recalls are decided. Then one outcome for the run date: `done` when something was
// placed, updated, recalled or noticed, `skipped` otherwise. Files go to OUTBOX/referrals/, owner-only.
import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { toClaimsError } from '../../runtime/errors.ts';
import { ingestReturnsText } from '../../collections/returns.ts';
import { runReferrals } from '../../collections/run.ts';
import { mergeAgenciesFile, parseReferralSettings, ReferralSettingsSchema } from '../../collections/settings.ts';
import { sha256File } from '../folders.ts';
import { defineStage, type InputOutcome, type ReasonJson } from '../stage.ts';

export const REFERRALS_OUTBOX_FOLDER = 'referrals';

const asReason = (e: unknown): ReasonJson => toClaimsError(e).toJSON() as unknown as ReasonJson;

export const referralsStage = defineStage({
  name: 'referrals',
  summary: 'Collections: agency returns in, then balance updates, recalls, 501(r) notices and placements out (OUTBOX/referrals).',
  settings: z.strictObject({
    ...ReferralSettingsSchema.shape,
    agenciesFile: z.string().min(1).optional().describe('A JSON file { "agencies": [...] } (relative to the pipeline file) used instead of `agencies`.'),
    returnsPatterns: z.array(z.string().min(1)).default(['*.returns.csv']).describe('Inbox file names posted as agency returns files.'),
  }),
  async *run(ctx) {
    const { returnsPatterns, agenciesFile, ...rest } = ctx.settings;
    // Re-parse through the one schema so the agencies file gets the same checks (layouts, duplicate ids).
    const settings = agenciesFile
      ? parseReferralSettings(mergeAgenciesFile(rest as unknown as Record<string, unknown>, JSON.parse(await fs.readFile(ctx.resolvePath(agenciesFile), 'utf8'))))
      : parseReferralSettings(rest);
    for (const file of await ctx.inboxFiles(returnsPatterns)) {
      if (ctx.signal.aborted) return;
      const input = path.basename(file);
      try {
        const r = await ingestReturnsText(ctx.db.pool, await fs.readFile(file, 'utf8'), { sha256: await sha256File(file), fileName: input });
        const counts = { returnsPosted: r.posted, returnsDuplicate: r.duplicates, returnsRejected: r.rejected.length, collectedCents: r.collectedCents, writtenOffCents: r.writtenOffCents };
        const outcome: InputOutcome = r.rejected.length > 0
          ? { input, file, status: 'quarantined', counts, reasons: r.rejected.map(asReason) }
          : { input, file, status: r.posted === 0 && r.duplicates > 0 ? 'duplicate' : 'done', counts };
        yield outcome;
      } catch (err) {
        yield { input, status: 'failed', reasons: [asReason(err)] };
      }
    }
    const asOf = ctx.clock.today();
    const outDir = path.join(ctx.folders.outbox, REFERRALS_OUTBOX_FOLDER);
    const r = await runReferrals(ctx.db.pool, { asOf, outDir, settings, logger: ctx.logger, runId: ctx.runId, signal: ctx.signal });
    const counts = { candidates: r.candidates, placed: r.placed.length, updates: r.updates.length, recalls: r.recalls.length, notices: r.notices.length, placedCents: r.placed.reduce((t, p) => t + p.amountCents, 0n) };
    const didSomething = r.placed.length + r.updates.length + r.recalls.length + r.notices.length + r.files.length > 0;
    yield {
      input: `referrals-${asOf}`,
      status: didSomething ? 'done' : 'skipped',
      counts,
      detail: { asOf, notReferred: r.notReferred, files: r.files.map((f) => path.relative(ctx.folders.outbox, f)) },
    };
  },
});
