// Built-in stage `referrals`: collections for the run's business date (src/collections/run.ts). Holds files in
// the inbox (`*.holds.csv`: disputes, assistance applications and their resolutions, from the practice system)
// are applied first, then agency returns files (`*.returns.csv`) are posted, one outcome each, so today's
// disputes and an agency's collections count before balance updates and recalls are decided. Then one outcome for the run date: `done` when something was
// placed, updated, recalled or noticed, `skipped` otherwise. Files go to OUTBOX/referrals/, owner-only.
import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { toClaimsError } from '../../common/errors.ts';
import type { Pool } from 'pg';
import { importHoldsText } from '../../collections/holds-file.ts';
import { ingestReturnsText } from '../../collections/returns.ts';
import { runReferrals } from '../../collections/run.ts';
import { mergeAgenciesFile, parseReferralSettings, ReferralSettingsSchema, type ReferralSettings } from '../../collections/settings.ts';
import { sha256File } from '../../common/files.ts';
import { defineStage, type InputOutcome, type ReasonJson } from '../stage.ts';

export const REFERRALS_OUTBOX_FOLDER = 'referrals';

const asReason = (e: unknown): ReasonJson => toClaimsError(e).toJSON() as unknown as ReasonJson;

/** One holds file: `done` (something opened or resolved), `duplicate` (every row in effect before), `quarantined` (a row rejected). */
async function importHoldsFile(pool: Pool, file: string, today: string): Promise<InputOutcome> {
  const input = path.basename(file);
  try {
    const r = await importHoldsText(pool, await fs.readFile(file, 'utf8'), input, today);
    const counts = { holdsOpened: r.opened, holdsResolved: r.resolved, holdsDuplicate: r.duplicate, holdsRejected: r.rejected.length };
    const detail = { sha256: r.fileSha256 };
    if (r.rejected.length > 0) return { input, file, status: 'quarantined', counts, reasons: r.rejected.map(asReason), detail };
    return { input, file, status: r.opened + r.resolved === 0 && r.duplicate > 0 ? 'duplicate' : 'done', counts, detail };
  } catch (err) {
    return { input, status: 'failed', reasons: [asReason(err)] };
  }
}

/**
 * The referral settings a referrals stage runs with, from its parsed stage settings (defaults filled, cents
 * as bigint): only the agencies are checked again, so an agencies file gets the same checks as inline
 * agencies (layout fields, widths, duplicate ids, the agencies "practices" names). `claims account --pipeline` decides with the same.
 */
export async function referralSettingsOf(stageSettings: z.output<typeof referralsStageSettings>, resolvePath: (p: string) => string): Promise<ReferralSettings> {
  const { returnsPatterns: _returns, holdsPatterns: _holds, agenciesFile, ...rest } = stageSettings;
  const agencies = agenciesFile
    ? mergeAgenciesFile({}, JSON.parse(await fs.readFile(resolvePath(agenciesFile), 'utf8'))).agencies
    : rest.agencies;
  // The practices' agency choices are checked against the agencies actually used (an agencies file's too).
  return { ...rest, agencies: parseReferralSettings({ agencies, practices: rest.practices }).agencies };
}

const referralsStageSettings = z.strictObject({
  ...ReferralSettingsSchema.shape,
  agenciesFile: z.string().min(1).optional().describe('A JSON file { "agencies": [...] } (relative to the pipeline file) used instead of `agencies`.'),
  returnsPatterns: z.array(z.string().min(1)).default(['*.returns.csv']).describe('Inbox file names posted as agency returns files.'),
  holdsPatterns: z.array(z.string().min(1)).default(['*.holds.csv']).describe('Inbox file names applied as holds files (CSV: account, kind dispute|assistance|resolve, reason, date).'),
});

export const referralsStage = defineStage({
  name: 'referrals',
  summary: 'Collections: agency returns in, then balance updates, recalls, 501(r) notices and placements out (OUTBOX/referrals).',
  settings: referralsStageSettings,
  async *run(ctx) {
    const { returnsPatterns, holdsPatterns } = ctx.settings;
    const settings = await referralSettingsOf(ctx.settings, ctx.resolvePath);
    for (const file of await ctx.inboxFiles(holdsPatterns)) {
      if (ctx.signal.aborted) return;
      yield await importHoldsFile(ctx.db.pool, file, ctx.clock.today());
    }
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
        // Not a returns file at all (its header, a NUL in it say) is bad input: quarantined, not retried every
        // night. Anything else (the database, the disk) leaves it in the inbox for the next run.
        const reasons = [asReason(err)];
        yield reasons[0]!.code === 'RETURNS_HEADER_INVALID' ? { input, file, status: 'quarantined', reasons } : { input, status: 'failed', reasons };
      }
    }
    const asOf = ctx.clock.today();
    const outDir = path.join(ctx.folders.outbox, REFERRALS_OUTBOX_FOLDER);
    const r = await runReferrals(ctx.db.pool, {
      asOf, outDir, settings, logger: ctx.logger, runId: ctx.runId, signal: ctx.signal,
      ...(ctx.practiceId !== undefined && { practiceId: ctx.practiceId }),
    });
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
