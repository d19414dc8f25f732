// Following Proxmox tasks: poll the status with a short backoff (the end is seen within 0.5 s),
// tail the log by line number, stop a task and wait until it is gone, and turn a failed task's
// `TASK ERROR` text into an error that says what to do.

import { DownloadError, ProxmoxError, type HclxError } from '../errors.js';
import { PveErrorCode } from './api-error.js';
import type { PveClient } from './client.js';
import { realClock, type RetryClock } from './retry.js';
import type { TaskLogLine, TaskStatus } from './types.js';
import { parseUpid } from './upid.js';

/** The calls task helpers make (a PveClient, or a recorded fake in tests). */
export type TaskApi = Pick<PveClient, 'taskStatus' | 'taskLog' | 'stopTask'>;

export interface TaskResult {
  upid: string;
  node: string;
  /** `OK`, `WARNINGS: n`, or the error text. */
  exitstatus: string;
  /** True for `OK` and `WARNINGS: n`, as Proxmox's own status_is_error. */
  ok: boolean;
  /** Number of warnings when the status is `WARNINGS: n`. */
  warnings?: number;
}

export interface WaitForTaskOptions {
  signal?: AbortSignal;
  /** Receives every new log line once, in order (tailing costs one extra call per poll). */
  onLog?: (line: TaskLogLine) => void;
  /** Called after every status poll (progress, stall detection). */
  onStatus?: (status: TaskStatus) => void;
  /** First poll interval (default 100 ms); grows ×1.5 up to maxPollMs. */
  pollMs?: number;
  /** Largest poll interval (default 500 ms: the end of a task is seen within half a second). */
  maxPollMs?: number;
  /** How long `400 no such task` is tolerated right after the task was started (default 5 s). */
  appearGraceMs?: number;
  clock?: RetryClock;
}

export function taskResult(upid: string, exitstatus: string | undefined): TaskResult {
  const status = exitstatus ?? 'unexpected status';
  const warn = /^WARNINGS: (\d+)$/.exec(status);
  return {
    upid,
    node: parseUpid(upid).node,
    exitstatus: status,
    ok: status === 'OK' || !!warn,
    ...(warn ? { warnings: Number(warn[1]) } : {}),
  };
}

/** Tails a task's log: every call returns the lines not seen yet. */
export class TaskLogTail {
  private last = 0;
  constructor(
    private readonly client: TaskApi,
    readonly upid: string,
  ) {}

  async next(signal?: AbortSignal): Promise<TaskLogLine[]> {
    const out: TaskLogLine[] = [];
    // Bounded: at most 20 pages of 500 lines per call; the rest comes with the next call.
    for (let page = 0; page < 20; page++) {
      const { lines } = await this.client.taskLog(this.upid, { start: this.last, limit: 500 }, signal ? { signal } : {});
      // An empty log file is reported as one line `no content`; it is not a line of the log.
      const real = lines.filter((l) => l.n > this.last && !(l.n === 1 && l.t === 'no content' && lines.length === 1));
      out.push(...real);
      if (real.length) this.last = real[real.length - 1]!.n;
      if (lines.length < 500) break;
    }
    return out;
  }
}

/** Waits until the task has stopped and returns its result (it does not throw for a failed task). */
export async function waitForTask(client: TaskApi, upid: string, options: WaitForTaskOptions = {}): Promise<TaskResult> {
  const clock = options.clock ?? realClock;
  const maxPoll = options.maxPollMs ?? 500;
  const grace = options.appearGraceMs ?? 5_000;
  const tail = options.onLog ? new TaskLogTail(client, upid) : undefined;
  const started = clock.now();
  const reqOpts = options.signal ? { signal: options.signal } : {};
  let delay = Math.min(options.pollMs ?? 100, maxPoll);
  for (;;) {
    options.signal?.throwIfAborted();
    let status: TaskStatus | undefined;
    try {
      status = await client.taskStatus(upid, reqOpts);
    } catch (error) {
      const young = clock.now() - started < grace;
      if (!(young && error instanceof ProxmoxError && error.code === PveErrorCode.noSuchTask)) throw error;
    }
    if (status) options.onStatus?.(status);
    if (tail) for (const line of await tail.next(options.signal)) options.onLog!(line);
    if (status?.status === 'stopped') return taskResult(upid, status.exitstatus);
    await clock.sleep(delay, options.signal);
    delay = Math.min(Math.round(delay * 1.5), maxPoll);
  }
}

/** Stops a task and waits (bounded by `timeoutMs`, default 15 s) until the node reports it stopped. */
export async function stopTaskAndWait(client: TaskApi, upid: string, options: { signal?: AbortSignal; timeoutMs?: number; clock?: RetryClock } = {}): Promise<TaskResult> {
  const clock = options.clock ?? realClock;
  const reqOpts = options.signal ? { signal: options.signal } : {};
  await client.stopTask(upid, reqOpts);
  const deadline = clock.now() + (options.timeoutMs ?? 15_000);
  let delay = 100;
  for (;;) {
    const status = await client.taskStatus(upid, reqOpts);
    if (status.status === 'stopped') return taskResult(upid, status.exitstatus);
    if (clock.now() >= deadline) {
      throw new ProxmoxError(`Task ${upid} did not stop within ${Math.round((options.timeoutMs ?? 15_000) / 1000)} s.`, {
        code: 'E_PVE_TASK_STOP',
        hint: `Stop it on the node with \`pvenode task stop ${upid}\` (the UPID is in this message) and check for leftover *.tmp_dwnl.* files in the storage's template/iso directory.`,
      });
    }
    await clock.sleep(delay, options.signal);
    delay = Math.min(delay * 2, 500);
  }
}

/** What a failed task's exit status means, with the fix. */
export function classifyTaskError(exitstatus: string): { code: string; hint: string } {
  let m: RegExpExecArray | null;
  if (/checksum mismatch/.test(exitstatus)) {
    return /aborting/.test(exitstatus)
      ? { code: 'E_TASK_CHECKSUM_EXISTING', hint: 'A file with that name is already on the storage and its content differs from iso_checksum; it was left untouched. Delete or rename it, or let hclx replace it with --overwrite.' }
      : { code: 'E_TASK_CHECKSUM', hint: 'The downloaded file does not match iso_checksum and was discarded; check that the checksum belongs to this URL (mirrors replace point releases), or update iso_checksum.' };
  }
  if ((m = /refusing to override existing file '([^']+)'/.exec(exitstatus))) {
    return { code: 'E_TASK_FILE_EXISTS', hint: `${m[1]} already exists and, without a checksum, cannot be verified; set iso_checksum so Proxmox can verify it, or replace it with --overwrite.` };
  }
  if (/received interrupt/.test(exitstatus)) return { code: 'E_TASK_INTERRUPTED', hint: 'The task was stopped before it finished; nothing was stored.' };
  if ((m = /ERROR (\d{3})[:.]?\s*([^.]*)/.exec(exitstatus)) && /download failed/.test(exitstatus)) {
    return { code: 'E_TASK_HTTP', hint: `The mirror answered HTTP ${m[1]}${m[2] ? ` (${m[2].trim()})` : ''} to the node; check the URL in a browser or with \`curl -I\` from the node, or list another mirror in iso_urls.` };
  }
  if (/download failed/.test(exitstatus)) {
    return { code: 'E_TASK_DOWNLOAD', hint: "The node could not download the URL; check the node's DNS, its route to the mirror, and the proxy in datacenter.cfg (http_proxy). The task log has wget's output." };
  }
  if (/failed to verify file/.test(exitstatus)) return { code: 'E_TASK_INVALID_FILE', hint: 'Proxmox refused the downloaded file as an ISO image; check that the URL points at an ISO, not at an HTML page or a compressed file.' };
  if (/unexpected status/.test(exitstatus)) return { code: 'E_TASK_KILLED', hint: 'The task was killed or the node restarted; look for leftover *.tmp_dwnl.* files in the storage and run again.' };
  return { code: 'E_TASK_FAILED', hint: 'The task log above says why.' };
}

/** The error for a failed task: DownloadError for `download` tasks, ProxmoxError otherwise. */
export function taskError(result: TaskResult, log: TaskLogLine[] = []): HclxError {
  const { code, hint } = classifyTaskError(result.exitstatus);
  const { type, node } = parseUpid(result.upid);
  const message = `Proxmox task ${type} on node '${node}' failed: TASK ERROR: ${result.exitstatus}.`;
  const details = { upid: result.upid, exitstatus: result.exitstatus, log: log.map((l) => l.t) };
  return type === 'download' ? new DownloadError(message, { code, hint, details }) : new ProxmoxError(message, { code, hint, details });
}
