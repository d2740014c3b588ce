// Every command the binary knows. Add one import and one array entry per command module.
import type { Command } from '../command.ts';

export const commands: Command[] = [];
