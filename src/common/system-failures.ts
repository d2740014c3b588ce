// Failures of what the program stands on rather than of what it was given: the database server gone, the
// disk full. Node, pg and the server report them in several shapes (errno codes, SQLSTATEs, pg's own
// messages); recognising them in one place lets toClaimsError give them one code each, so a run record,
// a stage's error and the CLI's last line all name what failed instead of INTERNAL with a stack.
// No imports of ours: errors.ts builds on this.

export interface SystemFailure {
  code: 'DATABASE_UNREACHABLE' | 'DISK_FULL';
  message: string;
}

// Not EPIPE: a closed stdout (`claims ... | head`) raises it too, and that is no database problem.
const CONNECTION_ERRNOS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT']);
// Class 08 (connection exception); 57P01 admin_shutdown (also what a backend sends when its postmaster
// died), 57P02 crash_shutdown, 57P03 cannot_connect_now (the server is starting or stopping).
const CONNECTION_SQLSTATE = /^(08[0-9A-Z]{3}|57P0[123])$/;
// pg's own errors for a socket that closed under it carry no code.
const CONNECTION_MESSAGES = [
  'Connection terminated unexpectedly',
  'Connection terminated',
  'Client has encountered a connection error and is not queryable',
  'Client was closed and is not queryable',
];
const DISK_ERRNOS = new Set(['ENOSPC', 'EDQUOT']);

interface ErrorShape {
  code?: unknown;
  message?: unknown;
  path?: unknown;
  cause?: unknown;
  errors?: unknown;
}

function classify(e: ErrorShape): SystemFailure | undefined {
  const code = typeof e.code === 'string' ? e.code : undefined;
  const text = typeof e.message === 'string' ? e.message : String(e);
  if (code !== undefined && DISK_ERRNOS.has(code)) {
    const where = typeof e.path === 'string' ? ` writing ${e.path}` : '';
    return { code: 'DISK_FULL', message: `no space left on the disk${where} (${text}); free some space and run again` };
  }
  if ((code !== undefined && (CONNECTION_ERRNOS.has(code) || CONNECTION_SQLSTATE.test(code))) || CONNECTION_MESSAGES.includes(text)) {
    return { code: 'DATABASE_UNREACHABLE', message: `the database server cannot be reached or went away (${text}); nothing after the last commit was kept, run again when it is back` };
  }
  return undefined;
}

/**
 * The system failure `err` is (or wraps, through `cause` or an AggregateError's `errors`), if any. A
 * connection refused on every address of `localhost` arrives as an AggregateError of one per address.
 */
export function systemFailureOf(err: unknown, depth = 0): SystemFailure | undefined {
  if (err === null || typeof err !== 'object' || depth > 4) return undefined;
  const e = err as ErrorShape;
  const found = classify(e);
  if (found) return found;
  if (Array.isArray(e.errors)) {
    for (const inner of e.errors) {
      const f = systemFailureOf(inner, depth + 1);
      if (f) return f;
    }
  }
  return systemFailureOf(e.cause, depth + 1);
}
