// examples/ in the modern dialect (boot_iso, additional_iso_files with type/index) with REAL current
// Packer and the REAL Proxmox plugin >= 1.2 (`npm run tools`), against the simulator:
//   - hclx validate --offline --target modern: Packer validates the rendering of every example;
//   - hclx build --target modern: the demo template as it is, and the Ubuntu and multi-file
//     examples with one stated edit each (a copy whose ssh communicator becomes "none" and whose
//     shell provisioners go: the simulator runs no guest to log in to), build templates from ISOs
//     the node downloaded.
// Not built: Debian (its mirror is a literal https://cdimage.debian.org URL in a local, and tests
// stay on loopback) and Windows (a third-party windows-update provisioner, a Windows ISO, cd_files
// needing xorriso); both are validated. The tests need plugin >= 1.2.0: where `npm run tools` could
// not obtain it, they skip with the Go module proxy's answers from its manifest.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_PASSWORD, startSimulator } from '../../src/sim/index.js';
import type { SimHandle } from '../../src/sim/index.js';
import { pluginWith, skipWithoutPluginFeature } from '../support/modern-packer.js';
import { events, ROOT, runCli, tempDir, testEnv } from './support.js';

const skip = skipWithoutPluginFeature('bootIso', 'isoDownloadPve', 'isoDownloadPveAdditional');
const MiB = 1024 * 1024;
const UBUNTU_ISO = 'ubuntu-24.04.3-live-server-amd64.iso';
const DEBIAN_ISO = 'debian-13.1.0-amd64-netinst.iso';
const TOKEN = { tokenid: 'root@pam!hclx', secret: '5f0c4d52-7a43-4c8e-9d1c-0b6f3f1c2a10', privsep: false };

let sim: SimHandle;
let home: string;

before(async () => {
  sim = await startSimulator({ mirrorFiles: { [UBUNTU_ISO]: 4 * MiB, [DEBIAN_ISO]: 2 * MiB }, tokens: [TOKEN] });
  home = tempDir('e2e-examples-modern');
});
after(async () => {
  await sim.stop();
});

/** The connection the examples read from the environment (PROXMOX_*) and their variables. */
const connectionEnv = () => ({ PROXMOX_URL: sim.apiUrl, PROXMOX_USERNAME: 'root@pam', PROXMOX_PASSWORD: DEFAULT_PASSWORD });
const connectionVars = () => [`-var=proxmox_url=${sim.apiUrl}`, `-var=proxmox_username=${TOKEN.tokenid}`, `-var=proxmox_token=${TOKEN.secret}`];

function hclx(args: string[], cwd: string, extra: NodeJS.ProcessEnv = {}) {
  const t = pluginWith('bootIso', 'isoDownloadPve', 'isoDownloadPveAdditional');
  return runCli([args[0]!, '--packer', t.packer, ...args.slice(1)], { cwd, env: testEnv(home, { ...t.env, ...extra }), timeoutMs: 180_000 });
}

/** A copy of an example directory with the edit stated at the top of this file applied to `files`. */
function withoutGuest(example: string, files: string[]): string {
  const dir = join(tempDir(`e2e-ex-${example}`), example);
  cpSync(join(ROOT, 'examples', example), dir, { recursive: true });
  for (const f of files) {
    const path = join(dir, f);
    const text = readFileSync(path, 'utf8')
      .replace(/^( *)ssh_username *= .*$/gm, '$1communicator = "none"')
      .replace(/^ *ssh_(password|timeout) *= .*\n/gm, '')
      .replace(/\n *provisioner "shell" \{\n[\s\S]*?\n {2}\}\n/g, '\n');
    assert.doesNotMatch(text, /^ *ssh_\w+ *=|provisioner "shell"/m, `${f}: the edit left a guest setting`);
    writeFileSync(path, text);
  }
  return dir;
}

const VALIDATE: Array<{ example: string; template: string; args: string[]; env?: () => NodeJS.ProcessEnv; edit?: (text: string) => string }> = [
  { example: 'demo', template: 'ubuntu-demo.pkr.hcl', args: [], env: connectionEnv },
  { example: 'ubuntu', template: 'ubuntu-24.04.pkr.hcl', args: ['-var=node=pve'], env: connectionEnv },
  { example: 'debian', template: 'debian-13.pkr.hcl', args: ['-var=node=pve', ...['proxmox_url', 'proxmox_username', 'proxmox_token'].map((n, i) => `-var=${n}=${['https://pve.example:8006/api2/json', 'packer@pve!hclx', 'test-token-secret'][i]}`)] },
  { example: 'multi-file', template: '.', args: ['-var=proxmox_token=test-token-secret'] },
  {
    example: 'windows',
    template: 'windows-server-2022.pkr.hcl',
    args: ['-var=node=pve', `-var=virtio_win_checksum=sha256:${'ab'.repeat(32)}`],
    env: connectionEnv,
    // The windows-update provisioner is a third-party plugin (rgl/windows-update) that is not installed.
    edit: (text) => text.replace(/\n *provisioner "windows-update" \{\}\n/, '\n'),
  },
];

for (const c of VALIDATE) {
  test(`examples/${c.example}: hclx validate --offline --target modern, and Packer accepts the rendering`, { skip }, async () => {
    const dir = join(tempDir(`e2e-ex-validate-${c.example}`), c.example);
    cpSync(join(ROOT, 'examples', c.example), dir, { recursive: true });
    if (c.edit) writeFileSync(join(dir, c.template), c.edit(readFileSync(join(dir, c.template), 'utf8')));
    const run = await hclx(['validate', '--offline', '--target', 'modern', ...c.args, c.template], dir, c.env?.() ?? {});
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /Running \S+ validate .*\(Packer [\d.]+, on the rendering with predicted volids\)/);
    assert.match(run.stdout, /The configuration is valid\./);
  });
}

test('examples/demo: hclx build --target modern, the template built from the ISO the node downloaded', { skip }, async () => {
  const mirror = sim.mirrorUrl.replace(/\/$/, '');
  const run = await hclx(['build', '--target', 'modern', '--json', '-color=false', `-var=ubuntu_mirror=${mirror}`, join(ROOT, 'examples', 'demo', 'ubuntu-demo.pkr.hcl')], home, connectionEnv());
  assert.equal(run.code, 0, run.stdout + run.stderr);
  const ev = events(run.stdout);
  assert.equal(ev.find((e) => e.event === 'rendered')!.dialect, 'modern');
  const volid = String(ev.find((e) => e.event === 'downloaded')!.volid);
  const vm = sim.vms().find((v) => v.name === 'ubuntu-demo-template');
  assert.ok(vm?.template, `no template: ${JSON.stringify(sim.vms())}`);
  // boot_iso without a type: ide, index 2 (packer-plugin-proxmox.md 2.2).
  assert.equal(vm.config.ide2, `${volid},media=cdrom,size=4M`);
  assert.equal(sim.stats().bytesReceivedByUpload, 0);
});

test('examples/ubuntu (guest settings edited out): hclx build --target modern, the boot ISO on scsi, cloud-init drive, exit 0', { skip }, async () => {
  const dir = withoutGuest('ubuntu', ['ubuntu-24.04.pkr.hcl']);
  const mirror = sim.mirrorUrl.replace(/\/$/, '');
  const run = await hclx(['build', '--target', 'modern', '--json', '-color=false', '-var=node=pve', `-var=ubuntu_mirror=${mirror}`, 'ubuntu-24.04.pkr.hcl'], dir, connectionEnv());
  assert.equal(run.code, 0, run.stdout + run.stderr);
  const ev = events(run.stdout);
  const volid = String(ev.find((e) => e.event === 'downloaded')!.volid);
  assert.match(volid, /^local:iso\/ubuntu-24\.04\.3-live-server-amd64\.[0-9a-f]{12}\.iso$/);
  const vm = sim.vms().find((v) => v.name === 'ubuntu-2404-template');
  assert.ok(vm?.template, `no template: ${JSON.stringify(sim.vms())}`);
  // unmount = true (keep_cdrom_device false): plugin >= 1.2 deletes the boot ISO's drive at the end.
  assert.equal(Object.values(vm.config).some((v) => String(v).startsWith(volid)), false, `the ISO is still attached: ${JSON.stringify(vm.config)}`);
  assert.ok(Object.values(vm.config).some((v) => /cloudinit/.test(String(v))), `no cloud-init drive: ${JSON.stringify(vm.config)}`);
});

test('examples/multi-file (guest settings edited out): both sources built, each ISO downloaded once, token auth', { skip }, async () => {
  const dir = withoutGuest('multi-file', ['sources.pkr.hcl', 'build.pkr.hcl']);
  const mirror = sim.mirrorUrl.replace(/\/$/, '');
  const images = `{ ubuntu = { mirror = "${mirror}", iso_name = "${UBUNTU_ISO}", vm_id = 9100 }, debian = { mirror = "${mirror}", iso_name = "${DEBIAN_ISO}", vm_id = 9101 } }`;
  const run = await hclx(['build', '--target', 'modern', '--json', '-color=false', ...connectionVars(), '-var=node=pve', `-var=images=${images}`, '.'], dir);
  assert.equal(run.code, 0, run.stdout + run.stderr);
  const downloaded = events(run.stdout).filter((e) => e.event === 'downloaded' || e.event === 'reused');
  assert.equal(downloaded.length, 2, JSON.stringify(downloaded));
  for (const name of ['ubuntu-template', 'debian-template']) assert.ok(sim.vms().find((v) => v.name === name)?.template, `no ${name}: ${JSON.stringify(sim.vms())}`);
});
