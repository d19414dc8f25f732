// Benchmark 5. `hclx render --offline` over every corpus directory (every directory holding a
// .pkr.hcl file) against `packer validate -syntax-only` over the same directories, in the same run,
// one process per directory for both; and `hclx render --offline DIR...`, all directories in one
// process (batch mode), per directory. Start-up cost is reported separately: `hclx --version` and
// `packer version`, the cost of one process that does nothing.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { PACKER, ROOT, childEnv, fmt, hclx, median, remove, run, scratch } from './lib.mjs';

export const CORPUS = join(ROOT, '..', 'shared', 'corpus');

function corpusDirs() {
  const out = [];
  const walk = (d) => {
    const names = readdirSync(d);
    if (names.some((n) => n.endsWith('.pkr.hcl'))) out.push(d);
    for (const n of names) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
    }
  };
  walk(CORPUS);
  return out.sort();
}

export async function templateThroughput({ quick }) {
  if (!existsSync(CORPUS)) throw new Error(`the corpus is missing at ${CORPUS}`);
  // --quick: every fourth directory, enough to keep the script working in CI.
  const dirs = corpusDirs().filter((_, i) => !quick || i % 4 === 0);
  const rounds = quick ? 1 : 3;
  const startups = quick ? 3 : 10;
  const home = scratch('throughput');
  const env = childEnv(home);
  try {
    const hclxTotals = [];
    const packerTotals = [];
    const batchTotals = [];
    let hclxOk = 0;
    let packerOk = 0;
    let batchOk = 0;
    let batchExit;
    for (let round = 0; round < rounds; round++) {
      let h = 0;
      let p = 0;
      hclxOk = 0;
      packerOk = 0;
      for (const [i, dir] of dirs.entries()) {
        const a = await hclx(['render', '--offline', '--out', join(home, `out-${round}-${i}`), dir], { cwd: home, env });
        h += a.ms;
        if (a.code === 0) hclxOk++;
        const b = await run(PACKER, ['validate', '-syntax-only', dir], { cwd: dir, env });
        p += b.ms;
        if (b.code === 0) packerOk++;
      }
      hclxTotals.push(h);
      packerTotals.push(p);
      // Batch mode: every directory in one process (each into its own subdirectory of --out).
      const c = await hclx(['render', '--offline', '--json', '--out', join(home, `batch-${round}`), ...dirs], { cwd: home, env });
      batchTotals.push(c.ms);
      batchExit = c.code;
      const closing = c.stderr.split('\n').filter((l) => l.startsWith('{"event":"batch"')).map((l) => JSON.parse(l))[0];
      if (!closing) throw new Error(`hclx render DIR... printed no batch event (exit ${c.code}):\n${c.stderr.slice(-2000)}`);
      batchOk = closing.rendered;
    }
    const hStart = [];
    const pStart = [];
    for (let i = 0; i < startups; i++) {
      hStart.push((await hclx(['--version'], { cwd: home, env })).ms);
      pStart.push((await run(PACKER, ['version'], { cwd: home, env })).ms);
    }
    const h = median(hclxTotals);
    const p = median(packerTotals);
    const b = median(batchTotals);
    const ratio = h / p;
    const batchRatio = b / p;
    const perDir = (total) => total / dirs.length;
    return {
      directories: dirs.map((d) => relative(CORPUS, d)),
      hclx: { totalMs: h, rounds: hclxTotals, ok: hclxOk, startupMs: median(hStart) },
      packer: { totalMs: p, rounds: packerTotals, ok: packerOk, startupMs: median(pStart) },
      batch: { totalMs: b, rounds: batchTotals, ok: batchOk, exitCode: batchExit },
      ratio,
      batchRatio,
      table: [
        ['5. hclx render --offline', fmt.s(h), `${dirs.length} corpus directories, one process each (${hclxOk} rendered, the rest stop on a located template error), ${fmt.ms(perDir(h))} each`],
        ['5. packer validate -syntax-only', fmt.s(p), `same directories, one process each (${packerOk} valid), ${fmt.ms(perDir(p))} each`],
        ['5. hclx / packer, per directory', fmt.ratio(ratio), `target ≤ 1.5×: ${ratio <= 1.5 ? 'met' : 'NOT met'}`],
        ['5. hclx render --offline DIR...', fmt.s(b), `all ${dirs.length} directories in one process (${batchOk} rendered${batchOk === hclxOk ? ', as one by one' : `, ${hclxOk} one by one: DIFFERENT`}; exit ${batchExit}), ${fmt.ms(perDir(b))} each; ${fmt.ratio(batchRatio)} packer's time`],
        ['5. start-up', fmt.ms(median(hStart)), `hclx --version; packer version ${fmt.ms(median(pStart))}`],
      ],
    };
  } finally {
    remove(home);
  }
}
