// Run the CLI as a process that file permissions apply to. Root ignores them (CAP_DAC_OVERRIDE and
// CAP_DAC_READ_SEARCH), so a test of a folder the process cannot write would prove nothing as root; this
// drops those two capabilities with util-linux's setpriv for the child (it stays root, so it can still
// read the checkout wherever it is, even under a folder only root may enter, as CI clones are). Not root:
// permissions already apply and the CLI runs as is.
import { type ChildProcessWithoutNullStreams, spawn, spawnSync } from 'node:child_process';
import { CLAIMS_NODE_FLAGS } from '../../src/runtime/node-flags.ts';
import { CLI_BIN, REPO_ROOT } from './cli.ts';

const DROP = ['--inh-caps=-dac_override,-dac_read_search', '--bounding-set=-dac_override,-dac_read_search'];
const isRoot = process.getuid?.() === 0;

/** Whether permissions can be made to apply here (root needs setpriv): then root's own 0400 file is not writable. */
export const permissionsCanApply: boolean =
  !isRoot || spawnSync('setpriv', [...DROP, 'sh', '-c', 'test ! -w /proc/1/environ']).status === 0;

/** Start `claims ...args` as a process that file permissions apply to. */
export function spawnCliUnderPermissions(args: string[], opts: { cwd?: string; env: NodeJS.ProcessEnv }): ChildProcessWithoutNullStreams {
  const command = [process.execPath, ...CLAIMS_NODE_FLAGS, CLI_BIN, ...args];
  const child = isRoot
    ? spawn('setpriv', [...DROP, ...command], { cwd: opts.cwd ?? REPO_ROOT, env: opts.env, stdio: ['pipe', 'pipe', 'pipe'] })
    : spawn(command[0]!, command.slice(1), { cwd: opts.cwd ?? REPO_ROOT, env: opts.env, stdio: ['pipe', 'pipe', 'pipe'] });
  child.stdin.end();
  return child;
}
