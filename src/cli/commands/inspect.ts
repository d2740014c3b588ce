// `claims inspect FILE... [--json]`: what an analyst runs on a file a payer says is fine. Reads each
// file through the tokenizer and envelope checks and prints its structure and every located problem.
import type { Command } from '../command.ts';
import { UsageError } from '../command.ts';
import { ExitCode, toClaimsError } from '../../common/errors.ts';
import { formatReport, inspectSource, reportJson, type FileReport } from '../../exchange/inspect.ts';
import { takeJsonFlag, writeJson } from '../json-output.ts';

const HELP = `Usage: claims inspect FILE... [--json]

Show the interchanges, groups and sets of each X12 file (control numbers, senders, receivers, versions,
segment counts) and every problem found, with file, ISA13, segment index, element, byte offset, and what
was expected and found.

Options:
  --json   one JSON document per run: { files: [...] }

Exit codes: 0 every file is sound (warnings allowed), 3 some file has problems, 1 internal failure.`;

export const inspectCommand: Command = {
  name: 'inspect',
  summary: 'Show the envelope structure of X12 files and every problem found, located',
  help: HELP,
  async run(args, ctx) {
    const { json, rest: files } = takeJsonFlag(args);
    const unknown = files.find((a) => a.startsWith('-'));
    if (unknown) throw new UsageError(`unknown option ${unknown}`);
    if (files.length === 0) throw new UsageError('name at least one file');
    const reports: FileReport[] = [];
    let internal = false;
    for (const file of files) {
      if (ctx.signal.aborted) break;
      try {
        const report = await inspectSource(file, { file });
        reports.push(report);
        if (!json) ctx.stdout.write(formatReport(report));
      } catch (err) {
        // Unreadable files (missing, a directory) are reported and make the run fail, not crash it.
        const e = toClaimsError(err, { file });
        internal = true;
        ctx.stderr.write(`claims inspect: ${file}: ${e.message}\n`);
      }
    }
    if (json) writeJson(ctx, { files: reports.map(reportJson) });
    if (internal) return ExitCode.failed;
    return reports.some((r) => r.errorCount > 0) ? ExitCode.rejected : ExitCode.ok;
  },
};
