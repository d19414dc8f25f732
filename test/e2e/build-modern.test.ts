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
