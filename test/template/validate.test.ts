import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UnknownValue } from '../../src/hcl/model.js';
import type { Attribute, Block, Expression, Value } from '../../src/hcl/model.js';
import type { IsoFieldName, IsoSpec } from '../../src/template/iso-spec.js';
import { validateIsoObject, validateIsoSpec, validateIsoSpecs } from '../../src/template/validate.js';
import { TemplateErrors } from '../../src/errors.js';
import type { HclxError } from '../../src/errors.js';

// Specs built by hand: validation only reads names, values, expression text and ranges.
function range(line: number) {
  return { file: 'fx.pkr.hcl', start: { line, column: 5, offset: line * 10 }, end: { line, column: 20, offset: line * 10 + 15 } };
}
function attr(name: string, line: number, text: string, refs: string[][] = []): Attribute {
  const expr = { syntax: 'hcl', text, range: range(line), traversals: () => refs } as unknown as Expression;
  return { kind: 'attribute', name, nameRange: range(line), expr, range: range(line) } as unknown as Attribute;
}
function spec(kind: IsoSpec['kind'], values: Partial<Record<IsoFieldName, Value>>, extra: Attribute[] = []): IsoSpec {
  const fields: IsoSpec['fields'] = {};
  let line = 10;
  for (const [name, value] of Object.entries(values)) fields[name as IsoFieldName] = { name, attribute: attr(name, line++, JSON.stringify(value)), value: value as Value };
  return {
    label: `source.proxmox-iso.t ${kind}`,
    source: { type: 'proxmox-iso', name: 't', block: {} as Block },
    kind,
    index: 0,
    dialectSeen: 'either',
    range: range(9),
    fields,
    otherAttributes: extra,
    connection: { get: () => ({ value: undefined }) },
  };
}
const text = (errors: HclxError[]) => errors.map((e) => e.describe());
const good = { iso_url: 'https://h/x.iso', iso_checksum: 'sha256:' + 'a'.repeat(64), iso_storage_pool: 'local', iso_download_pve: true };

test('a complete iso_download_pve boot_iso passes every schema that applies', () => {
  assert.deepEqual(text(validateIsoSpec(spec('boot_iso', { ...good, unmount: true, type: 'sata', index: 3 }))), []);
  assert.deepEqual(text(validateIsoSpec(spec('top-level', { ...good, unmount_iso: true }))), []);
  assert.deepEqual(validateIsoObject({ device: 'ide3', iso_file: 'local:iso/x.iso', unmount: true }, 'legacy-additional'), []);
});

test('iso_download_pve without checksum or storage names the block and what is missing', () => {
  const errors = text(validateIsoSpec(spec('boot_iso', { iso_url: 'https://h/x.iso', iso_download_pve: true })));
  assert.equal(errors.length, 1);
  assert.match(errors[0]!, /^fx\.pkr\.hcl:9:5: source\.proxmox-iso\.t boot_iso: iso_download_pve = true needs iso_url or iso_urls, iso_storage_pool and iso_checksum \(missing: iso_storage_pool, iso_checksum\)\./);
});

test('iso_download_pve without any URL is reported', () => {
  const errors = text(validateIsoSpec(spec('boot_iso', { iso_storage_pool: 'local', iso_checksum: 'none', iso_download_pve: true })));
  assert.ok(errors.some((e) => /needs iso_url or iso_urls/.test(e)), errors.join('\n'));
});

test('a malformed iso_file and storage id are mapped to their attribute lines', () => {
  const errors = text(validateIsoSpec(spec('additional_iso_files', { iso_file: 'images:foo.iso', unmount: true })));
  assert.equal(errors.length, 1);
  assert.match(errors[0]!, /^fx\.pkr\.hcl:10:5: .*iso_file = "images:foo\.iso" must be a volume id `<storage>:iso\/<name>`/);
  const pool = text(validateIsoSpec(spec('boot_iso', { ...good, iso_storage_pool: 'local:iso' })));
  assert.match(pool.join('\n'), /fx\.pkr\.hcl:12:5: .*iso_storage_pool = "local:iso" must be a Proxmox storage id/);
});

test('empty strings count as unset, as in the plugin (iso_file = "" next to iso_url)', () => {
  assert.deepEqual(text(validateIsoSpec(spec('boot_iso', { ...good, iso_file: '' }))), []);
});

test('a checksum that is no checksum is refused; bare hex and file: are accepted', () => {
  assert.match(text(validateIsoSpec(spec('boot_iso', { ...good, iso_checksum: 'abc' }))).join(), /iso_checksum = "abc" must be/);
  assert.deepEqual(text(validateIsoSpec(spec('boot_iso', { ...good, iso_checksum: 'f'.repeat(128) }))), []);
  assert.deepEqual(text(validateIsoSpec(spec('boot_iso', { ...good, iso_checksum: 'file:https://h/SHA256SUMS' }))), []);
});

test('unsupported arguments in a block are reported (plugin >= 1.2 schema)', () => {
  const errors = text(validateIsoSpec(spec('boot_iso', good, [attr('iso_chekcsum', 20, '"x"')])));
  assert.match(errors.join(), /fx\.pkr\.hcl:20:5: .*iso_chekcsum is not an argument/);
});

test('legacy additional_iso_files schema rejects plugin 1.2 fields and ide2', () => {
  assert.ok(validateIsoObject({ type: 'sata', iso_file: 'local:iso/x.iso' }, 'legacy-additional').some((p) => p.field === 'type'));
  assert.ok(validateIsoObject({ device: 'ide2', iso_file: 'local:iso/x.iso' }, 'legacy-additional').some((p) => p.field === 'device'));
});

test('an unknown value that the rewrite needs is an error naming the expression and the -var to pass', () => {
  const s = spec('boot_iso', { ...good });
  s.fields.iso_url = { name: 'iso_url', attribute: attr('iso_url', 30, 'var.iso_url', [['var', 'iso_url']]), value: new UnknownValue('var.iso_url has no value') };
  const errors = text(validateIsoSpec(s));
  assert.equal(errors.length, 1);
  assert.match(errors[0]!, /^fx\.pkr\.hcl:30:5: .*needs the value of iso_url = var\.iso_url but cannot evaluate it: var\.iso_url has no value\. Supply it with -var 'iso_url=\.\.\.'/);
});

test('vault() values get a hint about secret stores; unknown fields of other specs are not needed', () => {
  const s = spec('boot_iso', { ...good });
  s.fields.iso_storage_pool = { name: 'iso_storage_pool', attribute: attr('iso_storage_pool', 31, 'local.pool', [['local', 'pool']]), value: new UnknownValue('local.pool: vault() is evaluated by Packer at build time') };
  assert.match(text(validateIsoSpec(s)).join(), /does not read secret stores/);
  const plain = spec('boot_iso', { iso_file: 'local:iso/x.iso' });
  plain.fields.unmount = { name: 'unmount', attribute: attr('unmount', 32, 'local.u'), value: new UnknownValue('vault') };
  assert.deepEqual(text(validateIsoSpec(plain)), []);
});

test('validateIsoSpecs throws the problems of downloading specs together and only warns about the others', () => {
  const warnings: string[] = [];
  assert.throws(
    () => validateIsoSpecs([spec('boot_iso', { iso_download_pve: true }), spec('boot_iso', { iso_download_pve: true, iso_url: 'https://h/x.iso' }), spec('boot_iso', { iso_file: 'nope' })], (w) => warnings.push(w)),
    (e: unknown) => e instanceof TemplateErrors && e.errors.length === 2 && e.exitCode === 2,
  );
  assert.equal(warnings.length, 1);
  assert.match(warnings[0]!, /iso_file = "nope" .*hclx leaves this ISO as it is/);
});

test('a node download takes only lowercase http(s) URLs (download-url), named at the URL with what to do', () => {
  for (const url of ['ftp://h/x.iso', 'HTTPS://h/x.iso', 'file:///srv/x.iso', '/srv/x.iso', 'C:\\iso\\x.iso']) {
    const errors = validateIsoSpec(spec('boot_iso', { ...good, iso_url: url }));
    assert.equal(errors.length, 1, `${url}: ${text(errors).join('\n')}`);
    assert.match(errors[0]!.describe(), /^fx\.pkr\.hcl:10:5: source\.proxmox-iso\.t boot_iso: iso_url = .* is not an http:\/\/ or https:\/\/ URL: .*download-url.* remove iso_download_pve so Packer downloads the ISO/);
  }
  const mirrors = text(validateIsoSpec(spec('top-level', { ...good, iso_url: undefined, iso_urls: ['https://a/x.iso', 'ftp://b/x.iso'] } as Partial<Record<IsoFieldName, Value>>)));
  assert.equal(mirrors.length, 1);
  assert.match(mirrors[0]!, /iso_urls = \["https:\/\/a\/x\.iso","ftp:\/\/b\/x\.iso"\] has an entry that is not an http:\/\/ or https:\/\/ URL/);
  assert.equal(validateIsoObject({ ...good, iso_url: 'ftp://h/x.iso', device: 'ide3' }, 'legacy-additional').filter((p) => p.field === 'iso_url').length, 1);
  // Packer itself downloads other schemes; without iso_download_pve they are fine.
  assert.deepEqual(text(validateIsoSpec(spec('boot_iso', { iso_url: 'ftp://h/x.iso', iso_checksum: 'none', iso_storage_pool: 'local' }))), []);
  // Something that is no URL at all is left to the file-name check, which says more.
  assert.deepEqual(text(validateIsoSpec(spec('boot_iso', { ...good, iso_url: 'not a url' }))), []);
});

test('a typed checksum of the wrong length is refused at validation, with the length it needs', () => {
  const errors = text(validateIsoSpec(spec('boot_iso', { ...good, iso_checksum: 'sha256:abc' })));
  assert.equal(errors.length, 1);
  assert.match(errors[0]!, /^fx\.pkr\.hcl:11:5: source\.proxmox-iso\.t boot_iso: iso_checksum 'sha256:abc': a sha256 checksum has 64 hex digits, this one has 3\./);
  const guess = text(validateIsoSpec(spec('boot_iso', { ...good, iso_checksum: 'sha256:' + 'a'.repeat(40) })));
  assert.match(guess.join(), /40 digits is a sha1 sum: write "sha1:a{40}"/);
  // One problem per field: a checksum the schema already refuses is not reported twice.
  assert.equal(validateIsoSpec(spec('boot_iso', { ...good, iso_checksum: 'abc' })).length, 1);
});
