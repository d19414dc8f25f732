// Property-based fuzzing of the offline paths with mutated real templates: characters and tokens
// deleted, duplicated and swapped, truncations, stray braces, quotes, `${`, heredoc openers. Every
// mutant goes through render --offline, the read side of plan (prepareTemplate: load, variables,
// locals, extraction, validation; plan's API calls come after it) and migrate. Each must succeed or
// fail with an HclxError of exit 2 that names file:line:col; never an InternalError, a plain Error
// or an unhandled rejection.
//
// Size: HCLX_FUZZ_RUNS (default 300 in CI; the nightly run uses 10000, see bench/README.md).
// A failure prints fast-check's seed and path; replay it with HCLX_FUZZ_SEED and HCLX_FUZZ_PATH.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, cpSync, mkdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { Writable } from 'node:stream';
import fc from 'fast-check';
import { HclxError, InternalError, TemplateErrors } from '../../src/errors.js';
import { predictVolids, renderTemplate } from '../../src/pipeline/render.js';
import { prepareTemplate } from '../../src/template/prepare.js';
import { runMigrate } from '../../src/migrate/run.js';
import { loadTemplate } from '../../src/template/load.js';
import { declareVariables } from '../../src/template/variables.js';
import { dummyValue } from '../corpus/corpus-units.js';
import { CORPUS, REPO, removeDir, scratchDir, sharedSkip } from './support.js';

const RUNS = Math.max(1, Number(process.env.HCLX_FUZZ_RUNS ?? 300) || 300);

interface SeedSpec {
  /** Directory to copy (corpus- or repo-relative), the template argument inside it, and the files mutants replace. */
  dir: string;
  template: string;
  mutable: string[];
  varFiles?: string[];
}

/**
 * Real templates of different shapes: boot_iso with iso_download_pve, additional ISOs, variables in
 * URLs, a directory with a var file, legacy iso_file (what migrate rewrites), HCL in JSON syntax
 * (the corpus has none, so the render fixture stands in).
 */
const SEEDS: SeedSpec[] = [
  { dir: `${CORPUS}badsectorlabs__ludus/ludus-server/packer/debian12`, template: 'debian12.pkr.hcl', mutable: ['debian12.pkr.hcl'] },
  { dir: `${CORPUS}badsectorlabs__ludus/ludus-server/packer/win11-22h2-x64-enterprise`, template: 'win11-22h2-x64-enterprise.pkr.hcl', mutable: ['win11-22h2-x64-enterprise.pkr.hcl'] },
  { dir: `${CORPUS}53845714nF__packer-proxmox-debian/debian`, template: 'debian.pkr.hcl', mutable: ['debian.pkr.hcl'] },
  { dir: `${CORPUS}sier__packer_proxmox_windows_server_2022_example`, template: 'windows-2022.pkr.hcl', mutable: ['windows-2022.pkr.hcl'] },
  { dir: `${CORPUS}loganmancuso__proxmox_packer-vm-templates/templates/jammy-2204`, template: 'main.pkr.hcl', mutable: ['main.pkr.hcl'] },
  {
    dir: `${CORPUS}Pumba98__proxmox-packer-templates`,
    template: '.',
    mutable: ['generic.pkr.hcl', 'variables.pkr.hcl', 'debian-12.pkrvars.hcl'],
    varFiles: ['debian-12.pkrvars.hcl'],
  },
  { dir: `${REPO}fixtures/render/json-syntax/template`, template: 'alpine.pkr.json', mutable: ['alpine.pkr.json'] },
];

const work = scratchDir('fuzz');
after(() => removeDir(work));

interface Seed {
  name: string;
  template: string;
  cwd: string;
  varFiles: string[];
  /** Absolute paths of the files mutants replace, with their original text. */
  files: Array<{ path: string; text: string }>;
  vars: Array<[string, string]>;
}

const sink = () => new Writable({ write: (_c, _e, cb) => cb() });

/** Copies a seed's directory and finds values for its unset variables, as a user would pass them. */
async function prepareSeed(spec: SeedSpec, index: number): Promise<Seed> {
  const cwd = join(work, `seed-${index}`);
  mkdirSync(cwd, { recursive: true });
  cpSync(spec.dir, cwd, { recursive: true, verbatimSymlinks: true });
  const template = join(cwd, spec.template);
  const varFiles = (spec.varFiles ?? []).map((f) => join(cwd, f));
  const vars: Array<[string, string]> = [];
  const error = await prepareTemplate(template, { cwd, env: {}, varFiles, vars }).then(
    () => undefined,
    (e: unknown) => e,
  );
  const errors = error instanceof TemplateErrors ? error.errors : error ? [error] : [];
  const unset = errors.filter((e): e is HclxError => e instanceof HclxError && e.code === 'E_UNSET_VARIABLE');
  if (unset.length > 0) {
    const declarations = declareVariables(await loadTemplate(template, { cwd }));
    for (const e of unset) {
      const name = /variable "([^"]+)"/.exec(e.message)![1]!;
      vars.push([name, dummyValue(name, declarations.get(name)?.type)]);
    }
  }
  const files = spec.mutable.map((f) => ({ path: join(cwd, f), text: readFileSync(join(cwd, f), 'utf8') }));
  return { name: `${basename(spec.dir)}/${spec.template}`, template, cwd, varFiles, files, vars };
}

// ---- mutations ---------------------------------------------------------------------------------

type Mutation =
  | { kind: 'delete-char' | 'duplicate-char' | 'swap-chars' | 'truncate'; at: number }
  | { kind: 'insert'; at: number; text: string }
  | { kind: 'delete-token' | 'duplicate-token'; at: number }
  | { kind: 'swap-tokens'; at: number; other: number };

const INSERTS = ['{', '}', '"', '${', '%{', '[', ']', '(', ')', '=', ',', '\n', '#', '/*', '<<EOF\n', '\\', 'var.', '"${', '}"', '\u00e9', '\t'];

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constantFrom('delete-char' as const, 'duplicate-char' as const, 'swap-chars' as const, 'truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: fc.constantFrom(...INSERTS) }),
  fc.record({ kind: fc.constantFrom('delete-token' as const, 'duplicate-token' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('swap-tokens' as const), at: fc.nat(), other: fc.nat() }),
);

/** Words, runs of white space, and single punctuation characters: what a careless edit moves. */
function tokens(text: string): string[] {
  return text.match(/[A-Za-z0-9_.-]+|\s+|[^A-Za-z0-9_.\s-]/g) ?? [];
}

export function mutate(text: string, m: Mutation): string {
  if (text.length === 0) return m.kind === 'insert' ? m.text : text;
  const p = m.at % text.length;
  switch (m.kind) {
    case 'delete-char':
      return text.slice(0, p) + text.slice(p + 1);
    case 'duplicate-char':
      return text.slice(0, p + 1) + text.slice(p);
    case 'swap-chars':
      return p + 1 < text.length ? text.slice(0, p) + text[p + 1] + text[p] + text.slice(p + 2) : text;
    case 'truncate':
      return text.slice(0, p);
    case 'insert':
      return text.slice(0, p) + m.text + text.slice(p);
    default: {
      const t = tokens(text);
      const i = m.at % t.length;
      if (m.kind === 'delete-token') t.splice(i, 1);
      else if (m.kind === 'duplicate-token') t.splice(i, 0, t[i]!);
      else if (m.kind === 'swap-tokens') {
        const j = m.other % t.length;
        [t[i], t[j]] = [t[j]!, t[i]!];
      }
      return t.join('');
    }
  }
}

// ---- the property ------------------------------------------------------------------------------

/** Why an outcome is not acceptable, or undefined when it is. */
function problemWith(step: string, error: unknown): string | undefined {
  if (!(error instanceof HclxError)) return `${step}: not an HclxError: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`;
  if (error instanceof InternalError) return `${step}: InternalError: ${error.describe()}`;
  if (error.exitCode !== 2) return `${step}: exit ${error.exitCode} (${error.code}) for a template problem: ${error.describe()}`;
  const parts = error instanceof TemplateErrors ? error.errors : [error];
  // A usage error is about the command line (a -var the mutant no longer declares): no file to name.
  for (const e of parts) if (e.code !== 'E_USAGE' && !/[^\s:]+:\d+:\d+: /.test(e.describe())) return `${step}: ${e.code} names no file:line:col: ${e.describe()}`;
  return undefined;
}

let outCounter = 0;

/** Writes `text` over one of the seed's files, runs the three paths, restores the file. */
async function checkMutant(seed: Seed, fileIndex: number, text: string): Promise<string | undefined> {
  const target = seed.files[fileIndex]!;
  writeFileSync(target.path, text);
  try {
    return await checkPaths(seed);
  } finally {
    writeFileSync(target.path, target.text);
  }
}

async function checkPaths(seed: Seed): Promise<string | undefined> {
  const common = { cwd: seed.cwd, env: {}, varFiles: seed.varFiles, vars: seed.vars };
  const outDir = join(work, `out-${outCounter++}`);
  try {
    await renderTemplate({ ...common, templatePath: seed.template, target: 'auto', outDir, resolveVolids: predictVolids });
  } catch (e) {
    const p = problemWith('render --offline', e);
    if (p) return p;
  } finally {
    removeDir(outDir);
  }
  try {
    await prepareTemplate(seed.template, common);
  } catch (e) {
    const p = problemWith('plan (prepare)', e);
    if (p) return p;
  }
  try {
    await runMigrate({ ...common, template: seed.template, mode: 'print', backupSuffix: '.bak', stdout: sink(), stderr: sink() });
  } catch (e) {
    const p = problemWith('migrate', e);
    if (p) return p;
  }
  return undefined;
}

test(`fuzz: ${RUNS} mutated corpus templates through render --offline, plan's read side and migrate`, { timeout: 600_000, skip: sharedSkip() }, async () => {
  const rejections: unknown[] = [];
  const onRejection = (reason: unknown) => rejections.push(reason);
  process.on('unhandledRejection', onRejection);
  try {
    const seeds = await Promise.all(SEEDS.map((s, i) => prepareSeed(s, i)));
    // The unmutated seeds are the baseline: each must already pass the property.
    for (const seed of seeds) assert.equal(await checkPaths(seed), undefined, `seed ${seed.name}`);
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: seeds.length - 1 }), fc.nat(), fc.array(mutationArb, { minLength: 1, maxLength: 3 }), async (which, fileChoice, mutations) => {
        const seed = seeds[which]!;
        const fileIndex = fileChoice % seed.files.length;
        const text = mutations.reduce(mutate, seed.files[fileIndex]!.text);
        const problem = await checkMutant(seed, fileIndex, text);
        if (problem) throw new Error(`${problem}\n--- mutant of ${seed.name}: ${basename(seed.files[fileIndex]!.path)} with ${JSON.stringify(mutations)}`);
      }),
      {
        numRuns: RUNS,
        ...(process.env.HCLX_FUZZ_SEED ? { seed: Number(process.env.HCLX_FUZZ_SEED) } : {}),
        ...(process.env.HCLX_FUZZ_PATH ? { path: process.env.HCLX_FUZZ_PATH } : {}),
        endOnFailure: !process.env.HCLX_FUZZ_SHRINK,
      },
    );
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(rejections, [], 'unhandled rejections during the fuzz run');
  } finally {
    process.off('unhandledRejection', onRejection);
  }
});

test('the mutations do what they say', () => {
  assert.equal(mutate('abc', { kind: 'delete-char', at: 1 }), 'ac');
  assert.equal(mutate('abc', { kind: 'duplicate-char', at: 4 }), 'abbc');
  assert.equal(mutate('abc', { kind: 'swap-chars', at: 0 }), 'bac');
  assert.equal(mutate('abc', { kind: 'truncate', at: 2 }), 'ab');
  assert.equal(mutate('abc', { kind: 'insert', at: 1, text: '${' }), 'a${bc');
  assert.equal(mutate('a = "b"', { kind: 'delete-token', at: 2 }), 'a  "b"');
  assert.equal(mutate('a = b', { kind: 'duplicate-token', at: 0 }), 'aa = b');
  assert.equal(mutate('a = b', { kind: 'swap-tokens', at: 0, other: 4 }), 'b = a');
});
