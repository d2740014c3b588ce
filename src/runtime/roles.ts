// Database roles for least privilege (issue 17): `claims db roles` creates three group roles (NOLOGIN) in the
// cluster, named after the database because roles are cluster-wide (two databases on one server, or the
// test suite's parallel databases, must not share them), and grants each what its work needs:
//   pipeline  runs and posts: read and write every table, never the migrations record;
//   analyst   reports: read every table but the audit trail, and add to the audit trail (its reads are audited);
//   auditor   the audit trail, read only.
// The owner is whoever runs the migrations (the connecting user); operators grant these roles to login
// users (GRANT claims_analyst TO alice). Grants cover the tables that exist: `claims db migrate` grants them
// again after applying a migration, so a new table is never forgotten.
import type pg from 'pg';

export const ROLE_KINDS = ['pipeline', 'analyst', 'auditor'] as const;
export type RoleKind = (typeof ROLE_KINDS)[number];

const AUDIT_TABLE = 'audit_events';
const MIGRATIONS_TABLE = 'claims_migrations';

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

/** The statements that give each role exactly its privileges on the tables there are now. */
function grantStatements(roles: Record<RoleKind, string>, tables: readonly string[], database: string, quote: (s: string) => string): string[] {
  const q = (kind: RoleKind): string => quote(roles[kind]);
  const all = Object.values(roles).map(quote).join(', ');
  const out = [
    `GRANT CONNECT, TEMPORARY ON DATABASE ${quote(database)} TO ${all}`,
    `GRANT USAGE ON SCHEMA public TO ${all}`,
    // Start from nothing each time, so a privilege taken out of this list is taken away too.
    `REVOKE ALL ON ALL TABLES IN SCHEMA public FROM ${all}`,
    `REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM ${all}`,
    `GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${q('pipeline')}`,
    `GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO ${q('pipeline')}`,
  ];
  if (tables.includes(MIGRATIONS_TABLE)) out.push(`REVOKE INSERT, UPDATE, DELETE ON ${quote(MIGRATIONS_TABLE)} FROM ${q('pipeline')}`);
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

async function tablesOf(client: pg.ClientBase): Promise<string[]> {
  const { rows } = await client.query<{ t: string }>("SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public' ORDER BY 1");
  return rows.map((r) => r.t);
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
    await client.query('BEGIN');
    try {
      for (const kind of ROLE_KINDS) {
        if (before[kind]) continue;
        await client.query(`CREATE ROLE ${client.escapeIdentifier(roles[kind])} NOLOGIN`);
        created.push(roles[kind]);
      }
      const tables = await tablesOf(client);
      for (const sql of grantStatements(roles, tables, database, (s) => client.escapeIdentifier(s))) await client.query(sql);
      await client.query('COMMIT');
      return { database, roles, created, tables: tables.length };
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    }
  } finally {
    client.release();
  }
}

/** After migrations: grant the existing roles their privileges on the new tables too. No roles: nothing. */
export async function refreshGrants(client: pg.ClientBase): Promise<boolean> {
  const found = await existingRoles(client);
  if (ROLE_KINDS.some((k) => !found[k])) return false;
  const database = await databaseName(client);
  const tables = await tablesOf(client);
  for (const sql of grantStatements(found as Record<RoleKind, string>, tables, database, (s) => client.escapeIdentifier(s))) await client.query(sql);
  return true;
}
