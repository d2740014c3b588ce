// `claims practices [list] | register FILE`: the practices a billing office keeps books for (runtime/practices.ts).
import { parseArgs } from 'node:util';
import { type Command, type CommandContext, UsageError } from '../command.ts';
import { openDatabase, withTransaction } from '../../runtime/database.ts';
import { loadPracticeDirectory, readPracticesFile, registerPractices } from '../../runtime/practices.ts';
import { ExitCode } from '../../common/errors.ts';
import { JSON_OPTION, jsonHelpLine, writeJson } from '../json-output.ts';

const HELP = `Usage: claims practices [list] [--json]
       claims practices register FILE [--json]

  Each practice keeps its own books: its patients, claims, remittances, statements, referrals and ledger
  accounts, with a trial balance that sums to zero on its own. A claim belongs to the practice of its
  billing provider's NPI (else its tax id); an 835 to the practice its payee names (N1*PE NPI or tax id,
  REF*TJ), and it matches only that practice's claims. While no practice but "default" is registered,
  everything is the practice "default" (a single-practice office registers nothing).

  list      The registered practices: id, name, tax id, NPIs.
  register  Add or update the practices of FILE ({"practices": [{"id", "name", "taxId"?, "npis": [...]}]},
            schemas/practices.schema.json). Registering the same file again changes nothing. Refused as a
            whole when an NPI is another practice's, or already bills claims in another practice's books.

Options:
${jsonHelpLine(2)}
  -h, --help

Examples:
  claims practices register samples/practices.json
  claims practices --json
`;

async function list(ctx: CommandContext, json: boolean): Promise<number> {
  const db = await openDatabase({ migrate: true, logger: ctx.logger });
  try {
    const dir = await loadPracticeDirectory(db.pool);
    if (json) writeJson(ctx, { practices: dir.practices, singlePractice: dir.singlePractice });
    else {
      const rows = dir.practices.map((p) => [p.id, p.name, p.taxId ?? '', p.npis.join(', ')]);
      const header = ['PRACTICE', 'NAME', 'TAX ID', 'NPIS'];
      const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
      const line = (r: string[]): string => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
      ctx.stdout.write([line(header), ...rows.map(line)].join('\n') + '\n');
      if (dir.singlePractice) ctx.stdout.write('No practice registered: everything is the practice "default".\n');
    }
    return ExitCode.ok;
  } finally {
    await db.close();
  }
}

async function register(file: string, ctx: CommandContext, json: boolean): Promise<number> {
  const practices = await readPracticesFile(file);
  const db = await openDatabase({ migrate: true, logger: ctx.logger });
  try {
    const result = await withTransaction(db.pool, (client) => registerPractices(client, practices));
    ctx.logger.info({ file, added: result.added.length, updated: result.updated.length, unchanged: result.unchanged.length }, 'practices registered');
    if (json) writeJson(ctx, result);
    else {
      const say = (what: string, ids: string[]): string => (ids.length > 0 ? `${what}: ${ids.join(', ')}\n` : '');
      ctx.stdout.write(say('added', result.added) + say('updated', result.updated) + say('unchanged', result.unchanged));
    }
    return ExitCode.ok;
  } finally {
    await db.close();
  }
}

export const practicesCommand: Command = {
  name: 'practices',
  summary: 'The practices whose books this office keeps: `claims practices` lists, `claims practices register FILE` adds',
  help: HELP,
  async run(args, ctx) {
    let parsed;
    try {
      parsed = parseArgs({ args, strict: true, allowPositionals: true, options: { ...JSON_OPTION } });
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    const [verb = 'list', ...rest] = parsed.positionals;
    const json = parsed.values.json === true;
    if (verb === 'list') {
      if (rest.length > 0) throw new UsageError(`unexpected argument '${rest[0]}'`);
      return list(ctx, json);
    }
    if (verb === 'register') {
      if (rest.length !== 1) throw new UsageError('register takes exactly one practices file');
      return register(rest[0]!, ctx, json);
    }
    throw new UsageError(`unknown sub-command '${verb}': expected list or register`);
  },
};
