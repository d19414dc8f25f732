// Start-up cost (benchmarks 2 and 5 in bench/README.md): what a command does not need, it must not
// load. The built CLI runs with a module loader hook that lists every module it loads (ES modules
// through the hook, CommonJS ones from the require cache at exit); the tests assert on that list,
// never on times. The module graph is checked on tsc's output (dist/cli/main.js, one file per
// module); the bundle bin/hclx.mjs runs (dist/bundle/) splits at the same dynamic imports, and is
// checked for the npm packages it loads.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { CLI, ROOT, tempDir, testEnv } from '../e2e/support.js';

/** tsc's output, one file per module: the module graph is visible file by file. */
const UNBUNDLED = join(ROOT, 'dist/cli/main.js');

const RENDER_TEMPLATE = join(ROOT, 'fixtures/render/boot-iso-modern/template');
const PACKER_TEMPLATES = join(ROOT, 'fixtures/packer/templates');
const REPLAY_PACKER = join(ROOT, 'fixtures/build/replay-packer');
const RECORDED = join(ROOT, 'fixtures/packer/recorded');

/** Writes the hook files once per test process: `--import <register>` makes node list its modules in $HCLX_TEST_MODULE_LOG. */
let register: string | undefined;
function moduleLogger(): string {
  if (register) return register;
  const dir = tempDir('module-log');
  writeFileSync(
    join(dir, 'hooks.mjs'),
    "import { appendFileSync } from 'node:fs';\n" +
      'export async function load(url, context, next) {\n' +
      "  if (process.env.HCLX_TEST_MODULE_LOG) appendFileSync(process.env.HCLX_TEST_MODULE_LOG, url + '\\n');\n" +
      '  return next(url, context);\n' +
      '}\n',
  );
  register = join(dir, 'register.mjs');
  writeFileSync(
    register,
    "import { register } from 'node:module';\n" +
      "import { createRequire } from 'node:module';\n" +
      "import { appendFileSync } from 'node:fs';\n" +
      "register('./hooks.mjs', import.meta.url);\n" +
      'const cache = createRequire(import.meta.url).cache;\n' +
      "process.on('exit', () => appendFileSync(process.env.HCLX_TEST_MODULE_LOG, Object.keys(cache).map((f) => 'file://' + f + '\\n').join('')));\n",
  );
  return register;
}

/** Runs the built CLI and returns its exit code, output and the modules it loaded (paths relative to the checkout). */
function hclxModules(args: string[], cwd: string, env: NodeJS.ProcessEnv, entry = UNBUNDLED) {
  const log = join(tempDir('modules'), 'modules.txt');
  writeFileSync(log, '');
  const run = spawnSync(process.execPath, ['--import', moduleLogger(), entry, ...args], { cwd, env: { ...env, HCLX_TEST_MODULE_LOG: log }, encoding: 'utf8', timeout: 60_000 });
  const modules = [...new Set(readFileSync(log, 'utf8').split('\n').filter(Boolean))].map((url) => url.replace(/^file:\/\//, '').replace(ROOT, ''));
  return { code: run.status, stdout: run.stdout, stderr: run.stderr, modules };
}

function loaded(modules: readonly string[], pattern: RegExp): string[] {
  return modules.filter((m) => pattern.test(m));
}

test('hclx --version loads no command and no option parser (yargs)', () => {
  const home = tempDir('startup-version');
  const run = hclxModules(['--version'], home, testEnv(home));
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /^hclx \d+\.\d+\.\d+/);
  assert.ok(run.modules.includes('dist/cli/main.js'), `the logger saw the CLI: ${run.modules.join(', ')}`);
  assert.deepEqual(loaded(run.modules, /node_modules\/yargs|dist\/cli\/commands\/|dist\/cli\/options\.js/), []);
});

test('render --offline runs the precompiled validators: ajv, the simulator and the diff library stay unloaded', () => {
  const home = tempDir('startup-render');
  const run = hclxModules(['render', '--offline', '--out', join(home, 'out'), RENDER_TEMPLATE], home, testEnv(home));
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /→ local:iso\/debian-12\.7\.0-amd64-netinst\.iso/);
  // The positive controls: the parser and the generated validators did load.
  assert.ok(run.modules.includes('dist/generated/iso-schemas.js'), run.modules.join('\n'));
  assert.ok(loaded(run.modules, /node_modules\/web-tree-sitter\//).length > 0);
  assert.deepEqual(loaded(run.modules, /node_modules\/(ajv|fast-uri|fast-deep-equal|diff)\/|dist\/sim\/|dist\/demo\//), []);
});

test('render --offline loads neither the download engine, the Proxmox client nor undici', () => {
  const home = tempDir('startup-engine');
  const run = hclxModules(['render', '--offline', '--out', join(home, 'out'), RENDER_TEMPLATE], home, testEnv(home));
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(loaded(run.modules, /node_modules\/undici\/|dist\/pve\//), []);
  // The naming policy and the duration parser are shared with the online path; nothing else of it.
  assert.deepEqual(loaded(run.modules, /dist\/provision\//).filter((m) => !/\/(naming|watchdog)\.js$/.test(m)), []);
});

test('build loads the Packer error mapping (and its diff library) only when Packer fails', () => {
  const home = tempDir('startup-build');
  const replay = (recording: string) =>
    hclxModules(['build', 'valid.pkr.hcl'], PACKER_TEMPLATES, testEnv(home, { PACKER_BIN: REPLAY_PACKER, REPLAY_FILE: join(RECORDED, `${recording}.json`) }));
  const mapping = /node_modules\/diff\/|dist\/pipeline\/rendered-lines\.js|dist\/packer\/errors\.js/;

  const ok = replay('build-ok');
  assert.equal(ok.code, 0, ok.stderr);
  assert.ok(ok.modules.includes('dist/pipeline/build.js'));
  assert.deepEqual(loaded(ok.modules, mapping), []);

  const failed = replay('build-fails');
  assert.notEqual(failed.code, 0);
  assert.ok(loaded(failed.modules, /dist\/pipeline\/rendered-lines\.js/).length === 1, failed.modules.join('\n'));
  assert.ok(loaded(failed.modules, /node_modules\/diff\//).length > 0);
});

test('build --offline and validate --offline load neither the download engine, the Proxmox client nor undici', () => {
  const home = tempDir('startup-build-offline');
  const run = hclxModules(['build', '--offline', '--target', 'legacy', 'valid.pkr.hcl'], PACKER_TEMPLATES, testEnv(home, { PACKER_BIN: REPLAY_PACKER, REPLAY_FILE: join(RECORDED, 'build-ok.json') }));
  assert.equal(run.code, 0, run.stderr);
  assert.ok(run.modules.includes('dist/pipeline/build.js'));
  assert.deepEqual(loaded(run.modules, /node_modules\/undici\/|dist\/pve\/|dist\/provision\/engine\.js|dist\/pipeline\/online-volids\.js/), []);

  const validate = hclxModules(['validate', '--offline', '--target', 'legacy', 'valid.pkr.hcl'], PACKER_TEMPLATES, testEnv(home, { PACKER_BIN: REPLAY_PACKER, REPLAY_FILE: join(RECORDED, 'validate-ok.json') }));
  assert.ok(validate.modules.includes('dist/pipeline/validate.js'), validate.stderr);
  assert.deepEqual(loaded(validate.modules, /node_modules\/undici\/|dist\/pve\/|dist\/provision\/engine\.js/), []);
});

/** The source files the loaded bundle files hold (esbuild's metafile, written by scripts/bundle.mjs). */
function bundledInputs(modules: readonly string[]): string[] {
  const meta = JSON.parse(readFileSync(join(ROOT, 'dist/bundle-meta.json'), 'utf8')) as { outputs: Record<string, { inputs: Record<string, unknown> }> };
  return modules.filter((m) => m.startsWith('dist/bundle/')).flatMap((m) => Object.keys(meta.outputs[m]?.inputs ?? {}));
}

test('the bundle bin/hclx.mjs runs: render --offline loads web-tree-sitter, and neither undici (bundled), the Proxmox client, diff nor selfsigned', () => {
  const home = tempDir('startup-bundle');
  const run = hclxModules(['render', '--offline', '--out', join(home, 'out'), RENDER_TEMPLATE], home, testEnv(home), CLI);
  assert.equal(run.code, 0, run.stderr);
  assert.ok(run.modules.includes('dist/bundle/hclx.js'), run.modules.join('\n'));
  assert.deepEqual(loaded(run.modules, /dist\/(cli|hcl|template)\//), [], 'the bundle, not tsc\'s modules');
  assert.ok(loaded(run.modules, /node_modules\/web-tree-sitter\//).length > 0);
  assert.deepEqual(loaded(run.modules, /node_modules\/(undici|diff|selfsigned|ajv|yargs|yargs-parser|cliui|y18n|string-width)\//), []);
  const inputs = bundledInputs(run.modules);
  assert.ok(inputs.includes('node_modules/yargs/index.mjs'), 'yargs, bundled, parsed the options');
  assert.ok(inputs.includes('src/hcl/cst.ts'), 'the metafile maps the loaded files to their sources');
  assert.deepEqual(inputs.filter((i) => /node_modules\/undici\/|src\/pve\/|src\/provision\/engine\.ts/.test(i)), []);
});

test('the bundle carries undici and yargs: an online render loads them from the bundle, not node_modules', () => {
  const meta = JSON.parse(readFileSync(join(ROOT, 'dist/bundle-meta.json'), 'utf8')) as { inputs: Record<string, unknown>; outputs: Record<string, { inputs: Record<string, unknown> }> };
  const withUndici = Object.entries(meta.outputs).filter(([, o]) => Object.keys(o.inputs).some((i) => i.startsWith('node_modules/undici/')));
  assert.equal(withUndici.length, 1, 'one output file holds undici');
  assert.ok(!Object.keys(meta.outputs['dist/bundle/hclx.js']!.inputs).some((i) => i.startsWith('node_modules/')), 'the entry holds no package');
  const licences = readFileSync(join(ROOT, 'dist/bundle/THIRD-PARTY-LICENSES.md'), 'utf8');
  assert.match(licences, /## undici \d+\.\d+\.\d+ \(MIT\)[\s\S]*Permission is hereby granted/);
  // Every package in the bundle has its licence there: yargs and the packages it brings.
  const bundled = new Set(Object.keys(meta.inputs).flatMap((i) => /^node_modules\/(?:.*\/node_modules\/)?((?:@[^/]+\/)?[^/]+)\//.exec(i)?.[1] ?? []));
  for (const name of ['yargs', 'yargs-parser', 'y18n', 'cliui', 'string-width']) assert.ok(bundled.has(name), name);
  for (const name of bundled) assert.match(licences, new RegExp(`^## ${name} \\d+\\.\\d+\\.\\d+ \\(`, 'm'), name);
});

/** Runs the bundle with Intl.Segmenter counted: how many were built (string-width builds one when its module is evaluated). */
function segmentersBuilt(args: string[], home: string): { code: number | null; stdout: string; built: number } {
  const dir = tempDir('segmenter');
  const preload = join(dir, 'count.mjs');
  const log = join(dir, 'count.txt');
  writeFileSync(log, '');
  writeFileSync(
    preload,
    "import { appendFileSync } from 'node:fs';\n" +
      'const Real = Intl.Segmenter;\n' +
      "Intl.Segmenter = class extends Real { constructor(...a) { super(...a); appendFileSync(process.env.HCLX_TEST_SEGMENTER_LOG, 'x'); } };\n",
  );
  const run = spawnSync(process.execPath, ['--import', preload, CLI, ...args], { cwd: home, env: { ...testEnv(home), HCLX_TEST_SEGMENTER_LOG: log }, encoding: 'utf8', timeout: 60_000 });
  return { code: run.status, stdout: run.stdout, built: readFileSync(log, 'utf8').length };
}

test('the bundle evaluates string-width (yargs\' help layout) only for --help', () => {
  const home = tempDir('startup-string-width');
  const render = segmentersBuilt(['render', '--offline', '--out', join(home, 'out'), RENDER_TEMPLATE], home);
  assert.equal(render.code, 0);
  assert.equal(render.built, 0, 'a render builds no Intl.Segmenter');
  const help = segmentersBuilt(['render', '--help'], home);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /--stall-timeout +fail a download/);
  assert.ok(help.built > 0, 'the help text was laid out by the real string-width');
});

test('bundled packages are imported statically only (a dynamic import of a bundled CommonJS package has no named exports)', () => {
  const bundled = ['undici'];
  const sources = readdirSync(join(ROOT, 'src'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
  const dynamic = sources.filter((f) => bundled.some((b) => readFileSync(join(ROOT, 'src', f), 'utf8').includes(`import('${b}`)));
  assert.deepEqual(dynamic, []);
  assert.ok(sources.length > 50);
});
