// The qemu VMs the simulated cluster knows: id, node, status, template flag and the configuration
// as Proxmox stores it (drive strings with size=, `template: 1`, ...), and the keys sent to it.
import type { SimVmRecord } from './types.js';

export class VmRegistry {
  private readonly vms = new Map<number, SimVmRecord>();

  get(vmid: number): SimVmRecord | undefined {
    return this.vms.get(vmid);
  }

  list(): SimVmRecord[] {
    return [...this.vms.values()].sort((a, b) => a.vmid - b.vmid).map((v) => ({ ...v, config: { ...v.config }, ...(v.keys ? { keys: [...v.keys] } : {}) }));
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
