// Helpers for the process-level tests: run the built CLI (`node bin/hclx.mjs`, compiled by
// `npm test`'s pretest) with a bounded time, and write templates pointed at a simulator.
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fetch } from 'undici';
import type { SimHandle } from '../../src/sim/index.js';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const CLI = join(ROOT, 'bin', 'hclx.mjs');
export const REAL_PACKER = '/usr/bin/packer';

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  cwd: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
  /** Called with the child once it runs (to send it signals). */
  onSpawn?: (child: ChildProcess) => void;
}

/** A clean environment for hclx and Packer: no user config, no checkpoint calls, temp dirs inside `home`. */
export function testEnv(home: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: home, PACKER_CONFIG_DIR: home, PACKER_CACHE_DIR: join(home, 'packer_cache'), CHECKPOINT_DISABLE: '1', TMPDIR: home, HCLX_WORKDIR: join(home, 'work'), ...extra };
}

export function runCli(args: string[], options: CliOptions): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: options.cwd, env: options.env ?? testEnv(options.cwd), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
    options.onSpawn?.(child);
  });
}

/** The NDJSON events (`--json`) among the lines of stdout (Packer's own lines are skipped). */
export function events(stdout: string): Array<Record<string, unknown> & { event: string }> {
  const found: Array<Record<string, unknown> & { event: string }> = [];
  for (const line of stdout.split('\n')) {
    if (!line.startsWith('{')) continue;
    const parsed = JSON.parse(line) as Record<string, unknown>;
    if (typeof parsed.event === 'string') found.push(parsed as Record<string, unknown> & { event: string });
  }
  return found;
}

export { tempDir } from '../support/temp.js';

/** Every file below `dir` (relative paths), for "no temp file left" checks. */
export function filesBelow(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string, rel: string) => {
    for (const name of readdirSync(d)) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path, join(rel, name));
      else out.push(join(rel, name));
    }
  };
  walk(dir, '');
  return out.sort();
}

/** sha256 of a mirror file, from the mirror's SHA256SUMS. */
export async function mirrorSha256(sim: SimHandle, name: string): Promise<string> {
  const sums = await (await fetch(`${sim.mirrorUrl}SHA256SUMS`)).text();
  const line = sums.split('\n').find((l) => l.endsWith(`  ${name}`));
  if (!line) throw new Error(`${name} is not in the mirror's SHA256SUMS`);
  return line.split(' ')[0]!;
}

/** Waits until `check` holds, polling every 50 ms, at most `timeoutMs`. */
export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

/** A proxmox-iso source for the simulator, in the legacy (Packer 1.6.6) or modern syntax. */
export function proxmoxSource(name: string, iso: string, extra = ''): string {
  return `source "proxmox-iso" "${name}" {
  proxmox_url   = var.proxmox_url
  username      = "root@pam"
  password      = "hclx-sim"
  node          = "pve"
${iso}
  communicator  = "none"
  template_name = "${name}"
${extra}}
`;
}

export function bootIso(mirror: string, file: string): string {
  return `  boot_iso {
    iso_url          = "${mirror}${file}"
    iso_checksum     = "file:${mirror}SHA256SUMS"
    iso_storage_pool = "local"
    iso_download_pve = true
  }`;
}

export const URL_VARIABLE = `variable "proxmox_url" {
  type = string
}
`;
