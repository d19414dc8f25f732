// The qemu endpoints Packer's proxmox-iso builder uses: create (qemu-server's permission checks,
// then a qmcreate task running create_disks; errors prefixed `unable to create VM N - `), status,
// start/stop/shutdown, convert to template, config get/set (async POST with a qmconfig task, sync
// PUT), disk resize (a `resize` task) and destroy.
import { randomUUID } from 'node:crypto';
import { ApiError, handlerError, paramError } from '../api-error.js';
import { principal } from '../auth.js';
import { methodInfo } from '../api-schema.js';
import { DRIVE_KEY, formatDriveSize as formatSize, isCdrom, parseDrive, parseResizeSize, printDrive } from '../drive.js';
import { addRandomMacs, checkBridgeAccess, checkConfigOptionPerms, checkCreate, checkSkiplock, checkStorageAccess, isRootLogin, normalizeDriveParams, resolveCdromAlias } from '../qemu-checks.js';
import { createDisks, deleteOption } from '../qemu-disks.js';
import type { ApiCall, RouteDef, SimContext } from '../sim-context.js';
import { TaskFailure } from '../tasks.js';
import type { SimVmRecord } from '../types.js';
import { ok, requireNode } from './common.js';

const NOT_CONFIG = new Set(['node', 'vmid', 'start', 'pool', 'storage', 'unique', 'force', 'archive', 'delete', 'revert', 'digest', 'skiplock', 'background_delay']);

export function vmOf(sim: SimContext, node: string, vmid: unknown): SimVmRecord {
  const vm = sim.vms.get(Number(vmid));
  if (!vm || vm.node !== node) throw handlerError(`Configuration file 'nodes/${node}/qemu-server/${String(vmid)}.conf' does not exist`);
  return vm;
}

/** Request values as the strings PVE's handlers see (JSON true/false are 1/0). */
function stringParams(params: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null) out[k] = typeof v === 'boolean' ? (v ? '1' : '0') : String(v);
  return out;
}

/** Sets the options on the VM's config: deletions first, drives through create_disks, the rest as given. */
async function applyConfig(sim: SimContext, vm: SimVmRecord, values: Record<string, string>, log: (line: string) => void): Promise<void> {
  for (const key of (values.delete ?? '').split(/[,;\s]+/).filter(Boolean)) deleteOption(sim, vm, key);
  const drives: Record<string, string> = {};
  for (const [key, value] of Object.entries(values)) {
    if (NOT_CONFIG.has(key)) continue;
    if (DRIVE_KEY.test(key)) drives[key] = value;
    else {
      vm.config[key] = value;
      if (key === 'name') vm.name = value;
    }
  }
  await createDisks(sim, vm, drives, values.storage, log);
}

/** update_vm_api's checks: privileges per option (drives: VM.Config.Disk/CDROM), storage, bridges. */
function checkUpdate(sim: SimContext, call: ApiCall, vm: SimVmRecord, values: Record<string, string>): void {
  const id = call.identity;
  const deletes = (values.delete ?? '').split(/[,;\s]+/).filter(Boolean);
  const keys = Object.keys(values).filter((k) => !NOT_CONFIG.has(k));
  resolveCdromAlias(values);
  if (!isRootLogin(id)) {
    for (const key of [...keys, ...deletes]) {
      if (!DRIVE_KEY.test(key) && !/^unused\d+$/.test(key)) continue;
      const drive = parseDrive(values[key] ?? vm.config[key] ?? '');
      sim.perms.check(id, `/vms/${vm.vmid}`, [drive && isCdrom(drive) ? 'VM.Config.CDROM' : 'VM.Config.Disk']);
    }
  }
  checkConfigOptionPerms(sim, id, vm.vmid, [...keys, ...deletes]);
  const options = Object.fromEntries(keys.map((k) => [k, values[k]!]));
  checkStorageAccess(sim, id, vm.vmid, options, values.storage);
  checkBridgeAccess(sim, id, options);
  normalizeDriveParams(sim, options);
  addRandomMacs(options);
  Object.assign(values, options);
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
      const { sim, params, identity } = call;
      const node = requireNode(sim, params.node);
      const vmid = Number(params.vmid);
      const values = stringParams(params);
      checkCreate(sim, identity, vmid, values);
      const emsg = `unable to create VM ${vmid} -`;
      const existing = sim.vms.get(vmid);
      if (existing) throw handlerError(`${emsg} VM ${vmid} already exists on node '${existing.node}'`);
      const vm: SimVmRecord = { vmid, node, name: `VM ${vmid}`, template: false, status: 'stopped', config: {} };
      // The id is taken from the moment the call returns, as PVE writes a placeholder config first.
      sim.vms.add(vm);
      const task = sim.tasks.start(node, 'qmcreate', String(vmid), user(call), async (t) => {
        try {
          await applyConfig(sim, vm, values, (line) => t.log(line));
        } catch (e) {
          sim.vms.remove(vmid);
          throw new TaskFailure(`${emsg} ${(e as Error).message.replace(/\n+$/, '')}`);
        }
        vm.config.smbios1 ??= `uuid=${randomUUID()}`;
        vm.config.vmgenid ??= randomUUID();
        vm.config.meta ??= `creation-qemu=9.2.0,ctime=${Math.floor(Date.now() / 1000)}`;
        if (values.start === '1') vm.status = 'running';
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
        const values = stringParams(params);
        if (values.digest !== undefined && values.digest !== digest(vm.config)) throw handlerError('detected modified configuration - file changed by other user? Try again.');
        const keys = Object.keys(values).filter((k) => !NOT_CONFIG.has(k));
        if (keys.length === 0 && !values.delete) throw paramError({ _root: 'no options specified' });
        checkUpdate(sim, call, vm, values);
        if (method === 'PUT') {
          try {
            await applyConfig(sim, vm, values, () => undefined);
          } catch (e) {
            throw e instanceof ApiError ? e : handlerError((e as Error).message);
          }
          return ok(null);
        }
        const task = sim.tasks.start(node, 'qmconfig', String(vm.vmid), user(call), async (t) => {
          await applyConfig(sim, vm, values, (line) => t.log(line));
        });
        return ok(task.upid);
      },
    }),
  ),
  {
    method: 'PUT',
    path: '/nodes/{node}/qemu/{vmid}/resize',
    async handle(call) {
      const { sim, params, identity } = call;
      const node = requireNode(sim, params.node);
      const vmid = Number(params.vmid);
      checkSkiplock(params, identity);
      const disk = String(params.disk);
      const sizestr = String(params.size);
      const task = sim.tasks.start(node, 'resize', String(vmid), user(call), async (t) => {
        const vm = vmOf(sim, node, vmid);
        if (params.digest !== undefined && String(params.digest) !== digest(vm.config)) throw new TaskFailure('checksum mismatch (file change by other user?)');
        if (!vm.config[disk]) throw new TaskFailure(`disk '${disk}' does not exist`);
        const drive = parseDrive(vm.config[disk]!);
        if (!drive?.file) throw new TaskFailure(`disk '${disk}' has no associated volume`);
        if (isCdrom(drive)) throw new TaskFailure("you can't resize a cdrom");
        const info = sim.storages.volumeInfo(drive.file);
        sim.perms.check(identity, `/storage/${info.storage}`, ['Datastore.AllocateSpace']);
        const current = sim.storages.virtual.find((v) => v.volid === drive.file)?.size;
        if (current === undefined) throw new TaskFailure(`Could not determine current size of volume '${drive.file}'`);
        const size = parseResizeSize(sizestr, current);
        if (size === undefined) throw new TaskFailure('internal error');
        if (size < current) throw new TaskFailure('shrinking disks is not supported');
        if (size === current) return;
        sim.storages.resizeImage(drive.file, size).forEach((line) => t.log(line));
        drive.opts.set('size', formatSize(size));
        vm.config[disk] = printDrive(drive);
      });
      return ok(task.upid);
    },
  },
  {
    method: 'DELETE',
    path: '/nodes/{node}/qemu/{vmid}',
    async handle(call) {
      const { sim, params } = call;
      const node = requireNode(sim, params.node);
      const vm = vmOf(sim, node, params.vmid);
      if (vm.status === 'running') throw handlerError(`VM ${vm.vmid} is running - destroy failed`);
      const task = sim.tasks.start(node, 'qmdestroy', String(vm.vmid), user(call), async (t) => {
        for (const v of sim.storages.virtual.filter((x) => x.vmid === vm.vmid)) {
          const s = sim.storages.get(v.volid.split(':')[0]!);
          // lvremove prints this; removing an image file prints nothing.
          if (s && !sim.storages.isFileBased(s)) t.log(`  Logical volume "${v.volid.split(':')[1]}" successfully removed.`);
        }
        const keep = sim.storages.virtual.filter((x) => x.vmid !== vm.vmid);
        sim.storages.virtual.splice(0, sim.storages.virtual.length, ...keep);
        sim.vms.remove(vm.vmid);
      });
      return ok(task.upid);
    },
  },
];
