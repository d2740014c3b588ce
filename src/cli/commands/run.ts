// `claims run PIPELINE.json`: the nightly job. Validates the pipeline file before touching the database
// (a typo should not start a server), opens the database with migrations, runs the stages (once, or once per
// due date of the file's schedule), prints the summary and where the outputs are, and always closes the
// database: on success, on failure and after Ctrl-C.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fixedClock, type Clock } from '../../common/clock.ts';
import { config } from '../../runtime/config.ts';
import { openDatabase, withTransaction } from '../../runtime/database.ts';
import { checkPracticeOption, registerPractices } from '../../runtime/practices.ts';
import { ClaimsError, ExitCode, formatLocation } from '../../common/errors.ts';
import { isIsoDate } from '../../common/dates.ts';
import { PipelineInvalidError } from '../../pipeline/pipeline-file.ts';
import { loadPipeline, type LoadedPipeline } from '../../pipeline/pipeline-load.ts';
import { exitCodeOf } from '../../pipeline/run-record.ts';
import { createPgRunStore } from '../../pipeline/run-store-pg.ts';
import { runPipeline } from '../../pipeline/runner.ts';
import { listOutputs, outputsText, type OutputGroup } from '../../pipeline/outputs.ts';
import { runSchedule } from '../../pipeline/schedule.ts';
import { stages } from '../../pipeline/stages/index.ts';
import { scheduleSummaryJson, scheduleSummaryText, summaryJson, summaryText } from '../../pipeline/summary.ts';
import { UsageError, type Command, type CommandContext } from '../command.ts';
import { JSON_OPTION, writeJson } from '../json-output.ts';

const HELP = [
  'Usage: claims run PIPELINE.json [--as-of YYYY-MM-DD] [--json]',
  '',
  'Run a pipeline: copy new files from its pickup folders into its inbox, run its stages in order, move',
  'each input to the archive (data committed) or to quarantine (with NAME.error.json), record the run in',
  'the database, and print a summary and where its outputs are.',
  '',
  'A pipeline with a `schedule` (a list of business dates, each with optional pickup folders of its own)',
  'runs once per scheduled date on or before today, in order, one run record per date, and stops after a',
  'date that failed or was interrupted; the next run resumes at that date (the dates before it are not',
  'run again), and a date never sees files picked up for a later one. The exit code is the worst of the',
  'dates run.',
  '',
  'Options:',
  '  --as-of DATE  the business date of the run ("today"); overrides CLAIMS_NOW and the pipeline\'s asOf;',
  '                with a schedule, the dates on or before DATE run',
  '  --json        print the summary as one JSON document on stdout (logs stay on stderr; amounts as',
  '                integer cents in ...Cents fields)',
  '',
  `Stages: ${stages.map((s) => s.name).join(', ')}`,
  '',
  'Exit codes: 0 done, 1 a stage failed or the run was interrupted, 2 usage or invalid pipeline file,',
  '3 done but some input was quarantined.',
  '',
  'Examples:',
  '  claims run pipelines/nightly.json --as-of 2024-03-01',
  '  claims run pipelines/demo.json     (its schedule: 2024-03-31 through the collections dates)',
].join('\n');

/** "Today" for the run: --as-of, then CLAIMS_NOW, then the pipeline file's asOf, then the system clock. */
function runClock(asOf: string | undefined, pipeline: LoadedPipeline, ctx: CommandContext): Clock {
  if (asOf !== undefined) return fixedClock(asOf);
  if (config().now !== undefined) return ctx.clock;
  if (pipeline.definition.asOf !== undefined) return fixedClock(pipeline.definition.asOf);
  return ctx.clock;
}

function endNote(groups: OutputGroup[], relativeTo: (p: string) => string): string {
  const text = outputsText(groups, relativeTo);
  return text === '' ? '' : '\n' + text;
}

function reportInvalid(err: ClaimsError, json: boolean, ctx: CommandContext): number {
  const problems = err instanceof PipelineInvalidError ? err.problems : [err];
  if (json) {
    writeJson(ctx, { status: 'invalid', exitCode: ExitCode.usage, errors: problems.map((p) => p.toJSON()) });
  } else {
    ctx.stderr.write(`claims run: ${err.code}: ${err.message.split('\n')[0]}\n`);
    for (const p of problems) ctx.stderr.write(`  ${formatLocation(p.location)}: ${p.message}\n`);
  }
  return ExitCode.usage;
}

export const runCommand: Command = {
  name: 'run',
  summary: 'Run a pipeline (the nightly job): stages in order, archive, quarantine, run record, summary',
  help: HELP,
  async run(args, ctx) {
    let parsed;
    try {
      parsed = parseArgs({
        args, allowPositionals: true, strict: true,
        options: { 'as-of': { type: 'string' }, ...JSON_OPTION },
      });
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    const [file, ...extra] = parsed.positionals;
    if (file === undefined) throw new UsageError('name the pipeline file to run');
    if (extra.length > 0) throw new UsageError(`one pipeline at a time (also got ${extra.join(' ')})`);
    const asOf = parsed.values['as-of'];
    if (asOf !== undefined && !isIsoDate(asOf)) throw new UsageError(`--as-of expects a date as YYYY-MM-DD, got ${asOf}`);
    const json = parsed.values.json === true;

    let pipeline: LoadedPipeline;
    try {
      pipeline = await loadPipeline(file, stages, { home: config().home });
    } catch (err) {
      if (err instanceof ClaimsError && err.code.startsWith('PIPELINE_')) return reportInvalid(err, json, ctx);
      throw err;
    }
    const db = await openDatabase({ migrate: true, logger: ctx.logger, actAs: 'pipeline' });
    try {
      if (pipeline.practices !== null) {
        // Before any stage: every claim and 835 of the run goes to the books of the practice it names.
        const practices = pipeline.practices;
        const registered = await withTransaction(db.pool, (client) => registerPractices(client, practices));
        if (registered.added.length + registered.updated.length > 0) ctx.logger.info({ added: registered.added, updated: registered.updated }, 'practices registered');
      }
      // A pipeline for one practice names a registered one (PRACTICE_UNKNOWN before anything runs).
      await checkPracticeOption(db.pool, pipeline.definition.practice);
    } catch (err) {
      await db.close();
      throw err;
    }
    const base = path.dirname(pipeline.file);
    // JSON names paths from the pipeline file (the same wherever it is run from); text from where the user is.
    const relativeTo = (p: string): string => path.relative(base, p);
    const fromHere = (p: string): string => path.relative(process.cwd(), p);
    const common = { pipeline, stages, store: createPgRunStore(db.pool), db, logger: ctx.logger, signal: ctx.signal };
    try {
      if (pipeline.schedule.length > 0) {
        // "Today" bounds the schedule: dates after it are not due yet.
        const through = asOf ?? ctx.clock.today();
        const result = await runSchedule(common, through, {
          afterRun: (run) => {
            if (!json) ctx.stdout.write(summaryText(run, { relativeTo: fromHere }) + '\n');
          },
        });
        const input = { pipeline: pipeline.definition.name, ...result };
        if (json) writeJson(ctx, scheduleSummaryJson(input, { relativeTo }));
        else ctx.stdout.write(scheduleSummaryText(input) + endNote(await listOutputs(pipeline.folders), fromHere));
        return result.exitCode;
      }
      const run = await runPipeline({ ...common, clock: runClock(asOf, pipeline, ctx) });
      if (json) writeJson(ctx, summaryJson(run, { relativeTo }));
      else ctx.stdout.write(summaryText(run, { relativeTo: fromHere }) + endNote(await listOutputs(pipeline.folders), fromHere));
      return exitCodeOf(run.status);
    } finally {
      await db.close();
    }
  },
};
