// Watching child processes from a test: whether one sits stopped at a failpoint (NAME:stop, SIGSTOP),
// whether it is still alive, and waiting for a condition with a deadline. Linux /proc only.
import { readFileSync } from 'node:fs';

/** The state letter of /proc/PID/stat ('T' stopped, 'Z' zombie), or undefined when the process is gone. */
export function processState(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  } catch {
    return undefined;
  }
}

/** Stopped (state T): the process sits at its failpoint. */
export const stopped = (pid: number | undefined): boolean => pid !== undefined && processState(pid) === 'T';

export const alive = (pid: number): boolean => {
  const state = processState(pid);
  return state !== undefined && state !== 'Z';
};

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function waitFor(what: string, done: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!done()) {
    if (Date.now() > end) throw new Error(`gave up waiting for ${what}`);
    await sleep(50);
  }
}
