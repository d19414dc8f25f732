import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { ToolError } from '../../src/errors.js';
import { findOnPath, findPacker, locatePacker } from '../../src/packer/locate.js';

const FAKE = resolve('fixtures/packer/fake-packer/packer');
const root = mkdtempSync(join(tmpdir(), 'hclx-locate-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** A directory holding an executable `packer` that prints the given version output. */
function binDir(name: string, versionOutput: string): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'packer'), `#!/bin/sh\nprintf '%s\\n' '${versionOutput}'\n`);
  chmodSync(join(dir, 'packer'), 0o755);
  return dir;
}
const old = binDir('old', 'Packer v1.6.6');
const modern = binDir('modern', 'Packer v1.11.2');
const notExecutable = join(root, 'noexec');
mkdirSync(notExecutable);
writeFileSync(join(notExecutable, 'packer'), '#!/bin/sh\n');
chmodSync(join(notExecutable, 'packer'), 0o644);
const empty = join(root, 'empty');
mkdirSync(empty);

describe('findPacker', () => {
  it('finds packer on PATH, skipping directories without an executable one', () => {
    const env = { PATH: [empty, notExecutable, modern, old].join(':') };
    assert.equal(findPacker({ env, cwd: root }), join(modern, 'packer'));
    assert.equal(findOnPath('packer', { PATH: '' }, root), undefined);
  });
  it('prefers PACKER_BIN over PATH, and --packer over both', () => {
    const env = { PATH: modern, PACKER_BIN: join(old, 'packer') };
    assert.equal(findPacker({ env, cwd: root }), join(old, 'packer'));
    assert.equal(findPacker({ env, cwd: root, packerOption: FAKE }), FAKE);
  });
  it('resolves a relative --packer path against the working directory', () => {
    assert.equal(findPacker({ env: { PATH: '' }, cwd: old, packerOption: './packer' }), join(old, 'packer'));
  });
  it('never falls back to PATH when PACKER_BIN or --packer names no executable', () => {
    for (const options of [
      { env: { PATH: modern, PACKER_BIN: join(notExecutable, 'packer') }, cwd: root },
      { env: { PATH: modern }, cwd: root, packerOption: join(empty, 'packer') },
    ]) {
      assert.throws(
        () => findPacker(options),
        (e: unknown) => e instanceof ToolError && e.code === 'E_PACKER_NOT_FOUND' && /is not an executable file/.test(e.message),
      );
    }
  });
  it('explains how to install Packer and how to point hclx at it when there is none', () => {
    assert.throws(
      () => findPacker({ env: { PATH: [empty, notExecutable].join(':') }, cwd: root }),
      (e: unknown) =>
        e instanceof ToolError &&
        e.exitCode === 1 &&
        /Packer was not found/.test(e.message) &&
        /apt-get install packer/.test(e.describe()) &&
        /--packer PATH or PACKER_BIN=PATH/.test(e.describe()),
    );
  });
});

describe('locatePacker', () => {
  it('reads the version and marks Packer < 1.7 as having the built-in proxmox builder', async () => {
    assert.deepEqual(await locatePacker({ env: { PATH: old }, cwd: root }), { path: join(old, 'packer'), version: '1.6.6', builtinProxmox: true });
    assert.deepEqual(await locatePacker({ env: { PATH: modern }, cwd: root }), { path: join(modern, 'packer'), version: '1.11.2', builtinProxmox: false });
  });
  it('reads a version printed with extra lines after it', async () => {
    const env = { PATH: '', FAKE_PACKER_VERSION_OUTPUT: 'Packer v1.12.0\\n\\nYour version of Packer is out of date!' };
    assert.equal((await locatePacker({ env, cwd: root, packerOption: FAKE })).version, '1.12.0');
  });
  it('fails with a ToolError when the executable prints no version', async () => {
    const env = { PATH: '', FAKE_PACKER_VERSION_OUTPUT: 'something else' };
    await assert.rejects(locatePacker({ env, cwd: root, packerOption: FAKE }), (e: unknown) => e instanceof ToolError && e.code === 'E_PACKER_VERSION');
  });
  it('detects the real Debian packer 1.6.6 when it is installed', { skip: !findOnPath('packer', process.env, root) && 'packer is not installed' }, async () => {
    const info = await locatePacker({ env: process.env, cwd: root });
    assert.match(info.version, /^\d+\.\d+\.\d+/);
    assert.equal(info.builtinProxmox, info.version === '1.6.6' || info.version.startsWith('1.5.') || info.version.startsWith('1.6.'));
  });
});
