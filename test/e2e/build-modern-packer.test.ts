// hclx build and validate end to end with REAL current Packer and the REAL Proxmox plugin, both
// built by `npm run tools` (test/support/modern-packer.ts finds them), against the simulator: the demo
// template with --target auto (the installed plugin picks the dialect), top-level and additional
// ISOs in the legacy dialect, Packer's exit code passed through, Ctrl-C while Packer runs, and
// `hclx validate` with that Packer. The tests that need plugin >= 1.2 (the modern dialect) are in
// examples-modern.test.ts. Without the tools these skip locally and fail in CI.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_PASSWORD, startSimulator } from '../../src/sim/index.js';
import type { SimHandle } from '../../src/sim/index.js';
import { modernPacker, skipWithoutModernPacker } from '../support/modern-packer.js';
import { events, ROOT, runCli, tempDir, testEnv, URL_VARIABLE, waitFor } from './support.js';

const skip = skipWithoutModernPacker();
const MiB = 1024 * 1024;
const DEMO_ISO = 'ubuntu-24.04.3-live-server-amd64.iso';

let sim: SimHandle;
let home: string;

before(async () => {
  sim = await startSimulator({ mirrorFiles: { [DEMO_ISO]: 4 * MiB, 'os.iso': 2 * MiB, 'drivers.iso': 1 * MiB, 'fail.iso': 1 * MiB, 'wait.iso': 1 * MiB } });
  home = tempDir('e2e-modern-packer');
});
after(async () => {
  await sim.stop();
});

/** hclx with the tools' Packer (--packer) and its plugin directory. */
function hclx(args: string[], cwd: string, extra: NodeJS.ProcessEnv = {}, onSpawn?: (c: ChildProcess) => void) {
  const t = modernPacker();
  return runCli([args[0]!, '--packer', t.packer, ...args.slice(1)], { cwd, env: testEnv(home, { ...t.env, ...extra }), timeoutMs: 120_000, ...(onSpawn ? { onSpawn } : {}) });
}

function write(name: string, text: string): string {
  const dir = tempDir(`e2e-mp-${name}`);
  writeFileSync(join(dir, `${name}.pkr.hcl`), text);
  return dir;
}

/** A legacy-syntax proxmox-iso source (top-level ISO fields), as every plugin version accepts. */
function legacySource(name: string, file: string, extra = ''): string {
  return `${URL_VARIABLE}
source "proxmox-iso" "${name}" {
  proxmox_url      = var.proxmox_url
  username         = "root@pam"
  password         = "${DEFAULT_PASSWORD}"
  node             = "pve"
  iso_url          = "${sim.mirrorUrl}${file}"
  iso_checksum     = "file:${sim.mirrorUrl}SHA256SUMS"
  iso_storage_pool = "local"
  iso_download_pve = true
${extra}  communicator     = "none"
  template_name    = "${name}"
}
`;
}

test('the demo template (boot_iso, no required_plugins), --target auto: the dialect of the installed plugin, the node downloads, Packer builds the template, exit 0', { skip }, async () => {
  const t = modernPacker();
  sim.resetStats();
  const mirror = sim.mirrorUrl.replace(/\/$/, '');
  const env = { PROXMOX_URL: sim.apiUrl, PROXMOX_USERNAME: 'root@pam', PROXMOX_PASSWORD: DEFAULT_PASSWORD };
  const run = await hclx(['build', '--json', '-color=false', `-var=ubuntu_mirror=${mirror}`, join(ROOT, 'examples', 'demo', 'ubuntu-demo.pkr.hcl')], home, env);
  assert.equal(run.code, 0, run.stdout + run.stderr);
  const ev = events(run.stdout);
  assert.deepEqual(ev.find((e) => e.event === 'packer'), { ...ev.find((e) => e.event === 'packer'), path: t.packer, version: t.packerVersion, builtinProxmox: false });
  const rendered = ev.find((e) => e.event === 'rendered')!;
  assert.equal(rendered.dialect, t.modernPlugin ? 'modern' : 'legacy');
  assert.match(String(rendered.dialectReason), new RegExp(`^Packer loads the installed proxmox plugin ${t.pluginVersion.replace(/\./g, '\\.')}`));
  const volid = String(ev.find((e) => e.event === 'downloaded')!.volid);
  assert.match(volid, /^local:iso\/ubuntu-24\.04\.3-live-server-amd64\.[0-9a-f]{12}\.iso$/);
  assert.match(run.stdout, /A template was created: \d+/);
  const vm = sim.vms().find((v) => v.name === 'ubuntu-demo-template');
  assert.ok(vm, `no template: ${JSON.stringify(sim.vms())}`);
  assert.equal(vm.template, true);
  // Either dialect puts the boot ISO on ide2 (legacy: always; boot_iso without type: ide, index 2).
  assert.equal(vm.config.ide2, `${volid},media=cdrom,size=4M`);
  const stats = sim.stats();
  assert.equal(stats.bytesReceivedByUpload, 0, 'no ISO byte went through the runner');
  assert.equal(stats.bytesDownloadedByNode, 4 * MiB);
  assert.deepEqual(readdirSync(join(home, 'work')), [], 'the working directory is removed');
});

test('legacy dialect with top-level and additional ISOs: both downloaded by the node, attached by the real plugin where the template says', { skip }, async () => {
  const extra = `  unmount_iso      = true
  additional_iso_files {
    device           = "sata3"
    iso_url          = "${sim.mirrorUrl}drivers.iso"
    iso_checksum     = "file:${sim.mirrorUrl}SHA256SUMS"
    iso_storage_pool = "local"
    iso_download_pve = true
  }
`;
  const dir = write('pair', `${legacySource('pair', 'os.iso', extra)}\nbuild {\n  sources = ["source.proxmox-iso.pair"]\n}\n`);
  const run = await hclx(['build', '--target', 'legacy', '--json', '-color=false', `-var=proxmox_url=${sim.apiUrl}`, 'pair.pkr.hcl'], dir);
  assert.equal(run.code, 0, run.stdout + run.stderr);
  const ev = events(run.stdout);
  const volids = Object.fromEntries(ev.filter((e) => e.event === 'downloaded').map((e) => [String(e.volid).includes('drivers') ? 'drivers' : 'os', String(e.volid)]));
  assert.deepEqual(Object.keys(volids).sort(), ['drivers', 'os']);
  const vm = sim.vms().find((v) => v.name === 'pair');
  assert.ok(vm, `no template: ${JSON.stringify(sim.vms())}`);
  assert.equal(vm.template, true);
  // unmount_iso: the boot drive is emptied at the end; the additional ISO stays in its drive.
  assert.equal(vm.config.ide2, 'none,media=cdrom');
  assert.equal(vm.config.sata3, `${volids.drivers},media=cdrom,size=1M`);
  assert.deepEqual(ev.filter((e) => e.event === 'packer-exit').map((e) => e.exitCode), [0]);
});

test("a failing build exits with Packer's code and Packer deletes its VM", { skip }, async () => {
  const provisioner = '  provisioner "shell-local" {\n    inline = ["echo failing on purpose", "exit 3"]\n  }\n';
  const dir = write('failing', `${legacySource('failing', 'fail.iso')}\nbuild {\n  sources = ["source.proxmox-iso.failing"]\n${provisioner}}\n`);
  const before = sim.vms().length;
  const run = await hclx(['build', '-color=false', `-var=proxmox_url=${sim.apiUrl}`, 'failing.pkr.hcl'], dir);
  assert.equal(run.code, 1, run.stdout + run.stderr);
  assert.match(run.stdout, /failing on purpose/);
  assert.match(run.stdout, /Build 'proxmox-iso\.failing' errored/);
  assert.equal(sim.vms().length, before, 'Packer removed the VM of the failed build');
});

test('SIGINT while Packer runs: forwarded, Packer cancels and deletes its VM, hclx exits 130', { skip }, async () => {
  const provisioner = '  provisioner "shell-local" {\n    inline = ["echo hclx-test-waiting", "sleep 60"]\n  }\n';
  const dir = write('waiting', `${legacySource('waiting', 'wait.iso')}\nbuild {\n  sources = ["source.proxmox-iso.waiting"]\n${provisioner}}\n`);
  let seen = '';
  let child: ChildProcess | undefined;
  const running = hclx(['build', '-color=false', `-var=proxmox_url=${sim.apiUrl}`, 'waiting.pkr.hcl'], dir, {}, (c) => {
    child = c;
    c.stdout!.on('data', (d: Buffer) => (seen += d.toString()));
  });
  await waitFor(() => seen.includes('hclx-test-waiting'), 60_000, 'the provisioner to start');
  assert.ok(sim.vms().some((v) => v.name.startsWith('packer-')), 'Packer created its VM');
  child!.kill('SIGINT');
  const run = await running;
  assert.equal(run.code, 130, run.stdout + run.stderr);
  assert.match(run.stdout, /Cleanly cancelled builds after being interrupted/);
  assert.match(run.stdout, /==> hclx: Packer ended after SIGINT with exit code 1; hclx exits 130 \(interrupted\)\./);
  assert.equal(sim.vms().some((v) => v.name.startsWith('packer-')), false, 'Packer deleted the VM it was building');
});

test('hclx validate with modern Packer: the node checked read-only, packer validate passes on the rendering; an attribute the plugin does not know fails with exit 1 at the user line', { skip }, async () => {
  const t = modernPacker();
  const dir = write('valid', `${legacySource('valid', 'os.iso')}\nbuild {\n  sources = ["source.proxmox-iso.valid"]\n}\n`);
  sim.resetStats();
  const run = await hclx(['validate', `-var=proxmox_url=${sim.apiUrl}`, 'valid.pkr.hcl'], dir);
  assert.equal(run.code, 0, run.stdout + run.stderr);
  assert.match(run.stdout, /==> hclx: Proxmox node checked: 1 ISO, storage and privileges OK/);
  assert.match(run.stdout, new RegExp(`\\(Packer ${t.packerVersion.replace(/\./g, '\\.')}, on the rendering with predicted volids\\)`));
  assert.match(run.stdout, /The configuration is valid\./);
  assert.equal(sim.stats().tasksStarted, 0, 'validate starts no task');

  const bad = write('invalid', `${legacySource('invalid', 'os.iso', '  no_such_setting  = true\n')}\nbuild {\n  sources = ["source.proxmox-iso.invalid"]\n}\n`);
  const refused = await hclx(['validate', `-var=proxmox_url=${sim.apiUrl}`, 'invalid.pkr.hcl'], bad);
  assert.equal(refused.code, 1, refused.stdout + refused.stderr);
  assert.match(refused.stdout, /Unsupported argument/);
  assert.match(refused.stdout, /==> hclx: Packer's error "Unsupported argument" is at invalid\.pkr\.hcl:14 in your template/);
});
