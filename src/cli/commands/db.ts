// `claims db migrate|status|roles|analyst`: apply the numbered migrations in schemas/db, show which are
// applied, create the least-privilege roles, or bind an analyst to the practices it may read
// (src/runtime/roles.ts).
import { parseArgs } from 'node:util';
import { type Command, type CommandContext, UsageError } from '../command.ts';
import { openDatabase, redactUrl } from '../../runtime/database.ts';
import { ExitCode } from '../../common/errors.ts';
import { type MigrationStatus, migrate, migrationStatus } from '../../runtime/migrations.ts';
import { JSON_OPTION, jsonHelpLine, writeJson } from '../json-output.ts';
import { ANALYST_NAME_PATTERN, analystRoleName, bindAnalyst, createRoles, existingRoles, ROLE_KINDS, type RoleKind } from '../../runtime/roles.ts';

const ROLE_WORK: Record<RoleKind, string> = {
  pipeline: 'runs and posts: reads and writes every table but the migrations record; bypasses row-level security',
  analyst: 'reports: reads the rows of the practices bound to it (claims db analyst), never the audit trail, and records its reads there',
  auditor: 'reads the audit trail, nothing else',
};

const HELP = `Usage: claims db migrate [--json]
       claims db status [--json]
       claims db roles [--json]
       claims db analyst NAME --practice ID [--practice ID ...] [--json]

  migrate   Apply pending migrations from schemas/db, each in its own transaction. Safe to run from two
            processes at once. Stops with MIGRATION_CHECKSUM_MISMATCH if an applied file was edited.
  status    List applied and pending migrations. Exits 1 if an applied file was edited or removed.
  roles     Create the database's roles (group roles, NOLOGIN; names start with the database's name):
            DB_pipeline (runs and posts: every table, not the migrations; bypasses row-level security, so
            the first run needs a superuser), DB_analyst (reads the tables but the audit trail, only the
            rows of the practices bound to it; its reads are audited), DB_auditor (reads the audit trail
            only). Run it again any time: it creates what is missing and grants the privileges anew; migrate
            keeps them up to date for new tables. Login users act as the pipeline by SET ROLE (BYPASSRLS is
            not inherited): connect with options=-c role=DB_pipeline.
  analyst   Bind the analyst DB_analyst_NAME (made if missing: NOLOGIN, member of DB_analyst) to exactly
            the practices given (the set replaces the one it had). It reads those practices' patients,
            claims, remittances, statements and ledger lines, nothing of the others'. Grant it to a login
            user: GRANT "DB_analyst_alice" TO alice. NAME: lower-case letters, digits and _.

Options:
  --practice ID  (analyst) a registered practice the analyst reads; repeat for several
${jsonHelpLine(15)}
  -h, --help

The server is DATABASE_URL, or the embedded one under CLAIMS_HOME (started and stopped for the command,
or shared with a command already running).

Examples:
  claims db migrate
  DATABASE_URL=postgres://claims@db.example.test/claims claims db status --json
  claims db analyst alice --practice northside --practice riverside
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
    parsed = parseArgs({ args, options: { ...JSON_OPTION, practice: { type: 'string', multiple: true } }, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const [verb, ...rest] = parsed.positionals;
  if (verb !== 'migrate' && verb !== 'status' && verb !== 'roles' && verb !== 'analyst') {
    throw new UsageError(verb === undefined ? 'missing sub-command: migrate, status, roles or analyst' : `unknown sub-command '${verb}': expected migrate, status, roles or analyst`);
  }
  const practices = parsed.values.practice ?? [];
  const analyst = verb === 'analyst' ? rest.shift() : undefined;
  if (verb === 'analyst') {
    if (analyst === undefined) throw new UsageError('missing the analyst\'s NAME: claims db analyst NAME --practice ID');
    if (!ANALYST_NAME_PATTERN.test(analyst)) throw new UsageError(`analyst name '${analyst}' must be lower-case letters, digits and _, starting with a letter or digit`);
    if (practices.length === 0) throw new UsageError('missing --practice: name at least one practice the analyst reads');
  } else if (practices.length > 0) {
    throw new UsageError(`--practice goes with claims db analyst, not ${verb}`);
  }
  if (rest.length > 0) throw new UsageError(`unexpected argument '${rest[0]}'`);
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
    if (verb === 'analyst' && analyst !== undefined) {
      await migrate(db.pool, { logger: ctx.logger });
      const database = (await db.pool.query<{ d: string }>('SELECT current_database() AS d')).rows[0]!.d;
      if (analystRoleName(database, analyst) === undefined) throw new UsageError(`analyst name '${analyst}' is too long: the role name would pass PostgreSQL's 63 bytes`);
      if ((await existingRoles(db.pool)).analyst === undefined) throw new UsageError('the database has no analyst role yet: run `claims db roles` first');
      const r = await bindAnalyst(db.pool, analyst, practices);
      if (json) writeJson(ctx, r);
      else {
        ctx.stdout.write(`${r.created ? 'created' : 'updated'} analyst role ${r.role}: reads practice${r.practices.length > 1 ? 's' : ''} ${r.practices.join(', ')}` +
          (r.created ? '' : ` (before: ${r.previous.join(', ') || 'none'})`) + '\n' +
          `  grant it to a login user: GRANT "${r.role}" TO <login>;\n`);
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
  summary: 'The database: `claims db migrate`, `claims db status`, `claims db roles` (least-privilege roles), `claims db analyst` (practices an analyst reads)',
  help: HELP,
  run,
};
