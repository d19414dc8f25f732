// Cluster-wide views: /version, /nodes, /cluster/resources (what Packer reads to pick a VM id)
// and /cluster/nextid.
import { createHash } from 'node:crypto';
import { paramError } from '../api-error.js';
import type { RouteDef } from '../sim-context.js';
import { ok } from './common.js';

export const clusterRoutes: RouteDef[] = [
  {
    method: 'GET',
    path: '/version',
    async handle({ sim }) {
      const [major, minor] = sim.version.split('.');
      const repoid = createHash('sha1').update(sim.version).digest('hex').slice(0, 16);
      return ok({ version: sim.version, release: `${major}.${minor ?? 0}`, repoid });
    },
  },
  {
    method: 'GET',
    path: '/nodes',
    async handle({ sim, identity }) {
      return ok(
        sim.nodes.map((node) => {
          const audit = sim.perms.has(identity, `/nodes/${node}`, 'Sys.Audit');
          return {
            node,
            id: `node/${node}`,
            type: 'node',
            status: 'online',
            ...(audit ? { cpu: 0.01, maxcpu: 4, mem: 2 * 1024 ** 3, maxmem: 16 * 1024 ** 3, disk: 4 * 1024 ** 3, maxdisk: 64 * 1024 ** 3, uptime: 3600, level: '' } : {}),
          };
        }),
      );
    },
  },
  {
    method: 'GET',
    path: '/cluster/resources',
    async handle({ sim, params, identity }) {
      const type = params.type as string | undefined;
      const out: Array<Record<string, unknown>> = [];
      if (!type || type === 'node') {
        for (const node of sim.nodes) out.push({ id: `node/${node}`, type: 'node', node, status: 'online', level: '', maxcpu: 4, maxmem: 16 * 1024 ** 3 });
      }
      if (!type || type === 'vm') {
        for (const vm of sim.vms.list()) {
          if (!sim.perms.has(identity, `/vms/${vm.vmid}`, 'VM.Audit')) continue;
          out.push({ id: `qemu/${vm.vmid}`, type: 'qemu', vmid: vm.vmid, name: vm.name, node: vm.node, status: vm.status, template: vm.template ? 1 : 0, maxmem: Number(vm.config.memory ?? 512) * 1024 * 1024, maxcpu: Number(vm.config.cores ?? 1), uptime: 0 });
        }
      }
      if (!type || type === 'storage') {
        for (const s of sim.storages.configs) {
          if (!sim.perms.anyOf(identity, `/storage/${s.storage}`, ['Datastore.Audit', 'Datastore.AllocateSpace'])) continue;
          for (const node of sim.nodes) {
            if (!sim.storages.availableOn(s, node)) continue;
            const space = await sim.storages.space(s.storage, node);
            out.push({ id: `storage/${node}/${s.storage}`, type: 'storage', storage: s.storage, node, status: s.disable ? 'unknown' : 'available', plugintype: s.type, content: s.content.join(','), shared: s.shared ? 1 : 0, disk: space.used, maxdisk: space.total });
          }
        }
      }
      return ok(out);
    },
  },
  {
    method: 'GET',
    path: '/cluster/nextid',
    async handle({ sim, params }) {
      if (params.vmid !== undefined) {
        const vmid = Number(params.vmid);
        if (sim.vms.get(vmid)) throw paramError({ vmid: `VM ${vmid} already exists` });
        return ok(String(vmid));
      }
      return ok(String(sim.vms.nextFree()));
    },
  },
];
