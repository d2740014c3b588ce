// Structured logs with pino: JSON for machines, pretty on a terminal. Patient names, member ids, birth
// dates and addresses are redacted wherever they appear under the usual field names.
import pino, { type Logger } from 'pino';
import { config } from './config.ts';

export type { Logger };

/** Field names that carry patient data, at any depth up to 3 (pino paths need explicit wildcards). */
const SENSITIVE = [
  'patientName', 'firstName', 'lastName', 'middleName', 'name', 'guarantorName', 'subscriberName',
  'memberId', 'subscriberId', 'birthDate', 'dateOfBirth', 'dob', 'address', 'address1', 'address2',
  'street', 'city', 'postalCode', 'zip', 'phone', 'email', 'ssn',
];
export const REDACT_PATHS = SENSITIVE.flatMap((k) => [k, `*.${k}`, `*.*.${k}`, `*.*.*.${k}`]);

let root: Logger | undefined;

export function createLogger(opts: { level?: string; pretty?: boolean; destination?: pino.DestinationStream } = {}): Logger {
  const cfg = config();
  const level = opts.level ?? cfg.logLevel;
  const redact = { paths: REDACT_PATHS, censor: '[redacted]' };
  if (opts.destination) return pino({ level, redact }, opts.destination);
  const pretty = opts.pretty ?? cfg.logFormat === 'pretty';
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
