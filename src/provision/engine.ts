// The download engine: every ISO request ends up on its Proxmox storage, verified, with no ISO byte
// passing through this process. Plan first (read-only: inventory, naming, reuse, pre-flight with
// every problem reported together), then run the jobs in parallel, then summarise.

import { HclxError, InterruptedError } from '../errors.js';
import type { Logger } from '../log.js';
import { PveClient } from '../pve/client.js';
import type { PveConnection } from '../pve/connection.js';
import type { RetryPolicy } from '../pve/retry.js';
import type { EventSink, IsoOutcome, SummaryRow } from './events.js';
import type { Sleep } from './follow-task.js';
import { readInventory, type ClusterInventory } from './inventory.js';
import type { IsoNameMode } from './naming.js';
import { checkSpace, planJobs, type DownloadJob, type JobAction, type PreflightProblem } from './planner.js';
import { preflightError } from './preflight-error.js';
import { endpointOf, type IsoRequest, type NodeApi } from './request.js';
import { runJob, type JobResult } from './run-job.js';
import type { Clock } from './watchdog.js';

export const DEFAULT_PARALLEL = 4;
export const DEFAULT_STALL_MS = 5 * 60_000;

export interface PlanOptions {
  /** `--iso-name` (default checksum). */
  isoName?: IsoNameMode;
  /** `--overwrite`: replace a same-named file that iso_checksum = "none" cannot prove. */
  overwrite?: boolean;
  /** Ask the node for each missing ISO's size (query-url-metadata) to check free space (default true). */
  checkSize?: boolean;
  /** verify-certificates for the node's downloads (default true; `--no-verify-iso-certificates`). */
  verifyCertificates?: boolean;
  signal?: AbortSignal;
  logger?: Logger;
  /** How to talk to a cluster (default: a PveClient with the logger, closed at the end). */
  clientFor?: (connection: PveConnection) => NodeApi;
}

export interface ProvisionOptions extends PlanOptions {
  /** `--parallel` (default 4). */
  parallel?: number;
  /** `--stall-timeout` in ms (default 5 min; 0 = off). */
  stallMs?: number;
  /** `--download-timeout` in ms (default 0 = none). */
  overallMs?: number;
  sink?: EventSink;
  retryPolicy?: RetryPolicy;
  now?: Clock;
  sleep?: Sleep;
  random?: () => number;
  lockDir?: string;
  pollMinMs?: number;
  pollMaxMs?: number;
  logEveryMs?: number;
}

export type PlanState = 'present' | 'would-verify' | 'would-download' | 'would-replace' | 'refused' | 'downloading' | 'error';

const STATE_OF: Record<JobAction, PlanState> = {
  reuse: 'present',
  verify: 'would-verify',
  download: 'would-download',
  replace: 'would-replace',
  refuse: 'refused',
  await: 'downloading',
};

export interface PlanEntry {
  label: string;
  source: string;
  block: string;
  url: string;
  urls: string[];
  node: string;
  storage: string;
  filename?: string;
  volid?: string;
  checksum: string;
  state: PlanState;
  /** Whether the target file is on the storage now. */
  present: boolean;
  size?: number;
  /** For `error`: what is wrong. */
  problem?: string;
}

export interface PlanResult {
  entries: PlanEntry[];
  jobs: DownloadJob[];
  problems: PreflightProblem[];
}

export interface ProvisionedIso {
  request: IsoRequest;
  volid: string;
  node: string;
  storage: string;
  outcome: IsoOutcome;
  size?: number;
  seconds: number;
}

export interface ProvisionResult {
  isos: ProvisionedIso[];
  /** spec label → volid, for the rewrite. */
  volids: Map<string, string>;
  rows: SummaryRow[];
  seconds: number;
}

interface Session {
  clients: Map<string, NodeApi>;
  close(): Promise<void>;
}

function openSession(requests: readonly IsoRequest[], options: PlanOptions): Session {
  const clients = new Map<string, NodeApi>();
  const owned: PveClient[] = [];
  for (const r of requests) {
    const key = endpointOf(r.connection);
    if (clients.has(key)) continue;
    if (options.clientFor) {
      clients.set(key, options.clientFor(r.connection));
    } else {
      const client = new PveClient(r.connection, options.logger ? { logger: options.logger } : {});
      owned.push(client);
      clients.set(key, client);
    }
  }
  return { clients, close: async () => void (await Promise.all(owned.map((c) => c.close()))) };
}

function checksumText(r: IsoRequest): string {
  return r.checksum.algorithm === 'none' ? 'none' : `${r.checksum.algorithm}:${r.checksum.value}`;
}

async function planWith(session: Session, requests: readonly IsoRequest[], options: PlanOptions): Promise<PlanResult> {
  const inventories = new Map<string, ClusterInventory>();
  await Promise.all(
    [...session.clients].map(async ([endpoint, api]) => {
      const mine = requests.filter((r) => endpointOf(r.connection) === endpoint);
      inventories.set(endpoint, await readInventory(api, mine, options.signal));
    }),
  );
  if (options.signal?.aborted) throw new InterruptedError('interrupted while reading the cluster; nothing was downloaded.');
  const { jobs, problems } = planJobs(requests, inventories, { ...(options.isoName ? { isoName: options.isoName } : {}), ...(options.overwrite ? { overwrite: true } : {}) });
  if (options.checkSize !== false) {
    await Promise.all(
      jobs
        .filter((j) => j.action === 'download' || j.action === 'replace')
        .map(async (job) => {
          const api = session.clients.get(job.endpoint)!;
          try {
            const meta = await api.queryUrlMetadata(job.node, job.urls[0]!, { verifyCertificates: options.verifyCertificates ?? true }, { ...(options.signal ? { signal: options.signal } : {}), retry: false });
            if (meta.size !== undefined) job.size = meta.size;
          } catch (error) {
            // Not permitted, or the mirror refuses HEAD: the download itself may still work.
            options.logger?.debug(`size of ${job.urls[0]} unknown (query-url-metadata: ${error instanceof HclxError ? error.message : String(error)}); free space not checked for ${job.volid}`);
          }
        }),
    );
    problems.push(...checkSpace(jobs, inventories));
  }
  const entries: PlanEntry[] = requests.map((r) => {
    const job = jobs.find((j) => j.requests.includes(r));
    const problem = problems.find((p) => p.specs.includes(r.label));
    const base = { label: r.label, source: r.source, block: r.block, url: r.urls[0] ?? '', urls: r.urls, node: r.node, storage: r.storage, checksum: checksumText(r) };
    if (!job) return { ...base, state: 'error' as const, present: false, ...(problem ? { problem: problem.message } : {}) };
    return {
      ...base,
      filename: job.filename,
      volid: job.volid,
      state: problem && job.action !== 'refuse' ? ('error' as const) : STATE_OF[job.action],
      present: job.existing !== undefined,
      ...(job.size !== undefined ? { size: job.size } : {}),
      ...(problem ? { problem: problem.message } : {}),
    };
  });
  return { entries, jobs, problems };
}

/** Read-only: what each request needs on the node, and every pre-flight problem. */
export async function planIsos(requests: readonly IsoRequest[], options: PlanOptions = {}): Promise<PlanResult> {
  const session = openSession(requests, options);
  try {
    return await planWith(session, requests, options);
  } finally {
    await session.close();
  }
}

/** Runs `fn` over `items` with at most `limit` at a time; every item runs, results keep their order. */
async function settleLimited<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<PromiseSettledResult<R>[]> {
  const results: PromiseSettledResult<R>[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      try {
        results[i] = { status: 'fulfilled', value: await fn(items[i]!) };
      } catch (reason) {
        results[i] = { status: 'rejected', reason };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}

/**
 * Gets every ISO onto its storage. Throws the pre-flight error (nothing downloaded) or, after every
 * job has ended, the first download error (InterruptedError first when the run was interrupted).
 */
export async function provisionIsos(requests: readonly IsoRequest[], options: ProvisionOptions = {}): Promise<ProvisionResult> {
  const now = options.now ?? Date.now;
  const started = now();
  const sink = options.sink ?? { emit: () => undefined };
  for (const r of requests) {
    if (r.checksum.algorithm === 'none') {
      sink.emit({ event: 'warning', message: `${r.label}: iso_checksum is "none", so Proxmox cannot verify ${r.urls[0]} and hclx will never reuse a file of that name; set iso_checksum (e.g. "file:<url of SHA256SUMS>").` });
    }
  }
  const session = openSession(requests, options);
  try {
    const plan = await planWith(session, requests, options);
    const failed = preflightError(plan.problems);
    if (failed) throw failed;
    const results = await settleLimited(plan.jobs, options.parallel ?? DEFAULT_PARALLEL, (job) =>
      runJob(job, {
        api: session.clients.get(job.endpoint)!,
        sink,
        stallMs: options.stallMs ?? DEFAULT_STALL_MS,
        overallMs: options.overallMs ?? 0,
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.verifyCertificates !== undefined ? { verifyCertificates: options.verifyCertificates } : {}),
        ...(options.retryPolicy ? { retryPolicy: options.retryPolicy } : {}),
        ...(options.logger ? { logger: options.logger } : {}),
        ...(options.now ? { now: options.now } : {}),
        ...(options.sleep ? { sleep: options.sleep } : {}),
        ...(options.random ? { random: options.random } : {}),
        ...(options.lockDir ? { lockDir: options.lockDir } : {}),
        ...(options.pollMinMs !== undefined ? { pollMinMs: options.pollMinMs } : {}),
        ...(options.pollMaxMs !== undefined ? { pollMaxMs: options.pollMaxMs } : {}),
        ...(options.logEveryMs !== undefined ? { logEveryMs: options.logEveryMs } : {}),
      }),
    );
    const rows: SummaryRow[] = [];
    const isos: ProvisionedIso[] = [];
    const errors: unknown[] = [];
    results.forEach((res, i) => {
      const job = plan.jobs[i]!;
      const base = { volid: job.volid, node: job.node, storage: job.storage, specs: job.requests.map((r) => r.label) };
      if (res.status === 'fulfilled') {
        const r: JobResult = res.value;
        rows.push({ ...base, outcome: r.outcome, ...(r.size !== undefined ? { size: r.size } : {}), seconds: r.seconds, ...(r.url ? { url: r.url } : {}) });
        for (const request of job.requests) {
          isos.push({ request, volid: job.volid, node: job.node, storage: job.storage, outcome: r.outcome, ...(r.size !== undefined ? { size: r.size } : {}), seconds: r.seconds });
        }
      } else {
        errors.push(res.reason);
        const message = res.reason instanceof HclxError ? res.reason.message : String(res.reason);
        rows.push({ ...base, outcome: 'failed', seconds: (now() - started) / 1000, error: message });
        if (!(res.reason instanceof InterruptedError)) {
          const log = res.reason instanceof HclxError && Array.isArray(res.reason.details?.log) ? (res.reason.details.log as string[]) : undefined;
          sink.emit({
            event: 'error',
            volid: job.volid,
            node: job.node,
            storage: job.storage,
            code: res.reason instanceof HclxError ? res.reason.code : 'E_INTERNAL',
            message: res.reason instanceof HclxError ? res.reason.describe() : message,
            ...(log ? { taskLog: log } : {}),
          });
        }
      }
    });
    const seconds = (now() - started) / 1000;
    sink.emit({ event: 'summary', ok: errors.length === 0, seconds, isos: rows });
    if (errors.length) {
      const interrupted = errors.find((e) => e instanceof InterruptedError);
      throw interrupted ?? errors[0];
    }
    const volids = new Map(isos.map((i) => [i.request.label, i.volid]));
    return { isos, volids, rows, seconds };
  } finally {
    sink.close?.();
    await session.close();
  }
}
