// The checks qemu-server's create_vm and update_vm_api run before any work starts
// (src/PVE/API2/Qemu.pm): VM.Allocate, the VM.Config.* privilege each option needs, storage access
// for every drive (Datastore.AllocateSpace for new disks, read access for ISOs), SDN.Use on bridges,
// `explicit 'media=cdrom'` for ISO volumes, and the random MAC address a NIC gets when it has none.
import { randomBytes } from 'node:crypto';
import { handlerError, paramError, permError } from './api-error.js';
import type { Identity } from './auth.js';
import { DRIVE_KEY, NEW_DISK_RE, isCdrom, parseDrive, printDrive } from './drive.js';
import type { SimContext } from './sim-context.js';
import { splitVolid } from './storage.js';

/** create_vm's extract_param()s: these are not configuration options. */
export const CREATE_EXTRACTED = new Set(['node', 'vmid', 'archive', 'bwlimit', 'force', 'pool', 'start', 'storage', 'unique', 'live-restore', 'import-working-storage']);

const CPU = new Set(['cores', 'cpu', 'cpulimit', 'cpuunits', 'numa', 'smp', 'sockets', 'vcpus']);
const MEMORY = new Set(['memory', 'balloon', 'shares']);
const HWTYPE = new Set(['acpi', 'hotplug', 'kvm', 'machine', 'scsihw', 'smbios1', 'tablet', 'vga', 'watchdog', 'audio0', 'rng0']);
const GENERAL = new Set(['agent', 'autostart', 'bios', 'description', 'keyboard', 'localtime', 'migrate_downtime', 'migrate_speed', 'name', 'onboot', 'ostype', 'protection', 'reboot', 'startdate', 'startup', 'tdf', 'template']);
const POWER = new Set(['freeze']);
const DISK = new Set(['boot', 'bootdisk', 'vmstatestorage']);
const CLOUDINIT = new Set(['cicustom', 'cipassword', 'citype', 'ciuser', 'ciupgrade', 'nameserver', 'searchdomain', 'sshkeys']);
const NIC_MODELS = new Set(['e1000', 'e1000-82540em', 'e1000-82544gc', 'e1000-82545em', 'e1000e', 'i82551', 'i82557b', 'i82559er', 'ne2k_isa', 'ne2k_pci', 'pcnet', 'rtl8139', 'virtio', 'vmxnet3']);

/** `$authuser eq 'root@pam'`: root's own login, not one of its tokens. */
export function isRootLogin(id: Identity): boolean {
  return id.userid === 'root@pam' && !id.tokenid;
}

/** `skiplock` is root's alone (`Only root may use this option.`). */
export function checkSkiplock(params: Record<string, unknown>, id: Identity): void {
  const v = params.skiplock;
  if (v !== undefined && v !== false && String(v) !== '0' && !isRootLogin(id)) throw paramError({ skiplock: 'Only root may use this option.' });
}

/** $check_vm_modify_config_perm: the privilege each option needs on /vms/VMID. */
export function checkConfigOptionPerms(sim: SimContext, id: Identity, vmid: number, keys: string[]): void {
  if (isRootLogin(id)) return;
  const path = `/vms/${vmid}`;
  for (const opt of keys) {
    if (DRIVE_KEY.test(opt) || opt === 'cdrom' || /^(unused|serial|usb|hostpci|virtiofs)\d+$/.test(opt) || opt === 'tags') continue;
    if (CPU.has(opt) || /^numa\d+$/.test(opt)) sim.perms.check(id, path, ['VM.Config.CPU']);
    else if (MEMORY.has(opt)) sim.perms.check(id, path, ['VM.Config.Memory']);
    else if (HWTYPE.has(opt)) sim.perms.check(id, path, ['VM.Config.HWType']);
    else if (GENERAL.has(opt)) {
      sim.perms.check(id, path, ['VM.Config.Options']);
      if (opt === 'startup') sim.perms.check(id, '/', ['Sys.Modify']);
    } else if (POWER.has(opt)) sim.perms.check(id, path, ['VM.PowerMgmt']);
    else if (DISK.has(opt)) sim.perms.check(id, path, ['VM.Config.Disk']);
    else if (/^net\d+$/.test(opt)) sim.perms.check(id, path, ['VM.Config.Network']);
    else if (CLOUDINIT.has(opt) || /^ipconfig\d+$/.test(opt)) sim.perms.checkAny(id, path, ['VM.Config.Cloudinit', 'VM.Config.Network']);
    else if (opt === 'vmstate') sim.perms.check(id, path, ['VM.Config.Disk', 'VM.PowerMgmt']);
    else throw handlerError(`only root can set '${opt}' config`);
  }
}

/** PVE::Storage::check_volume_access. */
export function checkVolumeAccess(sim: SimContext, id: Identity, vmid: number, volid: string): void {
  const split = splitVolid(volid);
  if (!split) {
    if (!isRootLogin(id)) throw handlerError('Only root can pass arbitrary filesystem paths.');
    return;
  }
  const info = sim.storages.volumeInfo(volid);
  const path = `/storage/${info.storage}`;
  if (sim.perms.has(id, path, 'Datastore.Allocate')) return;
  if (info.vtype === 'iso' || info.vtype === 'vztmpl' || info.vtype === 'import') sim.perms.checkAny(id, path, ['Datastore.AllocateSpace', 'Datastore.Audit']);
  else if (info.owner !== undefined && info.owner === vmid) return;
  else if (info.vtype === 'backup' && info.owner) {
    sim.perms.check(id, path, ['Datastore.AllocateSpace']);
    sim.perms.check(id, `/vms/${info.owner}`, ['VM.Backup']);
  } else sim.perms.check(id, path, ['Datastore.Allocate']);
}

/** $check_storage_access: what every drive value needs, with `storage` as the default storage. */
export function checkStorageAccess(sim: SimContext, id: Identity, vmid: number, params: Record<string, string>, defaultStorage: string | undefined): void {
  for (const key of Object.keys(params).sort()) {
    if (!DRIVE_KEY.test(key)) continue;
    const drive = parseDrive(params[key]!);
    if (!drive) continue;
    const volid = drive.file;
    const volname = splitVolid(volid)?.volname;
    const newDisk = NEW_DISK_RE.exec(volid);
    if (!volid || volid === 'none' || volid === 'cloudinit' || volname === 'cloudinit') continue;
    if (isCdrom(drive) && volid === 'cdrom') sim.perms.check(id, '/', ['Sys.Console']);
    else if (!isCdrom(drive) && newDisk) {
      const storeid = newDisk[1] || defaultStorage;
      if (!storeid) throw handlerError('no storage ID specified (and no default storage)');
      sim.perms.check(id, `/storage/${storeid}`, ['Datastore.AllocateSpace']);
      const s = sim.storages.get(storeid);
      if (!s) throw handlerError(`storage '${storeid}' does not exist`);
      if (!s.content.includes('images')) throw paramError({ storage: `storage '${storeid}' does not support vm images` });
    } else {
      checkVolumeAccess(sim, id, vmid, volid);
      if (splitVolid(volid)) {
        const { vtype } = sim.storages.volumeInfo(volid);
        if (vtype !== 'images' && vtype !== 'iso') throw paramError({ [key]: "content type needs to be 'images' or 'iso'" });
      }
    }
  }
  if (params.vmstatestorage !== undefined) sim.perms.check(id, `/storage/${params.vmstatestorage}`, ['Datastore.AllocateSpace']);
}

/** GuestHelpers::check_vnet_access for every NIC: SDN.Use on the bridge (or its VLAN). */
export function checkBridgeAccess(sim: SimContext, id: Identity, params: Record<string, string>): void {
  if (isRootLogin(id)) return;
  for (const key of Object.keys(params).sort()) {
    if (!/^net\d+$/.test(key)) continue;
    const opts = new Map(params[key]!.split(',').map((p) => [p.split('=')[0]!, p.slice(p.indexOf('=') + 1)] as const));
    const bridge = opts.get('bridge');
    if (!bridge) continue;
    const tag = opts.get('tag');
    sim.perms.check(id, tag ? `/sdn/zones/localnetwork/${bridge}/${tag}` : `/sdn/zones/localnetwork/${bridge}`, ['SDN.Use']);
  }
}

/** $check_cpu_model_access: custom CPU models need Sys.Audit on /nodes. */
export function checkCpuModelAccess(sim: SimContext, id: Identity, params: Record<string, string>): void {
  const cputype = params.cpu?.split(',').find((p) => !p.includes('=') || p.startsWith('cputype='))?.replace(/^cputype=/, '');
  if (cputype?.startsWith('custom-')) sim.perms.check(id, '/nodes', ['Sys.Audit']);
}

/** Root-only device options of create_vm (serial ports other than sockets, USB/PCI host devices). */
export function checkDevicePerms(sim: SimContext, id: Identity, vmid: number, params: Record<string, string>): void {
  if (isRootLogin(id)) return;
  for (const key of Object.keys(params)) {
    if (/^serial\d+$/.test(key)) {
      if (params[key] !== 'socket') throw handlerError(`only root can set '${key}' config for real devices`);
      sim.perms.check(id, `/vms/${vmid}`, ['VM.Config.HWType']);
    } else if (/^usb\d+$/.test(key)) {
      sim.perms.check(id, `/vms/${vmid}`, ['VM.Config.HWType']);
      if (!/(^|,)host=spice(,|$)/i.test(params[key]!)) throw handlerError(`only root can set '${key}' config for real devices`);
    } else if (/^hostpci\d+$/.test(key)) throw handlerError(`only root can set '${key}' config for non-mapped devices`);
  }
}

/** $check_drive_param: drive values parsed and printed back; an ISO needs `media=cdrom`. */
export function normalizeDriveParams(sim: SimContext, params: Record<string, string>): void {
  for (const key of Object.keys(params).sort()) {
    if (!DRIVE_KEY.test(key)) continue;
    const drive = parseDrive(params[key]!);
    if (!drive) throw paramError({ [key]: 'unable to parse drive options' });
    const split = splitVolid(drive.file);
    if (split && !NEW_DISK_RE.test(drive.file) && split.volname !== 'cloudinit') {
      const { vtype } = sim.storages.volumeInfo(drive.file);
      if (vtype === 'iso' && !isCdrom(drive)) throw paramError({ [key]: "explicit 'media=cdrom' is required for iso images" });
    }
    params[key] = printDrive(drive);
  }
}

/** $resolve_cdrom_alias: `cdrom=X` is `ide2=X,media=cdrom`. */
export function resolveCdromAlias(params: Record<string, string>): void {
  if (params.cdrom === undefined) return;
  params.ide2 = /media=/.test(params.cdrom) ? params.cdrom : `${params.cdrom},media=cdrom`;
  delete params.cdrom;
}

/** add_random_macs: a NIC without a MAC address gets one from Proxmox's prefix BC:24:11. */
export function addRandomMacs(params: Record<string, string>): void {
  for (const key of Object.keys(params)) {
    if (!/^net\d+$/.test(key)) continue;
    const parts = params[key]!.split(',');
    let model: string | undefined;
    let mac: string | undefined;
    const rest: string[] = [];
    for (const p of parts) {
      const [k, v] = [p.split('=')[0]!, p.includes('=') ? p.slice(p.indexOf('=') + 1) : undefined];
      if (NIC_MODELS.has(k) && model === undefined) [model, mac] = [k, v ?? mac];
      else if (k === 'model') model = v;
      else if (k === 'macaddr') mac = v;
      else rest.push(p);
    }
    if (!model) continue;
    mac ??= `BC:24:11:${[...randomBytes(3)].map((b) => b.toString(16).toUpperCase().padStart(2, '0')).join(':')}`;
    params[key] = [`${model}=${mac}`, ...rest].join(',');
  }
}

/**
 * create_vm's checks in qemu-server's order: the default storage, VM.Allocate, then (when options
 * are given) storage access, option privileges, device and bridge permissions, CPU model, drive
 * syntax; finally random MACs. Throws the 403/400/500 PVE would answer with.
 */
export function checkCreate(sim: SimContext, id: Identity, vmid: number, params: Record<string, string>): void {
  if (params.pool !== undefined) throw permError(`pool '${params.pool}' does not exist`);
  if (params.storage !== undefined) sim.perms.check(id, `/storage/${params.storage}`, ['Datastore.AllocateSpace']);
  if (!sim.perms.has(id, `/vms/${vmid}`, 'VM.Allocate')) throw permError();
  const options: Record<string, string> = {};
  for (const [k, v] of Object.entries(params)) if (!CREATE_EXTRACTED.has(k)) options[k] = v;
  if (Object.keys(options).length === 0) return;
  resolveCdromAlias(options);
  checkStorageAccess(sim, id, vmid, options, params.storage);
  checkConfigOptionPerms(sim, id, vmid, Object.keys(options));
  checkDevicePerms(sim, id, vmid, options);
  checkBridgeAccess(sim, id, options);
  checkCpuModelAccess(sim, id, options);
  normalizeDriveParams(sim, options);
  addRandomMacs(options);
  for (const k of Object.keys(params)) if (!CREATE_EXTRACTED.has(k)) delete params[k];
  Object.assign(params, options);
}
