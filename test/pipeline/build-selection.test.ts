// -only/-except decide which ISO specs hclx downloads, with Packer's build names and globs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../../src/errors.js';
import { selectSpecs, specBuilds } from '../../src/pipeline/build-selection.js';
import { prepareTemplate } from '../../src/template/prepare.js';

const dir = fileURLToPath(new URL('../../fixtures/build/selection/', import.meta.url));

async function prepared() {
  return prepareTemplate('builds.pkr.hcl', { cwd: dir, env: {}, varFiles: [], vars: [] });
}

async function selected(only: string[], except: string[]): Promise<string[]> {
  const p = await prepared();
  return selectSpecs(p.template, p.context, p.specs, only, except).map((s) => s.label);
}

test('each spec knows the Packer build names it is part of', async () => {
  const p = await prepared();
  const names = specBuilds(p.template, p.context, p.specs).map((b) => [b.spec.label, b.names]);
  assert.deepEqual(names, [
    ['source.proxmox-iso.ubuntu boot_iso', ['lab.proxmox-iso.ubuntu']],
    ['source.proxmox-iso.debian boot_iso', ['lab.proxmox-iso.debian']],
    ['source.proxmox-iso.ubuntu (build-level source "big") boot_iso', ['proxmox-iso.big']],
  ]);
});

test('without -only/-except every spec is downloaded', async () => {
  assert.equal((await selected([], [])).length, 3);
});

test('-only keeps the specs of matching builds (globs over the whole name)', async () => {
  assert.deepEqual(await selected(['*.ubuntu'], []), ['source.proxmox-iso.ubuntu boot_iso']);
  assert.deepEqual(await selected(['lab.*'], []), ['source.proxmox-iso.ubuntu boot_iso', 'source.proxmox-iso.debian boot_iso']);
  assert.deepEqual(await selected(['proxmox-iso.big,*.debian'], []), ['source.proxmox-iso.debian boot_iso', 'source.proxmox-iso.ubuntu (build-level source "big") boot_iso']);
  assert.deepEqual(await selected(['ubuntu'], []), [], 'a bare source name does not match: Packer matches the whole build name');
});

test('-except drops the specs of matching builds', async () => {
  assert.deepEqual(await selected([], ['lab.*']), ['source.proxmox-iso.ubuntu (build-level source "big") boot_iso']);
  assert.deepEqual(await selected(['lab.*'], ['*debian']), ['source.proxmox-iso.ubuntu boot_iso']);
});

test('a pattern Packer rejects is a usage error even when it would match nothing', async () => {
  await assert.rejects(selected(['lab.['], []), (e: unknown) => e instanceof UsageError && /invalid -only pattern 'lab\.\['/.test(e.message));
});
