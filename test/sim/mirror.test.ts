// The ISO mirror: deterministic generated files, a served directory, checksum lists, HEAD,
// ranges, the redirect and 404s.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulator } from '../../src/sim/index.js';
import type { SimHandle } from '../../src/sim/index.js';
import { request } from './client.js';

let sim: SimHandle;
let dir: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hclx-mirror-'));
  writeFileSync(join(dir, 'real.iso'), 'real iso bytes');
  sim = await startSimulator({ mirrorDir: dir, mirrorFiles: { 'gen.iso': 200_000 } });
});
after(async () => {
  await sim.stop();
  rmSync(dir, { recursive: true, force: true });
});

function getBytes(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: Buffer; headers: Record<string, string | string[] | undefined> }> {
  return fetch(url, { headers, redirect: 'manual' }).then(async (r) => ({ status: r.status, body: Buffer.from(await r.arrayBuffer()), headers: { 'content-range': r.headers.get('content-range') ?? undefined, location: r.headers.get('location') ?? undefined } }));
}

test('SHA256SUMS and SHA512SUMS list every file with the hash of what GET returns', async () => {
  const gen = await getBytes(`${sim.mirrorUrl}gen.iso`);
  const real = await getBytes(`${sim.mirrorUrl}real.iso`);
  assert.equal(gen.body.length, 200_000);
  assert.equal(gen.body.subarray(32769, 32774).toString('latin1'), 'CD001', 'looks like an ISO 9660 image');
  const sums256 = await request(`${sim.mirrorUrl}SHA256SUMS`);
  const sums512 = await request(`${sim.mirrorUrl}SHA512SUMS`);
  const sha = (algo: string, b: Buffer) => createHash(algo).update(b).digest('hex');
  assert.equal(sums256.body, `${sha('sha256', gen.body)}  gen.iso\n${sha('sha256', real.body)}  real.iso\n`);
  assert.equal(sums512.body, `${sha('sha512', gen.body)}  gen.iso\n${sha('sha512', real.body)}  real.iso\n`);
});

test('generated files are the same in every run', async () => {
  const other = await startSimulator({ mirrorFiles: { 'gen.iso': 200_000 } });
  try {
    const a = (await request(`${sim.mirrorUrl}SHA256SUMS`)).body.split('\n')[0];
    const b = (await request(`${other.mirrorUrl}SHA256SUMS`)).body.split('\n')[0];
    assert.equal(a, b);
  } finally {
    await other.stop();
  }
});

test('HEAD, byte ranges, redirect and 404', async () => {
  const head = await fetch(`${sim.mirrorUrl}gen.iso`, { method: 'HEAD' });
  assert.equal(head.headers.get('content-length'), '200000');
  assert.equal(head.headers.get('content-type'), 'application/x-iso9660-image');
  const full = await getBytes(`${sim.mirrorUrl}gen.iso`);
  const part = await getBytes(`${sim.mirrorUrl}gen.iso`, { Range: 'bytes=1000-1999' });
  assert.equal(part.status, 206);
  assert.equal(part.headers['content-range'], 'bytes 1000-1999/200000');
  assert.deepEqual(part.body, full.body.subarray(1000, 2000));
  const bad = await getBytes(`${sim.mirrorUrl}gen.iso`, { Range: 'bytes=300000-' });
  assert.equal(bad.status, 416);
  const redirect = await getBytes(`${sim.mirrorUrl}redirect/gen.iso`);
  assert.equal(redirect.status, 302);
  assert.equal(redirect.headers.location, `${sim.mirrorUrl}gen.iso`);
  assert.equal((await getBytes(`${sim.mirrorUrl}missing.iso`)).status, 404);
  assert.equal((await getBytes(`${sim.mirrorUrl}..%2F..%2Fetc%2Fpasswd`)).status, 404, 'no escape from the mirror directory');
  const index = await request(sim.mirrorUrl);
  assert.match(index.body, /gen\.iso/);
});

test('the mirror counts the bytes it served', async () => {
  sim.resetStats();
  await getBytes(`${sim.mirrorUrl}gen.iso`);
  assert.equal(sim.stats().bytesServedByMirror, 200_000);
});
