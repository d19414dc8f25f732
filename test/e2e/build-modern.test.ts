// --target modern with additional ISOs: rendered and downloaded up to where Packer starts (Packer
// 1.6.6 cannot decode additional_iso_files in HCL2 mode, so a stand-in Packer takes over there),
// and with the real Packer 1.6.6 its refusal passes through with its exit code, pointed at the
// user's own lines.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startSimulator } from '../../src/sim/index.js';
import type { SimHandle } from '../../src/sim/index.js';
import { events, REAL_PACKER, ROOT, runCli, tempDir, testEnv, URL_VARIABLE } from './support.js';

const FAKE_PACKER = join(ROOT, 'fixtures', 'packer', 'fake-packer', 'packer');
const MiB = 1024 * 1024;
let sim: SimHandle;
let home: string;

before(async () => {
  sim = await startSimulator({ mirrorFiles: { 'os.iso': 2 * MiB, 'drivers.iso': 1 * MiB } });
  home = tempDir('e2e-modern');
});
after(async () => {
  await sim.stop();
});

function template(mirror: string): string {
  return `${URL_VARIABLE}
source "proxmox-iso" "win" {
  proxmox_url = var.proxmox_url
  username    = "root@pam"
  password    = "hclx-sim"
  node        = "pve"

  boot_iso {
    type             = "sata"
    iso_url          = "${mirror}os.iso"
    iso_checksum     = "file:${mirror}SHA256SUMS"
    iso_storage_pool = "local"
    iso_download_pve = true
    unmount          = true
  }

  additional_iso_files {
    type             = "sata"
    index            = 3
    iso_url          = "${mirror}drivers.iso"
    iso_checksum     = "file:${mirror}SHA256SUMS"
    iso_storage_pool = "local"
    iso_download_pve = true
    unmount          = true
  }

  communicator  = "none"
  template_name = "win"
}

build {
  sources = ["source.proxmox-iso.win"]
}
`;
}

test('--target modern: boot and additional ISOs downloaded, both blocks rewritten to iso_file, Packer started on the rendering', async () => {
  const dir = tempDir('e2e-modern-fake');
  writeFileSync(join(dir, 'win.pkr.hcl'), template(sim.mirrorUrl));
  const env = testEnv(home, { FAKE_PACKER_EXIT_NOW: '0', FAKE_PACKER_VERSION_OUTPUT: 'Packer v1.11.2' });
  const run = await runCli(['build', '--target', 'modern', '--json', '--keep-rendered', '--packer', FAKE_PACKER, `-var=proxmox_url=${sim.apiUrl}`, 'win.pkr.hcl'], { cwd: dir, env });
  assert.equal(run.code, 0, run.stdout + run.stderr);
  const ev = events(run.stdout);
  const volids = ev.filter((e) => e.event === 'downloaded').map((e) => String(e.volid)).sort();
  assert.equal(volids.length, 2);
  assert.match(volids[0]!, /^local:iso\/drivers\.[0-9a-f]{12}\.iso$/);
  assert.match(volids[1]!, /^local:iso\/os\.[0-9a-f]{12}\.iso$/);
  for (const v of volids) assert.ok(existsSync(join(sim.isoDir('local'), v.slice('local:iso/'.length))));

  const rendered = ev.find((e) => e.event === 'rendered')!;
  assert.equal(rendered.dialect, 'modern');
  const text = readFileSync(join(String(rendered.dir), 'win.pkr.hcl'), 'utf8');
  assert.match(text, new RegExp(`boot_iso \\{\\n    type     = "sata"\\n    iso_file = "${volids[1]!.replace(/\./g, '\\.')}"\\n    unmount  = true\\n  \\}`));
  assert.match(text, new RegExp(`additional_iso_files \\{\\n    type     = "sata"\\n    index    = 3\\n    iso_file = "${volids[0]!.replace(/\./g, '\\.')}"\\n    unmount  = true\\n  \\}`));
  assert.doesNotMatch(text, /iso_download_pve|iso_url|iso_checksum/);
  // The stand-in prints its argv: the user's flag verbatim, then the rendered file, last.
  const argv = [...run.stdout.matchAll(/^arg\[(.*)\]$/gm)].map((m) => m[1]);
  assert.deepEqual(argv, ['build', `-var=proxmox_url=${sim.apiUrl}`, join(String(rendered.dir), 'win.pkr.hcl')]);
  assert.deepEqual(readdirSync(join(home, 'work')).length, 1, '--keep-rendered keeps the working directory');
});

test('real Packer 1.6.6 refuses the modern rendering: its exit code and errors pass through, mapped to the user lines', { skip: existsSync(REAL_PACKER) ? false : 'no /usr/bin/packer' }, async () => {
  const dir = tempDir('e2e-modern-real');
  writeFileSync(join(dir, 'win.pkr.hcl'), template(sim.mirrorUrl));
  const run = await runCli(['build', '--target', 'modern', '-color=false', `-var=proxmox_url=${sim.apiUrl}`, 'win.pkr.hcl'], { cwd: dir, env: testEnv(home) });
  assert.equal(run.code, 1, run.stdout + run.stderr);
  assert.match(run.stdout, /Blocks of type "boot_iso" are not expected here\./);
  assert.match(run.stdout, /==> hclx: Packer's error "Unsupported block type" is at win\.pkr\.hcl:11 in your template/);
  assert.equal(sim.vms().some((v) => v.name === 'win'), false);
});

test('--target auto with a Packer >= 1.7: the installed proxmox plugin decides when required_plugins does not (v1.1.1: legacy, even for boot_iso)', async () => {
  const dir = tempDir('e2e-auto-installed');
  writeFileSync(join(dir, 'win.pkr.hcl'), template(sim.mirrorUrl));
  const log = join(dir, 'fake.log');
  const plugin = (v: string) => join(home, 'plugins', 'github.com', 'hashicorp', 'proxmox', `packer-plugin-proxmox_v${v}_x5.0_linux_amd64`);
  const build = (plugins: string) =>
    runCli(['build', '--json', '--keep-rendered', '--packer', FAKE_PACKER, `-var=proxmox_url=${sim.apiUrl}`, 'win.pkr.hcl'], {
      cwd: dir,
      env: testEnv(home, { FAKE_PACKER_EXIT_NOW: '0', FAKE_PACKER_VERSION_OUTPUT: 'Packer v1.16.0', FAKE_PACKER_PLUGINS: plugins, FAKE_PACKER_LOG: log }),
    });

  const old = await build(plugin('1.1.1'));
  assert.equal(old.code, 0, old.stdout + old.stderr);
  const rendered = events(old.stdout).find((e) => e.event === 'rendered')!;
  assert.equal(rendered.dialect, 'legacy');
  assert.match(String(rendered.dialectReason), /^Packer loads the installed proxmox plugin 1\.1\.1, older than 1\.2\.0/);
  const text = readFileSync(join(String(rendered.dir), 'win.pkr.hcl'), 'utf8');
  assert.match(text, /^ {2}iso_file *= "local:iso\/os\.[0-9a-f]{12}\.iso"$/m);
  assert.match(text, /additional_iso_files \{\n {4}iso_file *= "local:iso\/drivers\.[0-9a-f]{12}\.iso"\n {4}device *= "sata3"\n/);
  assert.doesNotMatch(text, /boot_iso/);

  const current = await build(`${plugin('1.1.1')}\\n${plugin('1.2.4')}`);
  assert.equal(current.code, 0, current.stdout + current.stderr);
  const renderedCurrent = events(current.stdout).find((e) => e.event === 'rendered')!;
  assert.equal(renderedCurrent.dialect, 'modern');
  assert.equal(renderedCurrent.dialectReason, 'Packer loads the installed proxmox plugin 1.2.4, 1.2.0 or newer');
  assert.equal(readFileSync(log, 'utf8'), 'plugins installed\nplugins installed\n');
});

test('--target auto: a required_plugins constraint on one side of 1.2.0 decides without asking Packer for its plugins', async () => {
  const dir = tempDir('e2e-auto-pinned');
  const pinned = `packer {\n  required_plugins {\n    proxmox = {\n      version = ">= 1.2.0"\n      source  = "github.com/hashicorp/proxmox"\n    }\n  }\n}\n${template(sim.mirrorUrl)}`;
  writeFileSync(join(dir, 'win.pkr.hcl'), pinned);
  const log = join(dir, 'fake.log');
  const env = testEnv(home, { FAKE_PACKER_EXIT_NOW: '0', FAKE_PACKER_VERSION_OUTPUT: 'Packer v1.16.0', FAKE_PACKER_LOG: log });
  const run = await runCli(['build', '--json', '--packer', FAKE_PACKER, `-var=proxmox_url=${sim.apiUrl}`, 'win.pkr.hcl'], { cwd: dir, env });
  assert.equal(run.code, 0, run.stdout + run.stderr);
  assert.equal(events(run.stdout).find((e) => e.event === 'rendered')!.dialect, 'modern');
  assert.equal(existsSync(log) ? readFileSync(log, 'utf8') : '', '', '`packer plugins installed` was not run');
});
