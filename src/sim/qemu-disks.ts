// qemu-server's create_disks (used by VM create and config updates): `STORAGE:SIZE_GIB` allocates a
// new image (`vm-VMID-disk-N`, size rounded up to whole KiB as convert_size does), `STORAGE:cloudinit`
// a 4 MiB cloud-init drive (`vm-VMID-cloudinit`, qcow2 on file storages), an existing volume gets
// its `size=`; `none`/`cdrom` are stored as they are. Also the detach/delete rules of drives.
import { promises as fsp } from 'node:fs';
import { NEW_DISK_RE, formatDriveSize, gibToKib, isCdrom, isCloudinitVolume, parseDrive, printDrive } from './drive.js';
import type { Drive } from './drive.js';
import type { SimContext } from './sim-context.js';
import { splitVolid } from './storage.js';
import { TaskFailure } from './tasks.js';
import type { SimVmRecord } from './types.js';

/** Cloudinit.pm CLOUDINIT_DISK_SIZE. */
const CLOUDINIT_SIZE = 4 * 1024 * 1024;

/** The drive key holding a cloud-init volume other than `except`, if any (has_cloudinit). */
function cloudinitKey(config: Record<string, string>, except: string): string | undefined {
  return Object.keys(config).find((k) => k !== except && isCloudinitVolume(parseDrive(config[k]!)?.file ?? ''));
}

async function volumeSize(sim: SimContext, volid: string, node: string): Promise<number | undefined> {
  const info = sim.storages.volumeInfo(volid);
  if (info.vtype === 'images') return sim.storages.virtual.find((v) => v.volid === volid)?.size;
  const ref = { storage: info.storage, vtype: info.vtype, name: info.volname.slice(info.volname.indexOf('/') + 1), volid };
  return fsp.stat(sim.storages.volumePath(ref, node)).then((st) => (st.isFile() ? st.size : undefined), () => undefined);
}

/** One drive value as create_disks stores it; allocations are recorded in `allocated`. */
async function createDisk(sim: SimContext, vm: SimVmRecord, key: string, drive: Drive, defaultStorage: string | undefined, log: (line: string) => void, allocated: string[]): Promise<string> {
  const volid = drive.file;
  const split = splitVolid(volid);
  if (!volid || volid === 'none' || volid === 'cdrom') {
    drive.opts.delete('size');
    return printDrive(drive);
  }
  if (split?.volname === 'cloudinit') {
    const other = cloudinitKey(vm.config, key);
    if (other) throw new TaskFailure(`${key} - cloud-init drive is already attached at '${other}'`);
    const s = sim.storages.get(split.storage);
    if (!s) throw new TaskFailure(`storage '${split.storage}' does not exist`);
    const fmt = drive.opts.get('format') ?? (sim.storages.isFileBased(s) ? 'qcow2' : 'raw');
    const name = sim.storages.isFileBased(s) ? `vm-${vm.vmid}-cloudinit.${fmt}` : `vm-${vm.vmid}-cloudinit`;
    const alloc = sim.storages.allocImage(split.storage, vm.node, vm.vmid, fmt, name, CLOUDINIT_SIZE / 1024);
    allocated.push(alloc.volid);
    alloc.log.forEach(log);
    drive.file = alloc.volid;
    drive.opts.set('media', 'cdrom');
    drive.opts.delete('format');
    const out = printDrive(drive);
    log(`${key}: successfully created disk '${out}'`);
    return out;
  }
  const newDisk = NEW_DISK_RE.exec(volid);
  if (newDisk) {
    const storeid = newDisk[1] || defaultStorage;
    if (!storeid) throw new TaskFailure('no storage ID specified (and no default storage)');
    const s = sim.storages.get(storeid);
    if (!s) throw new TaskFailure(`storage '${storeid}' does not exist`);
    const kib = gibToKib(newDisk[2]!);
    const fmt = drive.opts.get('format') ?? 'raw';
    const alloc = sim.storages.allocImage(storeid, vm.node, vm.vmid, fmt, undefined, kib);
    allocated.push(alloc.volid);
    alloc.log.forEach(log);
    drive.file = alloc.volid;
    drive.opts.set('size', formatDriveSize(kib * 1024));
    drive.opts.delete('format');
    const out = printDrive(drive);
    log(`${key}: successfully created disk '${out}'`);
    return out;
  }
  if (split) {
    const info = sim.storages.volumeInfo(volid);
    if (info.vtype !== 'images' && info.vtype !== 'iso') throw new TaskFailure(`cannot use volume ${volid} - content type needs to be 'images' or 'iso'`);
    const fmt = drive.opts.get('format');
    if (fmt && fmt !== info.format) throw new TaskFailure(`drive '${key}' - volume '${volid}' - 'format=${fmt}' option different from storage format '${info.format}'`);
    if (isCloudinitVolume(volid)) {
      const other = cloudinitKey(vm.config, key);
      if (other) throw new TaskFailure(`${key} - cloud-init drive is already attached at '${other}'`);
    }
  }
  const size = split ? await volumeSize(sim, volid, vm.node) : undefined;
  if (!size) throw new TaskFailure(`volume ${volid} does not exist`);
  drive.opts.set('size', formatDriveSize(size));
  return printDrive(drive);
}

/**
 * Applies drive values to a VM's config through create_disks. On any failure the volumes this call
 * allocated are freed again and the error is rethrown.
 */
export async function createDisks(sim: SimContext, vm: SimVmRecord, drives: Record<string, string>, defaultStorage: string | undefined, log: (line: string) => void): Promise<void> {
  const allocated: string[] = [];
  try {
    for (const key of Object.keys(drives).sort()) {
      const drive = parseDrive(drives[key]!);
      if (!drive) throw new TaskFailure(`unable to parse drive options for '${key}'`);
      const before = vm.config[key];
      vm.config[key] = await createDisk(sim, vm, key, drive, defaultStorage, log, allocated);
      if (before !== undefined && before !== vm.config[key]) detachReplaced(sim, vm, before);
    }
  } catch (e) {
    for (const volid of allocated) sim.storages.freeImage(volid);
    throw e;
  }
}

/** A replaced disk of the VM becomes `unusedN` (vmconfig_register_unused_drive); cloud-init drives are freed. */
function detachReplaced(sim: SimContext, vm: SimVmRecord, old: string): void {
  const drive = parseDrive(old);
  if (!drive || !splitVolid(drive.file)) return;
  if (isCloudinitVolume(drive.file)) return sim.storages.freeImage(drive.file);
  if (isCdrom(drive)) return;
  const owned = sim.storages.virtual.some((v) => v.volid === drive.file && v.vmid === vm.vmid);
  if (!owned || Object.values(vm.config).some((v) => parseDrive(v)?.file === drive.file)) return;
  let i = 0;
  while (vm.config[`unused${i}`] !== undefined) i++;
  vm.config[`unused${i}`] = drive.file;
}

/** `delete=KEY`: a drive's cloud-init volume is freed, a disk becomes unusedN, unusedN is destroyed. */
export function deleteOption(sim: SimContext, vm: SimVmRecord, key: string): void {
  const value = vm.config[key];
  if (value === undefined) return;
  delete vm.config[key];
  if (/^unused\d+$/.test(key)) return sim.storages.freeImage(value);
  detachReplaced(sim, vm, value);
}
