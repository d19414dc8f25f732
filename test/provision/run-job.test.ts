import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeNode, MIB, okScript } from './fake-node.js';
import { runJob, type JobContext } from '../../src/provision/run-job.js';
import type { DownloadJob } from '../../src/provision/planner.js';
import { collectEvents } from '../../src/provision/events.js';
import { DownloadError, InterruptedError, ProxmoxError } from '../../src/errors.js';

const lockDir = mkdtempSync(join(tmpdir(), 'hclx-test-locks-'));
test.after(() => rmSync(lockDir, { recursive: true, force: true }));

function job(over: Partial<DownloadJob> = {}): DownloadJob {
  return {
    key: `k-${Math.random()}`,
    endpoint: 'e',
    node: 'pve',
    storage: 'local',
    shared: false,
    filename: 'x.ab12cd34ef56.iso',
    volid: 'local:iso/x.ab12cd34ef56.iso',
    urls: ['http://m1/x.iso'],
    checksum: { algorithm: 'sha256', value: 'ab12cd34ef56'.padEnd(64, '0') },
    reuse: 'trust-name',
    action: 'download',
    requests: [],
    ...over,
  };
}
function ctx(node: FakeNode, over: Partial<JobContext> = {}) {
  const events = collectEvents();
  const c: JobContext = { api: node.api(), sink: events, now: node.now, sleep: node.sleep, random: () => 0.5, lockDir, stallMs: 60_000, ...over };
  return { c, events };
}

test('a download is followed to its end with progress, and reported as downloaded', async () => {
  const node = new FakeNode();
  node.scripts = [okScript(64 * MIB)];
  const { c, events } = ctx(node);
  const result = await runJob(job(), c);
  assert.equal(result.outcome, 'downloaded');
  assert.equal(result.size, 64 * MIB);
  const kinds = events.events.map((e) => e.event);
  assert.equal(kinds[0], 'start');
  assert.ok(kinds.includes('progress'));
  assert.equal(kinds.at(-1), 'downloaded');
  const pct = events.events.filter((e) => e.event === 'progress').map((e) => (e as { percent?: number }).percent);
  assert.ok(pct.includes(50) && pct.includes(100), String(pct));
  // the end is seen within half a second of virtual time
  assert.ok(node.t - 4000 <= 500, `seen ${node.t - 4000} ms late`);
});

test('a dropped download (network error) is retried with backoff and then succeeds', async () => {
  const node = new FakeNode();
  node.scripts = [{ lines: [[0, 'downloading']], endAt: 500, exitstatus: 'download failed: Read error at byte 1048576 (Connection reset by peer).' }, okScript(10 * MIB)];
  const { c, events } = ctx(node);
  const result = await runJob(job(), c);
  assert.equal(result.outcome, 'downloaded');
  const retry = events.events.find((e) => e.event === 'retry');
  assert.ok(retry && retry.event === 'retry' && retry.attempt === 1 && !retry.nextUrl);
  assert.equal(node.calls.filter((x) => x.startsWith('download-url')).length, 2);
});

test('a checksum mismatch fails at once with Proxmox\'s message and its task log; no retry', async () => {
  const node = new FakeNode();
  const message = "checksum mismatch: got 'aaaa' != expect 'ab12'";
  node.scripts = [{ lines: [[0, 'downloading'], [10, 'calculating checksum...'], [20, `TASK ERROR: ${message}`]], endAt: 20, exitstatus: message }];
  const { c } = ctx(node, { urls: undefined } as never);
  await assert.rejects(runJob(job({ urls: ['http://m1/x.iso', 'http://m2/x.iso'] }), c), (e: unknown) => {
    assert.ok(e instanceof DownloadError);
    assert.equal(e.code, 'E_CHECKSUM_MISMATCH');
    assert.match(e.message, /checksum mismatch: got 'aaaa' != expect 'ab12'/);
    assert.deepEqual((e.details?.log as string[]).at(-1), `TASK ERROR: ${message}`);
    return true;
  });
  assert.equal(node.calls.filter((x) => x.startsWith('download-url')).length, 1);
});

test('HTTP 404 from a mirror falls back to the next mirror without retrying it', async () => {
  const node = new FakeNode();
  node.scripts = [{ lines: [[0, 'ERROR 404: Not Found.']], endAt: 10, exitstatus: 'download failed: 2026-01-01 ERROR 404: Not Found.' }, okScript(MIB)];
  const { c, events } = ctx(node);
  const result = await runJob(job({ urls: ['http://m1/x.iso', 'http://m2/x.iso'] }), c);
  assert.equal(result.url, 'http://m2/x.iso');
  assert.deepEqual(node.calls.filter((x) => x.startsWith('download-url')), ['download-url http://m1/x.iso', 'download-url http://m2/x.iso']);
  const retry = events.events.find((e) => e.event === 'retry');
  assert.ok(retry && retry.event === 'retry' && retry.nextUrl === 'http://m2/x.iso');
});

test('a hanging task is stopped at the stall timeout and nothing keeps running', async () => {
  const node = new FakeNode();
  node.scripts = [{ lines: [[0, 'downloading'], [100, 'Length: 1000000 (1M)']] }];
  const { c } = ctx(node, { stallMs: 30_000 });
  await assert.rejects(runJob(job(), c), (e: unknown) => e instanceof DownloadError && e.code === 'E_DOWNLOAD_STALLED' && /no progress for 30s/.test(e.message) && /stopped the task/.test(e.message));
  assert.deepEqual(node.runningTasks(), []);
  assert.ok(node.calls.some((x) => x.startsWith('stop ')));
  // stopped at the limit, not much later
  // (the log is tailed once a second, and the stop is awaited)
  assert.ok(node.t >= 30_100 && node.t <= 32_500, String(node.t));
});

test('the overall download timeout stops a task that still moves', async () => {
  const node = new FakeNode();
  node.scripts = [{ lines: Array.from({ length: 1000 }, (_, i) => [i * 1000, ` ${i * 32768}K ........ ........ ........ ........ ${i % 100}% 1M 10m`] as [number, string]) }];
  const { c } = ctx(node, { stallMs: 60_000, overallMs: 120_000 });
  await assert.rejects(runJob(job(), c), (e: unknown) => e instanceof DownloadError && e.code === 'E_DOWNLOAD_TIMEOUT');
  assert.deepEqual(node.runningTasks(), []);
});

test('an abort stops our task, waits for it to stop, and throws InterruptedError', async () => {
  const node = new FakeNode();
  node.scripts = [{ lines: [[0, 'downloading']] }];
  const controller = new AbortController();
  const api = node.api();
  const origStatus = api.taskStatus.bind(api);
  let polls = 0;
  api.taskStatus = async (upid, opts) => {
    if (++polls === 5) controller.abort(new Error('SIGINT'));
    return origStatus(upid, opts);
  };
  const events = collectEvents();
  await assert.rejects(
    runJob(job(), { api, sink: events, now: node.now, sleep: node.sleep, lockDir, signal: controller.signal }),
    (e: unknown) => e instanceof InterruptedError && /stopped the download/.test(e.message),
  );
  assert.deepEqual(node.runningTasks(), []);
});

test('a download already running on the node (another run) is awaited, not started twice', async () => {
  const node = new FakeNode();
  node.scripts = [okScript(5 * MIB)];
  const first = ctx(node);
  const j = job();
  // another run started it
  const other = await node.api().downloadUrl('pve', 'local', { url: 'http://m1/x.iso', filename: j.filename });
  const result = await runJob(j, first.c);
  assert.equal(result.outcome, 'awaited');
  assert.equal(result.upid, other);
  assert.equal(node.calls.filter((x) => x.startsWith('download-url')).length, 1);
});

test('a 4xx answer to download-url is not retried', async () => {
  const node = new FakeNode();
  node.scripts = [() => { throw new ProxmoxError('Permission check failed', { code: 'E_PVE_PERMISSION', status: 403 }); }];
  const { c } = ctx(node);
  await assert.rejects(runJob(job(), c), (e: unknown) => e instanceof ProxmoxError && e.status === 403);
  assert.equal(node.calls.filter((x) => x.startsWith('download-url')).length, 1);
});

test('reuse emits reused without any API call', async () => {
  const node = new FakeNode();
  const { c, events } = ctx(node);
  const result = await runJob(job({ action: 'reuse', size: 42 }), c);
  assert.equal(result.outcome, 'reused');
  assert.deepEqual(node.calls, []);
  assert.equal(events.events[0]!.event, 'reused');
});
