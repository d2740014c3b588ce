// Built-in stage `statements`: the patient statement cycle for the run's business date (src/statements/run.ts).
// Statements, batch PDFs and the print-vendor CSV go to OUTBOX/statements/, with refunds-DATE.csv (old
// credits to pay back) and held-DATE.csv (statements due but not mailed, provisional patients) beside them.
// Plans files in the inbox (`*.plans.csv` by default: agreed payment plans) are imported first, one outcome
// each, so a plan agreed today already shapes today's statements. Then one outcome for the run date: `done`
// when it issued, held or posted something, `duplicate` when that date was already run (a rerun issues
// nothing new), `skipped` when no account is due anything.
import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { toClaimsError } from '../../common/errors.ts';
import { importPlansText } from '../../patients/plans-store.ts';
import { StatementSettingsSchema } from '../../statements/settings.ts';
import { heldReportCsv, heldStatementsOn, refundReportCsv, runStatements, statementsRecordedOn } from '../../statements/run.ts';
import { OWNER_ONLY_DIR, writeOwnerOnly } from '../../common/files.ts';
import { defineStage, type InputOutcome, type ReasonJson, type StageContext } from '../stage.ts';

export const STATEMENTS_OUTBOX_FOLDER = 'statements';

const asReason = (e: unknown): ReasonJson => toClaimsError(e).toJSON() as unknown as ReasonJson;

/** One plans file: `done` (plans created, or none in it), `duplicate` (all made before), `quarantined` (a row rejected). */
async function importPlansFile(ctx: StageContext<unknown>, file: string): Promise<InputOutcome> {
  const input = path.basename(file);
  try {
    const r = await importPlansText(ctx.db.pool, await fs.readFile(file, 'utf8'), input, ctx.clock.today());
    const counts = { plansCreated: r.created, plansDuplicate: r.duplicate, plansRejected: r.rejected.length };
    if (r.rejected.length > 0) return { input, file, status: 'quarantined', counts, reasons: r.rejected.map(asReason), detail: { sha256: r.fileSha256 } };
    return { input, file, status: r.created === 0 && r.duplicate > 0 ? 'duplicate' : 'done', counts, detail: { sha256: r.fileSha256 } };
  } catch (err) {
    return { input, status: 'failed', reasons: [asReason(err)] };
  }
}

export const statementsStage = defineStage({
  name: 'statements',
  summary: 'Issue patient statements for the run date (PDFs, batch PDFs, print-vendor CSV); refund and held reports.',
  settings: z.strictObject({
    ...StatementSettingsSchema.shape,
    singlePdfs: z.boolean().default(true).describe('Also write one PDF per statement (the batch PDFs and the CSV are always written).'),
    plansPatterns: z.array(z.string().min(1)).default(['*.plans.csv']).describe('Inbox file names imported as payment plans files before the run.'),
  }),
  async *run(ctx) {
    for (const file of await ctx.inboxFiles(ctx.settings.plansPatterns)) {
      if (ctx.signal.aborted) return;
      yield await importPlansFile(ctx, file);
    }
    const asOf = ctx.clock.today();
    const { singlePdfs, plansPatterns: _plans, ...settings } = ctx.settings;
    const outDir = path.join(ctx.folders.outbox, STATEMENTS_OUTBOX_FOLDER);
    const input = `statements-${asOf}`;
    const recordedBefore = await statementsRecordedOn(ctx.db.pool, asOf);
    const r = await runStatements(ctx.db.pool, {
      asOf, outDir, settings, logger: ctx.logger, runId: ctx.runId, signal: ctx.signal, perStatementPdf: singlePdfs,
      ...(ctx.practiceId !== undefined && { practiceId: ctx.practiceId }),
    });
    const files = [...r.files];
    const held = await heldStatementsOn(ctx.db.pool, asOf);
    // A date that issues nothing creates no statements folder, but its refund and held reports still need one.
    if (r.refundsDue.length > 0 || held.length > 0 || r.provisional.length > 0) await fs.mkdir(outDir, { recursive: true, mode: OWNER_ONLY_DIR });
    if (r.refundsDue.length > 0) {
      const file = path.join(outDir, `refunds-${asOf}.csv`);
      await writeOwnerOnly(file, refundReportCsv(r.refundsDue), { replace: true });
      files.push(file);
    }
    if (held.length > 0 || r.provisional.length > 0) {
      const file = path.join(outDir, `held-${asOf}.csv`);
      await writeOwnerOnly(file, heldReportCsv(held, r.provisional), { replace: true });
      files.push(file);
    }
    const counts = {
      accounts: r.accounts, issued: r.issued.length, held: r.held.length, provisional: r.provisional.length, refundsDue: r.refundsDue.length,
      timeouts: r.ledger.timeouts, timeoutsUndone: r.ledger.timeoutsUndone, creditsApplied: r.ledger.creditsApplied, smallBalances: r.ledger.smallBalances,
    };
    const detail = {
      asOf,
      amountDueCents: r.issued.reduce((t, s) => t + s.amountDueCents, 0n),
      files: files.map((f) => path.relative(ctx.folders.outbox, f)),
    };
    const didSomething = r.issued.length + r.held.length + r.ledger.timeouts + r.ledger.timeoutsUndone + r.ledger.creditsApplied + r.ledger.smallBalances > 0;
    const status = didSomething ? 'done' : recordedBefore > 0 ? 'duplicate' : 'skipped';
    yield { input, status, counts, detail };
  },
});
