// Commands act as the least role that does their work (decision 0097): once `claims db roles` made them, a
// command that posts acts as `<db>_pipeline` and `claims audit` as `<db>_auditor`; before, and for a login
// that is not a member, as the connecting user. The audit trail's db_role (current_user) says who acted.
import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '../support/db.ts';
import { runCli } from '../support/cli.ts';
import { analystRoleName, roleName } from '../../src/runtime/roles.ts';

const db = await useTestDatabase();
const env = { DATABASE_URL: db.url, CLAIMS_LOG_LEVEL: 'error' };

async function addAccount(account: string): Promise<void> {
  await db.pool.query(`INSERT INTO guarantor_accounts (practice_id, account_number, last_name, first_name, address_line1, city, state, postal_code)
    VALUES ('default', $1, 'Testperson', 'Avery', '1 Example Way', 'Springfield', 'IL', '62701')`, [account]);
}

async function rolesOfReads(account: string): Promise<string[]> {
  const { rows } = await db.pool.query<{ db_role: string }>('SELECT db_role FROM audit_events WHERE $1 = ANY(accounts) ORDER BY id', [account]);
  return rows.map((r) => r.db_role);
}

describe('the least role', () => {
  it('acts as the connecting user before the roles exist, then as the pipeline role; the trail is read as the auditor', async () => {
    const owner = (await db.pool.query<{ u: string }>('SELECT current_user AS u')).rows[0]!.u;
    await addAccount('LR-1');
    const before = await runCli(['account', 'LR-1', '--json'], { env });
    expect(before.code, before.stderr).toBe(0);
    expect(await rolesOfReads('LR-1')).toEqual([owner]);

    const roles = await runCli(['db', 'roles'], { env });
    expect(roles.code, roles.stderr).toBe(0);
    const after = await runCli(['account', 'LR-1', '--json'], { env });
    expect(after.code, after.stderr).toBe(0);
    expect(await rolesOfReads('LR-1')).toEqual([owner, roleName(db.name, 'pipeline')]);

    // The auditor reads the trail (and nothing else): the command works as it.
    const audit = await runCli(['audit', '--account', 'LR-1', '--json'], { env });
    expect(audit.code, audit.stderr).toBe(0);
    expect((JSON.parse(audit.stdout) as { events: { dbRole: string }[] }).events.map((e) => e.dbRole)).toEqual([owner, roleName(db.name, 'pipeline')]);
  });

  it('a login that may not take the pipeline role on acts as itself, under row-level security', async () => {
    const login = `${db.name}_lr_login`.slice(0, 63);
    const bind = await runCli(['db', 'analyst', 'lr', '--practice', 'default'], { env });
    expect(bind.code, bind.stderr).toBe(0);
    await db.pool.query(`DROP ROLE IF EXISTS ${login}`);
    await db.pool.query(`CREATE ROLE ${login} LOGIN PASSWORD 'lr-secret' IN ROLE ${analystRoleName(db.name, 'lr')!}`);
    try {
      await addAccount('LR-2');
      const url = new URL(db.url);
      url.username = login;
      url.password = 'lr-secret';
      const r = await runCli(['account', 'LR-2', '--json'], { env: { ...env, DATABASE_URL: url.toString() } });
      expect(r.code, r.stderr).toBe(0);
      expect(await rolesOfReads('LR-2')).toEqual([login]);
    } finally {
      await db.pool.query(`DROP OWNED BY ${login}`).catch(() => undefined);
      await db.pool.query(`DROP ROLE IF EXISTS ${login}`).catch(() => undefined);
    }
  });
});
