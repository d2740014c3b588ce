// Benchmark: 271 ingest rate (responses/s) and peak RSS on a generated file of 100,000 responses.
// Phases run as child processes so each one's peak RSS is its own:
//   gen             write bench/out/eligibility-271-{100000,10000}.x12 (1000 or 100 sets of 100 people)
//   ours-parse      tokenizer + 271 reader, no database (responses/s)
//   x12parser-parse the x12-parser package on the same file: segments only, no 271 mapping
//   nodex12-parse   node-x12's X12Parser (whole document in memory) on the 10,000-response file, and ours on it
//   ingest          `claims ingest` path (envelope sets -> 271 handler -> Postgres), fresh database
// Run: node --import tsx bench/eligibility-271.ts            (all phases, prints a table)
import { spawnSync } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { once } from 'node:events';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { InterchangeWriter } from '../src/x12/writer.ts';
import { readSegmentBatches } from '../src/exchange/x12-read.ts';
import { Eligibility271Reader } from '../src/transactions/eligibility-271.ts';

const OUT = fileURLToPath(new URL('./out/', import.meta.url));
const fileFor = (n: number): string => path.join(OUT, `eligibility-271-${n}.x12`);
const PER_SET = 100;

async function generate(responses: number): Promise<void> {
  const file = fileFor(responses);
  if (existsSync(file)) return;
  mkdirSync(OUT, { recursive: true });
  const out = createWriteStream(file);
  const write = async (text: string): Promise<void> => {
    if (!out.write(text)) await once(out, 'drain');
  };
  const w = new InterchangeWriter({ lineBreak: '\n' });
  await write(w.beginInterchange({ senderQualifier: 'ZZ', senderId: 'SYNTHPAYER01', receiverQualifier: 'ZZ', receiverId: 'MAPLEFP', date: '240315', time: '0930', controlNumber: 1, usage: 'T' }));
  await write(w.beginGroup({ functionalId: 'HB', senderCode: 'SYNTHPAYER01', receiverCode: 'MAPLEFP', date: '20240315', time: '0930', controlNumber: 1, version: '005010X279A1' }));
  for (let set = 0; set * PER_SET < responses; set++) {
    await write(w.beginSet({ id: '271', controlNumber: set + 1, implementationRef: '005010X279A1' }));
    let text = w.segment(['BHT', '0022', '11', `B${set}`, '20240315', '0930']) + w.segment(['HL', '1', '', '20', '1'])
      + w.segment(['NM1', 'PR', '2', 'SYNTHETIC HEALTH PLAN', '', '', '', '', 'PI', '99001'])
      + w.segment(['HL', '2', '1', '21', '1']) + w.segment(['NM1', '1P', '2', 'MAPLE FAMILY PRACTICE', '', '', '', '', 'XX', '1234567893']);
    let hl = 2;
    for (let k = 0; k < PER_SET && set * PER_SET + k < responses; k++) {
      const i = set * PER_SET + k;
      const member = `M${String(i).padStart(9, '0')}`;
      text += w.segment(['HL', String(++hl), '2', '22', '0']) + w.segment(['TRN', '2', `T${i}`, '9MAPLEFP01'])
        + w.segment(['NM1', 'IL', '1', `LAST${i % 997}`, `FIRST${i % 991}`, '', '', '', 'MI', member])
        + w.segment(['DMG', 'D8', `19${50 + (i % 50)}0${1 + (i % 9)}1${i % 9}`, i % 2 ? 'F' : 'M']);
      if (i % 50 === 49) {
        text += w.segment(['AAA', 'N', '', '72', 'C']);
        continue;
      }
      text += w.segment(['DTP', '346', 'D8', '20240101']) + w.segment(['DTP', '347', 'D8', '20241231'])
        + w.segment(['EB', i % 20 === 7 ? '6' : '1', 'IND', '30', 'PR', 'SILVER PPO'])
        + w.segment(['EB', 'B', 'IND', '98', 'PR', '', '27', '25', '', '', '', '', 'Y'])
        + w.segment(['EB', 'B', 'IND', '98', 'PR', '', '27', '50', '', '', '', '', 'N'])
        + w.segment(['EB', 'A', 'IND', '30', 'PR', '', '27', '', '0.2', '', '', '', 'Y'])
        + w.segment(['EB', 'C', 'IND', '30', 'PR', '', '29', String(312 + (i % 100)) + '.5', '', '', '', '', 'Y'])
        + w.segment(['DTP', '292', 'RD8', '20240101-20241231'])
        + w.segment(['EB', 'G', 'IND', '30', 'PR', '', '23', '6000', '', '', '', '', 'Y'])
        + w.segment(['EB', 'I', '', { repeated: ['UC', '86'] }]) + w.segment(['MSG', 'URGENT CARE UNDER SEPARATE RIDER']);
    }
    await write(text);
    await write(w.endSet());
  }
  await write(w.endGroup());
  await write(w.endInterchange());
  out.end();
  await once(out, 'finish');
}

async function oursParse(file: string): Promise<{ responses: number }> {
  let responses = 0;
  let reader: Eligibility271Reader | null = null;
  for await (const batch of readSegmentBatches(file)) {
    for (const s of batch) {
      if (s.tag === 'ST') reader = new Eligibility271Reader({});
      if (!reader) continue;
      for (const e of reader.push(s)) if (e.kind === 'response') responses++;
      if (s.tag === 'SE') reader = null;
    }
  }
  return { responses };
}

async function x12parserParse(file: string): Promise<{ segments: number }> {
  const { X12parser } = await import('x12-parser');
  const parser = new X12parser();
  let segments = 0;
  parser.on('data', () => segments++);
  const done = once(parser, 'end');
  createReadStream(file).pipe(parser);
  await done;
  return { segments };
}

async function nodex12Parse(file: string): Promise<{ segments: number }> {
  const { X12Parser } = (await import('node-x12')) as unknown as { X12Parser: new (strict?: boolean) => { parse(text: string): { functionalGroups: Array<{ transactions: Array<{ segments: unknown[] }> }> } } };
  const doc = new X12Parser(true).parse(readFileSync(file, 'latin1'));
  let segments = 0;
  for (const g of doc.functionalGroups) for (const t of g.transactions) segments += t.segments.length;
  return { segments };
}

async function ingest(file: string): Promise<Record<string, unknown>> {
  const { openDatabase } = await import('../src/runtime/database.ts');
  const { ingestFile } = await import('../src/pipeline/ingest-input.ts');
  const { logger } = await import('../src/runtime/logger.ts');
  // One fixed bench database, emptied first: repeated runs start equal and leave one database behind.
  const db = await openDatabase({ migrate: true, database: 'claims_bench_eligibility' });
  try {
    await db.pool.query('TRUNCATE eligibility_benefits, eligibility_rejections, eligibility_responses');
    const started = performance.now();
    const outcome = await ingestFile(file, { pool: db.pool, logger: logger(), quarantineDir: path.join(OUT, 'quarantine'), failpoint: () => undefined });
    const seconds = (performance.now() - started) / 1000;
    const counted = await db.pool.query('SELECT (SELECT count(*) FROM eligibility_responses)::int AS r, (SELECT count(*) FROM eligibility_benefits)::int AS b');
    return { status: outcome.status, sets: outcome.sets.length, responses: counted.rows[0].r, benefits: counted.rows[0].b, ingestSeconds: seconds };
  } finally {
    await db.close();
  }
}

async function phase(name: string): Promise<void> {
  const started = performance.now();
  let result: Record<string, unknown>;
  switch (name) {
    case 'gen': await generate(100_000); await generate(10_000); result = {}; break;
    case 'ours-parse': result = await oursParse(fileFor(100_000)); break;
    case 'ours-parse-10k': result = await oursParse(fileFor(10_000)); break;
    case 'x12parser-parse': result = await x12parserParse(fileFor(100_000)); break;
    case 'nodex12-parse-10k': result = await nodex12Parse(fileFor(10_000)); break;
    case 'ingest': result = await ingest(fileFor(100_000)); break;
    default: throw new Error(`unknown phase ${name}`);
  }
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage();
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  process.stdout.write(JSON.stringify({ phase: name, seconds, cpuSeconds, peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024), ...result }) + '\n');
}

const requested = process.argv[2];
if (requested) {
  await phase(requested);
} else {
  const self = fileURLToPath(import.meta.url);
  const rows: Array<Record<string, number | string>> = [];
  for (const name of ['gen', 'ours-parse', 'x12parser-parse', 'ours-parse-10k', 'nodex12-parse-10k', 'ingest']) {
    const r = spawnSync(process.execPath, ['--import', 'tsx', self, name], { encoding: 'utf8', env: { ...process.env, CLAIMS_LOG_LEVEL: 'warn' }, maxBuffer: 1 << 24 });
    if (r.status !== 0) throw new Error(`${name} failed: ${r.stderr}`);
    const row = JSON.parse(r.stdout.trim().split('\n').pop()!);
    rows.push(row);
    process.stderr.write(JSON.stringify(row) + '\n');
  }
}
