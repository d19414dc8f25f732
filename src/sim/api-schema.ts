// Method descriptions (parameters, permissions, allowtoken) of every simulated endpoint. The
// storage, task, access and version endpoints come verbatim from PVE 9.1's API schema
// (pve-api-schema.json, a copy of /work/shared/docs/pve-api-schema.json loaded at start); the few
// endpoints Packer and clients also need that the extract does not cover (nodes, storage config,
// cluster, access permissions, qemu incl. resize/sendkey/agent) are described here in the same
// shape, following the PVE API viewer and the Perl handlers (qemu-server, pve-storage,
// pve-access-control).
import schemaFile from './pve-api-schema.json' with { type: 'json' };
import type { PermCheck } from './acl.js';
import { VALID_DRIVE_NAMES } from './drive.js';
import type { ParamsSchema, PropSchema } from './param-schema.js';

export interface MethodInfo {
  parameters: ParamsSchema;
  permissions?: { check?: PermCheck; user?: 'all' | 'world'; description?: string };
  allowtoken?: number;
  protected?: number;
}

type Endpoints = Record<string, Record<string, MethodInfo>>;

const node: PropSchema = { type: 'string', format: 'pve-node', description: 'The cluster node name.' };
const vmid: PropSchema = { type: 'integer', format: 'pve-vmid', minimum: 100, maximum: 999999999 };
const opt = (p: PropSchema): PropSchema => ({ ...p, optional: 1 });
const str: PropSchema = { type: 'string', optional: 1 };
const bool: PropSchema = { type: 'boolean', optional: 1 };
const int: PropSchema = { type: 'integer', optional: 1 };

/** Options of a qemu VM configuration the simulator accepts on create and config update. */
function qemuConfigProperties(): Record<string, PropSchema> {
  const props: Record<string, PropSchema> = {
    acpi: bool, agent: str, arch: { ...str, enum: ['x86_64', 'aarch64'] }, args: str, audio0: str, autostart: bool,
    balloon: { ...int, minimum: 0 }, bios: { ...str, enum: ['seabios', 'ovmf'] }, boot: str, bootdisk: str,
    cdrom: str, cicustom: str, cipassword: str, citype: { ...str, enum: ['configdrive2', 'nocloud', 'opennebula'] },
    ciupgrade: bool, ciuser: str, cores: { ...int, minimum: 1 }, cpu: str, cpulimit: { type: 'number', optional: 1, minimum: 0, maximum: 128 },
    cpuunits: { ...int, minimum: 1, maximum: 262144 }, description: { ...str, maxLength: 8192 }, efidisk0: str,
    freeze: bool, hookscript: str, hotplug: str, hugepages: str, ipconfig0: str, kvm: bool, localtime: bool,
    lock: str, machine: str, memory: str, migrate_downtime: { type: 'number', optional: 1 }, migrate_speed: int,
    name: { ...str, format: 'dns-name' }, nameserver: str, numa: bool, onboot: bool,
    ostype: { ...str, enum: ['other', 'wxp', 'w2k', 'w2k3', 'w2k8', 'wvista', 'win7', 'win8', 'win10', 'win11', 'l24', 'l26', 'solaris'] },
    protection: bool, reboot: bool, rng0: str, scsihw: { ...str, enum: ['lsi', 'lsi53c810', 'virtio-scsi-pci', 'virtio-scsi-single', 'megasas', 'pvscsi'] },
    searchdomain: str, serial0: str, shares: int, smbios1: str, smp: int, sockets: { ...int, minimum: 1 }, sshkeys: str,
    startup: str, tablet: bool, tags: str, template: bool, tpmstate0: str, vcpus: int, vga: str, vmgenid: str,
    vmstatestorage: str, watchdog: str, pool: str, start: bool, unique: bool, storage: str, force: bool, archive: str,
  };
  const ranges: Array<[string, number]> = [['ide', 3], ['sata', 5], ['scsi', 30], ['virtio', 15], ['net', 31], ['unused', 255], ['usb', 4], ['hostpci', 15], ['serial', 3], ['parallel', 2], ['ipconfig', 31], ['numa', 7]];
  for (const [prefix, max] of ranges) for (let i = 0; i <= max; i++) props[`${prefix}${i}`] ??= str;
  return props;
}

const vmPath = { node, vmid };
const qemuConfig = qemuConfigProperties();

const EXTRA: Endpoints = {
  '/nodes': { GET: { parameters: { additionalProperties: 0 }, permissions: { user: 'all' }, allowtoken: 1 } },
  '/storage': {
    GET: {
      parameters: { additionalProperties: 0, properties: { type: { ...str, enum: ['btrfs', 'cephfs', 'cifs', 'dir', 'esxi', 'glusterfs', 'iscsi', 'iscsidirect', 'lvm', 'lvmthin', 'nfs', 'pbs', 'rbd', 'zfs', 'zfspool'] } } },
      permissions: { user: 'all' },
      allowtoken: 1,
    },
  },
  '/cluster/resources': {
    GET: { parameters: { additionalProperties: 0, properties: { type: { ...str, enum: ['vm', 'storage', 'node', 'sdn'] } } }, permissions: { user: 'all' }, allowtoken: 1 },
  },
  '/storage/{storage}': {
    GET: { parameters: { additionalProperties: 0, properties: { storage: { type: 'string', format: 'pve-storage-id' } } }, permissions: { check: ['perm', '/storage/{storage}', ['Datastore.Allocate']] }, allowtoken: 1 },
  },
  '/access/permissions': {
    GET: {
      parameters: {
        additionalProperties: 0,
        properties: {
          // $PVE::AccessControl::userid_or_token_regex
          userid: { ...str, pattern: '[^\\s:/]+@[A-Za-z][A-Za-z0-9.\\-_]+(?:![A-Za-z][A-Za-z0-9.\\-_]+)?' },
          path: str,
        },
      },
      permissions: { user: 'all' },
      allowtoken: 1,
    },
  },
  '/cluster/nextid': { GET: { parameters: { additionalProperties: 0, properties: { vmid: opt(vmid) } }, permissions: { user: 'all' }, allowtoken: 1 } },
  '/nodes/{node}/qemu': {
    GET: { parameters: { additionalProperties: 0, properties: { node, full: bool } }, permissions: { user: 'all' }, allowtoken: 1 },
    POST: {
      parameters: { additionalProperties: 0, properties: { ...qemuConfig, node, vmid } },
      // create_vm checks inside: VM.Allocate, VM.Config.* per option, Datastore.AllocateSpace, SDN.Use.
      permissions: { user: 'all' },
      allowtoken: 1,
      protected: 1,
    },
  },
  '/nodes/{node}/qemu/{vmid}/resize': {
    PUT: {
      parameters: {
        additionalProperties: 0,
        properties: { ...vmPath, skiplock: bool, disk: { type: 'string', enum: VALID_DRIVE_NAMES }, size: { type: 'string', pattern: '\\+?\\d+(\\.\\d+)?[KMGT]?' }, digest: { ...str, maxLength: 40 } },
      },
      permissions: { check: ['perm', '/vms/{vmid}', ['VM.Config.Disk']] },
      allowtoken: 1,
      protected: 1,
    },
  },
  '/nodes/{node}/qemu/{vmid}/sendkey': {
    PUT: { parameters: { additionalProperties: 0, properties: { ...vmPath, skiplock: bool, key: { type: 'string' } } }, permissions: { check: ['perm', '/vms/{vmid}', ['VM.Console']] }, allowtoken: 1, protected: 1 },
  },
  '/nodes/{node}/qemu/{vmid}/agent/network-get-interfaces': {
    // PVE 9 guards guest agent reads with VM.GuestAgent.* (PVE 8: VM.Monitor).
    GET: { parameters: { additionalProperties: 0, properties: vmPath }, permissions: { check: ['perm', '/vms/{vmid}', ['VM.GuestAgent.Audit', 'VM.GuestAgent.Unrestricted'], 'any', 1] }, allowtoken: 1, protected: 1 },
  },
  '/nodes/{node}/qemu/{vmid}': {
    DELETE: {
      parameters: { additionalProperties: 0, properties: { ...vmPath, purge: bool, skiplock: bool, 'destroy-unreferenced-disks': bool } },
      permissions: { check: ['perm', '/vms/{vmid}', ['VM.Allocate']] },
      allowtoken: 1,
      protected: 1,
    },
  },
  '/nodes/{node}/qemu/{vmid}/status/current': {
    GET: { parameters: { additionalProperties: 0, properties: vmPath }, permissions: { check: ['perm', '/vms/{vmid}', ['VM.Audit']] }, allowtoken: 1 },
  },
  '/nodes/{node}/qemu/{vmid}/status/start': {
    POST: { parameters: { additionalProperties: 0, properties: { ...vmPath, skiplock: bool, timeout: int, machine: str, migratedfrom: str, stateuri: str, targetstorage: str, 'force-cpu': str, migration_type: str, migration_network: str } }, permissions: { check: ['perm', '/vms/{vmid}', ['VM.PowerMgmt']] }, allowtoken: 1, protected: 1 },
  },
  '/nodes/{node}/qemu/{vmid}/status/stop': {
    POST: { parameters: { additionalProperties: 0, properties: { ...vmPath, skiplock: bool, timeout: int, keepActive: bool, 'overrule-shutdown': bool, migratedfrom: str } }, permissions: { check: ['perm', '/vms/{vmid}', ['VM.PowerMgmt']] }, allowtoken: 1, protected: 1 },
  },
  '/nodes/{node}/qemu/{vmid}/status/shutdown': {
    POST: { parameters: { additionalProperties: 0, properties: { ...vmPath, skiplock: bool, timeout: int, forceStop: bool, keepActive: bool } }, permissions: { check: ['perm', '/vms/{vmid}', ['VM.PowerMgmt']] }, allowtoken: 1, protected: 1 },
  },
  '/nodes/{node}/qemu/{vmid}/template': {
    POST: { parameters: { additionalProperties: 0, properties: { ...vmPath, disk: str } }, permissions: { check: ['perm', '/vms/{vmid}', ['VM.Allocate']] }, allowtoken: 1, protected: 1 },
  },
  '/nodes/{node}/qemu/{vmid}/config': {
    GET: { parameters: { additionalProperties: 0, properties: { ...vmPath, current: bool, snapshot: str } }, permissions: { check: ['perm', '/vms/{vmid}', ['VM.Audit']] }, allowtoken: 1 },
    POST: { parameters: { additionalProperties: 0, properties: { ...qemuConfig, ...vmPath, delete: str, revert: str, digest: str, skiplock: bool, background_delay: int } }, permissions: { check: ['perm', '/vms/{vmid}', ['VM.Config.Options', 'VM.Config.CDROM', 'VM.Config.Disk', 'VM.Config.Memory', 'VM.Config.CPU', 'VM.Config.Network', 'VM.Config.HWType'], 'any', 1] }, allowtoken: 1, protected: 1 },
    PUT: { parameters: { additionalProperties: 0, properties: { ...qemuConfig, ...vmPath, delete: str, revert: str, digest: str, skiplock: bool } }, permissions: { check: ['perm', '/vms/{vmid}', ['VM.Config.Options', 'VM.Config.CDROM', 'VM.Config.Disk', 'VM.Config.Memory', 'VM.Config.CPU', 'VM.Config.Network', 'VM.Config.HWType'], 'any', 1] }, allowtoken: 1, protected: 1 },
  },
};

/** Endpoints from PVE's own schema (verbatim). */
export const PVE_SCHEMA_ENDPOINTS = (schemaFile as unknown as { endpoints: Endpoints }).endpoints;

export function methodInfo(path: string, method: string): MethodInfo | undefined {
  return PVE_SCHEMA_ENDPOINTS[path]?.[method] ?? EXTRA[path]?.[method];
}

export function allEndpoints(): Array<{ path: string; method: string; fromPveSchema: boolean }> {
  const out: Array<{ path: string; method: string; fromPveSchema: boolean }> = [];
  for (const [path, methods] of Object.entries(PVE_SCHEMA_ENDPOINTS)) for (const m of Object.keys(methods)) out.push({ path, method: m, fromPveSchema: true });
  for (const [path, methods] of Object.entries(EXTRA)) for (const m of Object.keys(methods)) out.push({ path, method: m, fromPveSchema: false });
  return out;
}
