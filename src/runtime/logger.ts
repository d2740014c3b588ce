// Structured logs with pino: JSON for machines, pretty on a terminal. Patient names, member ids, birth
// dates and addresses are redacted wherever they appear under the usual field names.
// The other half of the rule is on the writers of log calls: put patient data only in such fields (an
// error's `found`, a record's `lastName`), never in the message text, which is not redacted.
import { createRequire } from 'node:module';
import pino, { type Logger } from 'pino';
import { config } from './config.ts';

export type { Logger };

/**
 * Field names that carry patient data, redacted at any depth up to 4 (pino paths need explicit
 * wildcards; `*` also matches array indexes). Whole objects named for a person (`patient`, `subscriber`)
 * go too. `found` is ClaimsError's copy of the offending input text, which may be a name or a member id;
 * raw segments (`segment`, `raw`, `elements`) can hold an NM1 or a DMG.
 */
export const SENSITIVE_FIELDS = [
  'patientName', 'firstName', 'lastName', 'middleName', 'name', 'guarantorName', 'subscriberName',
  'memberId', 'subscriberId', 'birthDate', 'dateOfBirth', 'dob', 'address', 'address1', 'address2',
  'street', 'city', 'postalCode', 'zip', 'phone', 'email', 'ssn',
  'patient', 'subscriber', 'guarantor', 'dependent', 'insured',
  'found', 'segment', 'raw', 'elements',
];
export const REDACT_PATHS = SENSITIVE_FIELDS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`, `*.*.*.${k}`, `*.*.*.*.${k}`]);

/** pino-pretty is a development dependency: without it (a production install) logs stay JSON. */
function prettyAvailable(): boolean {
  try {
    createRequire(import.meta.url).resolve('pino-pretty');
    return true;
  } catch {
    return false;
  }
}

let root: Logger | undefined;

export function createLogger(opts: { level?: string; pretty?: boolean; destination?: pino.DestinationStream } = {}): Logger {
  const cfg = config();
  const level = opts.level ?? cfg.logLevel;
  const redact = { paths: REDACT_PATHS, censor: '[redacted]' };
  if (opts.destination) return pino({ level, redact }, opts.destination);
  const pretty = (opts.pretty ?? cfg.logFormat === 'pretty') && prettyAvailable();
  if (pretty) {
    return pino({
      level,
      redact,
      transport: { target: 'pino-pretty', options: { destination: 2, colorize: true, ignore: 'pid,hostname' } },
    });
  }
  return pino({ level, redact }, pino.destination({ fd: 2, sync: true }));
}

/** The process-wide logger (to stderr, so stdout stays for command output). */
export function logger(): Logger {
  root ??= createLogger();
  return root;
}
