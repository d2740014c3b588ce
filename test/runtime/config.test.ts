import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/runtime/config.ts';
import { ClaimsError } from '../../src/common/errors.ts';

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env, '/srv/billing');
  } catch (err) {
    expect(err).toBeInstanceOf(ClaimsError);
    expect((err as ClaimsError).code).toBe('CONFIG_INVALID');
    const [head, ...lines] = (err as Error).message.split('\n');
    expect(head).toBe(`invalid environment (${lines.length} problem${lines.length === 1 ? '' : 's'}):`);
    return lines.map((l) => l.trim());
  }
  throw new Error('expected the environment to be refused');
}

describe('loadConfig', () => {
  it('applies the defaults when nothing is set', () => {
    const cfg = loadConfig({ CLAIMS_LOG_FORMAT: 'json' }, '/srv/billing');
    expect(cfg).toEqual({
      databaseUrl: undefined,
      home: path.resolve('/srv/billing', '.claims'),
      logLevel: 'info',
      logFormat: 'json',
      failpoint: undefined,
      now: undefined,
      embeddedPort: 0,
      ci: false,
    });
  });

  it('reads every variable', () => {
    const cfg = loadConfig({
      DATABASE_URL: 'postgresql://claims:secret@db.internal:5433/claims',
      CLAIMS_HOME: 'state',
      CLAIMS_LOG_LEVEL: 'debug',
      CLAIMS_LOG_FORMAT: 'pretty',
      CLAIMS_FAILPOINT: 'post.after-copy',
      CLAIMS_NOW: '2024-02-29T23:10:00-05:00',
      CLAIMS_PG_PORT: '55201',
      CI: 'true',
    }, '/srv/billing');
    expect(cfg).toEqual({
      databaseUrl: 'postgresql://claims:secret@db.internal:5433/claims',
      home: '/srv/billing/state',
      logLevel: 'debug',
      logFormat: 'pretty',
      failpoint: 'post.after-copy',
      now: '2024-02-29T23:10:00-05:00',
      embeddedPort: 55201,
      ci: true,
    });
  });

  it('reports every problem at once, by variable, one line each', () => {
    expect(problems({
      DATABASE_URL: 'mysql://root@localhost/claims',
      CLAIMS_LOG_LEVEL: 'loud',
      CLAIMS_LOG_FORMAT: 'xml',
      CLAIMS_NOW: '2024-02-30',
      CLAIMS_PG_PORT: '70000',
    })).toEqual([
      'DATABASE_URL: must start with postgres:// or postgresql://',
      'CLAIMS_LOG_LEVEL: Invalid option: expected one of "fatal"|"error"|"warn"|"info"|"debug"|"trace"|"silent"',
      'CLAIMS_LOG_FORMAT: Invalid option: expected one of "json"|"pretty"',
      'CLAIMS_NOW: is not a real date and time (2024-02-30 is not)',
      'CLAIMS_PG_PORT: Too big: expected number to be <=65535',
    ]);
  });

  it('gives one message per variable, and never echoes a value', () => {
    const lines = problems({ DATABASE_URL: 'not a url with s3cret', CLAIMS_NOW: 'yesterday' });
    expect(lines).toEqual([
      'DATABASE_URL: must be a URL like postgres://user:password@host:5432/claims',
      'CLAIMS_NOW: must be YYYY-MM-DD or an ISO timestamp with a zone (2024-03-01T09:00:00Z)',
    ]);
    expect(lines.join('\n')).not.toContain('s3cret');
  });

  it('treats a variable set to the empty string as not set', () => {
    const cfg = loadConfig({ DATABASE_URL: '', CLAIMS_NOW: '', CLAIMS_LOG_FORMAT: 'json', CI: '' }, '/srv/billing');
    expect(cfg.databaseUrl).toBeUndefined();
    expect(cfg.now).toBeUndefined();
    expect(cfg.ci).toBe(false);
  });
});
