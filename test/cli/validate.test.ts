// `hclx validate` as a process: the Proxmox checks when the node answers (a warning when it does
// not), Packer's verdict on the rendering, template errors with their place, and no Packer.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startSimulator } from '../../src/sim/index.js';
import type { SimHandle } from '../../src/sim/index.js';
import { bootIso, proxmoxSource, REAL_PACKER, runCli, tempDir, testEnv, URL_VARIABLE } from '../e2e/support.js';

let sim: SimHandle;
let dir: string;
const skipPacker = existsSync(REAL_PACKER) ? false : 'no /usr/bin/packer';

before(async () => {
  sim = await startSimulator({ mirrorFiles: { 'v.iso': 1024 * 1024 } });
  dir = tempDir('cli-validate');
  writeFileSync(join(dir, 'v.pkr.hcl'), `${URL_VARIABLE}\n${proxmoxSource('v', bootIso(sim.mirrorUrl, 'v.iso'))}\nbuild {\n  sources = ["source.proxmox-iso.v"]\n}\n`);
});
after(async () => {
  await sim.stop();
});

test('checks the node read-only, then packer validate on the legacy rendering; nothing is downloaded', { skip: skipPacker }, async () => {
  sim.resetStats();
  const home = tempDir('cli-validate-home');
  const run = await runCli(['validate', `-var=proxmox_url=${sim.apiUrl}`, 'v.pkr.hcl'], { cwd: dir, env: testEnv(home) });
  assert.equal(run.code, 0, run.stdout + run.stderr);
  assert.match(run.stdout, /==> hclx: Proxmox node checked: 1 ISO, storage and privileges OK/);
  assert.match(run.stdout, /source\.proxmox-iso\.v boot_iso: local:iso\/v\.[0-9a-f]{12}\.iso on pve \(would-download\)/);
  assert.match(run.stdout, /Running \/usr\/bin\/packer validate -var=proxmox_url=\S+ \S+\/template\/v\.pkr\.hcl \(Packer 1\.6\.6/);
  assert.equal(sim.stats().tasksStarted, 0, 'validate starts no task');
  assert.deepEqual(readdirSync(join(home, 'work')), []);
});

test('an unreachable node is a warning, not a failure', { skip: skipPacker }, async () => {
  const run = await runCli(['validate', '-var=proxmox_url=http://127.0.0.1:9/api2/json', 'v.pkr.hcl'], { cwd: dir, env: testEnv(tempDir('cli-validate-home')) });
  assert.equal(run.code, 0, run.stdout + run.stderr);
  assert.match(run.stdout, /==> hclx: warning: storage and privileges not checked: Proxmox \(or a checksum file\) could not be reached: .*127\.0\.0\.1:9/);
});

test('a Proxmox problem found by the node check fails with exit 1 before Packer runs', async () => {
  const bad = join(dir, 'bad-storage');
  mkdirSync(bad, { recursive: true });
  writeFileSync(join(bad, 'b.pkr.hcl'), `${URL_VARIABLE}\n${proxmoxSource('b', bootIso(sim.mirrorUrl, 'v.iso').replace('"local"', '"nosuch"'))}\nbuild {\n  sources = ["source.proxmox-iso.b"]\n}\n`);
  const run = await runCli(['validate', `-var=proxmox_url=${sim.apiUrl}`, 'b.pkr.hcl'], { cwd: bad, env: testEnv(tempDir('cli-validate-home')) });
  assert.equal(run.code, 1, run.stdout + run.stderr);
  assert.match(run.stderr, /nosuch/);
  assert.doesNotMatch(run.stdout, /Running .*packer validate/);
});

test('a template error exits 2 and names the file, line and column', async () => {
  const run = await runCli(['validate', 'v.pkr.hcl'], { cwd: dir, env: testEnv(tempDir('cli-validate-home')) });
  assert.equal(run.code, 2);
  assert.match(run.stderr, /v\.pkr\.hcl:1:1.*proxmox_url/s);
});

test('without Packer: the hclx checks still run, and it says packer validate did not', async () => {
  const home = tempDir('cli-validate-nopacker');
  const bin = join(home, 'bin');
  mkdirSync(bin);
  symlinkSync(process.execPath, join(bin, 'node'));
  const run = await runCli(['validate', '--offline', `-var=proxmox_url=${sim.apiUrl}`, 'v.pkr.hcl'], { cwd: dir, env: { ...testEnv(home), PATH: bin } });
  assert.equal(run.code, 0, run.stdout + run.stderr);
  assert.match(run.stdout, /Proxmox not contacted \(--offline\)/);
  assert.match(run.stdout, /packer validate not run: Packer was not found/);
});
