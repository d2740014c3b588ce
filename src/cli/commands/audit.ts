// `claims audit`: the audit trail (src/runtime/audit.ts): who read or wrote which guarantor account, with
// which command, when. Reading the trail is itself not recorded (it holds identifiers only).
import { parseArgs } from 'node:util';
import { type Command, UsageError } from '../command.ts';
import { openDatabase } from '../../runtime/database.ts';
import { readAudit, type StoredAuditEvent } from '../../runtime/audit.ts';
import { checkPracticeOption } from '../../runtime/practices.ts';
import { ExitCode } from '../../common/errors.ts';
import { isIsoDate } from '../../common/dates.ts';
import { JSON_OPTION, jsonHelpLine, writeJson } from '../json-output.ts';

const HELP = `Usage: claims audit [--account ACCOUNT] [--practice ID] [--from DATE] [--to DATE] [--json]

  The audit trail: one row per command that read or wrote patient data (claims account, statements,
  referrals, also inside claims run): when (UTC), the operating-system user and database role, the
  command, read or write, the practice, and the guarantor accounts and files it touched (a command that
  touched several practices' accounts leaves one row per practice). Identifiers only. The trail is
  append-only: the database refuses to change or delete a row.

Options:
  --account ACCOUNT  Only events that touched this guarantor account.
  --practice ID      Only events about this practice's patients.
  --from DATE        Only events on or after DATE (YYYY-MM-DD, the server's time zone).
  --to DATE          Only events on or before DATE.
${jsonHelpLine(19)}
  -h, --help

Examples:
  claims audit --account A00000005
  claims audit --from 2024-08-01 --to 2024-08-31 --json
`;

function textOf(events: StoredAuditEvent[]): string {
  if (events.length === 0) return 'No audit events match.\n';
  const rows = events.map((e) => {
    const what = [e.accounts.length > 0 ? `accounts ${e.accounts.length <= 5 ? e.accounts.join(', ') : `${e.accounts.slice(0, 5).join(', ')} and ${e.accounts.length - 5} more`}` : '', e.files.length > 0 ? `${e.files.length} file${e.files.length === 1 ? '' : 's'}` : '']
      .filter((x) => x !== '').join('; ');
    return [e.at, e.osUser, e.dbRole, e.command, e.action, e.practice ?? '-', what];
  });
  const header = ['AT (UTC)', 'USER', 'ROLE', 'COMMAND', 'ACTION', 'PRACTICE', 'TOUCHED'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]): string => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}

export const auditCommand: Command = {
  name: 'audit',
  summary: 'The audit trail: who read or wrote which patient account, with which command, when',
  help: HELP,
  async run(args, ctx) {
    let parsed;
    try {
      parsed = parseArgs({
        args, strict: true, allowPositionals: false,
        options: { account: { type: 'string' }, practice: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, ...JSON_OPTION },
      });
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    const { account, practice, from, to } = parsed.values;
    for (const [flag, v] of [['--from', from], ['--to', to]] as const) {
      if (v !== undefined && !isIsoDate(v)) throw new UsageError(`${flag} ${v}: expected YYYY-MM-DD`);
    }
    const db = await openDatabase({ migrate: true, logger: ctx.logger, actAs: 'auditor' });
    try {
      await checkPracticeOption(db.pool, practice);
      const events = await readAudit(db.pool, { ...(account && { account }), ...(practice && { practice }), ...(from && { from }), ...(to && { to }) });
      if (parsed.values.json) writeJson(ctx, { events });
      else ctx.stdout.write(textOf(events));
    } finally {
      await db.close();
    }
    return ExitCode.ok;
  },
};
