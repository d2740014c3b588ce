// The audit trail (schemas/db/0014_audit.sql): every command that reads or writes patient data says so
// here, with who ran it (operating-system user, database role), what and when, and which guarantor
// accounts and files. Identifiers only. `claims audit` reads it back.
import os from 'node:os';
import type pg from 'pg';

export interface AuditEvent {
  /** The command as a user would name it: `account`, `statements`, `run:statements`, `referrals`. */
  command: string;
  action: 'read' | 'write';
  /** Guarantor account numbers read or written. */
  accounts?: readonly string[];
  /** Files written (statements, placement files), as the command reported them. */
  files?: readonly string[];
  /**
   * The practice whose patients these are. Absent: the practice of each account (one row per practice the
   * accounts belong to, so a practice's trail is complete on its own); null for an event with no account.
   */
  practice?: string;
  runId?: string;
}

export interface StoredAuditEvent extends Required<Omit<AuditEvent, 'practice' | 'runId'>> {
  id: string;
  at: string;
  osUser: string;
  dbRole: string;
  practice: string | null;
  runId: string | null;
}

/** The operating-system user running this process; its uid where the system has no name for it. */
export function osUser(): string {
  try {
    return os.userInfo().username || `uid ${process.getuid?.() ?? '?'}`;
  } catch {
    return `uid ${process.getuid?.() ?? '?'}`;
  }
}

const INSERT = `
INSERT INTO audit_events (os_user, command, action, practice, accounts, files, run_id)
VALUES ($1, $2, $3, $4, $5::text[], $6::text[], $7::bigint)`;

const PRACTICES_OF = 'SELECT account_number, practice_id FROM guarantor_accounts WHERE account_number = ANY($1::text[])';

/**
 * Record one event (one row per practice its accounts belong to). A write that touched nothing (a rerun
 * that issued nothing) records nothing.
 */
export async function recordAudit(db: pg.Pool | pg.ClientBase, e: AuditEvent): Promise<void> {
  const accounts = [...new Set(e.accounts ?? [])].sort();
  const files = [...(e.files ?? [])];
  if (e.action === 'write' && accounts.length === 0 && files.length === 0) return;
  const byPractice = new Map<string | null, string[]>();
  if (e.practice !== undefined || accounts.length === 0) byPractice.set(e.practice ?? null, accounts);
  else {
    const { rows } = await db.query<{ account_number: string; practice_id: string }>(PRACTICES_OF, [accounts]);
    const practiceOf = new Map(rows.map((r) => [r.account_number, r.practice_id]));
    for (const a of accounts) {
      const p = practiceOf.get(a) ?? null;
      byPractice.set(p, [...(byPractice.get(p) ?? []), a]);
    }
  }
  for (const [practice, touched] of [...byPractice].sort((a, b) => String(a[0]).localeCompare(String(b[0])))) {
    await db.query(INSERT, [osUser(), e.command, e.action, practice, touched, files, e.runId ?? null]);
  }
}

export interface AuditQuery {
  account?: string;
  practice?: string;
  /** Inclusive dates (YYYY-MM-DD), in the database server's time zone. */
  from?: string;
  to?: string;
}

// ORDER BY the column, not the text it is selected as (as text, '10' sorts before '9').
const SELECT = `
SELECT id::text, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS at, os_user, db_role, command, action,
  practice, accounts, files, run_id::text
FROM audit_events
WHERE ($1::text IS NULL OR accounts @> ARRAY[$1::text])
  AND ($2::date IS NULL OR at >= $2::date)
  AND ($3::date IS NULL OR at < $3::date + 1)
  AND ($4::text IS NULL OR practice = $4::text)
ORDER BY audit_events.id`;

export async function readAudit(db: pg.Pool, q: AuditQuery): Promise<StoredAuditEvent[]> {
  const { rows } = await db.query<{
    id: string; at: string; os_user: string; db_role: string; command: string; action: 'read' | 'write';
    practice: string | null; accounts: string[]; files: string[]; run_id: string | null;
  }>(SELECT, [q.account ?? null, q.from ?? null, q.to ?? null, q.practice ?? null]);
  return rows.map((r) => ({
    id: r.id, at: r.at, osUser: r.os_user, dbRole: r.db_role, command: r.command, action: r.action,
    practice: r.practice, accounts: r.accounts, files: r.files, runId: r.run_id,
  }));
}
