import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  checksumFileName,
  hasIsoExtension,
  isStorageId,
  isoFileNameFromUrl,
  normalizeFilename,
  parseIsoVolid,
  urlFileName,
  volid,
} from '../../src/resolve/names.js';
import { TemplateError } from '../../src/errors.js';
import { chooseTargetName } from '../../src/provision/naming.js';

test('normalizeFilename follows pve-storage normalize_content_filename', () => {
  assert.equal(normalizeFilename('My ISO (v2).iso'), 'My_ISO__v2_.iso');
  assert.equal(normalizeFilename('a/b\\c/debian-12.7.0-amd64-netinst.iso'), 'debian-12.7.0-amd64-netinst.iso');
  assert.equal(normalizeFilename('x.iso\n'), 'x.iso'); // chomp removes one newline
  assert.equal(normalizeFilename('x+y~z.iso'), 'x_y_z.iso');
  assert.equal(normalizeFilename('é.iso'), '_.iso');
});

test('normalizeFilename output only contains the allowed characters and is idempotent', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 40 }), (s) => {
      const n = normalizeFilename(s);
      assert.match(n, /^[a-zA-Z0-9_.-]*$/);
      assert.equal(normalizeFilename(n), n);
    }),
    { numRuns: 300 },
  );
});

test('hasIsoExtension is the case-insensitive .iso/.img rule and needs a stem', () => {
  assert.equal(hasIsoExtension('a.ISO'), true);
  assert.equal(hasIsoExtension('a.img'), true);
  assert.equal(hasIsoExtension('a.iso.gz'), false);
  assert.equal(hasIsoExtension('.iso'), false);
  assert.equal(hasIsoExtension('a.qcow2'), false);
});

test('urlFileName strips query and fragment and decodes percent escapes', () => {
  assert.equal(urlFileName('https://h/p/debian.iso'), 'debian.iso');
  assert.equal(urlFileName('https://h/p/debian.iso?x=1#frag'), 'debian.iso');
  assert.equal(urlFileName('https://h/p/My%20ISO.iso'), 'My ISO.iso');
  assert.equal(urlFileName('https://h/p/bad%zz.iso'), 'bad%zz.iso');
  assert.equal(urlFileName('https://h'), '');
  assert.equal(urlFileName('https://h/dir/'), 'dir');
  assert.equal(urlFileName('file:///srv/isos/x.img'), 'x.img');
});

test('isoFileNameFromUrl normalises and refuses names Proxmox rejects, naming the place', () => {
  const range = { file: 'a.pkr.hcl', start: { line: 3, column: 5, offset: 20 }, end: { line: 3, column: 30, offset: 45 } };
  assert.equal(isoFileNameFromUrl('https://h/My%20ISO%20(v2).iso', { field: 'iso_url' }), 'My_ISO__v2_.iso');
  assert.throws(
    () => isoFileNameFromUrl('https://pkg.example/OPNsense-25.7-dvd-amd64.iso.bz2', { field: 'iso_url', range }),
    (e: unknown) => e instanceof TemplateError && e.exitCode === 2 && /a\.pkr\.hcl:3:5: iso_url .*OPNsense-25\.7-dvd-amd64\.iso\.bz2.*\.iso or \.img/.test(e.describe()),
  );
});

test('volids and storage ids', () => {
  assert.equal(volid('local', 'x.iso'), 'local:iso/x.iso');
  assert.deepEqual(parseIsoVolid('local:iso/x.iso'), { storage: 'local', name: 'x.iso' });
  assert.equal(parseIsoVolid('local:x.iso'), undefined);
  assert.equal(parseIsoVolid('images:foo.iso'), undefined);
  assert.equal(parseIsoVolid('local:iso/a/b.iso'), undefined);
  assert.equal(isStorageId('local'), true);
  assert.equal(isStorageId('nfs-backup-rbx'), true);
  assert.equal(isStorageId('local:iso'), false);
  assert.equal(isStorageId(''), false);
});

test('checksumFileName inserts the first 12 hex digits before the extension', () => {
  const sha = 'AB12CD34EF56'.padEnd(64, '0');
  assert.equal(checksumFileName('debian-12.iso', sha), 'debian-12.ab12cd34ef56.iso');
  assert.equal(checksumFileName('win.IMG', sha), 'win.ab12cd34ef56.IMG');
  assert.throws(() => checksumFileName('x.iso', 'abc'));
});

test('a hidden name (leading dots) is stored with _ instead: Proxmox would keep it, but its content listing skips hidden files', () => {
  assert.equal(isoFileNameFromUrl('https://h/isos/.hidden.iso', { field: 'iso_url' }), '_hidden.iso');
  assert.equal(isoFileNameFromUrl('https://h/isos/..x.img', { field: 'iso_url' }), '__x.img');
  assert.equal(isoFileNameFromUrl('https://h/isos/a.b.iso', { field: 'iso_url' }), 'a.b.iso', 'inner dots stay');
  assert.throws(() => isoFileNameFromUrl('https://h/isos/.iso', { field: 'iso_url' }), /names the file '\.iso'.*\.iso or \.img/);
  const sha = 'ab12cd34ef56'.padEnd(64, '0');
  assert.equal(chooseTargetName('https://h/.x.iso', { algorithm: 'sha256', value: sha }).filename, '_x.ab12cd34ef56.iso');
});

test('a name over 255 characters is a template error at the URL, for the URL name and for the checksum name', () => {
  const range = { file: 'a.pkr.hcl', start: { line: 7, column: 3, offset: 90 }, end: { line: 7, column: 60, offset: 150 } };
  const fits = `${'n'.repeat(251)}.iso`;
  assert.equal(isoFileNameFromUrl(`https://h/${fits}`, { field: 'iso_url', range }), fits);
  assert.throws(
    () => isoFileNameFromUrl(`https://h/${'n'.repeat(252)}.iso`, { field: 'iso_url', range }),
    (e: unknown) => e instanceof TemplateError && e.exitCode === 2 && e.code === 'E_ISO_NAME' && /^a\.pkr\.hcl:7:3: iso_url .* 256 characters.*longer than 255/.test(e.describe()),
  );
  const sha = 'ab12cd34ef56'.padEnd(64, '0');
  assert.equal(chooseTargetName(`https://h/${fits}`, { algorithm: 'sha256', value: sha }, 'url').filename, fits);
  assert.throws(
    () => chooseTargetName(`https://h/${fits}`, { algorithm: 'sha256', value: sha }, 'checksum', { field: 'iso_url', range }),
    (e: unknown) => e instanceof TemplateError && /268 characters/.test(e.message) && /--iso-name url/.test(e.hint ?? ''),
  );
});
