// Follows a Proxmox task to its end: polls its status with a short backoff (so the end is seen
// within half a second), tails its log for progress, and enforces the stall and overall limits.
// A task this run started is never left behind: on a limit, an abort (Ctrl-C) or a failure to
// follow it, it is stopped (DELETE .../tasks/{upid}) and awaited until Proxmox reports it stopped,
// which is when the worker has removed its temporary file.

import { DownloadError, InterruptedError, ProxmoxError } from '../errors.js';
import type { Logger } from '../log.js';
import { realClock } from '../pve/retry.js';
import { isTaskSuccess } from './failure.js';
import type { NodeApi } from './request.js';
import { applyLogLine, initialProgress, type DownloadProgress } from './task-log.js';
import { formatBytes, formatElapsed } from './units.js';
import { Watchdog, type Clock } from './watchdog.js';

export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

export interface FollowOptions {
  signal?: AbortSignal;
  /** No progress for this long: stop the task (0 = never). */
  stallMs?: number;
  /** Longer than this in total: stop the task (0 = never). */
  overallMs?: number;
  /** Whether this run started the task (only then is it stopped on abort or timeout). */
  owned: boolean;
  onProgress?: (progress: DownloadProgress) => void;
  /** What the task is for, in messages: the volid and the URL. */
  what: { volid: string; url?: string };
  logger?: Logger;
  now?: Clock;
  sleep?: Sleep;
  /** First and longest wait between status polls (defaults 100 and 400 ms). */
  pollMinMs?: number;
  pollMaxMs?: number;
  /** How often the log is tailed while the task runs (default 1 s; always once at the end). */
  logEveryMs?: number;
  /** How long to wait for a stopped task to go away (default 20 s; Proxmox SIGKILLs after 5 s). */
  stopWaitMs?: number;
}

export interface TaskOutcome {
  upid: string;
  ok: boolean;
  /** `OK`, `WARNINGS: n`, or the `TASK ERROR` text. */
  exitstatus: string;
  /** The whole log, line by line. */
  log: string[];
  progress: DownloadProgress;
  seconds: number;
}

const LOG_PAGE = 500;

class LogTail {
  lines: string[] = [];
  private next = 0;
  progress: DownloadProgress = initialProgress();

  constructor(
    private readonly api: NodeApi,
    private readonly upid: string,
  ) {}

  /** Fetches new lines; returns whether any arrived. */
  async poll(signal?: AbortSignal, all = false): Promise<boolean> {
    let got = false;
    for (let page = 0; page < 10_000; page++) {
      // Re-read the last line seen: Proxmox prints `calculating checksum...` and completes that
      // same line (`...OK, checksum verified`) when the hash is done.
      const from = Math.max(0, this.next - 1);
      const res = await this.api.taskLog(this.upid, { start: from, limit: LOG_PAGE }, signal ? { signal } : {});
      // An empty log reads as one `no content` line; it must not advance the cursor.
      const lines = res.lines.length === 1 && res.lines[0]!.t === 'no content' && this.next === 0 ? [] : res.lines;
      let fresh = 0;
      for (const l of lines) {
        if (l.n < this.next) continue;
        if (l.n === this.next) {
          if (l.t === this.lines[this.lines.length - 1]) continue;
          this.lines[this.lines.length - 1] = l.t;
        } else {
          this.lines.push(l.t);
          this.next = l.n;
          fresh++;
        }
        this.progress = applyLogLine(this.progress, l.t);
        got = true;
      }
      if (!all || fresh < LOG_PAGE - 1) break;
    }
    return got;
  }
}

/** Stops a task and waits until Proxmox reports it stopped. Best effort: never throws. */
export async function stopTaskAndWait(api: NodeApi, upid: string, options: { logger?: Logger; now?: Clock; sleep?: Sleep; waitMs?: number } = {}): Promise<boolean> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? realClock.sleep;
  const deadline = now() + (options.waitMs ?? 20_000);
  try {
    await api.stopTask(upid);
  } catch (error) {
    options.logger?.debug(`stopping ${upid}: ${(error as Error).message}`);
  }
  for (let i = 0; i < 1000 && now() < deadline; i++) {
    try {
      if ((await api.taskStatus(upid)).status === 'stopped') return true;
    } catch (error) {
      options.logger?.debug(`status of ${upid} while stopping: ${(error as Error).message}`);
    }
    await sleep(100);
  }
  options.logger?.warn(`task ${upid} did not stop within ${formatElapsed((options.waitMs ?? 20_000) / 1000)}; check the node's task list.`);
  return false;
}

function progressMark(p: DownloadProgress, lines: number): string {
  return `${lines}|${p.bytes}|${p.phase}`;
}

function describeProgress(p: DownloadProgress): string {
  if (p.phase === 'verifying' || p.phase === 'verifying-existing') return 'while Proxmox was hashing the file';
  if (p.total) return `at ${formatBytes(p.bytes)} of ${formatBytes(p.total)}`;
  return p.bytes ? `at ${formatBytes(p.bytes)}` : 'before any data arrived';
}

export async function followTask(api: NodeApi, upid: string, options: FollowOptions): Promise<TaskOutcome> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? realClock.sleep;
  const pollMin = options.pollMinMs ?? 100;
  const pollMax = options.pollMaxMs ?? 400;
  const logEvery = options.logEveryMs ?? 1000;
  const started = now();
  const watchdog = new Watchdog({ stallMs: options.stallMs, overallMs: options.overallMs, now });
  const tail = new LogTail(api, upid);
  const stop = () => (options.owned ? stopTaskAndWait(api, upid, { logger: options.logger, now, sleep, waitMs: options.stopWaitMs }) : Promise.resolve(true));
  let delay = pollMin;
  let lastLogAt = -Infinity;
  let lastReported = '';
  let noSuchTask = 0;

  const interrupted = async (): Promise<never> => {
    const stopped = await stop();
    throw new InterruptedError(
      options.owned
        ? `interrupted: ${stopped ? 'stopped' : 'asked Proxmox to stop'} the download of ${options.what.volid} (task ${upid})${stopped ? '; Proxmox removed the partial file' : ''}.`
        : `interrupted while waiting for another run's download of ${options.what.volid} (task ${upid}, left running).`,
    );
  };

  for (;;) {
    if (options.signal?.aborted) return interrupted();
    try {
      const status = await api.taskStatus(upid, options.signal ? { signal: options.signal } : {});
      noSuchTask = 0;
      const stopped = status.status === 'stopped';
      if (stopped || now() - lastLogAt >= logEvery) {
        await tail.poll(options.signal, stopped);
        lastLogAt = now();
      }
      const mark = progressMark(tail.progress, tail.lines.length);
      watchdog.observe(mark);
      if (mark !== lastReported) {
        lastReported = mark;
        options.onProgress?.(tail.progress);
      }
      if (stopped) {
        const exitstatus = status.exitstatus ?? 'unexpected status';
        return { upid, ok: isTaskSuccess(exitstatus), exitstatus, log: tail.lines, progress: tail.progress, seconds: (now() - started) / 1000 };
      }
    } catch (error) {
      if (options.signal?.aborted) return interrupted();
      // Right after download-url returns, another node of the cluster may not know the task yet.
      if (error instanceof ProxmoxError && error.code === 'E_PVE_NO_SUCH_TASK' && noSuchTask++ < 20) {
        await sleep(250, options.signal).catch(() => undefined);
        continue;
      }
      // Losing sight of a task must not leave it running.
      await stop();
      throw error;
    }
    const verdict = watchdog.verdict();
    if (verdict.kind !== 'ok') {
      const stopped = await stop();
      const url = options.what.url ? ` from ${options.what.url}` : '';
      const stoppedText = options.owned ? (stopped ? ' hclx stopped the task and Proxmox removed the partial file.' : ' hclx asked Proxmox to stop the task.') : '';
      if (verdict.kind === 'stalled') {
        throw new DownloadError(
          `the download of ${options.what.volid}${url} made no progress for ${formatElapsed(verdict.idleMs / 1000)} (${describeProgress(tail.progress)}; task ${upid}).${stoppedText}`,
          {
            code: 'E_DOWNLOAD_STALLED',
            hint: 'Check that the node reaches the URL (`curl -I <url>` on the node; http_proxy in datacenter.cfg, DNS, firewall); on a slow link raise --stall-timeout (wget reports progress only every 32 MiB).',
            details: { upid, log: tail.lines },
          },
        );
      }
      throw new DownloadError(`the download of ${options.what.volid}${url} did not finish within --download-timeout ${formatElapsed(verdict.elapsedMs / 1000)} (${describeProgress(tail.progress)}; task ${upid}).${stoppedText}`, {
        code: 'E_DOWNLOAD_TIMEOUT',
        hint: 'Raise --download-timeout (or set it to none), or pick a faster mirror in iso_urls.',
        details: { upid, log: tail.lines },
      });
    }
    try {
      await sleep(Math.max(10, Math.min(delay, watchdog.msUntilDeadline())), options.signal);
    } catch {
      return interrupted();
    }
    delay = Math.min(pollMax, Math.round(delay * 1.5));
  }
}
