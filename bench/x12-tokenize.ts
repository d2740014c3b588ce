// Benchmark: tokenising plus envelope checks on a generated 835, against a bare read, a minimal
// hand-written boundary scan, npm x12-parser and node-x12's stream mode. Each contender runs in its own
// child process so peak RSS is its own. Usage: node --import tsx bench/x12-tokenize.ts [--mb N]
// (default 8 MB, a smoke size; the README numbers use --mb 200). Files go to bench/out/ (gitignored).
import { spawnSync } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync, mkdirSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';
import { readSegmentBatches } from '../src/x12/read.ts';
import { EnvelopeChecker } from '../src/x12/envelope.ts';

const OUT = fileURLToPath(new URL('./out/', import.meta.url));
const SELF = fileURLToPath(import.meta.url);
const require = createRequire(import.meta.url);

/** One synthetic remittance (ST..SE) with `claims` claims of two lines each; ids are invented. */
function remittance(st: number, claims: number, nl: string): string {
  const lines: string[] = [
    `ST*835*${String(st).padStart(4, '0')}`, 'BPR*I*1234.56*C*ACH*CCP*01*999999999*DA*123456789*1512345678**01*999988880*DA*98765*20240105',
    `TRN*1*EFT${st}*1512345678`, 'DTM*405*20240103', 'N1*PR*SYNTHETIC HEALTH PLAN', 'N3*1 PAYER WAY', 'N4*ANYTOWN*ST*000000000',
    'N1*PE*SYNTHETIC CLINIC*XX*1999999999', 'LX*1',
  ];
  for (let c = 0; c < claims; c++) {
    lines.push(`CLP*PCN${st}X${c}*1*250*180*20*12*PAYERCLM${st}${c}*11*1`, 'NM1*QC*1*DOE*JANE****MI*SYN000111', 'DTM*232*20231220',
      'SVC*HC:99213*150*110**1', 'DTM*472*20231220', 'CAS*CO*45*30', 'CAS*PR*2*10', `REF*6R*L${c}A`,
      'SVC*HC:85025*100*70**1', 'DTM*472*20231220', 'CAS*CO*45*20', 'CAS*PR*2*10', `REF*6R*L${c}B`);
  }
  lines.push(`SE*${lines.length + 1}*${String(st).padStart(4, '0')}`);
  return lines.join(`~${nl}`) + `~${nl}`;
}

async function generate(path: string, bytes: number, nl: string): Promise<void> {
  const out = createWriteStream(path);
  const write = async (text: string): Promise<void> => {
    if (!out.write(text)) await once(out, 'drain');
  };
  await write(`ISA*00*          *00*          *ZZ*PAYERSYN       *ZZ*CLINICSYN      *240105*0930*^*00501*000000905*0*P*:~${nl}`);
  await write(`GS*HP*PAYERSYN*CLINICSYN*20240105*0930*1*X*005010X221A1~${nl}`);
  let written = 0;
  let sets = 0;
  while (written < bytes) {
    const text = remittance(++sets, 50, nl);
    written += text.length;
    await write(text);
  }
  await write(`GE*${sets}*1~${nl}IEA*1*000000905~${nl}`);
  out.end();
  await once(out, 'finish');
}

type Contender = (file: string) => Promise<number>;

const CONTENDERS: Record<string, Contender> = {
  async 'bare read'(file) {
    let n = 0;
    for await (const chunk of createReadStream(file, { highWaterMark: 256 * 1024 })) n += (chunk as Buffer).length;
    return n;
  },
  async 'minimal scan'(file) {
    // Finds every segment and element boundary, makes no strings: the floor for any tokenizer in JS.
    let segments = 0;
    let elements = 0;
    for await (const chunk of createReadStream(file, { highWaterMark: 256 * 1024 })) {
      const b = chunk as Buffer;
      for (let i = 0; i < b.length; i++) {
        const c = b[i];
        if (c === 0x7e) segments++;
        else if (c === 0x2a) elements++;
      }
    }
    return segments + elements * 0;
  },
  async 'claims tokenizer + envelope checks'(file) {
    let segments = 0;
    let problems = 0;
    const checker = new EnvelopeChecker((e) => {
      if (e.kind === 'problem') problems++;
    }, { segmentEvents: false });
    for await (const batch of readSegmentBatches(file)) {
      for (const s of batch) checker.push(s);
      segments += batch.length;
    }
    checker.end();
    if (problems > 0) throw new Error(`${problems} envelope problems in a generated file`);
    return segments;
  },
  async 'claims tokenizer, every element split'(file) {
    let elements = 0;
    for await (const batch of readSegmentBatches(file)) for (const s of batch) elements += s.elements.length;
    return elements;
  },
  async 'x12-parser'(file) {
    const { X12parser } = require('x12-parser') as { X12parser: new () => NodeJS.ReadWriteStream };
    let segments = 0;
    await pipeline(createReadStream(file), X12parser ? new X12parser() : null as never, new Writable({ objectMode: true, write(_s, _e, cb) { segments++; cb(); } }));
    return segments;
  },
  async 'node-x12 (stream mode)'(file) {
    const { X12Parser } = require('node-x12') as { X12Parser: new (strict: boolean) => NodeJS.ReadWriteStream };
    let segments = 0;
    await pipeline(createReadStream(file), new X12Parser(false), new Writable({ objectMode: true, write(_s, _e, cb) { segments++; cb(); } }));
    return segments;
  },
};

async function worker(name: string, file: string): Promise<void> {
  const contender = CONTENDERS[name];
  if (!contender) throw new Error(`unknown contender ${name}`);
  const start = process.hrtime.bigint();
  const cpuStart = process.cpuUsage();
  const count = await contender(file);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const cpu = process.cpuUsage(cpuStart);
  // CPU seconds as well as wall seconds: on a shared machine the CPU figure is the steadier one.
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  process.stdout.write(JSON.stringify({ seconds, cpuSeconds, count, maxRssMb: process.resourceUsage().maxRSS / 1024 }) + '\n');
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === '--worker') return worker(args[1] as string, args[2] as string);
  const mbAt = args.indexOf('--mb');
  const mb = mbAt >= 0 ? Number(args[mbAt + 1]) : 8;
  const only = args.includes('--only') ? (args[args.indexOf('--only') + 1] as string).split(',') : Object.keys(CONTENDERS);
  mkdirSync(OUT, { recursive: true });
  for (const [label, nl] of [['with newlines', '\n'], ['without newlines', '']] as const) {
    const file = `${OUT}x12-835-${mb}mb${nl ? '-nl' : ''}.x12`;
    if (!existsSync(file)) await generate(file, mb * 1e6, nl);
    const sizeMb = statSync(file).size / 1e6;
    process.stdout.write(`\n835, ${sizeMb.toFixed(1)} MB, ${label}\n`);
    const results: Record<string, number> = {};
    for (const name of only) {
      const r = spawnSync(process.execPath, ['--import', 'tsx', SELF, '--worker', name, file], { encoding: 'utf8', maxBuffer: 1 << 20 });
      if (r.status !== 0) {
        process.stdout.write(`  ${name.padEnd(40)} failed: ${(r.stderr || '').split('\n').slice(0, 3).join(' ')}\n`);
        continue;
      }
      const { seconds, cpuSeconds, maxRssMb } = JSON.parse(r.stdout.trim().split('\n').pop() as string) as { seconds: number; cpuSeconds: number; maxRssMb: number };
      results[name] = sizeMb / cpuSeconds;
      process.stdout.write(`  ${name.padEnd(40)} ${(sizeMb / seconds).toFixed(1).padStart(8)} MB/s wall ${(sizeMb / cpuSeconds).toFixed(1).padStart(8)} MB/s CPU  peak RSS ${maxRssMb.toFixed(0).padStart(5)} MB\n`);
    }
    const ours = results['claims tokenizer + envelope checks'];
    if (ours !== undefined) {
      process.stdout.write('  ratios (CPU time):\n');
      for (const [name, rate] of Object.entries(results)) {
        if (name !== 'claims tokenizer + envelope checks') process.stdout.write(`  ours / ${name}: ${(ours / rate).toFixed(2)}x\n`);
      }
    }
  }
}

await main();
