// Entry point of the `claims` binary: find the command, run it, set the exit code. Nothing else.
import { commands } from './commands/index.ts';
import { UsageError, type CommandContext } from './command.ts';
import { ExitCode, formatLocation, toClaimsError } from '../common/errors.ts';
import { systemFailureOf } from '../common/system-failures.ts';
import { logger } from '../runtime/logger.ts';
import { defaultClock } from '../runtime/process-clock.ts';
import { config } from '../runtime/config.ts';
import { versionLine } from './version.ts';

function topHelp(): string {
  const width = Math.max(...commands.map((c) => c.name.length), 8);
  const lines = commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return [
    'Usage: claims COMMAND [OPTIONS]',
    '       claims --version',
    '',
    'Commands:',
    ...lines,
    '',
    'Options:',
    '  -V, --version  Print the version (claims-pipeline X.Y.Z) and exit.',
    '  -h, --help     This list.',
    '',
    'Run `claims COMMAND --help` for the options of one command. With --json, a command that prints writes',
    'one JSON document to stdout instead (logs stay on stderr); amounts in it are integer cents in ...Cents fields.',
    'Exit codes: 0 done, 1 failed, 2 usage, 3 done but some input was quarantined or rejected.',
    '',
  ].join('\n');
}

/**
 * The last resort for a lost database or a full disk that escaped every await (an 'error' event nobody
 * listened to, a rejection nobody awaited): the command still ends with its code, one line and exit 1,
 * not node's stack. The run it was in is left running; the next run marks it abandoned. Anything else
 * ends the process as node would (its stack, exit 1).
 */
function lastResort(commandName: string): (err: unknown) => void {
  return (err) => {
    const failure = systemFailureOf(err);
    if (failure) process.stderr.write(`claims ${commandName}: ${failure.code}: ${failure.message}\n`);
    else process.stderr.write(`${err instanceof Error && err.stack ? err.stack : String(err)}\n`);
    process.exit(ExitCode.failed);
  };
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(topHelp());
    return name === undefined ? ExitCode.usage : ExitCode.ok;
  }
  if (name === '--version' || name === '-V') {
    process.stdout.write(versionLine());
    return ExitCode.ok;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    process.stderr.write(`claims: unknown command '${name}'\n\n${topHelp()}`);
    return ExitCode.usage;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(command.help.endsWith('\n') ? command.help : command.help + '\n');
    return ExitCode.ok;
  }
  try {
    config(); // every environment problem at once, before anything starts
  } catch (err) {
    process.stderr.write(`claims: ${toClaimsError(err).message}\n`);
    return ExitCode.usage;
  }
  const controller = new AbortController();
  const onSignal = (sig: NodeJS.Signals): void => {
    if (controller.signal.aborted) process.exit(130);
    logger().warn({ signal: sig }, 'stopping at the next safe point (press again to exit now)');
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('uncaughtException', lastResort(command.name));
  const ctx: CommandContext = {
    stdout: process.stdout,
    stderr: process.stderr,
    logger: logger(),
    clock: defaultClock(),
    signal: controller.signal,
  };
  try {
    return await command.run(rest, ctx);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`claims ${command.name}: ${err.message}\n\n${command.help}\n`);
      return ExitCode.usage;
    }
    const e = toClaimsError(err);
    const where = formatLocation(e.location);
    process.stderr.write(`claims ${command.name}: ${e.code}: ${e.message}${where ? ` (${where})` : ''}\n`);
    if (e.code === 'INTERNAL' && e.cause instanceof Error && e.cause.stack) {
      logger().error({ err: e.cause }, 'internal error');
    }
    return e.code.startsWith('CONFIG_') ? ExitCode.usage : ExitCode.failed;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

process.exitCode = await main(process.argv.slice(2));
