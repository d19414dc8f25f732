// The qemu endpoints Packer's proxmox-iso builder uses: create (qmcreate task; a cdrom volume that
// does not exist fails the task as in qemu-server's create_disks), status, start/stop/shutdown,
// convert to template, config get/set (async POST with a qmconfig task, sync PUT) and destroy.
import { randomUUID } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { handlerError, paramError } from '../api-error.js';
import { principal } from '../auth.js';
import { methodInfo } from '../api-schema.js';
import type { ApiCall, RouteDef, SimContext } from '../sim-context.js';
import { parseDirVolname, splitVolid } from '../storage.js';
import { TaskFailure } from '../tasks.js';
import type { SimVmRecord } from '../types.js';
import { DRIVE_KEY, formatDriveSize } from '../vms.js';
import { ok, requireNode } from './common.js';

const NEW_DISK_RE = /^(?:([^/:\s]+):)?(\d+(?:\.\d+)?)$/;
const NOT_CONFIG = new Set(['node', 'vmid', 'start', 'pool', 'storage', 'unique', 'force', 'archive', 'delete', 'revert', 'digest', 'skiplock', 'background_delay']);

function vmOf(sim: SimContext, node: string, vmid: unknown): SimVmRecord {
  const vm = sim.vms.get(Number(vmid));
  if (!vm || vm.node !== node) throw handlerError(`Configuration file 'nodes/${node}/qemu-server/${String(vmid)}.conf' does not exist`);
  return vm;
}

/** Resolves a drive value the way create_disks does; returns the config string to store. */
async function resolveDrive(sim: SimContext, node: string, vmid: number, key: string, value: string): Promise<string> {
  const parts = value.split(',');
  let volume = parts[0]!;
  let opts = parts.slice(1);
  if (volume.startsWith('file=')) {
    volume = volume.slice(5);
  } else if (volume.includes('=') && !volume.includes(':')) {
    const file = parts.find((p) => p.startsWith('file='));
    if (!file) throw new TaskFailure(`${key}: missing 'file' in drive specification`);
    volume = file.slice(5);
    opts = parts.filter((p) => p !== file);
  }
  if (volume === 'none' || volume === 'cdrom') return [volume, ...opts].join(',');
  const isCdrom = opts.includes('media=cdrom');
  const newDisk = NEW_DISK_RE.exec(volume);
  if (newDisk && !isCdrom) {
    const storeid = newDisk[1] ?? 'local-lvm';
    const s = sim.storages.get(storeid);
    if (!s) throw new TaskFailure(`storage '${storeid}' does not exist`);
    if (!s.content.includes('images')) throw new TaskFailure(`storage '${storeid}' does not support vm images`);
    const index = sim.storages.virtual.filter((v) => v.vmid === vmid).length;
    const size = Math.round(Number(newDisk[2]) * 1024 ** 3);
    const volid = sim.storages.isFileBased(s) ? `${storeid}:${vmid}/vm-${vmid}-disk-${index}.raw` : `${storeid}:vm-${vmid}-disk-${index}`;
    sim.storages.virtual.push({ volid, size, vmid, node });
    return [volid, ...opts.filter((o) => !o.startsWith('size=')), `size=${formatDriveSize(size)}`].join(',');
  }
  const split = splitVolid(volume);
  if (!split) throw new TaskFailure(`unable to parse volume ID '${volume}'`);
  const s = sim.storages.get(split.storage);
  if (!s) throw new TaskFailure(`storage '${split.storage}' does not exist`);
  let size: number | undefined;
  if (sim.storages.isFileBased(s)) {
    const ref = parseDirVolname(split.storage, split.volname);
    if (isCdrom && ref.vtype !== 'iso') throw new TaskFailure(`cannot use volume ${volume} - content type needs to be 'images' or 'iso'`);
    size = await fsp.stat(sim.storages.volumePath(ref, node)).then((st) => (st.isFile() ? st.size : undefined), () => undefined);
  } else {
    size = sim.storages.virtual.find((v) => v.volid === volume)?.size;
  }
  if (!size) throw new TaskFailure(`volume ${volume} does not exist`);
  return [volume, ...opts.filter((o) => !o.startsWith('size=')), `size=${formatDriveSize(size)}`].join(',');
}

async function applyConfig(sim: SimContext, vm: SimVmRecord, params: Record<string, unknown>): Promise<void> {
  for (const key of String(params.delete ?? '').split(/[,;\s]+/).filter(Boolean)) delete vm.config[key];
  for (const [key, raw] of Object.entries(params)) {
    if (NOT_CONFIG.has(key) || raw === undefined || raw === null) continue;
    const value = typeof raw === 'boolean' ? (raw ? '1' : '0') : String(raw);
    vm.config[key] = DRIVE_KEY.test(key) ? await resolveDrive(sim, vm.node, vm.vmid, key, value) : value;
    if (key === 'name') vm.name = value;
  }
}

/** Config values typed as the schema says (PVE returns integers and booleans as JSON numbers). */
function typedConfig(config: Record<string, string>): Record<string, unknown> {
  const props = methodInfo('/nodes/{node}/qemu', 'POST')!.parameters.properties!;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(config)) {
    const t = props[k]?.type;
    out[k] = (t === 'integer' || t === 'boolean' || t === 'number') && /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v;
  }
  return out;
}

function digest(config: Record<string, string>): string {
  return Buffer.from(JSON.stringify(config)).toString('base64').slice(0, 40);
}

const user = (call: ApiCall) => principal(call.identity);

export const qemuRoutes: RouteDef[] = [
  {
    method: 'GET',
    path: '/nodes/{node}/qemu',
    async handle({ sim, params, identity }) {
      const node = requireNode(sim, params.node);
      const list = sim.vms
        .list()
        .filter((vm) => vm.node === node && sim.perms.has(identity, `/vms/${vm.vmid}`, 'VM.Audit'))
        .map((vm) => ({ vmid: vm.vmid, name: vm.name, status: vm.status, ...(vm.template ? { template: 1 } : {}), cpus: Number(vm.config.cores ?? 1) * Number(vm.config.sockets ?? 1), maxmem: Number(vm.config.memory ?? 512) * 1024 * 1024, uptime: 0 }));
      return ok(list);
    },
  },
  {
    method: 'POST',
    path: '/nodes/{node}/qemu',
    async handle(call) {
      const { sim, params } = call;
      const node = requireNode(sim, params.node);
      const vmid = Number(params.vmid);
      const existing = sim.vms.get(vmid);
      if (existing) throw handlerError(`VM ${vmid} already exists on node '${existing.node}'`);
      const vm: SimVmRecord = { vmid, node, name: `VM ${vmid}`, template: false, status: 'stopped', config: {} };
      // The id is taken from the moment the call returns, as PVE writes a placeholder config first.
      sim.vms.add(vm);
      const task = sim.tasks.start(node, 'qmcreate', String(vmid), user(call), async () => {
        try {
          await applyConfig(sim, vm, params);
        } catch (e) {
          sim.vms.remove(vmid);
          sim.storages.virtual.splice(0, sim.storages.virtual.length, ...sim.storages.virtual.filter((v) => v.vmid !== vmid));
          throw e instanceof TaskFailure ? e : new TaskFailure((e as Error).message);
        }
        vm.config.smbios1 ??= `uuid=${randomUUID()}`;
        vm.config.vmgenid ??= randomUUID();
        vm.config.meta ??= `creation-qemu=9.2.0,ctime=${Math.floor(Date.now() / 1000)}`;
        if (params.start !== undefined && String(params.start) === '1') vm.status = 'running';
      });
      return ok(task.upid);
    },
  },
  {
    method: 'GET',
    path: '/nodes/{node}/qemu/{vmid}/status/current',
    async handle({ sim, params }) {
      const vm = vmOf(sim, requireNode(sim, params.node), params.vmid);
      return ok({
        vmid: vm.vmid,
        name: vm.name,
        status: vm.status,
        qmpstatus: vm.status,
        ...(vm.template ? { template: 1 } : {}),
        cpus: Number(vm.config.cores ?? 1) * Number(vm.config.sockets ?? 1),
        maxmem: Number(vm.config.memory ?? 512) * 1024 * 1024,
        uptime: 0,
        ha: { managed: 0 },
        agent: vm.config.agent && vm.config.agent !== '0' ? 1 : 0,
      });
    },
  },
  ...(['start', 'stop', 'shutdown'] as const).map(
    (action): RouteDef => ({
      method: 'POST',
      path: `/nodes/{node}/qemu/{vmid}/status/${action}`,
      async handle(call) {
        const { sim, params } = call;
        const node = requireNode(sim, params.node);
        const vm = vmOf(sim, node, params.vmid);
        if (action === 'start' && vm.template) throw handlerError("you can't start a vm if it's a template");
        if (action === 'shutdown' && vm.status !== 'running') throw handlerError(`VM ${vm.vmid} not running`);
        const type = { start: 'qmstart', stop: 'qmstop', shutdown: 'qmshutdown' }[action];
        const task = sim.tasks.start(node, type, String(vm.vmid), user(call), async () => {
          if (action === 'start') {
            if (vm.status === 'running') throw new TaskFailure(`VM ${vm.vmid} already running`);
            vm.status = 'running';
          } else vm.status = 'stopped';
        });
        return ok(task.upid);
      },
    }),
  ),
  {
    method: 'POST',
    path: '/nodes/{node}/qemu/{vmid}/template',
    async handle(call) {
      const { sim, params } = call;
      const node = requireNode(sim, params.node);
      const vm = vmOf(sim, node, params.vmid);
      if (vm.status === 'running') throw handlerError("you can't convert a VM to template if VM is running");
      if (vm.template) throw handlerError('you can\'t convert a template to a template');
      const task = sim.tasks.start(node, 'qmtemplate', String(vm.vmid), user(call), async () => {
        for (const v of sim.storages.virtual) {
          if (v.vmid !== vm.vmid) continue;
          const renamed = v.volid.replace(`vm-${vm.vmid}-disk-`, `base-${vm.vmid}-disk-`);
          for (const [k, value] of Object.entries(vm.config)) if (value.startsWith(`${v.volid},`) || value === v.volid) vm.config[k] = value.replace(v.volid, renamed);
          v.volid = renamed;
        }
        vm.template = true;
        vm.config.template = '1';
      });
      return ok(task.upid);
    },
  },
  {
    method: 'GET',
    path: '/nodes/{node}/qemu/{vmid}/config',
    async handle({ sim, params }) {
      const vm = vmOf(sim, requireNode(sim, params.node), params.vmid);
      return ok({ ...typedConfig(vm.config), digest: digest(vm.config) });
    },
  },
  ...(['POST', 'PUT'] as const).map(
    (method): RouteDef => ({
      method,
      path: '/nodes/{node}/qemu/{vmid}/config',
      async handle(call) {
        const { sim, params } = call;
        const node = requireNode(sim, params.node);
        const vm = vmOf(sim, node, params.vmid);
        if (params.digest !== undefined && String(params.digest) !== digest(vm.config)) throw handlerError('detected modified configuration - file changed by other user? Try again.');
        const keys = Object.keys(params).filter((k) => !NOT_CONFIG.has(k));
        if (keys.length === 0 && !params.delete) throw paramError({ _root: 'no options specified' });
        if (method === 'PUT') {
          try {
            await applyConfig(sim, vm, params);
          } catch (e) {
            throw handlerError((e as Error).message);
          }
          return ok(null);
        }
        const task = sim.tasks.start(node, 'qmconfig', String(vm.vmid), user(call), async () => {
          await applyConfig(sim, vm, params);
        });
        return ok(task.upid);
      },
    }),
  ),
  {
    method: 'DELETE',
    path: '/nodes/{node}/qemu/{vmid}',
    async handle(call) {
      const { sim, params } = call;
      const node = requireNode(sim, params.node);
      const vm = vmOf(sim, node, params.vmid);
      if (vm.status === 'running') throw handlerError(`VM ${vm.vmid} is running - destroy failed`);
      const task = sim.tasks.start(node, 'qmdestroy', String(vm.vmid), user(call), async (t) => {
        for (const v of sim.storages.virtual.filter((x) => x.vmid === vm.vmid)) t.log(`  Logical volume "${v.volid.split(':')[1]}" successfully removed.`);
        const keep = sim.storages.virtual.filter((x) => x.vmid !== vm.vmid);
        sim.storages.virtual.splice(0, sim.storages.virtual.length, ...keep);
        sim.vms.remove(vm.vmid);
      });
      return ok(task.upid);
    },
  },
];
