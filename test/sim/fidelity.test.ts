// Where the simulator answers exactly as Proxmox VE 9.1 does outside the happy path: pve-http-server's
// request rules (a body on GET/DELETE, query over body, body size and type, conflicting path values),
// an unknown task's log, qemu-server's create checks (VM.Allocate, VM.Config.* per option, storage and
// bridge access, root-only options), resize/sendkey/agent errors, /access/permissions and
// GET /storage/{storage}.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startSimulator } from '../../src/sim/index.js';
import type { SimHandle } from '../../src/sim/index.js';
import { api, login, request, tokenHeader, waitTask } from './client.js';
import type { Session } from './client.js';

const VM_PRIVS = ['VM.Allocate', 'VM.Audit', 'VM.Console', 'VM.PowerMgmt', 'VM.Config.CPU', 'VM.Config.Memory', 'VM.Config.Disk', 'VM.Config.CDROM', 'VM.Config.Options', 'VM.Config.Network', 'VM.Config.HWType'];

let sim: SimHandle;
let root: Session;

before(async () => {
  sim = await startSimulator({
    users: [
      { userid: 'alloc@pve', password: 'pw-alloc' },
      { userid: 'builder@pve', password: 'pw-builder' },
      { userid: 'net@pve', password: 'pw-net' },
    ],
    tokens: [{ tokenid: 'net@pve!ci', secret: 'tok-secret' }],
    acls: [
      { path: '/vms/100', ugid: 'alloc@pve', privs: ['VM.Allocate'] },
      { path: '/vms', ugid: 'builder@pve', privs: VM_PRIVS },
      { path: '/storage/local-lvm', ugid: 'builder@pve', privs: ['Datastore.AllocateSpace'] },
      { path: '/vms', ugid: 'net@pve', privs: [...VM_PRIVS, 'VM.GuestAgent.Audit'] },
      { path: '/storage', ugid: 'net@pve', privs: ['Datastore.AllocateSpace', 'Datastore.Audit'] },
      { path: '/sdn/zones/localnetwork', ugid: 'net@pve', privs: ['SDN.Use'] },
      { path: '/vms', ugid: 'net@pve!ci', privs: ['VM.Audit'] },
    ],
    mirrorFiles: { 'os.iso': 64 * 1024 },
  });
  root = await login(sim);
  const dl = await api(sim, root, 'POST', '/nodes/pve/storage/local/download-url', { url: `${sim.mirrorUrl}os.iso`, content: 'iso', filename: 'os.iso' });
  assert.equal((await waitTask(sim, root, dl.json.data)).exitstatus, 'OK');
});
after(() => sim.stop());

async function createVm(s: Session, vmid: number, params: Record<string, string | number>) {
  const r = await api(sim, s, 'POST', '/nodes/pve/qemu', { vmid, ...params });
  assert.equal(r.status, 200, r.body);
  const t = await waitTask(sim, s, r.json.data);
  assert.equal(t.exitstatus, 'OK', t.log.join('\n'));
}

test('a body on GET or DELETE is 501 Unexpected content, with no body, after authentication', async () => {
  for (const method of ['GET', 'DELETE']) {
    const r = await request(`${sim.apiUrl}/nodes/pve/storage`, { method, headers: root.headers, form: { content: 'iso' } });
    assert.deepEqual([r.status, r.reason, r.body], [501, `Unexpected content for method '${method}'`, '']);
  }
  const anonymous = await request(`${sim.apiUrl}/nodes/pve/storage`, { form: { content: 'iso' } });
  assert.deepEqual([anonymous.status, anonymous.reason], [401, 'No ticket']);
  const empty = await request(`${sim.apiUrl}/nodes/pve/storage?content=iso`, { headers: root.headers });
  assert.equal(empty.status, 200);
});

test('a body over 64 KiB is 501 for data too large; a body that is neither form nor JSON is 506', async () => {
  const big = await request(`${sim.apiUrl}/nodes/pve/qemu/999/config`, { method: 'PUT', headers: root.headers, form: { description: 'x'.repeat(64 * 1024) } });
  assert.deepEqual([big.status, big.reason, big.body], [501, 'for data too large', '']);
  const text = await request(`${sim.apiUrl}/nodes/pve/qemu/999/config`, { method: 'PUT', headers: { ...root.headers, 'Content-Type': 'text/plain' }, body: 'description=x' });
  assert.deepEqual([text.status, text.reason], [506, "upload 'Content-Type 'text/plain' not implemented"]);
  // proxmox-api-go before plugin 1.1.3 kept the upload's Content-Type for later calls
  // (hashicorp/packer-plugin-proxmox#150): PVE answers the create with this 506.
  const leaked = await request(`${sim.apiUrl}/nodes/pve/qemu`, { method: 'POST', headers: { ...root.headers, 'Content-Type': 'multipart/form-data; boundary=6bab62e4' }, body: 'vmid=199' });
  assert.deepEqual([leaked.status, leaked.reason, leaked.body], [506, "upload 'Content-Type 'multipart/form-data; boundary=6bab62e4' not implemented", '']);
});

test('a query value overrides the same parameter in the body; a path value may be repeated only unchanged', async () => {
  await createVm(root, 110, { name: 'q' });
  const r = await request(`${sim.apiUrl}/nodes/pve/qemu/110/config?description=from-query`, { method: 'PUT', headers: root.headers, form: { description: 'from-body' } });
  assert.equal(r.status, 200, r.body);
  assert.equal((await api(sim, root, 'GET', '/nodes/pve/qemu/110/config')).json.data.description, 'from-query');
  const same = await api(sim, root, 'PUT', '/nodes/pve/qemu/110/config', { node: 'pve', description: 'again' });
  assert.equal(same.status, 200);
  const other = await api(sim, root, 'PUT', '/nodes/pve/qemu/110/config', { node: 'pve2', description: 'x' });
  assert.deepEqual([other.status, other.json.errors], [400, { node: 'duplicate parameter (already defined in URI) with conflicting values!' }]);
});

test('the log of a well-formed but unknown UPID is 200 with one unable-to-open line; the owner comes from the UPID', async () => {
  const upid = 'UPID:pve:00001234:00005678:6B000000:download:x.iso:root@pam:';
  const r = await api(sim, root, 'GET', `/nodes/pve/tasks/${encodeURIComponent(upid)}/log`);
  assert.equal(r.status, 200);
  assert.deepEqual(r.json, { data: { n: 1, t: 'unable to open file - No such file or directory' }, total: 1 });
  const status = await api(sim, root, 'GET', `/nodes/pve/tasks/${encodeURIComponent(upid)}/status`);
  assert.deepEqual([status.status, status.json.errors], [400, { upid: 'no such task' }]);
  const bad = await api(sim, root, 'GET', '/nodes/pve/tasks/UPID:nope/log');
  assert.deepEqual([bad.status, bad.json.errors], [400, { upid: 'unable to parse worker upid' }]);
  const other = await login(sim, 'alloc@pve', 'pw-alloc');
  const denied = await api(sim, other, 'GET', `/nodes/pve/tasks/${encodeURIComponent(upid)}/log`);
  assert.deepEqual([denied.status, denied.reason], [403, 'Permission check failed (/nodes/pve, Sys.Audit)']);
});

test('create checks VM.Allocate, then the VM.Config privilege of each option, storage access and bridges', async () => {
  const alloc = await login(sim, 'alloc@pve', 'pw-alloc');
  const noAlloc = await api(sim, alloc, 'POST', '/nodes/pve/qemu', { vmid: 101 });
  assert.deepEqual([noAlloc.status, noAlloc.reason], [403, 'Permission check failed']);
  const memory = await api(sim, alloc, 'POST', '/nodes/pve/qemu', { vmid: 100, memory: 512 });
  assert.deepEqual([memory.status, memory.reason], [403, 'Permission check failed (/vms/100, VM.Config.Memory)']);

  const builder = await login(sim, 'builder@pve', 'pw-builder');
  const iso = await api(sim, builder, 'POST', '/nodes/pve/qemu', { vmid: 120, ide2: 'local:iso/os.iso,media=cdrom' });
  assert.deepEqual([iso.status, iso.reason], [403, 'Permission check failed (/storage/local, Datastore.AllocateSpace|Datastore.Audit)']);
  const bridge = await api(sim, builder, 'POST', '/nodes/pve/qemu', { vmid: 120, net0: 'virtio,bridge=vmbr0' });
  assert.deepEqual([bridge.status, bridge.reason], [403, 'Permission check failed (/sdn/zones/localnetwork/vmbr0, SDN.Use)']);
  const rootOnly = await api(sim, builder, 'POST', '/nodes/pve/qemu', { vmid: 120, args: '-no-reboot' });
  assert.deepEqual([rootOnly.status, rootOnly.reason], [500, "only root can set 'args' config"]);
  const serial = await api(sim, builder, 'POST', '/nodes/pve/qemu', { vmid: 120, serial0: '/dev/ttyS0' });
  assert.deepEqual([serial.status, serial.reason], [500, "only root can set 'serial0' config for real devices"]);
  const disk = await api(sim, builder, 'POST', '/nodes/pve/qemu', { vmid: 120, scsi0: 'local:1' });
  assert.deepEqual([disk.status, disk.reason], [403, 'Permission check failed (/storage/local, Datastore.AllocateSpace)']);
  await createVm(builder, 120, { memory: 1024, cores: 2, scsi0: 'local-lvm:1', ostype: 'l26' });
  assert.equal(sim.vms().find((v) => v.vmid === 120)?.config.scsi0, 'local-lvm:vm-120-disk-0,size=1G');

  const net = await login(sim, 'net@pve', 'pw-net');
  await createVm(net, 121, { ide2: 'local:iso/os.iso,media=cdrom', net0: 'virtio,bridge=vmbr0,tag=10', agent: 1 });
  const dup = await api(sim, net, 'POST', '/nodes/pve/qemu', { vmid: 121 });
  assert.deepEqual([dup.status, dup.reason], [500, "unable to create VM 121 - VM 121 already exists on node 'pve'"]);
  const pool = await api(sim, root, 'POST', '/nodes/pve/qemu', { vmid: 122, pool: 'ci' });
  assert.deepEqual([pool.status, pool.reason], [403, "Permission check failed (pool 'ci' does not exist)"]);
});

test('errors of the create task carry the prefix, and nothing is left behind', async () => {
  const r = await api(sim, root, 'POST', '/nodes/pve/qemu', { vmid: 130, scsi0: 'local-lvm:1', ide2: 'local:iso/missing.iso,media=cdrom' });
  const t = await waitTask(sim, root, r.json.data);
  assert.equal(t.exitstatus, 'unable to create VM 130 - volume local:iso/missing.iso does not exist');
  assert.equal(sim.vms().find((v) => v.vmid === 130), undefined);
  const content = await api(sim, root, 'GET', '/nodes/pve/storage/local-lvm/content', { vmid: 130 });
  assert.deepEqual(content.json.data, [], 'the disk allocated before the failure is freed');
});

test('resize: a resize task grows the disk; shrinking, a cdrom and a missing disk fail the task; the size is verified', async () => {
  await createVm(root, 140, { scsi0: 'local-lvm:1', ide2: 'local:iso/os.iso,media=cdrom' });
  const run = async (params: Record<string, string>) => waitTask(sim, root, (await api(sim, root, 'PUT', '/nodes/pve/qemu/140/resize', params)).json.data);
  assert.equal((await run({ disk: 'scsi0', size: '+512M' })).exitstatus, 'OK');
  assert.equal(sim.vms().find((v) => v.vmid === 140)?.config.scsi0, 'local-lvm:vm-140-disk-0,size=1536M');
  assert.equal((await run({ disk: 'scsi0', size: '1G' })).exitstatus, 'shrinking disks is not supported');
  assert.equal((await run({ disk: 'ide2', size: '2G' })).exitstatus, "you can't resize a cdrom");
  assert.equal((await run({ disk: 'scsi1', size: '2G' })).exitstatus, "disk 'scsi1' does not exist");
  const same = await run({ disk: 'scsi0', size: '1536M' });
  assert.deepEqual([same.exitstatus, same.log], ['OK', ['TASK OK']], 'the same size changes nothing');
  const bad = await api(sim, root, 'PUT', '/nodes/pve/qemu/140/resize', { disk: 'scsi0', size: '1,5G' });
  assert.deepEqual([bad.status, bad.json.errors], [400, { size: 'value does not match the regex pattern' }]);
});

test('sendkey needs a running VM and keys QEMU knows; an HMP error comes back as a bare 400', async () => {
  await createVm(root, 150, { memory: 512 });
  const stopped = await api(sim, root, 'PUT', '/nodes/pve/qemu/150/sendkey', { key: 'ret' });
  assert.deepEqual([stopped.status, stopped.reason], [500, 'VM 150 not running']);
  await waitTask(sim, root, (await api(sim, root, 'POST', '/nodes/pve/qemu/150/status/start')).json.data);
  const ok = await api(sim, root, 'PUT', '/nodes/pve/qemu/150/sendkey', { key: 'ctrl-alt-delete' });
  assert.deepEqual(ok.json, { data: null });
  const bad = await api(sim, root, 'PUT', '/nodes/pve/qemu/150/sendkey', { key: 'shift-enter' });
  assert.deepEqual([bad.status, bad.reason, bad.body], [400, 'Bad Request', '']);
  assert.deepEqual(sim.vms().find((v) => v.vmid === 150)?.keys, ['ctrl-alt-delete']);
  const alloc = await login(sim, 'alloc@pve', 'pw-alloc');
  const denied = await api(sim, alloc, 'PUT', '/nodes/pve/qemu/150/sendkey', { key: 'ret' });
  assert.deepEqual([denied.status, denied.reason], [403, 'Permission check failed (/vms/150, VM.Console)']);
});

test('the guest agent: configured, running, and VM.GuestAgent.Audit needed', async () => {
  const none = await api(sim, root, 'GET', '/nodes/pve/qemu/150/agent/network-get-interfaces');
  assert.deepEqual([none.status, none.reason], [500, 'No QEMU guest agent configured']);
  const net = await login(sim, 'net@pve', 'pw-net');
  const stopped = await api(sim, net, 'GET', '/nodes/pve/qemu/121/agent/network-get-interfaces');
  assert.deepEqual([stopped.status, stopped.reason], [500, 'VM 121 is not running']);
  await waitTask(sim, net, (await api(sim, net, 'POST', '/nodes/pve/qemu/121/status/start')).json.data);
  const up = await api(sim, net, 'GET', '/nodes/pve/qemu/121/agent/network-get-interfaces');
  assert.equal(up.status, 200, up.body);
  assert.deepEqual(up.json.data.result.map((i: { name: string }) => i.name), ['lo', 'ens18']);
  const builder = await login(sim, 'builder@pve', 'pw-builder');
  const denied = await api(sim, builder, 'GET', '/nodes/pve/qemu/121/agent/network-get-interfaces');
  assert.deepEqual([denied.status, denied.reason], [403, 'Permission check failed (/vms/121, VM.GuestAgent.Audit|VM.GuestAgent.Unrestricted)']);
});

test('/access/permissions: own effective permissions, one path, a token of one\'s own, others only with Sys.Audit on /access', async () => {
  const alloc = await login(sim, 'alloc@pve', 'pw-alloc');
  assert.deepEqual((await api(sim, alloc, 'GET', '/access/permissions')).json.data, { '/vms/100': { 'VM.Allocate': 1 } });
  assert.deepEqual((await api(sim, alloc, 'GET', '/access/permissions', { path: '/vms/7' })).json.data, { '/vms/7': {} });
  const other = await api(sim, alloc, 'GET', '/access/permissions', { userid: 'net@pve' });
  assert.deepEqual([other.status, other.reason], [403, 'Permission check failed (/access, Sys.Audit)']);
  const net = await login(sim, 'net@pve', 'pw-net');
  const ownToken = await api(sim, net, 'GET', '/access/permissions', { userid: 'net@pve!ci' });
  // Every path an ACL names is listed (here /vms/100 from alloc@pve's ACL), with what propagates there.
  assert.deepEqual(ownToken.json.data, { '/vms': { 'VM.Audit': 1 }, '/vms/100': { 'VM.Audit': 1 } }, 'privilege separation: the intersection with the user');
  const viaToken = await api(sim, tokenHeader('net@pve!ci', 'tok-secret'), 'GET', '/access/permissions');
  assert.deepEqual(viaToken.json.data, ownToken.json.data);
  const asRoot = await api(sim, root, 'GET', '/access/permissions', { userid: 'alloc@pve', path: '/vms/100' });
  assert.deepEqual(asRoot.json.data, { '/vms/100': { 'VM.Allocate': 1 } });
  const badId = await api(sim, root, 'GET', '/access/permissions', { userid: 'no-realm' });
  assert.deepEqual([badId.status, badId.json.errors], [400, { userid: 'value does not match the regex pattern' }]);
});

test('GET /storage/{storage}: the storage.cfg section, Datastore.Allocate on it needed', async () => {
  const r = await api(sim, root, 'GET', '/storage/local-lvm');
  assert.deepEqual(r.json.data, { storage: 'local-lvm', type: 'lvmthin', content: 'images,rootdir', vgname: 'pve', thinpool: 'data', digest: r.json.data.digest });
  const dir = await api(sim, root, 'GET', '/storage/local');
  assert.equal(dir.json.data.path, sim.dataDir + '/local');
  const missing = await api(sim, root, 'GET', '/storage/nas');
  assert.deepEqual([missing.status, missing.reason], [500, "storage 'nas' does not exist"]);
  const net = await login(sim, 'net@pve', 'pw-net');
  const denied = await api(sim, net, 'GET', '/storage/local');
  assert.deepEqual([denied.status, denied.reason], [403, 'Permission check failed (/storage/local, Datastore.Allocate)']);
});

test('cloud-init: one drive per VM, qcow2 on a file storage, freed when the drive is deleted', async () => {
  const sim2 = await startSimulator({ storages: [{ storage: 'local', type: 'dir', content: ['iso', 'images'] }] });
  try {
    const s = await login(sim2);
    const r = await api(sim2, s, 'POST', '/nodes/pve/qemu', { vmid: 100, ide0: 'local:cloudinit', scsi0: 'local:1' });
    const created = await waitTask(sim2, s, r.json.data);
    assert.equal(created.exitstatus, 'OK', created.log.join('\n'));
    assert.ok(created.log.some((l) => l.startsWith(`Formatting '${sim2.dataDir}/local/images/100/vm-100-cloudinit.qcow2', fmt=qcow2 `)), created.log.join('\n'));
    const cfg = sim2.vms()[0]!.config;
    assert.deepEqual([cfg.ide0, cfg.scsi0], ['local:100/vm-100-cloudinit.qcow2,media=cdrom', 'local:100/vm-100-disk-0.raw,size=1G']);
    const second = await api(sim2, s, 'POST', '/nodes/pve/qemu/100/config', { ide1: 'local:cloudinit' });
    assert.equal((await waitTask(sim2, s, second.json.data)).exitstatus, "ide1 - cloud-init drive is already attached at 'ide0'");
    const del = await api(sim2, s, 'POST', '/nodes/pve/qemu/100/config', { delete: 'ide0,scsi0' });
    assert.equal((await waitTask(sim2, s, del.json.data)).exitstatus, 'OK');
    const after = sim2.vms()[0]!.config;
    assert.deepEqual([after.ide0, after.scsi0, after.unused0], [undefined, undefined, 'local:100/vm-100-disk-0.raw'], 'a deleted disk is kept as unused0, the cloud-init volume is freed');
  } finally {
    await sim2.stop();
  }
});

test('the content listing leaves out hidden files, as pve-storage\'s glob does (a .name.iso is never seen, so never reused)', async () => {
  await writeFile(join(sim.isoDir('local'), '.hidden.iso'), 'x');
  const r = await api(sim, root, 'GET', '/nodes/pve/storage/local/content', { content: 'iso' });
  const volids = (r.json.data as Array<{ volid: string }>).map((i) => i.volid);
  assert.ok(volids.includes('local:iso/os.iso'), volids.join(' '));
  assert.equal(volids.includes('local:iso/.hidden.iso'), false, volids.join(' '));
});
