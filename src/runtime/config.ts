// Runtime configuration: the only module that reads process.env. Validated once with zod; every problem
// is reported at once. Defaults live here, in one place.
import path from 'node:path';
import { z } from 'zod';
import { isIsoDate } from '../common/dates.ts';
import { ClaimsError } from '../common/errors.ts';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** A date or timestamp `new Date` reads the same everywhere: YYYY-MM-DD or ISO 8601 with a zone. */
const NOW_FORMAT = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$/;

/** `new Date` rolls 2024-02-30 over to March 1st; a clock set to it is a typo, not a date. */
function isRealTime(text: string): boolean {
  if (!isIsoDate(text.slice(0, 10))) return false;
  const hh = Number(text.slice(11, 13) || 0);
  const mm = Number(text.slice(14, 16) || 0);
  const ss = Number(text.slice(17, 19) || 0);
  return hh < 24 && mm < 60 && ss < 60 && !Number.isNaN(new Date(text.length === 10 ? `${text}T00:00:00Z` : text).getTime());
}

const EnvSchema = z.object({
  DATABASE_URL: z
    .string()
    .url({ message: 'must be a URL like postgres://user:password@host:5432/claims', abort: true })
    .refine((u) => /^postgres(ql)?:\/\//.test(u), 'must start with postgres:// or postgresql://')
    .optional(),
  CLAIMS_HOME: z.string().min(1).optional(),
  CLAIMS_LOG_LEVEL: z.enum(LOG_LEVELS).optional(),
  CLAIMS_LOG_FORMAT: z.enum(['json', 'pretty']).optional(),
  /** Name of a failpoint at which the process kills itself (tests only). */
  CLAIMS_FAILPOINT: z.string().min(1).optional(),
  /** Fix "today" for reruns and tests: YYYY-MM-DD or an ISO timestamp. */
  CLAIMS_NOW: z
    .string()
    .regex(NOW_FORMAT, { message: 'must be YYYY-MM-DD or an ISO timestamp with a zone (2024-03-01T09:00:00Z)', abort: true })
    .refine(isRealTime, 'is not a real date and time (2024-02-30 is not)')
    .optional(),
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

/** The variables this module reads, for messages and docs. */
export const CONFIG_VARIABLES = Object.keys(EnvSchema.shape);

export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): Config {
  // `VAR=` (set but empty) means "not set", as shells and CI templates commonly write it.
  const present: Record<string, string> = {};
  for (const key of CONFIG_VARIABLES) {
    const value = env[key];
    if (value !== undefined && value !== '') present[key] = value;
  }
  const parsed = EnvSchema.safeParse(present);
  if (!parsed.success) {
    // Every problem at once, by variable name; values are not echoed (a URL can hold a password).
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new ClaimsError({
      code: 'CONFIG_INVALID',
      message: `invalid environment (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n  ${problems.join('\n  ')}`,
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
