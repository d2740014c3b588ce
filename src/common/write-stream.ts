// Output files written as streams (the outbox's interchanges, reports, statement PDFs and CSVs) whose
// failures come back where the writer awaits, never as an 'error' event nobody listens to. A stream's
// error (a full disk, a folder gone away) is often raised after a write() already returned true, when no
// one is waiting on the stream: without a listener that ends the process with "Unhandled 'error' event"
// and a stack. Here every stream has a listener from birth, and the next write, drain or close rejects
// with the error, its file named.
import { createWriteStream, type WriteStream } from 'node:fs';
import type { Writable } from 'node:stream';

export interface OutputStreamOptions {
  flags?: string;
  mode?: number;
}

/** The error a stream failed with, with its file named (fs stream errors of write() carry no path). */
function failure(stream: Writable): Error | null {
  const err = stream.errored;
  if (!err) return null;
  const e = err as NodeJS.ErrnoException;
  const file = (stream as Partial<WriteStream>).path;
  if (e.path === undefined && typeof file === 'string') e.path = file;
  return err;
}

/** Give `stream` an error listener, so a failure waits for the writer instead of ending the process. */
export function guardStream<T extends Writable>(stream: T): T {
  stream.on('error', () => undefined);
  return stream;
}

/** createWriteStream, guarded. */
export function openOutputStream(file: string, opts: OutputStreamOptions = {}): WriteStream {
  return guardStream(createWriteStream(file, opts));
}

/** Resolves on 'drain'; rejects when the stream fails or closes first (a failed stream never drains). */
function drained(stream: Writable): Promise<void> {
  return new Promise((resolve, reject) => {
    const settle = (err: Error | null): void => {
      stream.off('drain', onDrain);
      stream.off('error', onError);
      stream.off('close', onClose);
      if (err) reject(err);
      else resolve();
    };
    const onDrain = (): void => settle(null);
    const onError = (): void => settle(failure(stream));
    const onClose = (): void => settle(failure(stream) ?? new Error('the output stream closed before its data was written'));
    stream.on('drain', onDrain);
    stream.on('error', onError);
    stream.on('close', onClose);
  });
}

/** Write with backpressure; throws the stream's error if it has failed (now or since the last write). */
export async function writeOutput(stream: Writable, chunk: string | Uint8Array): Promise<void> {
  const before = failure(stream);
  if (before) throw before;
  if (!stream.write(chunk)) await drained(stream);
}

/** End the stream and wait until its data is handed to the file system; throws its error if it failed. */
export function closeOutput(stream: Writable): Promise<void> {
  const before = failure(stream);
  if (before) return Promise.reject(before);
  return new Promise((resolve, reject) => {
    stream.end((err?: Error | null) => {
      const e = failure(stream) ?? err;
      if (e) reject(e);
      else resolve();
    });
  });
}
