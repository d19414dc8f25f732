// Real Packer (Debian's packer 1.6.6, built-in proxmox-iso builder) against the simulator: a build
// with iso_file completes and leaves a template that booted that ISO; a missing volume fails with
// Proxmox's message; iso_url + iso_storage_pool uploads through the upload endpoint.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulator } from '../../src/sim/index.js';
import type { SimHandle } from '../../src/sim/index.js';
import { request } from './client.js';

const PACKER = '/usr/bin/packer';
const skip = existsSync(PACKER) ? false : 'packer 1.6.6 is not installed at /usr/bin/packer';

let sim: SimHandle;
let work: string;

before(async () => {
  sim = await startSimulator({ mirrorFiles: { 'upload-me.iso': 2 * 1024 * 1024 } });
  work = mkdtempSync(join(tmpdir(), 'hclx-sim-packer-'));
});
after(async () => {
  await sim.stop();
  rmSync(work, { recursive: true, force: true });
});

function template(name: string, iso: string): string {
  return `source "proxmox-iso" "${name}" {
  proxmox_url   = "${sim.apiUrl}"
  username      = "root@pam"
  password      = "hclx-sim"
  node          = "pve"
  ${iso}
  communicator  = "none"
  template_name = "${name}"
}

build {
  sources = ["source.proxmox-iso.${name}"]
}
`;
}

function packerBuild(dir: string, file: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(PACKER, ['build', '-color=false', file], {
      cwd: dir,
      env: { PATH: process.env.PATH, HOME: dir, PACKER_CONFIG_DIR: dir, PACKER_CACHE_DIR: join(dir, 'packer_cache'), CHECKPOINT_DISABLE: '1', TMPDIR: dir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, output });
    });
  });
}

test('packer build with iso_file completes and converts the VM to a template booted from that ISO', { skip }, async () => {
  writeFileSync(join(sim.isoDir('local'), 'x.iso'), Buffer.alloc(1024 * 1024, 1));
  const dir = mkdtempSync(join(work, 'iso-file-'));
  writeFileSync(join(dir, 't.pkr.hcl'), template('t', 'iso_file = "local:iso/x.iso"'));
  const { code, output } = await packerBuild(dir, 't.pkr.hcl');
  assert.equal(code, 0, output);
  assert.match(output, /A template was created: \d+/);
  const vm = sim.vms().find((v) => v.name === 't');
  assert.ok(vm, `no VM named t: ${JSON.stringify(sim.vms())}`);
  assert.equal(vm.template, true);
  assert.equal(vm.status, 'stopped');
  assert.equal(vm.config.ide2, 'local:iso/x.iso,media=cdrom,size=1M');
  assert.equal(vm.config.template, '1');
  assert.deepEqual(sim.runningTasks(), []);
  assert.deepEqual(Object.keys(sim.stats().requestsByRoute).filter((k) => k.includes('(no route)')), [], 'Packer only called simulated endpoints');
});

test('packer build fails with Proxmox\'s message when iso_file names a missing volume', { skip }, async () => {
  const dir = mkdtempSync(join(work, 'missing-'));
  writeFileSync(join(dir, 'm.pkr.hcl'), template('m', 'iso_file = "local:iso/missing.iso"'));
  const before = sim.vms().length;
  const { code, output } = await packerBuild(dir, 'm.pkr.hcl');
  assert.notEqual(code, 0);
  assert.match(output, /volume local:iso\/missing\.iso does not exist/);
  assert.equal(sim.vms().length, before, 'the failed create leaves no VM behind');
});

test('packer build with iso_url + iso_storage_pool uploads the ISO through the upload endpoint', { skip }, async () => {
  sim.resetStats();
  const sums = await request(`${sim.mirrorUrl}SHA256SUMS`);
  const sha = sums.body.split('\n').find((l) => l.endsWith('  upload-me.iso'))!.split(' ')[0]!;
  const dir = mkdtempSync(join(work, 'upload-'));
  writeFileSync(join(dir, 'u.pkr.hcl'), template('u', `iso_url = "${sim.mirrorUrl}upload-me.iso"\n  iso_checksum = "sha256:${sha}"\n  iso_storage_pool = "local"`));
  const { code, output } = await packerBuild(dir, 'u.pkr.hcl');
  assert.equal(code, 0, output);
  const stats = sim.stats();
  assert.equal(stats.bytesReceivedByUpload, 2 * 1024 * 1024);
  assert.equal(stats.tasksByType.imgcopy, 1);
  assert.equal(stats.bytesDownloadedByNode, 0, 'the node downloaded nothing itself');
  const uploaded = createHash('sha256').update(await readFile(join(sim.isoDir('local'), 'upload-me.iso'))).digest('hex');
  assert.equal(uploaded, sha);
  const vm = sim.vms().find((v) => v.name === 'u');
  assert.equal(vm?.config.ide2, 'local:iso/upload-me.iso,media=cdrom,size=2M');
});

