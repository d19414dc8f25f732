// Build `sources` references resolve as Packer resolves them. Checked with Packer 1.6.6
// (`packer validate`, a null source "u"): "xx.null.u", "null.u", ".null.u" and
// "source.null.u.extra" validate; "nope", "null.u." and "a..null.u" stop with "Invalid source
// reference"; "source.null.v" with "Unknown source null.v"; "source.null._u" and "source.null.u-"
// are valid references (to sources that do not exist here). hclx must extract the ISO of every
// reference Packer accepts and stop with a template error at the line of every one it refuses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HclxError, TemplateErrors } from '../../src/errors.js';
import { selectSpecs, specBuilds } from '../../src/pipeline/build-selection.js';
import { isHclIdentifier, sourceRefFromString } from '../../src/template/build-sources.js';
import { prepareTemplate } from '../../src/template/prepare.js';
import { tempDir } from '../support/temp.js';

const SOURCE = `source "proxmox-iso" "u" {
  proxmox_url = "https://pve:8006/api2/json"
  username    = "root@pam"
  password    = "x"
  node        = "pve"

  boot_iso {
    iso_url          = "https://example.org/u.iso"
    iso_checksum     = "none"
    iso_storage_pool = "local"
    iso_download_pve = true
  }
}

source "null" "n" {
  communicator = "none"
}
`;

async function prepare(build: string) {
  const dir = tempDir('build-sources');
  writeFileSync(join(dir, 't.pkr.hcl'), `${SOURCE}\n${build}`);
  return prepareTemplate('t.pkr.hcl', { cwd: dir, env: {}, varFiles: [], vars: [] });
}

async function prepareError(build: string): Promise<HclxError> {
  try {
    await prepare(build);
  } catch (e) {
    assert.ok(e instanceof HclxError, String(e));
    return e;
  }
  assert.fail('expected a template error');
}

test("Packer's split: two parts, or three and more with the first dropped whatever it is", () => {
  assert.deepEqual(sourceRefFromString('source.proxmox-iso.u'), { type: 'proxmox-iso', name: 'u' });
  assert.deepEqual(sourceRefFromString('sources.proxmox-iso.u'), { type: 'proxmox-iso', name: 'u' });
  assert.deepEqual(sourceRefFromString('proxmox-iso.u'), { type: 'proxmox-iso', name: 'u' });
  assert.deepEqual(sourceRefFromString('.proxmox-iso.u'), { type: 'proxmox-iso', name: 'u' });
  assert.deepEqual(sourceRefFromString('source.proxmox-iso.u.extra'), { type: 'proxmox-iso', name: 'u' });
  assert.deepEqual(sourceRefFromString('proxmox-iso.u.'), { type: 'u', name: '' });
  assert.equal(sourceRefFromString('nope'), undefined);
  assert.ok(isHclIdentifier('_u') && isHclIdentifier('u-') && isHclIdentifier('é'));
  assert.ok(!isHclIdentifier('') && !isHclIdentifier('1u') && !isHclIdentifier('-u'));
});

for (const ref of ['sources.proxmox-iso.u', 'x.proxmox-iso.u', 'proxmox-iso.u', '.proxmox-iso.u', 'source.proxmox-iso.u.extra']) {
  test(`sources = ["${ref}"] builds the source, so its ISO is extracted and selected`, async () => {
    const p = await prepare(`build {\n  sources = ["${ref}"]\n}\n`);
    assert.deepEqual(
      p.specs.map((s) => s.label),
      ['source.proxmox-iso.u boot_iso'],
    );
    assert.deepEqual(
      specBuilds(p.template, p.context, p.specs).map((b) => b.names),
      [['proxmox-iso.u']],
    );
    assert.equal(selectSpecs(p.template, p.context, p.specs, ['proxmox-iso.u'], []).length, 1);
  });
}

test('a build-level source block label resolves the same way', async () => {
  const p = await prepare(`build {\n  source "sources.proxmox-iso.u" {\n    name = "v"\n  }\n}\n`);
  assert.deepEqual(
    p.specs.map((s) => s.label),
    ['source.proxmox-iso.u (build-level source "v") boot_iso'],
  );
  assert.deepEqual(specBuilds(p.template, p.context, p.specs)[0]!.names, ['proxmox-iso.v']);
});

test('a reference Packer calls invalid is a template error at its line, exit 2', async () => {
  for (const ref of ['nope', 'proxmox-iso.u.', 'a..proxmox-iso.u', 'source.proxmox-iso.1u']) {
    const e = await prepareError(`build {\n  sources = [\n    "source.null.n",\n    "${ref}",\n  ]\n}\n`);
    assert.equal(e.code, 'E_SOURCE_REF', ref);
    assert.equal(e.exitCode, 2);
    assert.equal(e.range?.start.line, 22, `${ref}: the line of the reference`);
    assert.match(e.describe(), /^t\.pkr\.hcl:22:\d+: .*Invalid source reference.*source\.<type>\.<name>/);
  }
});

test('a reference to no source block is a template error naming the sources there are', async () => {
  const e = await prepareError(`build {\n  sources = ["source.proxmox-iso.v"]\n}\n`);
  assert.equal(e.code, 'E_SOURCE_REF');
  assert.match(e.describe(), /^t\.pkr\.hcl:20:\d+: .*Unknown source proxmox-iso\.v.*source\.proxmox-iso\.u, source\.null\.n/);
  const block = await prepareError(`build {\n  source "proxmox-iso.v" {\n    name = "x"\n  }\n}\n`);
  assert.equal(block.range?.start.line, 20);
  assert.match(block.message, /Unknown source proxmox-iso\.v/);
});

test('every refused reference is reported, not only the first', async () => {
  const e = await prepareError(`build {\n  sources = ["nope", "source.proxmox-iso.v"]\n}\n`);
  assert.ok(e instanceof TemplateErrors);
  assert.equal(e.errors.length, 2);
});

test('sources that cannot be evaluated before Packer runs are an error when a Proxmox source may be built', async () => {
  const e = await prepareError(`data "null" "d" {\n  input = "x"\n}\n\nbuild {\n  sources = [data.null.d.output]\n}\n`);
  assert.equal(e.code, 'E_ISO_UNKNOWN');
  assert.match(e.describe(), /^t\.pkr\.hcl:24:\d+: the sources of this build cannot be evaluated/);
});
