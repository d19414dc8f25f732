// `npm run tools`: builds the Packer and Proxmox plugin the end-to-end tests and benchmarks run
// with, from Go modules, outside the checkout (their code is never committed; Packer >= 1.10 is
// BUSL-1.1 and is built here for local tests only, never redistributed):
//   - the latest stable Packer the Go module proxy serves (github.com/hashicorp/packer), built with
//     `go build` in a copy of its module directory (its go.mod has replace directives, so
//     `go install pkg@version` refuses it);
//   - the latest packer-plugin-proxmox v1.2.x the proxy serves, else the newest version it serves at
//     all, installed with `packer plugins install --path` into a plugin directory of its own.
// Everything goes to $HCLX_TOOLS_DIR (default ${XDG_CACHE_HOME:-~/.cache}/hclx/tools): one directory
// per tool and version, plugins/ (PACKER_PLUGIN_PATH), packer-config/ (PACKER_CONFIG_DIR, so the
// user's ~/.config/packer is never touched) and manifest.json, which records what was built and, for
// every version that could not be had, the proxy's answer. Tests and benchmarks read the manifest
// (test/support/tools.ts, bench/lib.mjs); nothing else knows these paths.
//
// Usage: npm run tools [-- --rebuild]   (GO=/path/to/go overrides the go on PATH)
// A second run reuses what is built (a few proxy queries, no compilation) unless --rebuild.

import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';

const PACKER_MODULE = 'github.com/hashicorp/packer';
const PLUGIN_MODULE = 'github.com/hashicorp/packer-plugin-proxmox';
const PLUGIN_SOURCE = 'github.com/hashicorp/proxmox';
/** The newest stable Packer known when this script was written; newer ones are found by probing from it. */
const PACKER_FLOOR = 'v1.16.0';
/** plugin v1.2.x tags known when this script was written (v1.2.4: 2026-07-16); newer patches are probed. */
const PLUGIN_V12_KNOWN = ['v1.2.0', 'v1.2.1', 'v1.2.2', 'v1.2.3', 'v1.2.4'];
/** When no v1.2.x can be had: older plugins, newest first (v1.1.2 added iso_download_pve, v1.1.7 for additional ISOs). */
const PLUGIN_FALLBACK = ['v1.1.8', 'v1.1.7', 'v1.1.6', 'v1.1.5', 'v1.1.4', 'v1.1.3', 'v1.1.2', 'v1.1.1', 'v1.1.0', 'v1.0.9', 'v1.0.8'];
/** Bounds the upward probing (each step is one proxy query). */
const MAX_PROBES = 12;

const rebuild = process.argv.includes('--rebuild');
const toolsDir = process.env.HCLX_TOOLS_DIR || join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'hclx', 'tools');
const manifestPath = join(toolsDir, 'manifest.json');
const say = (text) => process.stdout.write(`==> tools: ${text}\n`);

function fail(message) {
  process.stderr.write(`tools: ${message}\n`);
  process.exit(1);
}

function findGo() {
  if (process.env.GO) return process.env.GO;
  for (const dir of [...(process.env.PATH ?? '').split(delimiter), '/usr/local/go/bin']) {
    const path = join(dir || '.', 'go');
    if (existsSync(path)) return path;
  }
  return fail('Go was not found (no GO, no `go` on PATH, no /usr/local/go/bin/go). Install Go >= 1.22 (https://go.dev/dl/) and run `npm run tools` again.');
}

const GO = findGo();
/** The plugin has no entry in the checksum database, so its versions can only be fetched unchecked. */
const goEnv = { ...process.env, GONOSUMDB: [process.env.GONOSUMDB, PLUGIN_MODULE].filter(Boolean).join(','), GOFLAGS: '-buildvcs=false' };

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, ...options });
  if (result.error) fail(`could not run ${command}: ${result.error.message}`);
  return result;
}

/** The proxy's answer, one line: "reading https://proxy.golang.org/...: 403 Forbidden (This module version is not available.)". */
function proxyAnswer(text) {
  const flat = text.replace(/\n\s*server response:\s*/g, ' (').replace(/\s+/g, ' ').trim();
  const opened = (flat.match(/\(/g) ?? []).length - (flat.match(/\)/g) ?? []).length;
  return (flat + ')'.repeat(Math.max(0, opened))).replace(/^go: /, '').replace(/^[^ ]+@v[^:]+: /, '');
}

/** Refusals grouped by answer: "403 Forbidden (This module version is not available.) for v1.2.4.zip, v1.2.2.info". */
function summarize(refusals) {
  const byAnswer = new Map();
  for (const { version, answer } of refusals) {
    const m = /^reading \S+\/@v\/(\S+?): (.*)$/.exec(answer);
    const [what, why] = m ? [m[1], m[2]] : [version, answer];
    byAnswer.set(why, [...(byAnswer.get(why) ?? []), what]);
  }
  return [...byAnswer].map(([why, what]) => `${why} for ${what.join(', ')}`).join('; ');
}

/** `go list -m -json MOD@QUERY`: the version's .info from the proxy (no download). */
function queryVersion(module, query) {
  const r = run(GO, ['list', '-m', '-json', `${module}@${query}`], { cwd: toolsDir, env: goEnv });
  if (r.status === 0) return { version: JSON.parse(r.stdout).Version };
  return { answer: proxyAnswer(r.stderr) };
}

/** `go mod download -json MOD@VERSION`: the module directory, or the proxy's answer. */
function download(module, version) {
  const r = run(GO, ['mod', 'download', '-json', `${module}@${version}`], { cwd: toolsDir, env: goEnv });
  let info;
  try {
    info = JSON.parse(r.stdout);
  } catch {
    return { answer: proxyAnswer(r.stderr || r.stdout) };
  }
  if (r.status !== 0 || info.Error || !info.Dir) return { answer: proxyAnswer(info.Error ?? r.stderr) };
  return { dir: info.Dir, sum: info.Sum, origin: info.Origin };
}

const parse = (v) => /^v(\d+)\.(\d+)\.(\d+)$/.exec(v)?.slice(1).map(Number);
const compare = (a, b) => {
  const [x, y] = [parse(a), parse(b)];
  return x[0] - y[0] || x[1] - y[1] || x[2] - y[2];
};
const newestFirst = (versions) => [...new Set(versions)].filter(parse).sort((a, b) => compare(b, a));

/**
 * Stable versions that answer, found by walking up from `start`: the next patch and the next minor
 * of the highest version seen, until neither answers (the proxy's version list is incomplete for
 * Packer and refused for the plugin, so it cannot be asked directly). Returns what answered and, for
 * the last probes, what the proxy said.
 */
function probeUpward(module, start, sameMinor = false) {
  const answered = [start];
  const refused = [];
  let current = start;
  for (let i = 0; i < MAX_PROBES; i++) {
    const [major, minor, patch] = parse(current);
    const next = [`v${major}.${minor}.${patch + 1}`, ...(sameMinor ? [] : [`v${major}.${minor + 1}.0`])];
    const found = [];
    for (const v of next) {
      const q = queryVersion(module, v);
      if (q.version === v) found.push(v);
      else refused.push({ version: v, answer: q.answer ?? `answered ${q.version}` });
    }
    if (found.length === 0) break;
    answered.push(...found);
    current = newestFirst(found)[0];
  }
  return { answered: newestFirst(answered), refused };
}

function goVersion() {
  return run(GO, ['env', 'GOVERSION'], { env: goEnv }).stdout.trim();
}

/** Copies a module directory (read-only in the module cache), builds it, returns the binary. */
function buildModule(name, version, moduleDir, binary) {
  const outDir = join(toolsDir, `${name}-${version}`);
  const out = join(outDir, binary);
  if (!rebuild && existsSync(out)) {
    say(`${name} ${version}: already built at ${out}`);
    return out;
  }
  const work = join(toolsDir, 'build', `${name}-${version}`);
  rmSync(work, { recursive: true, force: true });
  mkdirSync(join(toolsDir, 'build'), { recursive: true });
  cpSync(moduleDir, work, { recursive: true });
  makeWritable(work);
  mkdirSync(outDir, { recursive: true });
  say(`${name} ${version}: go build in ${work}${name === 'packer' ? ' (cold, without Go\'s build cache, this takes several minutes)' : ''}`);
  const started = Date.now();
  const r = run(GO, ['build', '-o', `${out}.partial`, '.'], { cwd: work, env: goEnv, stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) return undefined;
  renameSync(`${out}.partial`, out);
  rmSync(work, { recursive: true, force: true });
  say(`${name} ${version}: built in ${((Date.now() - started) / 1000).toFixed(0)} s: ${out}`);
  return out;
}

function makeWritable(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const st = statSync(path);
    chmodSync(path, st.mode | 0o200);
    if (st.isDirectory()) makeWritable(path);
  }
}

function packerEnv() {
  return { ...process.env, PACKER_PLUGIN_PATH: join(toolsDir, 'plugins'), PACKER_CONFIG_DIR: join(toolsDir, 'packer-config'), CHECKPOINT_DISABLE: '1' };
}

/** Installs the plugin binary for `packer`, alone: other proxmox plugin versions are removed from the tools' plugin directory. */
function installPlugin(packer, binary, version) {
  const sourceDir = join(toolsDir, 'plugins', ...PLUGIN_SOURCE.split('/'));
  rmSync(sourceDir, { recursive: true, force: true });
  mkdirSync(join(toolsDir, 'packer-config'), { recursive: true });
  const r = run(packer, ['plugins', 'install', '--path', binary, PLUGIN_SOURCE], { env: packerEnv() });
  if (r.status !== 0) fail(`packer plugins install --path ${binary} ${PLUGIN_SOURCE} failed:\n${r.stdout}${r.stderr}`);
  const listed = run(packer, ['plugins', 'installed'], { env: packerEnv() }).stdout.split('\n').map((l) => l.trim()).filter(Boolean);
  const installed = listed.find((l) => l.includes(`packer-plugin-proxmox_${version}_`));
  if (!installed) fail(`after installing, \`packer plugins installed\` does not list proxmox ${version}:\n${listed.join('\n')}`);
  return installed;
}

function packerVersionOf(packer) {
  return /Packer v(\S+)/.exec(run(packer, ['version'], { env: packerEnv() }).stdout)?.[1];
}

/** What a plugin version can do that the tests and benchmarks ask about (packer-plugin-proxmox.md 1.10, 2.1). */
function pluginFeatures(version) {
  const atLeast = (v) => compare(version, v) >= 0;
  return { isoDownloadPve: atLeast('v1.1.2'), isoDownloadPveAdditional: atLeast('v1.1.7'), bootIso: atLeast('v1.2.0') };
}

// --- Packer ---------------------------------------------------------------------------------

mkdirSync(toolsDir, { recursive: true });
say(`tools directory ${toolsDir} (${goVersion()}, GOPROXY=${run(GO, ['env', 'GOPROXY'], { env: goEnv }).stdout.trim()})`);

const latestQuery = queryVersion(PACKER_MODULE, 'latest');
const packerStart = latestQuery.version && parse(latestQuery.version) && compare(latestQuery.version, PACKER_FLOOR) > 0 ? latestQuery.version : PACKER_FLOOR;
const packerProbe = probeUpward(PACKER_MODULE, packerStart);
const packerRefused = [...packerProbe.refused];
let packer;
for (const version of packerProbe.answered) {
  const got = download(PACKER_MODULE, version);
  if (!got.dir) {
    packerRefused.push({ version, answer: got.answer });
    continue;
  }
  const binary = buildModule('packer', version, got.dir, 'packer');
  if (!binary) {
    packerRefused.push({ version, answer: 'go build failed (output above)' });
    continue;
  }
  packer = { module: PACKER_MODULE, version, binary, reportedVersion: packerVersionOf(binary), sum: got.sum, origin: got.origin };
  break;
}
if (!packer) fail(`no Packer could be built:\n${packerRefused.map((r) => `  ${r.version}: ${r.answer}`).join('\n')}`);
say(`Packer ${packer.version} (${packer.binary} reports ${packer.reportedVersion}); not obtainable: ${packerRefused.map((r) => r.version).join(', ') || 'none'}`);

// --- the Proxmox plugin ---------------------------------------------------------------------

const listQuery = run(GO, ['list', '-m', '-versions', '-json', PLUGIN_MODULE], { cwd: toolsDir, env: goEnv });
const listed = listQuery.status === 0 ? (JSON.parse(listQuery.stdout).Versions ?? []) : [];
const versionList = listQuery.status === 0 ? { versions: listed } : { answer: proxyAnswer(listQuery.stderr) };
const upward = probeUpward(PLUGIN_MODULE, newestFirst([...PLUGIN_V12_KNOWN, ...listed.filter((v) => v.startsWith('v1.2.'))])[0], true);
const v12Candidates = newestFirst([...PLUGIN_V12_KNOWN, ...listed.filter((v) => v.startsWith('v1.2.')), ...upward.answered]);
const attempts = [...upward.refused.map((r) => ({ ...r, stage: 'info' }))];
let plugin;
const tryPlugin = (version) => {
  const got = download(PLUGIN_MODULE, version);
  if (!got.dir) {
    attempts.push({ version, answer: got.answer });
    return false;
  }
  const binary = buildModule('packer-plugin-proxmox', version, got.dir, 'packer-plugin-proxmox');
  if (!binary) {
    attempts.push({ version, answer: 'go build failed (output above)' });
    return false;
  }
  plugin = { module: PLUGIN_MODULE, source: PLUGIN_SOURCE, version, binary, sum: got.sum, origin: got.origin, features: pluginFeatures(version) };
  return true;
};
v12Candidates.some(tryPlugin);
const v12 = plugin
  ? { obtained: true, version: plugin.version }
  : {
      obtained: false,
      reason: `plugin v1.2.x not obtainable from the Go module proxy: ${summarize(attempts.filter((a) => a.version.startsWith('v1.2.')))}`,
    };
if (!plugin) {
  say(v12.reason);
  newestFirst([...PLUGIN_FALLBACK, ...listed]).filter((v) => compare(v, 'v1.2.0') < 0).some(tryPlugin);
}
if (!plugin) fail(`no version of ${PLUGIN_MODULE} could be built:\n${attempts.map((a) => `  ${a.version}: ${a.answer}`).join('\n')}`);
plugin.installed = installPlugin(packer.binary, plugin.binary, plugin.version);
plugin.pluginPath = join(toolsDir, 'plugins');
say(`proxmox plugin ${plugin.version} installed: ${plugin.installed}`);

const manifest = {
  schema: 1,
  writtenAt: new Date().toISOString(),
  go: goVersion(),
  goproxy: run(GO, ['env', 'GOPROXY'], { env: goEnv }).stdout.trim(),
  toolsDir,
  /** Environment Packer needs to find this plugin and keep its own state out of the user's home. */
  packerEnv: { PACKER_PLUGIN_PATH: plugin.pluginPath, PACKER_CONFIG_DIR: join(toolsDir, 'packer-config') },
  packer: { ...packer, notObtainable: packerRefused, latestQuery: latestQuery.version ?? latestQuery.answer },
  plugin,
  pluginV12: v12,
  pluginVersionList: versionList,
  pluginAttempts: attempts,
};
writeFileSync(`${manifestPath}.partial`, JSON.stringify(manifest, null, 2) + '\n');
renameSync(`${manifestPath}.partial`, manifestPath);
say(`manifest: ${manifestPath}`);
if (existsSync(join(toolsDir, 'build')) && readdirSync(join(toolsDir, 'build')).length === 0) rmSync(join(toolsDir, 'build'), { recursive: true });
// The manifest is read back to check it is what the tests will see.
JSON.parse(readFileSync(manifestPath, 'utf8'));
