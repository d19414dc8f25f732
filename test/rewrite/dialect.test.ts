// --target auto: what required_plugins decides alone, and what the installed plugin (the one Packer
// would load) decides when required_plugins leaves it open.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chooseDialect, withInstalledPlugin } from '../../src/rewrite/dialect.js';
import { prepareTemplate } from '../../src/template/prepare.js';
import { tempDir } from '../support/temp.js';

const BOOT_ISO = `  boot_iso {
    iso_url          = "https://example.com/os.iso"
    iso_checksum     = "sha256:${'ab'.repeat(32)}"
    iso_storage_pool = "local"
    iso_download_pve = true
  }`;
const TOP_LEVEL = `  iso_url          = "https://example.com/os.iso"
  iso_checksum     = "sha256:${'ab'.repeat(32)}"
  iso_storage_pool = "local"
  iso_download_pve = true`;

async function choice(iso: string, constraint?: string) {
  const dir = tempDir('dialect');
  const packer = constraint ? `packer {\n  required_plugins {\n    proxmox = {\n      version = "${constraint}"\n      source  = "github.com/hashicorp/proxmox"\n    }\n  }\n}\n` : '';
  writeFileSync(join(dir, 't.pkr.hcl'), `${packer}source "proxmox-iso" "t" {\n  node = "pve"\n${iso}\n}\nbuild {\n  sources = ["source.proxmox-iso.t"]\n}\n`);
  const { template, specs } = await prepareTemplate(join(dir, 't.pkr.hcl'), { cwd: dir, env: {}, varFiles: [], vars: [] });
  return chooseDialect('auto', template, specs);
}

test('without required_plugins the installed plugin decides: before 1.2.0 legacy even for boot_iso, from 1.2.0 modern', async () => {
  const boot = await choice(BOOT_ISO);
  assert.equal(boot.dialect, 'modern');
  assert.ok(boot.open, 'nothing in the template pins the plugin');
  const legacy = withInstalledPlugin(boot, ['1.1.1']);
  assert.equal(legacy.dialect, 'legacy');
  assert.match(legacy.reason, /Packer loads the installed proxmox plugin 1\.1\.1, older than 1\.2\.0/);
  assert.equal(legacy.target, 'auto');
  assert.equal(withInstalledPlugin(await choice(TOP_LEVEL), ['1.2.4']).dialect, 'modern');
  // Several installed: Packer loads the newest.
  assert.equal(withInstalledPlugin(boot, ['1.1.1', '1.2.4', '1.1.8']).dialect, 'modern');
});

test('nothing installed, or Packer could not say: the template decides, as before', async () => {
  const top = await choice(TOP_LEVEL);
  assert.deepEqual(withInstalledPlugin(top, []), top);
  assert.deepEqual(withInstalledPlugin(top, undefined), top);
});

test('a constraint that admits both generations: the newest installed version it admits decides', async () => {
  const open = await choice(TOP_LEVEL, '>= 1.1.0');
  assert.equal(open.dialect, 'legacy');
  const picked = withInstalledPlugin(open, ['1.2.4', '1.1.1']);
  assert.equal(picked.dialect, 'modern');
  assert.match(picked.reason, /1\.2\.4 \(newest installed that ">= 1\.1\.0" admits\), 1\.2\.0 or newer/);
  const capped = await choice(TOP_LEVEL, '>= 1.1.0, != 1.2.4');
  assert.equal(withInstalledPlugin(capped, ['1.2.4', '1.1.1']).dialect, 'legacy', '1.2.4 is excluded, so Packer loads 1.1.1');
  // Only versions the constraint excludes: Packer would refuse to run; the template's choice stays.
  assert.deepEqual(withInstalledPlugin(await choice(TOP_LEVEL, '>= 1.1.5, < 1.1.9'), ['1.1.1']).dialect, 'legacy');
});

test('a constraint that admits one generation decides alone: the installed plugin is not consulted', async () => {
  const modern = await choice(TOP_LEVEL, '>= 1.2.0');
  assert.equal(modern.open, undefined);
  assert.deepEqual(withInstalledPlugin(modern, ['1.1.1']), modern);
  const legacy = await choice(BOOT_ISO, '~> 1.1.8');
  assert.equal(legacy.open, undefined);
  assert.deepEqual(withInstalledPlugin(legacy, ['1.2.4']), legacy);
});

test('an explicit --target is never changed', async () => {
  const dir = tempDir('dialect-explicit');
  writeFileSync(join(dir, 't.pkr.hcl'), `source "proxmox-iso" "t" {\n  node = "pve"\n${BOOT_ISO}\n}\n`);
  const { template, specs } = await prepareTemplate(join(dir, 't.pkr.hcl'), { cwd: dir, env: {}, varFiles: [], vars: [] });
  const explicit = chooseDialect('modern', template, specs);
  assert.deepEqual(withInstalledPlugin(explicit, ['1.1.1']), explicit);
});
