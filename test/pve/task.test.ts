import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TaskLogTail, classifyTaskError, stopTaskAndWait, taskError, taskResult, waitForTask, type TaskApi } from '../../src/pve/task.js';
import type { RetryClock } from '../../src/pve/retry.js';
import type { TaskLogLine, TaskStatus } from '../../src/pve/types.js';
import { DownloadError, ProxmoxError } from '../../src/errors.js';

const UPID = 'UPID:pve:00001234:00005678:6650F0A1:download:debian.iso:root@pam:';

/** A node whose task runs for `runningPolls` status polls and writes `log` progressively. */
function fakeNode(opts: { log: string[]; runningPolls: number; exitstatus: string; noSuchTaskPolls?: number }) {
  let polls = 0;
  const calls: string[] = [];
  const api: TaskApi = {
    async taskStatus(upid) {
      calls.push('status');
      polls++;
      if (polls <= (opts.noSuchTaskPolls ?? 0)) throw new ProxmoxError('no such task', { code: 'E_PVE_NO_SUCH_TASK', status: 400 });
      const running = polls <= (opts.noSuchTaskPolls ?? 0) + opts.runningPolls;
      return { upid, node: 'pve', status: running ? 'running' : 'stopped', ...(running ? {} : { exitstatus: opts.exitstatus }), type: 'download', id: 'debian.iso', user: 'root@pam', starttime: 1, pid: 1 } satisfies TaskStatus;
    },
    async taskLog(_upid, range = {}) {
      calls.push(`log:${range.start}`);
      const visible = Math.min(opts.log.length, polls * 2);
      const start = range.start ?? 0;
      if (visible === 0) return { lines: [{ n: 1, t: 'no content' }], total: 1 };
      const lines: TaskLogLine[] = opts.log.slice(start, visible).slice(0, range.limit ?? 50).map((t, i) => ({ n: start + i + 1, t }));
      return { lines, total: visible };
    },
    async stopTask() {
      calls.push('stop');
    },
  };
  return { api, calls };
}

function fakeClock(): RetryClock & { sleeps: number[] } {
  let t = 0;
  const sleeps: number[] = [];
  return { sleeps, now: () => t, sleep: async (ms) => void (sleeps.push(ms), (t += ms)) };
}

test('waitForTask polls with a short growing backoff capped at 0.5 s and delivers each log line once', async () => {
  const log = ['downloading x', 'Length: 100', '     0K ........ 50% 1M 1s', '100K 100%', 'calculating checksum...OK, checksum verified', 'TASK OK'];
  const { api } = fakeNode({ log, runningPolls: 6, exitstatus: 'OK' });
  const clock = fakeClock();
  const seen: string[] = [];
  const statuses: string[] = [];
  const r = await waitForTask(api, UPID, { clock, onLog: (l) => seen.push(l.t), onStatus: (s) => statuses.push(s.status) });
  assert.deepEqual(r, { upid: UPID, node: 'pve', exitstatus: 'OK', ok: true });
  assert.deepEqual(seen, log);
  assert.deepEqual(clock.sleeps, [100, 150, 225, 338, 500, 500]);
  assert.ok(Math.max(...clock.sleeps) <= 500, 'the end of the task is seen within 0.5 s');
  assert.equal(statuses.at(-1), 'stopped');
});

test('"no such task" right after the start is tolerated, later it is an error', async () => {
  const early = fakeNode({ log: ['TASK OK'], runningPolls: 0, exitstatus: 'OK', noSuchTaskPolls: 2 });
  assert.equal((await waitForTask(early.api, UPID, { clock: fakeClock() })).ok, true);
  const late = fakeNode({ log: [], runningPolls: 0, exitstatus: 'OK', noSuchTaskPolls: 1000 });
  await assert.rejects(waitForTask(late.api, UPID, { clock: fakeClock(), appearGraceMs: 1_000 }), (e: unknown) => e instanceof ProxmoxError && e.code === 'E_PVE_NO_SUCH_TASK');
});

test('the log tail starts at the last line seen and ignores the `no content` placeholder', async () => {
  const { api, calls } = fakeNode({ log: ['a', 'b', 'c'], runningPolls: 5, exitstatus: 'OK' });
  const tail = new TaskLogTail(api, UPID);
  assert.deepEqual(await tail.next(), [], 'empty log: nothing, position unchanged');
  await api.taskStatus(UPID);
  assert.deepEqual((await tail.next()).map((l) => l.t), ['a', 'b']);
  await api.taskStatus(UPID);
  assert.deepEqual((await tail.next()).map((l) => [l.n, l.t]), [[3, 'c']]);
  assert.deepEqual(calls.filter((c) => c.startsWith('log')), ['log:0', 'log:0', 'log:2']);
});

test('WARNINGS: n is success, anything else is a failure', () => {
  assert.deepEqual(taskResult(UPID, 'WARNINGS: 2'), { upid: UPID, node: 'pve', exitstatus: 'WARNINGS: 2', ok: true, warnings: 2 });
  assert.equal(taskResult(UPID, 'checksum mismatch: got a != expect b').ok, false);
  assert.equal(taskResult(UPID, undefined).exitstatus, 'unexpected status');
});

test('stopTaskAndWait stops, then waits until stopped; gives up with a pvenode hint', async () => {
  const { api, calls } = fakeNode({ log: [], runningPolls: 3, exitstatus: 'download failed: received interrupt' });
  const r = await stopTaskAndWait(api, UPID, { clock: fakeClock() });
  assert.equal(calls[0], 'stop');
  assert.equal(r.ok, false);
  const stuck = fakeNode({ log: [], runningPolls: 10_000, exitstatus: 'OK' });
  await assert.rejects(stopTaskAndWait(stuck.api, UPID, { clock: fakeClock(), timeoutMs: 2_000 }), (e: unknown) => e instanceof ProxmoxError && e.code === 'E_PVE_TASK_STOP' && /pvenode task stop UPID:pve:/.test(e.hint ?? ''));
});

const taskErrors: Array<[string, string, RegExp]> = [
  ["checksum mismatch: got 'ab12' != expect 'cd34'", 'E_TASK_CHECKSUM', /does not match iso_checksum/],
  ["checksum mismatch: got 'ab12' != expect 'cd34', aborting", 'E_TASK_CHECKSUM_EXISTING', /--overwrite/],
  ["refusing to override existing file '/var/lib/vz/template/iso/x.iso'", 'E_TASK_FILE_EXISTS', /\/var\/lib\/vz\/template\/iso\/x\.iso already exists.*iso_checksum.*--overwrite/],
  ['download failed: 2026-05-03 11:09:57 ERROR 404: Not Found.', 'E_TASK_HTTP', /HTTP 404 \(Not Found\)/],
  ['download failed: wget: unable to resolve host address', 'E_TASK_DOWNLOAD', /datacenter\.cfg/],
  ['download failed: received interrupt', 'E_TASK_INTERRUPTED', /stopped/],
  ['received interrupt', 'E_TASK_INTERRUPTED', /stopped/],
  ['failed to verify file: not an ISO', 'E_TASK_INVALID_FILE', /HTML page/],
  ['unexpected status', 'E_TASK_KILLED', /tmp_dwnl/],
  ['something new', 'E_TASK_FAILED', /task log/],
];
for (const [status, code, hint] of taskErrors) {
  test(`task error '${status.slice(0, 40)}' → ${code}`, () => {
    assert.equal(classifyTaskError(status).code, code);
    const e = taskError(taskResult(UPID, status), [{ n: 1, t: 'downloading x' }]);
    assert.ok(e instanceof DownloadError, 'download tasks fail as DownloadError');
    assert.equal(e.code, code);
    assert.match(e.hint ?? '', hint);
    assert.ok(e.message.includes(`TASK ERROR: ${status}`), 'the TASK ERROR text is shown, not hidden');
    assert.deepEqual(e.details?.log, ['downloading x']);
  });
}

test('a failed non-download task is a ProxmoxError', () => {
  const e = taskError(taskResult('UPID:pve:00001234:00005678:6650F0A1:imgdel:local:root@pam:', 'oops'));
  assert.ok(e instanceof ProxmoxError);
});
