// Shared helpers of the reliability suite: run the real CLI as a child process (bin/hclx.mjs over
// dist/, which `npm test` compiles first), copy templates to scratch directories, snapshot a tree,
// and the checks every failure path must pass (one paragraph, no stack trace, no secret).

import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('../../', import.meta.url));
export const HCLX = join(REPO, 'bin', 'hclx.mjs');
export { CORPUS, sharedSkip } from '../support/shared.js';
export const FIXTURES = join(REPO, 'fixtures', 'reliability');
export const PACKER = '/usr/bin/packer';

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  cwd?: string;
  env?: Record<string, string | undefined>;
  /** Hard limit; the child is killed with SIGKILL after it (default 60 s). */
  timeoutMs?: number;
}

/** A minimal environment: no PROXMOX_* or PKR_VAR_* of the developer's shell leaks into a test. */
export function cleanEnv(extra: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = { PATH: process.env.PATH, HOME: process.env.HOME, CHECKPOINT_DISABLE: '1', NO_COLOR: '1' };
  return { ...env, ...extra };
}

/** Starts `hclx ARGS`; the caller may signal it, then await `done`. */
export function startCli(args: string[], options: CliOptions = {}): { child: ChildProcess; done: Promise<CliResult>; output: () => { stdout: string; stderr: string } } {
  const child = spawn(process.execPath, [HCLX, ...args], {
    cwd: options.cwd ?? REPO,
    env: options.env ?? cleanEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<CliResult>((resolve, reject) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
  return { child, done, output: () => ({ stdout, stderr }) };
}

export function runCli(args: string[], options: CliOptions = {}): Promise<CliResult> {
  return startCli(args, options).done;
}

/** Resolves once `predicate(stdout, stderr)` holds, polling every 50 ms, or rejects after `timeoutMs`. */
export async function waitFor(predicate: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export function scratchDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `hclx-rel-${prefix}-`));
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** Copies a directory (or a file's directory) to a new scratch directory; returns the copy. */
export function copyTemplateDir(dir: string, prefix = 'tpl'): string {
  const to = scratchDir(prefix);
  cpSync(dir, to, { recursive: true, verbatimSymlinks: true });
  return to;
}

export interface FileState {
  sha256: string;
  mtimeMs: number;
  size: number;
}

/** Every file under `dir` (recursively, symlinks not followed): content hash, mtime and size. */
export function snapshotTree(dir: string): Map<string, FileState> {
  const out = new Map<string, FileState>();
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) {
        const st = statSync(p);
        out.set(relative(dir, p), { sha256: createHash('sha256').update(readFileSync(p)).digest('hex'), mtimeMs: st.mtimeMs, size: st.size });
      } else out.set(relative(dir, p), { sha256: `link:${e.name}`, mtimeMs: 0, size: 0 });
    }
  };
  walk(dir);
  return out;
}

/** Differences between two snapshots, as readable lines (empty = unchanged). */
export function treeChanges(before: Map<string, FileState>, after: Map<string, FileState>): string[] {
  const lines: string[] = [];
  for (const [path, a] of before) {
    const b = after.get(path);
    if (!b) lines.push(`removed ${path}`);
    else if (a.sha256 !== b.sha256) lines.push(`content changed ${path}`);
    else if (a.mtimeMs !== b.mtimeMs) lines.push(`mtime changed ${path}`);
  }
  for (const path of after.keys()) if (!before.has(path)) lines.push(`added ${path}`);
  return lines;
}

/** A JavaScript stack frame line ("    at fn (file.js:1:2)"): never shown to a user. */
export const STACK_FRAME = /^\s+at .+(?:\(|\s)(?:file:\/\/|\/|node:|internal\/).*:\d+(?::\d+)?\)?$/m;

/** `hclx: <one paragraph>` on stderr: the user-error shape. Returns the paragraph. */
export function errorParagraphs(stderr: string): string[] {
  return stderr.split('\n').filter((l) => l.startsWith('hclx: ') && !l.startsWith('hclx: warning:')).map((l) => l.slice(6));
}

/** Files and text of the storage directory that are download leftovers (`*.tmp_dwnl.*`). */
export function tempFilesUnder(dir: string): string[] {
  const found: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.tmp_dwnl\./.test(e.name)) found.push(relative(dir, p));
    }
  };
  walk(dir);
  return found;
}

export function sha256Of(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** The value of a SHA256SUMS line for `name`. */
export async function mirrorSha256(mirrorUrl: string, name: string): Promise<string> {
  const res = await fetch(`${mirrorUrl}SHA256SUMS`);
  const text = await res.text();
  const line = text.split('\n').find((l) => l.endsWith(`  ${name}`));
  if (!line) throw new Error(`${name} is not in the mirror's SHA256SUMS`);
  return line.split(' ')[0]!;
}
