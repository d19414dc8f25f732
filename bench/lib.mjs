// Shared pieces of the benchmarks: the simulator (from dist/, so `npm run build` first), a throttled
// TCP relay that models the runner's network link, timed child processes with peak RSS, medians,
// and a description of the machine.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { cpus, freemem, totalmem, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../', import.meta.url));
export const HCLX = join(ROOT, 'bin', 'hclx.mjs');
export const PACKER = process.env.PACKER_BIN || '/usr/bin/packer';
export const STAND_IN = join(ROOT, 'fixtures', 'reliability', 'packer', 'stand-in.mjs');
export const MiB = 1024 * 1024;
export const GiB = 1024 * MiB;
export const SIM_PASSWORD = 'hclx-sim';

export async function loadSim() {
  const entry = join(ROOT, 'dist', 'sim', 'index.js');
  if (!existsSync(entry)) throw new Error('dist/ is missing: run `npm run build` before `npm run bench`.');
  return import(entry);
}

/**
 * The modern Packer and Proxmox plugin `npm run tools` built (its manifest, read by the same module
 * as the tests and the demo use), or `{ missing }` with the reason.
 */
export async function modernTools() {
  const entry = join(ROOT, 'dist', 'packer', 'tools-manifest.js');
  if (!existsSync(entry)) throw new Error('dist/ is missing: run `npm run build` before `npm run bench`.');
  const { readToolsManifest } = await import(entry);
  const read = readToolsManifest(process.env);
  if (!read.manifest) return { missing: read.missing };
  const m = read.manifest;
  const version = (v) => v.replace(/^v/, '');
  return {
    packer: m.packer.binary,
    packerVersion: version(m.packer.version),
    pluginVersion: version(m.plugin.version),
    features: m.plugin.features,
    env: { PACKER_PLUGIN_PATH: m.packerEnv.PACKER_PLUGIN_PATH },
    pluginV12: m.pluginV12,
    label: `Packer ${version(m.packer.version)} + plugin ${m.plugin.version}`,
  };
}

export function scratch(prefix) {
  return mkdtempSync(join(tmpdir(), `hclx-bench-${prefix}-`));
}

export function remove(dir) {
  rmSync(dir, { recursive: true, force: true });
}

/** Environment for hclx and Packer children: nothing from the developer's shell config. */
export function childEnv(home, extra = {}) {
  return {
    PATH: process.env.PATH,
    HOME: home,
    TMPDIR: home,
    CHECKPOINT_DISABLE: '1',
    PACKER_CONFIG_DIR: home,
    PACKER_CACHE_DIR: join(home, 'packer_cache'),
    HCLX_WORKDIR: join(home, 'work'),
    NO_COLOR: '1',
    ...extra,
  };
}

const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

/**
 * Runs a command to its end; returns wall time (ms), exit code, output, and peak RSS in KiB when
 * `rss` is set (GNU time -v: the largest resident set of the process or any child it waited for).
 */
export function run(cmd, args, { cwd, env, rss = false, timeoutMs = 30 * 60_000, onLine } = {}) {
  return new Promise((resolve, reject) => {
    const useTime = rss && TIME;
    const argv = useTime ? ['-v', cmd, ...args] : args;
    const started = performance.now();
    const child = spawn(useTime ? TIME : cmd, argv, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let partial = '';
    child.stdout.on('data', (d) => {
      const text = d.toString();
      stdout += text;
      if (onLine) {
        partial += text;
        const lines = partial.split('\n');
        partial = lines.pop();
        for (const l of lines) onLine(l, performance.now());
      }
    });
    child.stderr.on('data', (d) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      const ms = performance.now() - started;
      const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr);
      resolve({ code, ms, stdout, stderr, maxRssKiB: m ? Number(m[1]) : undefined });
    });
  });
}

export function hclx(args, opts) {
  return run(process.execPath, [HCLX, ...args], opts);
}

export function median(values) {
  const s = [...values].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

export function assertOk(what, r) {
  if (r.code !== 0) throw new Error(`${what} exited ${r.code}\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-3000)}`);
  return r;
}

/**
 * A TCP relay with one shared byte budget per direction: the runner's link. Everything the runner
 * sends or receives through it is limited to `bytesPerSec` each way and counted.
 */
export async function startLink(targetPort, bytesPerSec) {
  const counters = { up: 0, down: 0 };
  const buckets = { up: { next: performance.now() }, down: { next: performance.now() } };
  const sockets = new Set();
  // Paces `chunk` on a direction: it may leave when the link has carried everything before it.
  const pace = async (dir, length) => {
    const b = buckets[dir];
    const now = performance.now();
    const start = Math.max(now, b.next);
    b.next = start + (length / bytesPerSec) * 1000;
    const wait = b.next - now;
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
  };
  const pipeThrough = (from, to, dir) => {
    let chain = Promise.resolve();
    from.on('data', (chunk) => {
      from.pause();
      chain = chain.then(async () => {
        await pace(dir, chunk.length);
        counters[dir] += chunk.length;
        if (!to.destroyed) to.write(chunk, () => from.resume());
      });
    });
    from.on('end', () => chain.then(() => to.end()));
    from.on('error', () => to.destroy());
    from.on('close', () => chain.then(() => to.destroy()));
  };
  const server = createServer((client) => {
    const upstream = createConnection({ host: '127.0.0.1', port: targetPort });
    sockets.add(client).add(upstream);
    pipeThrough(client, upstream, 'up');
    pipeThrough(upstream, client, 'down');
    client.on('close', () => sockets.delete(client));
    upstream.on('close', () => sockets.delete(upstream));
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: server.address().port,
    counters,
    reset() {
      counters.up = 0;
      counters.down = 0;
    },
    close: () =>
      new Promise((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

/** The URL `url` (http://127.0.0.1:PORT/...) through the link on `port`. */
export function viaLink(url, port) {
  const u = new URL(url);
  u.port = String(port);
  return u.toString().replace(/\/$/, url.endsWith('/') ? '/' : '');
}

export function machine() {
  const packer = spawnSync(PACKER, ['version'], { encoding: 'utf8' });
  return {
    nproc: cpus().length,
    cpu: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round((totalmem() / GiB) * 10) / 10,
    freeMemoryGiB: Math.round((freemem() / GiB) * 10) / 10,
    node: process.version,
    packer: packer.status === 0 ? packer.stdout.trim().split('\n')[0] : 'not installed',
    loadavg: readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' '),
  };
}

/** sha256 of a mirror file from the simulator's SHA256SUMS. */
export async function mirrorSha256(sim, name) {
  const text = await (await fetch(`${sim.mirrorUrl}SHA256SUMS`)).text();
  const line = text.split('\n').find((l) => l.endsWith(`  ${name}`));
  if (!line) throw new Error(`${name} is not in SHA256SUMS`);
  return line.split(' ')[0];
}

export function writeFile(dir, name, text) {
  writeFileSync(join(dir, name), text);
  return join(dir, name);
}

export const fmt = {
  s: (ms) => `${(ms / 1000).toFixed(2)} s`,
  ms: (ms) => `${Math.round(ms)} ms`,
  bytes: (n) => (n >= GiB ? `${(n / GiB).toFixed(2)} GiB` : n >= MiB ? `${(n / MiB).toFixed(1)} MiB` : n >= 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${n} B`),
  ratio: (x) => `${x.toFixed(2)}×`,
};
