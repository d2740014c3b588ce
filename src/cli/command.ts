// The command contract: every `claims VERB` is one module exporting a Command. main.ts only dispatches.
import type { Logger } from '../runtime/logger.ts';
import type { Clock } from '../common/clock.ts';

export interface CommandContext {
  /** Command output (tables, JSON). Logs go to stderr through `logger`. */
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  logger: Logger;
  clock: Clock;
  /** Aborted on SIGINT/SIGTERM: long commands stop at the next safe point. */
  signal: AbortSignal;
}

export interface Command {
  /** The verb, possibly with a sub-verb: `db`, `ledger`, `inspect`. */
  name: string;
  /** One line for `claims --help`. */
  summary: string;
  /** Full help text for `claims NAME --help`: usage line, options, examples. */
  help: string;
  /** Returns the exit code (see ExitCode in runtime/errors.ts). Throw UsageError for bad arguments. */
  run(args: string[], ctx: CommandContext): Promise<number>;
}

/** Thrown for bad arguments; main prints the message and the command's help, and exits 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
