// `--cleanup never|on-success|always`: after Packer ends, delete from the storage the ISOs that
// this run downloaded, and only those. A file that was already there (reused, verified, replaced
// with --overwrite) or that another run downloaded is never touched, and neither is one that a VM
// or template still mounts (the plugin's `unmount = false` keeps the ISO in the template's config):
// the VM configurations are read through the API before anything is deleted.
//
// This is not the plugin's `unmount`/`unmount_iso`, which only detaches the ISO from the template
// (its CD-ROM drive then holds `none`); the file stays on the storage either way.

import { HclxError, UsageError } from '../errors.js';
import type { Logger } from '../log.js';
import type { PveClient, PveConnection } from '../pve/index.js';
import { endpointOf } from '../provision/request.js';

export type CleanupPolicy = 'never' | 'on-success' | 'always';

export function parseCleanupPolicy(value: unknown): CleanupPolicy {
  if (value === undefined) return 'never';
  if (value === 'never' || value === 'on-success' || value === 'always') return value;
  throw new UsageError(`--cleanup '${String(value)}' is not a policy.`, { hint: 'Use --cleanup never (default), on-success or always.' });
}

/** Whether the policy deletes anything after a Packer run that succeeded or not. */
export function cleanupApplies(policy: CleanupPolicy, packerSucceeded: boolean): boolean {
  return policy === 'always' || (policy === 'on-success' && packerSucceeded);
}

/** An ISO this run transferred to a storage. */
export interface DownloadedIso {
  volid: string;
  node: string;
  connection: PveConnection;
}

export interface CleanupReport {
  deleted: string[];
  /** Kept on purpose: still mounted by a VM/template, or usage could not be checked. */
  kept: Array<{ volid: string; reason: string }>;
  failed: Array<{ volid: string; message: string }>;
}

const DRIVE = /^(ide|sata|scsi|virtio)\d+$/;

/** The volids a VM configuration mounts (drive values such as `local:iso/x.iso,media=cdrom,size=1M`). */
export function mountedVolids(config: Record<string, unknown>): Set<string> {
  const found = new Set<string>();
  for (const [key, value] of Object.entries(config)) {
    if (!DRIVE.test(key) || typeof value !== 'string') continue;
    const first = value.split(',')[0]!.replace(/^file=/, '');
    if (first.includes(':')) found.add(first);
  }
  return found;
}

/** The Proxmox calls cleanup makes (a PveClient; tests may pass another). */
export type CleanupApi = Pick<PveClient, 'request' | 'deleteContent' | 'taskStatus' | 'taskLog' | 'stopTask'>;

export interface CleanupOptions {
  logger?: Logger;
  clientFor?: (connection: PveConnection) => CleanupApi & { close?(): Promise<void> };
  signal?: AbortSignal;
}

interface VmResource {
  vmid: number;
  node: string;
  type: string;
  name?: string;
}

/** Every volid mounted by any qemu VM or template the connection can see, with who mounts it. */
async function mountsOnCluster(api: CleanupApi, signal?: AbortSignal): Promise<Map<string, string[]>> {
  const opts = signal ? { signal } : {};
  const vms = ((await api.request<VmResource[]>('GET', '/cluster/resources', { type: 'vm' }, opts)) ?? []).filter((v) => v.type === 'qemu');
  const mounts = new Map<string, string[]>();
  const queue = [...vms];
  const worker = async () => {
    for (let vm = queue.shift(); vm; vm = queue.shift()) {
      const config = await api.request<Record<string, unknown>>('GET', `/nodes/${encodeURIComponent(vm.node)}/qemu/${vm.vmid}/config`, {}, opts);
      for (const volid of mountedVolids(config ?? {})) mounts.set(volid, [...(mounts.get(volid) ?? []), `VM ${vm.vmid}${vm.name ? ` (${vm.name})` : ''}`]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(8, Math.max(1, vms.length)) }, worker));
  return mounts;
}

function message(error: unknown): string {
  return error instanceof HclxError ? error.describe() : String((error as Error)?.message ?? error);
}

/** Deletes each ISO unless a VM or template on its cluster mounts it. Never throws for one ISO's failure. */
export async function deleteDownloadedIsos(isos: readonly DownloadedIso[], options: CleanupOptions = {}): Promise<CleanupReport> {
  // The Proxmox client (and undici) load when there is something to delete: a build whose cleanup
  // does nothing, or an offline build, never needs them.
  const { PveClient, waitForTask } = await import('../pve/index.js');
  const report: CleanupReport = { deleted: [], kept: [], failed: [] };
  const byEndpoint = new Map<string, DownloadedIso[]>();
  for (const iso of isos) byEndpoint.set(endpointOf(iso.connection), [...(byEndpoint.get(endpointOf(iso.connection)) ?? []), iso]);
  for (const group of byEndpoint.values()) {
    const connection = group[0]!.connection;
    const api = options.clientFor ? options.clientFor(connection) : new PveClient(connection, options.logger ? { logger: options.logger } : {});
    try {
      let mounts: Map<string, string[]>;
      try {
        mounts = await mountsOnCluster(api, options.signal);
      } catch (error) {
        // Without the VM configurations hclx cannot tell whether a template still needs the ISO.
        for (const iso of group) report.kept.push({ volid: iso.volid, reason: `could not read the VM configurations to check it is unused (${message(error)}); VM.Audit on /vms is needed` });
        continue;
      }
      for (const iso of group) {
        const users = mounts.get(iso.volid);
        if (users?.length) {
          report.kept.push({ volid: iso.volid, reason: `still mounted by ${users.join(', ')}` });
          continue;
        }
        try {
          const upid = await api.deleteContent(iso.node, iso.volid, {}, options.signal ? { signal: options.signal } : {});
          if (upid) {
            const result = await waitForTask(api, upid, options.signal ? { signal: options.signal } : {});
            if (!result.ok) throw new Error(result.exitstatus);
          }
          report.deleted.push(iso.volid);
        } catch (error) {
          report.failed.push({ volid: iso.volid, message: message(error) });
        }
      }
    } finally {
      if (api instanceof PveClient) await api.close();
      else await (api as { close?(): Promise<void> }).close?.();
    }
  }
  return report;
}
