// `hclx render` without --offline: the node downloads, the rewrite names what the node stored, and
// --offline predicts the same name when the checksum is known without the network.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startSimulator } from '../../src/sim/index.js';
import { runCli, tempDir, testEnv } from '../e2e/support.js';

function template(mirrorUrl: string, checksum: string): string {
  return `source "proxmox-iso" "demo" {
  proxmox_url = "\${env("PROXMOX_URL")}"
  node        = "pve"
  boot_iso {
    iso_url          = "${mirrorUrl}tiny-1.0-amd64.iso"
    iso_checksum     = "${checksum}"
    iso_storage_pool = "local"
    iso_download_pve = true # the node fetches it
    unmount          = true
  }
}
`.replace('"${env("PROXMOX_URL")}"', 'var.proxmox_url') + 'variable "proxmox_url" { default = env("PROXMOX_URL") }\n\nbuild { sources = ["source.proxmox-iso.demo"] }\n';
}

test('render downloads on the node and rewrites to the checksum-named volid; --offline predicts the same name', async () => {
  const sim = await startSimulator({ mirrorFiles: { 'tiny-1.0-amd64.iso': 3 * 1024 * 1024 } });
  try {
    const dir = tempDir('render-online');
    const listing = await (await fetch(`${sim.mirrorUrl}SHA256SUMS`)).text();
    const sha256 = listing.split('\n').find((l) => l.endsWith('tiny-1.0-amd64.iso'))!.split(/\s+/)[0]!;
    writeFileSync(join(dir, 'demo.pkr.hcl'), template(sim.mirrorUrl, `file:${sim.mirrorUrl}SHA256SUMS`));
    const env = testEnv(tempDir('render-online-home'), { PROXMOX_URL: sim.apiUrl, PROXMOX_USERNAME: 'root@pam', PROXMOX_PASSWORD: 'hclx-sim' });
    const run = await runCli(['render', '-o', 'out', 'demo.pkr.hcl'], { cwd: dir, env });
    assert.equal(run.code, 0, run.stderr);
    const expected = `local:iso/tiny-1.0-amd64.${sha256.slice(0, 12)}.iso`;
    assert.match(run.stdout, new RegExp(`→ ${expected.replace(/\./g, '\\.')}`));
    assert.ok(existsSync(join(sim.isoDir('local'), `tiny-1.0-amd64.${sha256.slice(0, 12)}.iso`)), 'the node stored the ISO under the checksum name');
    assert.equal(sim.stats().bytesDownloadedByNode, 3 * 1024 * 1024);
    const emitted = readFileSync(join(dir, 'out', 'demo.pkr.hcl'), 'utf8');
    assert.match(emitted, new RegExp(`iso_file\\s+= "${expected.replace(/\./g, '\\.')}"`));
    assert.doesNotMatch(emitted, /iso_download_pve|iso_checksum|iso_url/);
    assert.deepEqual(readdirSync(dir).sort(), ['demo.pkr.hcl', 'out'], 'nothing written next to the template but the chosen --out');

    // Offline with the checksum given literally predicts exactly the name the node stored.
    writeFileSync(join(dir, 'demo.pkr.hcl'), template(sim.mirrorUrl, `sha256:${sha256}`));
    const offline = await runCli(['render', '--offline', '-o', 'out2', 'demo.pkr.hcl'], { cwd: dir, env });
    assert.equal(offline.code, 0, offline.stderr);
    assert.match(readFileSync(join(dir, 'out2', 'demo.pkr.hcl'), 'utf8'), new RegExp(`iso_file\\s+= "${expected.replace(/\./g, '\\.')}"`));
  } finally {
    await sim.stop();
  }
});

test('render without a reachable Proxmox fails with exit 1 and names the API URL', async () => {
  const sim = await startSimulator({ mirrorFiles: { 'tiny-1.0-amd64.iso': 1024 * 1024 } });
  const dir = tempDir('render-unreachable');
  try {
    const listing = await (await fetch(`${sim.mirrorUrl}SHA256SUMS`)).text();
    const sha256 = listing.split('\n').find((l) => l.endsWith('tiny-1.0-amd64.iso'))!.split(/\s+/)[0]!;
    writeFileSync(join(dir, 'demo.pkr.hcl'), template(sim.mirrorUrl, `sha256:${sha256}`));
  } finally {
    await sim.stop();
  }
  const env = testEnv(dir, { PROXMOX_URL: 'http://127.0.0.1:9/api2/json', PROXMOX_USERNAME: 'root@pam', PROXMOX_PASSWORD: 'hclx-sim' });
  const run = await runCli(['render', '-o', 'out', 'demo.pkr.hcl'], { cwd: dir, env, timeoutMs: 90_000 });
  assert.equal(run.code, 1, run.stderr);
  assert.match(run.stderr, /127\.0\.0\.1:9/);
  assert.doesNotMatch(run.stderr, /\n\s+at /, 'no stack trace');
  assert.equal(existsSync(join(dir, 'out')), false, 'nothing emitted when the download failed');
});
