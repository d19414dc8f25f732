// Every fault kind, shown on a plain HTTP client: the grammar, run-time control through
// /sim/faults, and what each fault does to requests, downloads and the mirror.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { readdirSync } from 'node:fs';
import { parseFault } from '../../src/sim/faults.js';
import { startSimulator } from '../../src/sim/index.js';
import type { SimHandle } from '../../src/sim/index.js';
import { UsageError } from '../../src/errors.js';
import { api, login, request, until, waitTask } from './client.js';
import type { Session } from './client.js';

const FILE = 1024 * 1024;
let sim: SimHandle;
let s: Session;

before(async () => {
  sim = await startSimulator({ mirrorFiles: { 'f.iso': FILE } });
  s = await login(sim);
});
after(() => sim.stop());

async function download(filename: string, extra: Record<string, string> = {}) {
  const r = await api(sim, s, 'POST', '/nodes/pve/storage/local/download-url', { url: `${sim.mirrorUrl}f.iso`, content: 'iso', filename, ...extra });
  assert.equal(r.status, 200, r.body);
  return r.json.data as string;
}

/** Reads a mirror response with node:http; resolves with the bytes received and how it ended. */
function rawGet(url: string, stopAfter?: number): Promise<{ length: number | undefined; received: number; complete: boolean }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: false }, (res) => {
      let received = 0;
      const length = res.headers['content-length'] ? Number(res.headers['content-length']) : undefined;
      const finish = () => resolve({ length, received, complete: res.complete });
      res.on('data', (c: Buffer) => {
        received += c.length;
        if (stopAfter !== undefined && received >= stopAfter) {
          res.destroy();
          finish();
        }
      });
      res.on('end', finish);
      res.on('error', finish);
      res.on('aborted', finish);
    });
    req.on('error', reject);
  });
}

test('the fault grammar: kinds, parameters, sizes, durations and clear errors', () => {
  assert.deepEqual({ ...parseFault('mirror-drop:after=1M,count=2,path=f.iso') }, { kind: 'mirror-drop', spec: 'mirror-drop:after=1M,count=2,path=f.iso', remaining: 2, after: 1048576, path: 'f.iso', method: undefined });
  assert.equal(parseFault('api-error:status=503').remaining, 1);
  assert.equal(parseFault('task-hang').remaining, undefined);
  assert.equal(parseFault('ticket-expire:after=5s').ms, 5000);
  assert.equal(parseFault('slow-401:ms=3000').ms, 3000);
  assert.equal(parseFault('rate-limit:bytes-per-sec=64K,target=mirror').bytesPerSec, 65536);
  assert.throws(() => parseFault('explode'), (e) => e instanceof UsageError && /unknown kind 'explode'/.test(e.message));
  assert.throws(() => parseFault('api-error:count=2'), /status= is required/);
  assert.throws(() => parseFault('mirror-drop:after=lots'), /after=lots is not a size/);
  assert.throws(() => parseFault('storage-full:disk=local'), /'disk' is not a parameter of storage-full/);
});

test('faults can be added, listed and cleared at run time through /sim/faults', async () => {
  const add = await request(`${sim.apiUrl.replace('/api2/json', '')}/sim/faults`, { method: 'POST', form: { spec: 'api-error:status=500,count=1,path=/version' } });
  assert.equal(add.status, 200);
  assert.equal(add.json.data[0].kind, 'api-error');
  const listed = await request(`${sim.apiUrl.replace('/api2/json', '')}/sim/faults`);
  assert.equal(listed.json.data.length, 1);
  const bad = await request(`${sim.apiUrl.replace('/api2/json', '')}/sim/faults`, { method: 'POST', json: { spec: 'nope' } });
  assert.equal(bad.status, 400);
  assert.match(bad.json.message, /unknown kind 'nope'/);
  const cleared = await request(`${sim.apiUrl.replace('/api2/json', '')}/sim/faults`, { method: 'DELETE' });
  assert.equal(cleared.status, 200);
  assert.equal((await api(sim, s, 'GET', '/version')).status, 200);
});

test('api-error: the next N matching API requests fail with the status', async () => {
  sim.addFault('api-error:status=503,count=2,path=/version');
  try {
    const other = await api(sim, s, 'GET', '/nodes');
    assert.equal(other.status, 200, 'other paths are not affected');
    const a = await api(sim, s, 'GET', '/version');
    const b = await api(sim, s, 'GET', '/version');
    const c = await api(sim, s, 'GET', '/version');
    assert.deepEqual([a.status, a.reason, a.json], [503, 'Service Unavailable', { data: null, message: 'Service Unavailable\n' }]);
    assert.equal(b.status, 503);
    assert.equal(c.status, 200);
  } finally {
    sim.clearFaults();
  }
});

test('api-drop: the connection closes without an answer, then requests work again', async () => {
  sim.addFault('api-drop:count=1');
  try {
    await assert.rejects(api(sim, s, 'GET', '/version'), /socket hang up|ECONNRESET/);
    assert.equal((await api(sim, s, 'GET', '/version')).status, 200);
  } finally {
    sim.clearFaults();
  }
});

test('mirror-drop: the mirror cuts the body at the offset; wget resumes with Range', async () => {
  sim.addFault('mirror-drop:after=300000,count=1');
  try {
    const cut = await rawGet(`${sim.mirrorUrl}f.iso`);
    assert.deepEqual([cut.length, cut.received, cut.complete], [FILE, 300000, false]);
    sim.addFault('mirror-drop:after=300000,count=1');
    const upid = await download('resumed.iso');
    const r = await waitTask(sim, s, upid);
    assert.equal(r.exitstatus, 'OK');
    assert.ok(r.log.some((l) => / - Connection closed at byte 300000\. Retrying\.$/.test(l)), r.log.join('\n'));
    assert.ok(r.log.some((l) => l.includes('(try: 2)')));
    assert.ok(r.log.includes('HTTP request sent, awaiting response... 206 Partial Content'));
    assert.ok(r.log.includes(`Length: ${FILE} (1.0M), ${FILE - 300000} (731K) remaining [application/x-iso9660-image]`), r.log.join('\n'));
  } finally {
    sim.clearFaults();
  }
});

test('mirror-drop without a count: wget gives up after 20 tries', async () => {
  sim.addFault('mirror-drop:after=1000');
  try {
    const r = await waitTask(sim, s, await download('never.iso'));
    assert.equal(r.exitstatus, 'download failed: Giving up.');
    assert.ok(r.log.some((l) => l.includes('(try:20)')));
    assert.deepEqual(readdirSync(sim.isoDir('local')).filter((n) => n.startsWith('never.iso')), []);
  } finally {
    sim.clearFaults();
  }
});

test('download-drop: the node loses the connection (any URL) and retries', async () => {
  sim.addFault('download-drop:after=500000,count=1');
  try {
    const r = await waitTask(sim, s, await download('dropped.iso'));
    assert.equal(r.exitstatus, 'OK');
    assert.ok(r.log.some((l) => / - Read error at byte 500000\/1048576 \(Connection reset by peer\)\. Retrying\.$/.test(l)), r.log.join('\n'));
  } finally {
    sim.clearFaults();
  }
});

test('rate-limit: the mirror and the node transfer slowly', async () => {
  sim.addFault('rate-limit:bytes-per-sec=64K,target=mirror');
  try {
    sim.resetStats();
    const part = await rawGet(`${sim.mirrorUrl}f.iso`, 64 * 1024);
    assert.ok(part.received < FILE);
    assert.ok(sim.stats().bytesServedByMirror < FILE, 'the mirror is still far from done');
  } finally {
    sim.clearFaults();
  }
  sim.addFault('rate-limit:bytes-per-sec=32K');
  try {
    const upid = await download('slow.iso');
    const status = await api(sim, s, 'GET', `/nodes/pve/tasks/${encodeURIComponent(upid)}/status`);
    assert.equal(status.json.data.status, 'running', 'a 1 MiB file at 32 KiB/s takes half a minute');
    await api(sim, s, 'DELETE', `/nodes/pve/tasks/${encodeURIComponent(upid)}`);
    assert.equal((await waitTask(sim, s, upid)).exitstatus, 'download failed: received interrupt');
  } finally {
    sim.clearFaults();
  }
});

test('task-hang: the task runs until stopped', async () => {
  sim.addFault('task-hang:type=download,count=1');
  try {
    const upid = await download('hung.iso');
    await until(() => sim.runningTasks().includes(upid));
    const status = await api(sim, s, 'GET', `/nodes/pve/tasks/${encodeURIComponent(upid)}/status`);
    assert.equal(status.json.data.status, 'running');
    await api(sim, s, 'DELETE', `/nodes/pve/tasks/${encodeURIComponent(upid)}`);
    assert.equal((await waitTask(sim, s, upid)).exitstatus, 'download failed: received interrupt');
    const next = await waitTask(sim, s, await download('not-hung.iso'));
    assert.equal(next.exitstatus, 'OK', 'count=1: only one task hangs');
  } finally {
    sim.clearFaults();
  }
});

test('corrupt-download: a flipped byte makes the checksum fail (node side and mirror side)', async () => {
  const sums = await request(`${sim.mirrorUrl}SHA256SUMS`);
  const sha = sums.body.split(' ')[0]!;
  sim.addFault('corrupt-download:offset=1234');
  try {
    const r = await waitTask(sim, s, await download('corrupt.iso', { checksum: sha, 'checksum-algorithm': 'sha256' }));
    assert.match(r.exitstatus, new RegExp(`^checksum mismatch: got '[0-9a-f]{64}' != expect '${sha}'$`));
  } finally {
    sim.clearFaults();
  }
  sim.addFault('corrupt-download:target=mirror,count=1');
  try {
    const r = await waitTask(sim, s, await download('corrupt2.iso', { checksum: sha, 'checksum-algorithm': 'sha256' }));
    assert.match(r.exitstatus, /^checksum mismatch/);
  } finally {
    sim.clearFaults();
  }
});

test('storage-full: no space is reported and writes fail', async () => {
  sim.addFault('storage-full:storage=local');
  try {
    const list = await api(sim, s, 'GET', '/nodes/pve/storage', { storage: 'local' });
    assert.equal(list.json.data[0].avail, 0);
    const r = await waitTask(sim, s, await download('full.iso'));
    assert.match(r.exitstatus, /^download failed: Cannot write to '.*full\.iso\.tmp_dwnl\.\d+' \(No space left on device\)\.$/);
    const other = await api(sim, s, 'GET', '/nodes/pve/storage', { storage: 'local-lvm' });
    assert.ok(other.json.data[0].avail > 0);
  } finally {
    sim.clearFaults();
  }
});

test('ticket-expire: tickets stop working after the given time', async () => {
  sim.addFault('ticket-expire:after=0');
  try {
    const fresh = await login(sim);
    const r = await api(sim, fresh, 'GET', '/version');
    assert.deepEqual([r.status, r.reason, r.body], [401, 'Authentication failed!', '']);
  } finally {
    sim.clearFaults();
  }
  assert.equal((await api(sim, s, 'GET', '/version')).status, 200);
});

test('slow-401: answers 401 only after the delay', async () => {
  sim.addFault('slow-401:ms=300');
  try {
    const started = Date.now();
    const r = await request(`${sim.apiUrl}/version`);
    assert.equal(r.status, 401);
    assert.ok(Date.now() - started >= 290, 'the 401 waited for the configured delay');
  } finally {
    sim.clearFaults();
  }
});

test('faults given at start apply from the first request', async () => {
  const other = await startSimulator({ faults: ['api-error:status=500,count=1'] });
  try {
    const r = await request(`${other.apiUrl}/access/ticket`, { method: 'POST', form: { username: 'root@pam', password: 'hclx-sim' } });
    assert.equal(r.status, 500);
    assert.equal((await request(`${other.apiUrl}/access/ticket`, { method: 'POST', form: { username: 'root@pam', password: 'hclx-sim' } })).status, 200);
  } finally {
    await other.stop();
  }
  await assert.rejects(startSimulator({ faults: ['bogus'] }), UsageError);
});
