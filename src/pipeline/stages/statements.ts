// Built-in stage `statements`: the patient statement cycle for the run's business date (src/statements/run.ts).
// Statements, batch PDFs and the print-vendor CSV go to OUTBOX/statements/, with refunds-DATE.csv (old
// credits to pay back) and held-DATE.csv (statements due but not mailed, provisional patients) beside them.
// One outcome per run date: `done` when it issued, held or posted something, `duplicate` when that date
// was already run (a rerun issues nothing new), `skipped` when no account is due anything.
import path from 'node:path';
import { z } from 'zod';
import { StatementSettingsSchema } from '../../statements/settings.ts';
import { heldReportCsv, heldStatementsOn, refundReportCsv, runStatements, statementsRecordedOn } from '../../statements/run.ts';
import { writeOwnerOnly } from '../folders.ts';
import { defineStage } from '../stage.ts';

export const STATEMENTS_OUTBOX_FOLDER = 'statements';

export const statementsStage = defineStage({
  name: 'statements',
  summary: 'Issue patient statements for the run date (PDFs, batch PDFs, print-vendor CSV); refund and held reports.',
  settings: z.strictObject({
    ...StatementSettingsSchema.shape,
    singlePdfs: z.boolean().default(true).describe('Also write one PDF per statement (the batch PDFs and the CSV are always written).'),
  }),
  async *run(ctx) {
    const asOf = ctx.clock.today();
    const { singlePdfs, ...settings } = ctx.settings;
    const outDir = path.join(ctx.folders.outbox, STATEMENTS_OUTBOX_FOLDER);
    const input = `statements-${asOf}`;
    const recordedBefore = await statementsRecordedOn(ctx.db.pool, asOf);
    const r = await runStatements(ctx.db.pool, {
      asOf, outDir, settings, logger: ctx.logger, runId: ctx.runId, signal: ctx.signal, perStatementPdf: singlePdfs,
    });
    const files = [...r.files];
    if (r.refundsDue.length > 0) {
      const file = path.join(outDir, `refunds-${asOf}.csv`);
      await writeOwnerOnly(file, refundReportCsv(r.refundsDue), { replace: true });
      files.push(file);
    }
    const held = await heldStatementsOn(ctx.db.pool, asOf);
    if (held.length > 0 || r.provisional.length > 0) {
      const file = path.join(outDir, `held-${asOf}.csv`);
      await writeOwnerOnly(file, heldReportCsv(held, r.provisional), { replace: true });
      files.push(file);
    }
    const counts = {
      accounts: r.accounts, issued: r.issued.length, held: r.held.length, provisional: r.provisional.length, refundsDue: r.refundsDue.length,
      timeouts: r.ledger.timeouts, timeoutsUndone: r.ledger.timeoutsUndone, creditsApplied: r.ledger.creditsApplied, smallBalances: r.ledger.smallBalances,
    };
    // Totals as decimal text: run records are JSON, and cents stay exact as strings.
    const detail = {
      asOf,
      amountDueCents: r.issued.reduce((t, s) => t + s.amountDueCents, 0n).toString(),
      files: files.map((f) => path.relative(ctx.folders.outbox, f)),
    };
    const didSomething = r.issued.length + r.held.length + r.ledger.timeouts + r.ledger.timeoutsUndone + r.ledger.creditsApplied + r.ledger.smallBalances > 0;
    const status = didSomething ? 'done' : recordedBefore > 0 ? 'duplicate' : 'skipped';
    yield { input, status, counts, detail };
  },
});
