// Reading an export file in blocks that each own their buffer (so a block can be transferred to a worker
// thread): what the last block left over is carried to the front of the next one. NDJSON blocks end at a
// newline (here); JSON array blocks end after an element (src/claim-exports/array-blocks.ts).
import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';

/** Bytes per block: about 700 claims of a typical export. */
export const BLOCK_BYTES = 1 << 20;

/**
 * The next buffer: `carry` first, then as much of the file as fits. It holds at least `blockBytes`, and
 * twice the carry when that is more (a line or element longer than a block makes the block grow).
 */
export async function nextBuffer(fh: FileHandle, carry: Buffer | null, blockBytes: number): Promise<{ buf: Buffer; filled: number; eof: boolean }> {
  const buf = Buffer.allocUnsafeSlow(Math.max(blockBytes, 2 * (carry?.length ?? 0)));
  let filled = 0;
  if (carry !== null) {
    carry.copy(buf);
    filled = carry.length;
  }
  while (filled < buf.length) {
    const { bytesRead } = await fh.read(buf, filled, buf.length - filled, null);
    if (bytesRead === 0) return { buf, filled, eof: true };
    filled += bytesRead;
  }
  return { buf, filled, eof: false };
}

/**
 * An NDJSON file in blocks of whole lines: a block ends at its last newline; the rest starts the next block.
 * The last block may end without a newline.
 */
export async function* lineBlocks(file: string, blockBytes = BLOCK_BYTES): AsyncGenerator<Uint8Array> {
  const fh = await open(file, 'r');
  try {
    let carry: Buffer | null = null;
    for (;;) {
      const { buf, filled, eof } = await nextBuffer(fh, carry, blockBytes);
      carry = null;
      if (eof) {
        if (filled > 0) yield buf.subarray(0, filled);
        return;
      }
      const nl = buf.lastIndexOf(10, filled - 1);
      if (nl === -1) {
        // One line fills the block: read on into a larger one.
        carry = buf;
        continue;
      }
      if (nl + 1 < filled) carry = Buffer.from(buf.subarray(nl + 1, filled));
      yield buf.subarray(0, nl + 1);
    }
  } finally {
    await fh.close();
  }
}
