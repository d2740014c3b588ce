/* global process, console */
// Before/after: runs one benchmark in two checkouts (old and new code), alternating old, new, old, new...,
// and prints the median of each ratio the benchmark reports, so a change can show it made no ratio worse.
//   node bench/ab.mjs --old ../old-checkout --new . --runs 3 -- bench:x12 --mb 40
// Each checkout needs its node_modules. Ratios are read from the benchmark's own output (the lines
// listed in PATTERNS below), so this compares what bench/README reports, nothing else.
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const PATTERNS = {
  'bench:x12': [
    ['claims scan / minimal scan', /\/ minimal scan\s+([\d.]+)x/],
    ['claims scan / x12-parser', /\/ x12-parser\s+([\d.]+)x/],
    ['claims scan / node-x12', /\/ node-x12 \(stream mode\)\s+([\d.]+)x/],
  ],
  'bench:remit': [['ingest / floor (lower is better)', /([\d.]+)x the floor/]],
  'bench:claims': [
    ['ours / node-x12 best, wall', /^\| ours \|[^|]*\|[^|]*\|[^|]*\| ([\d.]+)x \|/m],
    ['ours / node-x12 best, CPU', /^\| ours \|(?:[^|]*\|){6} ([\d.]+)x \|/m],
  ],
};

const argv = process.argv.slice(2);
const sep = argv.indexOf('--');
const opts = Object.fromEntries(argv.slice(0, sep).join(' ').split('--').filter(Boolean).map((s) => s.trim().split(/\s+/)));
const [script, ...benchArgs] = argv.slice(sep + 1);
const patterns = PATTERNS[script];
if (!patterns || !opts.old || !opts.new) {
  console.error('usage: node bench/ab.mjs --old DIR --new DIR [--runs N] -- bench:x12|bench:remit|bench:claims [args]');
  process.exit(2);
}
const runs = Number(opts.runs ?? 3);
const results = { old: patterns.map(() => []), new: patterns.map(() => []) };
for (let i = 0; i < runs; i++) {
  for (const side of ['old', 'new']) {
    const cwd = path.resolve(opts[side]);
    const r = spawnSync('npm', ['run', '--silent', script, '--', ...benchArgs], { cwd, encoding: 'utf8', maxBuffer: 64 << 20 });
    const out = `${r.stdout}\n${r.stderr}`;
    patterns.forEach(([name, re], k) => {
      const m = re.exec(out);
      if (!m) console.error(`${side} run ${i + 1}: no "${name}" in the output`);
      else results[side][k].push(Number(m[1]));
    });
    console.error(`${side} run ${i + 1}: ${patterns.map((_, k) => results[side][k].at(-1)).join(' / ')}`);
  }
}
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s.length ? s[(s.length - 1) >> 1] : NaN; };
console.log(`| ${script} ${benchArgs.join(' ')} | old (median of ${runs}) | new (median of ${runs}) | new / old |`);
console.log('|---|---:|---:|---:|');
patterns.forEach(([name], k) => {
  const o = median(results.old[k]);
  const n = median(results.new[k]);
  console.log(`| ${name} | ${o.toFixed(2)}x | ${n.toFixed(2)}x | ${(n / o).toFixed(3)} |`);
});
