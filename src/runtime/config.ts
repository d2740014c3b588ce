// Runtime configuration: the only module that reads process.env. Validated once with zod; every problem
// is reported at once. Defaults live here, in one place.
import path from 'node:path';
import { z } from 'zod';
import { ClaimsError } from './errors.ts';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const EnvSchema = z.object({
  DATABASE_URL: z.string().url().optional(),
  CLAIMS_HOME: z.string().min(1).optional(),
  CLAIMS_LOG_LEVEL: z.enum(LOG_LEVELS).optional(),
  CLAIMS_LOG_FORMAT: z.enum(['json', 'pretty']).optional(),
  /** Name of a failpoint at which the process kills itself (tests only). */
  CLAIMS_FAILPOINT: z.string().min(1).optional(),
  /** Fix "today" for reruns and tests: YYYY-MM-DD or an ISO timestamp. */
  CLAIMS_NOW: z.string().min(1).optional(),
  /** Port for the embedded server; 0 or unset picks a free one. */
  CLAIMS_PG_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  CI: z.string().optional(),
});

export interface Config {
  /** Set when an external server is used; otherwise the embedded server is started. */
  databaseUrl: string | undefined;
  /** Project-local state: embedded database, run files. Absolute. */
  home: string;
  logLevel: (typeof LOG_LEVELS)[number];
  logFormat: 'json' | 'pretty';
  failpoint: string | undefined;
  now: string | undefined;
  embeddedPort: number;
  ci: boolean;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new ClaimsError({
      code: 'CONFIG_INVALID',
      message: `invalid environment:\n  ${problems.join('\n  ')}`,
    });
  }
  const e = parsed.data;
  return {
    databaseUrl: e.DATABASE_URL,
    home: path.resolve(cwd, e.CLAIMS_HOME ?? '.claims'),
    logLevel: e.CLAIMS_LOG_LEVEL ?? 'info',
    logFormat: e.CLAIMS_LOG_FORMAT ?? (process.stderr.isTTY ? 'pretty' : 'json'),
    failpoint: e.CLAIMS_FAILPOINT,
    now: e.CLAIMS_NOW,
    embeddedPort: e.CLAIMS_PG_PORT ?? 0,
    ci: e.CI !== undefined && e.CI !== '' && e.CI !== 'false',
  };
}

let cached: Config | undefined;
/** The process-wide configuration, loaded on first use. */
export function config(): Config {
  cached ??= loadConfig();
  return cached;
}
