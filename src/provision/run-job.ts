// Runs one download job to its end: reuse, wait for another run's task, replace, or download-url
// with the checksum (Proxmox verifies before the file appears) — retrying transient failures with
// backoff and falling back to the next mirror when a URL cannot work.

import { DownloadError, InterruptedError, type HclxError } from '../errors.js';
import type { Logger } from '../log.js';
import { DEFAULT_RETRY_POLICY, backoffDelay, isTransient, realClock, type RetryPolicy } from '../pve/retry.js';
import type { TaskListItem } from '../pve/types.js';
import type { EventSink, IsoOutcome, JobRef } from './events.js';
import { classifyTaskFailure, type FailureKind } from './failure.js';
import { followTask, type Sleep, type TaskOutcome } from './follow-task.js';
import type { DownloadJob } from './planner.js';
import type { NodeApi } from './request.js';
import { acquireStartLock } from './start-lock.js';
import type { Clock } from './watchdog.js';

export interface JobContext {
  api: NodeApi;
  sink: EventSink;
  signal?: AbortSignal;
  stallMs?: number;
  overallMs?: number;
  /** verify-certificates for the node's own download (default true). */
  verifyCertificates?: boolean;
  retryPolicy?: RetryPolicy;
  logger?: Logger;
  now?: Clock;
  sleep?: Sleep;
  random?: () => number;
  /** Directory of the cross-process start locks (default: the OS temp dir). */
  lockDir?: string;
  /** Poll timing, for tests. */
  pollMinMs?: number;
  pollMaxMs?: number;
  logEveryMs?: number;
}

export interface JobResult {
  job: DownloadJob;
  outcome: IsoOutcome;
  size?: number;
  seconds: number;
  url?: string;
  upid?: string;
}

function refOf(job: DownloadJob): JobRef {
  return { volid: job.volid, node: job.node, storage: job.storage };
}

function specsOf(job: DownloadJob): string[] {
  return job.requests.map((r) => r.label);
}

/** The hint for a task that failed for good, by Proxmox's message. */
function hintFor(exitstatus: string, job: DownloadJob, url: string): string {
  if (/checksum mismatch/i.test(exitstatus)) {
    return `The file at ${url} does not match iso_checksum, and Proxmox removed what it downloaded. Check the checksum (for a file: checksum, that the sums file is for this ISO version) and the mirror.`;
  }
  if (/refusing to override/i.test(exitstatus)) {
    return `A file named ${job.filename} exists on the storage and cannot be proven correct without a checksum: set iso_checksum, or run with --overwrite to replace it.`;
  }
  if (/ERROR 4\d\d/.test(exitstatus)) return `The node could not get ${url}: check the URL (a newer point release may have replaced it) or add a mirror to iso_urls.`;
  if (/certificate|SSL|TLS/i.test(exitstatus)) return 'The node does not trust the mirror\'s TLS certificate: fix the mirror, add its CA on the node, or (for a trusted network only) use --no-verify-iso-certificates.';
  return 'See the task log above; check that the node reaches the URL (datacenter.cfg http_proxy, DNS, firewall).';
}

function taskFailure(job: DownloadJob, url: string, outcome: TaskOutcome, kind: FailureKind): DownloadError {
  return new DownloadError(`Proxmox could not download ${job.volid} on node '${job.node}' from ${url}: ${outcome.exitstatus}.`, {
    code: kind === 'fatal' && /checksum mismatch/i.test(outcome.exitstatus) ? 'E_CHECKSUM_MISMATCH' : 'E_DOWNLOAD',
    hint: hintFor(outcome.exitstatus, job, url),
    details: { upid: outcome.upid, exitstatus: outcome.exitstatus, log: outcome.log, url },
  });
}

async function findRunning(api: NodeApi, job: DownloadJob, signal?: AbortSignal): Promise<TaskListItem | undefined> {
  const tasks = await api.tasks(job.node, { typefilter: 'download', source: 'active' }, signal ? { signal } : {});
  return tasks.find((t) => t.type === 'download' && t.id === job.filename && (t.status === undefined || t.status === 'RUNNING'));
}

async function isPresent(api: NodeApi, job: DownloadJob, signal?: AbortSignal): Promise<number | undefined> {
  const items = await api.content(job.node, job.storage, { content: 'iso' }, signal ? { signal } : {});
  return items.find((c) => c.volid === job.volid)?.size;
}

export async function runJob(job: DownloadJob, ctx: JobContext): Promise<JobResult> {
  const now = ctx.now ?? Date.now;
  const sleep = ctx.sleep ?? realClock.sleep;
  const started = now();
  const ref = refOf(job);
  const elapsed = () => (now() - started) / 1000;
  const follow = (upid: string, owned: boolean, url?: string) =>
    followTask(ctx.api, upid, {
      owned,
      what: { volid: job.volid, ...(url ? { url } : {}) },
      ...(ctx.signal ? { signal: ctx.signal } : {}),
      ...(ctx.stallMs !== undefined ? { stallMs: ctx.stallMs } : {}),
      ...(ctx.overallMs !== undefined ? { overallMs: ctx.overallMs } : {}),
      ...(ctx.logger ? { logger: ctx.logger } : {}),
      now,
      sleep,
      ...(ctx.pollMinMs !== undefined ? { pollMinMs: ctx.pollMinMs } : {}),
      ...(ctx.pollMaxMs !== undefined ? { pollMaxMs: ctx.pollMaxMs } : {}),
      ...(ctx.logEveryMs !== undefined ? { logEveryMs: ctx.logEveryMs } : {}),
      onProgress: (p) =>
        ctx.sink.emit({
          ...ref,
          event: 'progress',
          phase: p.phase,
          bytes: p.bytes,
          ...(p.total !== undefined ? { total: p.total } : {}),
          ...(p.percent !== undefined ? { percent: p.percent } : {}),
          ...(p.bytesPerSecond !== undefined ? { bytesPerSecond: p.bytesPerSecond } : {}),
          ...(p.etaSeconds !== undefined ? { etaSeconds: p.etaSeconds } : {}),
        }),
    });

  if (job.action === 'reuse') {
    ctx.sink.emit({ ...ref, event: 'reused', ...(job.size !== undefined ? { size: job.size } : {}), seconds: 0 });
    return { job, outcome: 'reused', ...(job.size !== undefined ? { size: job.size } : {}), seconds: 0 };
  }
  if (job.action === 'refuse') throw new DownloadError(`${job.volid} exists and cannot be verified (iso_checksum = "none").`, { code: 'E_ISO_EXISTS_UNVERIFIABLE', hint: 'Set iso_checksum, or run with --overwrite.' });

  // Another run is downloading it: wait for that task instead of starting a second one.
  const awaitOther = async (task: TaskListItem): Promise<JobResult | undefined> => {
    ctx.sink.emit({ ...ref, event: 'start', url: job.urls[0] ?? '', filename: job.filename, action: 'await', specs: specsOf(job), upid: task.upid });
    const theirs = await follow(task.upid, false);
    if (!theirs.ok) {
      ctx.logger?.info(`the other run's download of ${job.volid} failed (${theirs.exitstatus}); downloading it here.`);
      return undefined;
    }
    // A URL-named file from someone else is only as good as its checksum: let Proxmox verify it.
    if (job.reuse === 'verify') return undefined;
    const size = (await isPresent(ctx.api, job, ctx.signal)) ?? theirs.progress.total;
    ctx.sink.emit({ ...ref, event: 'awaited', ...(size !== undefined ? { size } : {}), seconds: elapsed() });
    return { job, outcome: 'awaited', ...(size !== undefined ? { size } : {}), seconds: elapsed(), upid: task.upid };
  };

  if (job.action === 'await' && job.activeTask) {
    const done = await awaitOther(job.activeTask);
    if (done) return done;
  }

  if (job.action === 'replace' && job.existing) {
    ctx.sink.emit({ ...ref, event: 'start', url: job.urls[0] ?? '', filename: job.filename, action: 'overwrite', specs: specsOf(job) });
    const upid = await ctx.api.deleteContent(job.node, job.volid, {}, ctx.signal ? { signal: ctx.signal } : {});
    if (upid) {
      const del = await follow(upid, true);
      if (!del.ok) throw new DownloadError(`Proxmox could not delete ${job.volid} for --overwrite: ${del.exitstatus}.`, { hint: 'Deleting needs Datastore.Allocate on the storage.', details: { log: del.log } });
    }
  }

  const policy = ctx.retryPolicy ?? DEFAULT_RETRY_POLICY;
  const failures: string[] = [];
  const lockKey = `${job.key}`;
  for (let ui = 0; ui < job.urls.length; ui++) {
    const url = job.urls[ui]!;
    const nextUrl = job.urls[ui + 1];
    for (let attempt = 1; attempt <= policy.maxAttempts; attempt++) {
      let upid = '';
      let failure: { kind: FailureKind; reason: string; error: HclxError | undefined } | undefined;
      const lock = await acquireStartLock(lockKey, { ...(ctx.lockDir ? { dir: ctx.lockDir } : {}), ...(ctx.signal ? { signal: ctx.signal } : {}) }).catch((e: unknown) => {
        if (ctx.signal?.aborted) throw new InterruptedError(`interrupted before the download of ${job.volid} started; nothing was left on the node.`);
        throw e;
      });
      try {
        const running = await findRunning(ctx.api, job, ctx.signal);
        if (running) {
          lock.release();
          const done = await awaitOther(running);
          if (done) return done;
          attempt--;
          continue;
        }
        // The lock's previous holder may have finished the very file we need.
        if (lock.waited && job.reuse === 'trust-name') {
          const size = await isPresent(ctx.api, job, ctx.signal);
          if (size !== undefined) {
            ctx.sink.emit({ ...ref, event: 'awaited', size, seconds: elapsed() });
            return { job, outcome: 'awaited', size, seconds: elapsed() };
          }
        }
        upid = await ctx.api.downloadUrl(
          job.node,
          job.storage,
          {
            url,
            filename: job.filename,
            content: 'iso',
            ...(job.checksum.algorithm !== 'none' ? { checksum: { algorithm: job.checksum.algorithm, value: job.checksum.value } } : {}),
            verifyCertificates: ctx.verifyCertificates ?? true,
          },
          ctx.signal ? { signal: ctx.signal } : {},
        );
      } catch (error) {
        lock.release();
        if (ctx.signal?.aborted) throw new InterruptedError(`interrupted before the download of ${job.volid} started.`);
        if (!isTransient(error)) throw error;
        failure = { kind: 'transient', reason: (error as Error).message, error: error as HclxError };
      } finally {
        lock.release();
      }
      if (upid) {
        const action = job.reuse === 'verify' && (job.action === 'verify' || job.existing) ? 'verify' : 'download';
        ctx.sink.emit({ ...ref, event: 'start', url, filename: job.filename, action, specs: specsOf(job), upid });
        const outcome = await follow(upid, true, url);
        if (outcome.ok) {
          const verified = outcome.progress.existingFileVerified;
          const size = outcome.progress.total ?? (outcome.progress.bytes || job.size);
          const kind = verified ? 'verified' : 'downloaded';
          ctx.sink.emit({ ...ref, event: kind, ...(size !== undefined ? { size } : {}), seconds: elapsed(), url });
          return { job, outcome: kind, ...(size !== undefined ? { size } : {}), seconds: elapsed(), url, upid };
        }
        const kind = classifyTaskFailure(outcome.exitstatus);
        const error = taskFailure(job, url, outcome, kind);
        if (kind === 'fatal') throw error;
        failure = { kind, reason: outcome.exitstatus, error };
      }
      if (!failure) continue; // unreachable: either a task ran or the call failed
      if (failure.kind === 'transient' && attempt < policy.maxAttempts) {
        const delayMs = backoffDelay(policy, attempt, ctx.random);
        ctx.sink.emit({ ...ref, event: 'retry', attempt, delayMs, reason: failure.reason, url });
        try {
          await sleep(delayMs, ctx.signal);
        } catch {
          throw new InterruptedError(`interrupted while waiting to retry the download of ${job.volid}; no task is running for it.`);
        }
        continue;
      }
      failures.push(`${url}: ${failure.reason}`);
      if (nextUrl) ctx.sink.emit({ ...ref, event: 'retry', attempt, delayMs: 0, reason: failure.reason, url, nextUrl });
      else if (job.urls.length === 1 && failure.error) throw failure.error;
      break;
    }
  }
  throw new DownloadError(`Proxmox could not download ${job.volid} on node '${job.node}' from any of its ${job.urls.length} URLs: ${failures.join('; ')}.`, {
    code: 'E_DOWNLOAD_ALL_MIRRORS',
    hint: 'Check the URLs in iso_urls and that the node reaches them (datacenter.cfg http_proxy, DNS, firewall).',
  });
}
