// hclx build end to end with REAL Packer (Debian's 1.6.6, built-in proxmox-iso builder) against the
// simulator: node-side downloads in parallel, VMs created with the downloaded volids and converted
// to templates, exit codes passed through, --cleanup, and Ctrl-C during downloads.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fetch } from 'undici';
import { startSimulator } from '../../src/sim/index.js';
import type { SimHandle } from '../../src/sim/index.js';
import { bootIso, events, filesBelow, proxmoxSource, REAL_PACKER, runCli, tempDir, testEnv, URL_VARIABLE, waitFor } from './support.js';

const skip = existsSync(REAL_PACKER) ? false : 'packer 1.6.6 is not installed at /usr/bin/packer';
const MiB = 1024 * 1024;

let sim: SimHandle;
let home: string;

before(async () => {
  sim = await startSimulator({
    mirrorFiles: { 'alpha.iso': 4 * MiB, 'beta.iso': 4 * MiB, 'fail.iso': 2 * MiB, 'keep.iso': 2 * MiB, 'slow.iso': 64 * MiB },
    // 4 MiB at 4 MiB/s: each download lasts about a second, long enough to see them overlap.
    faults: ['rate-limit:bytes-per-sec=4194304,target=download'],
  });
  home = tempDir('e2e-build');
});
after(async () => {
  await sim.stop();
});

function write(dir: string, name: string, text: string): string {
  writeFileSync(join(dir, name), text);
  return name;
}

interface TaskRow {
  upid: string;
  type: string;
  starttime: number;
  endtime?: number;
}

async function downloadTasks(): Promise<TaskRow[]> {
  const login = await fetch(`${sim.apiUrl}/access/ticket`, { method: 'POST', body: new URLSearchParams({ username: 'root@pam', password: 'hclx-sim' }) });
  const { data } = (await login.json()) as { data: { ticket: string } };
  const res = await fetch(`${sim.apiUrl}/nodes/pve/tasks?typefilter=download&limit=100`, { headers: { Cookie: `PVEAuthCookie=${data.ticket}` } });
  return ((await res.json()) as { data: TaskRow[] }).data;
}

// Each source has its own vm_id: Packer's parallel builds otherwise race for the same free id
// (on a real cluster too).
test('two proxmox-iso sources: both ISOs downloaded on the node in parallel, Packer builds templates with them, exit 0', { skip }, async () => {
  const dir = tempDir('e2e-two');
  const file = write(
    dir,
    'two.pkr.hcl',
    `${URL_VARIABLE}\n${proxmoxSource('alpha', bootIso(sim.mirrorUrl, 'alpha.iso'), '  vm_id         = 9001\n')}\n${proxmoxSource('beta', bootIso(sim.mirrorUrl, 'beta.iso'), '  vm_id         = 9002\n')}\nbuild {\n  sources = ["source.proxmox-iso.alpha", "source.proxmox-iso.beta"]\n}\n`,
  );
  sim.resetStats();
  const tasksBefore = (await downloadTasks()).length;
  const run = await runCli(['build', '--target', 'legacy', '--json', `-var=proxmox_url=${sim.apiUrl}`, '-color=false', file], { cwd: dir, env: testEnv(home) });
  assert.equal(run.code, 0, run.stdout + run.stderr);

  const ev = events(run.stdout);
  const starts = ev.filter((e) => e.event === 'start');
  const done = ev.filter((e) => e.event === 'downloaded');
  assert.equal(starts.length, 2);
  assert.equal(done.length, 2);
  // Parallel: both downloads started before either finished.
  assert.ok(ev.indexOf(starts[1]!) < ev.indexOf(done[0]!), `downloads ran one after the other: ${ev.map((e) => e.event).join(' ')}`);
  const all = await downloadTasks();
  assert.equal(all.length, tasksBefore + 2);
  const tasks = all.slice(0, 2); // newest first
  const [a, b] = tasks as [TaskRow, TaskRow];
  assert.ok(a.starttime <= b.endtime! && b.starttime <= a.endtime!, `task times do not overlap: ${JSON.stringify(tasks)}`);

  const volids = Object.fromEntries(done.map((e) => [String(e.volid).includes('alpha') ? 'alpha' : 'beta', String(e.volid)]));
  for (const name of ['alpha', 'beta']) {
    const vm = sim.vms().find((v) => v.name === name);
    assert.ok(vm, `no template named ${name}: ${JSON.stringify(sim.vms())}`);
    assert.equal(vm.template, true);
    assert.equal(vm.config.ide2, `${volids[name]},media=cdrom,size=4M`);
  }
  const stats = sim.stats();
  assert.equal(stats.tasksByType.download, 2);
  assert.equal(stats.bytesDownloadedByNode, 8 * MiB);
  assert.equal(stats.bytesReceivedByUpload, 0, 'no ISO byte went through the runner');
  assert.match(run.stdout, /A template was created: \d+/);
  assert.deepEqual(ev.filter((e) => e.event === 'packer-exit').map((e) => e.exitCode), [0]);
  assert.deepEqual(readdirSync(join(home, 'work')), [], 'the working directory is removed');
});

const FAILING = (mirror: string) =>
  `${URL_VARIABLE}\n${proxmoxSource('failing', bootIso(mirror, 'fail.iso'))}\nbuild {\n  sources = ["source.proxmox-iso.failing"]\n  provisioner "shell-local" {\n    inline = ["echo failing on purpose", "exit 3"]\n  }\n}\n`;

test('a failing Packer build exits with Packer\'s code; --cleanup always deletes the ISO it downloaded, on-success keeps it', { skip }, async () => {
  const dir = tempDir('e2e-fail');
  const file = write(dir, 'fail.pkr.hcl', FAILING(sim.mirrorUrl));
  const vmsBefore = sim.vms().length;

  const always = await runCli(['build', '--target', 'legacy', '--cleanup', 'always', '--iso-name', 'url', `-var=proxmox_url=${sim.apiUrl}`, '-color=false', file], { cwd: dir, env: testEnv(home) });
  assert.equal(always.code, 1, always.stdout + always.stderr);
  assert.match(always.stdout, /Build 'proxmox-iso\.failing' errored/);
  assert.match(always.stdout, /==> hclx: Cleaning up \(--cleanup always\)/);
  assert.match(always.stdout, /hclx: deleted local:iso\/fail\.iso/);
  assert.equal(existsSync(join(sim.isoDir('local'), 'fail.iso')), false);
  assert.equal(sim.vms().length, vmsBefore, 'Packer removed the VM of the failed build');

  const onSuccess = await runCli(['build', '--target', 'legacy', '--cleanup', 'on-success', '--iso-name', 'url', `-var=proxmox_url=${sim.apiUrl}`, '-color=false', file], { cwd: dir, env: testEnv(home) });
  assert.equal(onSuccess.code, 1);
  assert.match(onSuccess.stdout, /Packer failed, so the ISOs downloaded by this run stay on the storage/);
  assert.equal(existsSync(join(sim.isoDir('local'), 'fail.iso')), true);
});

test('--cleanup on-success after a successful build keeps an ISO the template still mounts', { skip }, async () => {
  const dir = tempDir('e2e-keep');
  const file = write(dir, 'keep.pkr.hcl', `${URL_VARIABLE}\n${proxmoxSource('keeper', bootIso(sim.mirrorUrl, 'keep.iso'))}\nbuild {\n  sources = ["source.proxmox-iso.keeper"]\n}\n`);
  const run = await runCli(['build', '--target', 'legacy', '--cleanup', 'on-success', `-var=proxmox_url=${sim.apiUrl}`, '-color=false', file], { cwd: dir, env: testEnv(home) });
  assert.equal(run.code, 0, run.stdout + run.stderr);
  const vm = sim.vms().find((v) => v.name === 'keeper')!;
  assert.match(run.stdout, new RegExp(`hclx: kept local:iso/keep\\.[0-9a-f]{12}\\.iso: still mounted by VM ${vm.vmid} \\(keeper\\)`));
  assert.equal(readdirSync(sim.isoDir('local')).filter((n) => n.startsWith('keep.')).length, 1);
});

test('SIGINT during the downloads: exit 130, no task left running, no temp file on the storage', { skip }, async () => {
  const dir = tempDir('e2e-int');
  const file = write(dir, 'slow.pkr.hcl', `${URL_VARIABLE}\n${proxmoxSource('slow', bootIso(sim.mirrorUrl, 'slow.iso'))}\nbuild {\n  sources = ["source.proxmox-iso.slow"]\n}\n`);
  const before = new Set(filesBelow(sim.dataDir));
  let child: ChildProcess | undefined;
  const running = runCli(['build', '--target', 'legacy', `-var=proxmox_url=${sim.apiUrl}`, file], { cwd: dir, env: testEnv(home), timeoutMs: 60_000, onSpawn: (c) => (child = c) });
  await waitFor(() => sim.runningTasks().some((t) => t.includes(':download:')), 30_000, 'the download task to start');
  await waitFor(() => filesBelow(sim.dataDir).some((f) => f.includes('.tmp_dwnl.')), 10_000, 'bytes on the storage');
  child!.kill('SIGINT');
  const run = await running;
  assert.equal(run.code, 130, run.stdout + run.stderr);
  assert.deepEqual(sim.runningTasks(), []);
  const leftover = filesBelow(sim.dataDir).filter((f) => !before.has(f));
  assert.deepEqual(leftover, [], 'no partial or temporary file is left');
  assert.equal(sim.vms().some((v) => v.name === 'slow'), false, 'Packer never started');
});

test('SIGINT while Packer runs: forwarded, Packer cancels and deletes its VM, hclx exits 130', { skip }, async () => {
  const dir = tempDir('e2e-int-packer');
  const ssh = '  ssh_username  = "nobody"\n  ssh_password  = "x"\n  ssh_timeout   = "2m"\n';
  const text = proxmoxSource('waiting', bootIso(sim.mirrorUrl, 'keep.iso'), ssh).replace('communicator  = "none"', 'communicator  = "ssh"');
  const file = write(dir, 'wait.pkr.hcl', `${URL_VARIABLE}\n${text}\nbuild {\n  sources = ["source.proxmox-iso.waiting"]\n}\n`);
  let seen = '';
  let child: ChildProcess | undefined;
  const running = runCli(['build', '--target', 'legacy', `-var=proxmox_url=${sim.apiUrl}`, '-color=false', file], {
    cwd: dir,
    env: testEnv(home),
    timeoutMs: 90_000,
    onSpawn: (c) => {
      child = c;
      c.stdout!.on('data', (d: Buffer) => (seen += d.toString()));
    },
  });
  await waitFor(() => seen.includes('Waiting for SSH to become available'), 60_000, 'Packer to wait for SSH');
  assert.ok(sim.vms().some((v) => v.name.startsWith('packer-')), 'Packer created its VM');
  child!.kill('SIGINT');
  const run = await running;
  assert.equal(run.code, 130, run.stdout + run.stderr);
  assert.match(run.stdout, /Cleanly cancelled builds after being interrupted/);
  assert.match(run.stdout, /==> hclx: Packer ended after SIGINT with exit code 1; hclx exits 130 \(interrupted\)\./);
  assert.equal(sim.vms().some((v) => v.name.startsWith('packer-')), false, 'Packer deleted the VM it was building');
});
