// download-url end to end: the synchronous checks, the real download task (log lines, checksum,
// temp file, rename), the existing-file rules of PVE's download_file_from_url, HTTP errors from
// the mirror, certificate checks against the simulator's own HTTPS mirror, an independent
// loopback web server, and stopping a task.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { startSimulator } from '../../src/sim/index.js';
import type { SimHandle } from '../../src/sim/index.js';
import { api, login, request, until, waitTask } from './client.js';
import type { Session } from './client.js';

const SIZE = 3 * 1024 * 1024 + 123;
let sim: SimHandle;
let s: Session;
let sha256: string;

before(async () => {
  sim = await startSimulator({ mirrorFiles: { 'd.iso': SIZE, 'small.iso': 1000 } });
  s = await login(sim);
  const sums = await request(`${sim.mirrorUrl}SHA256SUMS`);
  sha256 = /^([0-9a-f]{64}) {2}d\.iso$/m.exec(sums.body)![1]!;
});
after(() => sim.stop());

async function download(params: Record<string, string>, storage = 'local') {
  const r = await api(sim, s, 'POST', `/nodes/pve/storage/${storage}/download-url`, { content: 'iso', ...params });
  assert.equal(r.status, 200, r.body);
  return { upid: r.json.data as string, ...(await waitTask(sim, s, r.json.data)) };
}

const tmpFiles = () => readdirSync(sim.isoDir('local')).filter((n) => n.includes('.tmp_'));

test('a download with checksum logs like wget, verifies, and renames into place', async () => {
  const r = await download({ url: `${sim.mirrorUrl}d.iso`, filename: 'd.iso', checksum: sha256.toUpperCase(), 'checksum-algorithm': 'sha256' });
  assert.equal(r.exitstatus, 'OK');
  const dest = join(sim.isoDir('local'), 'd.iso');
  const pid = parseInt(r.upid.split(':')[2]!, 16);
  assert.equal(r.log[0], `downloading ${sim.mirrorUrl}d.iso to ${dest}`);
  assert.ok(r.log.includes(`Length: ${SIZE} (3.0M) [application/x-iso9660-image]`), r.log.join('\n'));
  assert.ok(r.log.includes(`Saving to: '${dest}.tmp_dwnl.${pid}'`));
  const progress = r.log.filter((l) => /^\s*\d+K [. ]+\s+\d+%/.test(l));
  assert.ok(progress.length >= 4, 'progress lines in dot:giga format');
  assert.match(progress.at(-1)!, /100% .*=/);
  assert.ok(r.log.some((l) => l.endsWith(`- '${dest}.tmp_dwnl.${pid}' saved [${SIZE}/${SIZE}]`)));
  assert.ok(r.log.includes('calculating checksum...OK, checksum verified'));
  assert.equal(r.log.at(-2), `download of '${sim.mirrorUrl}d.iso' to '${dest}' finished`);
  assert.equal(r.log.at(-1), 'TASK OK');
  assert.equal(createHash('sha256').update(readFileSync(dest)).digest('hex'), sha256);
  assert.deepEqual(tmpFiles(), []);
  const content = await api(sim, s, 'GET', '/nodes/pve/storage/local/content', { content: 'iso' });
  assert.ok(content.json.data.some((i: { volid: string; size: number; format: string }) => i.volid === 'local:iso/d.iso' && i.size === SIZE && i.format === 'iso'));
});

test('an existing file: same checksum skips, other checksum fails, no checksum refuses', async () => {
  sim.resetStats();
  const same = await download({ url: `${sim.mirrorUrl}d.iso`, filename: 'd.iso', checksum: sha256, 'checksum-algorithm': 'sha256' });
  assert.equal(same.exitstatus, 'OK');
  assert.ok(same.log.includes('calculating checksum of existing file...OK, got correct file already, no need to download'));
  const st = sim.stats();
  assert.equal(st.bytesDownloadedByNode, 0);
  assert.deepEqual([st.hashPasses, st.bytesHashed], [1, SIZE]);

  const other = await download({ url: `${sim.mirrorUrl}d.iso`, filename: 'd.iso', checksum: '0'.repeat(64), 'checksum-algorithm': 'sha256' });
  assert.equal(other.exitstatus, `checksum mismatch: got '${sha256}' != expect '${'0'.repeat(64)}', aborting`);
  assert.ok(existsSync(join(sim.isoDir('local'), 'd.iso')), 'the existing file is left alone');

  const none = await download({ url: `${sim.mirrorUrl}d.iso`, filename: 'd.iso' });
  assert.equal(none.exitstatus, `refusing to override existing file '${join(sim.isoDir('local'), 'd.iso')}'`);
  assert.equal(none.log.at(-1), `TASK ERROR: ${none.exitstatus}`);
});

test('a checksum mismatch of the download leaves no file behind', async () => {
  const r = await download({ url: `${sim.mirrorUrl}small.iso`, filename: 'mismatch.iso', checksum: 'ab'.repeat(32), 'checksum-algorithm': 'sha256' });
  assert.match(r.exitstatus, /^checksum mismatch: got '[0-9a-f]{64}' != expect 'abab/);
  assert.ok(!existsSync(join(sim.isoDir('local'), 'mismatch.iso')));
  assert.deepEqual(tmpFiles(), []);
});

test('HTTP errors end the task with wget\'s last line', async () => {
  const r = await download({ url: `${sim.mirrorUrl}nope.iso`, filename: 'nope.iso' });
  assert.match(r.exitstatus, /^download failed: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d ERROR 404: Not Found\.$/);
  assert.ok(r.log.includes('HTTP request sent, awaiting response... 404 Not Found'));
  const refused = await download({ url: 'http://127.0.0.1:1/x.iso', filename: 'refused.iso' });
  assert.equal(refused.exitstatus, 'download failed: Connecting to 127.0.0.1:1... failed: Connection refused.');
  assert.deepEqual(tmpFiles(), []);
});

test('redirects are followed and filenames normalised', async () => {
  const r = await download({ url: `${sim.mirrorUrl}redirect/small.iso`, filename: 'My ISO (v2).iso' });
  assert.equal(r.exitstatus, 'OK');
  assert.ok(r.log.includes(`Location: ${sim.mirrorUrl}small.iso [following]`));
  assert.match(r.upid, /:download:My_ISO__v2_\.iso:root@pam:$/);
  assert.ok(existsSync(join(sim.isoDir('local'), 'My_ISO__v2_.iso')));
});

test('the synchronous checks answer before any task starts', async () => {
  const wrongExt = await api(sim, s, 'POST', '/nodes/pve/storage/local/download-url', { url: `${sim.mirrorUrl}d.iso`, content: 'iso', filename: 'd.qcow2' });
  assert.deepEqual([wrongExt.status, wrongExt.json.errors], [400, { filename: 'wrong file extension' }]);
  const lvm = await api(sim, s, 'POST', '/nodes/pve/storage/local-lvm/download-url', { url: `${sim.mirrorUrl}d.iso`, content: 'iso', filename: 'd.iso' });
  assert.deepEqual([lvm.status, lvm.json.message], [500, "can't upload to storage type 'lvmthin', not a file based storage!\n"]);
  const noImport = await api(sim, s, 'POST', '/nodes/pve/storage/local/download-url', { url: `${sim.mirrorUrl}d.iso`, content: 'import', filename: 'd.qcow2' });
  assert.deepEqual([noImport.status, noImport.reason], [500, "storage 'local' is not configured for content-type 'import'"]);
  const missing = await api(sim, s, 'POST', '/nodes/pve/storage/nas/download-url', { url: `${sim.mirrorUrl}d.iso`, content: 'iso', filename: 'd.iso' });
  assert.deepEqual([missing.status, missing.reason], [500, "storage 'nas' does not exist"]);
});

test('an independent loopback web server works, and gz decompression', async () => {
  const payload = Buffer.alloc(200_000, 7);
  const server = http.createServer((req, res) => {
    const body = req.url === '/x.iso.gz' ? gzipSync(payload) : payload;
    res.writeHead(200, { 'Content-Length': body.length });
    res.end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const port = (server.address() as { port: number }).port;
    const plain = await download({ url: `http://127.0.0.1:${port}/x.iso`, filename: 'plain.iso' });
    assert.equal(plain.exitstatus, 'OK');
    assert.ok(plain.log.includes(`Length: ${payload.length} (195K)`), plain.log.join('\n'));
    const gz = await download({ url: `http://127.0.0.1:${port}/x.iso.gz`, filename: 'unzipped.iso', compression: 'gz' });
    assert.equal(gz.exitstatus, 'OK');
    assert.deepEqual(readFileSync(join(sim.isoDir('local'), 'unzipped.iso')), payload);
    const meta = await api(sim, s, 'GET', '/nodes/pve/query-url-metadata', { url: `http://127.0.0.1:${port}/dir/x.iso?token=1` });
    assert.deepEqual(meta.json.data, { filename: 'x.iso', size: payload.length });
  } finally {
    server.close();
  }
});

test('query-url-metadata does a real HEAD and reports non-200 as PVE does', async () => {
  const ok = await api(sim, s, 'GET', '/nodes/pve/query-url-metadata', { url: `${sim.mirrorUrl}redirect/d.iso` });
  assert.deepEqual(ok.json.data, { filename: 'd.iso', size: SIZE, mimetype: 'application/x-iso9660-image' });
  const missing = await api(sim, s, 'GET', '/nodes/pve/query-url-metadata', { url: `${sim.mirrorUrl}nope.iso` });
  assert.deepEqual([missing.status, missing.json.message], [500, "invalid server response: '404 Not Found'\n"]);
});

test('stopping a running download removes the temp file and ends with received interrupt', async () => {
  sim.addFault('task-hang:type=download');
  try {
    const r = await api(sim, s, 'POST', '/nodes/pve/storage/local/download-url', { url: `${sim.mirrorUrl}d.iso`, content: 'iso', filename: 'hang.iso' });
    const upid = r.json.data as string;
    await until(() => tmpFiles().length === 1);
    assert.deepEqual(sim.runningTasks(), [upid]);
    const active = await api(sim, s, 'GET', '/nodes/pve/tasks', { source: 'active', typefilter: 'download' });
    assert.equal(active.json.data[0].upid, upid);
    assert.equal(active.json.data[0].status, 'RUNNING');
    const stop = await api(sim, s, 'DELETE', `/nodes/pve/tasks/${encodeURIComponent(upid)}`);
    assert.deepEqual(stop.json, { data: null });
    const done = await waitTask(sim, s, upid);
    assert.equal(done.exitstatus, 'download failed: received interrupt');
    assert.deepEqual(tmpFiles(), []);
    assert.deepEqual(sim.runningTasks(), []);
  } finally {
    sim.clearFaults();
  }
});

test('task list, log paging and unknown tasks', async () => {
  const list = await api(sim, s, 'GET', '/nodes/pve/tasks', { typefilter: 'download', limit: 2 });
  assert.equal(list.json.data.length, 2);
  assert.ok(list.json.total > 2);
  const all = await api(sim, s, 'GET', '/nodes/pve/tasks', { typefilter: 'download', statusfilter: 'ok', limit: 100 });
  assert.ok(all.json.data.every((t: { status: string }) => t.status === 'OK'));
  const upid = all.json.data[0].upid;
  const page = await api(sim, s, 'GET', `/nodes/pve/tasks/${encodeURIComponent(upid)}/log`, { start: 1, limit: 2 });
  assert.deepEqual(page.json.data.map((l: { n: number }) => l.n), [2, 3]);
  assert.ok(page.json.total >= 3);
  const fake = upid.replace(/:[0-9A-F]{8}:download/, ':00000001:download');
  const none = await api(sim, s, 'GET', `/nodes/pve/tasks/${encodeURIComponent(fake)}/status`);
  assert.deepEqual([none.status, none.json.errors], [400, { upid: 'no such task' }]);
  const garbage = await api(sim, s, 'GET', '/nodes/pve/tasks/UPID:nope/status');
  assert.deepEqual(garbage.json.errors, { upid: 'unable to parse worker upid' });
});

test('content info and delete (imgdel task, delay)', async () => {
  writeFileSync(join(sim.isoDir('local'), 'del.iso'), 'x');
  const info = await api(sim, s, 'GET', '/nodes/pve/storage/local/content/iso%2Fdel.iso');
  assert.deepEqual(info.json.data, { path: join(sim.isoDir('local'), 'del.iso'), size: 1, used: 1, format: 'raw' });
  const del = await api(sim, s, 'DELETE', '/nodes/pve/storage/local/content/local:iso/del.iso');
  assert.match(del.json.data, /:imgdel:local:root@pam:$/);
  assert.equal((await waitTask(sim, s, del.json.data)).exitstatus, 'OK');
  const again = await api(sim, s, 'DELETE', '/nodes/pve/storage/local/content/local:iso/del.iso', { delay: 5 });
  assert.deepEqual(again.json, { data: null }, 'a missing file only warns, within the delay the call returns null');
  const gone = await api(sim, s, 'GET', '/nodes/pve/storage/local/content/local:iso/del.iso');
  assert.deepEqual([gone.status, gone.json.message], [500, "volume_size_info on 'local:iso/del.iso' failed - no format\n"]);
  const bad = await api(sim, s, 'DELETE', '/nodes/pve/storage/local/content/local:iso/foo.txt');
  assert.deepEqual([bad.status, bad.json.message], [500, "unable to parse directory volume name 'iso/foo.txt'\n"]);
});

test('storage listing filters and real space accounting', async () => {
  const iso = await api(sim, s, 'GET', '/nodes/pve/storage', { content: 'iso' });
  assert.deepEqual(iso.json.data.map((x: { storage: string }) => x.storage), ['local']);
  const local = iso.json.data[0];
  assert.equal(local.total - local.used, local.avail);
  assert.ok(local.used >= SIZE);
  const unknown = await api(sim, s, 'GET', '/nodes/pve/storage', { storage: 'nas' });
  assert.deepEqual(unknown.json.errors, { storage: 'No such storage.' });
  const cfg = await api(sim, s, 'GET', '/storage', { type: 'lvmthin' });
  assert.deepEqual(cfg.json.data.map((x: { storage: string }) => x.storage), ['local-lvm']);
});

test('verify-certificates against the simulator\'s self-signed HTTPS mirror', async () => {
  const tls = await startSimulator({ tls: true, mirrorFiles: { 't.iso': 10_000 } });
  try {
    assert.ok(tls.caFile && existsSync(tls.caFile));
    const ts = await login(tls);
    const strict = await api(tls, ts, 'POST', '/nodes/pve/storage/local/download-url', { url: `${tls.mirrorUrl}t.iso`, content: 'iso', filename: 't.iso' });
    const failed = await waitTask(tls, ts, strict.json.data);
    assert.equal(failed.exitstatus, 'download failed: To connect to 127.0.0.1 insecurely, use `--no-check-certificate\'.');
    const lax = await api(tls, ts, 'POST', '/nodes/pve/storage/local/download-url', { url: `${tls.mirrorUrl}t.iso`, content: 'iso', filename: 't.iso', 'verify-certificates': 0 });
    assert.equal((await waitTask(tls, ts, lax.json.data)).exitstatus, 'OK');
  } finally {
    await tls.stop();
  }
});
