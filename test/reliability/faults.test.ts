// The fault matrix at process level: the real CLI (`hclx build`, spawned) against the simulator with
// one fault at a time. Each run ends in success through retry or in a clear error (one paragraph,
// exit 1, no stack trace), and leaves no task running and no `*.tmp_dwnl.*` file on the storage.
// The in-process engine tests (test/provision/engine-sim.test.ts) cover the same faults one layer
// down; SIGINT during downloads and during the Packer run, failing Packer builds and --cleanup are
// in test/e2e/build-packer.test.ts.
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { startSimulator, type SimHandle } from '../../src/sim/index.js';
import { FIXTURES, STACK_FRAME, cleanEnv, errorParagraphs, removeDir, runCli, scratchDir, tempFilesUnder } from './support.js';

const MiB = 1024 * 1024;
const STAND_IN = join(FIXTURES, 'packer', 'stand-in.mjs');
const FILES: Record<string, number> = {
  'dropped.iso': 4 * MiB,
  'burst.iso': MiB,
  'unreachable.iso': MiB,
  'hang.iso': MiB,
  'corrupt.iso': 2 * MiB,
  'ticket.iso': 6 * MiB,
  'full.iso': MiB,
  'shared.iso': 8 * MiB,
};

let sim: SimHandle;
let home: string;

before(async () => {
  sim = await startSimulator({ mirrorFiles: FILES });
  home = scratchDir('faults');
});
after(async () => {
  await sim.stop();
  removeDir(home);
});
afterEach(() => {
  sim.clearFaults();
  // The invariant of every row: nothing keeps running, nothing half-written stays on the storage.
  assert.deepEqual(sim.runningTasks(), [], 'a task was left running');
  assert.deepEqual(tempFilesUnder(sim.dataDir), [], 'a temporary download file was left on the storage');
});

function template(dir: string, iso: string): string {
  const text = `variable "proxmox_url" {
  type = string
}

source "proxmox-iso" "t" {
  proxmox_url = var.proxmox_url
  username    = "root@pam"
  password    = "hclx-sim"
  node        = "pve"
  iso_url          = "${sim.mirrorUrl}${iso}"
  iso_checksum     = "file:${sim.mirrorUrl}SHA256SUMS"
  iso_storage_pool = "local"
  iso_download_pve = true
  communicator  = "none"
  template_name = "t"
}

build {
  sources = ["source.proxmox-iso.t"]
}
`;
  writeFileSync(join(dir, 't.pkr.hcl'), text);
  return 't.pkr.hcl';
}

function build(dir: string, extra: string[] = [], apiUrl = sim.apiUrl) {
  const log = join(dir, 'packer-argv.log');
  const args = ['build', '--target', 'legacy', '--packer', STAND_IN, ...extra, `-var=proxmox_url=${apiUrl}`, 't.pkr.hcl'];
  return { log, args, env: cleanEnv({ HOME: home, TMPDIR: home, STAND_IN_LOG: log, HCLX_WORKDIR: join(home, 'work'), PACKER_CONFIG_DIR: home, PACKER_CACHE_DIR: join(home, 'cache') }) };
}

function onStorage(prefix: string): string[] {
  return readdirSync(sim.isoDir('local')).filter((n) => n.startsWith(prefix));
}

function assertClearFailure(r: { code: number | null; stdout: string; stderr: string }, message: RegExp): void {
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.doesNotMatch(r.stderr, STACK_FRAME, r.stderr);
  assert.doesNotMatch(r.stderr, /internal error/, r.stderr);
  const paragraphs = errorParagraphs(r.stderr);
  assert.ok(paragraphs.length >= 1, `no "hclx: " error paragraph:\n${r.stderr}`);
  assert.match(r.stderr, message);
}

test('connection dropped mid-download: wget resumes inside the task, the build goes on', async () => {
  const dir = scratchDir('drop');
  template(dir, 'dropped.iso');
  sim.addFault('mirror-drop:after=1M,count=1,path=dropped.iso');
  const b = build(dir);
  const r = await runCli(b.args, { cwd: dir, env: b.env });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const [name] = onStorage('dropped.');
  assert.ok(name, 'the ISO is on the storage');
  assert.equal(readFileSync(join(sim.isoDir('local'), name)).length, FILES['dropped.iso']);
  assert.match(readFileSync(b.log, 'utf8'), /"build"/, 'Packer ran after the download');
  removeDir(dir);
});

test('a burst of 5xx answers from the API is ridden out by retries', async () => {
  const dir = scratchDir('burst');
  template(dir, 'burst.iso');
  sim.addFault('api-error:status=503,count=3,method=GET');
  const r = await runCli(build(dir).args, { cwd: dir, env: build(dir).env });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.equal(onStorage('burst.').length, 1);
  removeDir(dir);
});

test('API unreachable: exit 1 naming the URL and the fix, Packer never started', async () => {
  const dir = scratchDir('unreachable');
  template(dir, 'unreachable.iso');
  // A port that was free a moment ago: connection refused on loopback.
  const port = await new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
  const apiUrl = `http://127.0.0.1:${port}/api2/json`;
  const b = build(dir, [], apiUrl);
  const r = await runCli(b.args, { cwd: dir, env: b.env, timeoutMs: 120_000 });
  assertClearFailure(r, new RegExp(`127\\.0\\.0\\.1:${port}.*refused`));
  assert.equal(existsSync(b.log), false, 'Packer must not run');
  removeDir(dir);
});

test('a task that hangs is stopped at --stall-timeout: exit 1, the task stopped, no temp file', async () => {
  const dir = scratchDir('hang');
  template(dir, 'hang.iso');
  sim.addFault('task-hang:type=download');
  const b = build(dir, ['--stall-timeout', '2s']);
  const r = await runCli(b.args, { cwd: dir, env: b.env });
  assertClearFailure(r, /stall|no progress/i);
  assert.equal(existsSync(b.log), false, 'Packer must not run');
  assert.deepEqual(onStorage('hang.'), []);
  removeDir(dir);
});

test('checksum mismatch: exit 1 with Proxmox\'s message, not retried, nothing kept', async () => {
  const dir = scratchDir('corrupt');
  template(dir, 'corrupt.iso');
  sim.addFault('corrupt-download:offset=1000,target=download');
  sim.resetStats();
  const b = build(dir);
  const r = await runCli(b.args, { cwd: dir, env: b.env });
  assertClearFailure(r, /checksum mismatch/);
  assert.equal(sim.stats().tasksByType.download, 1, 'a checksum mismatch is not retried');
  assert.deepEqual(onStorage('corrupt.'), []);
  assert.equal(existsSync(b.log), false, 'Packer must not run');
  removeDir(dir);
});

test('a ticket that expires mid-run is renewed or replaced; the build goes on', async () => {
  const dir = scratchDir('ticket');
  template(dir, 'ticket.iso');
  // 6 MiB at 2 MiB/s: the download outlives the 1 s tickets several times.
  sim.addFault('ticket-expire:after=1s');
  sim.addFault('rate-limit:bytes-per-sec=2M,target=download');
  const b = build(dir);
  const r = await runCli(b.args, { cwd: dir, env: b.env });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.equal(onStorage('ticket.').length, 1);
  assert.doesNotMatch(r.stderr, /401|authentication failure/i, r.stderr);
  removeDir(dir);
});

test('storage full: the pre-flight refuses before any download, naming the storage and the space', async () => {
  const dir = scratchDir('full');
  template(dir, 'full.iso');
  sim.addFault('storage-full:storage=local');
  sim.resetStats();
  const b = build(dir);
  const r = await runCli(b.args, { cwd: dir, env: b.env });
  assertClearFailure(r, /t\.pkr\.hcl:\d+:\d+: .*local.*(space|full|free)/i);
  assert.equal(sim.stats().tasksStarted, 0, 'nothing was downloaded');
  assert.equal(existsSync(b.log), false, 'Packer must not run');
  removeDir(dir);
});

test('two hclx builds started together for one ISO: one download task, both builds go on', async () => {
  const one = scratchDir('shared-a');
  const two = scratchDir('shared-b');
  template(one, 'shared.iso');
  template(two, 'shared.iso');
  sim.addFault('rate-limit:bytes-per-sec=8M,target=download');
  sim.resetStats();
  const a = build(one);
  const b = build(two);
  const [ra, rb] = await Promise.all([runCli(a.args, { cwd: one, env: a.env }), runCli(b.args, { cwd: two, env: b.env })]);
  assert.equal(ra.code, 0, ra.stdout + ra.stderr);
  assert.equal(rb.code, 0, rb.stdout + rb.stderr);
  assert.equal(sim.stats().tasksByType.download, 1, 'exactly one download task');
  assert.equal(onStorage('shared.').length, 1);
  const volid = (out: string) => /iso_file\s*=\s*"([^"]+)"/.exec(out)?.[1];
  assert.ok(volid(ra.stdout));
  assert.equal(volid(ra.stdout), volid(rb.stdout), 'both Packer runs got the same volid');
  removeDir(one);
  removeDir(two);
});
