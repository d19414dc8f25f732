// What reaches the running guest: key events through the QEMU monitor (`PUT .../sendkey`, the way
// Packer types a boot_command) and the QEMU guest agent's `network-get-interfaces` (how Packer finds
// the address to connect its communicator to). There is no real guest: the simulated agent reports
// the loopback interface and one interface per NIC, with the MAC from the VM's config.
import { handlerError } from '../api-error.js';
import { checkSkiplock } from '../qemu-checks.js';
import { invalidKey } from '../qemu-keys.js';
import type { RouteDef } from '../sim-context.js';
import type { SimVmRecord } from '../types.js';
import { ok, requireNode } from './common.js';
import { vmOf } from './qemu.js';

/** The agent option's `enabled` (default key) as qemu-server's get_qga_key reads it. */
function agentEnabled(vm: SimVmRecord): boolean {
  const value = vm.config.agent;
  if (value === undefined) return false;
  const first = value.split(',').map((p) => (p.includes('=') ? p : `enabled=${p}`)).find((p) => p.startsWith('enabled='));
  return /^(1|on|yes|true)$/i.test(first?.slice('enabled='.length) ?? '0');
}

/** fe80:: address derived from a MAC (modified EUI-64), as a guest configures it on its own. */
function linkLocal(mac: string): string {
  const b = mac.split(':').map((h) => parseInt(h, 16));
  b[0] = b[0]! ^ 0x02;
  const words = [(b[0]! << 8) | b[1]!, (b[2]! << 8) | 0xff, (0xfe << 8) | b[3]!, (b[4]! << 8) | b[5]!];
  return `fe80::${words.map((w) => w.toString(16)).join(':')}`;
}

const zeroStats = { 'rx-bytes': 0, 'rx-dropped': 0, 'rx-errs': 0, 'rx-packets': 0, 'tx-bytes': 0, 'tx-dropped': 0, 'tx-errs': 0, 'tx-packets': 0 };

function interfaces(vm: SimVmRecord, guestAddress: string | undefined): unknown[] {
  const out: unknown[] = [
    {
      name: 'lo',
      'hardware-address': '00:00:00:00:00:00',
      'ip-addresses': [
        { 'ip-address': '127.0.0.1', 'ip-address-type': 'ipv4', prefix: 8 },
        { 'ip-address': '::1', 'ip-address-type': 'ipv6', prefix: 128 },
      ],
      statistics: zeroStats,
    },
  ];
  const nics = Object.keys(vm.config)
    .filter((k) => /^net\d+$/.test(k))
    .sort((a, b) => Number(a.slice(3)) - Number(b.slice(3)));
  nics.forEach((key, i) => {
    const mac = /=([0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){5})/.exec(vm.config[key]!)?.[1]?.toLowerCase();
    if (!mac) return;
    const addresses = [...(i === 0 && guestAddress ? [{ 'ip-address': guestAddress, 'ip-address-type': 'ipv4', prefix: 24 }] : []), { 'ip-address': linkLocal(mac), 'ip-address-type': 'ipv6', prefix: 64 }];
    out.push({ name: `ens${18 + Number(key.slice(3))}`, 'hardware-address': mac, 'ip-addresses': addresses, statistics: zeroStats });
  });
  return out;
}

export const guestRoutes: RouteDef[] = [
  {
    method: 'PUT',
    path: '/nodes/{node}/qemu/{vmid}/sendkey',
    async handle({ sim, params, identity }) {
      const node = requireNode(sim, params.node);
      checkSkiplock(params, identity);
      const vm = vmOf(sim, node, params.vmid);
      if (vm.status !== 'running') throw handlerError(`VM ${vm.vmid} not running`);
      const key = String(params.key);
      const bad = invalidKey(key);
      // HMP's answer ends in CRLF; pve-http-server turns a reason with CR into a bare 400.
      if (bad !== undefined) throw handlerError(`invalid parameter: ${bad}\r\n`);
      (vm.keys ??= []).push(key);
      return ok(null);
    },
  },
  {
    method: 'GET',
    path: '/nodes/{node}/qemu/{vmid}/agent/network-get-interfaces',
    async handle({ sim, params }) {
      const vm = vmOf(sim, requireNode(sim, params.node), params.vmid);
      if (!agentEnabled(vm)) throw handlerError('No QEMU guest agent configured');
      if (vm.status !== 'running') throw handlerError(`VM ${vm.vmid} is not running`);
      return ok({ result: interfaces(vm, sim.guestAddress) });
    },
  },
];

