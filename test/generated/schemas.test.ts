// The validators hclx runs are precompiled from schemas/*.json by scripts/compile-schemas.mjs and
// committed. These tests keep them honest: the committed modules match what the script generates
// now, and they answer exactly as ajv compiling the schema at run time (with the options the CLI
// always used) does, errors included, since the error mapping reads ajv's error objects.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import type { Options, ValidateFunction } from 'ajv';
import fc from 'fast-check';
import { legacyAdditional, legacyTopLevel, modern } from '../../src/generated/iso-schemas.js';
import { urlMap } from '../../src/generated/url-map-schema.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const SCRIPT = join(ROOT, 'scripts/compile-schemas.mjs');
const GENERATED = ['src/generated/iso-schemas.ts', 'src/generated/url-map-schema.ts'];

function schema(file: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(ROOT, 'schemas', file), 'utf8')) as Record<string, unknown>;
}

test('the committed validator modules are up to date with schemas/*.json and the installed ajv', () => {
  const run = spawnSync(process.execPath, [SCRIPT, '--check'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  assert.equal(run.status, 0, `${run.stderr}\nRun \`npm run schemas\` and commit the result.`);
});

test('--check names a module whose schema changed, and the fix', () => {
  // A copy of the pieces the script reads, with one schema edited.
  const dir = mkdtempSync(join(tmpdir(), 'hclx-schemas-'));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'scripts'));
  cpSync(SCRIPT, join(dir, 'scripts/compile-schemas.mjs'));
  cpSync(join(ROOT, 'schemas'), join(dir, 'schemas'), { recursive: true });
  for (const file of GENERATED) cpSync(join(ROOT, file), join(dir, file), { recursive: true });
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  const edited = schema('iso-block.modern.schema.json');
  (edited.properties as Record<string, Record<string, unknown>>).index!.pattern = '^[0-9]{1,2}$';
  writeFileSync(join(dir, 'schemas/iso-block.modern.schema.json'), JSON.stringify(edited, null, 2));

  const check = spawnSync(process.execPath, [join(dir, 'scripts/compile-schemas.mjs'), '--check'], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
  assert.equal(check.status, 1);
  assert.match(check.stderr, /src\/generated\/iso-schemas\.ts/);
  assert.doesNotMatch(check.stderr, /url-map-schema/);
  assert.match(check.stderr, /npm run schemas/);

  const write = spawnSync(process.execPath, [join(dir, 'scripts/compile-schemas.mjs')], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
  assert.equal(write.status, 0, write.stderr);
  assert.match(readFileSync(join(dir, GENERATED[0]!), 'utf8'), /\^\[0-9\]\{1,2\}\$/);
  const again = spawnSync(process.execPath, [join(dir, 'scripts/compile-schemas.mjs'), '--check'], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
  assert.equal(again.status, 0, again.stderr);
});

// The ajv options the CLI compiled with at run time before the schemas were precompiled.
const ISO_OPTIONS: Options = { allErrors: true, verbose: true, strict: true, strictRequired: false };
const URL_MAP_OPTIONS: Options = { allErrors: true, strict: false };

function runtimeValidator(file: string, options: Options, vocabulary: string[] = []): ValidateFunction {
  const ajv = new Ajv(options);
  if (vocabulary.length > 0) ajv.addVocabulary(vocabulary);
  return ajv.compile(schema(file));
}

function outcome(fn: ValidateFunction, data: unknown): { valid: boolean; errors: unknown } {
  const valid = fn(data) as boolean;
  return { valid, errors: structuredClone(fn.errors ?? null) };
}

// Values that hit every keyword of the ISO schemas: valid and invalid URLs, checksums, storage ids,
// volids, buses and devices, wrong types, empty strings and lists.
const STRINGS = [
  '', ' ', 'local store:iso/x.iso', 'local:iso/a/b.iso', 'https://example.com/debian-12.iso', 'HTTP://example.com/x.iso', 'ftp://example.com/x.iso', 'debian.iso', 'C:\\isos\\x.iso',
  'sha256:' + 'a'.repeat(64), 'sha256:abc', 'file:https://example.com/SHA256SUMS', 'none', 'b'.repeat(32), 'b'.repeat(33), 'md4:00',
  'local', 'local:iso', 'local:iso/debian-12.iso', 'local-lvm', '1local', 'ide', 'sata', 'scsi', 'virtio', '0', '3', 'x1',
  'ide2', 'sata6', 'scsi30', 'scsi31', 'true', 'false', '\u{1F4BF}',
];
const value = fc.oneof(
  fc.constantFrom(...STRINGS),
  fc.boolean(),
  fc.constantFrom(0, 3, -1, 2.5),
  fc.constant(null),
  fc.array(fc.constantFrom(...STRINGS), { maxLength: 3 }),
  fc.dictionary(fc.constantFrom('a.txt', 'b'), fc.constantFrom('x', 1 as unknown as string), { maxKeys: 2 }),
);

// Valid objects of each schema, from which the generated cases start: a few fields replaced by any
// of the values above, a few removed, sometimes an unknown field added.
const DOWNLOAD = { iso_url: 'https://example.com/debian-12.iso', iso_checksum: 'sha256:' + 'a'.repeat(64), iso_storage_pool: 'local', iso_download_pve: true };
const BASES: Record<string, Array<Record<string, unknown>>> = {
  'iso-block.modern.schema.json': [
    { ...DOWNLOAD, type: 'scsi', index: '3', unmount: true },
    { iso_file: 'local:iso/debian-12.iso', type: 'ide', keep_cdrom_device: false },
    { cd_files: ['a.txt'], cd_label: 'cidata', iso_storage_pool: 'local' },
  ],
  'iso-top-level.legacy.schema.json': [{ ...DOWNLOAD, unmount_iso: true }, { iso_file: 'local:iso/debian-12.iso' }, { iso_urls: ['https://example.com/x.iso'], iso_checksum: 'none', iso_storage_pool: 'local' }],
  'iso-additional.legacy.schema.json': [
    { ...DOWNLOAD, device: 'sata1', unmount: true },
    { iso_file: 'local:iso/debian-12.iso', device: 'ide3' },
    { cd_content: { 'meta-data': '' }, iso_storage_pool: 'local' },
  ],
};

function isoObjects(file: string): fc.Arbitrary<Record<string, unknown>> {
  const names = Object.keys(schema(file).properties as object);
  return fc
    .record({
      base: fc.constantFrom(...BASES[file]!),
      replace: fc.dictionary(fc.constantFrom(...names, 'not_an_iso_field'), value, { maxKeys: 2 }),
      remove: fc.subarray(names, { maxLength: 2 }),
      mutate: fc.boolean(),
    })
    .map(({ base, replace, remove, mutate }) => {
      if (!mutate) return { ...base };
      const object: Record<string, unknown> = { ...base, ...replace };
      for (const name of remove) delete object[name];
      return object;
    });
}

for (const [file, generated] of [
  ['iso-block.modern.schema.json', modern],
  ['iso-top-level.legacy.schema.json', legacyTopLevel],
  ['iso-additional.legacy.schema.json', legacyAdditional],
] as const) {
  test(`the precompiled ${file} validator answers as ajv compiling it at run time, errors included`, () => {
    const runtime = runtimeValidator(file, ISO_OPTIONS, ['x-hclx-message', 'x-hclx-hint']);
    let invalid = 0;
    fc.assert(
      fc.property(isoObjects(file), (object) => {
        const expected = outcome(runtime, object);
        if (!expected.valid) invalid++;
        assert.deepEqual(outcome(generated, object), expected);
      }),
      { numRuns: 300 },
    );
    // The comparison means something only if both valid and invalid objects were seen.
    assert.ok(invalid > 0 && invalid < 300, `${invalid} of 300 objects invalid`);
  });
}

test('the precompiled validators keep the x-hclx-message vocabulary in parentSchema (verbose errors)', () => {
  assert.equal(modern({ iso_url: 'https://example.com/x.iso', iso_download_pve: true, iso_storage_pool: 'local:iso', iso_checksum: 'none' }), false);
  const storage = modern.errors?.find((e) => e.instancePath === '/iso_storage_pool');
  assert.match(String((storage?.parentSchema as Record<string, unknown> | undefined)?.['x-hclx-message']), /Proxmox storage id/);
  assert.equal(modern({ iso_download_pve: true, iso_url: 'ftp://example.com/x.iso', iso_storage_pool: 'local', iso_checksum: 'none' }), false);
  const url = modern.errors?.find((e) => e.instancePath === '/iso_url' && e.keyword === 'pattern');
  assert.match(String((url?.parentSchema as Record<string, unknown> | undefined)?.['x-hclx-hint']), /http\(s\) mirror/);
});

test('the precompiled url-map validator answers as ajv compiling it at run time, errors included', () => {
  const runtime = runtimeValidator('url-map.schema.json', URL_MAP_OPTIONS);
  const entry = fc.dictionary(fc.constantFrom('url', 'checksum', 'size'), value, { maxKeys: 3 });
  const maps = fc.oneof(
    fc.dictionary(fc.constantFrom('debian-12.iso', 'x.IMG', 'dir/x.iso', 'x.qcow2', 'c:x.iso'), fc.oneof(entry, value), { maxKeys: 3 }),
    value,
  );
  let invalid = 0;
  fc.assert(
    fc.property(maps, (data) => {
      const expected = outcome(runtime, data);
      if (!expected.valid) invalid++;
      assert.deepEqual(outcome(urlMap, data), expected);
    }),
    { numRuns: 300 },
  );
  assert.ok(invalid > 0 && invalid < 300, `${invalid} of 300 maps invalid`);
  const good = { 'debian-12.iso': { url: 'https://example.com/d.iso', checksum: 'sha256:' + 'a'.repeat(64) } };
  assert.deepEqual(outcome(urlMap, good), outcome(runtime, good));
  assert.equal(urlMap(good), true);
});
