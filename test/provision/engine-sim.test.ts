// The engine against the Proxmox VE simulator, over real HTTP and HTTPS: downloads, reuse, verify,
// refusal, pre-flight, every fault the simulator injects, concurrency and cancellation.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fetch } from 'undici';
import { startSimulator, type SimHandle, type SimConfig } from '../../src/sim/index.js';
import { provisionIsos, planIsos, type ProvisionOptions } from '../../src/provision/engine.js';
import { collectEvents } from '../../src/provision/events.js';
import type { IsoRequest } from '../../src/provision/request.js';
import { PreflightError } from '../../src/provision/preflight-error.js';
import { DownloadError, InterruptedError } from '../../src/errors.js';
import type { Checksum } from '../../src/resolve/checksum.js';

const MIB = 1024 * 1024;
const SECRET = 'sim-token-secret-0123';
const TOKEN = 'root@pam!hclx';
const FILES = { 'debian-12.iso': 3 * MIB, 'ubuntu-24.04.iso': 2 * MIB, 'virtio-win.iso': MIB + 12345 };
const lockDir = mkdtempSync(join(tmpdir(), 'hclx-engine-locks-'));
const fastRetry = { maxAttempts: 4, baseDelayMs: 20, maxDelayMs: 100, maxTotalMs: 20_000 };

function simConfig(extra: Partial<SimConfig> = {}): SimConfig {
  return {
    nodes: ['pve', 'pve2'],
    storages: [
      { storage: 'local', type: 'dir', content: ['iso', 'vztmpl', 'backup'] },
      { storage: 'local-lvm', type: 'lvmthin', content: ['images', 'rootdir'] },
      { storage: 'nfs-iso', type: 'nfs', content: ['iso'], shared: true },
    ],
    tokens: [{ tokenid: TOKEN, secret: SECRET, privsep: false }],
    mirrorFiles: FILES,
    ...extra,
  };
}

async function sums(sim: SimHandle): Promise<Record<string, string>> {
  const text = await (await fetch(`${sim.mirrorUrl}SHA256SUMS`, sim.caFile ? {} : {})).text();
  return Object.fromEntries(text.trim().split('\n').map((l) => { const [h, n] = l.split(/\s+\*?/); return [n!, h!]; }));
}

function requestFor(sim: SimHandle, name: string, checksum: Checksum, over: Partial<IsoRequest> = {}): IsoRequest {
  return {
    label: `source.proxmox-iso.${name} boot_iso`,
    source: `proxmox-iso.${name}`,
    block: 'boot_iso',
    urls: [`${sim.mirrorUrl}${name}`],
    checksum,
    storage: 'local',
    node: 'pve',
    connection: { url: sim.apiUrl, auth: { kind: 'token', tokenId: TOKEN, secret: SECRET }, ...(sim.caFile ? { caFile: sim.caFile } : {}) },
    ...over,
  };
}

function options(over: Partial<ProvisionOptions> = {}) {
  const events = collectEvents();
  return { events, opts: { sink: events, lockDir, retryPolicy: fastRetry, checkSize: true, ...over } satisfies ProvisionOptions };
}

function leftovers(sim: SimHandle, storage = 'local'): string[] {
  return readdirSync(sim.isoDir(storage)).filter((f) => f.includes('.tmp_'));
}

let sim: SimHandle;
let sha: Record<string, string>;
const sha256 = (name: string): Checksum => ({ algorithm: 'sha256', value: sha[name]! });
before(async () => {
  sim = await startSimulator(simConfig());
  sha = await sums(sim);
});
after(async () => {
  await sim.stop();
  rmSync(lockDir, { recursive: true, force: true });
});

test('fresh download: the node fetches it, verified; no ISO byte passes through hclx', async () => {
  sim.resetStats();
  const { events, opts } = options();
  const result = await provisionIsos([requestFor(sim, 'debian-12.iso', sha256('debian-12.iso'))], opts);
  const volid = `local:iso/debian-12.${sha['debian-12.iso']!.slice(0, 12)}.iso`;
  assert.equal(result.isos[0]!.volid, volid);
  assert.equal(result.isos[0]!.outcome, 'downloaded');
  assert.equal(result.isos[0]!.size, FILES['debian-12.iso']);
  assert.deepEqual([...result.volids], [['source.proxmox-iso.debian-12.iso boot_iso', volid]]);
  assert.ok(readdirSync(sim.isoDir('local')).includes(volid.slice('local:iso/'.length)));
  const s = sim.stats();
  assert.equal(s.tasksByType.download, 1);
  assert.equal(s.bytesDownloadedByNode, FILES['debian-12.iso']);
  // Every ISO byte the mirror served went to the node: none to this process.
  assert.equal(s.bytesServedByMirror, s.bytesDownloadedByNode);
  assert.equal(s.hashPasses, 1);
  const kinds = events.events.map((e) => e.event);
  assert.deepEqual([kinds[0], kinds.at(-2), kinds.at(-1)], ['start', 'downloaded', 'summary']);
  assert.deepEqual(leftovers(sim), []);
});

test('warm re-run: reused after O(1) API calls per storage, no hashing, no download task', async () => {
  const req = requestFor(sim, 'debian-12.iso', sha256('debian-12.iso'));
  await provisionIsos([req], options().opts);
  sim.resetStats();
  const { opts } = options();
  const result = await provisionIsos([req, { ...req, label: 'another spec, same ISO' }], opts);
  assert.deepEqual(result.isos.map((i) => i.outcome), ['reused', 'reused']);
  const s = sim.stats();
  assert.equal(s.hashPasses, 0);
  assert.equal(s.tasksStarted, 0);
  assert.equal(s.requestsByRoute['GET /nodes/{node}/storage/{storage}/content'], 1);
  assert.ok(s.requests <= 4, `requests: ${JSON.stringify(s.requestsByRoute)}`);
});

test('--iso-name url on an existing file: Proxmox verifies it (one hash pass, zero bytes transferred)', async () => {
  const req = requestFor(sim, 'ubuntu-24.04.iso', sha256('ubuntu-24.04.iso'));
  const first = await provisionIsos([req], options({ isoName: 'url' }).opts);
  assert.equal(first.isos[0]!.volid, 'local:iso/ubuntu-24.04.iso');
  sim.resetStats();
  const plan = await planIsos([req], { isoName: 'url', lockDir } as never);
  assert.equal(plan.entries[0]!.state, 'would-verify');
  const again = await provisionIsos([req], options({ isoName: 'url' }).opts);
  assert.equal(again.isos[0]!.outcome, 'verified');
  const s = sim.stats();
  assert.equal(s.hashPasses, 1);
  assert.equal(s.bytesDownloadedByNode, 0);
});

test('iso_checksum none + existing file: refused before any download; --overwrite replaces it', async () => {
  const req = requestFor(sim, 'virtio-win.iso', { algorithm: 'none' });
  const { events, opts } = options();
  const first = await provisionIsos([req], opts);
  assert.equal(first.isos[0]!.volid, 'local:iso/virtio-win.iso');
  assert.ok(events.events.some((e) => e.event === 'warning' && /iso_checksum is "none"/.test(e.message)));
  sim.resetStats();
  await assert.rejects(provisionIsos([req], options().opts), (e: unknown) => e instanceof PreflightError && /--overwrite/.test(e.describe()) && e.problems[0]!.code === 'E_ISO_EXISTS_UNVERIFIABLE');
  assert.equal(sim.stats().tasksStarted, 0);
  const replaced = await provisionIsos([req], options({ overwrite: true }).opts);
  assert.equal(replaced.isos[0]!.outcome, 'downloaded');
  assert.equal(sim.stats().tasksByType.imgdel, 1);
  assert.equal(sim.stats().tasksByType.download, 1);
});

test('pre-flight lists every problem together and downloads nothing', async () => {
  sim.resetStats();
  const reqs = [
    requestFor(sim, 'debian-12.iso', sha256('debian-12.iso'), { storage: 'isos', label: 'a' }),
    requestFor(sim, 'debian-12.iso', sha256('debian-12.iso'), { storage: 'local-lvm', label: 'b' }),
    requestFor(sim, 'debian-12.iso', sha256('debian-12.iso'), { node: 'pve3', label: 'c' }),
    requestFor(sim, 'ubuntu-24.04.iso', sha256('ubuntu-24.04.iso'), { storage: 'nfs-iso', label: 'd' }),
  ];
  await assert.rejects(provisionIsos(reqs, options().opts), (e: unknown) => {
    assert.ok(e instanceof PreflightError);
    assert.deepEqual(e.problems.map((p) => p.code), ['E_PVE_STORAGE_NOT_FOUND', 'E_PVE_STORAGE_NOT_FILE_BASED', 'E_PVE_NODE_NOT_FOUND']);
    assert.match(e.describe(), /storage pool 'isos' not found on node 'pve'.*local \(dir\), nfs-iso \(nfs\)/);
    return true;
  });
  assert.equal(sim.stats().tasksStarted, 0);
});

test('a connection dropped once is resumed by wget inside the same task', async () => {
  const iso = 'virtio-win.iso';
  const req = requestFor(sim, iso, sha256(iso), { node: 'pve2', storage: 'nfs-iso' });
  sim.addFault('download-drop:after=512K,count=1');
  try {
    sim.resetStats();
    const result = await provisionIsos([req], options().opts);
    assert.equal(result.isos[0]!.outcome, 'downloaded');
    assert.equal(sim.stats().tasksByType.download, 1);
  } finally {
    sim.clearFaults();
  }
});

test('a download task that fails on the network (wget gave up) is retried and succeeds', async () => {
  const iso = 'debian-12.iso';
  const req = requestFor(sim, iso, sha256(iso), { storage: 'nfs-iso' });
  sim.addFault('download-drop:after=1M,count=20');
  try {
    sim.resetStats();
    const { events, opts } = options();
    const result = await provisionIsos([req], opts);
    assert.equal(result.isos[0]!.outcome, 'downloaded');
    assert.equal(sim.stats().tasksByType.download, 2);
    assert.ok(events.events.some((e) => e.event === 'retry'));
    assert.deepEqual(leftovers(sim, 'nfs-iso'), []);
  } finally {
    sim.clearFaults();
  }
});

test('a burst of 5xx answers from the API is ridden out', async () => {
  const iso = 'ubuntu-24.04.iso';
  const req = requestFor(sim, iso, sha256(iso), { storage: 'nfs-iso' });
  sim.addFault('api-error:status=503,count=3');
  try {
    const result = await provisionIsos([req], options().opts);
    assert.equal(result.isos[0]!.outcome, 'downloaded');
  } finally {
    sim.clearFaults();
  }
});

test('a hanging task is stopped at the stall timeout: no task running, no temp file', async () => {
  const iso = 'virtio-win.iso';
  const req = requestFor(sim, iso, sha256(iso), { node: 'pve2' });
  sim.addFault('task-hang:type=download,count=1');
  try {
    await assert.rejects(provisionIsos([req], options({ stallMs: 1500 }).opts), (e: unknown) => e instanceof DownloadError && e.code === 'E_DOWNLOAD_STALLED');
    assert.deepEqual(sim.runningTasks(), []);
    assert.deepEqual(leftovers(sim), []);
  } finally {
    sim.clearFaults();
  }
});

test('a checksum mismatch fails at once with Proxmox\'s message and is not retried', async () => {
  const iso = 'virtio-win.iso';
  const req = requestFor(sim, iso, sha256(iso), { node: 'pve2', urls: [`${sim.mirrorUrl}${iso}`, `${sim.mirrorUrl}redirect/${iso}`] });
  sim.addFault('corrupt-download:count=1');
  try {
    sim.resetStats();
    const { events, opts } = options();
    await assert.rejects(provisionIsos([req], opts), (e: unknown) => e instanceof DownloadError && e.code === 'E_CHECKSUM_MISMATCH' && /checksum mismatch: got '[0-9a-f]+' != expect/.test(e.message));
    assert.equal(sim.stats().tasksByType.download, 1);
    const error = events.events.find((e) => e.event === 'error');
    assert.ok(error && error.event === 'error' && error.taskLog!.some((l) => /TASK ERROR: checksum mismatch/.test(l)));
  } finally {
    sim.clearFaults();
  }
});

test('a mirror that answers 404 falls back to the next mirror', async () => {
  const iso = 'ubuntu-24.04.iso';
  const req = requestFor(sim, iso, sha256(iso), { node: 'pve2', urls: [`${sim.mirrorUrl}missing/${iso}`, `${sim.mirrorUrl}${iso}`] });
  const { events, opts } = options();
  const result = await provisionIsos([req], opts);
  assert.equal(result.isos[0]!.outcome, 'downloaded');
  assert.equal(result.rows[0]!.url, `${sim.mirrorUrl}${iso}`);
  assert.ok(events.events.some((e) => e.event === 'retry' && e.nextUrl === `${sim.mirrorUrl}${iso}`));
});

test('abort during a download stops the task and leaves nothing behind', async () => {
  const iso = 'debian-12.iso';
  const req = requestFor(sim, iso, sha256(iso), { node: 'pve2' });
  sim.addFault('rate-limit:bytes-per-sec=262144,target=download');
  const controller = new AbortController();
  const { events, opts } = options({ signal: controller.signal });
  const origEmit = events.emit;
  events.emit = (e) => {
    origEmit(e);
    if (e.event === 'start') setTimeout(() => controller.abort(new Error('SIGINT')), 300);
  };
  try {
    await assert.rejects(provisionIsos([req], opts), InterruptedError);
    assert.deepEqual(sim.runningTasks(), []);
    assert.deepEqual(leftovers(sim), []);
    assert.ok(!readdirSync(sim.isoDir('local')).some((f) => f.startsWith('debian-12.') && !f.endsWith('.iso') ), 'no partial file');
  } finally {
    sim.clearFaults();
  }
});

test('two engines started together for the same ISO cause one download task', async () => {
  const fresh = await startSimulator(simConfig());
  try {
    const freshSha = await sums(fresh);
    fresh.addFault('rate-limit:bytes-per-sec=4194304,target=download');
    const req = requestFor(fresh, 'debian-12.iso', { algorithm: 'sha256', value: freshSha['debian-12.iso']! });
    const [a, b] = await Promise.all([provisionIsos([req], options().opts), provisionIsos([req], options().opts)]);
    assert.deepEqual([a.isos[0]!.outcome, b.isos[0]!.outcome].sort(), ['awaited', 'downloaded']);
    assert.equal(fresh.stats().tasksByType.download, 1);
  } finally {
    await fresh.stop();
  }
});

test('over HTTPS with the simulator CA: download, then plan shows it present', async () => {
  const tls = await startSimulator(simConfig({ tls: true }));
  try {
    assert.ok(tls.caFile);
    const text = await (await fetch(`${tls.mirrorUrl}SHA256SUMS`, { dispatcher: new (await import('undici')).Agent({ connect: { rejectUnauthorized: false } }) })).text();
    const value = text.split('\n').find((l) => l.includes('virtio-win.iso'))!.split(/\s+/)[0]!;
    const req = requestFor(tls, 'virtio-win.iso', { algorithm: 'sha256', value });
    const result = await provisionIsos([req], options({ verifyCertificates: false }).opts);
    assert.equal(result.isos[0]!.outcome, 'downloaded');
    const plan = await planIsos([req], {});
    assert.equal(plan.entries[0]!.state, 'present');
    assert.equal(plan.entries[0]!.volid, `local:iso/virtio-win.${value.slice(0, 12)}.iso`);
  } finally {
    await tls.stop();
  }
});

test('password (ticket) authentication works as well as tokens', async () => {
  const { DEFAULT_PASSWORD } = await import('../../src/sim/index.js');
  const iso = 'ubuntu-24.04.iso';
  const req = requestFor(sim, iso, sha256(iso), { connection: { url: sim.apiUrl, auth: { kind: 'password', username: 'root@pam', password: DEFAULT_PASSWORD } } });
  const result = await provisionIsos([req], options().opts);
  assert.ok(['downloaded', 'reused'].includes(result.isos[0]!.outcome));
});

test('a token without privileges fails the pre-flight with the least-privilege grant', async () => {
  const locked = await startSimulator(simConfig({ tokens: [{ tokenid: 'ci@pve!hclx', secret: 'locked-secret-1', privsep: true }], users: [{ userid: 'ci@pve', password: 'ci-password-1' }] }));
  try {
    const req = requestFor(locked, 'debian-12.iso', { algorithm: 'sha256', value: 'ab'.repeat(32) }, { connection: { url: locked.apiUrl, auth: { kind: 'token', tokenId: 'ci@pve!hclx', secret: 'locked-secret-1' } } });
    await assert.rejects(provisionIsos([req], options().opts), (e: unknown) => {
      assert.ok(e instanceof PreflightError, String(e));
      assert.match(e.describe(), /pveum acl modify/);
      assert.ok(!e.describe().includes('locked-secret-1'));
      return true;
    });
    assert.equal(locked.stats().tasksStarted, 0);
  } finally {
    await locked.stop();
  }
});
