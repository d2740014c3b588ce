// `claims db migrate|status|roles`: apply the numbered migrations in schemas/db, show which are applied, or
// create the least-privilege roles (src/runtime/roles.ts).
import { parseArgs } from 'node:util';
import { type Command, type CommandContext, UsageError } from '../command.ts';
import { openDatabase, redactUrl } from '../../runtime/database.ts';
import { ExitCode } from '../../common/errors.ts';
import { type MigrationStatus, migrate, migrationStatus } from '../../runtime/migrations.ts';
import { JSON_OPTION, jsonHelpLine, writeJson } from '../json-output.ts';
import { createRoles, ROLE_KINDS, type RoleKind } from '../../runtime/roles.ts';

const ROLE_WORK: Record<RoleKind, string> = {
  pipeline: 'runs and posts: reads and writes every table but the migrations record',
  analyst: 'reports: reads every table but the audit trail, and records its reads there',
  auditor: 'reads the audit trail, nothing else',
};

const HELP = `Usage: claims db migrate [--json]
       claims db status [--json]
       claims db roles [--json]

  migrate   Apply pending migrations from schemas/db, each in its own transaction. Safe to run from two
            processes at once. Stops with MIGRATION_CHECKSUM_MISMATCH if an applied file was edited.
  status    List applied and pending migrations. Exits 1 if an applied file was edited or removed.
  roles     Create the database's roles (group roles, NOLOGIN; names start with the database's name):
            DB_pipeline (runs and posts: every table, not the migrations), DB_analyst (reads every table
            but the audit trail; its reads are audited), DB_auditor (reads the audit trail only). Run it
            again any time: it creates what is missing and grants the privileges anew; migrate keeps them
            up to date for new tables. Grant them to login users: GRANT claims_analyst TO alice.

Options:
${jsonHelpLine(10)}
  -h, --help

The server is DATABASE_URL, or the embedded one under CLAIMS_HOME (started and stopped for the command,
or shared with a command already running).

Examples:
  claims db migrate
  DATABASE_URL=postgres://claims@db.example.test/claims claims db status --json
`;

function statusJson(status: MigrationStatus): Record<string, unknown> {
  return {
    applied: status.applied.map((a) => ({ id: a.id, name: a.name, checksum: a.checksum, appliedAt: a.appliedAt.toISOString() })),
    pending: status.pending.map((p) => ({ id: p.id, name: p.name, fileName: p.fileName, checksum: p.checksum })),
    changed: status.changed.map((c) => ({ id: c.file.id, fileName: c.file.fileName, recordedChecksum: c.applied.checksum, fileChecksum: c.file.checksum })),
    missing: status.missing.map((m) => ({ id: m.id, name: m.name })),
  };
}

function statusTable(status: MigrationStatus): string {
  const rows: string[][] = [['ID', 'NAME', 'STATE', 'APPLIED AT']];
  const changedIds = new Set(status.changed.map((c) => c.file.id));
  const missingIds = new Set(status.missing.map((m) => m.id));
  for (const a of status.applied) {
    const state = changedIds.has(a.id) ? 'CHANGED' : missingIds.has(a.id) ? 'MISSING FILE' : 'applied';
    rows.push([String(a.id).padStart(4, '0'), a.name, state, a.appliedAt.toISOString()]);
  }
  for (const p of status.pending) rows.push([String(p.id).padStart(4, '0'), p.name, 'pending', '']);
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n') + '\n';
}

async function run(args: string[], ctx: CommandContext): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args, options: { ...JSON_OPTION }, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const [verb, ...extra] = parsed.positionals;
  if (verb !== 'migrate' && verb !== 'status' && verb !== 'roles') {
    throw new UsageError(verb === undefined ? 'missing sub-command: migrate, status or roles' : `unknown sub-command '${verb}': expected migrate, status or roles`);
  }
  if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0]}'`);
  const json = parsed.values.json === true;

  const db = await openDatabase({ logger: ctx.logger });
  try {
    if (verb === 'migrate') {
      const result = await migrate(db.pool, { logger: ctx.logger });
      if (json) {
        writeJson(ctx, { appliedNow: result.applied.map((f) => f.fileName), ...statusJson(result.status) });
      } else {
        const names = result.applied.map((f) => `  ${f.fileName}\n`).join('');
        ctx.stdout.write(result.applied.length === 0
          ? `database is up to date (${result.status.applied.length} migrations applied) on ${redactUrl(db.connectionString)}\n`
          : `applied ${result.applied.length} migration(s):\n${names}`);
      }
      return ExitCode.ok;
    }
    if (verb === 'roles') {
      await migrate(db.pool, { logger: ctx.logger });
      const r = await createRoles(db.pool);
      if (json) writeJson(ctx, r);
      else {
        const made = r.created.length === 0 ? 'all three existed' : `created ${r.created.join(', ')}`;
        ctx.stdout.write(`roles of database ${r.database}: ${made}; privileges granted on ${r.tables} tables\n` +
          ROLE_KINDS.map((k) => `  ${r.roles[k].padEnd(Math.max(...ROLE_KINDS.map((x) => r.roles[x].length)))}  ${ROLE_WORK[k]}\n`).join(''));
      }
      return ExitCode.ok;
    }
    const status = await migrationStatus(db.pool);
    if (json) writeJson(ctx, statusJson(status));
    else ctx.stdout.write(statusTable(status));
    return status.changed.length > 0 || status.missing.length > 0 ? ExitCode.failed : ExitCode.ok;
  } finally {
    await db.close();
  }
}

export const dbCommand: Command = {
  name: 'db',
  summary: 'The database: `claims db migrate`, `claims db status`, `claims db roles` (least-privilege roles)',
  help: HELP,
  run,
};
