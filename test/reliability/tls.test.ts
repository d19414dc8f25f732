// TLS at CLI level against the simulator over HTTPS with its own CA: a certificate hclx cannot
// verify is refused by default (exit 1, the fix named), accepted with the right --ca-file or
// insecure_skip_tls_verify = true in the template, and still refused with another CA's file.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startSimulator, type SimHandle } from '../../src/sim/index.js';
import { FIXTURES, STACK_FRAME, cleanEnv, errorParagraphs, removeDir, runCli, scratchDir } from './support.js';

const STAND_IN = join(FIXTURES, 'packer', 'stand-in.mjs');
let sim: SimHandle;
let other: SimHandle;
let dir: string;

before(async () => {
  [sim, other] = await Promise.all([startSimulator({ tls: true, mirrorFiles: { 'tls.iso': 1024 * 1024 } }), startSimulator({ tls: true })]);
  dir = scratchDir('tls');
});
after(async () => {
  await Promise.all([sim.stop(), other.stop()]);
  removeDir(dir);
});

function template(insecure: boolean): string {
  const name = insecure ? 'insecure.pkr.hcl' : 'strict.pkr.hcl';
  writeFileSync(
    join(dir, name),
    `source "proxmox-iso" "tls" {
  proxmox_url = "${sim.apiUrl}"
  username    = "root@pam"
  password    = "hclx-sim"
  node        = "pve"
${insecure ? '  insecure_skip_tls_verify = true\n' : ''}  iso_url          = "${sim.mirrorUrl}tls.iso"
  iso_checksum     = "none"
  iso_storage_pool = "local"
  iso_download_pve = true
  communicator     = "none"
}

build {
  sources = ["source.proxmox-iso.tls"]
}
`,
  );
  return name;
}

// The mirror is served by the same HTTPS server; the node's downloads skip verification of it here
// (what this test is about is hclx's own connection to the API).
const run = (args: string[]) => runCli(['plan', '--no-verify-iso-certificates', ...args], { cwd: dir, env: cleanEnv({ HOME: dir }) });

test('an unverifiable certificate is refused by default, naming the URL and both fixes', async () => {
  const r = await run([template(false)]);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.doesNotMatch(r.stderr, STACK_FRAME);
  const text = errorParagraphs(r.stderr).join('\n') + r.stdout;
  assert.match(text, /certificate/i);
  assert.ok(text.includes(new URL(sim.apiUrl).host), text);
  assert.match(text, /--ca-file/);
  assert.match(text, /insecure_skip_tls_verify/);
});

test('the right --ca-file is accepted', async () => {
  const r = await run(['--ca-file', sim.caFile!, template(false)]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /would download/);
});

test('another CA\'s file is still refused', async () => {
  const r = await run(['--ca-file', other.caFile!, template(false)]);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stdout + r.stderr, /certificate/i);
});

test('insecure_skip_tls_verify = true in the template is accepted', async () => {
  const r = await run([template(true)]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
});

test('build honours --ca-file too: the node downloads, Packer runs', async () => {
  const r = await runCli(['build', '--target', 'legacy', '--packer', STAND_IN, '--no-verify-iso-certificates', '--ca-file', sim.caFile!, template(false)], { cwd: dir, env: cleanEnv({ HOME: dir, TMPDIR: dir }) });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /stand-in: iso_file\s*=\s*"local:iso\/tls\.iso"/);
  const refused = await runCli(['build', '--target', 'legacy', '--packer', STAND_IN, template(false)], { cwd: dir, env: cleanEnv({ HOME: dir, TMPDIR: dir }) });
  assert.equal(refused.code, 1, refused.stdout + refused.stderr);
  assert.doesNotMatch(refused.stdout, /stand-in:/, 'Packer must not run after a refused certificate');
});
