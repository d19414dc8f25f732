// Two hclx processes started together for the same ISO against one simulator: one download task.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fetch } from 'undici';
import { startSimulator } from '../../src/sim/index.js';

const script = fileURLToPath(new URL('../../fixtures/provision/scripts/provision-one.ts', import.meta.url));

function run(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out, err });
    });
  });
}

test('two processes started together for the same ISO cause one download task', async () => {
  const secret = 'two-proc-secret-99';
  const sim = await startSimulator({ tokens: [{ tokenid: 'root@pam!hclx', secret, privsep: false }], mirrorFiles: { 'debian-12.iso': 4 * 1024 * 1024 }, faults: ['rate-limit:bytes-per-sec=2097152,target=download'] });
  const lockDir = mkdtempSync(join(tmpdir(), 'hclx-two-proc-'));
  try {
    const sums = await (await fetch(`${sim.mirrorUrl}SHA256SUMS`)).text();
    const sha = sums.split('\n').find((l) => l.includes('debian-12.iso'))!.split(/\s+/)[0]!;
    const args = [sim.apiUrl, secret, sim.mirrorUrl, sha, lockDir];
    const [a, b] = await Promise.all([run(args), run(args)]);
    assert.equal(a.code, 0, a.err);
    assert.equal(b.code, 0, b.err);
    const outcomes = [a, b].map((r) => JSON.parse(r.out.trim().split('\n').at(-1)!).outcome).sort();
    assert.deepEqual(outcomes, ['awaited', 'downloaded']);
    assert.equal(sim.stats().tasksByType.download, 1);
    assert.equal(sim.stats().bytesDownloadedByNode, 4 * 1024 * 1024);
    // Events were NDJSON: every line parses.
    for (const line of a.out.trim().split('\n')) JSON.parse(line);
  } finally {
    await sim.stop();
    rmSync(lockDir, { recursive: true, force: true });
  }
});
