// Database roles for least privilege (issue 17): `claims db roles` creates three group roles (NOLOGIN) in the
// cluster, named after the database because roles are cluster-wide (two databases on one server, or the
// test suite's parallel databases, must not share them), and grants each what its work needs:
//   pipeline  runs and posts: read and write every table, never the migrations record;
//   analyst   reports: read every table but the audit trail, and add to the audit trail (its reads are audited);
//   auditor   the audit trail, read only.
// The owner is whoever runs the migrations (the connecting user); operators grant these roles to login
// users (GRANT claims_auditor TO alice). Grants cover the tables that exist: `claims db migrate` grants them
// again after applying a migration, so a new table is never forgotten.
//
// Practices (schemas/db/0016_row_level_security.sql, docs/decisions/0099): row-level security shows each
// analyst only the practices bound to it. The analyst group itself is bound to none; `claims db analyst NAME
// --practice ID` makes `<database>_analyst_<name>`, a member of the analyst group bound to those practices,
// for operators to grant to a login user. The pipeline role bypasses row-level security (BYPASSRLS), because
// PostgreSQL refuses COPY FROM into a table whose policies apply to the role, and the ledger posts by COPY.
import type pg from 'pg';
import { ClaimsError } from '../common/errors.ts';
import { loadPracticeDirectory } from './practices.ts';

export const ROLE_KINDS = ['pipeline', 'analyst', 'auditor'] as const;
export type RoleKind = (typeof ROLE_KINDS)[number];

const AUDIT_TABLE = 'audit_events';
const MIGRATIONS_TABLE = 'claims_migrations';
/** Which practices each role may read: written by the owner (bindAnalyst) only, never by the pipeline. */
const GRANTS_TABLE = 'practice_grants';
/** The policies' function (0016): the analyst must be able to call it, or its every read fails. */
const VISIBLE_PRACTICES_FUNCTION = 'claims_visible_practices(name)';

/** `<database>_<kind>`, as a Postgres identifier may be written without quotes (at most 63 bytes). */
export function roleName(database: string, kind: RoleKind): string {
  const base = database.toLowerCase().replace(/[^a-z0-9_]/g, '_').slice(0, 63 - kind.length - 1);
  return `${base}_${kind}`;
}

type Queryable = pg.Pool | pg.ClientBase;

async function databaseName(db: Queryable): Promise<string> {
  return (await db.query<{ d: string }>('SELECT current_database() AS d')).rows[0]!.d;
}

/** Which of the roles exist (none before `claims db roles`). */
export async function existingRoles(db: Queryable): Promise<Partial<Record<RoleKind, string>>> {
  const name = await databaseName(db);
  const names = ROLE_KINDS.map((k) => roleName(name, k));
  const { rows } = await db.query<{ rolname: string }>('SELECT rolname FROM pg_roles WHERE rolname = ANY($1::text[])', [names]);
  const found = new Set(rows.map((r) => r.rolname));
  return Object.fromEntries(ROLE_KINDS.filter((k) => found.has(roleName(name, k))).map((k) => [k, roleName(name, k)]));
}

/** What grantStatements needs to know of the schema as it is now. */
interface Schema {
  tables: readonly string[];
  /** claims_visible_practices exists (migration 0016 applied). */
  rowSecurity: boolean;
}

/** The statements that give each role exactly its privileges on the tables there are now. */
function grantStatements(roles: Record<RoleKind, string>, schema: Schema, database: string, quote: (s: string) => string): string[] {
  const { tables } = schema;
  const q = (kind: RoleKind): string => quote(roles[kind]);
  const all = Object.values(roles).map(quote).join(', ');
  const out = [
    `GRANT CONNECT, TEMPORARY ON DATABASE ${quote(database)} TO ${all}`,
    `GRANT USAGE ON SCHEMA public TO ${all}`,
    // Start from nothing each time, so a privilege taken out of this list is taken away too.
    `REVOKE ALL ON ALL TABLES IN SCHEMA public FROM ${all}`,
    `REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM ${all}`,
    `REVOKE ALL ON ALL FUNCTIONS IN SCHEMA public FROM ${all}`,
    `GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${q('pipeline')}`,
    `GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO ${q('pipeline')}`,
  ];
  if (tables.includes(MIGRATIONS_TABLE)) out.push(`REVOKE INSERT, UPDATE, DELETE ON ${quote(MIGRATIONS_TABLE)} FROM ${q('pipeline')}`);
  // The pipeline bypasses row-level security: writing practice_grants would let it widen an analyst's view.
  if (tables.includes(GRANTS_TABLE)) out.push(`REVOKE INSERT, UPDATE, DELETE ON ${quote(GRANTS_TABLE)} FROM ${q('pipeline')}`);
  // Only the analyst: a member of the pipeline that did not SET ROLE (so row-level security applies to it)
  // then fails loudly on the function instead of reading an empty, practice-less database.
  if (schema.rowSecurity) out.push(`GRANT EXECUTE ON FUNCTION ${VISIBLE_PRACTICES_FUNCTION} TO ${q('analyst')}`);
  const readable = tables.filter((t) => t !== AUDIT_TABLE);
  if (readable.length > 0) out.push(`GRANT SELECT ON ${readable.map(quote).join(', ')} TO ${q('analyst')}`);
  if (tables.includes(AUDIT_TABLE)) {
    out.push(
      `GRANT INSERT ON ${quote(AUDIT_TABLE)} TO ${q('analyst')}`,
      `GRANT USAGE ON SEQUENCE ${quote(`${AUDIT_TABLE}_id_seq`)} TO ${q('analyst')}`,
      `GRANT SELECT ON ${quote(AUDIT_TABLE)} TO ${q('auditor')}`,
    );
  }
  return out;
}

async function schemaOf(client: pg.ClientBase): Promise<Schema> {
  const { rows } = await client.query<{ t: string }>("SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public' ORDER BY 1");
  const fn = await client.query<{ f: string | null }>('SELECT to_regprocedure($1) AS f', [`public.${VISIBLE_PRACTICES_FUNCTION}`]);
  return { tables: rows.map((r) => r.t), rowSecurity: fn.rows[0]?.f != null };
}

/**
 * Tables with a practice_id column whose row-level security is off (one added by a later migration that did
 * not call claims_protect_by_practice): protected now, so such a table is never left readable in full.
 */
async function protectPracticeTables(client: pg.ClientBase): Promise<string[]> {
  const helper = await client.query<{ f: string | null }>("SELECT to_regprocedure('public.claims_protect_by_practice(regclass)') AS f");
  if (helper.rows[0]?.f == null) return [];
  const { rows } = await client.query<{ t: string }>(
    `SELECT c.relname AS t FROM pg_class c
     JOIN pg_namespace n ON n.oid = c.relnamespace
     JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'practice_id' AND NOT a.attisdropped
     WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relrowsecurity ORDER BY 1`);
  for (const r of rows) await client.query('SELECT claims_protect_by_practice($1::regclass)', [`public.${client.escapeIdentifier(r.t)}`]);
  return rows.map((r) => r.t);
}

/** The pipeline role must bypass row-level security; only a superuser can say so. Checked before anything is created. */
async function checkBypassPossible(client: pg.ClientBase, pipeline: string): Promise<boolean> {
  const { rows } = await client.query<{ bypass: boolean | null; superuser: boolean }>(
    `SELECT (SELECT rolbypassrls FROM pg_roles WHERE rolname = $1) AS bypass,
            (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS superuser`, [pipeline]);
  const { bypass, superuser } = rows[0]!;
  if (bypass === true) return false;
  if (!superuser) {
    throw new ClaimsError({
      code: 'PRACTICE_RLS_BYPASS_REFUSED',
      message: `the pipeline role ${pipeline} must bypass row-level security (PostgreSQL refuses COPY FROM into a table ` +
        'whose policies apply to the role, and the ledger posts by COPY), and only a superuser can give it BYPASSRLS: ' +
        `run \`claims db roles\` once as a superuser, or have one run ALTER ROLE ${client.escapeIdentifier(pipeline)} BYPASSRLS`,
      expected: 'a superuser, or a pipeline role that already has BYPASSRLS',
    });
  }
  return true;
}

export interface RolesResult {
  database: string;
  roles: Record<RoleKind, string>;
  created: string[];
  tables: number;
}

/** Create the roles that are missing and grant all three their privileges; safe to run again. */
export async function createRoles(pool: pg.Pool): Promise<RolesResult> {
  const client = await pool.connect();
  try {
    const database = await databaseName(client);
    const roles = Object.fromEntries(ROLE_KINDS.map((k) => [k, roleName(database, k)])) as Record<RoleKind, string>;
    const before = await existingRoles(client);
    const created: string[] = [];
    const giveBypass = await checkBypassPossible(client, roles.pipeline);
    await client.query('BEGIN');
    try {
      for (const kind of ROLE_KINDS) {
        if (before[kind]) continue;
        await client.query(`CREATE ROLE ${client.escapeIdentifier(roles[kind])} NOLOGIN`);
        created.push(roles[kind]);
      }
      if (giveBypass) await client.query(`ALTER ROLE ${client.escapeIdentifier(roles.pipeline)} BYPASSRLS`);
      await protectPracticeTables(client);
      const schema = await schemaOf(client);
      for (const sql of grantStatements(roles, schema, database, (s) => client.escapeIdentifier(s))) await client.query(sql);
      await client.query('COMMIT');
      return { database, roles, created, tables: schema.tables.length };
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    }
  } finally {
    client.release();
  }
}

/**
 * After migrations: protect a new practice-keyed table left open, and grant the existing roles their
 * privileges on the new tables too. No roles: no grants.
 */
export async function refreshGrants(client: pg.ClientBase): Promise<boolean> {
  await protectPracticeTables(client);
  const found = await existingRoles(client);
  if (ROLE_KINDS.some((k) => !found[k])) return false;
  const database = await databaseName(client);
  const schema = await schemaOf(client);
  for (const sql of grantStatements(found as Record<RoleKind, string>, schema, database, (s) => client.escapeIdentifier(s))) await client.query(sql);
  return true;
}

/** An analyst's name as `claims db analyst NAME` takes it: it becomes part of a role name written without quotes. */
export const ANALYST_NAME_PATTERN = /^[a-z0-9][a-z0-9_]*$/;

/** `<database>_analyst_<name>`, or undefined when the name is not usable (pattern, or over 63 bytes in all). */
export function analystRoleName(database: string, name: string): string | undefined {
  if (!ANALYST_NAME_PATTERN.test(name)) return undefined;
  const full = `${roleName(database, 'analyst')}_${name}`;
  return full.length <= 63 ? full : undefined;
}

export interface BindResult {
  role: string;
  /** The role did not exist: made now, NOLOGIN, member of the analyst group. */
  created: boolean;
  /** The practices the role now reads, sorted. */
  practices: string[];
  /** The practices the role read before (replaced, not added to). */
  previous: string[];
}

/**
 * Bind the analyst `<database>_analyst_<name>` to exactly these practices (the set replaces the one it had;
 * empty: it reads none). Made if missing, a member of the analyst group, so it has the group's privileges
 * and the policies show it these practices' rows. Needs the roles of `claims db roles` and the owner's rights.
 */
export async function bindAnalyst(pool: pg.Pool, name: string, practiceIds: readonly string[]): Promise<BindResult> {
  const client = await pool.connect();
  try {
    const database = await databaseName(client);
    const role = analystRoleName(database, name);
    if (role === undefined) throw new Error(`analyst name ${JSON.stringify(name)} is not usable in a role name`);
    const group = (await existingRoles(client)).analyst;
    if (group === undefined) throw new Error(`the analyst group role ${roleName(database, 'analyst')} does not exist: run \`claims db roles\` first`);
    const practices = [...new Set(practiceIds)].sort();
    const directory = await loadPracticeDirectory(client);
    const unknown = practices.filter((p) => directory.get(p) === undefined);
    if (unknown.length > 0) {
      throw new ClaimsError({
        code: 'PRACTICE_UNKNOWN',
        message: `practice${unknown.length > 1 ? 's' : ''} ${unknown.map((p) => JSON.stringify(p)).join(', ')} not registered ` +
          `(practices: ${directory.practices.map((p) => p.id).join(', ') || 'none'})`,
        expected: 'a registered practice id', found: unknown.join(', '),
      });
    }
    await client.query('BEGIN');
    try {
      const exists = (await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role])).rowCount === 1;
      if (!exists) await client.query(`CREATE ROLE ${client.escapeIdentifier(role)} NOLOGIN`);
      // Also for a role that existed: its membership is what gives it the analyst's privileges.
      await client.query(`GRANT ${client.escapeIdentifier(group)} TO ${client.escapeIdentifier(role)}`);
      const { rows } = await client.query<{ practice_id: string }>(
        'DELETE FROM practice_grants WHERE role_name = $1 RETURNING practice_id', [role]);
      await client.query('INSERT INTO practice_grants (role_name, practice_id) SELECT $1, unnest($2::text[])', [role, practices]);
      await client.query('COMMIT');
      return { role, created: !exists, practices, previous: rows.map((r) => r.practice_id).sort() };
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    }
  } finally {
    client.release();
  }
}

/**
 * The role a command acts as, the least that does its work: `<db>_pipeline` for the commands that run and
 * post, `<db>_auditor` for reading the audit trail. Undefined (act as the connecting user) when `claims db
 * roles` has not created it or the connecting user may not take it on (not a member): a read-only login, an
 * analyst bound to practices, reads as itself, and row-level security applies.
 */
export async function actingRole(db: Queryable, kind: 'pipeline' | 'auditor'): Promise<string | undefined> {
  const name = (await existingRoles(db))[kind];
  if (name === undefined) return undefined;
  const { rows } = await db.query<{ ok: boolean }>("SELECT pg_has_role(session_user, $1, 'MEMBER') AS ok", [name]);
  return rows[0]?.ok ? name : undefined;
}
