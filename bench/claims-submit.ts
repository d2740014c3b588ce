// Benchmark: claims export (NDJSON) to 837 files. Contenders, each in its own child process so that peak RSS
// is its own, on the same generated export:
//   ours        submitClaims without a database: stream, validate, map, write per-payer interchanges
//   ours-small  the same on a tenth of the export, to show memory does not grow with the input
//   node-x12    the same read/validate/map, then node-x12's JSEDINotation + X12Generator builds the files
//   ours-db     submitClaims with the Postgres store (embedded server): claims, lines, people, ledger;
//               ours-db-threads the same with two worker threads preparing the claims
// Usage: node --import tsx bench/claims-submit.ts [--claims N] [--nodex12 M] [--db K]
// Defaults are a smoke size (20,000 / 20,000 / 0); the README numbers use --claims 1000000 --nodex12 50000
// --db 100000. The export is generated streaming into bench/out/ (gitignored) and reused.
import { spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createRequire } from 'node:module';
import { syntheticClaim } from '../test/claims/support/synthetic.ts';
import { loadPayerProfiles } from '../src/runtime/payer-profiles.ts';
import { submitClaims } from '../src/claims/submit.ts';
import { memoryControlNumbers, postgresControlNumbers } from '../src/exchange/control-numbers.ts';
import { postgresClaimStore } from '../src/claims/store.ts';
import { postgresCoverageGate } from '../src/claims/coverage-gate.ts';
import { readClaimsExport } from '../src/claim-exports/read-export.ts';
import { validateClaim } from '../src/domain/claim-validate.ts';
import { mapClaim } from '../src/payers/map-claim.ts';
import { Hierarchy, transactionHeader, type SegmentValues } from '../src/transactions/claim-837-common.ts';
import { professionalClaimSegments, GUIDE as GUIDE_P } from '../src/transactions/claim-837p.ts';
import { institutionalClaimSegments, GUIDE as GUIDE_I } from '../src/transactions/claim-837i.ts';
import { fixedClock } from '../src/common/clock.ts';
import { CLAIMS_NODE_FLAGS } from '../src/runtime/node-flags.ts';

const OUT = fileURLToPath(new URL('./out/', import.meta.url));
const SELF = fileURLToPath(import.meta.url);
const PAYERS = fileURLToPath(new URL('../samples/payers/', import.meta.url));
const require = createRequire(import.meta.url);
const clock = fixedClock('2024-09-01T12:00:00Z');

async function generate(file: string, claims: number): Promise<void> {
  const out = createWriteStream(file);
  let buf = '';
  for (let i = 0; i < claims; i++) {
    buf += JSON.stringify(syntheticClaim(i)) + '\n';
    if (buf.length > 1 << 20) {
      if (!out.write(buf)) await once(out, 'drain');
      buf = '';
    }
  }
  out.end(buf);
  await once(out, 'finish');
}

interface Result {
  contender: string;
  claims: number;
  ms: number;
  /** CPU time of the process over the same span (user + system): steadier than wall time on a shared box. */
  cpuMs: number;
  maxRssMb: number;
  sent: number;
}

async function child(contender: string, input: string, limit: number): Promise<void> {
  const payers = await loadPayerProfiles(PAYERS);
  const dir = path.join(OUT, `claims-${contender}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const started = performance.now();
  const cpuStarted = process.cpuUsage();
  let sent: number;
  if (contender === 'ours' || contender === 'ours-small') {
    const s = await submitClaims({ inputs: [input], outDir: dir, payers, clock, controlNumbers: memoryControlNumbers(), store: null });
    sent = s.sent;
  } else if (contender === 'ours-db' || contender === 'ours-db-threads') {
    const { openDatabase } = await import('../src/runtime/database.ts');
    // A fresh embedded server for each run: the figure includes nothing left from an earlier run.
    rmSync(path.join(OUT, 'claims-home'), { recursive: true, force: true });
    const db = await openDatabase({ migrate: true, embedded: true });
    try {
      const s = await submitClaims({
        inputs: [input], outDir: dir, payers, clock, controlNumbers: postgresControlNumbers(db.pool), store: postgresClaimStore(db.pool),
        coverage: postgresCoverageGate(db.pool), batchSize: 1000, ...(contender === 'ours-db-threads' && { threads: 2 }),
      });
      sent = s.sent;
    } finally {
      await db.close();
    }
  } else if (contender === 'writer-ours' || contender === 'writer-node-x12') {
    const r = await writerOnly(contender, input, limit, dir, payers);
    sent = r.sent;
    const result: Result = { contender, claims: limit, ms: r.ms, cpuMs: r.cpuMs, maxRssMb: process.resourceUsage().maxRSS / 1024, sent };
    process.stdout.write(JSON.stringify(result) + '\n');
    return;
  } else {
    sent = await nodeX12(input, limit, dir, payers);
  }
  const ms = performance.now() - started;
  const cpu = process.cpuUsage(cpuStarted);
  const result: Result = { contender, claims: limit, ms, cpuMs: (cpu.user + cpu.system) / 1000, maxRssMb: process.resourceUsage().maxRSS / 1024, sent };
  process.stdout.write(JSON.stringify(result) + '\n');
}

/** node-x12: the same records, validation and mapping; its generator builds one interchange per payer in memory. */
async function nodeX12(input: string, limit: number, dir: string, payers: Awaited<ReturnType<typeof loadPayerProfiles>>): Promise<number> {
  const { JSEDINotation, X12Generator } = require('node-x12') as typeof import('node-x12');
  type Group = { tx: InstanceType<typeof import('node-x12').JSEDITransaction> | null; claims: number; hierarchy: Hierarchy; st: number; group: ReturnType<InstanceType<typeof JSEDINotation>['addFunctionalGroup']> };
  const perPayer = new Map<string, { jsen: InstanceType<typeof JSEDINotation>; groups: Map<string, Group>; isa13: string }>();
  let st = 0;
  let sent = 0;
  const add = (tx: NonNullable<Group['tx']>, segs: SegmentValues[]): void => {
    for (const [tag, ...els] of segs) tx.addSegment(tag, els.map((e) => (typeof e === 'string' ? e : e.join(':'))));
  };
  for await (const item of readClaimsExport(input)) {
    if ('error' in item) continue;
    if (item.record > limit) break;
    const v = validateClaim(item.value, item.record, clock.today());
    if (!v.ok) continue;
    const m = mapClaim(v.claim, item.record, payers);
    if (!m.ok) continue;
    const mapped = m.mapped;
    const p = mapped.payer;
    let out = perPayer.get(p.payerId);
    if (!out) {
      const isa13 = String(perPayer.size + 1).padStart(9, '0');
      const jsen = new JSEDINotation(['00', ' '.repeat(10), '00', ' '.repeat(10), 'ZZ', p.submitter.interchangeId.padEnd(15), 'ZZ', p.receiver.interchangeId.padEnd(15), '240901', '1200', '^', '00501', isa13, '0', 'P', ':'], { subElementDelimiter: ':' } as never);
      out = { jsen, groups: new Map(), isa13 };
      perPayer.set(p.payerId, out);
    }
    const type = mapped.claim.record.claimType;
    let g = out.groups.get(type);
    if (!g) {
      const group = out.jsen.addFunctionalGroup(['HC', p.submitter.applicationId, p.receiver.applicationId, '20240901', '1200', String(out.groups.size + 1), 'X', type === 'professional' ? GUIDE_P : GUIDE_I]);
      g = { tx: null, claims: 0, hierarchy: new Hierarchy(), st: 0, group };
      out.groups.set(type, g);
    }
    if (!g.tx || g.claims >= 5000) {
      st++;
      const control = String(st).padStart(4, '0');
      g.tx = g.group.addTransaction(['837', control, type === 'professional' ? GUIDE_P : GUIDE_I]);
      g.hierarchy = new Hierarchy();
      g.claims = 0;
      add(g.tx, transactionHeader({ controlNumber: control, guide: type === 'professional' ? GUIDE_P : GUIDE_I, referenceId: `${out.isa13}${control}`, createdAt: clock.wallTime(), payer: p }).slice(1));
    }
    add(g.tx, type === 'professional' ? professionalClaimSegments(mapped, g.hierarchy) : institutionalClaimSegments(mapped, g.hierarchy));
    g.claims++;
    sent++;
  }
  for (const [payerId, out] of perPayer) {
    writeFileSync(path.join(dir, `837-${payerId}-${out.isa13}.x12`), new X12Generator(out.jsen, { subElementDelimiter: ':' } as never).toString());
  }
  return sent;
}

/**
 * The writers alone: claims are read, validated, mapped and turned into segment values first (not timed);
 * then only envelope + serialisation is timed: the X12 core's InterchangeWriter versus node-x12's notation + generator.
 */
async function writerOnly(contender: string, input: string, limit: number, dir: string, payers: Awaited<ReturnType<typeof loadPayerProfiles>>): Promise<{ ms: number; cpuMs: number; sent: number }> {
  const sets: SegmentValues[][] = [];
  let current: SegmentValues[] = [];
  let hierarchy = new Hierarchy();
  const payer = payers.get('BLUE')!;
  let st = 0;
  let inSet = 0;
  for await (const item of readClaimsExport(input)) {
    if ('error' in item || item.record > limit) break;
    const rec = item.value as { claimType: string; coverages: { payerId: string }[] };
    rec.claimType = 'professional';
    delete (rec as { institutional?: unknown }).institutional;
    for (const l of (rec as unknown as { lines: { revenueCode?: string; diagnosisPointers: number[] }[] }).lines) {
      delete l.revenueCode;
      if (l.diagnosisPointers.length === 0) l.diagnosisPointers = [1];
    }
    (rec as unknown as { billingProvider: unknown }).billingProvider = syntheticClaim(0).billingProvider;
    rec.coverages = rec.coverages.slice(0, 1).map((c) => ({ ...c, payerId: 'BLUE' }));
    const v = validateClaim(rec, item.record, clock.today());
    if (!v.ok) throw new Error(JSON.stringify(v.rejections));
    const m = mapClaim(v.claim, item.record, payers);
    if (!m.ok) throw new Error(JSON.stringify(m.rejections));
    if (current.length === 0 || inSet >= 5000) {
      st++;
      inSet = 0;
      current = [...transactionHeader({ controlNumber: String(st).padStart(4, '0'), guide: GUIDE_P, referenceId: `1${st}`, createdAt: clock.wallTime(), payer })];
      sets.push(current);
      hierarchy = new Hierarchy();
    }
    current.push(...professionalClaimSegments(m.mapped, hierarchy));
    inSet++;
  }
  const claims = sets.reduce((n, set) => n + set.filter((s) => s[0] === 'CLM').length, 0);
  const started = performance.now();
  const cpuStarted = process.cpuUsage();
  const file = path.join(dir, `837-${contender}.x12`);
  if (contender === 'writer-ours') {
    const { InterchangeWriter } = await import('../src/x12/writer.ts');
    const w = new InterchangeWriter();
    const out = createWriteStream(file);
    const write = async (t: string): Promise<void> => {
      if (!out.write(t)) await once(out, 'drain');
    };
    let text = w.beginInterchange({ senderQualifier: 'ZZ', senderId: 'NWB001', receiverQualifier: 'ZZ', receiverId: 'BRIDGEWAY', date: '240901', time: '1200', controlNumber: 1, usage: 'P' });
    text += w.beginGroup({ functionalId: 'HC', senderCode: 'NWB001', receiverCode: 'BRIDGEWAY', date: '20240901', time: '1200', controlNumber: 1, version: GUIDE_P });
    for (const set of sets) {
      text += w.beginSet({ id: '837', controlNumber: set[0]![2] as string, implementationRef: GUIDE_P });
      for (let i = 1; i < set.length; i++) {
        text += w.segment(set[i]!);
        if (text.length > 65536) {
          await write(text);
          text = '';
        }
      }
      text += w.endSet();
    }
    await write(text + w.endGroup() + w.endInterchange());
    out.end();
    await once(out, 'finish');
  } else {
    const { JSEDINotation, X12Generator } = require('node-x12') as typeof import('node-x12');
    const jsen = new JSEDINotation(['00', ' '.repeat(10), '00', ' '.repeat(10), 'ZZ', 'NWB001'.padEnd(15), 'ZZ', 'BRIDGEWAY'.padEnd(15), '240901', '1200', '^', '00501', '000000001', '0', 'P', ':'], { subElementDelimiter: ':' } as never);
    const group = jsen.addFunctionalGroup(['HC', 'NWB001', 'BRIDGEWAY', '20240901', '1200', '1', 'X', GUIDE_P]);
    for (const set of sets) {
      const tx = group.addTransaction(['837', set[0]![2] as string, GUIDE_P]);
      for (let i = 1; i < set.length; i++) {
        const [tag, ...els] = set[i]!;
        tx.addSegment(tag, els.map((e) => (typeof e === 'string' ? e : e.join(':'))));
      }
    }
    writeFileSync(file, new X12Generator(jsen, { subElementDelimiter: ':' } as never).toString());
  }
  const cpu = process.cpuUsage(cpuStarted);
  return { ms: performance.now() - started, cpuMs: (cpu.user + cpu.system) / 1000, sent: claims };
}

/**
 * One contender in a child process. `flags`: the node flags it runs with: the `claims` command's own
 * (src/runtime/node-flags.ts) by default, or none (node's defaults).
 */
function runChild(contender: string, input: string, limit: number, flags: readonly string[] = CLAIMS_NODE_FLAGS): Result {
  const r = spawnSync(process.execPath, [...flags, '--import', 'tsx', SELF, '--child', contender, '--input', input, '--limit', String(limit)], {
    encoding: 'utf8',
    env: { ...process.env, CLAIMS_LOG_LEVEL: 'warn', CLAIMS_HOME: path.join(OUT, 'claims-home'), CLAIMS_PG_PORT: process.env.CLAIMS_PG_PORT ?? '55431' },
    maxBuffer: 1 << 26,
  });
  if (r.status !== 0) throw new Error(`${contender} failed: ${r.stderr}`);
  const result = JSON.parse(r.stdout.trim().split('\n').pop()!) as Result;
  if (flags.length === 0) result.contender += ' (node defaults)';
  process.stderr.write(JSON.stringify(result) + '\n'); // each figure as soon as it is known
  return result;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      claims: { type: 'string', default: '20000' }, nodex12: { type: 'string', default: '20000' }, db: { type: 'string', default: '0' },
      child: { type: 'string' }, input: { type: 'string' }, limit: { type: 'string' },
    },
  });
  if (values.child) return child(values.child, values.input!, Number(values.limit));
  mkdirSync(OUT, { recursive: true });
  const n = Number(values.claims);
  const exportFile = async (count: number): Promise<string> => {
    const file = path.join(OUT, `claims-${count}.ndjson`);
    if (!existsSync(file)) await generate(file, count);
    return file;
  };
  const results: Result[] = [];
  const small = Math.max(1, Math.floor(n / 10));
  results.push(runChild('ours', await exportFile(n), n));
  results.push(runChild('ours-small', await exportFile(small), small));
  results.push(runChild('ours-small', await exportFile(small), small, []));
  // node-x12 runs both with the claims command's flags and on node's defaults; the ratios are against its
  // better figure of the two (the young generation that helps us costs it CPU: it keeps every segment).
  const nx = Math.min(n, Number(values.nodex12));
  results.push(runChild('node-x12', await exportFile(nx), nx));
  results.push(runChild('node-x12', await exportFile(nx), nx, []));
  results.push(runChild('writer-ours', await exportFile(nx), nx));
  results.push(runChild('writer-node-x12', await exportFile(nx), nx));
  results.push(runChild('writer-node-x12', await exportFile(nx), nx, []));
  const nd = Math.min(n, Number(values.db));
  if (nd > 0) {
    results.push(runChild('ours-db', await exportFile(nd), nd));
    // With the database the default is no worker threads (decision 0042, third pass): measured here.
    results.push(runChild('ours-db-threads', await exportFile(nd), nd));
  }
  const rate = (r: Result): number => r.claims / (r.ms / 1000);
  const cpuRate = (r: Result): number => r.claims / (r.cpuMs / 1000);
  /** node-x12's best figure (wall or CPU) of its two runs, for the writers or end to end. */
  const best = (r: Result, of: (x: Result) => number): number => {
    const base = r.contender.startsWith('writer-') ? 'writer-node-x12' : 'node-x12';
    return Math.max(...results.filter((b) => b.contender === base || b.contender === `${base} (node defaults)`).map(of));
  };
  console.log('| contender | claims | wall s | claims/s (wall) | vs node-x12\'s best (wall) | CPU s | claims per CPU s | vs node-x12\'s best (CPU) | peak RSS MB |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of results) {
    console.log(`| ${r.contender} | ${r.claims} | ${(r.ms / 1000).toFixed(1)} | ${Math.round(rate(r))} | ${(rate(r) / best(r, rate)).toFixed(1)}x | ${(r.cpuMs / 1000).toFixed(1)} | ${Math.round(cpuRate(r))} | ${(cpuRate(r) / best(r, cpuRate)).toFixed(1)}x | ${Math.round(r.maxRssMb)} |`);
  }
}

await main();
