// `hclx demo` (the README's first command) as a new user runs it: with Packer, and without.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { REAL_PACKER, ROOT, runCli, tempDir, testEnv } from '../e2e/support.js';
import { toolsDir } from '../../src/packer/tools-manifest.js';
import { modernPacker, skipWithoutModernPacker } from '../support/modern-packer.js';

test('the demo downloads on the simulated node, shows the rewritten block and builds the template with Packer', { skip: existsSync(REAL_PACKER) ? false : 'no /usr/bin/packer' }, async () => {
  const run = await runCli(['demo', '--iso-size', '8'], { cwd: ROOT, env: testEnv(tempDir('demo')), timeoutMs: 90_000 });
  assert.equal(run.code, 0, run.stdout + run.stderr);
  assert.match(run.stdout, /hclx: downloaded local:iso\/ubuntu-24\.04\.3-live-server-amd64\.[0-9a-f]{12}\.iso on pve \(8\.0 MiB\)/);
  assert.match(run.stdout, /^ {4}- {4}iso_download_pve = true$/m);
  assert.match(run.stdout, /^ {4}\+ {2}iso_file = "local:iso\/ubuntu-24\.04\.3-live-server-amd64\.[0-9a-f]{12}\.iso"$/m);
  assert.match(run.stdout, /A template was created: 101/);
  assert.match(run.stdout, /through this machine \(ISO upload\): {2}0 B/);
  assert.match(run.stdout, /template 101 "ubuntu-demo-template": ide2 = local:iso\/ubuntu-24\.04\.3-live-server-amd64\.[0-9a-f]{12}\.iso,media=cdrom,size=8M/);
});

test('with the tools `npm run tools` built, the demo uses modern Packer and the real plugin, in the dialect of that plugin', { skip: skipWithoutModernPacker() }, async () => {
  const t = modernPacker();
  const home = tempDir('demo-modern');
  const run = await runCli(['demo', '--iso-size', '8'], { cwd: ROOT, env: testEnv(home, { HCLX_TOOLS_DIR: toolsDir(process.env) }), timeoutMs: 90_000 });
  assert.equal(run.code, 0, run.stdout + run.stderr);
  assert.match(run.stdout, new RegExp(`==> demo: using Packer ${t.packerVersion.replace(/\./g, '\\.')} with the proxmox plugin v${t.pluginVersion.replace(/\./g, '\\.')} built by \`npm run tools\``));
  assert.match(run.stdout, new RegExp(`Running ${t.packer.replace(/[.]/g, '\\.')} build `));
  assert.match(run.stdout, new RegExp(`Rewrote 1 ISO block to iso_file \\(${t.modernPlugin ? 'modern' : 'legacy'} dialect: Packer loads the installed proxmox plugin`));
  assert.match(run.stdout, /A template was created: \d+/);
  assert.match(run.stdout, /template \d+ "ubuntu-demo-template": ide2 = local:iso\/ubuntu-24\.04\.3-live-server-amd64\.[0-9a-f]{12}\.iso,media=cdrom,size=8M/);
  assert.match(run.stdout, /through this machine \(ISO upload\): {2}0 B/);
});

test('without Packer the demo still downloads and rewrites, says how to install Packer, and exits 0', async () => {
  const home = tempDir('demo-nopacker');
  const bin = join(home, 'bin');
  mkdirSync(bin);
  symlinkSync(process.execPath, join(bin, 'node'));
  const run = await runCli(['demo', '--iso-size', '4'], { cwd: ROOT, env: { ...testEnv(home), PATH: bin }, timeoutMs: 60_000 });
  assert.equal(run.code, 0, run.stdout + run.stderr);
  assert.match(run.stdout, /hclx: downloaded local:iso\/ubuntu-24\.04\.3-live-server-amd64\.[0-9a-f]{12}\.iso/);
  assert.match(run.stdout, /iso_file *= "local:iso\//);
  assert.match(run.stdout, /Packer is not installed, so the demo stopped before `packer build`\.\n {4}Install Packer \(Debian\/Ubuntu: `apt-get install packer`/);
});
