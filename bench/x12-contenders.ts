// The contenders of bench/x12-tokenize.ts, one per child process. bench/x12-tokenize.ts bundles this file
// with esbuild into bench/out/ and runs it with plain `node NAME FILE`, so peak RSS is the contender's own,
// not the TypeScript loader's. Prints one JSON line: wall and CPU seconds, a count (segments, to check
// that contenders agree), peak RSS. `--list` prints the contender names.
import { createReadStream } from 'node:fs';
import { createRequire } from 'node:module';
import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';
import { fileChunks, readSegmentBatches } from '../src/exchange/x12-read.ts';
import { envelopeEventBatches } from '../src/exchange/x12-sets.ts';

const require = createRequire(import.meta.url);
/** Chunk size for every contender that lets us choose (the size the production path reads with). */
const CHUNK_BYTES = 256 * 1024;

type Contender = (file: string) => Promise<number>;

/** Our envelope pass: `claims inspect` without the report. Returns the segment count it saw. */
async function envelopePass(file: string, options: { hashContent: boolean; segmentEvents: boolean }): Promise<number> {
  let segments = 0;
  let problems = 0;
  for await (const batch of envelopeEventBatches(file, options)) {
    for (const e of batch) {
      if (e.kind === 'interchangeEnd') segments += e.summary.segmentCount;
      else if (e.kind === 'problem') problems++;
    }
  }
  if (problems > 0) throw new Error(`${problems} envelope problems in a generated file`);
  return segments;
}

const CONTENDERS: Record<string, Contender> = {
  async 'bare read (stream)'(file) {
    let n = 0;
    for await (const chunk of createReadStream(file, { highWaterMark: CHUNK_BYTES })) n += (chunk as Buffer).length;
    return n;
  },
  async 'bare read (reused buffer)'(file) {
    // How our readers read a file (src/exchange/x12-read.ts fileChunks): one buffer, refilled.
    let n = 0;
    for await (const chunk of fileChunks(file, CHUNK_BYTES)) n += chunk.length;
    return n;
  },
  async 'minimal scan'(file) {
    // Finds every segment and element boundary, makes no strings: the floor for any tokenizer in JS.
    // It reads the way ours does (one reused buffer), so the ratio compares scanning, not reading.
    let segments = 0;
    let elements = 0;
    for await (const b of fileChunks(file, CHUNK_BYTES)) {
      for (let i = 0; i < b.length; i++) {
        const c = b[i];
        if (c === 0x7e) segments++;
        else if (c === 0x2a) elements++;
      }
    }
    return segments + elements * 0;
  },
  'claims scanner + envelope checks': (file) => envelopePass(file, { hashContent: false, segmentEvents: false }),
  'claims envelope checks + sha256': (file) => envelopePass(file, { hashContent: true, segmentEvents: false }),
  'claims envelope + segment events': (file) => envelopePass(file, { hashContent: true, segmentEvents: true }),
  async 'claims tokenizer (Segment objects)'(file) {
    let segments = 0;
    for await (const batch of readSegmentBatches(file)) {
      for (const s of batch) if (s.tag.length > 0) segments++;
    }
    return segments;
  },
  async 'claims tokenizer + every element split'(file) {
    let segments = 0;
    let elements = 0;
    for await (const batch of readSegmentBatches(file)) {
      for (const s of batch) elements += s.elements.length;
      segments += batch.length;
    }
    return segments + elements * 0;
  },
  async 'x12-parser'(file) {
    const { X12parser } = require('x12-parser') as { X12parser: new () => NodeJS.ReadWriteStream };
    let segments = 0;
    await pipeline(createReadStream(file), new X12parser(), new Writable({ objectMode: true, write(_s, _e, cb) { segments++; cb(); } }));
    return segments;
  },
  async 'node-x12 (stream mode)'(file) {
    const { X12Parser } = require('node-x12') as { X12Parser: new (strict: boolean) => NodeJS.ReadWriteStream };
    let segments = 0;
    await pipeline(createReadStream(file), new X12Parser(false), new Writable({ objectMode: true, write(_s, _e, cb) { segments++; cb(); } }));
    return segments;
  },
};

async function main(): Promise<void> {
  const [name, file] = process.argv.slice(2);
  if (name === '--list') {
    process.stdout.write(JSON.stringify(Object.keys(CONTENDERS)) + '\n');
    return;
  }
  const contender = name === undefined ? undefined : CONTENDERS[name];
  if (!contender || file === undefined) {
    process.stderr.write(`usage: node x12-contenders.mjs NAME FILE\n  NAME: ${Object.keys(CONTENDERS).join(' | ')}\n`);
    process.exitCode = 2;
    return;
  }
  const start = process.hrtime.bigint();
  const cpuStart = process.cpuUsage();
  const count = await contender(file);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const cpu = process.cpuUsage(cpuStart);
  // CPU seconds as well as wall seconds: on a shared machine the CPU figure is the steadier one.
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  process.stdout.write(JSON.stringify({ seconds, cpuSeconds, count, maxRssMb: process.resourceUsage().maxRSS / 1024 }) + '\n');
}

await main();
