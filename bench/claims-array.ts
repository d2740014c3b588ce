// Benchmark: reading a claims export written as one JSON array. Contenders, each in its own child process
// on the same generated file, reading every record into a JavaScript value (nothing else):
//   stream-json   StreamArray.withParserAsStream(): tokens and values built in JavaScript (the reader the
//                 project used before decision 0042's fourth section)
//   array-blocks  src/claim-exports/array-blocks.ts: the array's structure found in the bytes, each element
//                 JSON.parse'd (what submit does on one thread)
//   ndjson        the same records as NDJSON through the NDJSON reader, for scale
// and then our submit without a database on the array export (two worker threads) and on NDJSON.
// Usage: node --import tsx bench/claims-array.ts [--claims N]   (default 5,000, the smoke size)
import { spawnSync } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync, mkdirSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { PassThrough } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import streamArray from 'stream-json/streamers/stream-array.js';
import { syntheticClaim } from '../test/claims/support/synthetic.ts';
import { arrayBlocks } from '../src/claim-exports/array-blocks.ts';
import { readClaimsExportChunks } from '../src/claim-exports/read-export.ts';
import { loadPayerProfiles } from '../src/runtime/payer-profiles.ts';
import { submitClaims } from '../src/claims/submit.ts';
import { memoryControlNumbers } from '../src/exchange/control-numbers.ts';
import { fixedClock } from '../src/common/clock.ts';
import { CLAIMS_NODE_FLAGS } from '../src/runtime/node-flags.ts';

const OUT = fileURLToPath(new URL('./out/', import.meta.url));
const SELF = fileURLToPath(import.meta.url);
const PAYERS = fileURLToPath(new URL('../samples/payers/', import.meta.url));

async function generate(file: string, claims: number, array: boolean): Promise<void> {
  const out = createWriteStream(file);
  let buf = array ? '[\n' : '';
  for (let i = 0; i < claims; i++) {
    buf += JSON.stringify(syntheticClaim(i)) + (array ? (i + 1 < claims ? ',\n' : '\n') : '\n');
    if (buf.length > 1 << 20) {
      if (!out.write(buf)) await once(out, 'drain');
      buf = '';
    }
  }
  out.end(array ? `${buf}]\n` : buf);
  await once(out, 'finish');
}

interface Result { contender: string; claims: number; ms: number; cpuMs: number; maxRssMb: number }

async function child(contender: string, input: string): Promise<void> {
  const started = performance.now();
  const cpu = process.cpuUsage();
  let claims = 0;
  if (contender === 'stream-json') {
    const items = new PassThrough({ objectMode: true, highWaterMark: 64 });
    const done = pipeline(createReadStream(input), streamArray.withParserAsStream(), items);
    for await (const item of items) if ((item as { value: unknown }).value !== undefined) claims++;
    await done;
  } else if (contender === 'array-blocks') {
    for await (const b of arrayBlocks(input)) {
      for (let k = 0; k < b.starts.length; k++) if (JSON.parse(b.bytes.toString('utf8', b.starts[k], b.ends[k])) !== undefined) claims++;
    }
  } else if (contender === 'ndjson') {
    for await (const chunk of readClaimsExportChunks(input)) claims += chunk.length;
  } else {
    const dir = path.join(OUT, `claims-array-${contender}`);
    rmSync(dir, { recursive: true, force: true });
    const s = await submitClaims({
      inputs: [input], outDir: dir, payers: await loadPayerProfiles(PAYERS), clock: fixedClock('2024-09-01T12:00:00Z'),
      controlNumbers: memoryControlNumbers(), store: null, threads: 2, threadsFromBytes: 0,
    });
    claims = s.sent;
  }
  const c = process.cpuUsage(cpu);
  const result: Result = { contender, claims, ms: performance.now() - started, cpuMs: (c.user + c.system) / 1000, maxRssMb: process.resourceUsage().maxRSS / 1024 };
  process.stdout.write(JSON.stringify(result) + '\n');
}

function run(contender: string, input: string): Result {
  const r = spawnSync(process.execPath, [...CLAIMS_NODE_FLAGS, '--import', 'tsx', SELF, '--child', contender, '--input', input], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`${contender} failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as Result;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { claims: { type: 'string', default: '5000' }, child: { type: 'string' }, input: { type: 'string' } } });
  if (values.child) return child(values.child, values.input!);
  mkdirSync(OUT, { recursive: true });
  const n = Number(values.claims);
  const arrayFile = path.join(OUT, `claims-${n}.json`);
  const ndjsonFile = path.join(OUT, `claims-${n}.ndjson`);
  if (!existsSync(arrayFile)) await generate(arrayFile, n, true);
  if (!existsSync(ndjsonFile)) await generate(ndjsonFile, n, false);
  const results = [
    run('stream-json', arrayFile), run('array-blocks', arrayFile), run('ndjson', ndjsonFile),
    { ...run('submit-array', arrayFile), contender: 'submit, JSON array (2 worker threads)' },
    { ...run('submit-ndjson', ndjsonFile), contender: 'submit, NDJSON (2 worker threads)' },
  ];
  const base = results[0]!;
  console.log('| contender | claims | wall s | claims/s (wall) | vs stream-json (wall) | CPU s | vs stream-json (CPU) | peak RSS MB |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of results) {
    console.log(`| ${r.contender} | ${r.claims} | ${(r.ms / 1000).toFixed(1)} | ${Math.round(r.claims / (r.ms / 1000))} | ${(base.ms / r.ms).toFixed(1)}x | ${(r.cpuMs / 1000).toFixed(1)} | ${(base.cpuMs / r.cpuMs).toFixed(1)}x | ${Math.round(r.maxRssMb)} |`);
  }
}

await main();
