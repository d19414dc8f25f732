// The qemu VMs the simulated cluster knows: id, node, status, template flag and the configuration
// as Proxmox stores it (drive strings with size=, `template: 1`, ...).
import type { SimVmRecord } from './types.js';

export class VmRegistry {
  private readonly vms = new Map<number, SimVmRecord>();

  get(vmid: number): SimVmRecord | undefined {
    return this.vms.get(vmid);
  }

  list(): SimVmRecord[] {
    return [...this.vms.values()].sort((a, b) => a.vmid - b.vmid).map((v) => ({ ...v, config: { ...v.config } }));
  }

  /** Live records (handlers mutate them). */
  records(): SimVmRecord[] {
    return [...this.vms.values()];
  }

  add(vm: SimVmRecord): void {
    this.vms.set(vm.vmid, vm);
  }

  remove(vmid: number): void {
    this.vms.delete(vmid);
  }

  /** PVE's /cluster/nextid: the lowest free id from 100 up. */
  nextFree(): number {
    let id = 100;
    while (this.vms.has(id)) id++;
    return id;
  }
}

/** PVE's format_size for drive `size=` values. */
export function formatDriveSize(bytes: number): string {
  const units: Array<[string, number]> = [['T', 1024 ** 4], ['G', 1024 ** 3], ['M', 1024 ** 2], ['K', 1024]];
  for (const [u, n] of units) if (bytes >= n && bytes % n === 0) return `${bytes / n}${u}`;
  return String(bytes);
}

export const DRIVE_KEY = /^(ide|sata|scsi|virtio|efidisk|tpmstate)\d+$/;
