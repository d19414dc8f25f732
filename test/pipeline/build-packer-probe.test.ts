// `packer version` runs only when the version decides something: `--target auto` (legacy for Packer
// < 1.7). With --target modern or legacy, build and validate only find the executable. The stand-in
// Packer here logs every invocation, so the tests see whether the probe ran.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildTemplate, findPacker } from '../../src/pipeline/build.js';
import { validateTemplate } from '../../src/pipeline/validate.js';
import { ROOT, tempDir, testEnv } from '../e2e/support.js';

const TEMPLATE = join(ROOT, 'fixtures/packer/templates/valid.pkr.hcl');

/** A Packer that answers `version` with 1.6.6, exits 0 for anything else, and logs each call's first argument. */
function loggingPacker(): { path: string; calls: () => string[] } {
  const dir = tempDir('probe-packer');
  const log = join(dir, 'calls.log');
  const path = join(dir, 'packer');
  writeFileSync(path, `#!/bin/sh\necho "$1" >> '${log}'\n[ "$1" = version ] && echo 'Packer v1.6.6'\nexit 0\n`);
  chmodSync(path, 0o755);
  return { path, calls: () => (existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean) : []) };
}

/** buildTemplate --offline on the fixture with the logging Packer. */
function build(target: 'auto' | 'legacy', packerPath: string, stdout: ReturnType<typeof sink>, json = false) {
  const home = tempDir('probe-build');
  return buildTemplate({
    template: TEMPLATE,
    cwd: home,
    env: testEnv(home),
    packerFlags: [],
    target,
    cleanup: 'never',
    offline: true,
    json,
    packerPath,
    stdout,
    stderr: sink(),
    signal: new AbortController().signal,
  });
}

function sink(): NodeJS.WritableStream & { text: () => string } {
  let text = '';
  return Object.assign({ write: (s: string) => ((text += s), true) } as unknown as NodeJS.WritableStream, { text: () => text });
}

test('findPacker asks for the version only for --target auto', async () => {
  const packer = loggingPacker();
  const home = tempDir('probe');
  for (const target of ['modern', 'legacy'] as const) {
    assert.deepEqual(await findPacker({ packerPath: packer.path, env: testEnv(home), cwd: home, target }), { path: packer.path });
  }
  assert.deepEqual(packer.calls(), []);
  assert.deepEqual(await findPacker({ packerPath: packer.path, env: testEnv(home), cwd: home, target: 'auto' }), { path: packer.path, version: '1.6.6', builtinProxmox: true });
  assert.deepEqual(packer.calls(), ['version']);
});

test('build --target legacy runs packer build without a version probe; the packer event names the path only', async () => {
  const packer = loggingPacker();
  const stdout = sink();
  const result = await build('legacy', packer.path, stdout, true);
  assert.equal(result.exitCode, 0, stdout.text());
  assert.deepEqual(packer.calls(), ['build']);
  const event = stdout
    .text()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .find((e) => e.event === 'packer');
  assert.deepEqual({ ...event, time: undefined }, { event: 'packer', path: packer.path, time: undefined });
});

test('build --target auto still reads the version (Packer 1.6.6 means the legacy dialect)', async () => {
  const packer = loggingPacker();
  const stdout = sink();
  const result = await build('auto', packer.path, stdout);
  assert.equal(result.exitCode, 0, stdout.text());
  assert.deepEqual(packer.calls(), ['version', 'build']);
  assert.equal(result.render?.dialect.dialect, 'legacy');
});

test('validate --target modern runs packer validate without a version probe', async () => {
  const packer = loggingPacker();
  const home = tempDir('probe-validate');
  const stdout = sink();
  const result = await validateTemplate({
    template: TEMPLATE,
    cwd: home,
    env: testEnv(home),
    packerFlags: [],
    target: 'modern',
    offline: true,
    packerPath: packer.path,
    stdout,
    stderr: sink(),
    signal: new AbortController().signal,
  });
  assert.equal(result.exitCode, 0, stdout.text());
  assert.deepEqual(packer.calls(), ['validate']);
  assert.match(stdout.text(), /Running .*packer validate .*\(on the rendering with predicted volids\)/);
});
