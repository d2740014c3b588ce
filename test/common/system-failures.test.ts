// A lost database and a full disk, in the shapes Node, pg and the server give them, become one code each
// through toClaimsError; look-alikes (a closed stdout, a constraint violation) stay what they were.
import { describe, expect, it } from 'vitest';
import { ClaimsError, toClaimsError } from '../../src/common/errors.ts';
import { systemFailureOf } from '../../src/common/system-failures.ts';

function errno(code: string, message: string, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(message), { code, ...extra });
}

describe('toClaimsError on failures of the database server', () => {
  const shapes: [string, Error][] = [
    ['connection refused', errno('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432')],
    ['connection reset', errno('ECONNRESET', 'read ECONNRESET')],
    ['the server shut down (57P01)', errno('57P01', 'terminating connection due to unexpected postmaster exit')],
    ['the server crashed (57P02)', errno('57P02', 'terminating connection because of crash of another server process')],
    ['the server is starting (57P03)', errno('57P03', 'the database system is starting up')],
    ['class 08', errno('08006', 'connection failure')],
    ['pg: socket closed', new Error('Connection terminated unexpectedly')],
    ['pg: a client that already failed', new Error('Client has encountered a connection error and is not queryable')],
    ['every address of localhost refused', Object.assign(new AggregateError([errno('ECONNREFUSED', 'connect ECONNREFUSED ::1:5432'), errno('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432')], ''), {})],
  ];
  for (const [what, err] of shapes) {
    it(`${what}: DATABASE_UNREACHABLE`, () => {
      const e = toClaimsError(err, { file: 'remit.835' });
      expect(e.code).toBe('DATABASE_UNREACHABLE');
      expect(e.cause).toBe(err);
      expect(e.location).toEqual({ file: 'remit.835' });
    });
  }

  it('names what pg said, in one line', () => {
    const e = toClaimsError(new Error('Connection terminated unexpectedly'));
    expect(e.message).toBe('the database server cannot be reached or went away (Connection terminated unexpectedly); nothing after the last commit was kept, run again when it is back');
  });
});

describe('toClaimsError on a full disk', () => {
  it('ENOSPC with its file: DISK_FULL naming the file', () => {
    const e = toClaimsError(errno('ENOSPC', 'ENOSPC: no space left on device, write', { path: '/out/837-ACME-000000001.x12' }));
    expect(e.code).toBe('DISK_FULL');
    expect(e.message).toBe('no space left on the disk writing /out/837-ACME-000000001.x12 (ENOSPC: no space left on device, write); free some space and run again');
  });

  it('EDQUOT (a quota): DISK_FULL', () => {
    expect(toClaimsError(errno('EDQUOT', 'EDQUOT: disk quota exceeded, write')).code).toBe('DISK_FULL');
  });

  it('found under a cause', () => {
    const outer = new Error('could not write the report', { cause: errno('ENOSPC', 'ENOSPC: no space left on device, write') });
    expect(toClaimsError(outer).code).toBe('DISK_FULL');
  });
});

describe('what is not a system failure', () => {
  it('a closed stdout (EPIPE), a constraint violation, a plain bug: unchanged', () => {
    expect(systemFailureOf(errno('EPIPE', 'write EPIPE'))).toBeUndefined();
    expect(toClaimsError(errno('23505', 'duplicate key value violates unique constraint')).code).toBe('INTERNAL');
    expect(toClaimsError(new TypeError('x is undefined')).code).toBe('INTERNAL');
  });

  it('a ClaimsError keeps its own code even when caused by one', () => {
    const own = new ClaimsError({ code: 'MIGRATION_FAILED', message: 'migration 0003 failed', cause: errno('ECONNRESET', 'read ECONNRESET') });
    expect(toClaimsError(own).code).toBe('MIGRATION_FAILED');
  });
});
