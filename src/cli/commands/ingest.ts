// `claims ingest FILE...`: post the X12 files given (835 remittances; other sets as their handlers are
// registered in src/exchange/set-handler.ts). Exit 0 when every set posted or was a duplicate, 3 when any
// set or file was quarantined (a copy in the quarantine folder with FILE.error.json).
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { type Command, type CommandContext, UsageError } from '../command.ts';
import { openDatabase } from '../../runtime/database.ts';
import { config } from '../../runtime/config.ts';
import { ExitCode, formatLocation } from '../../common/errors.ts';
import { failpoint } from '../../runtime/failpoints.ts';
import { defaultClock } from '../../runtime/process-clock.ts';
import { OWNER_ONLY_DIR } from '../../common/files.ts';
import type { FileOutcome } from '../../exchange/receive-file.ts';
import { ingestFile } from '../../pipeline/ingest-input.ts';
import { checkPracticeOption } from '../../runtime/practices.ts';
import { JSON_OPTION, writeJson } from '../json-output.ts';

const HELP = `Usage: claims ingest FILE... [--quarantine DIR] [--acks DIR] [--practice ID] [--json]

  Reads each file's envelopes and posts every transaction set it holds: 835 remittances are balanced
  (line, claim, remittance), matched to the claims sent, and posted to the ledger once each (one
  transaction per remittance). A redelivered remittance is reported as a duplicate and posts nothing.
  A remittance that does not balance, or that conflicts with one already posted, is quarantined: the
  other remittances of the file still post, and a copy of the file goes to the quarantine folder with
  FILE.error.json naming the set, level, claim and amounts.

Options:
  --quarantine DIR  Where quarantine copies go (default: CLAIMS_HOME/quarantine).
  --acks DIR        Write acknowledgements there: a 999 per functional group, and a TA1 when the
                    sender asked for one (ISA14 = 1) or the envelope is broken. Written only after
                    what they acknowledge is committed.
  --practice ID     Only this practice's remittances: an 835 paying another practice (by N1*PE) is
                    quarantined with REMIT_OF_OTHER_PRACTICE and posts nothing (that practice's own
                    ingest posts it). Without it, each remittance goes to its payee's practice.
  --json            Print one JSON document, {"files": [...]}, one entry per file, instead of a summary
                    (amounts as integer cents in ...Cents fields).
  -h, --help

Exit codes: 0 all posted or duplicates, 1 failed, 2 usage, 3 something was quarantined.

Examples:
  claims ingest samples/835/*.x12
  claims ingest --json remit-2024-03-15.835
`;

function summary(o: FileOutcome): string {
  const count = (s: string) => o.sets.filter((x) => x.status === s).length;
  const lines = [`${path.basename(o.file)}: ${o.status} (posted ${count('posted')}, duplicate ${count('duplicate')}, quarantined ${count('quarantined')})`];
  for (const r of o.reasons) lines.push(`  ${r.code}: ${r.message} (${formatLocation(r.location)})`);
  for (const s of o.sets) {
    for (const r of s.reasons) lines.push(`  ST02 ${s.set} ${s.status}: ${r.severity === 'warning' ? 'warning ' : ''}${r.code}: ${r.message}`);
  }
  if (o.quarantined) lines.push(`  quarantine copy: ${o.quarantined.path}`);
  for (const a of o.acks ?? []) lines.push(`  acknowledgement: ${a}`);
  return lines.join('\n') + '\n';
}

function fileJson(o: FileOutcome): Record<string, unknown> {
  return {
    file: o.file, sha256: o.fileSha256, status: o.status,
    sets: o.sets.map((s) => ({ set: s.set, transactionSet: s.transactionSet, status: s.status, counts: s.counts ?? {}, detail: s.detail ?? {}, reasons: s.reasons.map((r) => r.toJSON()) })),
    reasons: o.reasons.map((r) => r.toJSON()),
    ...(o.quarantined && { quarantined: o.quarantined }),
    ...(o.acks && { acks: o.acks }),
  };
}

async function run(args: string[], ctx: CommandContext): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args, options: { ...JSON_OPTION, quarantine: { type: 'string' }, acks: { type: 'string' }, practice: { type: 'string' } }, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (parsed.positionals.length === 0) throw new UsageError('name at least one FILE');
  const quarantineDir = path.resolve(parsed.values.quarantine ?? path.join(config().home, 'quarantine'));
  const acksDir = parsed.values.acks === undefined ? undefined : path.resolve(parsed.values.acks);
  if (acksDir !== undefined) await mkdir(acksDir, { recursive: true, mode: OWNER_ONLY_DIR });
  const db = await openDatabase({ migrate: true, logger: ctx.logger, actAs: 'pipeline' });
  let exit: number = ExitCode.ok;
  const files: Record<string, unknown>[] = [];
  try {
    const practiceId = await checkPracticeOption(db.pool, parsed.values.practice);
    for (const file of parsed.positionals) {
      if (ctx.signal.aborted) break;
      const outcome = await ingestFile(path.resolve(file), {
        pool: db.pool, logger: ctx.logger, failpoint, quarantineDir,
        ...(practiceId !== undefined && { practiceId }),
        ...(acksDir !== undefined && { acks: { outbox: acksDir, clock: defaultClock() } }),
      });
      if (parsed.values.json) files.push(fileJson(outcome));
      else ctx.stdout.write(summary(outcome));
      if (outcome.status === 'partial' || outcome.status === 'quarantined') exit = ExitCode.rejected;
      failpoint('ingest.between-files');
    }
  } finally {
    await db.close();
  }
  // After the loop: a file that failed outright throws past this, and stdout then holds no half document.
  if (parsed.values.json) writeJson(ctx, { files });
  return exit;
}

export const ingestCommand: Command = {
  name: 'ingest',
  summary: 'Take in X12 files (835s to the ledger, 271s, 999s and 277CAs) and patient payment files, exactly once',
  help: HELP,
  run,
};
