// `--json`, the same on every command that prints: the flag, and the one JSON document it writes to
// stdout (logs go to stderr, so a scheduler can parse stdout whole). Money in it follows jsonText: integer
// cents as JSON numbers in ...Cents fields (README, "Output").
import { jsonText } from '../common/json-text.ts';
import type { CommandContext } from './command.ts';

/** Spread into a command's parseArgs options: `options: { ...JSON_OPTION, out: { type: 'string' } }`. */
export const JSON_OPTION = { json: { type: 'boolean', default: false } } as const;

/** The help line for the flag, aligned to a command's option column. */
export function jsonHelpLine(width: number): string {
  return `  ${'--json'.padEnd(width)}Print one JSON document on stdout (amounts as integer cents in ...Cents fields).`;
}

/** For commands that read their arguments by hand: whether --json is there, and the rest. */
export function takeJsonFlag(args: readonly string[]): { json: boolean; rest: string[] } {
  return { json: args.includes('--json'), rest: args.filter((a) => a !== '--json') };
}

/** Writes the command's one JSON document. Call it once per command run, and write nothing else to stdout. */
export function writeJson(ctx: Pick<CommandContext, 'stdout'>, value: unknown): void {
  ctx.stdout.write(jsonText(value, 2) + '\n');
}
