// `hclx render` end to end: the built CLI is spawned (node bin/hclx.mjs), as users run it.
// Bad input must give one paragraph naming file:line:col and the fix, exit 2, never a stack trace.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = new URL('../../', import.meta.url).pathname;
const BIN = join(ROOT, 'bin/hclx.mjs');
const ERRORS = join(ROOT, 'fixtures/template/errors');

function hclx(args: string[], cwd: string, env: Record<string, string> = {}) {
  const run = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', timeout: 30_000, env: { ...process.env, HCLX_LOG: '', ...env } });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

function workdir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'hclx-cli-'));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** One paragraph, prefixed, with a place and no stack trace. */
function assertUserError(stderr: string, place: RegExp | undefined, text: RegExp): void {
  const lines = stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one paragraph expected, got:\n${stderr}`);
  assert.match(lines[0]!, /^hclx: /);
  if (place) assert.match(lines[0]!, place);
  assert.match(lines[0]!, text);
  assert.doesNotMatch(stderr, /\n\s+at |Error: /);
}

test('render --offline rewrites, reports old → new and where it wrote; a second run replaces its own output', () => {
  const cwd = workdir();
  const template = join(ROOT, 'fixtures/render/boot-iso-modern/template');
  const first = hclx(['render', '--offline', '-o', 'out', template], cwd);
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stdout, /source\.proxmox-iso\.debian boot_iso: https:\/\/cdimage\.debian\.org\/debian-cd\/12\.7\.0\/amd64\/iso-cd\/debian-12\.7\.0-amd64-netinst\.iso → local:iso\/debian-12\.7\.0-amd64-netinst\.iso/);
  assert.match(first.stdout, /^wrote out \(1 edited/m);
  assert.match(first.stdout, /^next: packer build out /m);
  assert.equal(readFileSync(join(cwd, 'out/debian.pkr.hcl'), 'utf8'), readFileSync(join(ROOT, 'fixtures/render/boot-iso-modern/expected/debian.pkr.hcl'), 'utf8'));
  const again = hclx(['render', '--offline', '--out', 'out', '--target=modern', template], cwd);
  assert.equal(again.code, 0, again.stderr);
});

test('render mirrors the other entries of the template directory as symlinks (path.root keeps working)', () => {
  const cwd = workdir();
  const template = join(cwd, 'tpl');
  mkdirSync(join(template, 'http'), { recursive: true });
  writeFileSync(join(template, 'http/preseed.cfg'), 'd-i debian-installer/locale string en_US\n');
  writeFileSync(join(template, 'notes.pkrvars.hcl'), '');
  writeFileSync(join(template, 'other.pkr.hcl.disabled'), 'x');
  writeFileSync(
    join(template, 't.pkr.hcl'),
    readFileSync(join(ROOT, 'fixtures/render/boot-iso-modern/template/debian.pkr.hcl'), 'utf8').replace('communicator  = "none"', 'communicator  = "none"\n  http_directory = "${path.root}/http"'),
  );
  const run = hclx(['render', '--offline', '-o', 'rendered', 'tpl'], cwd);
  assert.equal(run.code, 0, run.stderr);
  assert.ok(lstatSync(join(cwd, 'rendered/http')).isSymbolicLink());
  assert.equal(readlinkSync(join(cwd, 'rendered/http')), join(template, 'http'));
  assert.equal(readFileSync(join(cwd, 'rendered/http/preseed.cfg'), 'utf8'), 'd-i debian-installer/locale string en_US\n');
  assert.ok(existsSync(join(cwd, 'rendered/.hclx-render.json')));
});

test('render refuses an output directory with files it did not write, and the template directory itself', () => {
  const cwd = workdir();
  mkdirSync(join(cwd, 'mine'));
  writeFileSync(join(cwd, 'mine/keep.txt'), 'user data');
  const template = join(ROOT, 'fixtures/render/boot-iso-modern/template');
  const busy = hclx(['render', '--offline', '-o', 'mine', template], cwd);
  assert.equal(busy.code, 2);
  assertUserError(busy.stderr, undefined, /--out 'mine' is not empty and was not written by hclx render/);
  assert.equal(readFileSync(join(cwd, 'mine/keep.txt'), 'utf8'), 'user data');
  const self = hclx(['render', '--offline', '-o', template, template], cwd);
  assert.equal(self.code, 2);
  assertUserError(self.stderr, undefined, /is the template directory or contains it/);
});

const BAD_INPUT: Array<[string, RegExp, RegExp]> = [
  ['syntax', /t\.pkr\.hcl:13:3: /, /missing expression/],
  ['undefined-variable', /t\.pkr\.hcl:8:5: /, /var\.debian_iso_url .*Declare it \(variable "debian_iso_url"/],
  ['missing-checksum', /t\.pkr\.hcl:7:3: /, /iso_download_pve = true needs .*\(missing: iso_checksum\)/],
  ['non-iso-name', /t\.pkr\.hcl:8:5: /, /OPNsense-25\.7-dvd-amd64\.iso\.bz2.*\.iso or \.img/],
  ['storage-format', /t\.pkr\.hcl:10:5: /, /iso_storage_pool = "local:iso" must be a Proxmox storage id/],
];
for (const [name, place, text] of BAD_INPUT) {
  test(`render with bad input (${name}) gives a one-paragraph error and exit 2`, () => {
    const cwd = workdir();
    const run = hclx(['render', '--offline', '-o', 'out', join(ERRORS, name)], cwd);
    assert.equal(run.code, 2, run.stdout + run.stderr);
    assertUserError(run.stderr, place, text);
    assert.equal(existsSync(join(cwd, 'out')), false, 'nothing is written on error');
  });
}

test('a legacy JSON template is refused with a pointer to packer hcl2_upgrade', () => {
  const run = hclx(['render', '--offline', join(ERRORS, 'legacy-json/template.json')], workdir());
  assert.equal(run.code, 2);
  assertUserError(run.stderr, undefined, /legacy JSON template.*packer hcl2_upgrade/);
});

test('-var for an undeclared variable and an unknown --target are usage errors (exit 2)', () => {
  const template = join(ROOT, 'fixtures/render/boot-iso-modern/template');
  const undeclared = hclx(['render', '--offline', '-var', 'iso_verison=13.0.0', template], workdir());
  assert.equal(undeclared.code, 2);
  assertUserError(undeclared.stderr, undefined, /-var 'iso_verison=\.\.\.' sets a variable that the template does not declare.*Did you mean "iso_version"\?/);
  const target = hclx(['render', '--offline', '--target', 'ancient', template], workdir());
  assert.equal(target.code, 2);
});

test('-var overrides the default and the sensitive value never reaches the output', () => {
  const cwd = workdir();
  const template = join(ROOT, 'fixtures/render/boot-iso-modern/template');
  const run = hclx(['render', '--offline', '-o', 'out', '-var', 'iso_version=12.8.0', '-var', 'proxmox_token=aaaa-secret-token', template], cwd);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /→ local:iso\/debian-12\.8\.0-amd64-netinst\.iso/);
  assert.doesNotMatch(run.stdout + run.stderr + readFileSync(join(cwd, 'out/debian.pkr.hcl'), 'utf8'), /aaaa-secret-token/);
});
