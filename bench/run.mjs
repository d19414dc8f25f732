#!/usr/bin/env node
// `npm run bench`: runs the six benchmarks of issue 7 and prints one table; `-- --quick` is the small
// configuration CI may run to keep the scripts working (times are not asserted anywhere);
// `-- --only=3,5` runs some of them. Results go to bench/results/<date>[-quick].json.
// Needs dist/ (`npm run build`), /usr/bin/packer (Debian's 1.6.6) and ../shared/corpus.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, machine } from './lib.mjs';
import { whereTheBytesGo } from './where-the-bytes-go.mjs';
import { parallelIsos } from './parallel-isos.mjs';
import { detectionLatency } from './detection-latency.mjs';
import { templateThroughput } from './template-throughput.mjs';
import { memory } from './memory.mjs';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const only = args.find((a) => a.startsWith('--only='))?.slice('--only='.length).split(',').map(Number);
const wanted = (n) => !only || only.includes(n);

const BENCHES = [
  // 1 and 2 share one simulator: the warm re-run follows the cold runs.
  { ids: [1, 2], key: 'whereTheBytesGo', fn: whereTheBytesGo },
  { ids: [3], key: 'parallelIsos', fn: parallelIsos },
  { ids: [4], key: 'detectionLatency', fn: detectionLatency },
  { ids: [5], key: 'templateThroughput', fn: templateThroughput },
  { ids: [6], key: 'memory', fn: memory },
];

const started = Date.now();
const info = machine();
const command = `npm run bench${args.length ? ` -- ${args.join(' ')}` : ''}`;
process.stderr.write(`hclx bench (${quick ? 'quick' : 'full'}): ${info.nproc} cores, ${info.memoryGiB} GiB, node ${info.node}, ${info.packer}, load ${info.loadavg}\n`);
const results = {};
const rows = [];
let failed = false;
for (const b of BENCHES) {
  if (!b.ids.some(wanted)) continue;
  const t0 = Date.now();
  process.stderr.write(`running benchmark ${b.ids.join('+')} (${b.key})...\n`);
  try {
    const r = await b.fn({ quick });
    results[b.key] = r;
    rows.push(...r.table);
    process.stderr.write(`  done in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
  } catch (error) {
    failed = true;
    results[b.key] = { error: String(error?.stack ?? error) };
    rows.push([`${b.ids.join('+')}. ${b.key}`, 'FAILED', String(error?.message ?? error).split('\n')[0]]);
    process.stderr.write(`  FAILED: ${error?.stack ?? error}\n`);
  }
}

const table = ['| benchmark | result | detail |', '|---|---|---|', ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
process.stdout.write(`${table}\n\ncommand: ${command}; total ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
const dir = join(ROOT, 'bench', 'results');
mkdirSync(dir, { recursive: true });
const file = join(dir, `${new Date().toISOString().slice(0, 10)}${quick ? '-quick' : ''}.json`);
writeFileSync(file, JSON.stringify({ command, quick, date: new Date().toISOString(), machine: info, totalSeconds: (Date.now() - started) / 1000, table: rows, results }, null, 2) + '\n');
process.stderr.write(`results written to ${file}\n`);
process.exitCode = failed ? 1 : 0;
