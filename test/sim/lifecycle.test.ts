// Starting and stopping the simulator: free port, temp dir removed, keep-alive sockets closed,
// running tasks stopped; plus the qemu endpoints a Packer build walks through.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulator } from '../../src/sim/index.js';
import { api, login, until, waitTask } from './client.js';

test('stop() ends running tasks, closes keep-alive connections and removes the temporary data', async () => {
  const sim = await startSimulator({ faults: ['task-hang'], mirrorFiles: { 'a.iso': 1000 } });
  assert.match(sim.apiUrl, /^http:\/\/127\.0\.0\.1:\d+\/api2\/json$/);
  const s = await login(sim);
  await api(sim, s, 'POST', '/nodes/pve/storage/local/download-url', { url: `${sim.mirrorUrl}a.iso`, content: 'iso', filename: 'a.iso' });
  await until(() => sim.runningTasks().length === 1);
  const agent = new http.Agent({ keepAlive: true });
  const socketClosed = new Promise<void>((resolve) => {
    http.get(`${sim.apiUrl}/version`, { agent, headers: { Cookie: `PVEAuthCookie=${s.ticket}` } }, (res) => {
      res.resume();
      res.socket.once('close', () => resolve());
    });
  });
  await until(() => Object.keys(agent.freeSockets).length === 1);
  await sim.stop();
  await socketClosed;
  agent.destroy();
  assert.deepEqual(sim.runningTasks(), []);
  assert.ok(!existsSync(sim.dataDir));
  await sim.stop(); // idempotent
});

test('a given data directory is kept, and storages live in it', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'hclx-sim-data-'));
  try {
    const sim = await startSimulator({ dataDir, nodes: ['pve', 'pve2'], storages: [{ storage: 'local', type: 'dir', content: ['iso'] }, { storage: 'nas', type: 'nfs', content: ['iso'], shared: true, total: 10 * 1024 ** 2 }] });
    assert.equal(sim.isoDir('local'), join(dataDir, 'local', 'template', 'iso'));
    const s = await login(sim);
    const nodes = await api(sim, s, 'GET', '/nodes');
    assert.deepEqual(nodes.json.data.map((n: { node: string }) => n.node), ['pve', 'pve2']);
    const nas = await api(sim, s, 'GET', '/nodes/pve2/storage', { storage: 'nas' });
    assert.deepEqual([nas.json.data[0].total, nas.json.data[0].shared], [10 * 1024 ** 2, 1]);
    const unknownNode = await api(sim, s, 'GET', '/nodes/pve3/storage');
    assert.equal(unknownNode.status, 500);
    await sim.stop();
    assert.ok(existsSync(join(dataDir, 'local', 'template', 'iso')));
    assert.deepEqual(readdirSync(join(dataDir, 'nas')), ['template']);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('the qemu calls of a Packer build: create, start, shutdown, template, config, destroy', async () => {
  const sim = await startSimulator({});
  try {
    const s = await login(sim);
    const next = await api(sim, s, 'GET', '/cluster/nextid');
    assert.equal(next.json.data, '100');
    const missing = await api(sim, s, 'POST', '/nodes/pve/qemu', { vmid: 100, name: 'm', ide2: 'local:iso/none.iso,media=cdrom', memory: 512 });
    const failed = await waitTask(sim, s, missing.json.data);
    assert.equal(failed.exitstatus, 'unable to create VM 100 - volume local:iso/none.iso does not exist');
    assert.deepEqual(sim.vms(), []);

    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(sim.isoDir('local'), 'os.iso'), Buffer.alloc(2048));
    const create = await api(sim, s, 'POST', '/nodes/pve/qemu', { vmid: 100, name: 'vm1', ide2: 'local:iso/os.iso,media=cdrom', scsi0: 'local-lvm:8,format=raw', kvm: 1, ostype: 'l26' });
    assert.match(create.json.data, /:qmcreate:100:root@pam:$/);
    assert.equal((await waitTask(sim, s, create.json.data)).exitstatus, 'OK');
    const dup = await api(sim, s, 'POST', '/nodes/pve/qemu', { vmid: 100 });
    assert.deepEqual([dup.status, dup.reason], [500, "unable to create VM 100 - VM 100 already exists on node 'pve'"]);
    const resources = await api(sim, s, 'GET', '/cluster/resources', { type: 'vm' });
    assert.deepEqual(resources.json.data.map((r: { id: string; status: string }) => [r.id, r.status]), [['qemu/100', 'stopped']]);
    assert.equal((await waitTask(sim, s, (await api(sim, s, 'POST', '/nodes/pve/qemu/100/status/start')).json.data)).exitstatus, 'OK');
    assert.equal((await api(sim, s, 'GET', '/nodes/pve/qemu/100/status/current')).json.data.status, 'running');
    const early = await api(sim, s, 'POST', '/nodes/pve/qemu/100/template');
    assert.equal(early.status, 500);
    await waitTask(sim, s, (await api(sim, s, 'POST', '/nodes/pve/qemu/100/status/shutdown')).json.data);
    await waitTask(sim, s, (await api(sim, s, 'POST', '/nodes/pve/qemu/100/template')).json.data);
    const cfgTask = await api(sim, s, 'POST', '/nodes/pve/qemu/100/config', { name: 'tmpl', ide2: 'none,media=cdrom' });
    assert.match(cfgTask.json.data, /:qmconfig:100:/);
    await waitTask(sim, s, cfgTask.json.data);
    const config = await api(sim, s, 'GET', '/nodes/pve/qemu/100/config');
    assert.equal(config.json.data.name, 'tmpl');
    assert.equal(config.json.data.ide2, 'none,media=cdrom');
    assert.equal(config.json.data.scsi0, 'local-lvm:base-100-disk-0,size=8G', 'create_disks drops format= once the volume exists');
    assert.equal(config.json.data.template, 1);
    assert.equal(config.json.data.kvm, 1);
    const put = await api(sim, s, 'PUT', '/nodes/pve/qemu/100/config', { description: 'built' });
    assert.deepEqual(put.json, { data: null });
    const vm = sim.vms()[0]!;
    assert.deepEqual([vm.vmid, vm.template, vm.config.description], [100, true, 'built']);
    await waitTask(sim, s, (await api(sim, s, 'DELETE', '/nodes/pve/qemu/100')).json.data);
    assert.deepEqual(sim.vms(), []);
  } finally {
    await sim.stop();
  }
});

test('HTTPS: the CA file verifies the server certificate', async () => {
  const sim = await startSimulator({ tls: true });
  try {
    assert.match(sim.apiUrl, /^https:\/\/127\.0\.0\.1:\d+\/api2\/json$/);
    const s = await login(sim);
    const v = await api(sim, s, 'GET', '/version');
    assert.equal(v.status, 200);
  } finally {
    await sim.stop();
  }
  assert.ok(!existsSync(sim.caFile!), 'the CA file goes with the simulator');
});

test('an address in use is a NetworkError naming the address', async () => {
  const { NetworkError } = await import('../../src/errors.js');
  const first = await startSimulator({});
  try {
    const port = Number(new URL(first.apiUrl).port);
    await assert.rejects(startSimulator({ port }), (e) => e instanceof NetworkError && e.message.includes(`127.0.0.1:${port}`) && /already in use/.test(e.message));
  } finally {
    await first.stop();
  }
});
