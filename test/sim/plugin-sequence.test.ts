// The calls a packer-plugin-proxmox v1.2.x proxmox-iso build makes (docs/reference/sim.md, "A
// plugin v1.2.x build, call by call"), replayed over plain HTTP with the parameters the plugin and
// its client library (Telmate/proxmox-api-go) send, asserting what Proxmox VE answers: iso_download_pve,
// create with a non-whole-GiB disk (`STORAGE:0.001`, then resize to the exact KiB), the permission
// read after create, boot_command keys, the guest agent's interfaces, template and cloud-init drive.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startSimulator } from '../../src/sim/index.js';
import { api, login, request, waitTask } from './client.js';

const MAC = 'BC:24:11:0A:0B:0C';

test('a plugin v1.2.x proxmox-iso build with iso_download_pve, boot_command, cloud_init and a 1500M disk, call by call', async () => {
  const sim = await startSimulator({ mirrorFiles: { 'debian-13.iso': 3 * 1024 * 1024 }, guestAddress: '192.0.2.10' });
  try {
    const s = await login(sim);
    const sha = (await request(`${sim.mirrorUrl}SHA256SUMS`)).body.split('\n').find((l) => l.endsWith('  debian-13.iso'))!.split(' ')[0]!;

    // stepDownloadISOOnPVE: DownloadIsoFromUrl posts all six fields, `storage` also in the path.
    const dl = await api(sim, s, 'POST', '/nodes/pve/storage/local/download-url', { 'checksum-algorithm': 'sha256', checksum: sha, content: 'iso', filename: 'debian-13.iso', storage: 'local', url: `${sim.mirrorUrl}debian-13.iso` });
    assert.equal(dl.status, 200, dl.body);
    const downloaded = await waitTask(sim, s, dl.json.data);
    assert.equal(downloaded.exitstatus, 'OK');
    assert.ok(downloaded.log.includes('calculating checksum...OK, checksum verified'), downloaded.log.join('\n'));

    // stepStartVM: next id, create with the disk as STORAGE:0.001 (1500M is no whole GiB).
    assert.equal((await api(sim, s, 'GET', '/cluster/nextid')).json.data, '100');
    const create = await api(sim, s, 'POST', '/nodes/pve/qemu', {
      agent: 1, cores: 2, cpu: 'host', description: 'Packer ephemeral build VM', ide2: 'local:iso/debian-13.iso,media=cdrom', kvm: 1, memory: 2048,
      name: 'packer-6b122bd8', net0: `virtio=${MAC},bridge=vmbr0`, numa: 0, onboot: 0, ostype: 'l26',
      scsi0: 'local-lvm:0.001,cache=writethrough,format=raw,iothread=1,replicate=0', scsihw: 'virtio-scsi-single', sockets: 1, vmid: 100,
    });
    assert.equal(create.status, 200, create.body);
    const created = await waitTask(sim, s, create.json.data);
    assert.equal(created.exitstatus, 'OK', created.log.join('\n'));
    assert.ok(created.log.includes('  Logical volume "vm-100-disk-0" created.'), created.log.join('\n'));
    assert.ok(created.log.includes("scsi0: successfully created disk 'local-lvm:vm-100-disk-0,cache=writethrough,iothread=1,replicate=0,size=1049K'"), created.log.join('\n'));

    // resizeNewDisks: the exact size in KiB, a `resize` task.
    const resize = await api(sim, s, 'PUT', '/nodes/pve/qemu/100/resize', { disk: 'scsi0', size: '1536000K' });
    assert.match(resize.json.data, /:resize:100:root@pam:$/);
    const resized = await waitTask(sim, s, resize.json.data);
    assert.equal(resized.exitstatus, 'OK');
    assert.ok(resized.log.some((l) => /Size of logical volume pve\/vm-100-disk-0 changed from 4\.00 MiB \(1 extents\) to 1\.46 GiB \(375 extents\)\./.test(l)), resized.log.join('\n'));

    // insertCachedPermission: the caller's effective permissions, no parameters.
    const perms = await api(sim, s, 'GET', '/access/permissions');
    assert.equal(perms.status, 200);
    assert.deepEqual(Object.keys(perms.json.data), ['/', '/access', '/access/groups', '/nodes', '/pool', '/sdn', '/storage', '/vms']);
    assert.equal(perms.json.data['/vms']['VM.Allocate'], 1);
    assert.equal(perms.json.data['/storage']['Datastore.AllocateSpace'], 1);

    // StartVm, then boot_command: one PUT sendkey per key, answered with null.
    assert.equal((await waitTask(sim, s, (await api(sim, s, 'POST', '/nodes/pve/qemu/100/status/start')).json.data)).exitstatus, 'OK');
    for (const key of ['esc', 'shift-a', 'spc', 'ret']) {
      const r = await api(sim, s, 'PUT', '/nodes/pve/qemu/100/sendkey', { key });
      assert.deepEqual([r.status, r.json], [200, { data: null }]);
    }
    assert.deepEqual(sim.vms()[0]!.keys, ['esc', 'shift-a', 'spc', 'ret']);

    // Communicator without ssh_host: getVMIP reads data.result of the guest agent.
    const agent = await api(sim, s, 'GET', '/nodes/pve/qemu/100/agent/network-get-interfaces');
    assert.equal(agent.status, 200, agent.body);
    const [lo, nic] = agent.json.data.result;
    assert.equal(lo.name, 'lo');
    assert.deepEqual(lo['ip-addresses'][0], { 'ip-address': '127.0.0.1', 'ip-address-type': 'ipv4', prefix: 8 });
    assert.equal(nic['hardware-address'], MAC.toLowerCase());
    assert.deepEqual(nic['ip-addresses'], [
      { 'ip-address': '192.0.2.10', 'ip-address-type': 'ipv4', prefix: 24 },
      { 'ip-address': 'fe80::be24:11ff:fe0a:b0c', 'ip-address-type': 'ipv6', prefix: 64 },
    ]);

    // stepRemoveCloudInitDrive reads the config; stepConvertToTemplate shuts down and converts.
    assert.equal((await api(sim, s, 'GET', '/nodes/pve/qemu/100/config')).json.data.scsi0, 'local-lvm:vm-100-disk-0,cache=writethrough,iothread=1,replicate=0,size=1500M');
    assert.equal((await waitTask(sim, s, (await api(sim, s, 'POST', '/nodes/pve/qemu/100/status/shutdown')).json.data)).exitstatus, 'OK');
    assert.equal((await waitTask(sim, s, (await api(sim, s, 'POST', '/nodes/pve/qemu/100/template')).json.data)).exitstatus, 'OK');

    // stepFinalizeTemplateConfig: name, the boot ISO kept, a cloud-init drive on the first free IDE slot.
    const before = (await api(sim, s, 'GET', '/nodes/pve/qemu/100/config')).json.data;
    assert.equal(before.ide0, undefined);
    const fin = await api(sim, s, 'POST', '/nodes/pve/qemu/100/config', { name: 'debian-13', ide2: 'local:iso/debian-13.iso,media=cdrom', ide0: 'local-lvm:cloudinit' });
    const finished = await waitTask(sim, s, fin.json.data);
    assert.equal(finished.exitstatus, 'OK', finished.log.join('\n'));
    assert.ok(finished.log.includes("ide0: successfully created disk 'local-lvm:vm-100-cloudinit,media=cdrom'"), finished.log.join('\n'));
    const config = (await api(sim, s, 'GET', '/nodes/pve/qemu/100/config')).json.data;
    assert.equal(config.name, 'debian-13');
    assert.equal(config.template, 1);
    assert.equal(config.ide0, 'local-lvm:vm-100-cloudinit,media=cdrom');
    assert.equal(config.ide2, 'local:iso/debian-13.iso,media=cdrom,size=3M');
    assert.equal(config.scsi0, 'local-lvm:base-100-disk-0,cache=writethrough,iothread=1,replicate=0,size=1500M');
    const content = await api(sim, s, 'GET', '/nodes/pve/storage/local-lvm/content');
    assert.deepEqual(content.json.data.map((v: { volid: string; size: number }) => [v.volid, v.size]), [['local-lvm:base-100-disk-0', 1500 * 1024 * 1024], ['local-lvm:vm-100-cloudinit', 4 * 1024 * 1024]]);

    // A warm re-run: the ISO is there, the node hashes it and skips the download.
    const again = await api(sim, s, 'POST', '/nodes/pve/storage/local/download-url', { 'checksum-algorithm': 'sha256', checksum: sha, content: 'iso', filename: 'debian-13.iso', storage: 'local', url: `${sim.mirrorUrl}debian-13.iso` });
    const warm = await waitTask(sim, s, again.json.data);
    assert.equal(warm.exitstatus, 'OK');
    assert.ok(warm.log.includes('calculating checksum of existing file...OK, got correct file already, no need to download'), warm.log.join('\n'));
    assert.deepEqual(sim.runningTasks(), []);
  } finally {
    await sim.stop();
  }
});

test('a disk on a storage without images is refused before any task, like create_vm does', async () => {
  const sim = await startSimulator({});
  try {
    const s = await login(sim);
    const r = await api(sim, s, 'POST', '/nodes/pve/qemu', { vmid: 100, scsi0: 'local:0.001,format=qcow2' });
    assert.deepEqual([r.status, r.reason, r.json.errors], [400, 'Parameter verification failed.', { storage: "storage 'local' does not support vm images" }]);
    const iso = await api(sim, s, 'POST', '/nodes/pve/qemu', { vmid: 100, ide2: 'local:iso/x.iso' });
    assert.deepEqual([iso.status, iso.json.errors], [400, { ide2: "explicit 'media=cdrom' is required for iso images" }]);
    const noStorage = await api(sim, s, 'POST', '/nodes/pve/qemu', { vmid: 100, scsi0: '8' });
    assert.deepEqual([noStorage.status, noStorage.reason], [500, 'no storage ID specified (and no default storage)']);
    const withDefault = await api(sim, s, 'POST', '/nodes/pve/qemu', { vmid: 100, scsi0: '2', storage: 'local-lvm', net0: 'virtio,bridge=vmbr0' });
    assert.equal((await waitTask(sim, s, withDefault.json.data)).exitstatus, 'OK');
    const cfg = (await api(sim, s, 'GET', '/nodes/pve/qemu/100/config')).json.data;
    assert.equal(cfg.scsi0, 'local-lvm:vm-100-disk-0,size=2G');
    assert.match(cfg.net0, /^virtio=BC:24:11:[0-9A-F]{2}:[0-9A-F]{2}:[0-9A-F]{2},bridge=vmbr0$/, 'a NIC without MAC gets one (add_random_macs)');
    assert.equal(sim.vms().length, 1);
    assert.equal(sim.stats().tasksStarted, 1, 'the refused creates started no task');
  } finally {
    await sim.stop();
  }
});
