// Named crash points for tests: when CLAIMS_FAILPOINT names one, the process kills itself there with
// SIGKILL (no cleanup, no flushing, no finally blocks), which is what a power cut or the OOM killer does.
// Tests use them to prove that a crash at any point of a posting leaves all of it or none of it.
// NAME:stop stops the process there with SIGSTOP instead, until the test sends SIGCONT: how a test holds
// one process at an exact moment while another runs (two writers of one outbox).
import { config } from './config.ts';

/** Every failpoint in the code, so tests and docs can list them. */
export const FAILPOINTS = [
  'ledger.post.before-claim',
  'ledger.post.after-claim',
  'ledger.post.mid-copy',
  'ledger.post.before-commit',
  'ledger.post.after-commit',
  // 835 ingest (src/remittances/post-remittance.ts, src/exchange/receive-file.ts, src/pipeline/stages/ingest.ts).
  'remit.before_copy',
  'remit.after_copy',
  'remit.after_commit',
  'ingest.between-sets',
  'ingest.between-files',
  // Claims out (src/claims/store.ts, src/claims/submit.ts).
  'claims.batch.after-commit',
  'claims.files.before-complete',
  'claims.files.before-publish',
  // The runner (src/pipeline/runner.ts): a file copied into the inbox but not yet recorded; a stage about to start.
  'run.pickup.after-copy',
  'run.stage-start',
  // Every command's database handle, right after it connected and migrated (src/runtime/database.ts):
  // where a test holds any command to kill the server under it.
  'db.opened',
] as const;
export type FailpointName = (typeof FAILPOINTS)[number] | (string & {});

// Read once: a failpoint on a hot path then costs one comparison against undefined.
// CLAIMS_FAILPOINT is NAME (the first time the code passes it) or NAME#N (the Nth time: the second
// remittance's COPY, when two remittances post at once).
let armed: string | undefined | null = null;
let armedHit = 1;
let stop = false;
let hits = 0;

export function failpoint(name: FailpointName): void {
  if (armed === null) {
    const spec = config().failpoint;
    const m = spec === undefined ? null : /^(.+?)(?:#([1-9]\d*))?(:stop)?$/.exec(spec);
    armed = m ? m[1]! : spec;
    armedHit = m?.[2] ? Number(m[2]) : 1;
    stop = m?.[3] !== undefined;
  }
  if (armed === undefined || armed !== name || ++hits < armedHit) return;
  if (stop) {
    // Synchronous: the kernel stops every thread before the call returns; SIGCONT resumes right here.
    process.kill(process.pid, 'SIGSTOP');
    return;
  }
  process.kill(process.pid, 'SIGKILL');
  // The signal is delivered before the kill syscall returns to this thread; never run past it anyway.
  for (;;) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1000);
}
