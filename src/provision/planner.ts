// Turns requests plus what the cluster looks like into download jobs and pre-flight problems.
// Pure: the inventory was read before (inventory.ts). One job = one file on one storage; several
// specs (or sources) needing the same file share it, and a shared storage is one place for all
// nodes. Every problem is collected, so the user sees all of them at once.

import { HclxError, type SourceRange } from '../errors.js';
import { volid as makeVolid } from '../resolve/names.js';
import type { ContentItem, StorageStatus, TaskListItem } from '../pve/types.js';
import { principalOf } from '../pve/connection.js';
import { leastPrivilegeGrant } from '../pve/privileges.js';
import { listingKey, type ClusterInventory } from './inventory.js';
import { chooseTargetName, type Checksum, type IsoNameMode, type ReusePolicy } from './naming.js';
import { endpointOf, placeOf, type IsoRequest } from './request.js';

/** What the engine will do for a job. */
export type JobAction =
  /** Content-addressed file present: nothing to do. */
  | 'reuse'
  /** URL-named file present: download-url with the checksum makes Proxmox verify it (no transfer). */
  | 'verify'
  | 'download'
  /** `--overwrite` with iso_checksum none: delete the existing file, then download. */
  | 'replace'
  /** iso_checksum none and the file exists: nothing can prove it, refused without --overwrite. */
  | 'refuse'
  /** The node is already downloading this file (another run): wait for that task. */
  | 'await';

export interface DownloadJob {
  key: string;
  endpoint: string;
  /** The node that runs the download (for a shared storage: the first spec's node). */
  node: string;
  storage: string;
  shared: boolean;
  filename: string;
  volid: string;
  /** Mirrors in order: the first spec's URLs, then any other URL the other specs list. */
  urls: string[];
  checksum: Checksum;
  reuse: ReusePolicy;
  action: JobAction;
  existing?: ContentItem;
  activeTask?: TaskListItem;
  requests: IsoRequest[];
  /** Bytes, when known (existing file, or the URL's Content-Length from query-url-metadata). */
  size?: number;
}

export interface PreflightProblem {
  code: string;
  message: string;
  range?: SourceRange;
  /** Labels of the specs concerned. */
  specs: string[];
}

export interface PlanOptions {
  isoName?: IsoNameMode;
  overwrite?: boolean;
}

export interface JobPlan {
  jobs: DownloadJob[];
  problems: PreflightProblem[];
}

/** Storage types that keep files in a directory tree (only these can hold ISOs). */
const NOT_FILE_BASED = new Set(['lvm', 'lvmthin', 'zfspool', 'zfs', 'rbd', 'iscsi', 'iscsidirect', 'pbs', 'drbd']);

export function isFileBased(s: StorageStatus): boolean {
  return !NOT_FILE_BASED.has(s.type);
}

export function acceptsIsos(s: StorageStatus): boolean {
  return s.enabled && s.active && isFileBased(s) && s.content.includes('iso');
}

function describeFailure(error: unknown): string {
  if (error instanceof HclxError) return error.describe();
  return error instanceof Error ? error.message : String(error);
}

function isoStorageChoice(node: string, storages: StorageStatus[]): string {
  const usable = storages.filter(acceptsIsos);
  return usable.length
    ? `Storages on node '${node}' that accept ISOs: ${usable.map((s) => `${s.storage} (${s.type})`).join(', ')}.`
    : `No storage on node '${node}' accepts ISOs: add content type iso to a file-based storage (e.g. \`pvesm set local --content iso,vztmpl,backup\`).`;
}

/** Checks the request's node and storage; returns the storage when it can take the ISO. */
function checkPlace(r: IsoRequest, inv: ClusterInventory, problems: PreflightProblem[]): StorageStatus | undefined {
  const add = (code: string, message: string, range = placeOf(r, 'storage')) =>
    problems.push({ code, message, ...(range ? { range } : {}), specs: [r.label] });
  if (!inv.nodes.ok) {
    add('E_PREFLIGHT_NODES', `cannot list the cluster's nodes: ${describeFailure(inv.nodes.error)}`, placeOf(r, 'node'));
    return undefined;
  }
  const nodes = inv.nodes.value.map((n) => n.node);
  if (!nodes.includes(r.node)) {
    const short = r.node.split('.')[0]!;
    const fqdn = r.node.includes('.') && nodes.includes(short) ? ` '${r.node}' looks like a host name (FQDN); Proxmox API paths need the node name '${short}'.` : '';
    add('E_PVE_NODE_NOT_FOUND', `node '${r.node}' does not exist in the cluster at ${r.connection.url}.${fqdn} Nodes: ${nodes.join(', ') || '(none)'}; set node to one of them.`, placeOf(r, 'node'));
    return undefined;
  }
  const storages = inv.storages.get(r.node);
  if (!storages) return undefined;
  if (!storages.ok) {
    add('E_PREFLIGHT_STORAGES', `cannot list the storages of node '${r.node}': ${describeFailure(storages.error)}`);
    return undefined;
  }
  const s = storages.value.find((x) => x.storage === r.storage);
  const choice = isoStorageChoice(r.node, storages.value);
  if (!s) {
    // Proxmox lists only the storages the caller may audit, so "missing" can also mean "not allowed".
    const grant = leastPrivilegeGrant({ principal: principalOf(r.connection.auth), node: r.node, storage: r.storage });
    add(
      'E_PVE_STORAGE_NOT_FOUND',
      `storage pool '${r.storage}' not found on node '${r.node}'. ${choice} Set iso_storage_pool to one of them. If '${r.storage}' does exist, the API user cannot see it (it lacks Datastore.Audit on /storage/${r.storage}): ${grant}`,
    );
    return undefined;
  }
  if (!isFileBased(s)) {
    add('E_PVE_STORAGE_NOT_FILE_BASED', `storage '${r.storage}' (type ${s.type}) cannot hold ISO files: it is not a file-based storage. ${choice} Set iso_storage_pool to one of them.`);
    return undefined;
  }
  if (!s.enabled) {
    add('E_PVE_STORAGE_DISABLED', `storage '${r.storage}' is disabled or not available on node '${r.node}'. Enable it (\`pvesm set ${r.storage} --disable 0\`) or add the node to its nodes, or use another storage. ${choice}`);
    return undefined;
  }
  if (!s.active) {
    add('E_PVE_STORAGE_INACTIVE', `storage '${r.storage}' is not active on node '${r.node}' (an unreachable NFS/CIFS server or an unmounted directory). Check \`pvesm status\` on the node. ${choice}`);
    return undefined;
  }
  if (!s.content.includes('iso')) {
    add(
      'E_PVE_STORAGE_NO_ISO',
      `storage '${r.storage}' on node '${r.node}' is not configured for content type 'iso' (it has ${s.content.join(', ') || 'none'}). Allow it with \`pvesm set ${r.storage} --content ${[...s.content, 'iso'].join(',')}\` or use another storage. ${choice}`,
    );
    return undefined;
  }
  return s;
}

export function planJobs(requests: readonly IsoRequest[], inventories: ReadonlyMap<string, ClusterInventory>, options: PlanOptions = {}): JobPlan {
  const problems: PreflightProblem[] = [];
  const jobs = new Map<string, DownloadJob>();
  for (const r of requests) {
    let target;
    const urlPlace = r.urlRange ?? r.range;
    try {
      target = chooseTargetName(r.urls[0] ?? '', r.checksum, options.isoName ?? 'checksum', { field: 'iso_url', ...(urlPlace ? { range: urlPlace } : {}) });
    } catch (error) {
      problems.push({ code: error instanceof HclxError ? error.code : 'E_ISO_NAME', message: describeFailure(error).replace(/^[^:]+:\d+:\d+: /, ''), ...(urlPlace ? { range: urlPlace } : {}), specs: [r.label] });
      continue;
    }
    const endpoint = endpointOf(r.connection);
    const inv = inventories.get(endpoint);
    if (!inv) continue;
    const storage = checkPlace(r, inv, problems);
    if (!storage) continue;
    const key = `${r.connection.url}|${listingKey(r.node, storage)}|${target.filename}`;
    const existingJob = jobs.get(key);
    if (existingJob) {
      const same = JSON.stringify(existingJob.checksum) === JSON.stringify(r.checksum) || (existingJob.checksum.algorithm !== 'none' && r.checksum.algorithm !== 'none' && existingJob.checksum.value.toLowerCase() === r.checksum.value.toLowerCase());
      if (!same) {
        problems.push({
          code: 'E_ISO_CONFLICT',
          message: `${r.label} and ${existingJob.requests[0]!.label} both want ${existingJob.volid} but with different checksums, so one of them would get the wrong file. Fix the checksum, or use --iso-name checksum so each content gets its own name.`,
          ...(r.range ? { range: r.range } : {}),
          specs: [r.label, existingJob.requests[0]!.label],
        });
        continue;
      }
      existingJob.requests.push(r);
      for (const u of r.urls) if (!existingJob.urls.includes(u)) existingJob.urls.push(u);
      continue;
    }
    const volid = makeVolid(r.storage, target.filename);
    const listing = inv.content.get(listingKey(r.node, storage));
    if (listing && !listing.ok) {
      problems.push({ code: 'E_PREFLIGHT_CONTENT', message: `cannot list the ISOs on storage '${r.storage}' of node '${r.node}': ${describeFailure(listing.error)}`, ...(placeOf(r, 'storage') ? { range: placeOf(r, 'storage')! } : {}), specs: [r.label] });
      continue;
    }
    const existing = listing?.ok ? listing.value.find((c) => c.volid === volid) : undefined;
    const active = inv.activeDownloads.get(r.node);
    const activeTask = active?.ok ? active.value.find((t) => t.type === 'download' && decodeTaskId(t.id) === target.filename && (t.status === undefined || t.status === 'RUNNING' || !t.endtime)) : undefined;
    let action: JobAction;
    if (activeTask) action = 'await';
    else if (!existing) action = 'download';
    else if (target.reuse === 'trust-name') action = 'reuse';
    else if (target.reuse === 'verify') action = 'verify';
    else action = options.overwrite ? 'replace' : 'refuse';
    const job: DownloadJob = {
      key,
      endpoint,
      node: r.node,
      storage: r.storage,
      shared: storage.shared,
      filename: target.filename,
      volid,
      urls: [...r.urls],
      checksum: r.checksum,
      reuse: target.reuse,
      action,
      ...(existing ? { existing, size: existing.size } : {}),
      ...(activeTask ? { activeTask } : {}),
      requests: [r],
    };
    jobs.set(key, job);
    if (action === 'refuse') {
      problems.push({
        code: 'E_ISO_EXISTS_UNVERIFIABLE',
        message: `${volid} already exists on node '${r.node}', and with iso_checksum = "none" hclx cannot prove it is the file ${r.urls[0]} serves (Proxmox would refuse: "refusing to override existing file"). Set iso_checksum to the ISO's checksum (recommended), or run with --overwrite to delete it and download again.`,
        ...(r.range ? { range: r.range } : {}),
        specs: [r.label],
      });
    }
  }
  return { jobs: [...jobs.values()], problems };
}

/** Task ids are encode_text()-escaped by Proxmox (`\xNN`); names hclx uses never need it, but be exact. */
function decodeTaskId(id: string): string {
  return id.replace(/\\x([0-9a-fA-F]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));
}

/**
 * Free space: the files each storage still has to receive must fit in its `avail`. Sizes come from
 * query-url-metadata; a job of unknown size is not counted (Proxmox will fail it with wget's own
 * "No space left on device" if it does not fit).
 */
export function checkSpace(jobs: readonly DownloadJob[], inventories: ReadonlyMap<string, ClusterInventory>): PreflightProblem[] {
  const perStorage = new Map<string, { jobs: DownloadJob[]; avail: number | undefined; bytes: number }>();
  for (const job of jobs) {
    if ((job.action !== 'download' && job.action !== 'replace') || job.size === undefined) continue;
    const storages = inventories.get(job.endpoint)?.storages.get(job.node);
    const s = storages?.ok ? storages.value.find((x) => x.storage === job.storage) : undefined;
    const key = `${job.endpoint}|${job.shared ? '*' : job.node}|${job.storage}`;
    const entry = perStorage.get(key) ?? { jobs: [], avail: s?.avail, bytes: 0 };
    entry.jobs.push(job);
    // Replacing frees the old file first.
    entry.bytes += job.size - (job.action === 'replace' ? (job.existing?.size ?? 0) : 0);
    perStorage.set(key, entry);
  }
  const problems: PreflightProblem[] = [];
  for (const { jobs: list, avail, bytes } of perStorage.values()) {
    if (avail === undefined || bytes <= avail) continue;
    const first = list[0]!;
    const r = first.requests[0]!;
    const range = placeOf(r, 'storage');
    problems.push({
      code: 'E_STORAGE_FULL',
      message: `storage '${first.storage}' on node '${first.node}' has ${formatGiB(avail)} free but ${list.length === 1 ? `${first.volid} needs` : `${list.map((j) => j.volid).join(', ')} need`} ${formatGiB(bytes)}. Free space on it (old ISOs: \`pvesm list ${first.storage} --content iso\`) or set iso_storage_pool to a larger storage.`,
      ...(range ? { range } : {}),
      specs: list.flatMap((j) => j.requests.map((x) => x.label)),
    });
  }
  return problems;
}

function formatGiB(bytes: number): string {
  return bytes >= 1024 ** 3 ? `${(bytes / 1024 ** 3).toFixed(2)} GiB` : `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
}
