// Built-in stage `ingest`: every X12 file in the inbox (835 remittances, 271 responses: whatever the
// ingest registry handles) read through the same dispatcher as `claims ingest`, one outcome per file,
// yielded only after every set of the file is committed or quarantined, so the runner archives it only
// then. A file with any rejected set (or a broken envelope) is reported `quarantined` with every error,
// and the runner moves it to quarantine with its .error.json; the sets that posted stay posted. A file
// whose every set was posted before is a `duplicate`. TA1/999 acknowledgements go to the outbox.
import path from 'node:path';
import { z } from 'zod';
import { failpoint } from '../../runtime/failpoints.ts';
import { inputFailure } from '../folder-access.ts';
import { fileErrors, type FileOutcome } from '../../exchange/receive-file.ts';
import { ingestFile } from '../ingest-input.ts';
import { defineStage, type InputOutcome, type InputStatus, type ReasonJson } from '../stage.ts';

/** X12 files by the names payers and clearinghouses give them. Claims exports (.ndjson) are not ours. */
export const X12_PATTERNS = ['*.x12', '*.X12', '*.edi', '*.EDI', '*.835', '*.271', '*.999', '*.ta1', '*.TA1'];

const STATUS: Record<FileOutcome['status'], InputStatus> = { done: 'done', duplicate: 'duplicate', partial: 'quarantined', quarantined: 'quarantined' };

/** Pure: a file's ingest outcome as the runner's input outcome. */
export function inputOutcome(o: FileOutcome): InputOutcome {
  const count = (s: string): number => o.sets.filter((x) => x.status === s).length;
  const counts: Record<string, number> = { sets: o.sets.length, posted: count('posted'), duplicates: count('duplicate'), rejected: count('quarantined') };
  for (const s of o.sets) {
    for (const [k, v] of Object.entries(s.counts ?? {})) counts[k] = (counts[k] ?? 0) + v;
  }
  const errors = fileErrors(o);
  const warnings = [...o.reasons, ...o.sets.flatMap((s) => s.reasons)].filter((r) => r.severity === 'warning');
  // Quarantined: the errors (what the .error.json must say); otherwise the warnings worth reading.
  const reasons = (STATUS[o.status] === 'quarantined' ? errors : warnings).map((r) => r.toJSON() as unknown as ReasonJson);
  return {
    input: path.basename(o.file),
    status: STATUS[o.status],
    file: o.file,
    ...(reasons.length > 0 && { reasons }),
    counts,
    detail: {
      sha256: o.fileSha256,
      partial: o.status === 'partial',
      sets: o.sets.map((s) => ({ set: s.set, transactionSet: s.transactionSet, status: s.status, ...(s.detail && { detail: s.detail }) })),
      ...(o.acks && { acks: o.acks.map((a) => path.basename(a)) }),
    },
  };
}

export const ingest = defineStage({
  name: 'ingest',
  summary: 'Post X12 files in the inbox (835 remittances, 271 responses) exactly once; acknowledge with TA1/999.',
  settings: z.strictObject({
    patterns: z.array(z.string().min(1)).min(1).default(X12_PATTERNS).describe('Inbox file names this stage takes (globs).'),
    acknowledgements: z.boolean().default(true).describe('Write TA1 (when asked or the envelope is broken) and 999 acknowledgements to the outbox.'),
  }),
  async *run(ctx) {
    for (const file of await ctx.inboxFiles(ctx.settings.patterns)) {
      if (ctx.signal.aborted) return;
      let outcome: FileOutcome;
      try {
        outcome = await ingestFile(file, {
          pool: ctx.db.pool, logger: ctx.logger, failpoint, quarantineDir: ctx.folders.quarantine, quarantineCopy: false,
          ...(ctx.practiceId !== undefined && { practiceId: ctx.practiceId }),
          ...(ctx.settings.acknowledgements && { acks: { outbox: ctx.folders.outbox, clock: ctx.clock } }),
        });
      } catch (err) {
        // The database or the disk failed, or the outbox refused an acknowledgement: the file stays in the inbox for the next run.
        yield { input: path.basename(file), status: 'failed', reasons: [(await inputFailure(err, { file: path.basename(file) })).toJSON() as unknown as ReasonJson] };
        continue;
      }
      yield inputOutcome(outcome);
      failpoint('ingest.between-files');
    }
  },
});
