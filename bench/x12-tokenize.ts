// Benchmark: our scanner plus envelope checks on a generated 835, against a bare read, a minimal
// hand-written boundary scan, npm x12-parser and node-x12's stream mode, all in the same run on the same
// file. The contenders (bench/x12-contenders.ts) are bundled with esbuild into bench/out/ and each runs in
// its own plain `node` child process, so peak RSS is the contender's and not the TypeScript loader's.
//
//   node --import tsx bench/x12-tokenize.ts [--mb N] [--only a,b] [--newlines both|yes|no] [--runs K] [--delete]
//
// --mb: file size (default 4, a smoke size that finishes in seconds; the README uses 200, and 1000 for
// the memory proof). --runs: runs per contender, the fastest CPU time is kept (default 1). --delete:
// remove the generated files afterwards (a 1 GB file should not stay on a shared disk).
import { spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';

const OUT = fileURLToPath(new URL('./out/', import.meta.url));
const ENTRY = fileURLToPath(new URL('./x12-contenders.ts', import.meta.url));
const BUNDLE = `${OUT}x12-contenders.mjs`;
const OURS = 'claims scanner + envelope checks';

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

/** Bundle the contenders to plain JavaScript (esbuild comes with tsx); node_modules stay external. */
async function bundle(): Promise<void> {
  const esbuild = await import('esbuild');
  await esbuild.build({
    entryPoints: [ENTRY], outfile: BUNDLE, bundle: true, platform: 'node', format: 'esm', target: 'node20',
    packages: 'external', logLevel: 'warning',
  });
}

interface Result { seconds: number; cpuSeconds: number; count: number; maxRssMb: number }

function runOnce(name: string, file: string): Result | string {
  const r = spawnSync(process.execPath, [BUNDLE, name, file], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (r.status !== 0) return (r.stderr || `exit ${r.status}`).split('\n').slice(0, 3).join(' ');
  return JSON.parse(r.stdout.trim().split('\n').pop() as string) as Result;
}

function option(args: string[], name: string): string | undefined {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : undefined;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const mb = Number(option(args, '--mb') ?? 4);
  const runs = Math.max(1, Number(option(args, '--runs') ?? 1));
  const newlines = option(args, '--newlines') ?? 'both';
  mkdirSync(OUT, { recursive: true });
  await bundle();
  const names = JSON.parse(spawnSync(process.execPath, [BUNDLE, '--list'], { encoding: 'utf8' }).stdout) as string[];
  const only = option(args, '--only')?.split(',') ?? names;
  const variants = ([['with newlines', '\n'], ['without newlines', '']] as const)
    .filter(([, nl]) => newlines === 'both' || (newlines === 'yes') === (nl === '\n'));
  process.stdout.write(`load average at start: ${loadavg().map((l) => l.toFixed(1)).join(' ')} (${runs} run(s) per contender, best CPU time kept)\n`);
  for (const [label, nl] of variants) {
    const file = `${OUT}x12-835-${mb}mb${nl ? '-nl' : ''}.x12`;
    if (!existsSync(file)) await generate(file, mb * 1e6, nl);
    const sizeMb = statSync(file).size / 1e6;
    process.stdout.write(`\n835, ${sizeMb.toFixed(1)} MB, ${label}\n`);
    process.stdout.write(`  ${'contender'.padEnd(40)} ${'MB/s wall'.padStart(10)} ${'MB/s CPU'.padStart(10)} ${'peak RSS MB'.padStart(12)} ${'count'.padStart(12)}\n`);
    const rates: Record<string, number> = {};
    for (const name of only) {
      let best: Result | undefined;
      let failure: string | undefined;
      for (let k = 0; k < runs; k++) {
        const r = runOnce(name, file);
        if (typeof r === 'string') failure = r;
        else if (!best || r.cpuSeconds < best.cpuSeconds) best = { ...r, maxRssMb: Math.max(r.maxRssMb, best?.maxRssMb ?? 0) };
      }
      if (!best) {
        process.stdout.write(`  ${name.padEnd(40)} failed: ${failure ?? ''}\n`);
        continue;
      }
      rates[name] = sizeMb / best.cpuSeconds;
      process.stdout.write(`  ${name.padEnd(40)} ${(sizeMb / best.seconds).toFixed(1).padStart(10)} ${(sizeMb / best.cpuSeconds).toFixed(1).padStart(10)} ${best.maxRssMb.toFixed(0).padStart(12)} ${String(best.count).padStart(12)}\n`);
    }
    const ours = rates[OURS];
    if (ours !== undefined) {
      process.stdout.write(`  ratios of ${OURS} (CPU time):\n`);
      const targets: Record<string, number> = { 'x12-parser': 20, 'node-x12 (stream mode)': 10, 'minimal scan': 0.5 };
      for (const [name, rate] of Object.entries(rates)) {
        if (name === OURS) continue;
        const target = targets[name];
        // Below ~100 MB start-up and JIT warm-up dominate: ratios are printed, targets are not judged.
        const verdict = target === undefined ? '' : sizeMb < 100 ? `  (target ${target}x: not judged at a smoke size)`
          : ours / rate >= target ? `  (target ${target}x: met)` : `  (target ${target}x: NOT met)`;
        process.stdout.write(`    / ${name.padEnd(38)} ${(ours / rate).toFixed(2).padStart(7)}x${verdict}\n`);
      }
    }
    if (args.includes('--delete')) rmSync(file, { force: true });
  }
  process.stdout.write(`\nload average at end: ${loadavg().map((l) => l.toFixed(1)).join(' ')}\n`);
}

await main();
