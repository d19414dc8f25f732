// --cleanup: only ISOs this run downloaded, never one a VM or template still mounts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../../src/errors.js';
import { cleanupApplies, deleteDownloadedIsos, mountedVolids, parseCleanupPolicy } from '../../src/pipeline/cleanup.js';
import { PveClient, waitForTask } from '../../src/pve/index.js';
import type { PveConnection } from '../../src/pve/index.js';
import { DEFAULT_PASSWORD, startSimulator } from '../../src/sim/index.js';

test('policies: never deletes nothing, on-success only after a successful Packer run, always after any', () => {
  assert.equal(parseCleanupPolicy(undefined), 'never');
  assert.throws(() => parseCleanupPolicy('sometimes'), UsageError);
  assert.deepEqual(
    (['never', 'on-success', 'always'] as const).map((p) => [cleanupApplies(p, true), cleanupApplies(p, false)]),
    [
      [false, false],
      [true, false],
      [true, true],
    ],
  );
});

test('mountedVolids reads drive values as Proxmox stores them, not other keys or empty drives', () => {
  const config = {
    ide2: 'local:iso/ubuntu.iso,media=cdrom,size=2G',
    sata1: 'file=nfs:iso/virtio-win.iso,media=cdrom',
    ide3: 'none,media=cdrom',
    ide0: 'cdrom,media=cdrom',
    scsi0: 'local-lvm:vm-100-disk-0,size=20G',
    description: 'local:iso/not-a-drive.iso',
    net0: 'virtio=AA:BB:CC:DD:EE:FF,bridge=vmbr0',
  };
  assert.deepEqual([...mountedVolids(config)].sort(), ['local-lvm:vm-100-disk-0', 'local:iso/ubuntu.iso', 'nfs:iso/virtio-win.iso']);
});

test('deletes an unused ISO, keeps one a template still mounts', async () => {
  const sim = await startSimulator();
  const connection: PveConnection = { url: sim.apiUrl, node: 'pve', auth: { kind: 'password', username: 'root@pam', password: DEFAULT_PASSWORD } };
  const client = new PveClient(connection);
  try {
    for (const name of ['kept.iso', 'unused.iso']) writeFileSync(join(sim.isoDir('local'), name), Buffer.alloc(4096, 7));
    const upid = await client.request<string>('POST', '/nodes/pve/qemu', { vmid: 100, name: 'tpl', ide2: 'local:iso/kept.iso,media=cdrom' });
    await waitForTask(client, upid);
    const report = await deleteDownloadedIsos([
      { volid: 'local:iso/kept.iso', node: 'pve', connection },
      { volid: 'local:iso/unused.iso', node: 'pve', connection },
    ]);
    assert.deepEqual(report.deleted, ['local:iso/unused.iso']);
    assert.deepEqual(report.kept, [{ volid: 'local:iso/kept.iso', reason: 'still mounted by VM 100 (tpl)' }]);
    assert.deepEqual(report.failed, []);
    assert.equal(existsSync(join(sim.isoDir('local'), 'unused.iso')), false);
    assert.equal(existsSync(join(sim.isoDir('local'), 'kept.iso')), true);
  } finally {
    await client.close();
    await sim.stop();
  }
});

test('keeps everything when the VM configurations cannot be read', async () => {
  const sim = await startSimulator({ faults: ['api-error:status=500,path=/cluster/resources,count=10'] });
  const connection: PveConnection = { url: sim.apiUrl, node: 'pve', auth: { kind: 'password', username: 'root@pam', password: DEFAULT_PASSWORD } };
  try {
    writeFileSync(join(sim.isoDir('local'), 'a.iso'), Buffer.alloc(1024));
    const report = await deleteDownloadedIsos([{ volid: 'local:iso/a.iso', node: 'pve', connection }]);
    assert.deepEqual(report.deleted, []);
    assert.equal(report.kept.length, 1);
    assert.match(report.kept[0]!.reason, /could not read the VM configurations/);
    assert.equal(existsSync(join(sim.isoDir('local'), 'a.iso')), true);
  } finally {
    await sim.stop();
  }
});
